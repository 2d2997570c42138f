/*
 * cli — what every `kith <command>` file shares: exit codes, error printing,
 * option parsing conventions, passphrase reading, opening the vault, progress.
 *
 * Each command lives in src/cli/cmd_<name>.c and exports
 *     int kith_cmd_<name>(int argc, char **argv);
 * where argv[0] is the command's name (as getopt expects) and the return value
 * is the process exit code. Commands parse options with getopt_long (reset
 * with kith_cli_getopt_reset first), or with kith_cli_getopt, which takes the
 * options every command shares and hands the rest to the command; a command
 * with subcommands lists them in a table run by kith_cli_dispatch. They print
 * `--help` to stdout with exit 0, and map library statuses with
 * kith_cli_fail. Only this layer turns a status into an exit code; library
 * code never exits.
 *
 * Exit codes (docs/cli.md): 0 success; 1 a user's error (bad input, wrong
 * passphrase, not found); 2 usage; 3 internal fault (bug, out of memory,
 * database or crypto failure); 4 i/o fault.
 */
#ifndef KITH_CLI_CLI_H
#define KITH_CLI_CLI_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "base/status.h"

enum kith_exit {
	KITH_EXIT_OK = 0,
	KITH_EXIT_USER = 1,
	KITH_EXIT_USAGE = 2,
	KITH_EXIT_INTERNAL = 3,
	KITH_EXIT_IO = 4,
};

/* Maps a status to an exit code (see above). */
int kith_cli_exit_code(int status);

/* Prints "kith: WHERE: MESSAGE" (or "kith: MESSAGE") on stderr. */
void kith_cli_print_err(const struct kith_err *err);

/* Prints err and returns the exit code for its status (err->status, or
 * `status` when err is NULL or has none). */
int kith_cli_fail(int status, const struct kith_err *err);

/* Prints "kith CMD: MESSAGE" and "try 'kith CMD --help'" on stderr; returns 2. */
int kith_cli_usage(const char *cmd, const char *fmt, ...) KITH_PRINTF(2, 3);

/*
 * A command's subcommands, as a table (tmux's shape): `kith CMD WORD ...`
 * runs run(argc - 1, argv + 1, sub), so that WORD is the subcommand's argv[0].
 * `name` is its name in messages ("link confirm"); `arg` is what one run
 * function tells its words apart by (a status, a verb), 0 when none.
 */
struct kith_cli_sub {
	const char *word;
	int (*run)(int argc, char **argv, const struct kith_cli_sub *sub);
	const char *name;
	int arg;
};

/* Runs the subcommand argv[1] names in `subs` (ended by an entry whose word
 * is NULL) and returns its exit code; -1 when there is no argv[1] or it names
 * none of them (the command goes on: its own options, or a usage error). */
int kith_cli_dispatch(const struct kith_cli_sub *subs, int argc, char **argv);

/* Resets getopt's state before a command parses its own options. */
void kith_cli_getopt_reset(void);

/* Reads an option's whole number from lo to hi: base 10 as strtoull reads it
 * (leading white space and '+' allowed), refusing an empty string, a '-'
 * (after white space too), anything after the digits and overflow. KITH_OK with *out set, or
 * KITH_E_INVALID with *out unchanged; the caller names the option in its
 * usage message. */
int kith_cli_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);

/* Reads an option's real number from lo to hi (both included) as strtod reads
 * it (leading white space, a sign, an exponent, hexadecimal), refusing an empty
 * string, anything after the number, NaN, a value out of range and one that
 * overflows or underflows ("1e999", "1e-999"); "-0" reads as 0. KITH_OK with
 * *out set, or KITH_E_INVALID with *out unchanged; the caller names the option
 * in its usage message, and checks an open bound itself. */
int kith_cli_parse_double(const char *s, double lo, double hi, double *out);

/* The vault path: `flag` if not NULL, else $KITH_VAULT, else NULL. */
const char *kith_cli_vault_path(const char *flag);

/*
 * Reads a passphrase: the first line of `file` when file is not NULL, else from
 * the terminal without echo after printing `prompt` on stderr. The result is
 * in guarded memory (sodium_malloc): free it with kith_cli_pass_free. Returns
 * KITH_OK, KITH_E_INVALID (empty, no terminal and no file), KITH_E_IO.
 */
