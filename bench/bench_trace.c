/*
 * bench_trace — quality and speed of family tracing (docs/tracing.md).
 *
 *   bench_trace [--people N] [--seed S] [--seeds K] [--misses] [--estimate]
 *
 * --estimate: estimates the weights (m among the true children, u among all
 * other cases scored; kith_trace_count_levels) on the training seeds 1..3 and
 * prints them as the table of src/casework/trace.c, then measures the held-out
 * seeds (--seed, default 101) with the defaults and with the estimate.
 *
 * --misses prints every request whose child is not first, with the
 * explanation of the first candidates and of the child's cases.
 *
 * Data: kith synth with families (src/synth/synth.h): mothers separated from
 * their children in Yanbian around 2003, the children recorded years later
 * under other spellings and sometimes another given name, with ages instead
 * of birth years; the mothers' tracing requests name the child as they
 * remember it, with an age "N in YEAR" or a birth year, and the place of
 * separation in Hangul or pinyin.
 *
 * Quality: for every request whose child was recorded, the rank of the first
 * of the child's cases among the candidates: how often it is first and within
 * the first five — beside the ceiling (the child has a case whose consent
 * allows tracing: a case without it must never appear) and beside a peer
 * measured in the same run, ranking the same consenting cases by name
 * similarity alone (the names engine, best pair of names).
 *
 * Speed: matching time per request (every field, every case) beside the
 * names-only loop over the same cases (the peer), as a ratio.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record/caseio.h"
#include "record/record.h"
#include "synth/synth.h"
#include "casework/trace.h"
#include "names/names.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const struct kith_err *err)
{
	fprintf(stderr, "bench_trace: %s: %s: %s\n", what, err ? err->where : "", err ? err->msg : "");
	exit(1);
}

/* "R0000012" -> 12; "P0000012" -> 12. */
static size_t num_of(const char *s)
{
	return s && s[0] ? (size_t)strtoul(s + 1, NULL, 10) : 0;
}

static int show_misses;

struct tally {
	size_t cases, requests, recorded, reachable, top1, top5, peer1, peer5;
	double t_match, t_peer;
};

static const struct kith_trace_weights *use_weights;
static struct kith_trace_counts *counting;

