/*
 * kith import — many cases from JSON Lines or CSV, all or nothing.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "record/caseio.h"
#include "vault/vault.h"

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
	size_t n = 0;
	int rc = kith_caseio_read_file(file, fmt, "case", &bodies, &n, &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	if (n == 0) {
		fprintf(stderr, "kith: %s: no cases in the file; nothing imported\n", file);
		return KITH_EXIT_USER;
	}
	struct kith_vault *v = NULL;
	int code = kith_cli_open_vault("import", &va, &v);
	if (code) {
		kith_caseio_free(bodies, n);
		return code;
	}
	struct kith_vault_batch *b = NULL;
	struct kith_cli_progress p;
	kith_cli_progress_init(&p, "importing");
	char first[KITH_VAULT_REF_MAX] = "", last[KITH_VAULT_REF_MAX] = "";
	struct kith_vault_put_opts po = {.create_only = 1};
	size_t i = 0;
	rc = kith_vault_batch_begin(v, &b, &err);
	for (; !rc && i < n; i++) {
		rc = kith_vault_put(b, "case", bodies[i], &po, last, NULL, &err);
		if (!rc && i == 0)
			memcpy(first, last, sizeof first);
		kith_cli_progress_update(&p, i + 1, n);
	}
	if (rc) {
		/* the parser validated every body; what is left is per-vault (a ref
		 * that already exists): name the record by its position */
		char where[64];
		snprintf(where, sizeof where, "record %zu", i);
		kith_err_prefix_where(&err, where);
		kith_err_prefix_where(&err, file);
	} else {
		kith_cli_progress_update(&p, n, n);
		rc = kith_vault_batch_commit(b, &err);
		b = NULL;
	}
	kith_cli_progress_done(&p);
	kith_vault_batch_free(b);
	if (rc) {
		code = kith_cli_fail(rc, &err);
		fprintf(stderr, "kith: nothing was imported\n");
	} else {
		printf("imported %zu case%s: %s .. %s\n", n, n == 1 ? "" : "s", first, last);
	}
	kith_caseio_free(bodies, n);
	kith_vault_close(v);
	return code;
}
