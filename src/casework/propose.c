/*
 * propose — the one linkage pipeline (propose.h): the settings become a
 * configuration, the input a dataset (CSV files or the vault's cases), the
 * run a result, and in a vault the result proposed links for review.
 */
#include "casework/propose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/io.h"
#include "base/sbuf.h"
#include "casework/linkvault.h"

static int rules_parse(struct kith_linkcfg_rule *out, size_t *n_out, const char *const *texts, size_t n,
		       const char *what, struct kith_err *err)
{
	if (n > KITH_LINKCFG_MAX_RULES)
		return kith_err_set(err, KITH_E_INVALID, what, "at most %d rules", KITH_LINKCFG_MAX_RULES);
	for (size_t i = 0; i < n; i++) {
		int rc = kith_linkcfg_rule_parse(&out[i], texts[i] ? texts[i] : "", err);
		if (rc) {
			if (err)
				snprintf(err->where, sizeof err->where, "%s %zu", what, i + 1);
			return rc;
		}
	}
	*n_out = n;
	return KITH_OK;
}

int kith_propose_config(const struct kith_propose_settings *s, struct kith_linkcfg *cfg, struct kith_err *err)
{
	static const struct kith_propose_settings none;
	if (!s)
		s = &none;
	kith_linkcfg_init(cfg);
	if (s->config) {
		int rc = kith_linkcfg_load(cfg, s->config, err);
		if (rc)
			return rc;
	}
	if (s->n_blocks) {
		int rc = rules_parse(cfg->rules, &cfg->n_rules, s->blocks, s->n_blocks, "--block", err);
		if (rc)
			return rc;
	}
	if (s->n_train_blocks) {
		int rc = rules_parse(cfg->train_rules, &cfg->n_train_rules, s->train_blocks,
				     s->n_train_blocks, "--train-block", err);
		if (rc)
			return rc;
	}
	if (s->train_records)
		cfg->train_records = s->train_records;
	if (s->threshold > 0)
		cfg->threshold = s->threshold;
	if (s->review_threshold > 0)
		cfg->review_threshold = s->review_threshold;
	if (s->max_pairs)
		cfg->max_pairs = s->max_pairs;
	if (s->have_seed)
		cfg->seed = s->seed;
	if (s->mode_set)
		cfg->mode = s->mode;
	return KITH_OK;
}

int kith_propose_files_dataset(const struct kith_linkcfg *cfg, const char *const *paths, size_t n,
			       struct kith_dataset **out, struct kith_err *err)
{
	if (!n)
		return kith_err_set(err, KITH_E_INVALID, NULL, "no input file");
	struct kith_dataset *ds = NULL;
	int rc = kith_dataset_new(&ds, cfg, err);
	for (size_t i = 0; !rc && i < n; i++) {
		struct kith_sbuf sb = KITH_SBUF_INIT;
		rc = kith_io_read_file(paths[i], KITH_PROPOSE_FILE_MAX, &sb, err);
		if (rc == KITH_OK) {
			const char *name = strcmp(paths[i], "-") == 0 ? "stdin" : paths[i];
			rc = kith_dataset_add_csv(ds, sb.buf ? sb.buf : "", sb.len, name, NULL, err);
		}
		kith_sbuf_release(&sb);
	}
	if (!rc)
		rc = kith_dataset_finish(ds, err);
	if (rc) {
		kith_dataset_free(ds);
		return rc;
	}
	*out = ds;
	return KITH_OK;
}

int kith_propose_link(const struct kith_dataset *ds, const struct kith_propose_settings *s,
		      struct kith_link_result *out, struct kith_err *err)
{
	struct kith_link_opts o;
	memset(&o, 0, sizeof o);
	if (s) {
		o.threads = s->threads;
		o.guard = s->guard;
		o.progress = s->progress;
		o.progress_arg = s->progress_arg;
	}
	return kith_link_run(ds, &o, out, err);
}

int kith_propose_count(const struct kith_dataset *ds, struct kith_block_report rep[KITH_LINKCFG_MAX_RULES],
		       size_t *n, struct kith_err *err)
{
	const struct kith_linkcfg *cfg = kith_dataset_config(ds);
	struct kith_linkcfg_rule rules[KITH_LINKCFG_MAX_RULES];
	size_t nr = cfg->n_rules;
	if (nr)
		memcpy(rules, cfg->rules, nr * sizeof rules[0]);
	else
		nr = kith_link_default_rules(ds, rules);
	memset(rep, 0, KITH_LINKCFG_MAX_RULES * sizeof rep[0]);
	struct kith_block_opts bo = {.rules = rules,
				     .n_rules = nr,
				     .max_pairs = cfg->max_pairs,
				     .link_only = cfg->mode == KITH_LINKCFG_LINK};
	*n = nr;
	return kith_block_count(ds, &bo, rep, err);
}

double kith_propose_match_share(const struct kith_link_result *r)
{
	if (r->n_pairs < 100 || !(r->model.expected_matches >= 0.95 * (double)r->n_pairs))
		return 0;
	return r->model.expected_matches / (double)r->n_pairs;
}

int kith_propose_vault(struct kith_vault *v, const struct kith_propose_settings *s, const char *reviewer,
		       struct kith_propose_result *out, struct kith_err *err)
{
	if (!reviewer || !*reviewer)
		return kith_err_set(err, KITH_E_INVALID, "reviewer", "a proposal needs a reviewer");
	struct kith_propose_result res;
	memset(&res, 0, sizeof res);
	(void)kith_vault_records(v, "case", &res.cases);
	/* the configuration is read (and refused) even when there is nothing to
	 * link, so a bad setting is an error whatever the vault holds */
	struct kith_linkcfg *cfg = malloc(sizeof *cfg); /* large: not on a request thread's stack */
	if (!cfg)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	int rc = kith_propose_config(s, cfg, err);
	if (rc || res.cases < 2) {
		free(cfg);
		if (!rc)
			*out = res;
		return rc;
	}
	struct kith_dataset *ds = NULL;
	size_t *cor = NULL;
	rc = kith_link_vault_dataset(v, cfg, &ds, &cor, err);
	free(cfg);
	if (rc)
		return rc;
	struct kith_link_result r;
	rc = kith_propose_link(ds, s, &r, err);
	if (!rc) {
		res.persons = r.clusters.n_clusters;
		res.match_share = kith_propose_match_share(&r);
		rc =
		    kith_link_vault_propose(v, &r, ds, cor, reviewer, &res.proposed, &res.already_known, err);
		kith_link_result_release(&r);
	}
	kith_dataset_free(ds);
	free(cor);
	if (!rc)
		*out = res;
	return rc;
}
