/*
 * block — blocking rules: keys, counting before scoring, and pair generation
 * on all threads (see block.h).
 *
 * Each rule's keys are kept per record in a compressed row array (sorted,
 * deduplicated), so any rule can be tested on any pair: "does an earlier rule
 * already find this pair?" and "is this group's key the smallest key the two
 * records share?" are list intersections of a few elements. The (key, year,
 * record) entries of the rule being generated are sorted by a stable radix
 * sort, so groups are runs and a year window is a forward scan.
 */
#include "link/block.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/pool.h"
#include "link/compare.h"

#define UNIT_PAIRS (1u << 18) /* candidate pairs per unit of work */

struct rule_keys {
	size_t *off; /* n + 1 */
	uint64_t *keys;
	int16_t *year; /* per record when the rule has a year component */
	int window;
	int has_year;
	size_t records;
};

struct entry {
	uint64_t key;
	int32_t year;
	uint32_t rec;
};

struct unit {
	size_t s, e; /* outer entries [s, e) */
	uint64_t candidates;
	struct kith_block_pair *out;
	size_t n, cap;
	int failed;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void rule_keys_free(struct rule_keys *k)
{
	free(k->off);
	free(k->keys);
	free(k->year);
	memset(k, 0, sizeof *k);
}

/* The combined keys of record i under rule r; returns how many (0: excluded). */
static size_t record_keys(const struct kith_dataset *ds, size_t i, const struct kith_linkcfg_rule *r,
			  size_t rule_no, uint64_t out[KITH_BLOCK_MAX_KEYS], int16_t *year)
{
	size_t n = 1;
	out[0] = kith_compare_hash_mix(0x626c6f636bULL, rule_no + 1);
	uint8_t late[KITH_BLOCK_MAX_KEYS] = {0}; /* from a name's late key (dataset.h) */
	*year = 0;
	for (size_t c = 0; c < r->n_comp; c++) {
		const struct kith_linkcfg_comp *comp = &r->comp[c];
		uint64_t v[KITH_BLOCK_MAX_KEYS];
		size_t m = kith_dataset_block_values(ds, i, comp, v, KITH_BLOCK_MAX_KEYS);
		if (m == 0)
			return 0;
		if (comp->kind == KITH_BLOCK_BIRTH_YEAR || comp->kind == KITH_BLOCK_YEAR) {
			*year = (int16_t)v[0];
			continue;
		}
		uint64_t next[KITH_BLOCK_MAX_KEYS];
		uint8_t nlate[KITH_BLOCK_MAX_KEYS];
		size_t nn = 0;
		for (size_t x = 0; x < n; x++)
			for (size_t y = 0; y < m && nn < KITH_BLOCK_MAX_KEYS; y++) {
				nlate[nn] = late[x] ||
					    (comp->kind == KITH_BLOCK_NAME && (v[y] & KITH_DATASET_KEY_LATE));
				next[nn++] =
				    kith_compare_hash_mix(out[x], kith_compare_hash_mix(v[y], c + 1));
			}
		memcpy(out, next, nn * sizeof *out);
		memcpy(late, nlate, nn);
		n = nn;
	}
	/* late keys after the others: the smallest key two records share is an ordinary one when
	 * they have one, found after a few steps of first_common */
	for (size_t x = 0; x < n; x++)
		out[x] = late[x] ? out[x] | KITH_DATASET_KEY_LATE : out[x] & ~KITH_DATASET_KEY_LATE;
	qsort(out, n, sizeof *out, cmp_u64);
	size_t u = 0;
	for (size_t x = 0; x < n; x++)
		if (u == 0 || out[u - 1] != out[x])
			out[u++] = out[x];
	return u;
}

static int build_rule_keys(const struct kith_dataset *ds, const struct kith_linkcfg_rule *r, size_t rule_no,
			   const uint8_t *include, struct rule_keys *k)
{
	size_t n = kith_dataset_count(ds);
	memset(k, 0, sizeof *k);
	for (size_t c = 0; c < r->n_comp; c++) {
		if (r->comp[c].kind == KITH_BLOCK_BIRTH_YEAR || r->comp[c].kind == KITH_BLOCK_YEAR) {
			k->has_year = 1;
			k->window = r->comp[c].window;
		}
	}
	k->off = malloc((n + 1) * sizeof *k->off);
	size_t cap = n + 16;
	k->keys = malloc(cap * sizeof *k->keys);
	if (k->has_year)
		k->year = malloc(n * sizeof *k->year);
	if (!k->off || !k->keys || (k->has_year && !k->year))
		goto nomem;
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t buf[KITH_BLOCK_MAX_KEYS];
		int16_t y = 0;
		size_t m = include && !include[i] ? 0 : record_keys(ds, i, r, rule_no, buf, &y);
		k->off[i] = total;
		if (k->has_year)
			k->year[i] = y;
		if (total + m > cap) {
			size_t nc = cap * 2 + m;
			uint64_t *nk = realloc(k->keys, nc * sizeof *nk);
			if (!nk)
				goto nomem;
			k->keys = nk;
			cap = nc;
		}
		memcpy(k->keys + total, buf, m * sizeof *buf);
		total += m;
		k->records += m > 0;
	}
	k->off[n] = total;
	return KITH_OK;
nomem:
	rule_keys_free(k);
	return KITH_E_NOMEM;
}

