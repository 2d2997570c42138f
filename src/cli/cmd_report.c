/*
 * kith report — counts and cross-tables of persons for publication, with
 * small cells withheld (src/stats/report.h, docs/report.md).
 *
 * From a CSV of persons (one row per person, one column per field) or from a
 * vault (--vault: persons after record linkage, only those whose reporting
 * consent is true: src/casework/report.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "base/io.h"
#include "base/sbuf.h"
#include "casework/figures.h"
#include "stats/report.h"
#include "vault/vault.h"

static const char help[] = "usage: kith report --by FIELD[,FIELD] [options] FILE.csv\n"
			   "       kith report --vault PATH --by FIELD[,FIELD] [options]\n"
			   "       kith report --format ctdc [--k N] (FILE.csv | --vault PATH)\n\n"
			   "Counts persons by one field or two (a cross-table) for reports to donors, the\n"
			   "UN or the press. Every count from 1 to 10 is withheld, and further cells so\n"
			   "that the totals do not give them away; the output says how many and why.\n"
			   "From a vault, a person counts once (after linkage) and only with consent to\n"
			   "reporting; the output says how many were left out.\n\n"
			   "  --by FIELD[,FIELD]   the field(s) to count by (a column of FILE)\n"
			   "  --format F           table (default), csv, hxl (HXL-tagged CSV), svg (a\n"
			   "                       chart), html (a printable page), json, or ctdc (one\n"
			   "                       row per person in the CTDC Global Dataset's columns,\n"
			   "                       k-anonymous)\n"
			   "  --lang en|ko         language of labels and notes (default en)\n"
			   "  --threshold N        smallest count published (default 11, as CTDC's k)\n"
			   "  --k N                k of the CTDC export's k-anonymity (default 11)\n"
			   "  --title TEXT         the title (default \"Persons by FIELD\")\n"
			   "  -o FILE              write to FILE (atomically) instead of standard output\n"
			   "  --vault PATH         count the vault's persons (default $KITH_VAULT)\n"
			   "  --passphrase-file FILE   read the vault passphrase from FILE\n"
			   "  -h, --help           this help\n\n"
			   "FILE: a header of field names, then one row per person; an empty value is\n"
			   "unknown; a value may list several categories separated by ';'.\n"
			   "docs/report.md explains the disclosure control and the formats.\n";

enum { OPT_BY = 0x300, OPT_FORMAT, OPT_LANG, OPT_THRESHOLD, OPT_K, OPT_TITLE };

static int read_persons(const char *path, struct kith_report_table *t, struct kith_err *err)
{
	struct kith_sbuf sb = KITH_SBUF_INIT;
	int rc = kith_io_read_file(path, (size_t)64 << 20, &sb, err);
	if (!rc)
		rc = kith_report_table_parse(t, sb.buf ? sb.buf : "", sb.len, path, err);
	kith_sbuf_release(&sb);
	return rc;
}

static int emit(const char *out_path, const struct kith_sbuf *sb)
{
	struct kith_err err;
	kith_err_clear(&err);
	if (out_path) {
		int rc = kith_io_write_atomic(out_path, sb->buf ? sb->buf : "", sb->len, &err);
		return rc ? kith_cli_fail(rc, &err) : KITH_EXIT_OK;
	}
	if (sb->len && (fwrite(sb->buf, 1, sb->len, stdout) != sb->len || fflush(stdout))) {
		fprintf(stderr, "kith report: cannot write to standard output\n");
		return KITH_EXIT_IO;
	}
	return KITH_EXIT_OK;
}

int kith_cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, 0, 'h'},
	    {"by", required_argument, 0, OPT_BY},
	    {"format", required_argument, 0, OPT_FORMAT},
	    {"lang", required_argument, 0, OPT_LANG},
	    {"threshold", required_argument, 0, OPT_THRESHOLD},
	    {"k", required_argument, 0, OPT_K},
	    {"title", required_argument, 0, OPT_TITLE},
	    {"output", required_argument, 0, 'o'},
	    KITH_CLI_VAULT_LONGOPTS,
	    {0, 0, 0, 0},
	};
	struct kith_cli_vault_args va = {0};
	struct kith_report_opts ro = {.lang = "en"};
	char *by = NULL;
	int fmt = KITH_REPORT_TABLE;
	unsigned k = 0;
	const char *out_path = NULL;
	kith_cli_getopt_reset();
	int c;
	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		if (kith_cli_vault_arg(&va, c, optarg))
			continue;
		switch (c) {
		case 'h':
			fputs(help, stdout);
			free(by);
			return KITH_EXIT_OK;
		case OPT_BY:
			free(by);
			by = strdup(optarg);
			if (!by)
				return kith_cli_fail(KITH_E_NOMEM, NULL);
			break;
		case OPT_FORMAT:
			fmt = kith_report_format_parse(optarg);
			if (fmt == -1) {
				free(by);
				return kith_cli_usage(
				    "report", "--format takes table, csv, hxl, svg, html, json or ctdc");
			}
			break;
		case OPT_LANG:
			if (strcmp(optarg, "en") != 0 && strcmp(optarg, "ko") != 0) {
				free(by);
				return kith_cli_usage("report", "--lang takes en or ko");
			}
			ro.lang = optarg;
			break;
		case OPT_THRESHOLD: {
			uint64_t v;
			if (kith_cli_parse_u64(optarg, 1, 1000, &v)) {
				free(by);
				return kith_cli_usage("report", "--threshold takes 1 to 1000");
			}
			ro.threshold = (unsigned)v;
			break;
		}
		case OPT_K: {
			uint64_t v;
			if (kith_cli_parse_u64(optarg, 1, 1000000, &v)) {
				free(by);
				return kith_cli_usage("report", "--k takes 1 to 1000000");
			}
			k = (unsigned)v;
			break;
		}
		case OPT_TITLE:
			ro.title = optarg;
			break;
		case 'o':
			out_path = optarg;
			break;
		default:
			free(by);
			return kith_cli_usage("report", "unknown option");
		}
	}
	int nfiles = argc - optind;
	int use_vault = va.vault != NULL || va.passfile != NULL || (nfiles == 0 && kith_cli_vault_path(NULL));
	const char *usage = NULL;
	if (use_vault && nfiles)
		usage = "give a FILE or --vault, not both";
	else if (!use_vault && nfiles != 1)
		usage = nfiles ? "one FILE at a time" : "no input: give a FILE or --vault PATH";
	else if (fmt != -2 && !by)
		usage = "give --by FIELD[,FIELD]";
	if (!usage && by) {
		char *comma = strchr(by, ',');
		ro.by[0] = by;
		ro.n_by = 1;
		if (comma) {
			*comma = '\0';
			ro.by[1] = comma + 1;
			ro.n_by = 2;
			if (strchr(comma + 1, ','))
				usage = "--by takes one or two fields";
		}
		if (!*ro.by[0] || (ro.n_by == 2 && !*ro.by[1]))
			usage = "--by takes field names";
	}
	if (usage) {
		free(by);
		return kith_cli_usage("report", "%s", usage);
	}

	struct kith_err err;
	kith_err_clear(&err);
	struct kith_report_table t;
	memset(&t, 0, sizeof t);
	struct kith_report_data d = {0};
	int ex = KITH_EXIT_OK;
	if (use_vault) {
		/* the same call as the web's report page (casework/figures.h) */
		static const char *const names[] = {"table", "csv", "hxl", "svg", "html", "json"};
		struct kith_figures_report_opts fo = {.n_by = ro.n_by,
						      .format = fmt == -2 ? "ctdc" : names[fmt],
						      .lang = ro.lang,
						      .threshold = ro.threshold,
						      .k = k,
						      .title = ro.title};
		fo.by[0] = ro.by[0];
		fo.by[1] = ro.by[1];
		struct kith_vault *v = NULL;
		ex = kith_cli_open_vault("report", &va, &v);
		if (ex) {
			free(by);
			return ex;
		}
		kith_cli_report_damage(v);
		struct kith_figures_report_info info;
		struct kith_sbuf vb = KITH_SBUF_INIT;
		int rc = kith_figures_report(v, &fo, &vb, &info, &err);
		kith_vault_close(v);
		if (!rc && info.conflicts)
			fprintf(stderr,
				"kith report: %zu value(s) counted as unknown: the cases of one person "
				"disagree\n",
				info.conflicts);
		if (!rc && fmt == -2)
			fprintf(stderr,
				"kith report: %zu of %zu persons exported, k-anonymous with k = %u on year, "
				"gender, age band, citizenship and country of exploitation: %zu values "
				"withheld, %zu persons left out; %zu left out without reporting consent\n",
				info.exported, info.persons, info.k, info.values_withheld,
				info.records_dropped, info.left_out);
		ex = rc ? kith_cli_fail(rc, &err) : emit(out_path, &vb);
		kith_sbuf_release(&vb);
		free(by);
		return ex;
	} else {
		int rc = read_persons(argv[optind], &t, &err);
		if (rc) {
			free(by);
			return kith_cli_fail(rc, &err);
		}
		d = t.d;
	}
	struct kith_sbuf sb = KITH_SBUF_INIT;
	int rc;
	if (fmt == -2) {
		struct kith_disc_kanon_summary ks;
		rc = kith_report_ctdc(&d, k, &sb, &ks, &err);
		if (!rc)
			fprintf(
			    stderr,
			    "kith report: %zu of %zu persons exported, k-anonymous with k = %u on year, "
			    "gender, age band, citizenship and country of exploitation: %zu values withheld, "
			    "%zu persons left out; %zu left out without reporting consent\n",
			    d.n_persons - ks.records_dropped, d.n_persons, k ? k : KITH_DISC_K,
			    ks.values_starred, ks.records_dropped, d.left_out);
	} else {
		struct kith_report *r = NULL;
		rc = kith_report_build(&d, &ro, &r, &err);
		if (!rc)
			rc = kith_report_render(r, (enum kith_report_format)fmt, &sb, &err);
		kith_report_free(r);
	}
	ex = rc ? kith_cli_fail(rc, &err) : emit(out_path, &sb);
	kith_sbuf_release(&sb);
	kith_report_table_free(&t);
	free(by);
	return ex;
}
