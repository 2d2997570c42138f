/*
 * kith export — every case as JSON Lines or CSV, in plaintext.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "base/io.h"
#include "vault/vault.h"
#include "casework/exchange.h"

static const char help[] =
    "usage: kith export --format jsonl|csv|sheet [--lang en|ko] [-o FILE] [--consent USE] [--vault PATH]\n"
    "                   [--passphrase-file FILE]\n\n"
    "Writes the current version of every case, in PLAINTEXT: anyone who gets the\n"
    "file reads every name and testimony. Keep it off laptops that cross borders.\n\n"
    "  --format jsonl|csv|sheet JSON Lines (canonical bodies) or CSV (docs/formats.md;\n"
    "                           cells a spreadsheet would run as formulas are defused),\n"
    "                           both read back by kith import; or sheet: CSV for a\n"
    "                           spreadsheet (UTF-8 with BOM, labels, one column per field)\n"
    "  --lang en|ko             the sheet's labels (default en)\n"
    "  -o, --output FILE        write FILE (mode 0600, atomically); default stdout\n"
    "  --consent USE            only cases whose consent allows USE: services,\n"
    "                           reporting, tracing or sharing (e.g. before giving the\n"
    "                           file to another organization: --consent sharing)\n" KITH_CLI_VAULT_HELP;

int kith_cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
	    KITH_CLI_VAULT_LONGOPTS,
	    {"format", required_argument, 0, 'f'},
	    {"output", required_argument, 0, 'o'},
	    {"consent", required_argument, 0, 'c'},
	    {"lang", required_argument, 0, 'l'},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	struct kith_cli_vault_args va = {0};
	const char *format = NULL, *output = "-", *consent = NULL, *lang = "en";
	int opt;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hf:o:c:l:", longopts, NULL)) != -1) {
		if (kith_cli_vault_arg(&va, opt, optarg))
			continue;
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		case 'f':
			format = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'c':
			consent = optarg;
			break;
		case 'l':
			lang = optarg;
			break;
		default:
			return kith_cli_usage("export", "unknown option");
		}
	}
	if (optind < argc)
		return kith_cli_usage("export", "unexpected argument");
	if (!format || (strcmp(format, "jsonl") && strcmp(format, "csv") && strcmp(format, "sheet")))
		return kith_cli_usage("export", "--format takes jsonl, csv or sheet");
	if (strcmp(lang, "en") && strcmp(lang, "ko"))
		return kith_cli_usage("export", "--lang takes en or ko");
	if (consent && !kith_exchange_consent_use_valid(consent))
		return kith_cli_usage("export", "--consent takes services, reporting, tracing or sharing");

	struct kith_vault *v = NULL;
	int code = kith_cli_open_vault("export", &va, &v);
	if (code)
		return code;
	kith_cli_report_damage(v);
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_sbuf out = KITH_SBUF_INIT;
	struct kith_exchange_export_opts eo = {.format = !strcmp(format, "csv")	    ? KITH_EXCHANGE_CSV
							 : !strcmp(format, "sheet") ? KITH_EXCHANGE_SHEET
										    : KITH_EXCHANGE_JSONL,
					       .consent = consent,
					       .lang = lang};
	struct kith_exchange_export_result res = {0, 0};
	int rc = kith_exchange_export(v, &eo, &out, &res, &err);
	if (!rc) {
		if (consent)
			fprintf(stderr, "kith: %zu case%s left out: their consent does not allow %s\n",
				res.left_out, res.left_out == 1 ? "" : "s", consent);
		fprintf(stderr,
			"kith: warning: this export is plaintext, not encrypted (%zu case%s): names and "
			"testimony are readable by anyone who gets it\n",
			res.written, res.written == 1 ? "" : "s");
		rc = kith_io_write_atomic(output, out.buf ? out.buf : "", out.len, &err);
	}
	code = rc ? kith_cli_fail(rc, &err) : KITH_EXIT_OK;
	kith_sbuf_release(&out);
	if (!code)
		code = kith_cli_damage_exit(v);
	kith_vault_close(v);
	return code;
}
