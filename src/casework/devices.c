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
#include "vault/field.h"

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

int kith_devices_list(struct kith_vault *v, struct kith_device_info **out, size_t *n, struct kith_err *err)
{
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
	}
	kith_bundle_free(b);
	return rc;
}
