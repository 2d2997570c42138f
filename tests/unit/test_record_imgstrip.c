/* Unit tests of src/record/imgstrip: what is kept and what is dropped in a
 * JPEG and a PNG, any split of the input, refused and malformed photos, and
 * the test photos of data/attach (gps.* stripped == clean.*). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "record/imgstrip.h"

struct out {
	uint8_t p[1 << 16];
	size_t n;
};

static int emit(void *arg, const uint8_t *p, size_t n)
{
	struct out *o = arg;
	if (o->n + n > sizeof o->p)
		return KITH_E_LIMIT;
	memcpy(o->p + o->n, p, n);
	o->n += n;
	return KITH_OK;
}

static int strip(enum kith_imgstrip_kind kind, const uint8_t *in, size_t n, size_t step, struct out *o,
		 struct kith_err *err, size_t *dropped)
{
	struct kith_imgstrip *s = NULL;
	o->n = 0;
	assert_int_equal(kith_imgstrip_new(&s, kind, emit, o, err), KITH_OK);
	int rc = KITH_OK;
	for (size_t i = 0; i < n && !rc; i += step)
		rc = kith_imgstrip_feed(s, in + i, n - i < step ? n - i : step, err);
	if (!rc)
		rc = kith_imgstrip_finish(s, err);
	if (dropped)
		*dropped = kith_imgstrip_dropped(s);
	kith_imgstrip_free(s);
	return rc;
}

static int contains(const uint8_t *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (!memcmp(p + i, needle, k))
			return 1;
	return 0;
}

static uint8_t *slurp(const char *name, size_t *n)
{
	const char *root = getenv("KITH_SOURCE");
	char p[1024];
	snprintf(p, sizeof p, "%s/data/attach/%s", root ? root : ".", name);
	FILE *f = fopen(p, "rb");
	if (!f)
		fail_msg("cannot open %s", p);
	static uint8_t buf[4][1 << 16];
	static int k;
	uint8_t *b = buf[k++ % 4];
	*n = fread(b, 1, sizeof buf[0], f);
	fclose(f);
	return b;
}

/* A minimal JPEG: SOI, APP0 JFIF, APP1 Exif, COM, DQT, SOS with a scan that
 * holds FF00 and a RST (EOI and a trailer are added by the test). */
static const uint8_t mini_jpeg[] = {
    0xFF, 0xD8,								 /* SOI */
    0xFF, 0xE0, 0x00, 0x07, 'J',  'F',	'I',  'F', 0x00,		 /* APP0 JFIF (kept) */
    0xFF, 0xE1, 0x00, 0x0A, 'E',  'x',	'i',  'f', 0x00, 0x00, 'G', 'P', /* APP1 (dropped) */
    0xFF, 0xFE, 0x00, 0x05, 'c',  'a',	'm',				 /* COM (dropped) */
    0xFF, 0xDB, 0x00, 0x04, 0x01, 0x02,					 /* DQT (kept) */
    0xFF, 0xDA, 0x00, 0x03, 0x01,					 /* SOS (kept) */
    0x11, 0xFF, 0x00, 0x22, 0xFF, 0xD3, 0x33,				 /* scan */
};

static void test_jpeg_kept_and_dropped(void **state)
{
	(void)state;
	uint8_t in[128];
	size_t n = sizeof mini_jpeg;
	memcpy(in, mini_jpeg, n);
	const uint8_t tail[] = {0xFF, 0xD9, 'X', 'Y', 'Z'};
	memcpy(in + n, tail, sizeof tail);
	n += sizeof tail;
	const uint8_t want[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x07, 'J',  'F',	'I',  'F',  0x00,
				0xFF, 0xDB, 0x00, 0x04, 0x01, 0x02, 0xFF, 0xDA, 0x00, 0x03, 0x01,
				0x11, 0xFF, 0x00, 0x22, 0xFF, 0xD3, 0x33, 0xFF, 0xD9};
	struct out o;
	struct kith_err err;
	for (size_t step = 1; step <= n; step++) { /* every split of the input */
		size_t dropped = 0;
		kith_err_clear(&err);
		assert_int_equal(strip(KITH_IMGSTRIP_JPEG, in, n, step, &o, &err, &dropped), KITH_OK);
		assert_int_equal(o.n, sizeof want);
		assert_memory_equal(o.p, want, sizeof want);
		assert_int_equal(dropped, 3); /* APP1, COM, the trailer */
	}
}