/* Smallest key shared by a and b under rule k (years within the window), or 0. */
static uint64_t first_common(const struct rule_keys *k, uint32_t a, uint32_t b)
{
	if (k->has_year) {
		int d = k->year[a] - k->year[b];
		if (d > k->window || -d > k->window)
			return 0;
	}
	size_t i = k->off[a], ie = k->off[a + 1], j = k->off[b], je = k->off[b + 1];
	while (i < ie && j < je) {
		if (k->keys[i] == k->keys[j])
			return k->keys[i];
		if (k->keys[i] < k->keys[j])
			i++;
		else
			j++;
	}
	return 0;
}

/* Stable LSD radix sort of entries by (key, year), 16-bit digits. */
static int sort_entries(struct entry *e, size_t n, int by_year)
{
	struct entry *tmp = malloc((n ? n : 1) * sizeof *tmp);
	size_t *count = malloc(65536 * sizeof *count);
	if (!tmp || !count) {
		free(tmp);
		free(count);
		return KITH_E_NOMEM;
	}
	struct entry *src = e, *dst = tmp;
	for (int pass = by_year ? -1 : 0; pass < 4; pass++) {
		memset(count, 0, 65536 * sizeof *count);
		for (size_t i = 0; i < n; i++) {
			unsigned d = pass < 0 ? (unsigned)(uint16_t)(src[i].year + 32768)
					      : (unsigned)(src[i].key >> (16 * pass)) & 0xFFFFu;
			count[d]++;
		}
		size_t sum = 0;
		for (size_t d = 0; d < 65536; d++) {
			size_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++) {
			unsigned d = pass < 0 ? (unsigned)(uint16_t)(src[i].year + 32768)
					      : (unsigned)(src[i].key >> (16 * pass)) & 0xFFFFu;
			dst[count[d]++] = src[i];
		}
		struct entry *t = src;
		src = dst;
		dst = t;
	}
	if (src != e)
		memcpy(e, src, n * sizeof *e);
	free(tmp);
	free(count);
	return KITH_OK;
}

