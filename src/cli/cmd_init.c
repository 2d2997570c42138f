/*
 * kith init — create a new encrypted vault.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/io.h"
#include "base/sbuf.h"
#include "casework/people.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "casework/keystatus.h"
#include "vault/field.h"
#include "vault/vault.h"

static const char help[] =
    "usage: kith init [--vault PATH] [--passphrase-file FILE] [--duress-passphrase-file FILE]\n"
    "                 [--kdf moderate|sensitive|interactive|test] [--format 1|2]\n"
    "                 [--org-key-backup FILE --backup-passphrase-file FILE] [--name NAME]\n"
    "       kith init --vault FIELD.kith --join INVITATION [--code-file FILE] [options]\n\n"
    "Creates a new vault file. The passphrase is asked twice on the terminal, or\n"
    "read from the first line of --passphrase-file.\n\n"
    "  --duress-passphrase-file FILE  a second passphrase that, when given at\n"
    "                           unlock, silently destroys this device's keys and\n"
    "                           opens an empty vault (records stay sealed to the\n"
    "                           organization key)\n"
    "  --kdf LEVEL              Argon2id cost: moderate (default, 256 MiB),\n"
    "                           sensitive (1 GiB), interactive (64 MiB, old laptops),\n"
    "                           test (minimal: tests only — never for real cases)\n"
    "  --org-key-backup FILE    also write an encrypted backup of the organization\n"
    "                           key (keep it on a USB stick away from the laptop):\n"
    "                           after a panic it restores access (kith recover is\n"
    "                           a later step; the key file is what headquarters needs)\n"
    "  --backup-passphrase-file FILE  passphrase for that backup\n"
    "  --join INVITATION        create a field vault from an invitation headquarters\n"
    "                           wrote (kith device add): it holds no organization\n"
    "                           secret, reads only what it writes, and headquarters\n"
    "                           reads everything it writes\n"
    "  --code-file FILE         the invitation's one-time code from the first line of\n"
    "                           FILE (default: asked on the terminal)\n"
    "  --format N               the vault format: 2 (the default: signed, chained\n"
    "                           batches; deleted rows, dropped batches and rolled-back\n"
    "                           logs are detected; its bundles carry the batches) or\n"
    "                           1 (one signature per version, for a fleet that has\n"
    "                           not upgraded yet); kith upgrade converts 1 to 2\n"
    "  --name NAME              the name of the admin whose passphrase this is (kith\n"
    "                           user; kept encrypted in the vault); default: \"admin\"\n" KITH_CLI_VAULT_HELP;

enum { OPT_DURESS = 1, OPT_KDF, OPT_BACKUP, OPT_BACKUP_PASS, OPT_JOIN, OPT_CODE_FILE, OPT_FORMAT, OPT_NAME };

/* Reads and opens the invitation of --join (before any passphrase is asked:
 * a wrong code costs the user nothing more). KITH_EXIT_OK or an exit code. */
static int join_open(const char *join, const char *code_file, struct kith_field_invite **inv)
{
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_sbuf f = KITH_SBUF_INIT;
	char *code = NULL;
	size_t code_len = 0;
	int rc = kith_io_read_file(join, 4096, &f, &err);
	if (!rc)
		rc = kith_cli_read_pass(code_file, "invitation code: ", &code, &code_len, &err);
	if (!rc)
		rc = kith_field_invite_open(inv, f.buf, f.len, code, code_len, &err);
	kith_cli_pass_free(code, code_len);
	kith_sbuf_release(&f);
	if (rc)
		return kith_cli_fail(rc, &err); /* nothing was created */
	return KITH_EXIT_OK;
}

