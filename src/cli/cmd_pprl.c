/*
 * kith pprl — count together, reveal nothing: keyed encodings of each
 * organization's records, their linkage and the joint estimate.
 *
 *   kith pprl keygen --secret FILE | --sign-key FILE
 *   kith pprl encode --secret-file F --sign-key F --org NAME --out OUT.kpe INPUT.csv
 *   kith pprl inspect FILE.kpe
 *   kith pprl link A.kpe B.kpe ... --out MEMBERSHIPS.csv --table TABLE.csv [--estimate]
 *
 * The encoder and the linkage are src/pprl/ (docs/pprl.md); this file parses
 * options, reads and writes files and prints.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli.h"
#include "casework/pprl_vault.h"
#include "casework/together.h"
#include "cli/commands.h"
#include "base/io.h"
#include "base/sbuf.h"
#include "link/dataset.h"
#include "link/linkcfg.h"
#include "pprl/encode.h"
#include "pprl/kpe.h"
#include "pprl/match.h"
#include "stats/estimate.h"
#include "stats/table.h"
#include "vault/vault.h"

#define CSV_MAX ((size_t)4 << 30)
#define SIGN_TAG "kith-pprl-sign-v1 "

static const char help[] =
    "usage: kith pprl <keygen|encode|inspect|link> [options]\n\n"
    "Privacy-preserving record linkage between organizations: each organization\n"
    "turns its records into keyed Bloom-filter encodings that reveal no name,\n"
    "place or date; anyone holding the encodings links them and counts the\n"
    "overlap for `kith estimate`. docs/pprl.md explains what leaves the machine.\n\n"
    "  kith pprl keygen --secret FILE     a new shared secret (give it to every\n"
    "                                     participating organization, and no one else)\n"
    "  kith pprl keygen --sign-key FILE   a new signing key of this organization\n"
    "                                     (prints its public key)\n"
    "  kith pprl encode [options] --out OUT.kpe INPUT.csv | --vault PATH\n"
    "      --secret-file FILE   the shared secret (required)\n"
    "      --sign-key FILE      this organization's signing key (required)\n"
    "      --org NAME           this organization's name, the list's name in the table\n"
    "      --source S           encode only the rows whose source column is S\n"
    "      --ids FILE           write row,id (this organization's own ids: keep it here)\n"
    "      --flip P             bit flip probability (default 0.02; 0.01 to 0.25)\n"
    "      --no-fold, --surname-token, --no-flip, --flip below 0.01,\n"
    "      --deterministic-seed HEX (flips drawn from a seed: for benchmarks)\n"
    "                           weaker settings: refused unless\n"
    "      --allow-weak         is given too\n"
    "    INPUT.csv has `kith link`'s columns (id, source, name, other_names, sex,\n"
    "    birth_year, birth_date, origin, age, age_in_year). From a vault, only the\n"
    "    cases whose consent allows use in statistics (consent.reporting) are\n"
    "    encoded, and the others counted:\n" KITH_CLI_VAULT_HELP
    "  kith pprl inspect FILE.kpe         organization, records, key id, signer\n"
    "  kith pprl link [options] A.kpe B.kpe ...\n"
    "      --out FILE           memberships: person, then a 0/1 column per organization\n"
    "      --table FILE         the contingency table in `kith estimate`'s format\n"
    "      --corrected-table FILE   the table the estimate chooses its model on: corrected\n"
    "                           for the linkage's own missed links (expected merges under\n"
    "                           its match model), then for the splits no candidate pair\n"
    "                           shows, at --unseen-rate (its header says the rate)\n"
    "      --trust FILE         refuse an encoding whose organization is not listed in\n"
    "                           FILE (lines \"ORG HEXKEY\") with the key that signed it\n"
    "      --rows FILE          list,row,person for every record (reveals which rows of\n"
    "                           each organization are one person: for evaluation, or\n"
    "                           give each organization its own rows only)\n"
    "      --estimate           run the estimate too: from the table corrected for missed\n"
    "                           links, the decided table's beside it, and the interval\n"
    "                           with the linkage's uncertainty\n"
    "      --draws N            draws of the missed links for that uncertainty (default 20)\n"
    "      --unseen-rate R      the rate of records whose names share nothing with their\n"
    "                           person's other records, so no candidate pair joins them\n"
    "                           (the encodings cannot show it): the point undoes such\n"
    "                           splits at R, the interval spans 0 .. 2R (default 0.03,\n"
    "                           measured on kith synth lists; 0: none; at most 0.25)\n"
    "      --blocking auto|none|lsh   (default auto: every pair up to 2·10^9 pairs)\n"
    "      --floor D            Dice below which no pair is a link (default automatic)\n"
    "      --threads N, --seed S, --json (summary as JSON on stdout)\n";

/* --- keys */

static int write_secret_file(const char *path, const void *data, size_t len)
{
	struct kith_err err;
	kith_err_clear(&err);
	if (kith_io_write_atomic(path, data, len, &err))
		return kith_cli_fail(KITH_E_IO, &err);
	return KITH_EXIT_OK;
}

