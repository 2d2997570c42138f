/*
 * kith export — every case as JSON Lines or CSV, in plaintext.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/caseio.h"
#include "core/io.h"
#include "core/record.h"
#include "core/vault.h"

/* With a consent filter, a family entry's link to another case that is not
 * exported itself is dropped: the ref alone would tell the reader that the two
 * people are related. The entry (relation, name as this person gave it) stays. */
static void drop_unexported_links(json_t *body, const json_t *exported)
{
	json_t *fam = json_object_get(body, "family"), *m;
	size_t i;
	json_array_foreach(fam, i, m)
	{
		const char *ref = json_string_value(json_object_get(m, "case"));
		if (ref && !json_object_get(exported, ref))
			json_object_del(m, "case");
	}
}

static const char help[] =
    "usage: kith export --format jsonl|csv [-o FILE] [--consent USE] [--vault PATH] [--passphrase-file "
    "FILE]\n\n"
    "Writes the current version of every case, in PLAINTEXT: anyone who gets the\n"
    "file reads every name and testimony. Keep it off laptops that cross borders.\n\n"
    "  --format jsonl|csv       JSON Lines (canonical bodies) or CSV (docs/formats.md;\n"
    "                           cells a spreadsheet would run as formulas are defused)\n"
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
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	struct kith_cli_vault_args va = {0};
	const char *format = NULL, *output = "-", *consent = NULL;
	int opt;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hf:o:c:", longopts, NULL)) != -1) {
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
		default:
			return kith_cli_usage("export", "unknown option");
		}
	}
	if (optind < argc)
		return kith_cli_usage("export", "unexpected argument");
	if (!format || (strcmp(format, "jsonl") && strcmp(format, "csv")))
		return kith_cli_usage("export", "--format takes jsonl or csv");
	if (consent && strcmp(consent, "services") && strcmp(consent, "reporting") &&
	    strcmp(consent, "tracing") && strcmp(consent, "sharing"))
		return kith_cli_usage("export", "--consent takes services, reporting, tracing or sharing");
	int csv = !strcmp(format, "csv");

	struct kith_vault *v = NULL;
	int code = kith_cli_open_vault("export", &va, &v);
	if (code)
		return code;
	kith_cli_report_damage(v);
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_sbuf out = KITH_SBUF_INIT;
	size_t n = 0, written = 0;
	const struct kith_record_view *recs = kith_vault_records(v, "case", &n);
	int rc = csv ? kith_caseio_csv_header(&out, &err) : KITH_OK;
	json_t *exported = json_object(); /* refs of the cases the filter lets through */
	if (!exported)
		rc = kith_err_set(&err, KITH_E_NOMEM, NULL, "out of memory");
	for (size_t i = 0; !rc && consent && i < n; i++) {
		json_t *b = kith_record_view_json(&recs[i]);
		if (!b) {
			rc = kith_err_set(&err, KITH_E_NOMEM, NULL, "out of memory");
			break;
		}
		if (kith_record_consent_allows(b, consent) &&
		    json_object_set_new(exported, recs[i].ref, json_true()))
			rc = kith_err_set(&err, KITH_E_NOMEM, NULL, "out of memory");
		json_decref(b);
	}
	for (size_t i = 0; !rc && i < n; i++) {
		json_t *b = kith_record_view_json(&recs[i]);
		if (!b) {
			rc = kith_err_set(&err, KITH_E_NOMEM, NULL, "out of memory");
			break;
		}
		if (!consent || kith_record_consent_allows(b, consent)) {
			if (consent)
				drop_unexported_links(b, exported);
			rc = csv ? kith_caseio_csv_append(b, &out, &err)
				 : kith_caseio_jsonl_append(b, &out, &err);
			written++;
		}
		json_decref(b);
	}
	if (!rc) {
		fprintf(stderr,
			"kith: warning: this export is plaintext, not encrypted (%zu case%s): names and "
			"testimony are "
			"readable by anyone who gets it\n",
			written, written == 1 ? "" : "s");
		rc = kith_io_write_atomic(output, out.buf ? out.buf : "", out.len, &err);
	}
	code = rc ? kith_cli_fail(rc, &err) : KITH_EXIT_OK;
	json_decref(exported);
	kith_sbuf_release(&out);
	if (!code)
		code = kith_cli_damage_exit(v);
	kith_vault_close(v);
	return code;
}
