/*
 * attach — attachments of a case (attach.h): the upload pipeline (sniff,
 * strip, encrypt), the attachment record, listing, reading with the consent
 * rule, removal as a new version.
 */
#include "casework/attach.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "casework/people.h"
#include "record/imgstrip.h"
#include "record/record.h"
#include "vault/blob.h"

#define KIND "attachment"

struct kith_attach_upload {
	struct kith_blob_writer *w;
	struct kith_imgstrip *strip;
	uint8_t head[KITH_IMGSTRIP_SNIFF_BYTES];
	size_t head_n;
	int decided;
	enum kith_imgstrip_kind kind;
	uint64_t received, max;
	int spent, finished;
	struct kith_err *err; /* the current call's, for the stripper's output */
};

int kith_attach_upload_new(struct kith_attach_upload **out, const char *dir, uint64_t max,
			   struct kith_err *err)
{
	struct kith_attach_upload *u = calloc(1, sizeof *u);
	if (!u)
		return kith_err_set(err, KITH_E_NOMEM, "attachment", "out of memory");
	u->max = max ? max : KITH_ATTACH_MAX_BYTES;
	int rc = kith_blob_writer_new(&u->w, dir, u->max, err);
	if (rc) {
		free(u);
		return rc;
	}
	*out = u;
	return KITH_OK;
}

static int to_blob(void *arg, const uint8_t *p, size_t n)
{
	struct kith_attach_upload *u = arg;
	return kith_blob_writer_add(u->w, p, n, u->err);
}

/* Judges the file by its first bytes and sends them on. */
static int decide(struct kith_attach_upload *u, struct kith_err *err)
{
	const char *what = NULL;
	u->decided = 1;
	u->kind = kith_imgstrip_sniff(u->head, u->head_n, &what);
	int rc = KITH_OK;
	if (u->kind == KITH_IMGSTRIP_REFUSED)
		rc = kith_err_set(err, KITH_E_INVALID, "photo",
				  "a %s image may carry its location and cannot be stripped: "
				  "convert it to JPEG or PNG first",
				  what);
	else if (u->kind == KITH_IMGSTRIP_OTHER)
		rc = kith_blob_writer_add(u->w, u->head, u->head_n, err);
	else if (!(rc = kith_imgstrip_new(&u->strip, u->kind, to_blob, u, err)))
		rc = kith_imgstrip_feed(u->strip, u->head, u->head_n, err);
	sodium_memzero(u->head, sizeof u->head);
	return rc;
}

static int route(struct kith_attach_upload *u, const uint8_t *p, size_t n, struct kith_err *err)
{
	if (u->strip)
		return kith_imgstrip_feed(u->strip, p, n, err);
	return kith_blob_writer_add(u->w, p, n, err);
}

int kith_attach_upload_add(struct kith_attach_upload *u, const void *data, size_t n, struct kith_err *err)
{
	if (!u || u->spent || u->finished)
		return kith_err_set(err, KITH_E_INVALID, "attachment", "the upload is over");
	const uint8_t *p = data;
	int rc = KITH_OK;
	u->err = err;
	if (n > u->max || u->received > u->max - n) {
		rc = kith_err_set(err, KITH_E_LIMIT, "attachment", "the file is larger than %llu MiB",
				  (unsigned long long)(u->max >> 20));
		goto out;
	}
	u->received += n;
	if (!u->decided) {
		size_t k = sizeof u->head - u->head_n < n ? sizeof u->head - u->head_n : n;
		memcpy(u->head + u->head_n, p, k);
		u->head_n += k;
		p += k;
		n -= k;
		if (u->head_n < sizeof u->head)
			goto out;
		if ((rc = decide(u, err)))
			goto out;
	}
	if (n)
		rc = route(u, p, n, err);
out:
	u->err = NULL;
	if (rc)
		u->spent = 1;
	return rc;
}

int kith_attach_upload_finish(struct kith_attach_upload *u, struct kith_err *err)
{
	if (!u || u->spent || u->finished)
		return kith_err_set(err, KITH_E_INVALID, "attachment", "the upload is over");
	int rc = KITH_OK;
	u->err = err;
	if (!u->decided)
		rc = decide(u, err);
	if (!rc && u->strip)
		rc = kith_imgstrip_finish(u->strip, err);
	if (!rc)
		rc = kith_blob_writer_finish(u->w, err);
	u->err = NULL;
	if (rc)
		u->spent = 1;
	else
		u->finished = 1;
	return rc;
}

