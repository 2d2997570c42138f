/*
 * linkstatus — the words of a link's review status (linkstatus.h).
 */
#include "casework/linkstatus.h"

#include <string.h>

static const char *const statuses[] = {"proposed", "confirmed", "rejected", "undone"};

int kith_linkstatus_valid(const char *s)
{
	for (size_t i = 0; s && i < sizeof statuses / sizeof statuses[0]; i++)
		if (!strcmp(s, statuses[i]))
			return 1;
	return 0;
}

int kith_linkstatus_filter_valid(const char *f)
{
	return f && (!strcmp(f, "open") || !strcmp(f, "all") || kith_linkstatus_valid(f));
}

int kith_linkstatus_shown(const char *f, const char *st)
{
	if (!f || !st)
		return 0;
	if (!strcmp(f, "all"))
		return 1;
	if (!strcmp(f, "open"))
		return !strcmp(st, "proposed") || !strcmp(st, "undone");
	return !strcmp(st, f);
}

const char *kith_linkstatus_decision(const char *d)
{
	if (!d)
		return NULL;
	if (!strcmp(d, "confirmed"))
		return "confirmed";
	if (!strcmp(d, "rejected"))
		return "rejected";
	if (!strcmp(d, "undone") || !strcmp(d, "proposed"))
		return "undone";
	return NULL;
}