int kith_cmd_init(int argc, char **argv)
{
	static const struct option longopts[] = {
	    KITH_CLI_VAULT_LONGOPTS,
	    {"duress-passphrase-file", required_argument, 0, OPT_DURESS},
	    {"kdf", required_argument, 0, OPT_KDF},
	    {"org-key-backup", required_argument, 0, OPT_BACKUP},
	    {"backup-passphrase-file", required_argument, 0, OPT_BACKUP_PASS},
	    {"join", required_argument, 0, OPT_JOIN},
	    {"code-file", required_argument, 0, OPT_CODE_FILE},
	    {"format", required_argument, 0, OPT_FORMAT},
	    {"name", required_argument, 0, OPT_NAME},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	struct kith_cli_vault_args va = {0};
	const char *duress_file = NULL, *backup = NULL, *backup_pass_file = NULL;
	const char *join = NULL, *code_file = NULL, *admin_name = NULL;
	struct kith_field_invite *inv = NULL;
	struct kith_vault_create_opts opts = {0};
	int opt;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (kith_cli_vault_arg(&va, opt, optarg))
			continue;
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		case OPT_DURESS:
			duress_file = optarg;
			break;
		case OPT_BACKUP:
			backup = optarg;
			break;
		case OPT_BACKUP_PASS:
			backup_pass_file = optarg;
			break;
		case OPT_JOIN:
			join = optarg;
			break;
		case OPT_NAME: /* casework/people.h */
			admin_name = optarg;
			break;
		case OPT_CODE_FILE:
			code_file = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "1") && strcmp(optarg, "2"))
				return kith_cli_usage("init", "--format takes 1 or 2");
			opts.format = (unsigned)(optarg[0] - '0');
			break;
		case OPT_KDF:
			if (!strcmp(optarg, "moderate"))
				opts.kdf = KITH_KDF_MODERATE;
			else if (!strcmp(optarg, "sensitive"))
				opts.kdf = KITH_KDF_SENSITIVE;
			else if (!strcmp(optarg, "interactive"))
				opts.kdf = KITH_KDF_INTERACTIVE;
			else if (!strcmp(optarg, "test"))
				opts.kdf = KITH_KDF_TEST;
			else
				return kith_cli_usage("init",
						      "--kdf takes moderate, sensitive, interactive or test");
			break;
		default:
			return kith_cli_usage("init", "unknown option");
		}
	}
	if (optind < argc)
		return kith_cli_usage("init", "unexpected argument");
	if (backup && !backup_pass_file)
		return kith_cli_usage("init", "--org-key-backup needs --backup-passphrase-file");
	if (join && backup)
		return kith_cli_usage("init", "a field vault holds no organization key to back up");
	if (code_file && !join)
		return kith_cli_usage("init", "--code-file is for --join");
	const char *path = kith_cli_vault_path(va.vault);
	if (!path)
		return kith_cli_usage("init", "no vault: give --vault PATH or set KITH_VAULT");
	if (join) {
		int jc = join_open(join, code_file, &inv);
		if (jc)
			return jc;
	}

	struct kith_err err;
	kith_err_clear(&err);
	char *pass = NULL, *again = NULL, *duress = NULL, *bpass = NULL;
	size_t len = 0, again_len = 0, duress_len = 0, bpass_len = 0;
	int code = KITH_EXIT_OK;
	int rc = kith_cli_read_pass(va.passfile, "new passphrase: ", &pass, &len, &err);
	if (rc) {
		code = kith_cli_fail(rc, &err);
		goto out;
	}
	if (!va.passfile) {
		rc = kith_cli_read_pass(NULL, "again: ", &again, &again_len, &err);
		if (rc) {
			code = kith_cli_fail(rc, &err);
			goto out;
		}
		if (again_len != len || sodium_memcmp(pass, again, len) != 0) {
			fprintf(stderr, "kith: the two passphrases differ; nothing was created\n");
			code = KITH_EXIT_USER;
			goto out;
		}
	}
	if (duress_file) {
		rc = kith_cli_read_pass(duress_file, "duress passphrase: ", &duress, &duress_len, &err);
		if (rc) {
			code = kith_cli_fail(rc, &err);
			goto out;
		}
		opts.duress = duress;
		opts.duress_len = duress_len;
	}
	if (backup_pass_file) {
		rc = kith_cli_read_pass(backup_pass_file, "backup passphrase: ", &bpass, &bpass_len, &err);
		if (rc) {
			code = kith_cli_fail(rc, &err);
			goto out;
		}
	}
	rc = inv ? kith_vault_create_field(path, pass, len, &opts, inv, &err)
		 : kith_vault_create(path, pass, len, &opts, &err);
	if (rc) {
		code = kith_cli_fail(rc, &err);
		goto out;
	}
	if (backup) {
		struct kith_vault *v = NULL;
		rc = kith_vault_open(&v, path, pass, len, NULL, NULL, &err);
		if (!rc)
			rc = kith_vault_export_org_key(v, backup, bpass, bpass_len, &err);
		if (!rc) /* so that the panic screens can say the key is backed up, and when */
			rc = kith_keystatus_note_backup(v, (int64_t)time(NULL), "file", &err);
		kith_vault_close(v);
		if (rc) {
			code = kith_cli_fail(rc, &err);
			fprintf(stderr, "kith: the vault was created, but the key backup was not written\n");
			goto out;
		}
	}
	if (admin_name) { /* the first passphrase's admin, named (kith user name) */
		struct kith_vault *v = NULL;
		rc = kith_vault_open(&v, path, pass, len, NULL, NULL, &err);
		if (!rc)
			rc = kith_people_name_main(v, admin_name, (int64_t)time(NULL), &err);
		kith_vault_close(v);
		if (rc) {
			code = kith_cli_fail(rc, &err);
			fprintf(
			    stderr,
			    "kith: the vault was created, but the admin was not named (kith user name)\n");
			goto out;
		}
	}
	static const char *const kdf_names[] = {"moderate (256 MiB, 3 passes)", "sensitive (1 GiB)",
						"interactive (64 MiB)",
						"test (minimal — not for real cases)"};
	if (inv)
		printf("created field vault %s for device %s\n", path, kith_field_invite_name(inv));
	else
		printf("created vault %s\n", path);
	printf("key derivation: Argon2id, %s\n", kdf_names[opts.kdf]);
	if (duress)
		printf("duress passphrase: set\n");
	if (admin_name)
		printf("admin: %s (kith user add enrols more people)\n", admin_name);
	if (backup)
		printf("organization key backup: written to %s — keep it away from this laptop\n", backup);
	else if (inv)
		printf("this field vault holds no organization secret: it reads only what it writes,\n"
		       "and headquarters reads everything it writes. Delete the invitation file now.\n");
	else
		printf("this vault holds its organization's secret key: a panic destroys it with the\n"
		       "device keys. Keep a backup (kith init --org-key-backup) or send records to\n"
		       "headquarters, or a panic loses them.\n");
out:
	kith_field_invite_free(inv);
	kith_cli_pass_free(pass, len);
	kith_cli_pass_free(again, again_len);
	kith_cli_pass_free(duress, duress_len);
	kith_cli_pass_free(bpass, bpass_len);
	return code;
}
