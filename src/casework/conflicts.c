/*
 * conflicts — sending records to a field device, and resolving the conflicts
 * that bundles bring (conflicts.h).
 */
#include "casework/conflicts.h"
#include "casework/devices.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "vault/field.h"
#include "vault/sync.h"

static int hex_to(const char *hex, uint8_t *out, size_t n)
{
	size_t got = 0;
	if (!hex || strlen(hex) != 2 * n)
		return -1;
	if (sodium_hex2bin(out, n, hex, 2 * n, NULL, &got, NULL) != 0 || got != n)
		return -1;
	return 0;
}

int kith_conflicts_export(struct kith_vault *v, const struct kith_conflicts_export_opts *o, int64_t now,
			  struct kith_sbuf *out, struct kith_bundle_sent *sent, struct kith_err *err)
{
	memset(sent, 0, sizeof *sent);
	struct kith_bundle_export_opts eo = {.all = o->all};
	uint8_t since[16], vid[16];
	struct kith_store_device to;
	memset(&to, 0, sizeof to);
	if (o->since) {
		if (hex_to(o->since, since, 16))
			return kith_err_set(err, KITH_E_INVALID, "since",
					    "--since takes a bundle id as export printed it (32 hex digits)");
		eo.since = since;
	}
	struct kith_sbuf ids = KITH_SBUF_INIT;
	int rc = KITH_OK;
	if (o->to && strcmp(o->to, "hq") != 0) {
		const struct kith_record_view *dv = kith_vault_find(v, "device", o->to);
		if (!dv)
			return kith_err_set(err, KITH_E_NOTFOUND, "to", "no device named %s", o->to);
		json_t *body = kith_record_view_json(dv);
		if (!body)
			return kith_err_set(err, KITH_E_NOMEM, "device", "out of memory");
		json_int_t ra = json_integer_value(json_object_get(body, "revoked_at"));
		char when[KITH_DEVICES_TIME_LEN];
		kith_devices_time_text(ra, when, sizeof when);
		if (ra)
			rc = kith_err_set(err, KITH_E_AUTH, "to", "device %s was revoked on %s", o->to, when);
		else if (hex_to(json_string_value(json_object_get(body, "sign_pk")), to.sign_pk, 32) ||
			 hex_to(json_string_value(json_object_get(body, "box_pk")), to.box_pk, 32) ||
			 hex_to(json_string_value(json_object_get(body, "vault")), vid, 16))
			rc = kith_err_set(err, KITH_E_CORRUPT, "device", "device %s: its keys are not hex",
					  o->to);
		json_decref(body);
		if (rc)
			return rc;
		if (!o->nrefs && !o->kind)
			return kith_err_set(err, KITH_E_INVALID, "to",
					    "say which records go to the device: --case REF or --kind KIND");
		for (size_t i = 0; !rc && i < o->nrefs; i++) {
			const struct kith_record_view *rv = kith_vault_find(v, "case", o->refs[i]);
			if (!rv)
				rv = kith_vault_find(v, "trace", o->refs[i]);
			uint8_t id[16];
			if (!rv)
				rc = kith_err_set(err, KITH_E_NOTFOUND, "case",
						  "no case or tracing request %s", o->refs[i]);
			else if (hex_to(rv->id, id, 16) || kith_sbuf_add(&ids, id, 16))
				rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
		}
		if (!rc && o->kind) {
			if (strcmp(o->kind, "case") != 0 && strcmp(o->kind, "trace") != 0)
				rc = kith_err_set(err, KITH_E_INVALID, "kind", "--kind is case or trace");
			size_t n = 0;
			const struct kith_record_view *rv = rc ? NULL : kith_vault_records(v, o->kind, &n);
			for (size_t i = 0; !rc && i < n; i++) {
				uint8_t id[16];
				if (hex_to(rv[i].id, id, 16) || kith_sbuf_add(&ids, id, 16))
					rc = kith_err_set(err, KITH_E_NOMEM, "bundle", "out of memory");
			}
		}
		eo.to = &to;
		eo.to_vault = vid;
		eo.ids = (const uint8_t *)ids.buf;
		eo.nids = ids.len / 16;
	} else if (o->nrefs || o->kind) {
		rc = kith_err_set(
		    err, KITH_E_INVALID, "to",
		    "--case and --kind choose what goes to a device (--to DEVICE); headquarters gets "
		    "every version this device wrote");
	}
	if (!rc)
		rc = kith_bundle_export(v, &eo, now, out, sent, err);
	kith_sbuf_release(&ids);
	return rc;
}