uint64_t kith_attach_upload_received(const struct kith_attach_upload *u)
{
	return u ? u->received : 0;
}

void kith_attach_upload_free(struct kith_attach_upload *u)
{
	if (!u)
		return;
	kith_blob_writer_free(u->w);
	kith_imgstrip_free(u->strip);
	sodium_memzero(u, sizeof *u);
	free(u);
}

/* ------------------------------------------------------------ the record */

static int is_hex_id(const char *s)
{
	if (!s || strlen(s) != 32)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

static const struct kith_record_view *find_case(const struct kith_vault *v, const char *ref)
{
	if (!ref)
		return NULL;
	const struct kith_record_view *c = kith_vault_find(v, "case", ref);
	if (!c && is_hex_id(ref)) {
		c = kith_vault_find_id(v, ref);
		if (c && strcmp(c->kind, "case"))
			c = NULL;
	}
	return c;
}

static const char *type_of_name(const char *name)
{
	static const char *const map[][2] = {
	    {".pdf", "application/pdf"},
	    {".txt", "text/plain"},
	    {".mp3", "audio/mpeg"},
	    {".m4a", "audio/mp4"},
	    {".aac", "audio/aac"},
	    {".ogg", "audio/ogg"},
	    {".opus", "audio/ogg"},
	    {".wav", "audio/wav"},
	    {".amr", "audio/amr"},
	    {".mp4", "video/mp4"},
	    {".doc", "application/msword"},
	    {".odt", "application/vnd.oasis.opendocument.text"},
	    {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	};
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < sizeof map / sizeof map[0]; i++)
		if (!strcasecmp(dot, map[i][0]))
			return map[i][1];
	return "application/octet-stream";
}

static int type_ok(const char *t)
{
	size_t n = strlen(t);
	if (!n || n > KITH_ATTACH_TYPE_MAX || !strchr(t, '/'))
		return 0;
	for (const char *p = t; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("/.+-", *p)))
			return 0;
	return 1;
}

int kith_attach_commit(struct kith_vault *v, const char *case_ref, struct kith_attach_upload *u,
		       const struct kith_attach_add_opts *o, char id_out[KITH_VAULT_ID_HEX],
		       struct kith_err *err)
{
	if (!u || !u->finished)
		return kith_err_set(err, KITH_E_INVALID, "attachment", "the upload is not finished");
	const struct kith_record_view *c = find_case(v, case_ref);
	if (!c)
		return kith_err_set(err, KITH_E_NOTFOUND, "case", "no such case");
	const char *name = o && o->name ? o->name : "";
	const char *slash = strrchr(name, '/');
	if (slash)
		name = slash + 1;
	if (!*name)
		return kith_err_set(err, KITH_E_INVALID, "name", "the file has no name");
	if (strlen(name) > KITH_ATTACH_NAME_MAX)
		return kith_err_set(err, KITH_E_INVALID, "name", "a file name longer than %d bytes",
				    KITH_ATTACH_NAME_MAX);
	int photo = u->kind == KITH_IMGSTRIP_JPEG || u->kind == KITH_IMGSTRIP_PNG;
	const char *type = u->kind == KITH_IMGSTRIP_JPEG  ? "image/jpeg"
			   : u->kind == KITH_IMGSTRIP_PNG ? "image/png"
			   : o && o->type && *o->type	  ? o->type
							  : type_of_name(name);
	if (!photo && (!strncmp(type, "image/jpeg", 10) || !strncmp(type, "image/png", 9)))
		type = "application/octet-stream"; /* named a photo, but its bytes are not one */
	if (!type_ok(type))
		return kith_err_set(err, KITH_E_INVALID, "type",
				    "a media type such as audio/mpeg was expected");

