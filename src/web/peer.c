/*
 * peer — the client of a connection: the owner of a loopback peer's socket,
 * else the peer's address (see peer.h).
 *
 * The kernel prints each socket of /proc/net/tcp as "sl: LOCAL REMOTE st ...
 * uid ...", an address as the hex of the 32-bit words in memory order and a
 * port as 4 hex digits; tcp6 prints four such words. We print our two
 * addresses the same way and compare text, so no byte order is guessed.
 */
#include "web/peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* "0100007F:1F90" for 127.0.0.1:8080 on a little-endian machine. 0, or -1. */
static int kernel_text(const struct sockaddr *sa, char *out, size_t n)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		uint32_t w;
		memcpy(&w, &in->sin_addr, 4);
		snprintf(out, n, "%08X:%04X", (unsigned)w, (unsigned)ntohs(in->sin_port));
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		uint32_t w[4];
		memcpy(w, &in6->sin6_addr, 16);
		snprintf(out, n, "%08X%08X%08X%08X:%04X", (unsigned)w[0], (unsigned)w[1], (unsigned)w[2],
			 (unsigned)w[3], (unsigned)ntohs(in6->sin6_port));
		return 0;
	}
	return -1;
}

int kith_web_peer_uid_in(FILE *table, const struct sockaddr *local, const struct sockaddr *peer, uid_t *uid)
{
	char want_local[64], want_rem[64];
	if (kernel_text(peer, want_local, sizeof want_local) || kernel_text(local, want_rem, sizeof want_rem))
		return -1;
	char line[512];
	while (fgets(line, sizeof line, table)) {
		char loc[64], rem[64];
		unsigned long u;
		/* sl: local remote st tx:rx tr:when retrnsmt uid */
		if (sscanf(line, " %*[0-9]: %63s %63s %*x %*x:%*x %*x:%*x %*x %lu", loc, rem, &u) != 3)
			continue; /* the heading, or a line we do not understand */
		if (!strcasecmp(loc, want_local) && !strcasecmp(rem, want_rem)) {
			*uid = (uid_t)u;
			return 0;
		}
	}
	return -1;
}

static int loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr);
	return 0;
}

void kith_web_peer_client(int fd, char out[KITH_WEB_CLIENT_MAX])
{
	struct sockaddr_storage ls, ps;
	socklen_t ll = sizeof ls, pl = sizeof ps;
	memset(&ls, 0, sizeof ls);
	memset(&ps, 0, sizeof ps);
	if (getpeername(fd, (struct sockaddr *)&ps, &pl) || getsockname(fd, (struct sockaddr *)&ls, &ll)) {
		snprintf(out, KITH_WEB_CLIENT_MAX, "?");
		return;
	}
	const struct sockaddr *peer = (const struct sockaddr *)&ps, *local = (const struct sockaddr *)&ls;
	if (loopback(peer)) {
		FILE *f = fopen(peer->sa_family == AF_INET6 ? "/proc/net/tcp6" : "/proc/net/tcp", "re");
		uid_t uid;
		int found = f && kith_web_peer_uid_in(f, local, peer, &uid) == 0;
		if (f)
			fclose(f);
		if (found) {
			snprintf(out, KITH_WEB_CLIENT_MAX, "uid:%lu", (unsigned long)uid);
			return;
		}
	}
	char addr[INET6_ADDRSTRLEN] = "?";
	if (peer->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)peer)->sin6_addr, addr,
			  sizeof addr);
	else if (peer->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)peer)->sin_addr, addr,
			  sizeof addr);
	snprintf(out, KITH_WEB_CLIENT_MAX, "ip:%s", addr);
}