static int cmd_keygen(int argc, char **argv)
{
	const char *secret = NULL, *sign = NULL;
	static const struct option lo[] = {{"secret", required_argument, 0, 's'},
					   {"sign-key", required_argument, 0, 'k'},
					   {"help", no_argument, 0, 'h'},
					   {0, 0, 0, 0}};
	kith_cli_getopt_reset();
	int c;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c == 's')
			secret = optarg;
		else if (c == 'k')
			sign = optarg;
		else if (c == 'h') {
			fputs(help, stdout);
			return KITH_EXIT_OK;
		} else
			return kith_cli_usage("pprl", "bad option");
	}
	if (!secret == !sign || optind != argc)
		return kith_cli_usage("pprl", "keygen takes --secret FILE or --sign-key FILE");
	if (secret) {
		uint8_t s[32];
		char hex[65 + 1];
		randombytes_buf(s, sizeof s);
		sodium_bin2hex(hex, sizeof hex - 1, s, sizeof s);
		size_t l = strlen(hex);
		hex[l] = '\n';
		int ex = write_secret_file(secret, hex, l + 1);
		sodium_memzero(s, sizeof s);
		sodium_memzero(hex, sizeof hex);
		if (!ex)
			fprintf(stderr, "kith: wrote a new shared secret to %s\n", secret);
		return ex;
	}
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t *sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	char *line = sodium_malloc(sizeof SIGN_TAG + 2 * crypto_sign_SECRETKEYBYTES + 2);
	if (!sk || !line) {
		sodium_free(sk);
		sodium_free(line);
		return kith_cli_fail(KITH_E_NOMEM, NULL);
	}
	crypto_sign_keypair(pk, sk);
	strcpy(line, SIGN_TAG);
	sodium_bin2hex(line + strlen(SIGN_TAG), 2 * crypto_sign_SECRETKEYBYTES + 1, sk,
		       crypto_sign_SECRETKEYBYTES);
	strcat(line, "\n");
	int ex = write_secret_file(sign, line, strlen(line));
	sodium_free(sk);
	sodium_free(line);
	if (!ex) {
		char hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
		sodium_bin2hex(hex, sizeof hex, pk, sizeof pk);
		printf("%s\n", hex);
	}
	return ex;
}

/* Reads the shared secret (one line; a trailing newline is not part of it). */
static int read_secret(const char *path, struct kith_pprl_key **key, uint8_t key_id[KITH_PPRL_KEYID_BYTES])
{
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_sbuf sb = KITH_SBUF_INIT;
	int rc = kith_io_read_file(path, KITH_PPRL_SECRET_MAX + 2, &sb, &err);
	if (rc) {
		kith_sbuf_release(&sb);
		return kith_cli_fail(rc, &err);
	}
	size_t len = sb.len;
	while (len && (sb.buf[len - 1] == '\n' || sb.buf[len - 1] == '\r'))
		len--;
	rc = kith_pprl_key_new(key, (const uint8_t *)sb.buf, len, &err);
	kith_sbuf_release(&sb);
	if (rc) {
		snprintf(err.where, sizeof err.where, "%s", path);
		return kith_cli_fail(rc, &err);
	}
	kith_pprl_key_id(*key, key_id);
	return KITH_EXIT_OK;
}

/* Reads a signing key file into guarded memory (*sk, crypto_sign_SECRETKEYBYTES). */
static int read_sign_key(const char *path, uint8_t **sk, uint8_t pk[32])
{
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_sbuf sb = KITH_SBUF_INIT;
	int rc = kith_io_read_file(path, 4096, &sb, &err);
	if (rc) {
		kith_sbuf_release(&sb);
		return kith_cli_fail(rc, &err);
	}
	*sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	size_t bin = 0;
	const char *end = NULL;
	int ok = *sk && sb.len > strlen(SIGN_TAG) && !strncmp(sb.buf, SIGN_TAG, strlen(SIGN_TAG)) &&
		 sodium_hex2bin(*sk, crypto_sign_SECRETKEYBYTES, sb.buf + strlen(SIGN_TAG),
				sb.len - strlen(SIGN_TAG), "\r\n", &bin, &end) == 0 &&
		 bin == crypto_sign_SECRETKEYBYTES;
	kith_sbuf_release(&sb);
	if (!ok) {
		sodium_free(*sk);
		*sk = NULL;
		kith_err_set(&err, KITH_E_INVALID, path,
			     "not a kith pprl signing key (kith pprl keygen --sign-key)");
		return kith_cli_fail(KITH_E_INVALID, &err);
	}
	crypto_sign_ed25519_sk_to_pk(pk, *sk);
	return KITH_EXIT_OK;
}

/* --- encode */

struct enc_job {
	const struct kith_dataset *ds;
	const size_t *rows;
	size_t n;
	const struct kith_pprl_key *key;
	const struct kith_pprl_params *p;
	uint64_t *filters;
	int rc;
};

