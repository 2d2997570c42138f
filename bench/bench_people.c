/*
 * bench_people — what people cost (issue 12 item 4), each figure beside a
 * peer measured in the same run (the machine is shared: read the ratio):
 *
 *   unlock   kith_vault_open (of a vault holding only its people) as the person whose slot is tried last of N
 *            person slots, minus the same open with the main passphrase
 *            (tried first), per slot; beside one crypto_secretbox_open_easy
 *            of a slot's 196 bytes (what each trial must do) and one Argon2id
 *            run at MODERATE (what every unlock pays once).
 *   list     kith_cases_list of C cases as a caseworker (each case's body
 *            read again for its assignment) beside the same list as the admin.
 *
 * Usage: bench_people [N people, default 50] [C cases, default 10000]. The
 * vault uses Argon2id's test level so that the slots' cost is visible; the
 * cases and people are invented. Not a test: it prints figures.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/status.h"
#include "casework/cases.h"
#include "casework/people.h"
#include "vault/vault.h"
#include "vault/store.h"

#define PASS "bench admin words"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double open_time(const char *path, const char *pass, int reps)
{
	double best = 1e9;
	for (int i = 0; i < reps; i++) {
		struct kith_vault *v = NULL;
		double t0 = now();
		if (kith_vault_open(&v, path, pass, strlen(pass), NULL, NULL, NULL)) {
			fprintf(stderr, "open failed\n");
			exit(1);
		}
		double t = now() - t0;
		kith_vault_close(v);
		if (t < best)
			best = t;
	}
	return best;
}

static double list_time(struct kith_vault *v, int reps, size_t *total)
{
	double best = 1e9;
	for (int i = 0; i < reps; i++) {
		json_t *items = NULL;
		double t0 = now();
		if (kith_cases_list(v, NULL, &items, total, NULL)) {
			fprintf(stderr, "list failed\n");
			exit(1);
		}
		double t = now() - t0;
		json_decref(items);
		if (t < best)
			best = t;
	}
	return best;
}

int main(int argc, char **argv)
{
	size_t np = argc > 1 ? (size_t)atol(argv[1]) : 50, nc = argc > 2 ? (size_t)atol(argv[2]) : 10000;
	if (sodium_init() < 0 || np < 1 || nc < 1)
		return 1;
	char dir[] = "/tmp/kith-bench-people-XXXXXX", path[128];
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/v.kith", dir);
	struct kith_vault_create_opts co = {.kdf = KITH_KDF_TEST};
	struct kith_vault *v = NULL;
	if (kith_vault_create(path, PASS, strlen(PASS), &co, NULL) ||
	    kith_vault_open(&v, path, PASS, strlen(PASS), NULL, NULL, NULL))
		return 1;
	char pass[64];
	for (size_t i = 0; i < np; i++) {
		char name[32];
		snprintf(name, sizeof name, "Caseworker %zu", i);
		snprintf(pass, sizeof pass, "person %zu words", i);
		if (kith_people_add(v, name, KITH_ROLE_CASEWORKER, pass, strlen(pass),
				    1765000000 + (int64_t)i, NULL, NULL))
			return 1;
	}
	kith_vault_close(v);

	/* which person slot is tried last: the file's order of names; try each once */
	double worst = 0;
	size_t last = 0;
	for (size_t i = 0; i < np; i++) {
		snprintf(pass, sizeof pass, "person %zu words", i);
		double t = open_time(path, pass, 1);
		if (t > worst) {
			worst = t;
			last = i;
		}
	}
	snprintf(pass, sizeof pass, "person %zu words", last);
	double t_main = open_time(path, PASS, 7), t_last = open_time(path, pass, 7);
	/* peers: one slot trial, one Argon2id at MODERATE */
	uint8_t key[crypto_secretbox_KEYBYTES], nonce[crypto_secretbox_NONCEBYTES], msg[180], box[196];
	randombytes_buf(key, sizeof key);
	randombytes_buf(nonce, sizeof nonce);
	randombytes_buf(msg, sizeof msg);
	crypto_secretbox_easy(box, msg, sizeof msg, nonce, key);
	int reps = 200000;
	double t0 = now();
	int okc = 0;
	for (int i = 0; i < reps; i++)
		okc += crypto_secretbox_open_easy(msg, box, sizeof box, nonce, key) == 0;
	double t_box = (now() - t0) / reps;
	uint8_t out[32], salt[crypto_pwhash_SALTBYTES] = {0};
	t0 = now();
	if (crypto_pwhash(out, sizeof out, PASS, strlen(PASS), salt, crypto_pwhash_OPSLIMIT_MODERATE,
			  crypto_pwhash_MEMLIMIT_MODERATE, crypto_pwhash_ALG_ARGON2ID13))
		return 1;
	double t_argon = now() - t0;
	double per_slot = (t_last - t_main) / (double)np;
	printf("people %zu (unlock of a vault without cases; Argon2id test level; best of 7)\n", np);
	printf("unlock, main slot             %8.2f ms\n", t_main * 1e3);
	printf("unlock, person slot tried last %7.2f ms  (+%.2f ms for %zu slots)\n", t_last * 1e3,
	       (t_last - t_main) * 1e3, np);
	printf("per person slot               %8.2f us   = %.1f x one secretbox_open of 196 bytes (%.2f us, "
	       "%d ok)\n",
	       per_slot * 1e6, per_slot / t_box, t_box * 1e6, okc == reps);
	printf("all %zu slots                  %8.2f ms   = %.4f x one Argon2id MODERATE (%.0f ms)\n", np,
	       (t_last - t_main) * 1e3, (t_last - t_main) / t_argon, t_argon * 1e3);

	/* cases, every tenth assigned to the caseworker */
	char pid0[KITH_VAULT_PERSON_HEX];
	if (kith_vault_open(&v, path, PASS, strlen(PASS), NULL, NULL, NULL) ||
	    !kith_people_pid_of(v, "Caseworker 0", pid0))
		return 1;
	struct kith_vault_batch *b = NULL;
	if (kith_vault_batch_begin(v, &b, NULL))
		return 1;
	static const char *const sur[] = {"김", "리", "박", "최", "정"}, *const giv[] = {"영희", "철수",
											 "순자", "명수"};
	for (size_t i = 0; i < nc; i++) {
		char name[64], ref[32];
		snprintf(name, sizeof name, "%s%s", sur[i % 5], giv[(i / 5) % 4]);
		snprintf(ref, sizeof ref, "B-%zu", i + 1);
		json_t *c = json_pack("{s:s, s:{s:s, s:s}}", "ref", ref, "person", "name", name, "sex",
				      i % 2 ? "male" : "female");
		if (i % 10 == 0) {
			json_object_set_new(c, "assigned", json_string("Caseworker 0"));
			json_object_set_new(c, "assigned_person", json_string(pid0));
		}
		if (kith_vault_put(b, "case", c, NULL, NULL, NULL, NULL))
			return 1;
		json_decref(c);
	}
	if (kith_vault_batch_commit(b, NULL))
		return 1;
	kith_vault_close(v);
	/* the list: admin vs caseworker 0 */
	struct kith_vault *va = NULL, *vc = NULL;
	snprintf(pass, sizeof pass, "person 0 words");
	if (kith_vault_open(&va, path, PASS, strlen(PASS), NULL, NULL, NULL) ||
	    kith_vault_open(&vc, path, pass, strlen(pass), NULL, NULL, NULL))
		return 1;
	size_t ta = 0, tc = 0;
	double la = list_time(va, 5, &ta), lc = list_time(vc, 5, &tc);
	printf("list as admin                 %8.2f ms  (%zu cases)\n", la * 1e3, ta);
	printf("list as caseworker            %8.2f ms  (%zu cases) = %.2f x the admin's\n", lc * 1e3, tc,
	       lc / la);
	kith_vault_close(va);
	kith_vault_close(vc);
	kith_store_remove(path);
	rmdir(dir);
	return 0;
}
