/*
 * fuzz_tmp.h — the scratch folder of the fuzz targets that write vault files
 * (fuzz_envelope, fuzz_vault, fuzz_vault_body, fuzz_web_api): a fresh folder
 * under $TMPDIR. Each target removes its vault files at exit with
 * kith_store_remove (vault/store.h) and then the folder.
 */
#ifndef KITH_FUZZ_TMP_H
#define KITH_FUZZ_TMP_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Makes a fresh folder $TMPDIR/kith-fuzz-XXXXXX (TMPDIR unset or empty: /tmp)
 * and writes its name into dir (cap bytes). Aborts when it cannot: a target
 * without its folder has nothing to fuzz. */
static inline void fuzz_tmp_dir(char *dir, size_t cap)
{
	const char *t = getenv("TMPDIR");
	int n = snprintf(dir, cap, "%s/kith-fuzz-XXXXXX", t && *t ? t : "/tmp");
	if (n < 0 || (size_t)n >= cap || !mkdtemp(dir))
		abort();
}

#endif
