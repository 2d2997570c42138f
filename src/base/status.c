/*
 * status — error records and process set-up shared by every module.
 */
#include "base/status.h"

#include <gsl/gsl_errno.h>
#include <jansson.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

void kith_err_clear(struct kith_err *err)
{
	if (!err)
		return;
	err->status = 0;
	err->where[0] = '\0';
	err->msg[0] = '\0';
}

int kith_err_set(struct kith_err *err, int status, const char *where, const char *fmt, ...)
{
	if (!err)
		return status;
	err->status = status;
	snprintf(err->where, sizeof err->where, "%s", where ? where : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return status;
}

void kith_err_prefix_where(struct kith_err *err, const char *prefix)
{
	if (!err || !prefix || !*prefix)
		return;
	char old[KITH_ERR_WHERE_MAX];
	memcpy(old, err->where, sizeof old);
	if (old[0])
		snprintf(err->where, sizeof err->where, "%s:%s", prefix, old);
	else
		snprintf(err->where, sizeof err->where, "%s", prefix);
}

const char *kith_status_str(int status)
{
	switch (status) {
	case KITH_OK:
		return "ok";
	case KITH_E_INVALID:
		return "invalid input";
	case KITH_E_AUTH:
		return "wrong passphrase";
	case KITH_E_NOTFOUND:
		return "not found";
	case KITH_E_EXISTS:
		return "already exists";
	case KITH_E_CORRUPT:
		return "corrupted or tampered";
	case KITH_E_NOTVAULT:
		return "not a kith vault";
	case KITH_E_LIMIT:
		return "limit exceeded";
	case KITH_E_IO:
		return "i/o error";
	case KITH_E_NOMEM:
		return "out of memory";
	case KITH_E_CRYPTO:
		return "cryptography failure";
	case KITH_E_DB:
		return "database failure";
	case KITH_E_INTERNAL:
		return "internal error";
	case KITH_E_LOCKED:
		return "vault is locked";
	case KITH_E_CONSENT:
		return "consent does not allow this";
	case KITH_E_CANCELLED:
		return "cancelled";
	case KITH_E_DENIED:
		return "not allowed for this role";
	default:
		return "unknown error";
	}
}

/* jansson's free, replaced so that every JSON string and buffer (case bodies
 * are decrypted into jansson values) is wiped when freed. The allocation stays
 * plain malloc, so a string from json_dumps may still be released with free()
 * (which then does not wipe: callers wipe dumps of case data themselves). */
static void json_release(void *ptr)
{
	if (!ptr)
		return;
	sodium_memzero(ptr, malloc_usable_size(ptr));
	free(ptr);
}

static _Thread_local unsigned long json_failures;

/* jansson's malloc: counts the failures jansson itself may not report. */
static void *json_alloc(size_t n)
{
	void *p = malloc(n);
	if (!p)
		json_failures++;
	return p;
}

unsigned long kith_json_alloc_failures(void)
{
	return json_failures;
}

int kith_process_init(void)
{
	struct rlimit no_core = {0, 0};
	(void)setrlimit(RLIMIT_CORE, &no_core);
	/* not dumpable: no core file whatever the limit, and no ptrace or
	 * /proc/<pid>/mem by other processes of the same user */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	umask(077);
	gsl_set_error_handler_off();
	if (sodium_init() < 0)
		return KITH_E_CRYPTO;
	json_set_alloc_funcs(json_alloc, json_release);
	return KITH_OK;
}
