/*
 * fuzz_imgstrip — the photo metadata stripper (record/imgstrip.c) on hostile
 * JPEG and PNG bytes. The first input byte picks the format (bit 0: JPEG or
 * PNG, whatever the bytes say) and how the rest is split into feeds (the
 * state machine must take any split). Properties beyond "no crash, no
 * leak": every failure is KITH_E_INVALID with where "photo"; the output is
 * never larger than the input; and a stripped photo is a fixed point —
 * stripping it again succeeds, drops nothing and gives the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record/imgstrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct out {
	uint8_t *p;
	size_t n, cap;
};

static int emit(void *arg, const uint8_t *p, size_t n)
{
	struct out *o = arg;
	if (o->n + n > o->cap) {
		size_t cap = (o->n + n) * 2 + 64;
		uint8_t *q = realloc(o->p, cap);
		if (!q)
			return KITH_E_NOMEM;
		o->p = q;
		o->cap = cap;
	}
	memcpy(o->p + o->n, p, n);
	o->n += n;
	return KITH_OK;
}

/* Strips in[0..n) fed in pieces of `step` bytes (0: one feed). */
static int strip(enum kith_imgstrip_kind kind, const uint8_t *in, size_t n, size_t step, struct out *o,
		 size_t *dropped)
{
	struct kith_imgstrip *s = NULL;
	struct kith_err err;
	kith_err_clear(&err);
	if (kith_imgstrip_new(&s, kind, emit, o, &err))
		abort();
	int rc = KITH_OK;
	for (size_t i = 0; i < n && !rc; i += step ? step : n)
		rc = kith_imgstrip_feed(s, in + i, step && n - i > step ? step : n - i, &err);
	if (!rc)
		rc = kith_imgstrip_finish(s, &err);
	if (rc && (rc != KITH_E_INVALID || strcmp(err.where, "photo") || !err.msg[0]))
		abort();
	*dropped = kith_imgstrip_dropped(s);
	kith_imgstrip_free(s);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum kith_imgstrip_kind kind = data[0] & 1 ? KITH_IMGSTRIP_PNG : KITH_IMGSTRIP_JPEG;
	size_t step = data[0] >> 1; /* 0: whole; else pieces of 1..127 bytes */
	const uint8_t *in = data + 1;
	size_t n = size - 1;
	(void)kith_imgstrip_sniff(in, n, NULL);
	struct out a = {0}, b = {0};
	size_t dropped = 0;
	if (strip(kind, in, n, step, &a, &dropped) == KITH_OK) {
		if (a.n > n)
			abort();
		size_t again = 0;
		if (strip(kind, a.p, a.n, 0, &b, &again) != KITH_OK || b.n != a.n || memcmp(a.p, b.p, a.n) ||
		    again != 0)
			abort();
	}
	free(a.p);
	free(b.p);
	return 0;
}
