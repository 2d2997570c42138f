/*
 * assets — the web UI's files (web/), compiled into the binary by
 * cmake/embed.cmake so `kith serve` never reads the disk or the network.
 */
#ifndef KITH_WEB_ASSETS_H
#define KITH_WEB_ASSETS_H

#include <stddef.h>

struct kith_web_asset {
	const char *path; /* "/index.html"; NULL ends the table */
	const char *content_type;
	const unsigned char *data;
	size_t len;
};

extern const struct kith_web_asset kith_web_assets[];

#endif