	char blob[KITH_BLOB_ID_HEX], key[KITH_BLOB_KEY_HEX];
	kith_blob_writer_id_hex(u->w, blob);
	kith_blob_writer_key_hex(u->w, key);
	int rc = KITH_OK;
	json_t *body = json_pack("{s:[s], s:s, s:s, s:I, s:s, s:s, s:b}", "case", c->id, "name", name, "type",
				 type, "size", (json_int_t)kith_blob_writer_size(u->w), "blob", blob, "key",
				 key, "stripped", photo);
	sodium_memzero(key, sizeof key);
	if (!body)
		return kith_err_set(err, KITH_E_INVALID, "name", "the file name is not valid UTF-8");
	if (o && o->note && *o->note && json_object_set_new(body, "note", json_string(o->note))) {
		json_decref(body);
		return kith_err_set(err, KITH_E_INVALID, "note", "the note is not valid UTF-8");
	}
	struct kith_vault_put_opts po = {.action = "attach", .note = NULL};
	rc = kith_vault_put_alone(v, KIND, body, &po, NULL, id_out, kith_blob_writer_commit, u->w, err);
	json_decref(body);
	return rc;
}

/* ------------------------------------------------------------ listing */

static int item_of(const struct kith_record_view *view, json_t *body, struct kith_attach_item *it)
{
	memset(it, 0, sizeof *it);
	json_t *cs = json_object_get(body, "case");
	const char *cid = json_string_value(json_array_get(cs, 0));
	const char *name = json_string_value(json_object_get(body, "name"));
	const char *type = json_string_value(json_object_get(body, "type"));
	if (!cid || !name || !type)
		return -1;
	snprintf(it->id, sizeof it->id, "%s", view->id);
	snprintf(it->case_id, sizeof it->case_id, "%s", cid);
	snprintf(it->name, sizeof it->name, "%s", name);
	snprintf(it->type, sizeof it->type, "%s", type);
	snprintf(it->action, sizeof it->action, "%s", view->action ? view->action : "");
	it->version = view->version;
	it->at = view->at;
	json_int_t size = json_integer_value(json_object_get(body, "size"));
	it->size = size > 0 ? (uint64_t)size : 0;
	it->stripped = json_is_true(json_object_get(body, "stripped"));
	it->removed = json_is_true(json_object_get(body, "removed"));
	it->purged = json_is_true(json_object_get(body, "purged"));
	it->photo = it->stripped && (!strcmp(type, "image/jpeg") || !strcmp(type, "image/png"));
	return 0;
}

int kith_attach_list(const struct kith_vault *v, const char *case_ref, int removed,
		     struct kith_attach_item **out, size_t *n, struct kith_err *err)
{
	*out = NULL;
	*n = 0;
	const struct kith_record_view *c = find_case(v, case_ref);
	if (!c)
		return kith_err_set(err, KITH_E_NOTFOUND, "case", "no such case");
	size_t na = 0, k = 0;
	const struct kith_record_view *all = kith_vault_records(v, KIND, &na);
	struct kith_attach_item *items = na ? calloc(na, sizeof *items) : NULL;
	if (na && !items)
		return kith_err_set(err, KITH_E_NOMEM, "attachment", "out of memory");
	for (size_t i = 0; i < na; i++) {
		json_t *body = kith_record_view_json(&all[i]);
		if (!body) {
			free(items);
			return kith_err_set(err, KITH_E_NOMEM, "attachment", "out of memory");
		}
		const char *cid = json_string_value(json_array_get(json_object_get(body, "case"), 0));
		if (cid && !strcmp(cid, c->id) && !item_of(&all[i], body, &items[k]) &&
		    (removed || !items[k].removed))
			k++;
		json_decref(body);
	}
	*out = items;
	*n = k;
	return KITH_OK;
}

static const struct kith_record_view *find_attachment(const struct kith_vault *v, const char *id)
{
	const struct kith_record_view *r = is_hex_id(id) ? kith_vault_find_id(v, id) : NULL;
	return r && !strcmp(r->kind, KIND) ? r : NULL;
}

