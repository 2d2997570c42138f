/*
 * kith recover — regain access after a panic with the organization key backup.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vault/vault.h"

static const char help[] =
    "usage: kith recover --org-key FILE [--key-passphrase-file FILE]\n"
    "                    [--vault PATH] [--new-passphrase-file FILE]\n\n"
    "After a panic or a duress unlock destroyed this device's keys, restores\n"
    "access with the organization key backup written by\n"
    "'kith init --org-key-backup': the device gets new keys under a new\n"
    "passphrase, and every record sealed to the organization is readable again.\n\n"
    "  --org-key FILE                 the encrypted organization key backup\n"
    "  --key-passphrase-file FILE     its passphrase (default: asked)\n"
    "  --new-passphrase-file FILE     the vault's new passphrase (default: asked twice)\n"
    "  --vault PATH                   the vault file (default $KITH_VAULT)\n";

enum { OPT_KEY = 1, OPT_KEYPASS, OPT_NEW };

int kith_cmd_recover(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"vault", required_argument, 0, KITH_CLI_OPT_VAULT},
	    {"org-key", required_argument, 0, OPT_KEY},
	    {"key-passphrase-file", required_argument, 0, OPT_KEYPASS},
	    {"new-passphrase-file", required_argument, 0, OPT_NEW},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	const char *vault = NULL, *key = NULL, *keypass_file = NULL, *new_file = NULL;
	int opt;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		case KITH_CLI_OPT_VAULT:
			vault = optarg;
			break;
		case OPT_KEY:
			key = optarg;
			break;
		case OPT_KEYPASS:
			keypass_file = optarg;
			break;
		case OPT_NEW:
			new_file = optarg;
			break;
		default:
			return kith_cli_usage("recover", "unknown option");
		}
	}
	if (optind < argc)
		return kith_cli_usage("recover", "unexpected argument");
	if (!key)
		return kith_cli_usage("recover", "--org-key FILE is required");
	const char *path = kith_cli_vault_path(vault);
	if (!path)
		return kith_cli_usage("recover", "no vault: give --vault PATH or set KITH_VAULT");
	struct kith_err err;
	kith_err_clear(&err);
	char *kp = NULL, *np = NULL, *again = NULL;
	size_t kl = 0, nl = 0, al = 0;
	int rc = kith_cli_read_pass(keypass_file, "backup passphrase: ", &kp, &kl, &err);
	if (!rc)
		rc = kith_cli_read_pass(new_file, "new vault passphrase: ", &np, &nl, &err);
	if (!rc && !new_file) {
		rc = kith_cli_read_pass(NULL, "again: ", &again, &al, &err);
		if (!rc && (al != nl || sodium_memcmp(np, again, nl) != 0))
			rc = kith_err_set(&err, KITH_E_INVALID, NULL,
					  "the two passphrases differ; nothing changed");
	}
	struct kith_vault_recover_report rep;
	memset(&rep, 0, sizeof rep);
	if (!rc)
		rc = kith_vault_recover_report(path, key, kp, kl, np, nl, &rep, &err);
	int code = rc ? kith_cli_fail(rc, &err) : KITH_EXIT_OK;
	if (!rc && err.msg[0]) /* recovered, with a warning (the old slots may remain) */
		fprintf(stderr, "kith: warning: %s\n", err.msg);
	if (!rc && rep.kdf_raised)
		fprintf(
		    stderr,
		    "kith: warning: the vault header asked for a weaker key derivation (%s) than the "
		    "organization key backup (%s): the header was changed, or the vault is older than its "
		    "backup; the new passphrase is derived at %s\n",
		    rep.header_kdf, rep.kdf, rep.kdf);
	if (!rc && rep.devices_trusted)
		fprintf(
		    stderr,
		    "kith: note: no device enrolment in this vault was signed (a vault from before signed "
		    "enrolment): the %zu devices it holds are now signed as found\n",
		    rep.devices_trusted);
	if (!rc)
		printf(
		    "recovered: this device has new keys; records sealed to the organization are readable\n");
	kith_cli_pass_free(kp, kl);
	kith_cli_pass_free(np, nl);
	kith_cli_pass_free(again, al);
	return code;
}
