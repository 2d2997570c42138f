/*
 * kith bundle — carry a field vault's records to headquarters in one
 * encrypted, signed file (issue 12; vault/bundle.h, casework/devices.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/io.h"
#include "base/sbuf.h"
#include "casework/devices.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "vault/bundle.h"
#include "vault/vault.h"

static const char help[] =
    "usage: kith bundle export --out FILE [--vault PATH] [--passphrase-file FILE]\n"
    "       kith bundle import FILE [--vault PATH] [--passphrase-file FILE]\n\n"
    "Carries records from a field vault to headquarters on a USB stick or a\n"
    "messenger, without a network.\n\n"
    "  export   writes every version this device wrote as one file, encrypted to\n"
    "           the organization key and signed by this device (mode 0600); the\n"
    "           file shows neither the organization, nor the device, nor the count\n"
    "  import   at headquarters: checks the whole file (sealed to this\n"
    "           organization, signed by a device it enrolled and has not revoked,\n"
    "           every version authentic) and then adds, in one transaction, the\n"
    "           versions it does not hold. Importing a bundle twice changes\n"
    "           nothing; a damaged, cut or foreign bundle is refused by name and\n"
    "           nothing is written.\n\n"
    "  --out FILE   where export writes the bundle (must not exist)\n" KITH_CLI_VAULT_HELP;

enum { OPT_OUT = 1 };

#define BUNDLE_FILE_MAX (1u << 30)

int kith_cmd_bundle(int argc, char **argv)
{
	static const struct option longopts[] = {
	    KITH_CLI_VAULT_LONGOPTS,
	    {"out", required_argument, 0, OPT_OUT},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	struct kith_cli_vault_args va = {0};
	const char *out = NULL;
	int opt;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (kith_cli_vault_arg(&va, opt, optarg))
			continue;
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		case OPT_OUT:
			out = optarg;
			break;
		default:
			return kith_cli_usage("bundle", "unknown option");
		}
	}
	if (optind >= argc)
		return kith_cli_usage("bundle", "export or import?");
	const char *verb = argv[optind++];
	const char *in = NULL;
	if (!strcmp(verb, "import")) {
		if (optind >= argc)
			return kith_cli_usage("bundle", "import needs a bundle FILE");
		in = argv[optind++];
		if (out)
			return kith_cli_usage("bundle", "--out is for export");
	} else if (!strcmp(verb, "export")) {
		if (!out)
			return kith_cli_usage("bundle", "export needs --out FILE");
		if (access(out, F_OK) == 0 && !kith_io_is_special(out))
			return kith_cli_usage("bundle", "--out: a file already exists there");
	} else {
		return kith_cli_usage("bundle", "unknown action: export or import");
	}
	if (optind < argc)
		return kith_cli_usage("bundle", "unexpected argument");
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_sbuf buf = KITH_SBUF_INIT;
	if (in) { /* read before the passphrase is asked */
		int rc = kith_io_read_file(in, BUNDLE_FILE_MAX, &buf, &err);
		if (rc)
			return kith_cli_fail(rc, &err);
	}
	struct kith_vault *v = NULL;
	int code = kith_cli_open_vault("bundle", &va, &v);
	if (code) {
		kith_sbuf_release(&buf);
		return code;
	}
	int rc;
	if (in) {
		struct kith_bundle_result res;
		rc = kith_devices_import_bundle(v, buf.buf, buf.len, &res, &err);
		if (rc) {
			fprintf(stderr, "kith: bundle %s%s%s refused; nothing was imported\n", in,
				res.bundle[0] ? " " : "", res.bundle);
			code = kith_cli_fail(rc, &err);
		} else {
			printf("bundle %s (%s) from %s: %zu versions added, %zu already here\n", in,
			       res.bundle, res.device[0] ? res.device : "an enrolled device", res.added,
			       res.skipped);
		}
	} else {
		size_t rows = 0;
		rc = kith_bundle_export(v, (int64_t)time(NULL), &buf, &rows, &err);
		if (!rc)
			rc = kith_io_write_atomic(out, buf.buf, buf.len, &err);
		if (rc)
			code = kith_cli_fail(rc, &err);
		else
			printf("bundle written to %s: %zu versions\n", out, rows);
	}
	kith_sbuf_release(&buf);
	kith_vault_close(v);
	return code;
}
