/*
 * keystatus — whether a panic on this vault is recoverable (see keystatus.h).
 */
#include "casework/keystatus.h"

#include <jansson.h>

void kith_keystatus_get(const struct kith_vault *v, struct kith_keystatus *out)
{
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	*out = (struct kith_keystatus){.holds_org_key = info.holds_org_secret};
	size_t n = 0;
	const struct kith_record_view *r = kith_vault_records(v, "keybackup", &n);
	for (size_t i = 0; i < n; i++) {
		json_t *b = kith_record_view_json(&r[i]);
		json_t *at = b ? json_object_get(b, "at") : NULL;
		if (json_is_integer(at)) {
			out->backups++;
			if (json_integer_value(at) > out->last_backup_at)
				out->last_backup_at = json_integer_value(at);
		}
		json_decref(b);
	}
	out->backed_up = out->backups > 0;
	out->panic_effect = out->holds_org_key && !out->backed_up ? "permanent" : "recoverable";
}

int kith_keystatus_note_backup(struct kith_vault *v, int64_t at, const char *method, struct kith_err *err)
{
	if (at < 0)
		return kith_err_set(err, KITH_E_INVALID, "at", "a backup time is Unix seconds");
	json_t *body = json_pack("{s:I, s:s}", "at", (json_int_t)at, "method", method ? method : "file");
	if (!body)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	struct kith_vault_put_opts po = {0};
	int rc = kith_vault_put_alone(v, "keybackup", body, &po, NULL, NULL, NULL, NULL, err);
	json_decref(body);
	return rc;
}
