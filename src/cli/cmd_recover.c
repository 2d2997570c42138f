/*
 * kith recover — regain access after a panic with the organization key backup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework/people.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "vault/vault.h"

static const char help[] =
    "usage: kith recover --org-key FILE [--key-passphrase-file FILE]\n"
    "                    [--vault PATH] [--new-passphrase-file FILE]\n"
    "                    [--duress-passphrase-file FILE]\n\n"
    "After a panic or a duress unlock destroyed this device's keys, restores\n"
    "access with the organization key backup written by\n"
    "'kith init --org-key-backup': the device gets new keys under a new\n"
    "passphrase, and every record sealed to the organization is readable again.\n\n"
    "Every key slot is rewritten, and the output says what became of each:\n"
    "  main     restored under the new passphrase\n"
    "  duress   restored under --duress-passphrase-file, else none (random\n"
    "           filler, as in a vault without a duress passphrase)\n"
    "  person   each person enrolled with 'kith user add' lost their slot (their\n"
    "           passphrases are not in the backup): one line per person; give\n"
    "           each a new passphrase with 'kith user reset NAME'\n\n"
    "  --org-key FILE                 the encrypted organization key backup\n"
    "  --key-passphrase-file FILE     its passphrase (default: asked)\n"
    "  --new-passphrase-file FILE     the vault's new passphrase (default: asked twice)\n"
    "  --duress-passphrase-file FILE  a duress passphrase for the new duress slot\n"
    "  --vault PATH                   the vault file (default $KITH_VAULT)\n";

enum { OPT_KEY = 1, OPT_KEYPASS, OPT_NEW, OPT_DURESS };

/* One line per slot: what recovery did to it. The people are read from the
 * recovered vault (their names are encrypted); a failure to open it is said,
 * never hidden. */
static void report_slots(const char *path, const char *np, size_t nl, int duress)
{
	printf("slot main: restored under the new passphrase\n");
	printf("slot duress: %s\n", duress ? "restored under the duress passphrase"
					   : "none (random filler; --duress-passphrase-file makes one)");
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_vault *v = NULL;
	struct kith_person *p = NULL;
	size_t n = 0;
	int rc = kith_vault_open(&v, path, np, nl, NULL, NULL, &err);
	if (!rc)
		rc = kith_people_list(v, &p, &n, &err);
	if (rc) {
		fprintf(
		    stderr,
		    "kith: warning: the people enrolled on this vault could not be listed (%s): each lost "
		    "their passphrase slot; 'kith user list' shows them\n",
		    err.msg[0] ? err.msg : kith_status_str(rc));
	} else {
		size_t lost = 0;
		for (size_t i = 0; i < n; i++) {
			if (p[i].main || p[i].removed)
				continue;
			lost++;
			printf("slot person %s (%s): destroyed; give a new passphrase with: kith user reset "
			       "'%s'\n",
			       p[i].name, kith_role_name(p[i].role), p[i].name);
		}
		if (!lost)
			printf("slot person: none enrolled\n");
	}
	free(p);
	kith_vault_close(v);
}

int kith_cmd_recover(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"vault", required_argument, 0, KITH_CLI_OPT_VAULT},
	    {"org-key", required_argument, 0, OPT_KEY},
	    {"key-passphrase-file", required_argument, 0, OPT_KEYPASS},
	    {"new-passphrase-file", required_argument, 0, OPT_NEW},
	    {"duress-passphrase-file", required_argument, 0, OPT_DURESS},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	const char *vault = NULL, *key = NULL, *keypass_file = NULL, *new_file = NULL, *duress_file = NULL;
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
		case OPT_DURESS:
			duress_file = optarg;
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
	char *kp = NULL, *np = NULL, *dp = NULL;
	size_t kl = 0, nl = 0, dl = 0;
	int rc = kith_cli_read_pass(keypass_file, "backup passphrase: ", &kp, &kl, &err);
	if (!rc)
		rc = kith_cli_read_new_pass(new_file, "new vault passphrase: ", &np, &nl, &err);
	if (!rc && duress_file)
		rc = kith_cli_read_pass(duress_file, "duress passphrase: ", &dp, &dl, &err);
	struct kith_vault_recover_report rep;
	memset(&rep, 0, sizeof rep);
	if (!rc)
		rc = kith_vault_recover_slots(path, key, kp, kl, np, nl, dp, dl, &rep, &err);
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
	if (!rc) {
		printf(
		    "recovered: this device has new keys; records sealed to the organization are readable\n");
		report_slots(path, np, nl, rep.duress_slot);
	}
	kith_cli_pass_free(kp, kl);
	kith_cli_pass_free(np, nl);
	kith_cli_pass_free(dp, dl);
	return code;
}
