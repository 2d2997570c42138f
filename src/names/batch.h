/*
 * batch — the names engine over many names at once: `kith names compare
 * --batch FILE` and its siblings read one name (or, for compare, two names
 * separated by a tab) per line and write one result per line, so that a
 * million names do not need a million processes.
 *
 * The input is hostile: each line is at most KITH_NAMES_MAX_BYTES bytes per
 * name, valid UTF-8 without control characters (a tab only between the two
 * names of compare), and not empty; a CR before the LF is dropped. The first
 * bad line stops the batch with an error naming the file, the line and the
 * field ("names.txt:17:B"), never the name; nothing is appended then.
 *
 * Ownership: every pointer is borrowed; out is the caller's.
 */
#ifndef KITH_NAMES_BATCH_H
#define KITH_NAMES_BATCH_H

#include <stddef.h>

#include "base/sbuf.h"
#include "base/status.h"
#include "names/names.h"

enum kith_names_batch_op {
	KITH_NAMES_BATCH_COMPARE,  /* "A<TAB>B": "0.998 same" / {"score", "same"} */
	KITH_NAMES_BATCH_ROMANIZE, /* a Hangul name: its spelling (all systems: tab-separated) */
	KITH_NAMES_BATCH_KEYS,	   /* a name: its blocking keys, space-separated / {"keys", "surname_key"} */
	KITH_NAMES_BATCH_READ,	   /* a romanized name: "방미선 0.923<TAB>..." / [{"hangul", "score"}] */
};

/* How to run a batch; zero is compare, text output, RR, 5 readings. */
struct kith_names_batch_opts {
	enum kith_names_batch_op op;
	enum kith_names_system sys; /* romanize: the system ... */
	int all_systems;	    /* ... or every system, in the order rr, mr, mr-plain, nk, common */
	int json;		    /* one JSON value per line (JSON Lines) */
	size_t max_readings;	    /* read: at most this many (0: 5; at most 50) */
	const char *file;	    /* for errors: the input's name ("-": standard input) */
};

/* Runs opts->op on every line of buf[0..len) and appends one line of output
 * per line of input to out. KITH_OK; KITH_E_INVALID (a bad line: err->where
 * is "FILE:LINE" or "FILE:LINE:A|B", the message says what); KITH_E_LIMIT (a
 * name longer than KITH_NAMES_MAX_BYTES); KITH_E_NOMEM. On failure out is as
 * it was. */
int kith_names_batch(const char *buf, size_t len, const struct kith_names_batch_opts *opts,
		     struct kith_sbuf *out, struct kith_err *err) KITH_WUR;

#endif
