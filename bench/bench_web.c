/*
 * bench_web — the in-process side of bench/bench_web.sh: the same name search
 * that GET /api/search runs (kith_search_run, plus the JSON summary of each
 * hit that the API builds), called directly, one query after another. Its
 * latency is the limit the HTTP figures are compared with.
 *
 * usage: bench_web VAULT PASSFILE QUERIES [ROUNDS]
 * QUERIES holds one query per line. Prints "inproc_p50_ms", "inproc_p95_ms",
 * "inproc_mean_ms" and "inproc_qps" lines for the script to read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casework/search.h"
#include "vault/vault.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: bench_web VAULT PASSFILE QUERIES [ROUNDS]\n");
		return 2;
	}
	if (kith_process_init())
		return 3;
	int rounds = argc > 4 ? atoi(argv[4]) : 3;
	char pass[512];
	FILE *f = fopen(argv[2], "r");
	if (!f || !fgets(pass, sizeof pass, f))
		return 4;
	fclose(f);
	pass[strcspn(pass, "\n")] = '\0';
	char *queries[4096];
	size_t nq = 0;
	char line[512];
	f = fopen(argv[3], "r");
	if (!f)
		return 4;
	while (nq < 4096 && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0])
			queries[nq++] = strdup(line);
	}
	fclose(f);
	struct kith_err err;
	struct kith_vault *v = NULL;
	double t0 = now();
	if (kith_vault_open(&v, argv[1], pass, strlen(pass), NULL, NULL, &err)) {
		fprintf(stderr, "bench_web: %s\n", err.msg);
		return 1;
	}
	double t_open = now() - t0;
	struct kith_search *s = NULL;
	if (kith_search_new(&s, v, &err)) {
		fprintf(stderr, "bench_web: %s\n", err.msg);
		return 1;
	}
	/* the first query builds the index: timed apart */
	const struct kith_search_hit *hits;
	size_t n;
	t0 = now();
	if (kith_search_run(s, queries[0], strlen(queries[0]), 20, 0, &hits, &n, &err))
		return 1;
	double t_index = now() - t0;
	size_t total = (size_t)rounds * nq, k = 0, nhits = 0;
	double *lat = malloc(total * sizeof *lat);
	double start = now();
	for (int r = 0; r < rounds; r++) {
		for (size_t i = 0; i < nq; i++) {
			double a = now();
			if (kith_search_run(s, queries[i], strlen(queries[i]), 20, 0, &hits, &n, &err))
				return 1;
			/* what the API adds per hit: the body parsed for its summary */
			for (size_t j = 0; j < n; j++) {
				json_t *b = kith_record_view_json(hits[j].view);
				json_decref(b);
			}
			nhits += n;
			lat[k++] = (now() - a) * 1000.0;
		}
	}
	double elapsed = now() - start;
	qsort(lat, total, sizeof *lat, cmp);
	double sum = 0;
	for (size_t i = 0; i < total; i++)
		sum += lat[i];
	struct kith_vault_info info;
	kith_vault_info(v, &info);
	printf("cases %zu\n", info.records);
	printf("open_s %.2f\n", t_open);
	printf("index_ms %.1f\n", t_index * 1000.0);
	printf("queries %zu\n", total);
	printf("mean_hits %.1f\n", (double)nhits / (double)total);
	printf("inproc_p50_ms %.3f\n", lat[total / 2]);
	printf("inproc_p95_ms %.3f\n", lat[(size_t)((double)total * 0.95)]);
	printf("inproc_mean_ms %.3f\n", sum / (double)total);
	printf("inproc_qps %.1f\n", (double)total / elapsed);
	free(lat);
	for (size_t i = 0; i < nq; i++)
		free(queries[i]);
	kith_search_free(s);
	kith_vault_close(v);
	return 0;
}
