/*
 * kith export — every case as JSON Lines or CSV, in plaintext.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "base/io.h"
#include "vault/vault.h"
#include "casework/attach.h"
#include "casework/exchange.h"

static const char help[] =
    "usage: kith export --format jsonl|csv|sheet [--lang en|ko] [-o FILE] [--consent USE]\n"
    "                   [--attachments FILE.tar] [--vault PATH] [--passphrase-file FILE]\n"
    "       kith export --log [--json]\n\n"
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
    "                           file to another organization: --consent sharing)\n"
    "  --attachments FILE.tar   also the attachments of the exported cases, in a tar\n"
    "                           (kith attach export): only of cases whose consent\n"
    "                           allows sharing (and USE); stderr says how many were\n"
    "                           left out\n"
    "  --log                    the exports made so far: when, format, language,\n"
    "                           consent filter, cases out and left out, attachments,\n"
    "                           by whom ($KITH_REVIEWER, else $USER). Every export is\n"
    "                           recorded in the vault before its file is written (a\n"
    "                           damaged vault, which takes no write: with a warning).\n"
    "  --json                   --log: print JSON\n" KITH_CLI_VAULT_HELP;

/* kith export --log: the recorded exports (casework/exchange.h). */
static int print_log(const struct kith_cli_vault_args *va, int json)
{
	struct kith_vault *v = NULL;
	int code = kith_cli_open_vault("export", va, &v);
	if (code)
		return code;
	json_t *log = kith_exchange_log(v);
	if (!log) {
		kith_vault_close(v);
		fprintf(stderr, "kith: out of memory\n");
		return KITH_EXIT_INTERNAL;
	}
	if (json) {
		code = kith_cli_print_json(log);
	} else {
		size_t i;
		json_t *e;
		json_array_foreach(log, i, e)
		{
			time_t at = (time_t)json_integer_value(json_object_get(e, "at"));
			struct tm tm;
			char when[32] = "";
			if (gmtime_r(&at, &tm))
				strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
			printf("%s  %-5s %-2s  consent %-9s  %lld cases, %lld left out, %lld attachments  by "
			       "%s\n",
			       when, json_string_value(json_object_get(e, "format")),
			       json_string_value(json_object_get(e, "lang")),
			       json_string_value(json_object_get(e, "consent")),
			       (long long)json_integer_value(json_object_get(e, "cases")),
			       (long long)json_integer_value(json_object_get(e, "left_out")),
			       (long long)json_integer_value(json_object_get(e, "attachments")),
			       json_string_value(json_object_get(e, "by")));
		}
		if (!json_array_size(log))
			printf("(no export recorded)\n");
	}
	json_decref(log);
	kith_vault_close(v);
	return code;
}

int kith_cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
	    KITH_CLI_VAULT_LONGOPTS,
	    {"format", required_argument, 0, 'f'},
	    {"output", required_argument, 0, 'o'},
	    {"consent", required_argument, 0, 'c'},
	    {"lang", required_argument, 0, 'l'},
	    {"attachments", required_argument, 0, 'a'},
	    {"log", no_argument, 0, 'L'},
	    {"json", no_argument, 0, 'j'},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	struct kith_cli_vault_args va = {0};
	const char *format = NULL, *output = "-", *consent = NULL, *lang = "en", *tar = NULL;
	int log = 0, json = 0;
	int opt;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hf:o:c:l:j", longopts, NULL)) != -1) {
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
		case 'a':
			tar = optarg;
			break;
		case 'L':
			log = 1;
			break;
		case 'j':
			json = 1;
			break;
		default:
			return kith_cli_usage("export", "unknown option");
		}
	}
	if (optind < argc)
		return kith_cli_usage("export", "unexpected argument");
	if (log)
		return print_log(&va, json);
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
	struct kith_attach_export_result ares = {0};
	struct kith_attach_export_opts ao = {.consent = consent};
	if (!rc && tar) /* the attachments first: their tar is new, never overwritten */
		rc = kith_cli_attach_tar(v, &ao, tar, &ares, &err);
	/* recorded before the file is written: an export is never made unrecorded */
	if (!rc) {
		rc = kith_exchange_record(v, &eo, &res, ares.files, kith_cli_reviewer(NULL), &err);
		if (rc && kith_cli_damage_exit(v)) { /* a damaged file takes no write: say so, go on */
			fprintf(stderr, "kith: warning: the vault is damaged: this export is not recorded\n");
			rc = KITH_OK;
		}
	}
	if (!rc && tar)
		fprintf(stderr,
			"kith: %zu attachment%s written to %s; %zu left out: their case's consent does not "
			"allow sharing%s%s\n",
			ares.files, ares.files == 1 ? "" : "s", tar, ares.left_out, consent ? " or " : "",
			consent ? consent : "");
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