int kith_cli_read_pass(const char *file, const char *prompt, char **pass, size_t *len,
		       struct kith_err *err) KITH_WUR;
void kith_cli_pass_free(char *pass, size_t len);

/*
 * Reads a new passphrase: as kith_cli_read_pass, but on the terminal (no
 * `file`) it is asked twice, the second time after "again: ", so that a typo
 * does not lock the vault. KITH_E_INVALID "the two passphrases differ;
 * nothing changed" when they differ. On failure *pass is left as it was and
 * nothing stays allocated.
 */
int kith_cli_read_new_pass(const char *file, const char *prompt, char **pass, size_t *len,
			   struct kith_err *err) KITH_WUR;

/*
 * A progress line on stderr, shown only when stderr is a terminal, redrawn at
 * most ten times a second: "LABEL  12,345 / 100,000  12%". kith_cli_progress_done
 * ends the line.
 */
struct kith_cli_progress {
	const char *label;
	int enabled;
	double last;
};
void kith_cli_progress_init(struct kith_cli_progress *p, const char *label);
void kith_cli_progress_update(struct kith_cli_progress *p, size_t done, size_t total);
void kith_cli_progress_done(struct kith_cli_progress *p);

/*
 * Options every vault command shares. kith_cli_vault_options() returns the
 * getopt_long entries to copy into a command's table (values 0x100+).
 */
struct kith_vault;
struct kith_cli_vault_args {
	const char *vault;    /* --vault PATH */
	const char *passfile; /* --passphrase-file FILE */
};
#define KITH_CLI_OPT_VAULT 0x100
#define KITH_CLI_OPT_PASSFILE 0x101
#define KITH_CLI_VAULT_LONGOPTS                                                                              \
	{"vault", required_argument, 0, KITH_CLI_OPT_VAULT},                                                 \
	{                                                                                                    \
		"passphrase-file", required_argument, 0, KITH_CLI_OPT_PASSFILE                               \
	}
#define KITH_CLI_VAULT_HELP                                                                                  \
	"  --vault PATH             the vault file (default $KITH_VAULT)\n"                                  \
	"  --passphrase-file FILE   read the passphrase from the first line of FILE\n"                       \
	"                           (default: ask on the terminal, without echo)\n"

/* Handles a getopt value of the shared vault options; returns 1 if it was one. */
int kith_cli_vault_arg(struct kith_cli_vault_args *a, int opt, const char *arg);

/*
 * The options every subcommand shares, and the getopt_long loop that reads
 * them, so that a command's parser holds only its own options. The command's
 * table starts with KITH_CLI_COMMON_LONGOPTS (the vault options, --json as
 * 'j', --help as 'h'), then, for a command that records a decision,
 * KITH_CLI_NOTE_LONGOPT and KITH_CLI_REVIEWER_LONGOPT, then its own options,
 * then {0, 0, 0, 0}; `shortopts` is getopt_long's ("hj" to accept -j, "h" not
 * to, then the command's own).
 */
struct kith_cli_common {
	struct kith_cli_vault_args va;
	int json;	      /* --json */
	const char *note;     /* --note TEXT: kept in the history of what the command writes */
	const char *reviewer; /* --reviewer NAME: who decides (see kith_cli_reviewer) */
	char **pos;	      /* the operands (argv after the options) */
	size_t n_pos;
};
#define KITH_CLI_OPT_NOTE 0x102
#define KITH_CLI_OPT_REVIEWER 0x103
#define KITH_CLI_NOTE_LONGOPT                                                                                \
	{                                                                                                    \
		"note", required_argument, 0, KITH_CLI_OPT_NOTE                                              \
	}
#define KITH_CLI_REVIEWER_LONGOPT                                                                            \
	{                                                                                                    \
		"reviewer", required_argument, 0, KITH_CLI_OPT_REVIEWER                                      \
	}
#define KITH_CLI_REVIEWER_HELP "  --reviewer NAME          who reviews (default $KITH_REVIEWER, else $USER)\n"
#define KITH_CLI_COMMON_LONGOPTS                                                                             \
	KITH_CLI_VAULT_LONGOPTS, {"json", no_argument, 0, 'j'},                                              \
	{                                                                                                    \
		"help", no_argument, 0, 'h'                                                                  \
	}