static void test_jpeg_malformed(void **state)
{
	(void)state;
	struct out o;
	struct kith_err err;
	static const struct {
		const uint8_t b[16];
		size_t n;
		const char *msg;
	} bad[] = {
	    {{0x00, 0xD8}, 2, "not a JPEG"},
	    {{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01}, 6, "shorter than its length"},
	    {{0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 'E'}, 7, "ends early"},
	    {{0xFF, 0xD8, 0xFF, 0xD8}, 4, "second start of image"},
	    {{0xFF, 0xD8, 0xFF, 0xD9}, 4, "before any scan"},
	    {{0xFF, 0xD8, 0x12}, 3, "a marker was expected"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		kith_err_clear(&err);
		assert_int_equal(strip(KITH_IMGSTRIP_JPEG, bad[i].b, bad[i].n, 1, &o, &err, NULL),
				 KITH_E_INVALID);
		assert_string_equal(err.where, "photo");
		if (!strstr(err.msg, bad[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].msg);
		assert_non_null(strstr(err.msg, "byte "));
	}
}

static void test_png_chunks(void **state)
{
	(void)state;
	size_t ng = 0, nc = 0;
	const uint8_t *g = slurp("gps.png", &ng), *c = slurp("clean.png", &nc);
	struct out o;
	struct kith_err err;
	size_t dropped = 0;
	for (size_t step = 1; step < 40; step += 7) {
		assert_int_equal(strip(KITH_IMGSTRIP_PNG, g, ng, step, &o, &err, &dropped), KITH_OK);
		assert_int_equal(o.n, nc);
		assert_memory_equal(o.p, c, nc);
		assert_int_equal(dropped, 3); /* eXIf, tEXt, iTXt */
	}
	/* an unknown critical chunk, a first chunk that is not IHDR, a cut */
	const uint8_t crit[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0,
				0,    0,   'A', 'B', 'C',  'D',	 0,    0,    0, 0};
	assert_int_equal(strip(KITH_IMGSTRIP_PNG, crit, sizeof crit, 3, &o, &err, NULL), KITH_E_INVALID);
	assert_non_null(strstr(err.msg, "IHDR"));
	assert_int_equal(strip(KITH_IMGSTRIP_PNG, g, ng - 5, 64, &o, &err, NULL), KITH_E_INVALID);
	assert_non_null(strstr(err.msg, "ends early"));
}

static void test_data_photos(void **state)
{
	(void)state;
	size_t ng = 0, nc = 0;
	const uint8_t *g = slurp("gps.jpg", &ng), *c = slurp("clean.jpg", &nc);
	struct out o;
	struct kith_err err;
	assert_int_equal(kith_imgstrip_sniff(g, ng, NULL), KITH_IMGSTRIP_JPEG);
	assert_int_equal(strip(KITH_IMGSTRIP_JPEG, g, ng, 4096, &o, &err, NULL), KITH_OK);
	assert_int_equal(o.n, nc);
	assert_memory_equal(o.p, c, nc);
	/* nothing of the GPS block, the XMP or the comment is left */
	assert_false(contains(o.p, o.n, "Exif"));
	assert_false(contains(o.p, o.n, "GPSLatitude"));
	assert_false(contains(o.p, o.n, "KITH-TEST-LOCATION"));
}

static void test_sniff(void **state)
{
	(void)state;
	const char *what = NULL;
	assert_int_equal(kith_imgstrip_sniff((const uint8_t *)"\0\0\0\x18"
							      "ftypheic\0\0\0\0",
					     16, &what),
			 KITH_IMGSTRIP_REFUSED);
	assert_string_equal(what, "HEIC/HEIF or AVIF");
	assert_int_equal(kith_imgstrip_sniff((const uint8_t *)"II*\0\x08\0\0\0", 8, &what),
			 KITH_IMGSTRIP_REFUSED);
	assert_int_equal(kith_imgstrip_sniff((const uint8_t *)"RIFF\0\0\0\0WEBPVP8 ", 16, &what),
			 KITH_IMGSTRIP_REFUSED);
	assert_int_equal(kith_imgstrip_sniff((const uint8_t *)"GIF89a", 6, &what), KITH_IMGSTRIP_REFUSED);
	assert_int_equal(kith_imgstrip_sniff((const uint8_t *)"%PDF-1.7\n", 9, &what), KITH_IMGSTRIP_OTHER);
	assert_int_equal(kith_imgstrip_sniff((const uint8_t *)"", 0, &what), KITH_IMGSTRIP_OTHER);
	struct kith_imgstrip *s = NULL;
	struct kith_err err;
	assert_int_equal(kith_imgstrip_new(&s, KITH_IMGSTRIP_OTHER, emit, NULL, &err), KITH_E_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_jpeg_kept_and_dropped),
	    cmocka_unit_test(test_jpeg_malformed),
	    cmocka_unit_test(test_png_chunks),
	    cmocka_unit_test(test_data_photos),
	    cmocka_unit_test(test_sniff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