static int build_entries(const struct rule_keys *k, size_t n_rec, struct entry **out, size_t *n)
{
	size_t total = k->off[n_rec];
	struct entry *e = malloc((total ? total : 1) * sizeof *e);
	if (!e)
		return KITH_E_NOMEM;
	size_t p = 0;
	for (size_t i = 0; i < n_rec; i++) {
		for (size_t j = k->off[i]; j < k->off[i + 1]; j++) {
			e[p].key = k->keys[j];
			e[p].year = k->has_year ? k->year[i] : 0;
			e[p].rec = (uint32_t)i;
			p++;
		}
	}
	if (sort_entries(e, total, k->has_year)) {
		free(e);
		return KITH_E_NOMEM;
	}
	*out = e;
	*n = total;
	return KITH_OK;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * Counts the candidates of sorted entries and cuts them into units. Exact
 * unless link_only with a window (then an upper bound: *exact = 0).
 */
static int count_units(const struct kith_dataset *ds, const struct entry *e, size_t n, int window,
		       int link_only, uint64_t *total, int *exact, struct unit **units, size_t *n_units)
{
	size_t cap = 16, nu = 0;
	struct unit *u = units ? calloc(cap, sizeof *u) : NULL;
	if (units && !u)
		return KITH_E_NOMEM;
	uint32_t *srcs = NULL;
	size_t srcs_cap = 0;
	uint64_t sum = 0, unit_sum = 0;
	size_t unit_start = 0, hi = 0;
	*exact = !(link_only && window > 0);
	for (size_t i = 0; i < n; i++) {
		if (hi < i + 1)
			hi = i + 1;
		while (hi < n && e[hi].key == e[i].key && e[hi].year - e[i].year <= window)
			hi++;
		uint64_t c = hi - i - 1;
		sum += c;
		unit_sum += c;
		if (link_only && window == 0 &&
		    (i == 0 || e[i - 1].key != e[i].key || e[i - 1].year != e[i].year)) {
			/* a new group (key and year): subtract its same-list pairs */
			size_t ge = i;
			while (ge < n && e[ge].key == e[i].key && e[ge].year == e[i].year)
				ge++;
			size_t g = ge - i;
			if (g > 1) {
				if (g > srcs_cap) {
					uint32_t *ns = realloc(srcs, g * sizeof *ns);
					if (!ns) {
						free(srcs);
						free(u);
						return KITH_E_NOMEM;
					}
					srcs = ns;
					srcs_cap = g;
				}
				for (size_t x = 0; x < g; x++)
					srcs[x] = kith_dataset_source(ds, e[i + x].rec);
				qsort(srcs, g, sizeof *srcs, cmp_u32);
				uint64_t same = 0;
				for (size_t x = 0, run = 1; x < g; x++, run++) {
					if (x + 1 == g || srcs[x + 1] != srcs[x]) {
						same += (uint64_t)run * (run - 1) / 2;
						run = 0;
					}
				}
				sum -= same;
				unit_sum = unit_sum > same ? unit_sum - same : 0;
			}
		}
		if (units && (unit_sum >= UNIT_PAIRS || i + 1 == n)) {
			if (nu == cap) {
				struct unit *nu2 = realloc(u, cap * 2 * sizeof *u);
				if (!nu2) {
					free(srcs);
					free(u);
					return KITH_E_NOMEM;
				}
				u = nu2;
				memset(u + cap, 0, cap * sizeof *u);
				cap *= 2;
			}
			u[nu].s = unit_start;
			u[nu].e = i + 1;
			u[nu].candidates = unit_sum;
			nu++;
			unit_start = i + 1;
			unit_sum = 0;
		}
	}
	free(srcs);
	*total = sum;
	if (units) {
		*units = u;
		*n_units = nu;
	}
	return KITH_OK;
}

uint64_t kith_block_all_pairs(const struct kith_dataset *ds, int link_only)
{
	uint64_t n = kith_dataset_count(ds);
	uint64_t all = n * (n - 1) / 2;
	if (!link_only)
		return all;
	const size_t *sz = kith_dataset_source_sizes(ds);
	for (size_t s = 0; s < kith_dataset_n_sources(ds); s++)
		all -= (uint64_t)sz[s] * (sz[s] ? sz[s] - 1 : 0) / 2;
	return all;
}

static const char *rule_label(const struct kith_linkcfg_rule *r, size_t i, char *buf, size_t sz)
{
	snprintf(buf, sz, "blocking rule %zu '%s'", i + 1, r->text[0] ? r->text : "all");
	return buf;
}

/* Shared state of one rule's generation. */
struct gen {
	const struct kith_dataset *ds;
	const struct rule_keys *keys; /* all rules */
	size_t n_rules;
	size_t rule;
	const struct entry *e;
	size_t n_e;
	int link_only;
	struct unit *units;
	size_t n_units;
	atomic_size_t next;
	atomic_uint_fast64_t done;
	const struct kith_block_opts *o; /* progress */
	uint64_t done_before, grand;	 /* candidates of the rules before, of all rules */
};

static int unit_push(struct unit *u, uint32_t a, uint32_t b, uint64_t g)
{
	if (u->n == u->cap) {
		size_t nc = u->cap ? u->cap * 2 : 1024;
		struct kith_block_pair *np = realloc(u->out, nc * sizeof *np);
		if (!np)
			return -1;
		u->out = np;
		u->cap = nc;
	}
	u->out[u->n].a = a;
	u->out[u->n].b = b;
	u->out[u->n].g = g;
	u->n++;
	return 0;
}

static void run_unit(struct gen *g, struct unit *u)
{
	const struct entry *e = g->e;
	const struct rule_keys *rk = &g->keys[g->rule];
	int window = rk->window;
	for (size_t i = u->s; i < u->e && !u->failed; i++) {
		for (size_t j = i + 1; j < g->n_e && e[j].key == e[i].key && e[j].year - e[i].year <= window;
		     j++) {
			uint32_t a = e[i].rec, b = e[j].rec;
			if (a > b) {
				uint32_t t = a;
				a = b;
				b = t;
			}
			if (g->link_only && kith_dataset_source(g->ds, a) == kith_dataset_source(g->ds, b))
				continue;
			/* once per rule: only through the smallest shared key */
			if ((rk->off[a + 1] - rk->off[a] > 1 || rk->off[b + 1] - rk->off[b] > 1) &&
			    first_common(rk, a, b) != e[i].key)
				continue;
			/* once overall: not if an earlier rule finds it */
			int earlier = 0;
			for (size_t r = 0; r < g->rule && !earlier; r++)
				earlier = first_common(&g->keys[r], a, b) != 0;
			if (earlier)
				continue;
			uint64_t mask = 1u << g->rule;
			for (size_t r = g->rule + 1; r < g->n_rules; r++)
				if (first_common(&g->keys[r], a, b))
					mask |= 1ULL << r;
			uint64_t gamma = kith_dataset_gamma(g->ds, a, b) & KITH_BLOCK_GAMMA_MASK;
			if (unit_push(u, a, b, gamma | (mask << KITH_BLOCK_RULE_SHIFT))) {
				u->failed = 1;
				break;
			}
		}
	}
}

/* A worker; thread 0 (the calling one) reports progress between units. */
static void worker(unsigned thread, void *arg)
{
	struct gen *g = arg;
	for (;;) {
		size_t k = atomic_fetch_add(&g->next, 1);
		if (k >= g->n_units)
			break;
		run_unit(g, &g->units[k]);
		atomic_fetch_add(&g->done, g->units[k].candidates);
		if (thread == 0 && g->o->progress)
			g->o->progress(g->done_before + atomic_load(&g->done), g->grand, g->o->progress_arg);
	}
}

static int count_all(const struct kith_dataset *ds, const struct kith_block_opts *o, struct rule_keys *keys,
		     struct kith_block_report *reports, struct kith_err *err)
{
	uint64_t cap = o->max_pairs ? o->max_pairs : KITH_LINKCFG_DEFAULT_MAX_PAIRS;
	size_t n_rec = kith_dataset_count(ds);
	uint64_t sum = 0;
	char label[KITH_LINKCFG_RULE_MAX + 40];
	for (size_t r = 0; r < o->n_rules; r++) {
		struct kith_block_report *rep = &reports[r];
		memset(rep, 0, sizeof *rep);
		snprintf(rep->rule, sizeof rep->rule, "%s", o->rules[r].text[0] ? o->rules[r].text : "all");
		int rc = kith_dataset_check_rule(ds, &o->rules[r], err);
		if (rc) {
			if (err)
				snprintf(err->where, sizeof err->where, "%s",
					 rule_label(&o->rules[r], r, label, sizeof label));
			return rc;
		}
		if (build_rule_keys(ds, &o->rules[r], r, o->include, &keys[r]))
			return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		rep->records = keys[r].records;
		struct entry *e;
		size_t n_e;
		if (build_entries(&keys[r], n_rec, &e, &n_e))
			return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		uint64_t total;
		int exact;
		rc = count_units(ds, e, n_e, keys[r].window, o->link_only, &total, &exact, NULL, NULL);
		free(e);
		if (rc)
			return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		rep->candidates = total;
		rep->exact = exact;
		if (total > cap)
			return kith_err_set(
			    err, KITH_E_LIMIT, rule_label(&o->rules[r], r, label, sizeof label),
			    "would compare %llu pairs, more than the cap of %llu (--max-pairs): "
			    "make the rule stricter",
			    (unsigned long long)total, (unsigned long long)cap);
		sum += total;
	}
	if (sum > cap)
		return kith_err_set(
		    err, KITH_E_LIMIT, "blocking rules",
		    "together would compare up to %llu pairs, more than the cap of %llu (--max-pairs)",
		    (unsigned long long)sum, (unsigned long long)cap);
	return KITH_OK;
}

int kith_block_count(const struct kith_dataset *ds, const struct kith_block_opts *o,
		     struct kith_block_report *reports, struct kith_err *err)
{
	if (o->n_rules == 0 || o->n_rules > KITH_LINKCFG_MAX_RULES)
		return kith_err_set(err, KITH_E_INVALID, NULL, "between 1 and %d blocking rules",
				    KITH_LINKCFG_MAX_RULES);
	struct rule_keys *keys = calloc(o->n_rules, sizeof *keys);
	if (!keys)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	int rc = count_all(ds, o, keys, reports, err);
	for (size_t r = 0; r < o->n_rules; r++)
		rule_keys_free(&keys[r]);
	free(keys);
	return rc;
}

int kith_block_pairs(const struct kith_dataset *ds, const struct kith_block_opts *o,
		     struct kith_block_pair **pairs, size_t *n, struct kith_block_report *reports,
		     struct kith_err *err)
{
	if (o->n_rules == 0 || o->n_rules > KITH_LINKCFG_MAX_RULES)
		return kith_err_set(err, KITH_E_INVALID, NULL, "between 1 and %d blocking rules",
				    KITH_LINKCFG_MAX_RULES);
	if (kith_dataset_count(ds) >= UINT32_MAX)
		return kith_err_set(err, KITH_E_LIMIT, NULL, "too many records");
	struct rule_keys *keys = calloc(o->n_rules, sizeof *keys);
	if (!keys)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	struct kith_block_pair *all = NULL;
	size_t n_all = 0, cap_all = 0;
	int rc = count_all(ds, o, keys, reports, err);
	uint64_t grand = 0, grand_done = 0;
	for (size_t r = 0; r < o->n_rules; r++)
		grand += reports[r].candidates;
	size_t n_rec = kith_dataset_count(ds);
	unsigned threads = o->threads ? o->threads : 1;
	for (size_t r = 0; rc == KITH_OK && r < o->n_rules; r++) {
		double t0 = now();
		struct gen g;
		memset(&g, 0, sizeof g);
		g.ds = ds;
		g.keys = keys;
		g.n_rules = o->n_rules;
		g.rule = r;
		g.link_only = o->link_only;
		g.o = o;
		g.done_before = grand_done;
		g.grand = grand;
		struct entry *e;
		if (build_entries(&keys[r], n_rec, &e, &g.n_e)) {
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			break;
		}
		g.e = e;
		uint64_t total;
		int exact;
		if (count_units(ds, e, g.n_e, keys[r].window, o->link_only, &total, &exact, &g.units,
				&g.n_units)) {
			free(e);
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			break;
		}
		atomic_init(&g.next, 0);
		atomic_init(&g.done, 0);
		/* fewer threads than asked (none could start): the same results */
		kith_pool_run_indexed(g.n_units > 1 ? threads : 1, worker, &g);
		grand_done += total;
		free(e);
		size_t add = 0;
		int failed = 0;
		for (size_t k = 0; k < g.n_units; k++) {
			add += g.units[k].n;
			failed |= g.units[k].failed;
		}
		if (!failed && n_all + add > cap_all) {
			size_t nc = n_all + add;
			struct kith_block_pair *np = realloc(all, (nc ? nc : 1) * sizeof *np);
			if (!np)
				failed = 1;
			else {
				all = np;
				cap_all = nc;
			}
		}
		for (size_t k = 0; k < g.n_units; k++) {
			if (!failed && g.units[k].n) {
				memcpy(all + n_all, g.units[k].out, g.units[k].n * sizeof *all);
				n_all += g.units[k].n;
			}
			free(g.units[k].out);
		}
		free(g.units);
		if (failed) {
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			break;
		}
		reports[r].pairs = add;
		reports[r].seconds = now() - t0;
	}
	for (size_t r = 0; r < o->n_rules; r++)
		rule_keys_free(&keys[r]);
	free(keys);
	if (rc) {
		free(all);
		return rc;
	}
	*pairs = all;
	*n = n_all;
	return KITH_OK;
}
