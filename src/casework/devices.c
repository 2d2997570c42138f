/*
 * devices — field devices recorded at headquarters (devices.h).
 */
#include "casework/devices.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vault/blob.h" /* kith_vault_batch_hook */
#include "vault/bundle.h"
#include "vault/crypto.h"
#include "vault/field.h"
#include "vault/store.h"
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

void kith_devices_time_text(int64_t t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(out, outsz, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(out, outsz, "%lld (Unix time)", (long long)t);
}

int kith_devices_add(struct kith_vault *v, const char *name, int64_t now, struct kith_sbuf *invite,
		     char code[KITH_FIELD_CODE_TEXT], struct kith_err *err)
{
	if (name && kith_vault_find(v, "device", name))
		return kith_err_set(err, KITH_E_EXISTS, "name", "a device named %s is already enrolled",
				    name);
	struct kith_field_device dev;
	kith_field_code_new(code);
	size_t mark = invite->len;
	int rc = kith_field_invite_make(v, name, code, invite, &dev, err);
	if (rc) {
		sodium_memzero(code, KITH_FIELD_CODE_TEXT);
		return rc;
	}
	char spk[65], bpk[65], vid[33];
	sodium_bin2hex(spk, sizeof spk, dev.sign_pk, 32);
	sodium_bin2hex(bpk, sizeof bpk, dev.box_pk, 32);
	sodium_bin2hex(vid, sizeof vid, dev.vault_id, 16);
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:I}", "ref", name, "sign_pk", spk, "box_pk", bpk,
				 "vault", vid, "added", (json_int_t)now);
	struct kith_vault_batch *b = NULL;
	struct kith_field_enrolment en;
	if (!body)
		rc = kith_err_set(err, KITH_E_NOMEM, "device", "out of memory");
	else if (!(rc = kith_field_enrol_prepare(v, &dev, &en, err)) &&
		 !(rc = kith_vault_batch_begin(v, &b, err))) {
		/* the device row and its record in one transaction */
		struct kith_vault_put_opts po = {.create_only = 1, .action = "device-add"};
		kith_vault_batch_hook(b, kith_field_enrol_hook, &en);
		rc = kith_vault_put(b, "device", body, &po, NULL, NULL, err);
		if (rc)
			kith_vault_batch_free(b);
		else
			rc = kith_vault_batch_commit(b, err);
	}
	json_decref(body);
	if (rc) {
		sodium_memzero(invite->buf + mark, invite->len - mark);
		invite->len = mark;
		sodium_memzero(code, KITH_FIELD_CODE_TEXT);
	}
	return rc;
}

int kith_devices_revoke(struct kith_vault *v, const char *name, int64_t now, struct kith_err *err)
{
	const struct kith_record_view *rv = name ? kith_vault_find(v, "device", name) : NULL;
	if (!rv)
		return kith_err_set(err, KITH_E_NOTFOUND, "name", "no device named %s", name ? name : "");
	json_t *body = kith_record_view_json(rv);
	if (!body)
		return kith_err_set(err, KITH_E_NOMEM, "device", "out of memory");
	int rc = KITH_OK;
	json_t *ra = json_object_get(body, "revoked_at");
	uint8_t spk[32], sig[64];
	char sighex[129];
	if (json_is_integer(ra)) {
		char when[KITH_DEVICES_TIME_LEN];
		kith_devices_time_text(json_integer_value(ra), when, sizeof when);
		rc = kith_err_set(err, KITH_E_EXISTS, "name", "device %s was revoked already (on %s)", name,
				  when);
	} else if (hex_to(json_string_value(json_object_get(body, "sign_pk")), spk, sizeof spk)) {
		rc = kith_err_set(err, KITH_E_CORRUPT, "sign_pk",
				  "device %s: its signing key is not 64 hex digits", name);
	} else if (!(rc = kith_field_revoke_sign(v, spk, now, sig, err))) {
		sodium_bin2hex(sighex, sizeof sighex, sig, sizeof sig);
		if (json_object_set_new(body, "revoked_at", json_integer((json_int_t)now)) ||
		    json_object_set_new(body, "revocation", json_string(sighex))) {
			rc = kith_err_set(err, KITH_E_NOMEM, "device", "out of memory");
		} else {
			struct kith_vault_batch *b = NULL;
			struct kith_vault_put_opts po = {
			    .id = rv->id, .action = "device-revoke", .expect_version = rv->version};
			if (!(rc = kith_vault_batch_begin(v, &b, err))) {
				rc = kith_vault_put(b, "device", body, &po, NULL, NULL, err);
				if (rc)
					kith_vault_batch_free(b);
				else
					rc = kith_vault_batch_commit(b, err);
			}
		}
	}
	json_decref(body);
	return rc;
}

