/*
 * integrity — what the check of a format-2 vault found, as data: each
 * finding of kith_vault_integrity (manifest.c writes them as sentences) and
 * each damaged record, classified into a kind with the batch, device and
 * numbers it names, never a record's content. The web UI (api_integrity.c)
 * and `kith verify` show the same list (docs/vault-format.md, *Format 2*).
 */
#include "vault/vault_impl.h"

#include <jansson.h>
#include <string.h>

/* One pattern per sentence manifest.c (and the slot anchor) writes: %h is a
 * device or batch id prefix (1 to 16 hex digits), %d a number; the rest must
 * match the sentence's start word for word. */
struct pattern {
	const char *kind;
	const char *fmt;
	const char *order; /* what each conversion is: d device, b batch, s seq, t to, m missing, o of */
};

static const struct pattern patterns[] = {
    {"dropped_batch", "batches %d to %d of device %h are missing", "std"},
    {"dropped_batch", "batch %d of device %h is missing", "sd"},
    {"broken_chain", "batch %d of device %h does not follow", "sd"},
    {"duplicate_batch", "device %h wrote two batches numbered %d", "ds"},
    {"deleted_rows", "batch %h (number %d of device %h): %d of its %d", "bsdmo"},
    {"person_unknown", "batch %h (number %d of device %h): signed by a person key that no person", "bsd"},
    {"person_removed", "batch %h (number %d of device %h): signed by a person after they were removed",
     "bsd"},
    {"person_signer", "batch %h (number %d of device %h): signed by one person's key, its versions name",
     "bsd"},
    {"bad_batch", "a malformed batch of device %h", "d"},
    {"bad_batch", "batch %h: ", "b"},
    {"anchor_missing", "the anchor of device %h is missing", "d"},
    {"anchor_missing", "the rollback anchor of this passphrase slot is missing", ""},
    {"anchor_altered", "the anchor of device %h is malformed", "d"},
    {"anchor_altered", "the anchor of device %h was altered", "d"},
    {"anchor_altered", "the rollback anchor of this passphrase slot was altered", ""},
    {"anchor_behind", "the anchor of device %h names batch %d, but the file goes on to %d", "dst"},
    {"rolled_back",
     "the log of device %h was rolled back: its last batch was number %d, the "
     "file ends at %d",
     "dst"},
    {"rolled_back", "the log of device %h was rolled back: its batch %d was replaced", "ds"},
    {"rolled_back",
     "the file was rolled back: this passphrase slot saw %d batches of other devices, the file holds %d",
     "st"},
};

/* The kind of a damaged record's reason (manifest.c, crypto.c). */
static const char *damage_kind(const char *reason)
{
	if (!reason)
		return "damaged";
	if (!strcmp(reason, "not the row its batch signed"))
		return "changed_row";
	if (!strcmp(reason, "not in any signed batch"))
		return "row_outside_batch";
	if (strstr(reason, "batch"))
		return "bad_batch";
	return "damaged";
}

static int set_num(json_t *o, const char *key, long long x)
{
	return json_object_set_new(o, key, json_integer(x));
}

/* Matches msg against pattern p: fills hex[] (up to 2) and num[] (up to 4)
 * in order; 1 when the whole pattern matched the start of msg. */
static int match(const char *msg, const char *p, char hex[2][17], long long num[4])
{
	size_t nh = 0, nn = 0;
	while (*p) {
		if (p[0] == '%' && p[1] == 'h') {
			size_t k = 0;
			while (k < 16 && ((*msg >= '0' && *msg <= '9') || (*msg >= 'a' && *msg <= 'f')))
				hex[nh][k++] = *msg++;
			if (!k || nh >= 2)
				return 0;
			hex[nh++][k] = 0;
			p += 2;
		} else if (p[0] == '%' && p[1] == 'd') {
			if (*msg < '0' || *msg > '9' || nn >= 4)
				return 0;
			long long x = 0;
			while (*msg >= '0' && *msg <= '9' && x < (1LL << 56))
				x = x * 10 + (*msg++ - '0');
			num[nn++] = x;
			p += 2;
		} else if (*p++ != *msg++) {
			return 0;
		}
	}
	return 1;
}

/* Classifies one finding into o (kind, and what it names). */
static int classify(const char *msg, json_t *o)
{
	for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
		const struct pattern *p = &patterns[i];
		char hex[2][17] = {"", ""};
		long long n[4] = {0, 0, 0, 0};
		if (!match(msg, p->fmt, hex, n))
			continue;
		int rc = json_object_set_new(o, "kind", json_string(p->kind));
		size_t ns = 0, nn = 0;
		for (const char *k = p->order; *k && !rc; k++) {
			switch (*k) {
			case 'd':
				rc = json_object_set_new(o, "device", json_string(hex[ns++]));
				break;
			case 'b':
				rc = json_object_set_new(o, "batch", json_string(hex[ns++]));
				break;
			case 's':
				rc = set_num(o, "seq", n[nn++]);
				break;
			case 't':
				rc = set_num(o, "to", n[nn++]);
				break;
			case 'm':
				rc = set_num(o, "missing", n[nn++]);
				break;
			default:
				rc = set_num(o, "of", n[nn++]);
				break;
			}
		}
		return rc;
	}
	return json_object_set_new(o, "kind", json_string("other"));
}

int kith_vault_integrity_json(const struct kith_vault *v, json_t **out)
{
	*out = NULL;
	if (!v)
		return KITH_E_INVALID;
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	json_t *findings = json_array(), *damaged = json_array();
	json_t *o = json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:s}", "format", info.format, "batches",
			      (json_int_t)info.batches, "records", (json_int_t)info.records, "missing",
			      (json_int_t)info.missing, "unreadable", (json_int_t)info.unreadable,
			      "devices_refused", (json_int_t)info.devices_refused, "device", info.device_id);
	int rc = o && findings && damaged ? KITH_OK : KITH_E_NOMEM;
	for (size_t i = 0; i < info.integrity && !rc; i++) {
		const char *msg = kith_vault_integrity(v, i);
		json_t *f = json_pack("{s:s}", "text", msg ? msg : "");
		if (!f || classify(msg ? msg : "", f) || json_array_append_new(findings, f))
			rc = KITH_E_NOMEM;
	}
	size_t nd = 0;
	const struct kith_vault_damage *d = kith_vault_damaged(v, &nd);
	for (size_t i = 0; i < nd && !rc; i++) {
		json_t *f = json_pack("{s:s, s:s, s:s, s:I, s:s}", "kind", damage_kind(d[i].reason), "id",
				      d[i].id, "ref", d[i].ref, "version", (json_int_t)d[i].version, "text",
				      d[i].reason ? d[i].reason : "");
		if (!f || json_array_append_new(damaged, f))
			rc = KITH_E_NOMEM;
	}
	if (!rc) {
		int ok = info.integrity == 0 && nd == 0 && info.missing == 0;
		if (json_object_set(o, "findings", findings) || json_object_set(o, "damaged", damaged) ||
		    json_object_set_new(o, "ok", json_boolean(ok)))
			rc = KITH_E_NOMEM;
	}
	json_decref(findings);
	json_decref(damaged);
	if (rc) {
		json_decref(o);
		return KITH_E_NOMEM;
	}
	*out = o;
	return KITH_OK;
}
