/*
 * kith bundle — carry records between a field vault and headquarters in one
 * encrypted, signed file (issue 12; vault/bundle.h, casework/devices.h,
 * casework/conflicts.h; the bytes: docs/bundle-format.md).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/io.h"
#include "base/sbuf.h"
#include "casework/conflicts.h"
#include "casework/devices.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "vault/bundle.h"
#include "vault/vault.h"

static const char help[] =
    "usage: kith bundle export --out FILE [--to hq|DEVICE] [--case REF]... [--kind KIND]\n"
    "                         [--since BUNDLE | --all] [--vault PATH] [--passphrase-file FILE]\n"
    "       kith bundle import FILE [--vault PATH] [--passphrase-file FILE]\n\n"
    "Carries records between a field vault and headquarters on a USB stick or a\n"
    "messenger, without a network.\n\n"
    "  export   writes one file, encrypted to its recipient and signed by this\n"
    "           device (mode 0600); the file shows neither the organization, nor\n"
    "           the devices, nor the count. It prints the bundle's id (for --since).\n"
    "           To headquarters (the default): every version this device wrote\n"
    "           that no earlier bundle to headquarters held.\n"
    "           To a field device (at headquarters): the records named by --case\n"
    "           or --kind, every version the device was not sent yet, sealed to\n"
    "           that device only; it can then read them, and nothing else. It\n"
    "           carries every device revocation too (kith device list there).\n"
    "  import   checks the whole file (sealed to this vault, signed by a device\n"
    "           the organization enrolled and has not revoked, every version\n"
    "           authentic) and then adds, in one transaction, the versions it does\n"
    "           not hold. Importing a bundle twice changes nothing; a damaged, cut\n"
    "           or foreign bundle is refused by name and nothing is written. A\n"
    "           version written apart from the one this vault holds is kept as a\n"
    "           conflict (kith resolve).\n\n"
    "  --out FILE      where export writes the bundle (must not exist)\n"
    "  --to hq|DEVICE  the recipient: headquarters (default) or an enrolled device\n"
    "  --case REF      a case or tracing request to send to the device (repeat)\n"
    "  --kind KIND     every record of KIND (case or trace) to the device\n"
    "  --since BUNDLE  send again what went after bundle BUNDLE (its id, as\n"
    "                  export printed it): for a bundle that was lost\n"
    "  --all           send again every version, whatever was sent\n" KITH_CLI_VAULT_HELP;

enum { OPT_OUT = 1, OPT_TO, OPT_CASE, OPT_KIND, OPT_SINCE, OPT_ALL };

#define MAX_REFS 1000

#define BUNDLE_FILE_MAX (1u << 30)

int kith_cmd_bundle(int argc, char **argv)
{
	static const struct option longopts[] = {
	    KITH_CLI_VAULT_LONGOPTS,
	    {"out", required_argument, 0, OPT_OUT},
	    {"to", required_argument, 0, OPT_TO},
	    {"case", required_argument, 0, OPT_CASE},
	    {"kind", required_argument, 0, OPT_KIND},
	    {"since", required_argument, 0, OPT_SINCE},
	    {"all", no_argument, 0, OPT_ALL},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	struct kith_cli_vault_args va = {0};
	const char *out = NULL;
	static const char *refs[MAX_REFS];
	struct kith_conflicts_export_opts xo = {.refs = refs};
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
		case OPT_TO:
			xo.to = optarg;
			break;
		case OPT_CASE:
			if (xo.nrefs == MAX_REFS)
				return kith_cli_usage("bundle", "more than 1000 --case: use --kind");
			refs[xo.nrefs++] = optarg;
			break;
		case OPT_KIND:
			xo.kind = optarg;
			break;
		case OPT_SINCE:
			xo.since = optarg;
			break;
		case OPT_ALL:
			xo.all = 1;
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
		if (out || xo.to || xo.nrefs || xo.kind || xo.since || xo.all)
			return kith_cli_usage(
			    "bundle", "--out, --to, --case, --kind, --since and --all are for export");
	} else if (!strcmp(verb, "export")) {
		if (!out)
			return kith_cli_usage("bundle", "export needs --out FILE");
		if (access(out, F_OK) == 0 && !kith_io_is_special(out))
			return kith_cli_usage("bundle", "--out: a file already exists there");
		if (xo.since && xo.all)
			return kith_cli_usage("bundle", "--since or --all, not both");
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
			printf("bundle %s (%s) from %s: %zu versions added, %zu already here, %zu kept as "
			       "conflicts\n",
			       in, res.bundle, res.device[0] ? res.device : "an enrolled device", res.added,
			       res.skipped, res.conflicts);
			if (res.revoked)
				printf(
				    "%zu device revocation%s from headquarters recorded (kith device list)\n",
				    res.revoked, res.revoked == 1 ? "" : "s");
			if (res.conflicts)
				printf("records with a conflict: kith list --has-conflict; resolve with kith "
				       "resolve "
				       "REF\n");
		}
	} else {
		struct kith_bundle_sent sent;
		rc = kith_conflicts_export(v, &xo, (int64_t)time(NULL), &buf, &sent, &err);
		if (!rc)
			rc = kith_io_write_atomic(out, buf.buf, buf.len, &err);
		/* only a bundle on disk counts as sent */
		if (!rc)
			rc = kith_bundle_mark_sent(v, &sent, &err);
		if (rc) {
			code = kith_cli_fail(rc, &err);
		} else {
			char hex[33];
			for (int i = 0; i < 16; i++)
				snprintf(hex + 2 * i, 3, "%02x", sent.id[i]);
			printf("bundle %s written to %s: %zu versions\n", hex, out, sent.n);
		}
		kith_bundle_sent_release(&sent);
	}
	kith_sbuf_release(&buf);
	kith_vault_close(v);
	return code;
}
