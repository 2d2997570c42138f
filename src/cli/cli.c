/*
 * cli — shared plumbing of the `kith` commands: exit codes, error printing,
 * passphrases, progress lines.
 */
#include "cli/cli.h"

#include "casework/people.h"

#include <jansson.h>

#include "vault/vault.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define PASS_MAX 1024

int kith_cli_exit_code(int status)
{
	switch (status) {
	case KITH_OK:
		return KITH_EXIT_OK;
	case KITH_E_INVALID:
	case KITH_E_AUTH:
	case KITH_E_NOTFOUND:
	case KITH_E_EXISTS:
	case KITH_E_CORRUPT:
	case KITH_E_NOTVAULT:
	case KITH_E_LIMIT:
	case KITH_E_LOCKED:
	case KITH_E_CONSENT:
	case KITH_E_CANCELLED:
	case KITH_E_DENIED:
		return KITH_EXIT_USER;
	case KITH_E_IO:
		return KITH_EXIT_IO;
	default:
		return KITH_EXIT_INTERNAL;
	}
}

void kith_cli_print_err(const struct kith_err *err)
{
	const char *msg =
	    err && err->msg[0] ? err->msg : kith_status_str(err ? err->status : KITH_E_INTERNAL);
	if (err && err->where[0])
		fprintf(stderr, "kith: %s: %s\n", err->where, msg);
	else
		fprintf(stderr, "kith: %s\n", msg);
}

int kith_cli_fail(int status, const struct kith_err *err)
{
	struct kith_err e;
	if (err && err->status) {
		e = *err;
	} else {
		kith_err_clear(&e);
		e.status = status;
		if (err)
			memcpy(e.where, err->where, sizeof e.where);
		if (err && err->msg[0])
			memcpy(e.msg, err->msg, sizeof e.msg);
	}
	kith_cli_print_err(&e);
	return kith_cli_exit_code(e.status ? e.status : status);
}

int kith_cli_usage(const char *cmd, const char *fmt, ...)
{
	fprintf(stderr, "kith %s: ", cmd);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ntry 'kith %s --help'\n", cmd);
	return KITH_EXIT_USAGE;
}

int kith_cli_dispatch(const struct kith_cli_sub *subs, int argc, char **argv)
{
	if (argc < 2)
		return -1;
	for (const struct kith_cli_sub *s = subs; s->word; s++)
		if (!strcmp(argv[1], s->word))
			return s->run(argc - 1, argv + 1, s);
	return -1;
}

void kith_cli_getopt_reset(void)
{
	optind = 0; /* GNU: 0 re-initializes the scanner */
	opterr = 1;
}

int kith_cli_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	if (!s || !*s || s[strspn(s, " \t\n\v\f\r")] == '-') /* strtoull would negate " -1" */
		return KITH_E_INVALID;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return KITH_E_INVALID;
	*out = v;
	return KITH_OK;
}

int kith_cli_parse_double(const char *s, double lo, double hi, double *out)
{
	if (!s || !*s)
		return KITH_E_INVALID;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		return KITH_E_INVALID;
	*out = v == 0 ? 0.0 : v; /* -0 */
	return KITH_OK;
}

const char *kith_cli_vault_path(const char *flag)
{
	if (flag && *flag)
		return flag;
	const char *env = getenv("KITH_VAULT");
	return env && *env ? env : NULL;
}

static int read_line_fd(int fd, char *buf, size_t cap, size_t *len)
{
	size_t n = 0;
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0 || c == '\n')
			break;
		if (n + 1 >= cap)
			return -2;
		buf[n++] = c;
	}
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return 0;
}

int kith_cli_read_pass(const char *file, const char *prompt, char **pass, size_t *len, struct kith_err *err)
{
	char *buf = sodium_malloc(PASS_MAX);
	if (!buf)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	size_t n = 0;
	int rc;
	if (file) {
		int fd = strcmp(file, "-") == 0 ? STDIN_FILENO : open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			sodium_free(buf);
			return kith_err_set(err, e == ENOENT ? KITH_E_NOTFOUND : KITH_E_IO, file,
					    "cannot open passphrase file: %s", strerror(e));
		}
		rc = read_line_fd(fd, buf, PASS_MAX, &n);
		if (fd != STDIN_FILENO)
			close(fd);
		if (rc) {
			sodium_free(buf);
			return kith_err_set(err, rc == -2 ? KITH_E_LIMIT : KITH_E_IO, file,
					    rc == -2 ? "passphrase longer than %d bytes"
						     : "cannot read passphrase file",
					    PASS_MAX - 1);
		}
	} else {
		int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			sodium_free(buf);
			return kith_err_set(
			    err, KITH_E_INVALID, NULL,
			    "no terminal to ask for the passphrase: use --passphrase-file FILE");
		}
		struct termios old, quiet;
		int have_tty = tcgetattr(fd, &old) == 0;
		if (have_tty) {
			quiet = old;
			quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHONL);
			quiet.c_lflag |= ICANON;
			tcsetattr(fd, TCSAFLUSH, &quiet);
		}
		if (write(fd, prompt, strlen(prompt)) < 0) {
			/* the prompt is a courtesy; reading still works */
		}
		rc = read_line_fd(fd, buf, PASS_MAX, &n);
		if (have_tty)
			tcsetattr(fd, TCSAFLUSH, &old);
		if (write(fd, "\n", 1) < 0) {
			/* as above */
		}
		close(fd);
		if (rc) {
			sodium_free(buf);
			return kith_err_set(err, rc == -2 ? KITH_E_LIMIT : KITH_E_IO, NULL,
					    rc == -2 ? "passphrase longer than %d bytes"
						     : "cannot read the passphrase",
					    PASS_MAX - 1);
		}
	}
	if (n == 0) {
		sodium_free(buf);
		return kith_err_set(err, KITH_E_INVALID, file, "empty passphrase");
	}
	*pass = buf;
	*len = n;
	return KITH_OK;
}