static int encode_rows(struct enc_job *j)
{
	struct kith_cli_progress pg;
	kith_cli_progress_init(&pg, "encoding");
	for (size_t i = 0; i < j->n; i++) {
		int rc = kith_together_encode_record(j->key, j->p, j->ds, j->rows[i], i,
						     j->filters + i * KITH_PPRL_WORDS);
		if (rc)
			return rc;
		if (i % 4096 == 0)
			kith_cli_progress_update(&pg, i, j->n);
	}
	kith_cli_progress_update(&pg, j->n, j->n);
	kith_cli_progress_done(&pg);
	return KITH_OK;
}

/* kith pprl encode --vault: the same call as the web's count-together page
 * (casework/together.h): only the cases whose consent allows their use in
 * statistics, the others counted. */
static int encode_vault(const struct kith_cli_vault_args *va, const char *secret, const char *sign,
			const char *org, const struct kith_pprl_params *p, const char *out, const char *ids)
{
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_sbuf sec = KITH_SBUF_INIT, sk = KITH_SBUF_INIT, img = KITH_SBUF_INIT, ib = KITH_SBUF_INIT;
	int rc = kith_io_read_file(secret, KITH_TOGETHER_SECRET_FILE_MAX, &sec, &err);
	if (!rc)
		rc = kith_io_read_file(sign, KITH_TOGETHER_SIGN_FILE_MAX, &sk, &err);
	struct kith_vault *v = NULL;
	int ex = rc ? kith_cli_fail(rc, &err) : kith_cli_open_vault("pprl", va, &v);
	struct kith_together_counts c;
	if (!ex) {
		rc = kith_together_encode(v, sec.buf ? sec.buf : "", sec.len, secret, sk.buf ? sk.buf : "",
					  sk.len, sign, org, p, &img, ids ? &ib : NULL, &c, &err);
		if (!rc && ids)
			rc = kith_io_write_atomic(ids, ib.buf, ib.len, &err);
		if (!rc)
			rc = kith_io_write_atomic(out, img.buf, img.len, &err);
		if (!rc)
			fprintf(
			    stderr,
			    "kith: encoded %zu of %zu cases of %s into %s; left out: %zu whose consent does "
			    "not allow use in statistics, %zu with nothing to encode\n",
			    c.taken, c.cases, org, out, c.no_consent, c.unusable);
		ex = rc ? kith_cli_fail(rc, &err) : KITH_EXIT_OK;
	}
	kith_vault_close(v);
	kith_sbuf_release(&sec);
	kith_sbuf_release(&sk);
	kith_sbuf_release(&img);
	kith_sbuf_release(&ib);
	return ex;
}