int kith_attach_history(struct kith_vault *v, const char *id, struct kith_attach_item **out, size_t *n,
			struct kith_err *err)
{
	*out = NULL;
	*n = 0;
	if (!find_attachment(v, id))
		return kith_err_set(err, KITH_E_NOTFOUND, "attachment", "no such attachment");
	struct kith_record_view *vers = NULL;
	size_t nv = 0;
	int rc = kith_vault_history(v, id, &vers, &nv, err);
	struct kith_attach_item *items = nv ? calloc(nv, sizeof *items) : NULL;
	size_t k = 0;
	if (nv && !items) {
		kith_vault_history_free(vers, nv);
		return kith_err_set(err, KITH_E_NOMEM, "attachment", "out of memory");
	}
	for (size_t i = 0; i < nv; i++) {
		json_t *body = kith_record_view_json(&vers[i]);
		if (body && !item_of(&vers[i], body, &items[k]))
			k++;
		json_decref(body);
	}
	kith_vault_history_free(vers, nv);
	*out = items;
	*n = k;
	return rc;
}

static int by_time(const void *a, const void *b)
{
	const struct kith_attach_item *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	int c = strcmp(x->id, y->id);
	return c ? c : (x->version > y->version) - (x->version < y->version);
}

int kith_attach_case_history(struct kith_vault *v, const char *case_ref, struct kith_attach_item **out,
			     size_t *n, struct kith_err *err)
{
	*out = NULL;
	*n = 0;
	struct kith_attach_item *cur = NULL, *all = NULL;
	size_t nc = 0, na = 0;
	int rc = kith_attach_list(v, case_ref, 1, &cur, &nc, err), worst = KITH_OK;
	for (size_t i = 0; !rc && i < nc; i++) {
		struct kith_attach_item *vers = NULL;
		size_t nv = 0;
		int r = kith_attach_history(v, cur[i].id, &vers, &nv, err);
		if (r && r != KITH_E_CORRUPT)
			rc = r;
		else if (r)
			worst = r;
		struct kith_attach_item *grown = nv ? realloc(all, (na + nv) * sizeof *all) : all;
		if (nv && !grown)
			rc = kith_err_set(err, KITH_E_NOMEM, "attachment", "out of memory");
		else if (nv) {
			all = grown;
			memcpy(all + na, vers, nv * sizeof *vers);
			na += nv;
		}
		free(vers);
	}
	free(cur);
	if (rc) {
		free(all);
		return rc;
	}
	if (na)
		qsort(all, na, sizeof *all, by_time);
	*out = all;
	*n = na;
	return worst;
}

json_t *kith_attach_item_json(const struct kith_attach_item *it)
{
	return json_pack("{s:s, s:s, s:i, s:I, s:s, s:s, s:I, s:b, s:b, s:b, s:s, s:b}", "id", it->id, "case",
			 it->case_id, "version", (int)it->version, "at", (json_int_t)it->at, "name", it->name,
			 "type", it->type, "size", (json_int_t)it->size, "photo", it->photo, "stripped",
			 it->stripped, "removed", it->removed, "action", it->action, "purged", it->purged);
}

/* ------------------------------------------------------------ reading */

struct kith_attach_reader {
	struct kith_blob_reader *br;
};