int kith_conflicts_ids(struct kith_vault *v, char (**ids)[33], size_t *n, struct kith_err *err)
{
	return kith_sync_conflict_ids(v, ids, n, err);
}

static int cmp33(const void *a, const void *b)
{
	return strcmp(a, b);
}

int kith_conflicts_has(char (*ids)[33], size_t n, const char *id)
{
	return ids && n && id && bsearch(id, ids, n, 33, cmp33) != NULL;
}

int kith_conflicts_list(struct kith_vault *v, json_t **out, struct kith_err *err)
{
	char(*ids)[33] = NULL;
	size_t n = 0;
	int rc = kith_sync_conflict_ids(v, &ids, &n, err);
	if (rc)
		return rc;
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++) {
		const struct kith_record_view *rv = kith_vault_find_id(v, ids[i]);
		if (!rv)
			continue;
		if (json_array_append_new(
			a, json_pack("{s:s, s:s, s:s}", "kind", rv->kind, "ref", rv->ref, "id", rv->id))) {
			json_decref(a);
			a = NULL;
		}
	}
	free(ids);
	if (!a)
		return kith_err_set(err, KITH_E_NOMEM, "conflict", "out of memory");
	*out = a;
	return KITH_OK;
}

/* The sides of a conflict: [0] the vault's current version, then the kept heads. */
struct sides {
	const struct kith_record_view *cur;
	struct kith_sync_branch *b;
	size_t nb;
	json_t *bodies[27]; /* A..Z */
	uint32_t versions[27];
	const char *devices[27];
	size_t n;
	json_t *fields;
};

static void sides_release(struct sides *s)
{
	for (size_t i = 0; i < s->n; i++)
		json_decref(s->bodies[i]);
	kith_sync_branches_free(s->b, s->nb);
	json_decref(s->fields);
	memset(s, 0, sizeof *s);
}

static int sides_load(struct kith_vault *v, const char *kind, const char *ref, struct sides *s,
		      struct kith_err *err)
{
	memset(s, 0, sizeof *s);
	s->cur = kith_vault_find(v, kind ? kind : "case", ref);
	if (!s->cur)
		return kith_err_set(err, KITH_E_NOTFOUND, "ref", "no %s %s", kind ? kind : "case", ref);
	int rc = kith_sync_branches(v, s->cur->id, &s->b, &s->nb, err);
	if (rc)
		return rc;
	if (!s->nb) {
		sides_release(s);
		return kith_err_set(err, KITH_E_NOTFOUND, "ref", "%s has no conflict", ref);
	}
	s->bodies[0] = kith_record_view_json(s->cur);
	s->versions[0] = s->cur->version;
	s->devices[0] = s->cur->device;
	s->n = 1;
	for (size_t i = 0; i < s->nb && s->n < 26; i++) {
		json_t *env =
		    json_loadb(s->b[i].envelope, s->b[i].envelope_len - 1, JSON_REJECT_DUPLICATES, NULL);
		json_t *body = env ? json_object_get(env, "body") : NULL;
		if (json_is_object(body)) {
			s->bodies[s->n] = json_incref(body);
			s->versions[s->n] = s->b[i].version;
			s->devices[s->n] = s->b[i].device;
			s->n++;
		}
		json_decref(env);
	}
	s->fields = json_array();
	if (!s->bodies[0] || !s->fields) {
		sides_release(s);
		return kith_err_set(err, KITH_E_NOMEM, "conflict", "out of memory");
	}
	/* every top-level field where some side differs from A */
	json_t *all = json_object();
	for (size_t i = 0; all && i < s->n; i++) {
		const char *key;
		json_t *val;
		json_object_foreach(s->bodies[i], key, val) json_object_set(all, key, json_null());
	}
	const char *key;
	json_t *val;
	json_object_foreach(all, key, val)
	{
		json_t *a = json_object_get(s->bodies[0], key);
		for (size_t i = 1; i < s->n; i++) {
			json_t *x = json_object_get(s->bodies[i], key);
			if ((!a) != (!x) || (a && !json_equal(a, x))) {
				json_array_append_new(s->fields, json_string(key));
				break;
			}
		}
	}
	json_decref(all);
	return KITH_OK;
}