static int cmd_encode(int argc, char **argv)
{
	const char *secret = NULL, *sign = NULL, *org = NULL, *source = NULL, *out = NULL, *ids = NULL;
	const char *seed_hex = NULL;
	struct kith_pprl_params p;
	memset(&p, 0, sizeof p);
	int no_flip = 0;
	static const struct option lo[] = {{"secret-file", required_argument, 0, 's'},
					   {"sign-key", required_argument, 0, 'k'},
					   {"org", required_argument, 0, 'o'},
					   {"source", required_argument, 0, 'S'},
					   {"out", required_argument, 0, 'O'},
					   {"ids", required_argument, 0, 'i'},
					   {"flip", required_argument, 0, 'f'},
					   {"no-flip", no_argument, 0, 'F'},
					   {"no-fold", no_argument, 0, 'n'},
					   {"surname-token", no_argument, 0, 'u'},
					   {"allow-weak", no_argument, 0, 'w'},
					   {"deterministic-seed", required_argument, 0, 'D'},
					   {"help", no_argument, 0, 'h'},
					   KITH_CLI_VAULT_LONGOPTS,
					   {0, 0, 0, 0}};
	struct kith_cli_vault_args va = {0};
	kith_cli_getopt_reset();
	int c;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (kith_cli_vault_arg(&va, c, optarg))
			continue;
		switch (c) {
		case 's':
			secret = optarg;
			break;
		case 'k':
			sign = optarg;
			break;
		case 'o':
			org = optarg;
			break;
		case 'S':
			source = optarg;
			break;
		case 'O':
			out = optarg;
			break;
		case 'i':
			ids = optarg;
			break;
		case 'f':
			if (kith_cli_parse_double(optarg, 1e-6, 1, &p.flip))
				return kith_cli_usage("pprl", "--flip takes a probability");
			break;
		case 'F':
			no_flip = 1;
			break;
		case 'n':
			p.weak |= KITH_PPRL_WEAK_NOFOLD;
			break;
		case 'u':
			p.weak |= KITH_PPRL_WEAK_SURNAME;
			break;
		case 'w':
			p.allow_weak = 1;
			break;
		case 'D':
			seed_hex = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		default:
			return kith_cli_usage("pprl", "bad option");
		}
	}
	if (no_flip)
		p.flip = -1;
	if (va.vault ? optind != argc : optind + 1 != argc)
		return kith_cli_usage("pprl", "encode takes one INPUT.csv, or --vault PATH");
	if (va.vault && source)
		return kith_cli_usage("pprl", "--source applies to a CSV file only");
	if (!secret || !sign || !org || !out)
		return kith_cli_usage("pprl", "encode needs --secret-file, --sign-key, --org and --out");
	struct kith_err err;
	kith_err_clear(&err);
	uint8_t seed[32];
	if (seed_hex) {
		size_t bin = 0;
		if (sodium_hex2bin(seed, sizeof seed, seed_hex, strlen(seed_hex), NULL, &bin, NULL) ||
		    bin != 32)
			return kith_cli_usage("pprl", "--deterministic-seed takes 64 hexadecimal digits");
		p.seed = seed;
	}
	if (kith_kpe_check_org(org, &err) || kith_pprl_params_check(&p, &err)) {
		sodium_memzero(seed, sizeof seed);
		return kith_cli_fail(KITH_E_INVALID, &err);
	}
	if (va.vault) {
		int vex = encode_vault(&va, secret, sign, org, &p, out, ids);
		sodium_memzero(seed, sizeof seed);
		return vex;
	}
	const char *input = argv[optind];
	struct kith_pprl_key *key = NULL;
	uint8_t *sk = NULL;
	struct kith_kpe e;
	memset(&e, 0, sizeof e);
	int ex = read_secret(secret, &key, e.key_id);
	if (ex)
		return ex;
	ex = read_sign_key(sign, &sk, e.signer);
	if (ex)
		goto out_key;

	struct kith_linkcfg cfg;
	kith_linkcfg_init(&cfg);
	struct kith_dataset *ds = NULL;
	struct kith_sbuf sb = KITH_SBUF_INIT;
	int rc = kith_dataset_new(&ds, &cfg, &err);
	if (!rc)
		rc = kith_io_read_file(input, CSV_MAX, &sb, &err);
	if (!rc)
		rc = kith_dataset_add_csv(ds, sb.buf ? sb.buf : "", sb.len,
					  strcmp(input, "-") ? input : "stdin", NULL, &err);
	kith_sbuf_release(&sb);
	size_t n = rc ? 0 : kith_dataset_count(ds);
	size_t *rows = rc ? NULL : malloc((n ? n : 1) * sizeof *rows);
	size_t m = 0;
	if (!rc && !rows)
		rc = kith_err_set(&err, KITH_E_NOMEM, NULL, "out of memory");
	if (!rc) {
		for (size_t i = 0; i < n; i++)
			if (!source ||
			    !strcmp(kith_dataset_source_name(ds, kith_dataset_source(ds, i)), source))
				rows[m++] = i;
		if (m == 0)
			rc = kith_err_set(&err, KITH_E_INVALID, input,
					  source ? "no row of source %s" : "no rows", source);
	}
	if (!rc) {
		e.filters = aligned_alloc(64, m * KITH_PPRL_BITS / 8);
		if (!e.filters)
			rc = kith_err_set(&err, KITH_E_NOMEM, NULL, "out of memory");
	}
	if (!rc) {
		struct enc_job j = {ds, rows, m, key, &p, e.filters, 0};
		rc = encode_rows(&j);
		if (rc)
			kith_err_set(&err, rc, NULL, "encoding failed");
	}
	if (!rc) {
		snprintf(e.org, sizeof e.org, "%s", org);
		e.n = m;
		e.flip = kith_pprl_params_flip(&p);
		e.flags = kith_together_kpe_flags(&p);
		struct kith_sbuf img = KITH_SBUF_INIT;
		rc = kith_kpe_write(&e, sk, &img, &err);
		if (!rc && ids) {
			struct kith_sbuf ib = KITH_SBUF_INIT;
			rc = kith_sbuf_adds(&ib, "row,id\n");
			for (size_t i = 0; !rc && i < m; i++)
				rc = kith_sbuf_addf(&ib, "%zu,%s\n", i + 1, kith_dataset_id(ds, rows[i]));
			if (!rc)
				rc = kith_io_write_atomic(ids, ib.buf, ib.len, &err);
			else
				kith_err_set(&err, rc, NULL, "out of memory");
			kith_sbuf_release(&ib);
		}
		if (!rc)
			rc = kith_io_write_atomic(out, img.buf, img.len, &err);
		kith_sbuf_release(&img);
	}
	if (!rc)
		fprintf(stderr, "kith: encoded %zu records of %s (%zu rows in the file) into %s\n", m, org, n,
			out);
	ex = rc ? kith_cli_fail(rc, &err) : KITH_EXIT_OK;
	free(rows);
	if (e.filters)
		sodium_memzero(e.filters, m * KITH_PPRL_BITS / 8);
	free(e.filters);
	kith_dataset_free(ds);
	sodium_free(sk);
out_key:
	kith_pprl_key_free(key);
	sodium_memzero(seed, sizeof seed);
	return ex;
}

/* --- inspect */

