/*
 * api_keys — the keys of this vault from the web UI (paths after "/api"):
 *   GET  /keys                        what the vault holds and what a panic
 *                                     would do: {holds_org_key, backed_up,
 *                                     last_backup_at, backups, panic_effect, kdf}
 *                                     (casework/keystatus.h) — never a key
 *   POST /keys/passphrase {"current", "new", "duress"?}
 *                                     changes the passphrase (kith_vault_passwd,
 *                                     as `kith passwd`): the duress passphrase must
 *                                     be given again to stay; {"ok", "warning"?}
 *   POST /keys/backup {"current", "backup"}
 *                                     the organization key's backup file, encrypted
 *                                     under the "backup" passphrase (Argon2id), sent
 *                                     as a download (application/octet-stream), and
 *                                     recorded (keystatus): the only way key material
 *                                     leaves the server, and only so protected
 * Both POSTs need the current passphrase: a wrong one is 401 "auth" with
 * field "current" (nothing changed). Their bodies are secret routes of the
 * server (guarded memory, stack scrubbed after). Errors as api.h.
 *
 * Ownership and threads as api.h: called under the server's exclusive lock.
 */
#ifndef KITH_WEB_API_KEYS_H
#define KITH_WEB_API_KEYS_H

#include "web/api.h"

/* Whether path (after "/api") is one of these routes (any method). */
int kith_web_keys_route(const char *path);

/* Whether path (after "/api") is a route whose body holds passphrases. */
int kith_web_keys_secret(const char *path);

/* Answers one of these routes (kith_web_api_handle calls it). */
int kith_web_keys_handle(struct kith_web_api *a, const struct kith_web_request *req,
			 struct kith_web_response *resp);

/* What api.c lends: after the key slots changed (passwd), the server takes
 * the file as it is now as its own, so that it does not lock itself. */
void kith_web_api_keys_changed(struct kith_web_api *a);

#endif
