/*
 * imgstrip — removes the metadata of a photo (JPEG, PNG) as it streams in, so
 * that a child's photo attached to a case does not carry where and when it
 * was taken, the camera's serial number or an embedded thumbnail of the
 * uncropped picture (docs/vault-format.md "Attachments").
 *
 * What is kept is listed, everything else is dropped:
 *   JPEG  SOI; every segment but APPn and COM; APP0 "JFIF" (not the JFXX
 *         thumbnail), APP2 "ICC_PROFILE", APP14 "Adobe" (colour decoding);
 *         the entropy-coded scans; EOI. Dropped: APP1 (EXIF with GPS, XMP),
 *         APP13 (IPTC), APP2 MPF and FlashPix, every other APPn, COM, and
 *         every byte after EOI (appended images, trailers).
 *   PNG   the signature; IHDR, PLTE, IDAT, IEND, tRNS, gAMA, cHRM, sRGB,
 *         iCCP, sBIT, bKGD, pHYs, hIST, acTL, fcTL, fdAT. Dropped: tEXt,
 *         zTXt, iTXt, eXIf, tIME and every other ancillary chunk, and every
 *         byte after IEND. An unknown critical chunk is refused.
 * Other images that carry location (TIFF and camera raw, HEIC/HEIF, AVIF,
 * WebP, GIF) are recognized by kith_imgstrip_sniff and refused by the caller:
 * they cannot be stripped here.
 *
 * The input is hostile: every length is checked against what remains, the
 * state machine takes any split of the input into feeds, and a malformed or
 * truncated photo is refused (KITH_E_INVALID, err->where "photo", the message
 * naming the byte offset) — never passed through with its metadata.
 *
 * Ownership: a struct kith_imgstrip is caller-owned (kith_imgstrip_free wipes
 * it: it buffers plaintext); input is borrowed; output goes to the caller's
 * emit callback in pieces borrowed for the call.
 */
#ifndef KITH_RECORD_IMGSTRIP_H
#define KITH_RECORD_IMGSTRIP_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

enum kith_imgstrip_kind {
	KITH_IMGSTRIP_OTHER = 0,   /* not an image: stored as it is */
	KITH_IMGSTRIP_JPEG = 1,	   /* stripped */
	KITH_IMGSTRIP_PNG = 2,	   /* stripped */
	KITH_IMGSTRIP_REFUSED = 3, /* an image format with metadata that cannot be stripped */
};

#define KITH_IMGSTRIP_SNIFF_BYTES                                                                            \
	16 /* bytes kith_imgstrip_sniff needs (fewer: OTHER or JPEG/PNG by prefix) */

/* What kind of file p[0..n) begins; the name of a refused format in *what
 * (static) when not NULL. */
enum kith_imgstrip_kind kith_imgstrip_sniff(const uint8_t *p, size_t n, const char **what);

/* The output: emit(arg, p, n) returns KITH_OK or a negative status that stops
 * the feed and is returned by it. */
typedef int (*kith_imgstrip_emit_fn)(void *arg, const uint8_t *p, size_t n);

struct kith_imgstrip;

/* kind is JPEG or PNG. KITH_OK, KITH_E_INVALID (another kind), KITH_E_NOMEM. */
int kith_imgstrip_new(struct kith_imgstrip **out, enum kith_imgstrip_kind kind, kith_imgstrip_emit_fn emit,
		      void *arg, struct kith_err *err) KITH_WUR;

/* Feeds p[0..n). KITH_OK; KITH_E_INVALID (malformed; the stripper is spent),
 * or the status emit returned. */
int kith_imgstrip_feed(struct kith_imgstrip *s, const uint8_t *p, size_t n, struct kith_err *err) KITH_WUR;

/* Ends the input: KITH_OK when the image ended (EOI, IEND); KITH_E_INVALID
 * when it was cut short; or emit's status. */
int kith_imgstrip_finish(struct kith_imgstrip *s, struct kith_err *err) KITH_WUR;

/* Segments or chunks dropped so far (metadata, trailers). */
size_t kith_imgstrip_dropped(const struct kith_imgstrip *s);

/* Wipes and frees. NULL allowed. */
void kith_imgstrip_free(struct kith_imgstrip *s);

#endif