int kith_cli_read_new_pass(const char *file, const char *prompt, char **pass, size_t *len,
			   struct kith_err *err)
{
	char *p = NULL, *again = NULL;
	size_t pl = 0, al = 0;
	int rc = kith_cli_read_pass(file, prompt, &p, &pl, err);
	if (!rc && !file) {
		rc = kith_cli_read_pass(NULL, "again: ", &again, &al, err);
		if (!rc && (al != pl || sodium_memcmp(p, again, pl) != 0))
			rc = kith_err_set(err, KITH_E_INVALID, NULL,
					  "the two passphrases differ; nothing changed");
		kith_cli_pass_free(again, al);
	}
	if (rc) {
		kith_cli_pass_free(p, pl);
		return rc;
	}
	*pass = p;
	*len = pl;
	return KITH_OK;
}

void kith_cli_pass_free(char *pass, size_t len)
{
	(void)len;
	if (pass)
		sodium_free(pass); /* sodium_free wipes */
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void kith_cli_progress_init(struct kith_cli_progress *p, const char *label)
{
	p->label = label;
	p->enabled = isatty(STDERR_FILENO) && !getenv("KITH_NO_PROGRESS");
	p->last = 0;
}

void kith_cli_progress_update(struct kith_cli_progress *p, size_t done, size_t total)
{
	if (!p->enabled)
		return;
	double t = now_seconds();
	if (done != total && t - p->last < 0.1)
		return;
	p->last = t;
	if (total)
		fprintf(stderr, "\r%s  %zu / %zu  %3.0f%%", p->label, done, total,
			100.0 * (double)done / (double)total);
	else
		fprintf(stderr, "\r%s  %zu", p->label, done);
	fflush(stderr);
}

void kith_cli_progress_done(struct kith_cli_progress *p)
{
	if (p->enabled && p->last > 0)
		fputc('\n', stderr);
	p->last = 0;
}

int kith_cli_vault_arg(struct kith_cli_vault_args *a, int opt, const char *arg)
{
	if (opt == KITH_CLI_OPT_VAULT) {
		a->vault = arg;
		return 1;
	}
	if (opt == KITH_CLI_OPT_PASSFILE) {
		a->passfile = arg;
		return 1;
	}
	return 0;
}

int kith_cli_getopt(const char *cmd, const char *help, int argc, char **argv, const char *shortopts,
		    const struct option *longopts, struct kith_cli_common *common, kith_cli_opt_fn own,
		    void *args)
{
	int opt;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (kith_cli_vault_arg(&common->va, opt, optarg))
			continue;
		int code = 0;
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		case 'j':
			common->json = 1;
			break;
		case KITH_CLI_OPT_NOTE:
			common->note = optarg;
			break;
		case KITH_CLI_OPT_REVIEWER:
			common->reviewer = optarg;
			break;
		default:
			code = own(args, cmd, opt, optarg);
		}
		if (code)
			return code;
	}
	common->pos = argv + optind;
	common->n_pos = (size_t)(argc - optind);
	return -1;
}

static void open_progress(size_t done, size_t total, void *arg)
{
	kith_cli_progress_update(arg, done, total);
}