static void run(uint64_t people, uint64_t seed, struct tally *t)
{
	struct kith_err err;
	kith_err_clear(&err);
	char *tru = NULL, *fam = NULL, *trc = NULL, *cas = NULL;
	size_t tlen = 0, flen = 0, trlen = 0, clen = 0;
	FILE *ft = open_memstream(&tru, &tlen), *ff = open_memstream(&fam, &flen);
	FILE *ftr = open_memstream(&trc, &trlen), *fc = open_memstream(&cas, &clen);
	if (!ft || !ff || !ftr || !fc)
		die("memstream", NULL);
	struct kith_synth_opts so = {.people = people, .lists = 4, .seed = seed, .families = 1};
	struct kith_synth_summary sum;
	if (kith_synth_write(&so, NULL, ft, ff, ftr, fc, &sum, &err))
		die("synth", &err);
	fclose(ft);
	fclose(ff);
	fclose(ftr);
	fclose(fc);
	json_t **cases = NULL, **traces = NULL;
	size_t nc = 0, nt = 0;
	if (kith_caseio_parse(KITH_CASEIO_JSONL, "case", cas, clen, "cases", &cases, &nc, &err))
		die("cases", &err);
	if (kith_caseio_parse(KITH_CASEIO_JSONL, "trace", trc, trlen, "traces", &traces, &nt, &err))
		die("traces", &err);
	/* person of each record (records are R0000001.. in case order) */
	size_t *person = calloc(nc + 2, sizeof *person);
	char *line = tru, *save = NULL;
	for (char *l = strtok_r(line, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *comma = strchr(l, ',');
		if (!comma || l[0] != 'R')
			continue;
		size_t r = num_of(l);
		if (r && r <= nc)
			person[r] = num_of(comma + 1);
	}
	/* child person of each trace (T-SYN-000012 -> 12) */
	size_t *child = calloc(nt + 2, sizeof *child);
	save = NULL;
	for (char *l = strtok_r(fam, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *f[5] = {l};
		int k = 1;
		for (char *p = l; *p && k < 5; p++)
			if (*p == ',') {
				*p = '\0';
				f[k++] = p + 1;
			}
		if (k < 5 || strncmp(f[4], "T-SYN-", 6))
			continue;
		size_t ti = (size_t)strtoul(f[4] + 6, NULL, 10);
		if (ti && ti <= nt)
			child[ti] = num_of(f[1]);
	}
	t->cases += nc;
	struct kith_trace_cases *cs = NULL;
	if (kith_trace_cases_new(&cs, cases, nc, &err))
		die("prepare", &err);
	if (use_weights)
		kith_trace_cases_set_weights(cs, use_weights);
	/* the peer: names of every case, encoded once */
	struct kith_name(*enc)[8] = calloc(nc, sizeof *enc);
	uint8_t *nenc = calloc(nc, 1);
	int *consent = calloc(nc, sizeof *consent);
	for (size_t i = 0; i < nc; i++) {
		const char *names[8];
		size_t k = kith_record_case_names(cases[i], names, 8);
		for (size_t j = 0; j < k; j++)
			if (!kith_names_encode(&enc[i][nenc[i]], names[j], strlen(names[j]), NULL))
				nenc[i]++;
		consent[i] = kith_record_consent_allows(cases[i], "tracing");
	}
	double *sim = calloc(nc, sizeof *sim);
	for (size_t i = 0; i < nt; i++) {
		t->requests++;
		size_t ti = num_of(kith_record_ref(traces[i]) + 5);
		size_t cp = ti <= nt ? child[ti] : 0;
		int recorded = 0, reachable = 0;
		for (size_t r = 1; r <= nc && cp; r++)
			if (person[r] == cp) {
				recorded = 1;
				reachable |= consent[r - 1];
			}
		if (!recorded)
			continue;
		t->recorded++;
		if (!reachable)
			continue;
		t->reachable++;
		if (counting) {
			const char *refs[16];
			char buf[16][16];
			size_t nr = 0;
			for (size_t r = 1; r <= nc && nr < 16; r++)
				if (person[r] == cp) {
					snprintf(buf[nr], sizeof buf[nr], "R%07zu", r);
					refs[nr] = buf[nr];
					nr++;
				}
			if (kith_trace_count_levels(cs, traces[i], refs, nr, counting, &err))
				die("count", &err);
			continue;
		}
		struct kith_trace_opts o = {.limit = show_misses ? 50 : 5};
		struct kith_trace_result *res = NULL;
		double t0 = now();
		int rc = kith_trace_match_body(cs, traces[i], &o, &res, &err);
		t->t_match += now() - t0;
		if (rc)
			die("match", &err);
		size_t rank = 0;
		for (size_t k = 0; k < res->n && k < 5; k++)
			if (person[num_of(res->c[k].ref)] == cp) {
				rank = k + 1;
				t->top1 += k == 0;
				t->top5++;
				break;
			}
		if (show_misses && rank != 1) {
			printf("miss %s (seed %llu): rank %zu of %zu\n", kith_record_ref(traces[i]),
			       (unsigned long long)seed, rank, res->n);
			for (size_t k = 0; k < res->n; k++) {
				int truth = person[num_of(res->c[k].ref)] == cp;
				if (k >= 3 && !truth)
					continue;
				printf("  %s%zu %s w=%.2f:", truth ? "*" : " ", k + 1, res->c[k].ref,
				       res->c[k].weight);
				for (size_t p = 0; p < res->c[k].n_parts; p++)
					printf(" %s=%s(%.1f)", res->c[k].parts[p].field,
					       res->c[k].parts[p].level, res->c[k].parts[p].weight);
				printf("\n");
			}
		}
		/* the peer: name similarity alone over the same consenting cases */
		const json_t *sought = json_object_get(traces[i], "sought");
		const char *seeker =
		    json_string_value(json_object_get(json_object_get(traces[i], "seeker"), "case"));
		size_t seeker_r = num_of(seeker);
		struct kith_name q[8];
		size_t nq = 0;
		const char *sn = json_string_value(json_object_get(sought, "name"));
		if (sn && !kith_names_encode(&q[nq], sn, strlen(sn), NULL))
			nq++;
		t0 = now();
		for (size_t c = 0; c < nc; c++) {
			sim[c] = -1;
			if (!consent[c] || c + 1 == seeker_r)
				continue;
			for (size_t a = 0; a < nq; a++)
				for (size_t b = 0; b < nenc[c]; b++) {
					double s = kith_names_similarity(&q[a], &enc[c][b]);
					if (s > sim[c])
						sim[c] = s;
				}
		}
		t->t_peer += now() - t0;
		size_t best = (size_t)-1;
		for (size_t c = 0; c < nc; c++) /* the child's best-ranked case: highest similarity */
			if (consent[c] && person[c + 1] == cp && (best == (size_t)-1 || sim[c] > sim[best]))
				best = c;
		rank = 1;
		for (size_t c = 0; c < nc; c++)
			if (c != best && sim[c] >= 0 &&
			    (sim[c] > sim[best] || (sim[c] == sim[best] && c < best)))
				rank++;
		t->peer1 += rank == 1;
		t->peer5 += rank <= 5;
		kith_trace_result_free(res);
	}
	free(sim);
	free(consent);
	free(nenc);
	free(enc);
	kith_trace_cases_free(cs);
	free(child);
	free(person);
	kith_caseio_free(cases, nc);
	kith_caseio_free(traces, nt);
	free(tru);
	free(fam);
	free(trc);
	free(cas);
}

static double pct(size_t a, size_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

int main(int argc, char **argv)
{
	if (kith_process_init())
		return 1;
	uint64_t people = 5000, seed = 1, seeds = 3;
	int estimate = 0, seed_given = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--people") && i + 1 < argc)
			people = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 10);
			seed_given = 1;
		} else if (!strcmp(argv[i], "--estimate"))
			estimate = 1;
		else if (!strcmp(argv[i], "--misses"))
			show_misses = 1;
		else if (!strcmp(argv[i], "--seeds") && i + 1 < argc)
			seeds = strtoull(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "usage: bench_trace [--people N] [--seed S] [--seeds K] [--misses] "
					"[--estimate]\n");
			return 2;
		}
	}
	static struct kith_trace_weights est;
	if (estimate) {
		static struct kith_trace_counts cnt;
		struct tally tt = {0};
		counting = &cnt;
		for (uint64_t s = 1; s <= 3; s++)
			run(people, s, &tt);
		counting = NULL;
		kith_trace_weights_default(&est);
		kith_trace_weights_update(&est, &cnt, 1, 1);
		printf(
		    "weights estimated on seeds 1-3 (%zu requests whose child consents): level, m (count), u "
		    "(count), weight\n",
		    tt.reachable);
		for (int l = 0; l < KITH_TL_COUNT; l++)
			printf("  %-10s %-36s m %.4f (%6.0f)  u %.5f (%9.0f)  w %+.2f\n",
			       kith_trace_level_field((enum kith_trace_level)l),
			       kith_trace_level_name((enum kith_trace_level)l), est.m[l], cnt.m[l], est.u[l],
			       cnt.u[l], est.w[l]);
		if (!seed_given)
			seed = 101;
		struct tally td = {0};
		for (uint64_t s = 0; s < seeds; s++)
			run(people, seed + s, &td);
		printf("held-out seeds %llu-%llu with the built-in weights: first %.1f%%, top 5 %.1f%%\n",
		       (unsigned long long)seed, (unsigned long long)(seed + seeds - 1),
		       pct(td.top1, td.reachable), pct(td.top5, td.reachable));
		use_weights = &est;
	}
	struct tally t = {0};
	for (uint64_t s = 0; s < seeds; s++)
		run(people, seed + s, &t);
	if (estimate)
		printf("(below: the held-out seeds with the weights just estimated)\n");
	printf("family tracing on kith synth --families: %llu people x %llu seeds\n",
	       (unsigned long long)people, (unsigned long long)seeds);
	printf("  cases (all seeds)                     %zu\n", t.cases);
	printf("  tracing requests                      %zu\n", t.requests);
	printf("  child recorded                        %zu\n", t.recorded);
	printf("  child has a case consenting to tracing %zu (the ceiling: %.1f%% of recorded)\n",
	       t.reachable, pct(t.reachable, t.recorded));
	printf("  true child first      kith trace %5.1f%%   names only %5.1f%%   ratio %.2f\n",
	       pct(t.top1, t.reachable), pct(t.peer1, t.reachable),
	       t.peer1 ? (double)t.top1 / (double)t.peer1 : 0.0);
	printf("  true child in top 5   kith trace %5.1f%%   names only %5.1f%%   ratio %.2f\n",
	       pct(t.top5, t.reachable), pct(t.peer5, t.reachable),
	       t.peer5 ? (double)t.top5 / (double)t.peer5 : 0.0);
	printf("  (of recorded children: first %.1f%%, top 5 %.1f%%)\n", pct(t.top1, t.recorded),
	       pct(t.top5, t.recorded));
	double per = t.reachable ? t.t_match / (double)t.reachable : 0,
	       pper = t.reachable ? t.t_peer / (double)t.reachable : 0;
	printf("  time per request      kith trace %.3f ms   names-only loop %.3f ms   ratio %.1f\n",
	       per * 1e3, pper * 1e3, pper > 0 ? per / pper : 0.0);
	return 0;
}
