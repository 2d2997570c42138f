/*
 * kith device — field devices at headquarters: add (an invitation and its
 * one-time code), list, revoke (issue 12; casework/devices.h).
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/io.h"
#include "base/sbuf.h"
#include "casework/devices.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "vault/vault.h"

static const char help[] = "usage: kith device add NAME --out FILE [--vault PATH] [--passphrase-file FILE]\n"
			   "       kith device list [--json] [--vault PATH] [--passphrase-file FILE]\n"
			   "       kith device revoke NAME [--vault PATH] [--passphrase-file FILE]\n\n"
			   "Field devices, at headquarters (a vault that holds the organization key).\n\n"
			   "  add NAME     enrols a new field device: writes its invitation to --out and\n"
			   "               prints the one-time code as the last word of the output. Pass\n"
			   "               the file and the code by two different channels; on the field\n"
			   "               laptop, kith init --vault FIELD.kith --join FILE creates its\n"
			   "               vault. NAME: 1 to 63 letters, digits, '.', '_' or '-'.\n"
			   "  list         every device: name, device id, when added, whether revoked;\n"
			   "               in a field vault: the devices it knows (by id) and the\n"
			   "               revocations headquarters sent it in bundles\n"
			   "  revoke NAME  records the device's revocation, signed by the organization\n"
			   "               key, with today's date\n\n"
			   "  --out FILE   where add writes the invitation (mode 0600; must not exist)\n"
			   "  --json       list as JSON\n" KITH_CLI_VAULT_HELP;

enum { OPT_OUT = 0x200 };

static int device_add(struct kith_vault *v, const char *name, const char *out)
{
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_sbuf inv = KITH_SBUF_INIT;
	char code[KITH_FIELD_CODE_TEXT];
	int rc = kith_devices_add(v, name, (int64_t)time(NULL), &inv, code, &err);
	if (rc) {
		kith_sbuf_release(&inv);
		return kith_cli_fail(rc, &err);
	}
	rc = kith_io_write_atomic(out, inv.buf, inv.len, &err);
	kith_sbuf_release(&inv);
	if (rc) {
		sodium_memzero(code, sizeof code);
		kith_cli_print_err(&err);
		fprintf(stderr,
			"kith: device %s was enrolled but its invitation was not written: revoke it\n", name);
		return KITH_EXIT_IO;
	}
	printf("device %s enrolled; invitation written to %s\n", name, out);
	printf("give the file and the code by two different channels; the code is shown once:\n");
	printf("%s\n", code);
	sodium_memzero(code, sizeof code);
	return KITH_EXIT_OK;
}

static int device_list(struct kith_vault *v, int json)
{
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_device_info *d = NULL;
	size_t n = 0;
	int rc = kith_devices_list(v, &d, &n, &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	int code = KITH_EXIT_OK;
	int field = kith_devices_is_field(v);
	if (json) {
		json_t *a = json_array();
		for (size_t i = 0; a && i < n; i++) {
			json_t *o =
			    json_pack("{s:s, s:s, s:I, s:b}", "name", d[i].name, "device", d[i].device_id,
				      "added", (json_int_t)d[i].added, "revoked", d[i].revoked_at != 0);
			if (o && field)
				json_object_set_new(o, "this_device", json_boolean(d[i].this_device));
			if (o && d[i].revoked_at) {
				json_object_set_new(o, "revoked_at", json_integer(d[i].revoked_at));
				json_object_set_new(o, "revocation_valid",
						    json_boolean(d[i].revocation_valid));
			}
			if (!o || json_array_append_new(a, o)) {
				json_decref(a);
				a = NULL;
			}
		}
		code = kith_cli_print_json_new(a);
	} else if (field) { /* a field vault knows devices by key, and what headquarters revoked */
		for (size_t i = 0; i < n; i++) {
			char rev[40];
			if (d[i].revoked_at)
				kith_cli_format_time(d[i].revoked_at, rev, sizeof rev);
			printf("%s  %-12s %s%s\n", d[i].device_id,
			       d[i].this_device ? "this device" : "device",
			       d[i].revoked_at ? "revoked " : "active", d[i].revoked_at ? rev : "");
			if (d[i].revoked_at && !d[i].revocation_valid)
				printf("  (the revocation's signature does not verify)\n");
		}
	} else {
		for (size_t i = 0; i < n; i++) {
			char added[40], rev[40];
			kith_cli_format_time(d[i].added, added, sizeof added);
			if (d[i].revoked_at) {
				kith_cli_format_time(d[i].revoked_at, rev, sizeof rev);
				printf("%-20s %s  added %s  revoked %s%s\n", d[i].name, d[i].device_id, added,
				       rev, d[i].revocation_valid ? "" : " (signature does not verify)");
			} else {
				printf("%-20s %s  added %s  active\n", d[i].name, d[i].device_id, added);
			}
		}
		if (n == 0)
			printf("no field devices\n");
	}
	free(d);
	return code;
}

static int device_revoke(struct kith_vault *v, const char *name)
{
	struct kith_err err;
	kith_err_clear(&err);
	int64_t now = (int64_t)time(NULL);
	int rc = kith_devices_revoke(v, name, now, &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	char when[40];
	kith_cli_format_time(now, when, sizeof when);
	printf("device %s revoked on %s\n", name, when);
	return KITH_EXIT_OK;
}

static int device_opt(void *args, const char *cmd, int opt, const char *arg)
{
	if (opt != OPT_OUT)
		return kith_cli_usage(cmd, "unknown option");
	const char **out = args;
	*out = arg;
	return 0;
}

int kith_cmd_device(int argc, char **argv)
{
	static const struct option longopts[] = {
	    KITH_CLI_COMMON_LONGOPTS, /* --json: but no -j */
	    {"out", required_argument, 0, OPT_OUT},
	    {0, 0, 0, 0},
	};
	struct kith_cli_common c = {0};
	const char *out = NULL;
	int code = kith_cli_getopt("device", help, argc, argv, "h", longopts, &c, device_opt, &out);
	if (code >= 0)
		return code;
	if (!c.n_pos)
		return kith_cli_usage("device", "add, list or revoke?");
	const char *verb = c.pos[0];
	const char *name = NULL;
	if (!strcmp(verb, "add") || !strcmp(verb, "revoke")) {
		if (c.n_pos < 2)
			return kith_cli_usage("device", "%s needs a device NAME", verb);
		name = c.pos[1];
	} else if (strcmp(verb, "list") != 0) {
		return kith_cli_usage("device", "unknown action: add, list or revoke");
	}
	if (c.n_pos > (name ? 2u : 1u))
		return kith_cli_usage("device", "unexpected argument");
	if (!strcmp(verb, "add") && !out)
		return kith_cli_usage("device", "add needs --out FILE for the invitation");
	if (out && strcmp(verb, "add") != 0)
		return kith_cli_usage("device", "--out is for add");
	if (out && access(out, F_OK) == 0 && !kith_io_is_special(out))
		return kith_cli_usage("device", "--out: a file already exists there");
	struct kith_vault *v = NULL;
	code = kith_cli_open_vault("device", &c.va, &v);
	if (code)
		return code;
	if (!strcmp(verb, "add"))
		code = device_add(v, name, out);
	else if (!strcmp(verb, "revoke"))
		code = device_revoke(v, name);
	else
		code = device_list(v, c.json);
	kith_vault_close(v);
	return code;
}