int kith_attach_open(struct kith_vault *v, const char *id, uint32_t version, const char *use,
		     struct kith_attach_reader **out, struct kith_attach_item *item, struct kith_err *err)
{
	const struct kith_record_view *cur = find_attachment(v, id);
	if (!cur)
		return kith_err_set(err, KITH_E_NOTFOUND, "attachment", "no such attachment");
	json_t *body = NULL;
	struct kith_attach_item it;
	int rc = KITH_OK;
	json_t *now = kith_record_view_json(cur);
	if (!now)
		return kith_err_set(err, KITH_E_NOMEM, "attachment", "out of memory");
	int purged = json_is_true(json_object_get(now, "purged"));
	json_decref(now);
	if (purged)
		return kith_err_set(err, KITH_E_NOTFOUND, "attachment",
				    "the attachment was purged: its bytes are gone");
	if (!version || version == cur->version) {
		body = kith_record_view_json(cur);
		if (!body || item_of(cur, body, &it)) {
			json_decref(body);
			return kith_err_set(err, KITH_E_NOMEM, "attachment", "out of memory");
		}
		if (!version && it.removed) {
			json_decref(body);
			return kith_err_set(err, KITH_E_NOTFOUND, "attachment", "the attachment was removed");
		}
	} else {
		struct kith_record_view *vers = NULL;
		size_t nv = 0;
		rc = kith_vault_history(v, id, &vers, &nv, err);
		for (size_t i = 0; i < nv && !body; i++)
			if (vers[i].version == version) {
				body = kith_record_view_json(&vers[i]);
				if (body && item_of(&vers[i], body, &it)) {
					json_decref(body);
					body = NULL;
				}
			}
		kith_vault_history_free(vers, nv);
		if (!body)
			return rc ? rc : kith_err_set(err, KITH_E_NOTFOUND, "version", "no such version");
		rc = KITH_OK;
	}
	if (use) {
		const struct kith_record_view *c = kith_vault_find_id(v, it.case_id);
		json_t *cb = c ? kith_record_view_json(c) : NULL;
		int allowed = cb && kith_record_consent_allows(cb, use);
		json_decref(cb);
		if (!allowed) {
			json_decref(body);
			return kith_err_set(
			    err, KITH_E_CONSENT, "consent",
			    "the case's consent does not allow %s: the attachment stays in the vault", use);
		}
	}
	struct kith_attach_reader *r = calloc(1, sizeof *r);
	if (!r) {
		json_decref(body);
		return kith_err_set(err, KITH_E_NOMEM, "attachment", "out of memory");
	}
	rc = kith_blob_reader_new(&r->br, json_string_value(json_object_get(body, "blob")),
				  json_string_value(json_object_get(body, "key")), it.size, err);
	json_decref(body);
	if (rc) {
		free(r);
		return rc;
	}
	if (item)
		*item = it;
	*out = r;
	return KITH_OK;
}

int kith_attach_next(struct kith_attach_reader *r, struct kith_vault *v, const uint8_t **p, size_t *n,
		     struct kith_err *err)
{
	return kith_blob_reader_next(r->br, kith_vault_store(v), p, n, err);
}

void kith_attach_reader_free(struct kith_attach_reader *r)
{
	if (!r)
		return;
	kith_blob_reader_free(r->br);
	free(r);
}

/* ------------------------------------------------------------ removing */

int kith_attach_remove(struct kith_vault *v, const char *id, const char *note, struct kith_err *err)
{
	const struct kith_record_view *cur = find_attachment(v, id);
	if (!cur)
		return kith_err_set(err, KITH_E_NOTFOUND, "attachment", "no such attachment");
	json_t *body = kith_record_view_json(cur);
	if (!body)
		return kith_err_set(err, KITH_E_NOMEM, "attachment", "out of memory");
	if (json_is_true(json_object_get(body, "removed"))) {
		json_decref(body);
		return kith_err_set(err, KITH_E_NOTFOUND, "attachment", "the attachment was removed already");
	}
	int rc = json_object_set_new(body, "removed", json_true()) ? KITH_E_NOMEM : KITH_OK;
	if (rc) {
		json_decref(body);
		return kith_err_set(err, rc, "attachment", "out of memory");
	}
	struct kith_vault_put_opts po = {
	    .id = cur->id, .action = "remove", .note = note, .expect_version = cur->version};
	rc = kith_vault_put_alone(v, KIND, body, &po, NULL, NULL, NULL, NULL, err);
	json_decref(body);
	return rc;
}

/* ------------------------------------------------------------ purging */

/* Adds the blob id of body to ids (no id twice). */
static int add_blob(json_t *ids, const json_t *body)
{
	const char *b = json_string_value(json_object_get(body, "blob"));
	if (!b)
		return 0;
	for (size_t i = 0; i < json_array_size(ids); i++)
		if (!strcmp(json_string_value(json_array_get(ids, i)), b))
			return 0;
	return json_array_append_new(ids, json_string(b));
}