static int cmd_inspect(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(help, stdout);
		return KITH_EXIT_OK;
	}
	if (argc != 2)
		return kith_cli_usage("pprl", "inspect takes one FILE.kpe");
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_kpe e;
	int rc = kith_kpe_read(&e, argv[1], &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	char kid[2 * KITH_PPRL_KEYID_BYTES + 1], pk[65];
	sodium_bin2hex(kid, sizeof kid, e.key_id, sizeof e.key_id);
	sodium_bin2hex(pk, sizeof pk, e.signer, sizeof e.signer);
	printf(
	    "organization  %s\nrecords       %zu\nschema        %u\nbits          %u\nkey id        %s\n"
	    "signed by     %s (signature verified)\nfolded        %s\nflip          %.4f\nweak          %s\n",
	    e.org, e.n, KITH_KPE_SCHEMA, KITH_PPRL_BITS, kid, pk,
	    (e.flags & KITH_KPE_F_FOLDED) ? "yes" : "no", e.flip,
	    (e.flags & KITH_KPE_F_WEAK) ? "allowed" : "no");
	kith_kpe_release(&e);
	return KITH_EXIT_OK;
}

/* --- link */

static void link_progress(const char *stage, uint64_t done, uint64_t total, void *arg)
{
	struct kith_cli_progress *p = arg;
	p->label = stage;
	kith_cli_progress_update(p, (size_t)done, (size_t)total);
}

static int write_outputs(const char *out, const char *table, const char *rowsf,
			 char names[][KITH_KPE_NAME_MAX + 1], unsigned k, const uint32_t *cl, size_t n_cl,
			 const uint32_t *source, const size_t *row, size_t n, const double *counts,
			 struct kith_err *err)
{
	int rc = KITH_OK;
	if (out) {
		uint32_t *pat = calloc(n_cl ? n_cl : 1, sizeof *pat);
		struct kith_sbuf sb = KITH_SBUF_INIT;
		if (!pat)
			return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		for (size_t i = 0; i < n; i++)
			pat[cl[i]] |= 1u << source[i];
		rc = kith_sbuf_adds(&sb, "person");
		for (unsigned j = 0; !rc && j < k; j++)
			rc = kith_sbuf_addf(&sb, ",%s", names[j]);
		if (!rc)
			rc = kith_sbuf_addc(&sb, '\n');
		for (size_t c = 0; !rc && c < n_cl; c++) {
			rc = kith_sbuf_addf(&sb, "%zu", c + 1);
			for (unsigned j = 0; !rc && j < k; j++)
				rc = kith_sbuf_adds(&sb, (pat[c] >> j & 1u) ? ",1" : ",0");
			if (!rc)
				rc = kith_sbuf_addc(&sb, '\n');
		}
		free(pat);
		rc = rc ? kith_err_set(err, rc, NULL, "out of memory")
			: kith_io_write_atomic(out, sb.buf, sb.len, err);
		kith_sbuf_release(&sb);
		if (rc)
			return rc;
	}
	if (table) {
		struct kith_sbuf sb = KITH_SBUF_INIT;
		const char *nm[KITH_PPRL_MAX_LISTS];
		for (unsigned j = 0; j < k; j++)
			nm[j] = names[j];
		rc = kith_together_table_csv(nm, k, counts, &sb);
		rc = rc ? kith_err_set(err, rc, NULL, "out of memory")
			: kith_io_write_atomic(table, sb.buf, sb.len, err);
		kith_sbuf_release(&sb);
		if (rc)
			return rc;
	}
	if (rowsf) {
		struct kith_sbuf sb = KITH_SBUF_INIT;
		rc = kith_sbuf_adds(&sb, "list,row,person\n");
		for (size_t i = 0; !rc && i < n; i++)
			rc = kith_sbuf_addf(&sb, "%s,%zu,%u\n", names[source[i]], row[i], cl[i] + 1);
		rc = rc ? kith_err_set(err, rc, NULL, "out of memory")
			: kith_io_write_atomic(rowsf, sb.buf, sb.len, err);
		kith_sbuf_release(&sb);
	}
	return rc;
}

static void draws_progress(void *pctx, size_t done, size_t total)
{
	kith_cli_progress_update(pctx, done, total);
}

/* --corrected-table: the table corrected for missed links and for the
 * splits no candidate pair shows at the unseen rate, with a header saying so. */
static int write_corrected(const char *path, const struct kith_pprl_result *r, const uint32_t *source,
			   char names[][KITH_KPE_NAME_MAX + 1], unsigned k, double unseen,
			   struct kith_err *err)
{
	double cc[1u << KITH_PPRL_MAX_LISTS], rate = 0;
	const char *nm[KITH_PPRL_MAX_LISTS];
	for (unsigned j = 0; j < k; j++)
		nm[j] = names[j];
	int rc = kith_together_corrected_unseen(r, source, k, unseen, cc, &rate);
	if (rc)
		return kith_err_set(err, rc, "--unseen-rate",
				    rc == KITH_E_INVALID ? "outside 0 .. 0.25" : "out of memory");
	struct kith_sbuf sb = KITH_SBUF_INIT;
	rc = kith_together_corrected_csv(nm, k, cc, rate, &sb);
	rc = rc ? kith_err_set(err, rc, NULL, "out of memory")
		: kith_io_write_atomic(path, sb.buf, sb.len, err);
	kith_sbuf_release(&sb);
	return rc;
}

/* Runs the estimate on the point table, then on `draws` resampled linkages
 * (casework/together.h, the same call as the web's count-together page);
 * prints both and the interval that carries the linkage's uncertainty. */