int kith_conflicts_get(struct kith_vault *v, const char *kind, const char *ref, json_t **out,
		       struct kith_err *err)
{
	struct sides s;
	int rc = sides_load(v, kind, ref, &s, err);
	if (rc)
		return rc;
	json_t *sides = json_array();
	for (size_t i = 0; sides && i < s.n; i++) {
		char side[2] = {(char)('A' + i), 0};
		json_array_append_new(sides,
				      json_pack("{s:s, s:s, s:i, s:O}", "side", side, "device", s.devices[i],
						"version", (int)s.versions[i], "body", s.bodies[i]));
	}
	json_t *o = sides ? json_pack("{s:s, s:s, s:s, s:o, s:O}", "kind", s.cur->kind, "ref", s.cur->ref,
				      "id", s.cur->id, "sides", sides, "fields", s.fields)
			  : NULL;
	sides_release(&s);
	if (!o)
		return kith_err_set(err, KITH_E_NOMEM, "conflict", "out of memory");
	*out = o;
	return KITH_OK;
}

int kith_conflicts_resolve(struct kith_vault *v, const char *kind, const char *ref, const char *const *takes,
			   size_t ntakes, const char *all_side, uint32_t *version, struct kith_err *err)
{
	struct sides s;
	int rc = sides_load(v, kind, ref, &s, err);
	if (rc)
		return rc;
	int all = -1;
	if (all_side) {
		if (strlen(all_side) != 1 || all_side[0] < 'A' || (size_t)(all_side[0] - 'A') >= s.n) {
			sides_release(&s);
			return kith_err_set(err, KITH_E_INVALID, "all", "no side %s in this conflict",
					    all_side);
		}
		all = all_side[0] - 'A';
	}
	json_t *merged = json_deep_copy(s.bodies[0]);
	if (!merged) {
		sides_release(&s);
		return kith_err_set(err, KITH_E_NOMEM, "conflict", "out of memory");
	}
	size_t i;
	json_t *f;
	json_array_foreach(s.fields, i, f)
	{
		const char *field = json_string_value(f);
		int side = all;
		for (size_t t = 0; t < ntakes; t++) {
			const char *eq = strchr(takes[t], '=');
			if (!eq || strlen(eq + 1) != 1)
				continue;
			if ((size_t)(eq - takes[t]) == strlen(field) &&
			    !strncmp(takes[t], field, strlen(field)))
				side = eq[1] - 'A';
		}
		if (side < 0 || (size_t)side >= s.n) {
			rc = kith_err_set(err, KITH_E_INVALID, field,
					  "choose a side for %s: --take %s=A|B (or --all A|B)", field, field);
			break;
		}
		json_t *val = json_object_get(s.bodies[side], field);
		if (val)
			json_object_set(merged, field, val);
		else
			json_object_del(merged, field);
	}
	/* every --take must name a differing field and a side */
	for (size_t t = 0; !rc && t < ntakes; t++) {
		const char *eq = strchr(takes[t], '=');
		int known = 0;
		json_array_foreach(s.fields, i,
				   f) if (eq && (size_t)(eq - takes[t]) == strlen(json_string_value(f)) &&
					  !strncmp(takes[t], json_string_value(f), (size_t)(eq - takes[t])))
		    known = 1;
		if (!eq || strlen(eq + 1) != 1 || eq[1] < 'A' || (size_t)(eq[1] - 'A') >= s.n || !known)
			rc = kith_err_set(err, KITH_E_INVALID, "take",
					  "--take %s: not FIELD=SIDE for a field where the sides differ",
					  takes[t]);
	}
	uint32_t top = 0;
	for (size_t k = 0; k < s.n; k++)
		if (s.versions[k] > top)
			top = s.versions[k];
	char note[200];
	size_t at = (size_t)snprintf(note, sizeof note, "resolves");
	for (size_t k = 0; k < s.n && at < sizeof note; k++)
		at += (size_t)snprintf(note + at, sizeof note - at, "%s %c: version %u of device %s",
				       k ? ";" : "", (char)('A' + k), s.versions[k], s.devices[k]);
	struct kith_sync_resolution res;
	if (!rc && hex_to(s.cur->id, res.id, 16))
		rc = kith_err_set(err, KITH_E_CORRUPT, "id", "not a record id");
	if (!rc) {
		struct kith_vault_put_opts po = {.id = s.cur->id,
						 .action = "resolve",
						 .note = note,
						 .expect_version = s.cur->version,
						 .min_version = top + 1};
		res.by = top + 1 > s.cur->version + 1 ? top + 1 : s.cur->version + 1;
		char kbuf[16];
		snprintf(kbuf, sizeof kbuf, "%s", s.cur->kind);
		rc =
		    kith_vault_put_alone(v, kbuf, merged, &po, NULL, NULL, kith_sync_resolve_hook, &res, err);
		if (!rc)
			*version = res.by;
	}
	json_decref(merged);
	sides_release(&s);
	return rc;
}
