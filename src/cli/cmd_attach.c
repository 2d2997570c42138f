/*
 * kith attach — files attached to a case: add (photos stripped of their
 * metadata, everything encrypted in chunks as it is read), list, get (only
 * with the case's consent to sharing), remove (a new version). The library
 * side is src/casework/attach.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base/io.h"
#include "casework/attach.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "vault/vault.h"

static const char help[] =
    "usage: kith attach add CASE FILE|- [--name NAME] [--type TYPE] [--note TEXT] [--max-mib N]\n"
    "       kith attach list CASE [--all] [--json]\n"
    "       kith attach history ID|CASE [--json]\n"
    "       kith attach get ID [--out FILE] [--version N]\n"
    "       kith attach remove ID [--note TEXT]\n"
    "       kith attach purge ID --note WHY --yes\n"
    "       kith attach export [CASE...] --out FILE.tar [--consent USE]\n\n"
    "Files attached to case CASE (a ref or an id): photos, scans, recorded\n"
    "testimony, documents. Each is encrypted in 64 KiB chunks with a key of its\n"
    "own, sealed like a record (docs/vault-format.md \"Attachments\").\n\n"
    "  add      reads FILE (or standard input with - and --name) and attaches it;\n"
    "           prints the attachment's id. A JPEG or PNG (judged by its bytes) is\n"
    "           stripped of its metadata first: EXIF with the GPS location, XMP,\n"
    "           IPTC, comments, thumbnails, PNG text chunks. HEIC, TIFF, WebP, GIF\n"
    "           and AVIF images are refused (they carry location that cannot be\n"
    "           stripped here): convert them to JPEG or PNG. At most 64 MiB\n"
    "           (--max-mib). Nothing is stored when anything fails.\n"
    "  list     the case's attachments: id, version, size, type, name; --all also\n"
    "           the removed ones.\n"
    "  history  every version of attachment ID, oldest first; given a CASE, every\n"
    "           version of every attachment of the case (added, removed), by time:\n"
    "           the attachments' part of the case's history.\n"
    "  get      writes the attachment's bytes to FILE (new, mode 0600) or standard\n"
    "           output. The bytes leave the vault: only when the case's consent\n"
    "           allows sharing (consent.sharing), else exit 1. --version N: an older\n"
    "           version, also of a removed attachment.\n"
    "  remove   removes it from the case: a new version (the history keeps it).\n"
    "  purge    destroys its bytes for good, in every version: the chunks are\n"
    "           deleted and every copy of their ciphertext left in the vault file\n"
    "           and its -wal is overwritten with zeros; a new version (action\n"
    "           purge, with WHY) keeps its name, size and history. An\n"
    "           administrator's decision: it needs --yes and --note. No version\n"
    "           can be read afterwards.\n"
    "  export   writes the current attachments of the cases (default: every\n"
    "           case) to FILE.tar (new, mode 0600) as REF/ID8-NAME, but only of\n"
    "           cases whose consent allows sharing (and USE, with --consent);\n"
    "           stderr says how many were written and how many left out.\n\n"
    "  --name NAME              the file name to record (default: FILE's name)\n"
    "  --type TYPE              a media type for a document (default: by name)\n"
    "  --note TEXT              a note kept with the attachment or the removal\n"
    "  --max-mib N              refuse a file larger than N MiB (1..4096; default 64)\n"
    "  --all                    list: also removed attachments\n"
    "  --out FILE               get: write to FILE instead of standard output\n"
    "  --version N              get: that version\n"
    "  --yes                    purge: confirm\n"
    "  --consent USE            export: also this consent (services, reporting,\n"
    "                           tracing, sharing)\n"
    "  --json                   print JSON\n" KITH_CLI_VAULT_HELP;

#define READ_BYTES 65536 /* a read from the file: plaintext, in guarded memory */

enum { OPT_NAME = 0x200, OPT_TYPE, OPT_MAX, OPT_ALL, OPT_OUT, OPT_VERSION, OPT_YES, OPT_CONSENT };

struct args {
	struct kith_cli_common c; /* vault options, --json, the operands */
	int all, yes;
	const char *name, *type, *out, *consent;
	uint64_t max_mib;
	uint64_t version;
};

