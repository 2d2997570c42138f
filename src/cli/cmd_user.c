/*
 * kith user — the people enrolled on a vault, each with a name, a role and a
 * passphrase of their own (issue 12; casework/people.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casework/people.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "vault/vault.h"

static const char help[] =
    "usage: kith user add NAME --role ROLE [--pass-file FILE] [--vault PATH] [--passphrase-file FILE]\n"
    "       kith user list [--json] [--vault PATH] [--passphrase-file FILE]\n"
    "       kith user remove NAME [--vault PATH] [--passphrase-file FILE]\n"
    "       kith user name NAME [--vault PATH] [--passphrase-file FILE]\n"
    "       kith user whoami [--json] [--vault PATH] [--passphrase-file FILE]\n"
    "       kith user reset NAME [--pass-file FILE] [--vault PATH] [--passphrase-file FILE]\n\n"
    "People enrolled on this vault. Each has a name, a role and a passphrase of\n"
    "their own, which unlocks the same vault; every version they write and every\n"
    "case they open is recorded with them. Their name and role are encrypted in\n"
    "the vault: the file shows neither. The vault's main passphrase is an admin's.\n\n"
    "  add NAME     enrols a person (admin only); asks for their passphrase twice,\n"
    "               or reads it from --pass-file\n"
    "  list         every person: name, role, when added, removed (admin only)\n"
    "  remove NAME  removes a person and destroys their passphrase slot in place,\n"
    "               as passwd does (admin only); their versions keep their name\n"
    "  name NAME    gives the main passphrase's admin a name (main passphrase only)\n"
    "  whoami       the person who unlocked\n"
    "  reset NAME   gives a person whose passphrase slot is gone (kith recover\n"
    "               destroys every person's slot) a new passphrase (admin only);\n"
    "               asks for it twice, or reads it from --pass-file\n\n"
    "Roles:\n"
    "  caseworker   the cases assigned to them and their own\n"
    "  reviewer     every case; duplicate and tracing decisions; assignment; export\n"
    "  analyst      aggregate figures only (kith report, kith estimate), never a name\n"
    "  admin        everything, and people, devices and who viewed which case\n\n"
    "  --role ROLE       caseworker, reviewer, analyst or admin\n"
    "  --pass-file FILE  the new person's passphrase (first line of FILE)\n"
    "  --json            as JSON\n" KITH_CLI_VAULT_HELP;

enum { OPT_ROLE = 0x200, OPT_PASS };

static void print_person(const struct kith_person *p)
{
	char added[40] = "-", removed[40];
	if (p->added)
		kith_cli_format_time(p->added, added, sizeof added);
	const char *name = p->name[0] ? p->name : "(admin, main passphrase)";
	if (p->removed) {
		kith_cli_format_time(p->removed_at, removed, sizeof removed);
		printf("%-24s %-10s added %s  removed %s\n", name, kith_role_name(p->role), added, removed);
	} else {
		printf("%-24s %-10s added %s  %s\n", name, kith_role_name(p->role), added,
		       p->main	     ? "main passphrase"
		       : p->has_slot ? "active"
				     : "no passphrase slot");
	}
}

static int user_list(struct kith_vault *v, int json)
{
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_person *p = NULL;
	size_t n = 0;
	int rc = kith_people_list(v, &p, &n, &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	int code = KITH_EXIT_OK;
	if (json) {
		json_t *a = json_array();
		for (size_t i = 0; a && i < n; i++)
			if (json_array_append_new(a, kith_people_person_json(&p[i]))) {
				json_decref(a);
				a = NULL;
			}
		code = kith_cli_print_json_new(a);
	} else {
		for (size_t i = 0; i < n; i++)
			print_person(&p[i]);
	}
	free(p);
	return code;
}

static int user_add(struct kith_vault *v, const char *name, const char *role_s, const char *pass_file)
{
	struct kith_err err;
	kith_err_clear(&err);
	enum kith_role role;
	int rc = kith_role_parse(role_s, &role, &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	char *np = NULL;
	size_t nl = 0;
	rc = kith_cli_read_new_pass(pass_file, "the new person's passphrase: ", &np, &nl, &err);
	if (!rc)
		rc = kith_people_add(v, name, role, np, nl, (int64_t)time(NULL), NULL, &err);
	kith_cli_pass_free(np, nl);
	if (rc)
		return kith_cli_fail(rc, &err);
	printf("%s added as %s\n", name, kith_role_name(role));
	return KITH_EXIT_OK;
}

static int user_reset(struct kith_vault *v, const char *name, const char *pass_file)
{
	struct kith_err err;
	kith_err_clear(&err);
	char *np = NULL;
	size_t nl = 0;
	int rc = kith_cli_read_new_pass(pass_file, "the person's new passphrase: ", &np, &nl, &err);
	if (!rc)
		rc = kith_people_reset(v, name, np, nl, &err);
	kith_cli_pass_free(np, nl);
	if (rc)
		return kith_cli_fail(rc, &err);
	printf("%s has a new passphrase slot\n", name);
	return KITH_EXIT_OK;
}

static int user_remove(struct kith_vault *v, const char *name)
{
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_people_remove(v, name, (int64_t)time(NULL), &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	printf("%s removed; their passphrase slot was destroyed\n", name);
	if (err.msg[0])
		fprintf(stderr, "kith: warning: %s\n", err.msg);
	return KITH_EXIT_OK;
}

static int user_name(struct kith_vault *v, const char *name)
{
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_people_name_main(v, name, (int64_t)time(NULL), &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	printf("the main passphrase's admin is now named %s\n", name);
	return KITH_EXIT_OK;
}

static int user_whoami(struct kith_vault *v, int json)
{
	struct kith_person me;
	kith_people_me(v, &me);
	if (json)
		return kith_cli_print_json_new(kith_people_person_json(&me));
	printf("%s (%s)\n", me.name[0] ? me.name : "admin", kith_role_name(me.role));
	return KITH_EXIT_OK;
}

struct user_args {
	const char *role, *pass_file;
};

static int user_opt(void *args, const char *cmd, int opt, const char *arg)
{
	struct user_args *a = args;
	if (opt == OPT_ROLE)
		a->role = arg;
	else if (opt == OPT_PASS)
		a->pass_file = arg;
	else
		return kith_cli_usage(cmd, "unknown option");
	return 0;
}

int kith_cmd_user(int argc, char **argv)
{
	static const struct option longopts[] = {
	    KITH_CLI_COMMON_LONGOPTS, /* --json: but no -j */
	    {"role", required_argument, 0, OPT_ROLE},
	    {"pass-file", required_argument, 0, OPT_PASS},
	    {0, 0, 0, 0},
	};
	struct kith_cli_common c = {0};
	struct user_args ua = {0};
	int code = kith_cli_getopt("user", help, argc, argv, "h", longopts, &c, user_opt, &ua);
	if (code >= 0)
		return code;
	const char *role = ua.role, *pass_file = ua.pass_file;
	if (!c.n_pos)
		return kith_cli_usage("user", "add, list, remove, name or whoami?");
	const char *verb = c.pos[0];
	const char *name = NULL;
	int needs_name = !strcmp(verb, "add") || !strcmp(verb, "remove") || !strcmp(verb, "name") ||
			 !strcmp(verb, "reset");
	if (needs_name) {
		if (c.n_pos < 2)
			return kith_cli_usage("user", "%s needs a NAME", verb);
		name = c.pos[1];
	} else if (strcmp(verb, "list") != 0 && strcmp(verb, "whoami") != 0) {
		return kith_cli_usage("user", "unknown action: add, list, remove, name, whoami or reset");
	}
	if (c.n_pos > (name ? 2u : 1u))
		return kith_cli_usage("user", "unexpected argument");
	if (!strcmp(verb, "add") && !role)
		return kith_cli_usage("user", "add needs --role caseworker|reviewer|analyst|admin");
	if (role && strcmp(verb, "add") != 0)
		return kith_cli_usage("user", "--role is for add");
	if (pass_file && strcmp(verb, "add") != 0 && strcmp(verb, "reset") != 0)
		return kith_cli_usage("user", "--pass-file is for add and reset");
	struct kith_vault *v = NULL;
	code = kith_cli_open_vault("user", &c.va, &v);
	if (code)
		return code;
	if (!strcmp(verb, "add"))
		code = user_add(v, name, role, pass_file);
	else if (!strcmp(verb, "remove"))
		code = user_remove(v, name);
	else if (!strcmp(verb, "reset"))
		code = user_reset(v, name, pass_file);
	else if (!strcmp(verb, "name"))
		code = user_name(v, name);
	else if (!strcmp(verb, "whoami"))
		code = user_whoami(v, c.json);
	else
		code = user_list(v, c.json);
	kith_vault_close(v);
	return code;
}