static int info_cmp(const void *a, const void *b)
{
	const struct kith_device_info *x = a, *y = b;
	if (x->added != y->added)
		return x->added < y->added ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int field_cmp(const void *a, const void *b)
{
	const struct kith_device_info *x = a, *y = b;
	if (x->this_device != y->this_device)
		return y->this_device - x->this_device;
	return strcmp(x->device_id, y->device_id);
}

/* A field vault's view: its device table, with the revocations it was sent. */
static int field_list(struct kith_vault *v, struct kith_device_info **out, size_t *n, struct kith_err *err)
{
	struct kith_store *s = kith_vault_store_borrow(v);
	struct kith_crypto_keys *k = kith_vault_keys_borrow(v);
	if (!s || !k)
		return kith_err_set(err, KITH_E_LOCKED, "vault", "the vault's keys were destroyed");
	struct kith_store_device *d = NULL;
	struct kith_sync_revocation *r = NULL;
	size_t nd = 0, nr = 0;
	int rc = kith_store_devices(s, &d, &nd, err);
	if (!rc)
		rc = kith_sync_revoked_list(s, &r, &nr, err);
	/* every enrolled device, and every revoked one (a device headquarters revoked
	 * need not have written anything this vault holds) */
	struct kith_device_info *o = rc ? NULL : calloc(nd + nr ? nd + nr : 1, sizeof *o);
	if (!rc && !o)
		rc = kith_err_set(err, KITH_E_NOMEM, "device", "out of memory");
	size_t no = nd;
	for (size_t j = 0; !rc && j < nr; j++) {
		size_t i = 0;
		while (i < nd && memcmp(r[j].device, d[i].sign_pk, 32) != 0)
			i++;
		if (i < nd)
			continue;
		o[no].name = "";
		sodium_bin2hex(o[no].device_id, sizeof o[no].device_id, r[j].device, 8);
		o[no].revoked_at = r[j].at;
		o[no++].revocation_valid =
		    kith_field_revoke_verify(v, r[j].device, r[j].at, r[j].sig) == KITH_OK;
	}
	for (size_t i = 0; !rc && i < nd; i++) {
		o[i].name = "";
		sodium_bin2hex(o[i].device_id, sizeof o[i].device_id, d[i].sign_pk, 8);
		o[i].this_device = !memcmp(d[i].sign_pk, kith_crypto_keys_sign_pk(k), 32);
		for (size_t j = 0; j < nr; j++)
			if (!memcmp(r[j].device, d[i].sign_pk, 32)) {
				o[i].revoked_at = r[j].at;
				o[i].revocation_valid =
				    kith_field_revoke_verify(v, r[j].device, r[j].at, r[j].sig) == KITH_OK;
			}
	}
	free(d);
	free(r);
	if (rc) {
		free(o);
		return rc;
	}
	qsort(o, no, sizeof *o, field_cmp);
	*out = o;
	*n = no;
	return KITH_OK;
}

int kith_devices_revocations(struct kith_vault *v, struct kith_bundle_revocation **out, size_t *n,
			     struct kith_err *err)
{
	size_t nv = 0;
	*out = NULL;
	*n = 0;
	const struct kith_record_view *views = kith_vault_records(v, "device", &nv);
	struct kith_bundle_revocation *r = calloc(nv ? nv : 1, sizeof *r);
	if (!r)
		return kith_err_set(err, KITH_E_NOMEM, "device", "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < nv; i++) {
		json_t *body = kith_record_view_json(&views[i]);
		if (!body) {
			free(r);
			return kith_err_set(err, KITH_E_NOMEM, "device", "out of memory");
		}
		json_int_t at = json_integer_value(json_object_get(body, "revoked_at"));
		uint8_t sig[64];
		if (at && !hex_to(json_string_value(json_object_get(body, "sign_pk")), r[k].sign_pk, 32) &&
		    !hex_to(json_string_value(json_object_get(body, "revocation")), sig, 64) &&
		    kith_field_revoke_verify(v, r[k].sign_pk, at, sig) == KITH_OK)
			r[k++].at = at; /* only a revocation the organization signed is carried */
		json_decref(body);
	}
	*out = r;
	*n = k;
	return KITH_OK;
}

int kith_devices_is_field(struct kith_vault *v)
{
	struct kith_crypto_keys *k = kith_vault_keys_borrow(v);
	return k && kith_crypto_keys_is_field(k);
}

int kith_devices_list(struct kith_vault *v, struct kith_device_info **out, size_t *n, struct kith_err *err)
{
	if (kith_devices_is_field(v))
		return field_list(v, out, n, err);
	size_t nv = 0;
	const struct kith_record_view *views = kith_vault_records(v, "device", &nv);
	*out = NULL;
	*n = 0;
	struct kith_device_info *d = calloc(nv ? nv : 1, sizeof *d);
	if (!d)
		return kith_err_set(err, KITH_E_NOMEM, "device", "out of memory");
	for (size_t i = 0; i < nv; i++) {
		json_t *body = kith_record_view_json(&views[i]);
		if (!body) {
			free(d);
			return kith_err_set(err, KITH_E_NOMEM, "device", "out of memory");
		}
		uint8_t spk[32], sig[64];
		const char *sh = json_string_value(json_object_get(body, "sign_pk"));
		if (hex_to(sh, spk, sizeof spk)) {
			json_decref(body);
			free(d);
			return kith_err_set(err, KITH_E_CORRUPT, "sign_pk",
					    "device %s: its signing key is not hex", views[i].ref);
		}
		d[i].name = views[i].ref;
		memcpy(d[i].device_id, sh, 16);
		d[i].device_id[16] = '\0';
		d[i].added = json_integer_value(json_object_get(body, "added"));
		d[i].revoked_at = json_integer_value(json_object_get(body, "revoked_at"));
		if (d[i].revoked_at &&
		    !hex_to(json_string_value(json_object_get(body, "revocation")), sig, 64))
			d[i].revocation_valid =
			    kith_field_revoke_verify(v, spk, d[i].revoked_at, sig) == KITH_OK;
		json_decref(body);
	}
	qsort(d, nv, sizeof *d, info_cmp);
	*out = d;
	*n = nv;
	return KITH_OK;
}

int kith_devices_import_bundle(struct kith_vault *v, const void *data, size_t len,
			       struct kith_bundle_result *res, struct kith_err *err)
{
	memset(res, 0, sizeof *res);
	struct kith_bundle *b = NULL;
	int rc = kith_bundle_parse_for(&b, v, data, len, err);
	if (rc)
		return rc;
	sodium_bin2hex(res->bundle, sizeof res->bundle, kith_bundle_id(b), 8);
	char sender[65];
	sodium_bin2hex(sender, sizeof sender, kith_bundle_sender(b), 32);
	size_t nv = 0;
	const struct kith_record_view *views = kith_vault_records(v, "device", &nv);
	for (size_t i = 0; i < nv && !rc; i++) {
		json_t *body = kith_record_view_json(&views[i]);
		if (!body) {
			rc = kith_err_set(err, KITH_E_NOMEM, "device", "out of memory");
			break;
		}
		const char *spk = json_string_value(json_object_get(body, "sign_pk"));
		if (spk && strcmp(spk, sender) == 0) {
			snprintf(res->device, sizeof res->device, "%s", views[i].ref);
			json_int_t ra = json_integer_value(json_object_get(body, "revoked_at"));
			if (ra && kith_bundle_created(b) >= ra) {
				char when[KITH_DEVICES_TIME_LEN];
				kith_devices_time_text(ra, when, sizeof when);
				rc = kith_err_set(err, KITH_E_AUTH, "sender",
						  "bundle %s comes from device %s, revoked on %s: refused",
						  res->bundle, views[i].ref, when);
			}
		}
		json_decref(body);
	}
	if (!rc) {
		struct kith_bundle_applied ap;
		rc = kith_bundle_apply(v, b, &ap, err);
		res->added = ap.added;
		res->skipped = ap.skipped;
		res->conflicts = ap.conflicts;
		res->revoked = ap.revoked;
	}
	kith_bundle_free(b);
	return rc;
}
