/*
 * fuzz_tmp.h — the scratch folder of the fuzz targets that write vault files
 * (fuzz_envelope, fuzz_vault, fuzz_vault_body, fuzz_web_api): a fresh folder
 * under $TMPDIR, removed at exit. Each target's cleanup removes its vault
 * files with kith_store_remove (vault/store.h) and then the folder.
 */
#ifndef KITH_FUZZ_TMP_H
#define KITH_FUZZ_TMP_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/status.h"

/* The set-up these targets share: kith_process_init, a fresh folder
 * $TMPDIR/kith-fuzz-XXXXXX (TMPDIR unset or empty: /tmp) whose name is
 * written into dir (cap bytes), and `cleanup` registered to run at exit (to
 * remove what the target writes there, then the folder). Aborts when any of
 * it fails: a target without its folder has nothing to fuzz. */
static inline void fuzz_tmp_begin(char *dir, size_t cap, void (*cleanup)(void))
{
	if (kith_process_init())
		abort();
	const char *t = getenv("TMPDIR");
	int n = snprintf(dir, cap, "%s/kith-fuzz-XXXXXX", t && *t ? t : "/tmp");
	if (n < 0 || (size_t)n >= cap || !mkdtemp(dir) || atexit(cleanup))
		abort();
}

#endif
