/* Unit tests of src/casework/propose: the one linkage pipeline of `kith link`
 * and POST /links/propose — settings into a configuration, CSV files into a
 * dataset, and proposals in a real (test-KDF) vault. Invented names only. */
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

#include "casework/linkvault.h"
#include "casework/propose.h"
#include "vault/vault.h"

#include "fixture_vault.h"

static char dir[64];
static char path[128], empty_path[128], csv_a[128], csv_b[128];
static const char pass[] = "correct horse battery staple";

static struct kith_vault *open_at(const char *p)
{
	struct kith_vault *v;
	struct kith_err err;
	int rc = kith_vault_open(&v, p, pass, strlen(pass), NULL, NULL, &err);
	if (rc)
		fail_msg("open: %s %s", err.where, err.msg);
	return v;
}

static void write_file(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/kith-propose-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/v.kith", dir);
	snprintf(empty_path, sizeof empty_path, "%s/e.kith", dir);
	snprintf(csv_a, sizeof csv_a, "%s/a.csv", dir);
	snprintf(csv_b, sizeof csv_b, "%s/b.csv", dir);
	struct kith_err err;
	struct kith_vault_create_opts co = {.kdf = KITH_KDF_TEST};
	assert_int_equal(kith_vault_create(path, pass, strlen(pass), &co, &err), KITH_OK);
	assert_int_equal(kith_vault_create(empty_path, pass, strlen(pass), &co, &err), KITH_OK);
	struct kith_vault *v = open_at(path);
	struct kith_vault_batch *b;
	assert_int_equal(kith_vault_batch_begin(v, &b, &err), KITH_OK);
	/* three people recorded twice by two organizations, and a crowd */
	fixture_vault_put_case(b, "C-1", "Anna Berg", "female", "1980", "ryanggang", "shelter");
	fixture_vault_put_case(b, "C-2", "Anna Berg", "female", "1980", "ryanggang", "police");
	fixture_vault_put_case(b, "C-3", "Carla Dahl", "female", "1975-03-02", "north_hamgyong", "shelter");
	fixture_vault_put_case(b, "C-4", "Karla Dahl", "female", "1975-03-02", "north_hamgyong", "police");
	fixture_vault_put_case(b, "C-5", "Eva Falk", "female", "1990", "chagang", "shelter");
	fixture_vault_put_case(b, "C-6", "Eva Falk", "female", "1990", "chagang", "church");
	fixture_vault_put_crowd(b);
	assert_int_equal(kith_vault_batch_commit(b, &err), KITH_OK);
	kith_vault_close(v);
	write_file(csv_a, "id,source,name,sex,birth_year\n"
			  "a1,A,Anna Berg,female,1980\n"
			  "a2,A,Gustav Holm,male,1960\n");
	write_file(csv_b, "id,source,name,sex,birth_year\n"
			  "b1,B,Anna Berg,female,1980\n"
			  "b2,B,Ivar Jung,male,1955\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Zero settings are the linkage defaults; set ones land in the configuration. */
static void test_config(void **state)
{
	(void)state;
	struct kith_err err;
	struct kith_linkcfg dflt, cfg;
	kith_linkcfg_init(&dflt);
	assert_int_equal(kith_propose_config(NULL, &cfg, &err), KITH_OK);
	assert_memory_equal(&cfg, &dflt, sizeof cfg);
	struct kith_propose_settings zero = {0};
	assert_int_equal(kith_propose_config(&zero, &cfg, &err), KITH_OK);
	assert_memory_equal(&cfg, &dflt, sizeof cfg);

	const char *blocks[] = {"surname", "birth_year~1 sex"};
	const char *train[] = {"name"};
	struct kith_propose_settings s = {.blocks = blocks,
					  .n_blocks = 2,
					  .train_blocks = train,
					  .n_train_blocks = 1,
					  .threshold = 0.7,
					  .review_threshold = 0.2,
					  .max_pairs = 1000,
					  .train_records = 500,
					  .have_seed = 1,
					  .seed = 0,
					  .mode = KITH_LINKCFG_LINK,
					  .mode_set = 1};
	assert_int_equal(kith_propose_config(&s, &cfg, &err), KITH_OK);
	assert_int_equal(cfg.n_rules, 2);
	assert_string_equal(cfg.rules[1].text, "birth_year~1 sex");
	assert_int_equal(cfg.n_train_rules, 1);
	assert_true(cfg.threshold == 0.7 && cfg.review_threshold == 0.2);
	assert_int_equal(cfg.max_pairs, 1000);
	assert_int_equal(cfg.train_records, 500);
	assert_int_equal(cfg.seed, 0);
	assert_int_equal(cfg.mode, KITH_LINKCFG_LINK);

	/* a bad rule: the error names which one */
	const char *bad[] = {"surname", "no_such_thing"};
	struct kith_propose_settings sb = {.blocks = bad, .n_blocks = 2};
	kith_err_clear(&err);
	assert_int_equal(kith_propose_config(&sb, &cfg, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "--block 2");
	struct kith_propose_settings st = {.train_blocks = bad, .n_train_blocks = 2};
	assert_int_equal(kith_propose_config(&st, &cfg, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "--train-block 2");
	/* more rules than a configuration holds */
	const char *many[KITH_LINKCFG_MAX_RULES + 1];
	for (size_t i = 0; i <= KITH_LINKCFG_MAX_RULES; i++)
		many[i] = "surname";
	struct kith_propose_settings sm = {.blocks = many, .n_blocks = KITH_LINKCFG_MAX_RULES + 1};
	assert_int_equal(kith_propose_config(&sm, &cfg, &err), KITH_E_INVALID);
	/* a configuration file that is not there */
	struct kith_propose_settings sf = {.config = "/nonexistent/kith-link.cfg"};
	assert_true(kith_propose_config(&sf, &cfg, &err) < 0);
}

/* CSV files become one finished dataset; a bad input names itself. */
static void test_files(void **state)
{
	(void)state;
	struct kith_err err;
	struct kith_linkcfg cfg;
	kith_linkcfg_init(&cfg);
	struct kith_dataset *ds = NULL;
	const char *files[] = {csv_a, csv_b};
	assert_int_equal(kith_propose_files_dataset(&cfg, files, 2, &ds, &err), KITH_OK);
	assert_int_equal(kith_dataset_count(ds), 4);
	assert_int_equal(kith_dataset_n_sources(ds), 2);
	assert_true(kith_dataset_find(ds, "b1") >= 0);

	/* --count: the default rules when the configuration has none */
	struct kith_block_report rep[KITH_LINKCFG_MAX_RULES];
	size_t nr = 0;
	assert_int_equal(kith_propose_count(ds, rep, &nr, &err), KITH_OK);
	assert_true(nr >= 1);
	assert_true(rep[0].rule[0] != '\0');
	assert_true(rep[0].candidates >= 1); /* the two Anna Bergs share a name key */

	struct kith_link_result r;
	struct kith_propose_settings s = {.threads = 1};
	assert_int_equal(kith_propose_link(ds, &s, &r, &err), KITH_OK);
	assert_int_equal(r.n_records, 4);
	kith_link_result_release(&r);
	kith_dataset_free(ds);

	/* a rule that compares too many pairs is refused, naming it */
	struct kith_linkcfg tight;
	const char *all[] = {"all"};
	struct kith_propose_settings st = {.blocks = all, .n_blocks = 1, .max_pairs = 2};
	assert_int_equal(kith_propose_config(&st, &tight, &err), KITH_OK);
	assert_int_equal(kith_propose_files_dataset(&tight, files, 2, &ds, &err), KITH_OK);
	kith_err_clear(&err);
	assert_int_equal(kith_propose_count(ds, rep, &nr, &err), KITH_E_LIMIT);
	assert_int_equal(nr, 1);
	kith_dataset_free(ds);

	ds = (struct kith_dataset *)1; /* untouched on failure */
	assert_int_equal(kith_propose_files_dataset(&cfg, files, 0, &ds, &err), KITH_E_INVALID);
	const char *missing[] = {csv_a, "/nonexistent/list.csv"};
	kith_err_clear(&err);
	assert_true(kith_propose_files_dataset(&cfg, missing, 2, &ds, &err) < 0);
	assert_string_equal(err.where, "/nonexistent/list.csv");
	assert_ptr_equal(ds, (struct kith_dataset *)1);
}

/* The share of matches is a warning only when the model takes (nearly) every
 * compared pair of a hundred or more for a match. */
static void test_match_share(void **state)
{
	(void)state;
	struct kith_link_result r;
	memset(&r, 0, sizeof r);
	r.n_pairs = 200;
	r.model.expected_matches = 196;
	assert_true(kith_propose_match_share(&r) > 0.97 && kith_propose_match_share(&r) < 0.99);
	r.model.expected_matches = 20;
	assert_true(kith_propose_match_share(&r) == 0);
	r.n_pairs = 50; /* too few to say */
	r.model.expected_matches = 50;
	assert_true(kith_propose_match_share(&r) == 0);
}

/* The pipeline over a vault: proposals once, the same with any thread
 * count, nothing for a vault of fewer than two cases, nothing written on
 * a refusal. */
static void test_vault(void **state)
{
	(void)state;
	struct kith_err err;
	struct kith_vault *v = open_at(path);
	struct kith_propose_result res;

	/* no reviewer: refused, nothing written */
	uint64_t gen = kith_vault_generation(v);
	kith_err_clear(&err);
	assert_int_equal(kith_propose_vault(v, NULL, NULL, &res, &err), KITH_E_INVALID);
	assert_string_equal(err.where, "reviewer");
	/* a bad setting: refused before anything runs */
	const char *bad[] = {"no_such_thing"};
	struct kith_propose_settings sb = {.blocks = bad, .n_blocks = 1};
	assert_int_equal(kith_propose_vault(v, &sb, "tester", &res, &err), KITH_E_INVALID);
	assert_int_equal(kith_vault_generation(v), gen);

	struct kith_propose_settings s1 = {.threads = 1};
	memset(&res, 0xff, sizeof res);
	assert_int_equal(kith_propose_vault(v, &s1, "tester", &res, &err), KITH_OK);
	assert_int_equal(res.cases, 46);
	assert_true(res.proposed >= 3);
	assert_int_equal(res.already_known, 0);
	assert_true(res.persons >= 3 && res.persons <= 43);
	assert_true(res.match_share == 0);
	size_t first = res.proposed;

	/* again, on two threads: the same persons, all of them known now */
	struct kith_propose_settings s2 = {.threads = 2};
	struct kith_propose_result again;
	assert_int_equal(kith_propose_vault(v, &s2, "tester", &again, &err), KITH_OK);
	assert_int_equal(again.proposed, 0);
	assert_int_equal(again.already_known, first);
	assert_int_equal(again.persons, res.persons);

	/* the proposals are links for review, by the reviewer given */
	json_t *links = NULL;
	assert_int_equal(kith_link_vault_links_json(v, "proposed", 0, NULL, &links, &err), KITH_OK);
	assert_int_equal(json_array_size(links), first);
	assert_string_equal(json_string_value(json_object_get(json_array_get(links, 0), "reviewer")),
			    "tester");
	json_decref(links);
	kith_vault_close(v);

	/* an empty vault: nothing to link, nothing written */
	v = open_at(empty_path);
	gen = kith_vault_generation(v);
	assert_int_equal(kith_propose_vault(v, NULL, "tester", &res, &err), KITH_OK);
	assert_int_equal(res.cases, 0);
	assert_int_equal(res.proposed, 0);
	assert_int_equal(res.persons, 0);
	assert_int_equal(kith_vault_generation(v), gen);
	kith_vault_close(v);
}

int main(void)
{
	if (kith_process_init())
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config),
	    cmocka_unit_test(test_files),
	    cmocka_unit_test(test_match_share),
	    cmocka_unit_test(test_vault),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