static int run_estimate(const struct kith_pprl_result *r, const uint64_t *f, const uint32_t *source,
			char names[][KITH_KPE_NAME_MAX + 1], unsigned k, const double *counts, size_t draws,
			uint64_t seed, double unseen, json_t *summary)
{
	struct kith_err err;
	kith_err_clear(&err);
	const char *nm[KITH_PPRL_MAX_LISTS];
	for (unsigned j = 0; j < k; j++)
		nm[j] = names[j];
	struct kith_cli_progress pg;
	kith_cli_progress_init(&pg, "linkage draws");
	struct kith_together_opts o = {.estimate = 1,
				       .draws = draws,
				       .seed = seed ? seed : 1,
				       .unseen_rate = unseen,
				       .progress = draws_progress,
				       .pctx = &pg};
	json_t *root = json_object();
	int rc = root ? kith_together_estimate(r, f, source, nm, k, counts, &o, root, &err)
		      : kith_err_set(&err, KITH_E_NOMEM, NULL, "out of memory");
	kith_cli_progress_done(&pg);
	if (rc) {
		json_decref(root);
		return kith_cli_fail(rc, &err);
	}
	json_t *u = json_object_get(root, "estimate");
	if (summary) {
		json_object_set(summary, "estimate", u);
	} else {
		const char *text = json_string_value(json_object_get(root, "text"));
		fputs(text ? text : "", stdout);
		double n0 = json_number_value(json_object_get(u, "n_hat"));
		double lo0 = json_number_value(json_object_get(u, "lo"));
		double hi0 = json_number_value(json_object_get(u, "hi"));
		double med = json_number_value(json_object_get(u, "n_hat_median_draws"));
		double lo = json_number_value(json_object_get(u, "lo_with_linkage"));
		double hi = json_number_value(json_object_get(u, "hi_with_linkage"));
		double nd0 = json_number_value(json_object_get(u, "n_hat_decided"));
		double ld0 = json_number_value(json_object_get(u, "lo_decided"));
		double hd0 = json_number_value(json_object_get(u, "hi_decided"));
		double rate = json_number_value(json_object_get(u, "unseen_rate"));
		printf(
		    "\nThe table above is the linkage's corrected for the %lld links it missed (two persons\n"
		    "of disjoint lists are one with their best candidate pair's posterior probability),\n"
		    "then for the splits no candidate pair shows (below).\n"
		    "With the linkage's uncertainty (%lld draws: each missed link made with its\n"
		    "probability, the decided links kept, the model %s fitted (BIC's choice\n"
		    "on the corrected table); the interval pools each draw's profile interval under\n"
		    "it and under the draw's own BIC choice, another model in %lld draws).\n",
		    (long long)json_integer_value(json_object_get(u, "missed_links")),
		    (long long)json_integer_value(json_object_get(u, "draws")),
		    json_string_value(json_object_get(u, "model_draws")),
		    (long long)json_integer_value(json_object_get(u, "draws_other_model")));
		if (rate > 0)
			printf(
			    "Records whose names share nothing with their person's other records are never\n"
			    "candidates: no posterior sees them, and the encodings cannot tell their rate.\n"
			    "The point undoes such splits for a rate of %.3f of the records, and the draws\n"
			    "spread the rate over 0 .. %.3f: the interval holds the true count only if\n"
			    "these lists' rate is in that band (--unseen-rate sets it).\n",
			    rate, 2 * rate);
		else
			printf(
			    "Not in it: records whose names share nothing with their person's other records\n"
			    "(never candidates; --unseen-rate 0 left them out): the estimate is then "
			    "high.\n");
		const char *row[3] = {"linkage as decided", "corrected table", "with linkage uncertainty"};
		double v[3][3] = {{nd0, ld0, hd0}, {n0, lo0, hi0}, {med, lo, hi}};
		for (int i = 0; i < 3; i++) {
			if (v[i][0] < 0)
				printf("  %-28s %10s\n", row[i], "-");
			else if (v[i][2] >= 0)
				printf("  %-28s %10.0f  [%.0f, %.0f]\n", row[i], v[i][0], v[i][1], v[i][2]);
			else
				printf("  %-28s %10.0f  [%.0f, inf]\n", row[i], v[i][0], v[i][1]);
		}
	}
	json_decref(root);
	return KITH_EXIT_OK;
}

