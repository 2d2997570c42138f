/*
 * digest — prints what a vault shows, for the kill -9 tests: "OPENED WHICH
 * DIGEST DAMAGED" where WHICH is 1 or 2 (the passphrase file that opened it)
 * and DIGEST covers every readable record without ids or times (ops.h), or
 * "LOCKED" when no passphrase opens it (keys destroyed), or "ERROR status".
 * usage: kith_fault_digest VAULT PASSFILE1 [PASSFILE2]
 */
#include <stdio.h>
#include <string.h>

#include "base/io.h"
#include "vault/vault.h"
#include "ops.h"

int main(int argc, char **argv)
{
	if (argc < 3 || kith_process_init())
		return 2;
	int last = KITH_OK;
	for (int i = 2; i < argc; i++) {
		struct kith_sbuf pass = KITH_SBUF_INIT;
		struct kith_err err;
		if (kith_io_read_file(argv[i], 4096, &pass, &err))
			return 2;
		size_t n = pass.len;
		while (n && (pass.buf[n - 1] == '\n' || pass.buf[n - 1] == '\r'))
			n--;
		struct kith_vault *v = NULL;
		last = kith_vault_open(&v, argv[1], pass.buf, n, NULL, NULL, &err);
		kith_sbuf_release(&pass);
		if (last == KITH_OK) {
			char d[65];
			size_t nd;
			ops_digest(v, d);
			(void)kith_vault_damaged(v, &nd);
			printf("OPENED %d %s %zu\n", i - 1, d, nd);
			kith_vault_close(v);
			return 0;
		}
		if (last != KITH_E_AUTH) {
			printf("ERROR %s: %s\n", kith_status_str(last), err.msg);
			return 1;
		}
	}
	printf("LOCKED\n");
	return 0;
}
