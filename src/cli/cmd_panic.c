/*
 * kith panic — destroy this device's keys at once.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vault/vault.h"

static const char help[] = "usage: kith panic [--vault PATH] --yes\n\n"
			   "Destroys this device's keys in the vault file now, without a passphrase:\n"
			   "afterwards no passphrase opens the vault on this device. There is no undo.\n\n"
			   "What happens to the records depends on the vault:\n"
			   "  - A standalone vault (what kith init makes) also holds the organization's\n"
			   "    secret key, and a panic destroys it too. If that key was backed up\n"
			   "    (kith init --org-key-backup) the backup reads every record (kith recover).\n"
			   "    If it was never backed up, and the records were never sent to\n"
			   "    headquarters, every record is lost for good.\n"
			   "  - A field vault holds only the organization's public key: headquarters\n"
			   "    can still read every record.\n"
			   "kith serve shows which case this vault is in (the emergency wipe button),\n"
			   "with the date of the last backup.\n\n"
			   "  --yes          required: there is no undo\n"
			   "  --vault PATH   the vault file (default $KITH_VAULT)\n";

int kith_cmd_panic(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"vault", required_argument, 0, KITH_CLI_OPT_VAULT},
	    {"yes", no_argument, 0, 'y'},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	const char *vault = NULL;
	int yes = 0, opt;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hy", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		case 'y':
			yes = 1;
			break;
		case KITH_CLI_OPT_VAULT:
			vault = optarg;
			break;
		default:
			return kith_cli_usage("panic", "unknown option");
		}
	}
	if (optind < argc)
		return kith_cli_usage("panic", "unexpected argument");
	const char *path = kith_cli_vault_path(vault);
	if (!path)
		return kith_cli_usage("panic", "no vault: give --vault PATH or set KITH_VAULT");
	if (!yes)
		return kith_cli_usage("panic", "destroying the keys cannot be undone: add --yes");
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_vault_panic(path, &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	printf("keys destroyed\n");
	return KITH_EXIT_OK;
}
