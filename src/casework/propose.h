/*
 * propose — the one linkage pipeline of kith: settings → dataset → link →
 * proposed links in the vault.
 *
 * `kith link` (CSV files or a vault), `kith link explain`, `kith link
 * propose` and the web's POST /links/propose all go through here, with one
 * set of settings (struct kith_propose_settings): what the command line sets
 * with --config, --block, --threshold, --threads ..., the web route leaves at
 * zero, so both run the same linkage with the same defaults. Threads come in
 * as a parameter: nothing here reads the environment.
 *
 * Ownership: the vault is borrowed; datasets and results handed out are the
 * caller's (kith_dataset_free, kith_link_result_release, free()).
 */
#ifndef KITH_CASEWORK_PROPOSE_H
#define KITH_CASEWORK_PROPOSE_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "link/block.h"
#include "link/dataset.h"
#include "link/link.h"
#include "link/linkcfg.h"
#include "vault/vault.h"

#define KITH_PROPOSE_FILE_MAX ((size_t)2 << 30) /* bytes of one CSV input file */

/* The settings of a run. Zero means the default of every field. */
struct kith_propose_settings {
	const char *config; /* a configuration file (kith_linkcfg_load); NULL: the defaults */
	/* blocking rules (kith_linkcfg_rule_parse syntax) that replace the
	 * configuration's, for scoring and for training */
	const char *const *blocks;
	size_t n_blocks;
	const char *const *train_blocks;
	size_t n_train_blocks;
	double threshold;	     /* > 0: the link threshold; 0: the configuration's or the model's */
	double review_threshold;     /* > 0: the lowest probability of the review tier */
	uint64_t max_pairs;	     /* > 0: refuse blocking that compares more pairs */
	uint64_t train_records;	     /* > 0: estimate the model on a sample of this many records */
	int have_seed;		     /* 1: seed is set */
	uint64_t seed;		     /* seed of the random sampling */
	enum kith_linkcfg_mode mode; /* used when mode_set */
	int mode_set;
	unsigned threads;	       /* 0: the online processors (kith_link_opts) */
	enum kith_cluster_guard guard; /* 0: KITH_CLUSTER_LISTS */
	void (*progress)(enum kith_link_phase phase, uint64_t done, uint64_t total, void *arg);
	void *progress_arg;
};

/*
 * The configuration of settings s (NULL: the defaults): the file, then the
 * settings on top. KITH_OK; the errors of kith_linkcfg_load (where names the
 * file, line and field) and of a rule ("--block N" or "--train-block N" in
 * where: the Nth rule given), KITH_E_INVALID for more rules than
 * KITH_LINKCFG_MAX_RULES. *cfg is undefined on failure.
 */
int kith_propose_config(const struct kith_propose_settings *s, struct kith_linkcfg *cfg,
			struct kith_err *err) KITH_WUR;

/*
 * A finished dataset of the CSV files paths[0..n) ("-": standard input,
 * named "stdin" in errors), each at most KITH_PROPOSE_FILE_MAX bytes, read
 * with cfg. *out is the caller's (kith_dataset_free), set only on success.
 * KITH_OK, KITH_E_INVALID (no file; a bad file: where names file, line,
 * field), KITH_E_IO, KITH_E_LIMIT, KITH_E_NOMEM.
 */
int kith_propose_files_dataset(const struct kith_linkcfg *cfg, const char *const *paths, size_t n,
			       struct kith_dataset **out, struct kith_err *err) KITH_WUR;

/*
 * Runs the linkage of ds with the threads, guard and progress of s (NULL:
 * defaults). *out as kith_link_run (release with kith_link_result_release);
 * KITH_OK or the errors of kith_link_run.
 */
int kith_propose_link(const struct kith_dataset *ds, const struct kith_propose_settings *s,
		      struct kith_link_result *out, struct kith_err *err) KITH_WUR;

/*
 * Counts the candidate pairs of each blocking rule of ds's configuration (the
 * default rules when it has none) without scoring (kith_link --count):
 * rep[0..*n) in rule order (kith_block_count; candidates exact or an upper
 * bound). *n is set in every case; on failure (a rule over the cap: where
 * names it) the rules reached are filled and the first not reached has an
 * empty rule. KITH_OK, KITH_E_LIMIT, KITH_E_NOMEM.
 */
int kith_propose_count(const struct kith_dataset *ds, struct kith_block_report rep[KITH_LINKCFG_MAX_RULES],
		       size_t *n, struct kith_err *err) KITH_WUR;

/*
 * The share of compared pairs that the model of r takes for matches when it
 * takes at least 95% of 100 pairs or more (EM settled on "every compared pair
 * is a match": right if blocking is that strict, else the fields do not tell
 * these people apart); 0 otherwise. A caller shows it as a warning.
 */
double kith_propose_match_share(const struct kith_link_result *r);

/* What kith_propose_vault did. */
struct kith_propose_result {
	size_t cases;	      /* cases in the vault */
	size_t proposed;      /* new proposed links */
	size_t already_known; /* persons whose cases a link already covers */
	size_t persons;	      /* persons (clusters) the run found; 0 when it did not run */
	double match_share;   /* kith_propose_match_share of the run */
};

/*
 * The pipeline over the vault's cases: the dataset of kith_link_vault_dataset
 * with the configuration of s, the linkage run of kith_propose_link, and a
 * proposed link for review (kith_link_vault_propose, by reviewer: borrowed,
 * required) for every person of two cases or more that no link covers yet.
 * A vault of fewer than two cases proposes nothing (KITH_OK, zeros). One
 * batch: all or nothing. *out is set only on success. KITH_OK,
 * KITH_E_INVALID (reviewer missing; a bad setting), the errors of the
 * configuration, of the run and of kith_link_vault_propose (KITH_E_DB,
 * KITH_E_NOMEM); on failure the vault is as it was.
 */
int kith_propose_vault(struct kith_vault *v, const struct kith_propose_settings *s, const char *reviewer,
		       struct kith_propose_result *out, struct kith_err *err) KITH_WUR;

#endif