/* Takes one of the command's own options (args: the command's own struct):
 * 0, or an exit code to stop with (kith_cli_usage's 2). Gets '?' for an
 * option no table holds (getopt_long has printed it): "unknown option". */
typedef int (*kith_cli_opt_fn)(void *args, const char *cmd, int opt, const char *arg);

/*
 * Resets getopt and reads argv's options: the vault options, --json, --note
 * and --reviewer into *common, --help prints `help` on stdout, every other
 * option goes to own(args, cmd, opt, optarg). Returns -1 to go on
 * (common->pos: the operands), KITH_EXIT_OK after --help, or the exit code
 * `own` stopped with.
 */
int kith_cli_getopt(const char *cmd, const char *help, int argc, char **argv, const char *shortopts,
		    const struct option *longopts, struct kith_cli_common *common, kith_cli_opt_fn own,
		    void *args);

/*
 * Checks that the command got exactly `n` operands (else prints the usage
 * error `what`: "give one request REF") and opens the vault
 * (kith_cli_open_vault). Returns -1 to go on with *v set, or the exit code.
 */
int kith_cli_open_operands(const char *cmd, const struct kith_cli_common *common, size_t n, const char *what,
			   struct kith_vault **v);

/*
 * Opens the vault of `a` (or $KITH_VAULT), asking for the passphrase, with a
 * progress line while indexing. Prints any error. Returns KITH_EXIT_OK with
 * *out set, or an exit code.
 */
int kith_cli_open_vault(const char *cmd, const struct kith_cli_vault_args *a, struct kith_vault **out);

/* KITH_EXIT_IO when the vault's file is damaged (records that could not be
 * read: kith_vault_info().missing), else KITH_EXIT_OK: a command that printed
 * what it could still fails. */
int kith_cli_damage_exit(const struct kith_vault *v);

/* The options of the commands that read records (show, list, history): the
 * vault options, --json, --kind KIND (default "case") and --help, which prints
 * `help`. Returns -1 to go on (optind is then the first operand), else the
 * exit code to return (0 after --help, 2 for a usage error). */
struct kith_cli_read_args {
	struct kith_cli_vault_args va;
	int json;
	const char *kind;
	int views; /* --views (history: who read the case; casework/people.h) */
};
int kith_cli_read_args(const char *cmd, const char *help, int argc, char **argv,
		       struct kith_cli_read_args *out);

/* Prints one warning line on stderr per damaged record of the vault
 * ("record C-0001 (id ...) version 3 failed verification: bad signature"). */
void kith_cli_report_damage(const struct kith_vault *v);

/* Formats Unix seconds as "2026-11-22 09:41 UTC" into out. */
void kith_cli_format_time(long long t, char *out, size_t outsz);

/* Who reviews a link or a tracing candidate: `given` (--reviewer) when set,
 * else $KITH_REVIEWER, $USER, $LOGNAME, else "unknown". Borrowed. */
const char *kith_cli_reviewer(const char *given);

/* Prints a JSON value to stdout, indented, with a final newline. Exit code. */
int kith_cli_print_json(const json_t *j);

/* As kith_cli_print_json, but consumes j (jansson's _new: the reference is
 * stolen); a NULL j, a value that could not be built, prints "kith: out of
 * memory" and returns KITH_EXIT_INTERNAL. */
int kith_cli_print_json_new(json_t *j);

/* The thread count the user asked for with KITH_THREADS (a positive number),
 * or 0 (every processor). Only the command line reads the environment: the
 * library takes the count as an option. */
unsigned kith_cli_threads(void);

/* Writes the attachments export (casework/attach.h) to a new file `out`
 * (mode 0600; removed again on failure): cmd_attach.c, for `kith attach
 * export` and `kith export --attachments`. A kith_status; *res filled. */
struct kith_attach_export_opts;
struct kith_attach_export_result;
int kith_cli_attach_tar(struct kith_vault *v, const struct kith_attach_export_opts *o, const char *out,
			struct kith_attach_export_result *res, struct kith_err *err);

#endif