static int attach_opt(void *args, const char *cmd, int opt, const char *arg)
{
	struct args *a = args;
	switch (opt) {
	case OPT_NAME:
		a->name = arg;
		break;
	case OPT_TYPE:
		a->type = arg;
		break;
	case OPT_ALL:
		a->all = 1;
		break;
	case OPT_OUT:
		a->out = arg;
		break;
	case OPT_YES:
		a->yes = 1;
		break;
	case OPT_CONSENT:
		if (strcmp(arg, "services") && strcmp(arg, "reporting") && strcmp(arg, "tracing") &&
		    strcmp(arg, "sharing"))
			return kith_cli_usage(cmd, "--consent takes services, reporting, tracing or sharing");
		a->consent = arg;
		break;
	case OPT_MAX:
		if (kith_cli_parse_u64(arg, 1, 4096, &a->max_mib))
			return kith_cli_usage(cmd, "--max-mib takes 1 to 4096");
		break;
	case OPT_VERSION:
		if (kith_cli_parse_u64(arg, 1, 0xFFFFFFFFul, &a->version))
			return kith_cli_usage(cmd, "--version takes a version number (1, 2, ...)");
		break;
	default:
		return kith_cli_usage(cmd, "unknown option");
	}
	return 0;
}

/* Clears *a and parses options (kith_cli_getopt): -1 to go on, else the
 * exit code to return (0 after --help). */
static int parse_args(const char *cmd, int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {
	    KITH_CLI_COMMON_LONGOPTS,
	    {"name", required_argument, 0, OPT_NAME},
	    {"type", required_argument, 0, OPT_TYPE},
	    KITH_CLI_NOTE_LONGOPT,
	    {"max-mib", required_argument, 0, OPT_MAX},
	    {"all", no_argument, 0, OPT_ALL},
	    {"out", required_argument, 0, OPT_OUT},
	    {"version", required_argument, 0, OPT_VERSION},
	    {"yes", no_argument, 0, OPT_YES},
	    {"consent", required_argument, 0, OPT_CONSENT},
	    {0, 0, 0, 0},
	};
	memset(a, 0, sizeof *a);
	return kith_cli_getopt(cmd, help, argc, argv, "hj", longopts, &a->c, attach_opt, a);
}

/* A subcommand on one attachment or case: its options, one operand (else the
 * usage error `what`), then the vault opened. -1 to go on, else the exit code. */
static int begin(const char *cmd, int argc, char **argv, const char *what, struct args *a,
		 struct kith_vault **v)
{
	int code = parse_args(cmd, argc, argv, a);
	return code >= 0 ? code : kith_cli_open_operands(cmd, &a->c, 1, what, v);
}

static char *spool_dir(const struct kith_cli_vault_args *va)
{
	const char *path = kith_cli_vault_path(va->vault);
	char *copy = strdup(path ? path : ".");
	if (!copy)
		return NULL;
	char *d = strdup(dirname(copy));
	free(copy);
	return d;
}

static int cmd_add(int argc, char **argv, const struct kith_cli_sub *sub)
{
	const char *cmd = sub->name;
	struct args a;
	int code = parse_args(cmd, argc, argv, &a);
	if (code >= 0)
		return code;
	if (a.c.n_pos != 2)
		return kith_cli_usage(cmd, "give a CASE and a FILE (or -)");
	const char *ref = a.c.pos[0], *file = a.c.pos[1];
	int from_stdin = !strcmp(file, "-");
	if (from_stdin && !a.name)
		return kith_cli_usage(cmd, "standard input needs --name");
	int fd = from_stdin ? 0 : open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "kith: %s: cannot open: %s\n", file, strerror(errno));
		return KITH_EXIT_USER;
	}
	struct kith_vault *v = NULL;
	code = kith_cli_open_vault(cmd, &a.c.va, &v);
	if (code) {
		if (!from_stdin)
			close(fd);
		return code;
	}
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_attach_upload *u = NULL;
	char *dir = spool_dir(&a.c.va);
	uint8_t *buf = sodium_malloc(READ_BYTES);
	int rc = !dir || !buf ? kith_err_set(&err, KITH_E_NOMEM, "attach", "out of memory")
			      : kith_attach_upload_new(&u, dir, a.max_mib << 20, &err);
	while (!rc) {
		ssize_t k = read(fd, buf, READ_BYTES);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			rc = kith_err_set(&err, KITH_E_IO, file, "reading failed: %s", strerror(errno));
			break;
		}
		if (k == 0) {
			rc = kith_attach_upload_finish(u, &err);
			break;
		}
		rc = kith_attach_upload_add(u, buf, (size_t)k, &err);
	}
	sodium_free(buf);
	if (!from_stdin)
		close(fd);
	char id[KITH_VAULT_ID_HEX] = "";
	if (!rc) {
		struct kith_attach_add_opts o = {
		    .name = a.name ? a.name : file, .type = a.type, .note = a.c.note};
		rc = kith_attach_commit(v, ref, u, &o, id, &err);
	}
	kith_attach_upload_free(u);
	free(dir);
	if (rc) {
		if (!err.where[0]) {
			char msg[KITH_ERR_MSG_MAX];
			snprintf(msg, sizeof msg, "%s", err.msg);
			kith_err_set(&err, rc, file, "%s", msg);
		}
		code = kith_cli_fail(rc, &err);
	} else {
		printf("%s\n", id);
	}
	kith_vault_close(v);
	return code;
}

