/*
 * peer — who is at the other end of a connection to `kith serve`, as the
 * session code's *client* (session.h): on a loopback connection, the user
 * owning the peer's socket ("uid:1000", read from the kernel's socket table
 * /proc/net/tcp or tcp6), otherwise the peer's address ("ip:192.0.2.7").
 *
 * Why the user: every local process connects from 127.0.0.1, so the address
 * cannot tell the owner's browser from another account's process on a
 * shared computer; the socket's owner can. A process running as the owner
 * is the owner as far as kith can tell (the threat model leaves malware in
 * the user's own account out of scope).
 *
 * Nothing here allocates or keeps state; the table is read line by line.
 */
#ifndef KITH_WEB_PEER_H
#define KITH_WEB_PEER_H

#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "web/session.h"

/*
 * Finds, in a socket table in the format of /proc/net/tcp (tcp6 when the
 * addresses are IPv6), the socket whose local address is `peer` and whose
 * remote address is `local` — the peer's end of our connection — and sets
 * *uid to its owner. Returns 0, or -1 when there is no such line (or the
 * addresses are neither IPv4 nor IPv6). The stream is borrowed.
 */
int kith_web_peer_uid_in(FILE *table, const struct sockaddr *local, const struct sockaddr *peer, uid_t *uid);

/* Writes the client text of the connected socket fd into out: "uid:N" for a
 * loopback peer whose socket owner is found, "ip:ADDR" otherwise, "?" when
 * the socket has no peer address. */
void kith_web_peer_client(int fd, char out[KITH_WEB_CLIENT_MAX]);

#endif
