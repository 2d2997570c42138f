/*
 * commands — the table of `kith <command>`s; each is defined in its own file
 * src/cli/cmd_<name>.c. See cli.h for the calling convention.
 */
#ifndef KITH_CLI_COMMANDS_H
#define KITH_CLI_COMMANDS_H

struct kith_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* Weak: a command whose file is not in this build is a NULL pointer, and
 * main() says so instead of failing to link. */
#define KITH_CMD __attribute__((weak))

KITH_CMD int kith_cmd_init(int argc, char **argv);
KITH_CMD int kith_cmd_add(int argc, char **argv);
KITH_CMD int kith_cmd_import(int argc, char **argv);
KITH_CMD int kith_cmd_show(int argc, char **argv);
KITH_CMD int kith_cmd_edit(int argc, char **argv);
KITH_CMD int kith_cmd_history(int argc, char **argv);
KITH_CMD int kith_cmd_list(int argc, char **argv);
KITH_CMD int kith_cmd_search(int argc, char **argv);
KITH_CMD int kith_cmd_export(int argc, char **argv);
KITH_CMD int kith_cmd_passwd(int argc, char **argv);
KITH_CMD int kith_cmd_panic(int argc, char **argv);
KITH_CMD int kith_cmd_recover(int argc, char **argv);
KITH_CMD int kith_cmd_names(int argc, char **argv);
KITH_CMD int kith_cmd_link(int argc, char **argv);
KITH_CMD int kith_cmd_synth(int argc, char **argv);
KITH_CMD int kith_cmd_estimate(int argc, char **argv);
KITH_CMD int kith_cmd_report(int argc, char **argv);
KITH_CMD int kith_cmd_serve(int argc, char **argv);
KITH_CMD int kith_cmd_trace(int argc, char **argv);
KITH_CMD int kith_cmd_pprl(int argc, char **argv);
KITH_CMD int kith_cmd_device(int argc, char **argv);
KITH_CMD int kith_cmd_user(int argc, char **argv);
KITH_CMD int kith_cmd_verify(int argc, char **argv);
KITH_CMD int kith_cmd_bundle(int argc, char **argv);
KITH_CMD int kith_cmd_resolve(int argc, char **argv);
KITH_CMD int kith_cmd_assign(int argc, char **argv);
KITH_CMD int kith_cmd_due(int argc, char **argv);
KITH_CMD int kith_cmd_referral(int argc, char **argv);
KITH_CMD int kith_cmd_attach(int argc, char **argv);
KITH_CMD int kith_cmd_upgrade(int argc, char **argv);

#endif