/* Ends a new file `out` (fd; -1 when it was never created): synced and
 * closed, and removed again when rc is a failure, so that no half file stays.
 * Returns rc, or KITH_E_IO when syncing fails. */
static int end_file(int fd, const char *out, int rc, struct kith_err *err)
{
	if (fd < 0)
		return rc;
	if (!rc && fsync(fd))
		rc = kith_err_set(err, KITH_E_IO, out, "writing failed: %s", strerror(errno));
	close(fd);
	if (rc)
		unlink(out);
	return rc;
}

static int print_items(const struct kith_attach_item *items, size_t n, int json)
{
	if (json) {
		json_t *arr = json_array();
		int code = arr ? KITH_EXIT_OK : KITH_EXIT_INTERNAL;
		for (size_t i = 0; i < n && !code; i++)
			if (json_array_append_new(arr, kith_attach_item_json(&items[i])))
				code = KITH_EXIT_INTERNAL;
		if (!code)
			code = kith_cli_print_json(arr);
		json_decref(arr);
		return code;
	}
	for (size_t i = 0; i < n; i++) {
		char when[64];
		kith_cli_format_time(items[i].at, when, sizeof when);
		printf("%s  v%-3u %s  %-8s %10llu  %-24s %s%s%s\n", items[i].id, items[i].version, when,
		       items[i].action, (unsigned long long)items[i].size, items[i].type, items[i].name,
		       items[i].stripped ? "  (metadata removed)" : "",
		       items[i].removed ? "  [removed]" : "");
	}
	return KITH_EXIT_OK;
}

static int cmd_list(int argc, char **argv, const struct kith_cli_sub *sub)
{
	const char *cmd = sub->name;
	int history = sub->arg;
	struct args a;
	struct kith_vault *v = NULL;
	int code =
	    begin(cmd, argc, argv, history ? "give one attachment ID or one CASE" : "give one CASE", &a, &v);
	if (code >= 0)
		return code;
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_attach_item *items = NULL;
	size_t n = 0;
	const char *what = a.c.pos[0];
	int is_case =
	    history && (kith_vault_find(v, "case", what) ||
			(kith_vault_find_id(v, what) && !strcmp(kith_vault_find_id(v, what)->kind, "case")));
	int rc = is_case   ? kith_attach_case_history(v, what, &items, &n, &err)
		 : history ? kith_attach_history(v, what, &items, &n, &err)
			   : kith_attach_list(v, what, a.all, &items, &n, &err);
	code = rc ? kith_cli_fail(rc, &err) : print_items(items, n, a.c.json);
	free(items);
	kith_vault_close(v);
	return code;
}

static int cmd_get(int argc, char **argv, const struct kith_cli_sub *sub)
{
	const char *cmd = sub->name;
	struct args a;
	struct kith_vault *v = NULL;
	int code = begin(cmd, argc, argv, "give one attachment ID", &a, &v);
	if (code >= 0)
		return code;
	code = KITH_EXIT_OK;
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_attach_reader *r = NULL;
	int fd = -1;
	int rc = kith_attach_open(v, a.c.pos[0], (uint32_t)a.version, "sharing", &r, NULL, &err);
	if (!rc) {
		fd = a.out ? open(a.out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600) : 1;
		if (fd < 0)
			rc = kith_err_set(&err, KITH_E_IO, a.out, "cannot create: %s", strerror(errno));
	}
	while (!rc) {
		const uint8_t *p = NULL;
		size_t n = 0;
		int k = kith_attach_next(r, v, &p, &n, &err);
		if (k <= 0) {
			rc = k;
			break;
		}
		if (kith_io_write_all(fd, p, n))
			rc = kith_err_set(&err, KITH_E_IO, a.out ? a.out : "stdout", "writing failed: %s",
					  strerror(errno));
	}
	if (a.out)
		rc = end_file(fd, a.out, rc, &err);
	kith_attach_reader_free(r);
	if (rc)
		code = kith_cli_fail(rc, &err);
	kith_vault_close(v);
	return code;
}

static int cmd_remove(int argc, char **argv, const struct kith_cli_sub *sub)
{
	const char *cmd = sub->name;
	struct args a;
	struct kith_vault *v = NULL;
	int code = begin(cmd, argc, argv, "give one attachment ID", &a, &v);
	if (code >= 0)
		return code;
	code = KITH_EXIT_OK;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_attach_remove(v, a.c.pos[0], a.c.note, &err);
	if (rc)
		code = kith_cli_fail(rc, &err);
	kith_vault_close(v);
	return code;
}

