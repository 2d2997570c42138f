/*
 * str — small questions about C strings that several areas ask, answered once
 * here rather than in a static copy per file.
 *
 * Every pointer is borrowed; nothing is allocated.
 */
#ifndef KITH_BASE_STR_H
#define KITH_BASE_STR_H

/* Whether needle occurs in hay, ASCII letters compared ignoring case (every
 * other byte, UTF-8 included, as it is): 1 or 0. A NULL hay holds nothing
 * (a JSON string that is absent); an empty needle is found in every hay but
 * the empty one. needle must not be NULL. */
int kith_str_contains_nocase(const char *hay, const char *needle);

#endif
