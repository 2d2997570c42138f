/*
 * kith — the command line. `kith <command> [options]`, in the git style.
 *
 * Map of the tree (DESIGN.md "Layout" has the long form):
 *   src/core/   status, sbuf, io, csv (shared plumbing); record (schema and
 *               vocabularies); caseio (import/export); crypto, store, vault
 *               (the encrypted vault); search (ranked name search)
 *   src/names/  Korean names: Hangul, romanization, similarity, blocking keys
 *   src/link/   record linkage and the synthetic data generator
 *   src/stats/  multiple systems estimation
 *   src/web/    the local web UI's server and JSON API (assets from web/)
 *   src/cli/    this file (dispatch), cli.c (shared plumbing), one
 *               cmd_<name>.c per command
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"

static const struct kith_command commands[] = {
    {"init", kith_cmd_init, "create a new encrypted vault"},
    {"add", kith_cmd_add, "add one case from JSON"},
    {"import", kith_cmd_import, "import cases from JSON Lines or CSV (all or nothing)"},
    {"show", kith_cmd_show, "show a case"},
    {"edit", kith_cmd_edit, "replace a case with a new version"},
    {"history", kith_cmd_history, "list every version of a case"},
    {"list", kith_cmd_list, "list the cases"},
    {"search", kith_cmd_search, "find cases by name, in Hangul or any romanization"},
    {"export", kith_cmd_export, "write every case as JSON Lines or CSV (plaintext!)"},
    {"passwd", kith_cmd_passwd, "change the passphrase"},
    {"panic", kith_cmd_panic, "destroy this device's keys now"},
    {"device", kith_cmd_device, "field devices: invite (add), list, revoke"},
    {"user", kith_cmd_user, "people enrolled on the vault: add, list, remove, with roles"},
    {"bundle", kith_cmd_bundle, "carry records between field devices and headquarters"},
    {"resolve", kith_cmd_resolve, "resolve a conflict between versions written apart"},
    {"recover", kith_cmd_recover, "regain access after a panic with the organization key backup"},
    {"verify", kith_cmd_verify, "what the check of the vault's file found (batches, chains, rollback)"},
    {"upgrade", kith_cmd_upgrade, "convert a format-1 vault to format 2 in place"},
    {"names", kith_cmd_names, "romanize, compare and read Korean names"},
    {"link", kith_cmd_link, "find the same person across lists; review merges"},
    {"synth", kith_cmd_synth, "generate fictional labelled data"},
    {"estimate", kith_cmd_estimate, "estimate how many people no list reached"},
    {"report", kith_cmd_report, "counts and cross-tables for publication, small cells withheld"},
    {"trace", kith_cmd_trace, "family tracing requests and their matches"},
    {"assign", kith_cmd_assign, "give a case to a caseworker; set its follow-up date"},
    {"due", kith_cmd_due, "the cases due for follow-up today or overdue"},
    {"referral", kith_cmd_referral, "a referral sheet with only the chosen fields"},
    {"attach", kith_cmd_attach, "photos, scans, audio and documents of a case"},
    {"pprl", kith_cmd_pprl, "link and count across organizations without sharing names"},
    {"serve", kith_cmd_serve, "start the local web UI"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: kith <command> [options]\n\n"
		   "kith keeps case records of the people an organization helps, encrypted,\n"
		   "and finds, links and counts them. Commands:\n\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (commands[i].run)
			fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	}
	fprintf(f, "\n'kith <command> --help' tells more. Vault commands take --vault PATH\n"
		   "(default $KITH_VAULT) and ask for the passphrase, or read the first line\n"
		   "of --passphrase-file FILE.\n\n"
		   "Exit codes: 0 success, 1 a user's error (bad input, wrong passphrase),\n"
		   "2 usage, 3 internal fault, 4 i/o fault.\n");
}

int main(int argc, char **argv)
{
	if (kith_process_init()) {
		fprintf(stderr, "kith: cannot initialize libsodium\n");
		return KITH_EXIT_INTERNAL;
	}
	if (argc < 2) {
		usage(stderr);
		return KITH_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		usage(stdout);
		return KITH_EXIT_OK;
	}
	if (!strcmp(name, "--version")) {
		printf("kith 0.1.0\n");
		return KITH_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(commands[i].name, name) != 0)
			continue;
		if (!commands[i].run) {
			fprintf(stderr, "kith: '%s' is not part of this build\n", name);
			return KITH_EXIT_USAGE;
		}
		return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "kith: '%s' is not a kith command; see 'kith --help'\n", name);
	return KITH_EXIT_USAGE;
}