int kith_cli_open_vault(const char *cmd, const struct kith_cli_vault_args *a, struct kith_vault **out)
{
	const char *path = kith_cli_vault_path(a->vault);
	if (!path)
		return kith_cli_usage(cmd, "no vault: give --vault PATH or set KITH_VAULT");
	struct kith_err err;
	kith_err_clear(&err);
	char *pass = NULL;
	size_t len = 0;
	int rc = kith_cli_read_pass(a->passfile, "passphrase: ", &pass, &len, &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	struct kith_cli_progress p;
	kith_cli_progress_init(&p, "unlocking");
	struct kith_vault_open_opts oo = {
	    .threads = kith_cli_threads(), .progress = open_progress, .progress_arg = &p};
	rc = kith_vault_open_with(out, path, pass, len, &oo, &err);
	kith_cli_progress_done(&p);
	kith_cli_pass_free(pass, len);
	if (rc) {
		if (rc == KITH_E_AUTH && !err.msg[0])
			kith_err_set(&err, rc, path, "wrong passphrase");
		return kith_cli_fail(rc, &err);
	}
	if ((rc = kith_people_allow_command(*out, cmd, &err))) { /* casework/people.h: the role */
		kith_vault_close(*out);
		*out = NULL;
		return kith_cli_fail(rc, &err);
	}
	struct kith_vault_info info;
	kith_vault_info(*out, &info);
	if (info.missing)
		fprintf(stderr,
			"kith: error: the vault file is damaged: %zu record%s could not be read, so what "
			"follows is incomplete and nothing can be written; restore the file from a copy\n",
			info.missing, info.missing == 1 ? "" : "s");
	for (size_t i = 0; i < info.integrity; i++) /* format 2: the signed batches' check */
		fprintf(stderr, "kith: error: the vault file is damaged: %s\n",
			kith_vault_integrity(*out, i));
	if (info.devices_refused)
		fprintf(stderr,
			"kith: warning: %zu device%s in the file %s not enrolled by the organization key: "
			"%s records are reported as damaged\n",
			info.devices_refused, info.devices_refused == 1 ? "" : "s",
			info.devices_refused == 1 ? "is" : "are",
			info.devices_refused == 1 ? "its" : "their");
	if (info.devices_trusted)
		fprintf(stderr,
			"kith: note: device enrolment is now signed by the organization key; the %zu other "
			"device%s this vault held %s trusted as found\n",
			info.devices_trusted, info.devices_trusted == 1 ? "" : "s",
			info.devices_trusted == 1 ? "was" : "were");
	return KITH_EXIT_OK;
}

int kith_cli_open_operands(const char *cmd, const struct kith_cli_common *common, size_t n, const char *what,
			   struct kith_vault **v)
{
	if (common->n_pos != n)
		return kith_cli_usage(cmd, "%s", what);
	int code = kith_cli_open_vault(cmd, &common->va, v);
	return code ? code : -1;
}

int kith_cli_damage_exit(const struct kith_vault *v)
{
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	return info.missing || info.integrity ? KITH_EXIT_IO : KITH_EXIT_OK;
}

int kith_cli_print_json(const json_t *j)
{
	if (json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) || fputc('\n', stdout) == EOF ||
	    fflush(stdout)) {
		fprintf(stderr, "kith: cannot write to standard output\n");
		return KITH_EXIT_IO;
	}
	return KITH_EXIT_OK;
}

int kith_cli_print_json_new(json_t *j)
{
	if (!j)
		return kith_cli_fail(KITH_E_NOMEM, NULL);
	int code = kith_cli_print_json(j);
	json_decref(j);
	return code;
}

void kith_cli_report_damage(const struct kith_vault *v)
{
	size_t n = 0;
	const struct kith_vault_damage *d = kith_vault_damaged(v, &n);
	for (size_t i = 0; i < n; i++) {
		if (d[i].ref[0])
			fprintf(stderr,
				"kith: warning: record %s (id %s) version %u failed verification: %s\n",
				d[i].ref, d[i].id, d[i].version, d[i].reason);
		else
			fprintf(stderr, "kith: warning: record id %s version %u failed verification: %s\n",
				d[i].id, d[i].version, d[i].reason);
	}
}

void kith_cli_format_time(long long t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(out, outsz, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(out, outsz, "%lld", t);
}

const char *kith_cli_reviewer(const char *given)
{
	if (given && *given)
		return given;
	static const char *const vars[] = {"KITH_REVIEWER", "USER", "LOGNAME"};
	for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
		const char *e = getenv(vars[i]);
		if (e && *e)
			return e;
	}
	return "unknown";
}

static int read_opt(void *args, const char *cmd, int opt, const char *arg)
{
	struct kith_cli_read_args *a = args;
	if (opt == 'k')
		a->kind = arg;
	else if (opt == 'w')
		a->views = 1;
	else
		return kith_cli_usage(cmd, "unknown option");
	return 0;
}

int kith_cli_read_args(const char *cmd, const char *help, int argc, char **argv,
		       struct kith_cli_read_args *out)
{
	static const struct option longopts[] = {
	    KITH_CLI_COMMON_LONGOPTS,
	    {"kind", required_argument, 0, 'k'},
	    {"views", no_argument, 0, 'w'},
	    {0, 0, 0, 0},
	};
	*out = (struct kith_cli_read_args){.kind = "case"};
	struct kith_cli_common c = {0};
	int code = kith_cli_getopt(cmd, help, argc, argv, "hjk:", longopts, &c, read_opt, out);
	out->va = c.va;
	out->json = c.json;
	return code;
}

unsigned kith_cli_threads(void)
{
	const char *env = getenv("KITH_THREADS");
	if (!env || !*env)
		return 0;
	char *end;
	long t = strtol(env, &end, 10);
	return *end == '\0' && t > 0 && t <= 1024 ? (unsigned)t : 0;
}