int kith_attach_purge(struct kith_vault *v, const char *id, const char *note, const char *confirm,
		      struct kith_attach_purge_result *res, struct kith_err *err)
{
	int prc = kith_people_allow(v, KITH_PEOPLE_ADMIN, err); /* an administrator's decision */
	if (prc)
		return prc;
	if (!note || !*note)
		return kith_err_set(err, KITH_E_INVALID, "note", "say why the attachment is purged");
	const struct kith_record_view *cur = find_attachment(v, id);
	if (!cur)
		return kith_err_set(err, KITH_E_NOTFOUND, "attachment", "no such attachment");
	char aid[KITH_VAULT_ID_HEX];
	snprintf(aid, sizeof aid, "%s", cur->id);
	uint32_t ver = cur->version;
	json_t *body = kith_record_view_json(cur), *ids = json_array();
	struct kith_record_view *vers = NULL;
	size_t nv = 0;
	struct kith_blob_purge *p = NULL;
	const char **idv = NULL;
	int rc = KITH_OK;
	if (!body || !ids)
		goto nomem;
	if (json_is_true(json_object_get(body, "purged"))) {
		rc = kith_err_set(err, KITH_E_NOTFOUND, "attachment", "the attachment was purged already");
		goto out;
	}
	if (confirm) {
		const char *cid = json_string_value(json_array_get(json_object_get(body, "case"), 0));
		const struct kith_record_view *c = cid ? kith_vault_find_id(v, cid) : NULL;
		if (!c || strcmp(c->ref, confirm)) {
			rc = kith_err_set(err, KITH_E_INVALID, "confirm",
					  "type the case number to confirm the purge");
			goto out;
		}
	}
	/* every version's blob (a version that fails verification still names
	 * none we could read: its rows go with the attachment's) */
	rc = kith_vault_history(v, aid, &vers, &nv, err);
	if (rc && rc != KITH_E_CORRUPT)
		goto out;
	rc = KITH_OK;
	if (add_blob(ids, body))
		goto nomem;
	for (size_t i = 0; i < nv; i++) {
		json_t *vb = kith_record_view_json(&vers[i]);
		int bad = vb && add_blob(ids, vb);
		json_decref(vb);
		if (!vb || bad)
			goto nomem;
	}
	size_t nid = json_array_size(ids);
	idv = nid ? calloc(nid, sizeof *idv) : NULL;
	if (nid && !idv)
		goto nomem;
	for (size_t i = 0; i < nid; i++)
		idv[i] = json_string_value(json_array_get(ids, i));
	if ((rc = kith_blob_purge_new(&p, kith_vault_store(v), idv, nid, err)))
		goto out;
	json_object_del(body, "blob");
	json_object_del(body, "key");
	if (json_object_set_new(body, "removed", json_true()) ||
	    json_object_set_new(body, "purged", json_true()))
		goto nomem;
	struct kith_vault_put_opts po = {.id = aid, .action = "purge", .note = note, .expect_version = ver};
	if ((rc = kith_vault_put_alone(v, KIND, body, &po, NULL, NULL, kith_blob_purge_delete, p, err)))
		goto out;
	uint64_t zeroed = 0;
	rc = kith_blob_purge_shred(p, kith_vault_store(v), &zeroed, err);
	if (!rc && res) {
		res->chunks = kith_blob_purge_chunks(p);
		res->zeroed = zeroed;
	}
	goto out;
nomem:
	rc = kith_err_set(err, KITH_E_NOMEM, "attachment", "out of memory");
out:
	kith_blob_purge_free(p);
	free(idv);
	kith_vault_history_free(vers, nv);
	json_decref(ids);
	json_decref(body);
	return rc;
}

/* ------------------------------------------------------------ exporting */

#define TAR_BLOCK 512

struct export_item {
	char id[KITH_VAULT_ID_HEX];
	char ref[KITH_VAULT_REF_MAX];
	char name[KITH_ATTACH_NAME_MAX + 1];
	uint64_t size;
	int64_t at;
};

struct kith_attach_export {
	struct export_item *items;
	size_t n, cur;
	int phase; /* 0: header, 1: data, 2: padding, 3: the end blocks */
	uint8_t block[TAR_BLOCK];
	size_t block_at, block_n;
	struct kith_attach_reader *r;
	const uint8_t *p;
	size_t pn;
	uint64_t left; /* data bytes of the current entry still to give */
	size_t pad;    /* padding bytes still to give */
};

static int case_wanted(const struct kith_record_view *c, const struct kith_attach_export_opts *o,
		       const struct kith_vault *v)
{
	if (!o || !o->cases)
		return 1;
	for (size_t i = 0; i < o->n_cases; i++) {
		const struct kith_record_view *w = find_case(v, o->cases[i]);
		if (w && !strcmp(w->id, c->id))
			return 1;
	}
	return 0;
}

