/*
 * str — small questions about C strings: see str.h.
 */
#include "base/str.h"

#include <ctype.h>
#include <string.h>

int kith_str_contains_nocase(const char *hay, const char *needle)
{
	if (!hay)
		return 0;
	size_t n = strlen(needle);
	for (; *hay; hay++) {
		size_t i = 0;
		while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return 1;
	}
	return 0;
}
