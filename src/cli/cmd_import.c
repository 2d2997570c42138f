/*
 * kith import — many cases from JSON Lines or CSV, all or nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "base/io.h"
#include "record/caseio.h"
#include "vault/vault.h"
#include "casework/exchange.h"

static void on_progress(size_t done, size_t total, void *arg)
{
	kith_cli_progress_update(arg, done, total);
}

static const char help[] =
    "usage: kith import FILE [--format auto|jsonl|csv|json] [--vault PATH] [--passphrase-file FILE]\n\n"
    "Imports cases from JSON Lines (one case per line) or CSV (the columns of\n"
    "docs/formats.md). All or nothing: the whole file is checked first, and a bad\n"
    "line anywhere stops the import with FILE:LINE:field: reason, leaving the\n"
    "vault unchanged. The import is one transaction: a crash or kill part-way\n"
    "leaves all of it or none.\n\n"
    "  --format F               default auto: by extension (.jsonl .ndjson .csv .json),\n"
    "                           else by content\n" KITH_CLI_VAULT_HELP;

int kith_cmd_import(int argc, char **argv)
{
	static const struct option longopts[] = {
	    KITH_CLI_VAULT_LONGOPTS,
	    {"format", required_argument, 0, 'f'},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	struct kith_cli_vault_args va = {0};
	enum kith_caseio_format fmt = KITH_CASEIO_AUTO;
	int opt;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "hf:", longopts, NULL)) != -1) {
		if (kith_cli_vault_arg(&va, opt, optarg))
			continue;
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		case 'f':
			if (kith_caseio_format_parse(optarg, &fmt))
				return kith_cli_usage("import", "--format takes auto, jsonl, csv or json");
			break;
		default:
			return kith_cli_usage("import", "unknown option");
		}
	}
	if (argc - optind != 1)
		return kith_cli_usage("import", "give one FILE");
	const char *file = argv[optind];
	if (!strcmp(file, "-") && !va.passfile)
		return kith_cli_usage("import", "reading from standard input needs --passphrase-file");

	struct kith_err err;
	kith_err_clear(&err);
	json_t **bodies = NULL;
	size_t n = 0, *lines = NULL;
	const char *name = strcmp(file, "-") ? file : "stdin";
	if (fmt == KITH_CASEIO_AUTO)
		fmt = kith_caseio_format_of_path(file);
	struct kith_sbuf data = KITH_SBUF_INIT;
	int rc = kith_io_read_file(file, KITH_CASEIO_MAX_FILE, &data, &err);
	if (!rc)
		rc = kith_caseio_parse_lines(fmt, "case", data.buf, data.len, name, 0, &bodies, &lines, &n,
					     &err);
	kith_sbuf_release(&data);
	if (rc)
		return kith_cli_fail(rc, &err);
	if (n == 0) {
		fprintf(stderr, "kith: %s: no cases in the file; nothing imported\n", file);
		free(lines);
		return KITH_EXIT_USER;
	}
	struct kith_vault *v = NULL;
	int code = kith_cli_open_vault("import", &va, &v);
	if (code) {
		kith_caseio_free(bodies, n);
		free(lines);
		return code;
	}
	struct kith_cli_progress p;
	kith_cli_progress_init(&p, "importing");
	struct kith_exchange_import_result res;
	int rc2 = kith_exchange_import_lines(v, bodies, lines, n, name, on_progress, &p, &res, &err);
	kith_cli_progress_done(&p);
	if (rc2) {
		code = kith_cli_fail(rc2, &err);
		fprintf(stderr, "kith: nothing was imported\n");
	} else {
		printf("imported %zu case%s: %s .. %s\n", res.n, res.n == 1 ? "" : "s", res.first, res.last);
	}
	kith_caseio_free(bodies, n);
	free(lines);
	kith_vault_close(v);
	return code;
}