static int cmd_link(int argc, char **argv)
{
	const char *out = NULL, *table = NULL, *rowsf = NULL, *trust = NULL, *ctable = NULL;
	int estimate = 0, json = 0;
	uint64_t draws = 20, seed = 1, threads = 0;
	double unseen = 0; /* the default */
	struct kith_pprl_opts o;
	memset(&o, 0, sizeof o);
	static const struct option lo[] = {{"out", required_argument, 0, 'o'},
					   {"table", required_argument, 0, 't'},
					   {"corrected-table", required_argument, 0, 'C'},
					   {"rows", required_argument, 0, 'r'},
					   {"estimate", no_argument, 0, 'e'},
					   {"trust", required_argument, 0, 'R'},
					   {"draws", required_argument, 0, 'd'},
					   {"unseen-rate", required_argument, 0, 'U'},
					   {"blocking", required_argument, 0, 'b'},
					   {"floor", required_argument, 0, 'f'},
					   {"threads", required_argument, 0, 'T'},
					   {"seed", required_argument, 0, 'S'},
					   {"json", no_argument, 0, 'j'},
					   {"help", no_argument, 0, 'h'},
					   {0, 0, 0, 0}};
	kith_cli_getopt_reset();
	int c;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 't':
			table = optarg;
			break;
		case 'C':
			ctable = optarg;
			break;
		case 'r':
			rowsf = optarg;
			break;
		case 'R':
			trust = optarg;
			break;
		case 'e':
			estimate = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'd':
			if (kith_cli_parse_u64(optarg, 2, 1000, &draws))
				return kith_cli_usage("pprl", "--draws takes 2 to 1000");
			break;
		case 'U':
			if (kith_cli_parse_double(optarg, 0, KITH_TOGETHER_UNSEEN_RATE_MAX, &unseen))
				return kith_cli_usage("pprl", "--unseen-rate takes 0 .. 0.25");
			if (unseen == 0)
				unseen = -1; /* none */
			break;
		case 'T':
			if (kith_cli_parse_u64(optarg, 1, 64, &threads))
				return kith_cli_usage("pprl", "--threads takes 1 to 64");
			o.threads = (unsigned)threads;
			break;
		case 'S':
			if (kith_cli_parse_u64(optarg, 0, UINT64_MAX, &seed))
				return kith_cli_usage("pprl", "--seed takes a number");
			break;
		case 'f':
			if (kith_cli_parse_double(optarg, 0.05, 0.99, &o.floor))
				return kith_cli_usage("pprl", "--floor takes a Dice value in 0.05 .. 0.99");
			break;
		case 'b':
			if (!strcmp(optarg, "auto"))
				o.blocking = KITH_PPRL_BLOCK_AUTO;
			else if (!strcmp(optarg, "none"))
				o.blocking = KITH_PPRL_BLOCK_NONE;
			else if (!strcmp(optarg, "lsh"))
				o.blocking = KITH_PPRL_BLOCK_LSH;
			else
				return kith_cli_usage("pprl", "--blocking takes auto, none or lsh");
			break;
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		default:
			return kith_cli_usage("pprl", "bad option");
		}
	}
	size_t nf = (size_t)(argc - optind);
	if (nf < 2)
		return kith_cli_usage("pprl", "link takes two or more encoding files");
	if (nf > KITH_PPRL_MAX_LISTS)
		return kith_cli_usage("pprl", "link takes at most %u encoding files", KITH_PPRL_MAX_LISTS);
	if (!out && !table && !estimate && !rowsf && !ctable)
		return kith_cli_usage("pprl", "nothing to do: give --out, --table or --estimate");
	o.seed = seed;
	struct kith_err err;
	kith_err_clear(&err);
	struct kith_kpe files[KITH_PPRL_MAX_LISTS];
	char names[KITH_PPRL_MAX_LISTS][KITH_KPE_NAME_MAX + 1];
	memset(files, 0, sizeof files);
	size_t loaded = 0, total = 0;
	int rc = KITH_OK;
	struct kith_sbuf tb = KITH_SBUF_INIT;
	if (trust) {
		rc = kith_io_read_file(trust, (size_t)1 << 20, &tb, &err);
		if (rc) {
			kith_sbuf_release(&tb);
			return kith_cli_fail(rc, &err);
		}
	}
	for (; loaded < nf; loaded++) {
		const char *path = argv[optind + (int)loaded];
		rc = kith_kpe_read(&files[loaded], path, &err);
		if (rc)
			break;
		const struct kith_kpe *e = &files[loaded];
		if (trust) {
			struct kith_err te;
			kith_err_clear(&te);
			rc = kith_kpe_trust_check(e, tb.buf ? tb.buf : "", tb.len, trust, &te);
			if (rc) {
				if (rc == KITH_E_AUTH)
					kith_err_set(&err, rc, path, "%s", te.msg);
				else
					err = te;
				loaded++;
				break;
			}
		}
		rc = kith_together_compatible(files, loaded, (const char *const *)(argv + optind), &err);
		if (rc) {
			loaded++;
			break;
		}
		if (e->flags & KITH_KPE_F_WEAK)
			fprintf(stderr, "kith: warning: %s was encoded with weak settings allowed\n", path);
		snprintf(names[loaded], sizeof names[loaded], "%s", e->org);
		total += e->n;
	}
	uint64_t *f = NULL;
	uint32_t *source = NULL;
	size_t *row = NULL;
	struct kith_pprl_result r;
	memset(&r, 0, sizeof r);
	int ex = KITH_EXIT_OK;
	if (rc) {
		ex = kith_cli_fail(rc, &err);
		goto out_files;
	}
	f = aligned_alloc(64, (total ? total : 1) * KITH_PPRL_BITS / 8);
	source = malloc((total ? total : 1) * sizeof *source);
	row = malloc((total ? total : 1) * sizeof *row);
	if (!f || !source || !row) {
		ex = kith_cli_fail(KITH_E_NOMEM, NULL);
		goto out_files;
	}
	size_t at = 0;
	for (size_t j = 0; j < nf; j++) {
		memcpy(f + at * KITH_PPRL_WORDS, files[j].filters, files[j].n * KITH_PPRL_BITS / 8);
		for (size_t i = 0; i < files[j].n; i++) {
			source[at + i] = (uint32_t)j;
			row[at + i] = i + 1;
		}
		at += files[j].n;
		kith_kpe_release(&files[j]);
	}
	struct kith_cli_progress pg;
	kith_cli_progress_init(&pg, "linking");
	o.progress = link_progress;
	o.progress_arg = &pg;
	rc = kith_pprl_link(f, source, total, (unsigned)nf, &o, &r, &err);
	kith_cli_progress_done(&pg);
	if (rc) {
		ex = kith_cli_fail(rc, &err);
		goto out_files;
	}
	double counts[1u << KITH_PPRL_MAX_LISTS];
	kith_pprl_patterns(r.clusters.cluster, r.clusters.n_clusters, source, total, (unsigned)nf, counts);
	rc = write_outputs(out, table, rowsf, names, (unsigned)nf, r.clusters.cluster, r.clusters.n_clusters,
			   source, row, total, counts, &err);
	if (!rc && ctable) /* what the estimate chooses its model on: missed links and unseen splits */
		rc = write_corrected(ctable, &r, source, names, (unsigned)nf, unseen, &err);
	if (rc) {
		ex = kith_cli_fail(rc, &err);
		goto out_result;
	}
	size_t uncertain = kith_together_uncertain(&r);
	json_t *sum =
	    json_pack("{s:I, s:I, s:I, s:I, s:s, s:I, s:I, s:f, s:f, s:f, s:I, s:I, s:f, s:f, s:f}",
		      "records", (json_int_t)total, "lists", (json_int_t)nf, "persons",
		      (json_int_t)r.clusters.n_clusters, "pairs_compared", (json_int_t)r.compared, "blocking",
		      r.lsh ? "lsh" : "none", "candidate_pairs", (json_int_t)r.n_pairs, "uncertain_pairs",
		      (json_int_t)uncertain, "floor", r.model.floor, "threshold", r.model.threshold,
		      "match_share", r.model.lambda, "em_iterations", (json_int_t)r.model.iterations,
		      "refused_by_guard", (json_int_t)r.clusters.refused, "seconds_block", r.seconds_block,
		      "seconds_model", r.seconds_model, "seconds_cluster", r.seconds_cluster);
	if (!sum) {
		ex = kith_cli_fail(KITH_E_NOMEM, NULL);
		goto out_result;
	}
	fprintf(
	    stderr,
	    "kith: %zu records of %zu organizations -> %zu persons; %llu pairs compared (%s), %zu candidates "
	    "above Dice %.2f, links from Dice %.2f (%.2f between best candidates, %.2f within a list; EM, %d "
	    "iterations); %zu uncertain\n",
	    total, nf, r.clusters.n_clusters, (unsigned long long)r.compared,
	    r.lsh ? "LSH blocking" : "every pair", r.n_pairs, r.model.floor, r.model.threshold,
	    r.model.threshold_best, r.model.threshold_same, r.model.iterations, uncertain);
	fprintf(stderr,
		"kith: the birth's evidence (likelihood ratio by agreement, none/disagree .. agree):");
	for (int k = 0; k < KITH_PPRL_BIRTH_BINS; k++)
		fprintf(stderr, " %.2g",
			r.model.birth_u[k] > 0 ? r.model.birth_m[k] / r.model.birth_u[k] : 0);
	fprintf(stderr, "\n");
	if (estimate)
		ex = run_estimate(&r, f, source, names, (unsigned)nf, counts, draws, seed, unseen,
				  json ? sum : NULL);
	if (json && !ex) {
		char *s = json_dumps(sum, JSON_INDENT(2));
		if (s)
			printf("%s\n", s);
		free(s);
	}
	json_decref(sum);
out_result:
	kith_pprl_result_release(&r);
out_files:
	kith_sbuf_release(&tb);
	for (size_t j = 0; j < loaded && j < nf; j++)
		kith_kpe_release(&files[j]);
	free(f);
	free(source);
	free(row);
	return ex;
}

int kith_cmd_pprl(int argc, char **argv)
{
	if (argc < 2)
		return kith_cli_usage("pprl", "give a subcommand: keygen, encode, inspect or link");
	const char *sub = argv[1];
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
		fputs(help, stdout);
		return KITH_EXIT_OK;
	}
	if (!strcmp(sub, "keygen"))
		return cmd_keygen(argc - 1, argv + 1);
	if (!strcmp(sub, "encode"))
		return cmd_encode(argc - 1, argv + 1);
	if (!strcmp(sub, "inspect"))
		return cmd_inspect(argc - 1, argv + 1);
	if (!strcmp(sub, "link"))
		return cmd_link(argc - 1, argv + 1);
	return kith_cli_usage("pprl", "unknown subcommand '%s'", sub);
}