/* kith attach purge ID --note WHY --yes (casework/attach.h). */
static int cmd_purge(int argc, char **argv, const struct kith_cli_sub *sub)
{
	const char *cmd = sub->name;
	struct args a;
	int code = parse_args(cmd, argc, argv, &a);
	if (code >= 0)
		return code;
	if (a.c.n_pos != 1)
		return kith_cli_usage(cmd, "give one attachment ID");
	if (!a.c.note || !*a.c.note)
		return kith_cli_usage(cmd, "say why with --note (kept in the history)");
	if (!a.yes)
		return kith_cli_usage(cmd,
				      "purging destroys the attachment's bytes for good: confirm with --yes");
	struct kith_vault *v = NULL;
	code = kith_cli_open_vault(cmd, &a.c.va, &v);
	if (code)
		return code;
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_attach_purge_result res = {0};
	int rc = kith_attach_purge(v, a.c.pos[0], a.c.note, NULL, &res, &err);
	if (rc)
		code = kith_cli_fail(rc, &err);
	else
		fprintf(stderr, "purged: %llu chunk%s deleted, %llu bytes of ciphertext overwritten\n",
			(unsigned long long)res.chunks, res.chunks == 1 ? "" : "s",
			(unsigned long long)res.zeroed);
	kith_vault_close(v);
	return code;
}

int kith_cli_attach_tar(struct kith_vault *v, const struct kith_attach_export_opts *o, const char *out,
			struct kith_attach_export_result *res, struct kith_err *err)
{
	struct kith_attach_export *x = NULL;
	uint8_t *buf = malloc(READ_BYTES);
	int fd = -1;
	int rc = buf ? kith_attach_export_new(v, o, &x, res, err)
		     : kith_err_set(err, KITH_E_NOMEM, "attach", "out of memory");
	if (!rc) {
		fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			rc = kith_err_set(err, KITH_E_IO, out, "cannot create: %s", strerror(errno));
	}
	while (!rc) {
		long k = kith_attach_export_read(x, v, buf, READ_BYTES, err);
		if (k < 0)
			rc = (int)k;
		else if (k == 0)
			break;
		else if (kith_io_write_all(fd, buf, (size_t)k))
			rc = kith_err_set(err, KITH_E_IO, out, "writing failed: %s", strerror(errno));
	}
	rc = end_file(fd, out, rc, err);
	kith_attach_export_free(x);
	free(buf);
	return rc;
}

/* kith attach export [CASE...] --out FILE.tar [--consent USE]. */
static int cmd_export(int argc, char **argv, const struct kith_cli_sub *sub)
{
	const char *cmd = sub->name;
	struct args a;
	int code = parse_args(cmd, argc, argv, &a);
	if (code >= 0)
		return code;
	if (!a.out)
		return kith_cli_usage(cmd, "give --out FILE.tar");
	struct kith_vault *v = NULL;
	code = kith_cli_open_vault(cmd, &a.c.va, &v);
	if (code)
		return code;
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_attach_export_opts o = {.cases = a.c.n_pos ? (const char *const *)a.c.pos : NULL,
					    .n_cases = a.c.n_pos,
					    .consent = a.consent};
	struct kith_attach_export_result res = {0};
	int rc = kith_cli_attach_tar(v, &o, a.out, &res, &err);
	if (rc) {
		code = kith_cli_fail(rc, &err);
	} else {
		fprintf(
		    stderr,
		    "%zu attachment%s of %zu case%s written to %s; %zu left out (%zu case%s whose consent "
		    "does not allow sharing%s%s)\n",
		    res.files, res.files == 1 ? "" : "s", res.cases, res.cases == 1 ? "" : "s", a.out,
		    res.left_out, res.cases_left_out, res.cases_left_out == 1 ? "" : "s",
		    a.consent ? " or " : "", a.consent ? a.consent : "");
		fprintf(stderr, "kith: the file holds the attachments in plaintext\n");
	}
	kith_vault_close(v);
	return code;
}

int kith_cmd_attach(int argc, char **argv)
{
	static const struct kith_cli_sub subs[] = {
	    {"add", cmd_add, "attach add", 0},		{"list", cmd_list, "attach list", 0},
	    {"history", cmd_list, "attach history", 1}, {"get", cmd_get, "attach get", 0},
	    {"remove", cmd_remove, "attach remove", 0}, {"purge", cmd_purge, "attach purge", 0},
	    {"export", cmd_export, "attach export", 0}, {0, 0, 0, 0},
	};
	int code = kith_cli_dispatch(subs, argc, argv);
	if (code >= 0)
		return code;
	if (argc >= 2) {
		if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			fputs(help, stdout);
			return KITH_EXIT_OK;
		}
		return kith_cli_usage("attach", "unknown subcommand");
	}
	return kith_cli_usage("attach",
			      "give a subcommand: add, list, history, get, remove, purge or export");
}