/* A name safe in a tar entry: '/', '\\' and control bytes become '_'. */
static void safe_copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
	for (char *c = dst; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == '/' || *c == '\\')
			*c = '_';
	if (!strcmp(dst, ".") || !strcmp(dst, ".."))
		dst[0] = '_';
}

int kith_attach_export_new(struct kith_vault *v, const struct kith_attach_export_opts *o,
			   struct kith_attach_export **out, struct kith_attach_export_result *res,
			   struct kith_err *err)
{
	const char *use = o && o->consent && *o->consent ? o->consent : NULL;
	static const char *const uses[] = {"services", "reporting", "tracing", "sharing"};
	int known = !use;
	for (size_t i = 0; use && i < sizeof uses / sizeof uses[0]; i++)
		known |= !strcmp(use, uses[i]);
	if (!known)
		return kith_err_set(err, KITH_E_INVALID, "consent",
				    "the consent filter takes services, reporting, tracing or sharing");
	int prc = kith_people_allow(v, KITH_PEOPLE_EXPORT, err); /* people.h */
	if (prc)
		return prc;
	for (size_t i = 0; o && o->cases && i < o->n_cases; i++)
		if (!find_case(v, o->cases[i]))
			return kith_err_set(err, KITH_E_NOTFOUND, "case", "no such case");
	struct kith_attach_export *x = calloc(1, sizeof *x);
	if (!x)
		return kith_err_set(err, KITH_E_NOMEM, "attachment", "out of memory");
	struct kith_attach_export_result r = {0};
	size_t nc = 0, na = 0;
	const struct kith_record_view *cases = kith_vault_records(v, "case", &nc);
	const struct kith_record_view *all = kith_vault_records(v, KIND, &na);
	x->items = na ? calloc(na, sizeof *x->items) : NULL;
	/* every current attachment once (a body is decrypted once, not per case) */
	struct kith_attach_item *cur = na ? calloc(na, sizeof *cur) : NULL;
	size_t ncur = 0;
	if (na && (!x->items || !cur)) {
		free(cur);
		goto nomem;
	}
	for (size_t i = 0; i < na; i++) {
		json_t *body = kith_record_view_json(&all[i]);
		if (!body) {
			free(cur);
			goto nomem;
		}
		if (!item_of(&all[i], body, &cur[ncur]) && !cur[ncur].removed)
			ncur++;
		json_decref(body);
	}
	for (size_t c = 0; c < nc; c++) {
		if (!case_wanted(&cases[c], o, v))
			continue;
		size_t here = 0;
		for (size_t i = 0; i < ncur; i++)
			here += !strcmp(cur[i].case_id, cases[c].id);
		if (!here)
			continue;
		json_t *cb = kith_record_view_json(&cases[c]);
		if (!cb) {
			free(cur);
			goto nomem;
		}
		int ok = kith_record_consent_allows(cb, "sharing") &&
			 (!use || kith_record_consent_allows(cb, use));
		json_decref(cb);
		for (size_t i = 0; i < ncur; i++) {
			const struct kith_attach_item *it = &cur[i];
			if (strcmp(it->case_id, cases[c].id))
				continue;
			if (!ok) {
				r.left_out++;
				continue;
			}
			struct export_item *e = &x->items[x->n++];
			snprintf(e->id, sizeof e->id, "%s", it->id);
			safe_copy(e->ref, sizeof e->ref, cases[c].ref);
			safe_copy(e->name, sizeof e->name, it->name);
			e->size = it->size;
			e->at = it->at;
			r.bytes += TAR_BLOCK + (it->size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
		}
		if (ok)
			r.cases++;
		else
			r.cases_left_out++;
	}
	if (cur)
		sodium_memzero(cur, na * sizeof *cur); /* names of files */
	free(cur);
	r.files = x->n;
	r.bytes += 2 * TAR_BLOCK;
	if (res)
		*res = r;
	*out = x;
	return KITH_OK;
nomem:
	kith_attach_export_free(x);
	return kith_err_set(err, KITH_E_NOMEM, "attachment", "out of memory");
}

static void octal(char *f, size_t w, uint64_t v)
{
	/* w - 1 digits and a NUL */
	f[w - 1] = '\0';
	for (size_t i = w - 1; i-- > 0;) {
		f[i] = (char)('0' + (v & 7));
		v >>= 3;
	}
}

/* The ustar header of item e in x->block. */
static void tar_header(struct kith_attach_export *x, const struct export_item *e)
{
	uint8_t *h = x->block;
	memset(h, 0, TAR_BLOCK);
	char name[16 + KITH_ATTACH_NAME_MAX];
	snprintf(name, sizeof name, "%.8s-%s", e->id, e->name);
	/* at most 100 bytes, not cut inside a UTF-8 sequence */
	size_t len = strlen(name);
	if (len > 100) {
		len = 100;
		while (len > 0 && ((unsigned char)name[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(h, name, len);
	octal((char *)h + 100, 8, 0600);
	octal((char *)h + 108, 8, 0);
	octal((char *)h + 116, 8, 0);
	octal((char *)h + 124, 12, e->size);
	octal((char *)h + 136, 12, e->at > 0 ? (uint64_t)e->at : 0);
	memset(h + 148, ' ', 8);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memcpy(h + 345, e->ref, strlen(e->ref) < 155 ? strlen(e->ref) : 155);
	unsigned sum = 0;
	for (size_t i = 0; i < TAR_BLOCK; i++)
		sum += h[i];
	octal((char *)h + 148, 7, sum);
	h[155] = ' ';
	x->block_at = 0;
	x->block_n = TAR_BLOCK;
}

long kith_attach_export_read(struct kith_attach_export *x, struct kith_vault *v, uint8_t *buf, size_t max,
			     struct kith_err *err)
{
	size_t done = 0;
	while (done < max) {
		if (x->block_at < x->block_n) { /* a header or the end blocks */
			size_t m =
			    x->block_n - x->block_at < max - done ? x->block_n - x->block_at : max - done;
			memcpy(buf + done, x->block + x->block_at, m);
			x->block_at += m;
			done += m;
			continue;
		}
		if (x->phase == 0) {
			if (x->cur == x->n) {
				memset(x->block, 0, TAR_BLOCK);
				x->block_at = 0;
				x->block_n = TAR_BLOCK;
				x->phase = 3;
				x->pad = TAR_BLOCK; /* the second end block */
				continue;
			}
			const struct export_item *e = &x->items[x->cur];
			int rc = kith_attach_open(v, e->id, 0, "sharing", &x->r, NULL, err);
			if (rc)
				return rc;
			tar_header(x, e);
			x->left = e->size;
			x->pn = 0;
			x->phase = 1;
			continue;
		}
		if (x->phase == 1) {
			if (!x->pn && x->left) {
				int k = kith_attach_next(x->r, v, &x->p, &x->pn, err);
				if (k < 0)
					return k;
				if (k == 0 || x->pn > x->left)
					return kith_err_set(err, KITH_E_CORRUPT, "attachment",
							    "the attachment's size is not its record's");
			}
			if (x->left) {
				size_t m = x->pn < max - done ? x->pn : max - done;
				memcpy(buf + done, x->p, m);
				x->p += m;
				x->pn -= m;
				x->left -= m;
				done += m;
				continue;
			}
			kith_attach_reader_free(x->r);
			x->r = NULL;
			uint64_t sz = x->items[x->cur].size;
			x->pad = (size_t)((TAR_BLOCK - sz % TAR_BLOCK) % TAR_BLOCK);
			x->phase = 2;
			continue;
		}
		if (x->phase == 2 || x->phase == 3) {
			if (!x->pad) {
				if (x->phase == 3)
					break; /* the end */
				x->cur++;
				x->phase = 0;
				continue;
			}
			size_t m = x->pad < max - done ? x->pad : max - done;
			memset(buf + done, 0, m);
			x->pad -= m;
			done += m;
		}
	}
	return (long)done;
}

void kith_attach_export_free(struct kith_attach_export *x)
{
	if (!x)
		return;
	kith_attach_reader_free(x->r);
	if (x->items)
		sodium_memzero(x->items, x->n * sizeof *x->items);
	free(x->items);
	free(x);
}
