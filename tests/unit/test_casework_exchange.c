/* Unit tests of src/casework/exchange: import all or nothing, export with the
 * consent filter (every name here is invented). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/sbuf.h"
#include "base/status.h"
#include "casework/exchange.h"
#include "record/caseio.h"
#include "vault/vault.h"

#include "fixture_vault.h"

static int setup(void **state)
{
	struct fixture_vault *f = fixture_vault_new("exchange");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture_vault_free(*state);
	return 0;
}

/* Parses JSON Lines and imports them; returns the status. */
static int import(struct kith_vault *v, const char *jsonl, struct kith_exchange_import_result *res,
		  struct kith_err *err)
{
	json_t **bodies = NULL;
	size_t n = 0;
	int rc =
	    kith_caseio_parse(KITH_CASEIO_JSONL, "case", jsonl, strlen(jsonl), "t.jsonl", &bodies, &n, err);
	if (rc)
		return rc;
	rc = kith_exchange_import(v, bodies, n, "t.jsonl", NULL, NULL, res, err);
	kith_caseio_free(bodies, n);
	return rc;
}

static const char cases[] =
    "{\"ref\":\"C-1\",\"person\":{\"name\":\"한지영\"},\"consent\":{\"sharing\":true,\"reporting\":true},"
    "\"family\":[{\"relation\":\"child\",\"case\":\"C-2\"},{\"relation\":\"sibling\",\"name\":\"한명순\"}]}\n"
    "{\"ref\":\"C-2\",\"person\":{\"name\":\"한명철\"},\"consent\":{\"sharing\":false,\"reporting\":true},"
    "\"family\":[{\"relation\":\"mother\",\"case\":\"C-1\"}]}\n"
    "{\"ref\":\"C-3\",\"person\":{\"name\":\"Pak Un-hui\"}}\n";

static void test_import_all_or_nothing(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_err err;
	struct kith_exchange_import_result res;
	assert_int_equal(import(f->v, cases, &res, &err), KITH_OK);
	assert_int_equal(res.n, 3);
	assert_string_equal(res.first, "C-1");
	assert_string_equal(res.last, "C-3");
	/* a ref that exists, on the second record: nothing of the batch is written,
	 * and the error names the record by its place in the file */
	const char dup[] =
	    "{\"ref\":\"C-9\",\"person\":{\"name\":\"A\"}}\n{\"ref\":\"C-2\",\"person\":{\"name\":\"B\"}}\n";
	kith_err_clear(&err);
	assert_int_equal(import(f->v, dup, &res, &err), KITH_E_EXISTS);
	assert_non_null(strstr(err.where, "t.jsonl"));
	assert_non_null(strstr(err.where, "record 2"));
	size_t n = 0;
	(void)kith_vault_records(f->v, "case", &n);
	assert_int_equal(n, 3);
	assert_null(kith_vault_find(f->v, "case", "C-9"));
	/* nothing to import */
	assert_int_equal(kith_exchange_import(f->v, NULL, 0, "empty.csv", NULL, NULL, &res, &err),
			 KITH_E_INVALID);
}

static void test_export_consent(void **state)
{
	struct fixture_vault *f = *state;
	struct kith_err err;
	struct kith_exchange_import_result ir;
	assert_int_equal(import(f->v, cases, &ir, &err), KITH_OK);

	struct kith_sbuf out = KITH_SBUF_INIT;
	struct kith_exchange_export_result res;
	assert_int_equal(kith_exchange_export(f->v, NULL, &out, &res, &err), KITH_OK); /* every case */
	assert_int_equal(res.written, 3);
	assert_int_equal(res.left_out, 0);
	assert_non_null(strstr(out.buf, "\"C-2\""));
	kith_sbuf_reset(&out);

	struct kith_exchange_export_opts o = {.format = KITH_EXCHANGE_JSONL, .consent = "sharing"};
	assert_int_equal(kith_exchange_export(f->v, &o, &out, &res, &err), KITH_OK);
	assert_int_equal(res.written, 1);
	assert_int_equal(res.left_out, 2);
	assert_non_null(strstr(out.buf, "\"C-1\""));
	assert_null(strstr(out.buf, "C-2")); /* neither the case nor the link to it */
	assert_null(strstr(out.buf, "C-3")); /* consent not given is not consent */
	assert_null(strstr(out.buf, "child"));
	assert_non_null(strstr(out.buf, "한명순")); /* a described relative stays */
	kith_sbuf_reset(&out);

	o.consent = "reporting";
	o.format = KITH_EXCHANGE_CSV;
	assert_int_equal(kith_exchange_export(f->v, &o, &out, &res, &err), KITH_OK);
	assert_int_equal(res.written, 2);
	assert_non_null(strstr(out.buf, "C-1"));
	assert_non_null(strstr(out.buf, "C-2"));
	assert_null(strstr(out.buf, "C-3"));
	kith_sbuf_reset(&out);

	/* an unknown use is refused and the buffer stays as it was */
	assert_int_equal(kith_sbuf_adds(&out, "kept"), KITH_OK);
	o.consent = "gossip";
	assert_int_equal(kith_exchange_export(f->v, &o, &out, &res, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "consent");
	assert_int_equal(out.len, 4);
	assert_string_equal(out.buf, "kept");
	kith_sbuf_release(&out);

	assert_true(kith_exchange_consent_use_valid("tracing"));
	assert_false(kith_exchange_consent_use_valid("all"));
	assert_false(kith_exchange_consent_use_valid(NULL));
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_import_all_or_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_export_consent, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
