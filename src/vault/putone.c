/*
 * putone — one version written in a batch of its own (vault.h,
 * kith_vault_put_alone): the begin / put / hook / commit / free sequence that
 * most writes in casework, the web API and the CLI need, written once. A
 * write of several versions that must land together still opens its own
 * batch (kith_vault_batch_begin).
 */
#include "vault/vault.h"

#include <string.h>

#include "vault/blob.h" /* kith_vault_batch_hook */

int kith_vault_put_alone(struct kith_vault *v, const char *kind, json_t *body,
			 const struct kith_vault_put_opts *opts, char ref_out[KITH_VAULT_REF_MAX],
			 char id_out[KITH_VAULT_ID_HEX],
			 int (*hook)(struct kith_store *, void *, struct kith_err *), void *hook_arg,
			 struct kith_err *err)
{
	char ref[KITH_VAULT_REF_MAX], id[KITH_VAULT_ID_HEX];
	struct kith_vault_batch *b = NULL;
	int rc = kith_vault_batch_begin(v, &b, err);
	if (!rc)
		rc = kith_vault_put(b, kind, body, opts, ref, id, err);
	if (!rc) {
		if (hook)
			kith_vault_batch_hook(b, hook, hook_arg);
		rc = kith_vault_batch_commit(b, err); /* frees b either way */
		b = NULL;
	}
	kith_vault_batch_free(b);
	if (rc)
		return rc;
	if (ref_out)
		memcpy(ref_out, ref, sizeof ref);
	if (id_out)
		memcpy(id_out, id, sizeof id);
	return KITH_OK;
}
