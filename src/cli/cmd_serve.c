/*
 * kith serve — the local web UI: serves the embedded pages and the JSON API
 * of src/web on 127.0.0.1 until interrupted. The vault stays locked until a
 * browser unlocks it, and locks again after the idle time.
 *
 * Signals: SIGINT, SIGTERM and SIGHUP are blocked before libmicrohttpd starts
 * its threads (they inherit the mask), and the main thread waits for them with
 * sigtimedwait, ticking the idle lock once a second: no signal handler and no
 * global flag.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "web/server.h"

static const char help[] =
    "usage: kith serve [--vault PATH] [--port N] [--listen ADDR [--allow-remote]\n"
    "                  [--allow-host NAME]...] [--idle-lock SECONDS]\n\n"
    "Serves kith's web UI (Korean and English) to a browser on this computer.\n"
    "Open the address it prints; the vault is unlocked in the browser and\n"
    "locks itself after SECONDS without use. Ctrl-C stops the server and wipes\n"
    "the keys from memory.\n\n"
    "  --vault PATH       the vault file (default $KITH_VAULT)\n"
    "  --port N           TCP port (default 8470; 0 picks a free port)\n"
    "  --listen ADDR      address to bind (default 127.0.0.1); --bind ADDR is the same\n"
    "  --allow-remote     allow a non-loopback --listen address: anyone who can\n"
    "                     reach it can try passphrases, and traffic is not encrypted\n"
    "  --allow-host NAME  with --allow-remote: a host name (or NAME:PORT) clients may\n"
    "                     use in the address; repeat for more (at most 16). The Host\n"
    "                     header is always checked; binding every address (0.0.0.0)\n"
    "                     needs at least one\n"
    "  --idle-lock S      lock after S seconds without activity (default 600;\n"
    "                     0 never locks, for tests and benchmarks only)\n"
    "  --threads N        request threads (default 2)\n";

int kith_cmd_serve(int argc, char **argv)
{
	enum { OPT_VAULT = 0x100, OPT_PORT, OPT_LISTEN, OPT_REMOTE, OPT_HOST, OPT_IDLE, OPT_THREADS };
	static const struct option longopts[] = {
	    {"vault", required_argument, 0, OPT_VAULT},
	    {"port", required_argument, 0, OPT_PORT},
	    {"listen", required_argument, 0, OPT_LISTEN},
	    {"bind", required_argument, 0, OPT_LISTEN},
	    {"allow-remote", no_argument, 0, OPT_REMOTE},
	    {"allow-host", required_argument, 0, OPT_HOST},
	    {"idle-lock", required_argument, 0, OPT_IDLE},
	    {"threads", required_argument, 0, OPT_THREADS},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	struct kith_web_server_opts o = {.port = KITH_WEB_DEFAULT_PORT,
					 .idle_lock = KITH_WEB_DEFAULT_IDLE_LOCK,
					 .link_threads = kith_cli_threads()};
	const char *vault = NULL;
	const char *hosts[KITH_WEB_ALLOW_HOSTS_MAX];
	uint64_t v;
	int opt;
	kith_cli_getopt_reset();
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			return KITH_EXIT_OK;
		case OPT_VAULT:
			vault = optarg;
			break;
		case OPT_LISTEN:
			o.listen = optarg;
			break;
		case OPT_REMOTE:
			o.allow_remote = 1;
			break;
		case OPT_HOST:
			if (o.n_allow_hosts == KITH_WEB_ALLOW_HOSTS_MAX)
				return kith_cli_usage("serve", "--allow-host: at most 16 names");
			hosts[o.n_allow_hosts++] = optarg;
			o.allow_hosts = hosts;
			break;
		case OPT_PORT:
			if (kith_cli_parse_u64(optarg, 0, 65535, &v))
				return kith_cli_usage("serve", "--port takes a number from 0 to 65535");
			o.port = (uint16_t)v;
			break;
		case OPT_IDLE:
			if (kith_cli_parse_u64(optarg, 0, 7 * 24 * 3600, &v))
				return kith_cli_usage("serve", "--idle-lock takes a number of seconds");
			o.idle_lock = (unsigned)v;
			o.no_idle_lock = v == 0;
			break;
		case OPT_THREADS:
			if (kith_cli_parse_u64(optarg, 1, 64, &v))
				return kith_cli_usage("serve", "--threads takes a number from 1 to 64");
			o.threads = (unsigned)v;
			break;
		default:
			return kith_cli_usage("serve", "unknown option");
		}
	}
	if (optind < argc)
		return kith_cli_usage("serve", "unexpected argument");
	o.vault_path = kith_cli_vault_path(vault);
	if (!o.vault_path)
		return kith_cli_usage("serve", "no vault: give --vault PATH or set KITH_VAULT");
	FILE *f = fopen(o.vault_path, "rb");
	if (!f) {
		struct kith_err e;
		kith_err_set(&e, KITH_E_NOTFOUND, o.vault_path,
			     "no such vault file: create one with kith init");
		return kith_cli_fail(KITH_E_NOTFOUND, &e);
	}
	fclose(f);

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	struct kith_web_server *s = NULL;
	struct kith_err err;
	kith_err_clear(&err);
	int rc = kith_web_server_start(&s, &o, &err);
	if (rc)
		return kith_cli_fail(rc, &err);
	const char *addr = kith_web_server_address(s);
	int v6 = strchr(addr, ':') != NULL;
	if (o.allow_remote)
		fprintf(stderr,
			"kith serve: WARNING: remote access is on (%s): anyone who can reach this address "
			"can try to unlock the vault, and traffic is not encrypted\n",
			addr);
	if (o.no_idle_lock)
		fprintf(stderr, "kith serve: WARNING: the vault will not lock itself when idle\n");
	printf("kith serve: http://%s%s%s:%u/  (Ctrl-C to stop)\n", v6 ? "[" : "", addr, v6 ? "]" : "",
	       (unsigned)kith_web_server_port(s));
	fflush(stdout);

	for (;;) {
		struct timespec one = {1, 0};
		siginfo_t si;
		int sig = sigtimedwait(&set, &si, &one);
		if (sig > 0)
			break;
		if (kith_web_server_tick(s))
			fprintf(stderr, "kith serve: locked after %u seconds idle\n", o.idle_lock);
	}
	fprintf(stderr, "kith serve: stopping; keys wiped\n");
	kith_web_server_stop(s);
	return KITH_EXIT_OK;
}
