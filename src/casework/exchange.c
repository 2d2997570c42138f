/*
 * Import and export of cases: the batch loop of an import and the consent
 * filter of an export, for the command line and the web UI alike.
 */
#include "casework/exchange.h"

#include "casework/people.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record/caseio.h"
#include "record/record.h"
#include "record/sheet.h"

int kith_exchange_import(struct kith_vault *v, json_t *const *bodies, size_t n, const char *label,
			 kith_exchange_progress_fn progress, void *progress_arg,
			 struct kith_exchange_import_result *res, struct kith_err *err)
{
	return kith_exchange_import_lines(v, bodies, NULL, n, label, progress, progress_arg, res, err);
}

int kith_exchange_import_lines(struct kith_vault *v, json_t *const *bodies, const size_t *lines, size_t n,
			       const char *label, kith_exchange_progress_fn progress, void *progress_arg,
			       struct kith_exchange_import_result *res, struct kith_err *err)
{
	int prc = kith_people_allow(v, KITH_PEOPLE_WRITE, err); /* people.h */
	if (prc)
		return prc;
	if (!label)
		label = "input";
	if (n == 0)
		return kith_err_set(err, KITH_E_INVALID, label, "no cases in the file; nothing imported");
	struct kith_exchange_import_result r;
	memset(&r, 0, sizeof r);
	struct kith_vault_batch *b = NULL;
	struct kith_vault_put_opts po = {.create_only = 1};
	size_t i = 0;
	int rc = kith_vault_batch_begin(v, &b, err);
	if (!rc) /* rows reach the file while the rest is put; nothing else calls the vault here */
		kith_vault_batch_stream(b);
	for (; !rc && i < n; i++) {
		rc = kith_vault_put(b, "case", bodies[i], &po, r.last, NULL, err);
		if (!rc && i == 0)
			memcpy(r.first, r.last, sizeof r.first);
		if (!rc && progress)
			progress(i + 1, n, progress_arg);
	}
	if (rc) {
		/* the parser validated every body and refused a ref given twice;
		 * what is left is per vault (a ref that exists already): name the
		 * record by its line, else by its position (i counts from 1 here;
		 * 0 when the batch did not begin: no record to name) */
		char where[KITH_ERR_WHERE_MAX];
		if (i > 0 && lines && err && rc == KITH_E_EXISTS && !strcmp(err->where, "ref")) {
			snprintf(where, sizeof where, "%s:%zu:ref", label, lines[i - 1]);
			kith_err_set(err, rc, where, "a case with this ref is already in the vault");
		} else if (i == 0) {
			kith_err_prefix_where(err, label);
		} else {
			if (lines)
				snprintf(where, sizeof where, "%zu", lines[i - 1]);
			else
				snprintf(where, sizeof where, "record %zu", i);
			kith_err_prefix_where(err, where);
			kith_err_prefix_where(err, label);
		}
		kith_vault_batch_free(b);
		return rc;
	}
	rc = kith_vault_batch_commit(b, err);
	if (rc)
		return rc;
	r.n = n;
	*res = r;
	return KITH_OK;
}

int kith_exchange_consent_use_valid(const char *use)
{
	static const char *const uses[] = {"services", "reporting", "tracing", "sharing"};
	for (size_t i = 0; use && i < sizeof uses / sizeof uses[0]; i++)
		if (!strcmp(use, uses[i]))
			return 1;
	return 0;
}

/* A family entry's link to a case that is not exported itself is dropped:
 * the ref alone would tell the reader that the two people are related. An
 * entry gives either a case or a description (record.c), so an entry left
 * with its relation alone goes whole: it is no longer a valid entry (CSV
 * export refused it) and says only that a relative exists. */
static void drop_unexported_links(json_t *body, const json_t *exported)
{
	json_t *fam = json_object_get(body, "family");
	for (size_t i = json_array_size(fam); i-- > 0;) {
		json_t *m = json_array_get(fam, i);
		const char *ref = json_string_value(json_object_get(m, "case"));
		if (!ref || json_object_get(exported, ref))
			continue;
		json_object_del(m, "case");
		int described = 0;
		const char *key;
		json_t *val;
		json_object_foreach(m, key, val) described |= strcmp(key, "relation") != 0;
		if (!described)
			json_array_remove(fam, i);
	}
	if (fam && json_array_size(fam) == 0)
		json_object_del(body, "family");
}

int kith_exchange_export(const struct kith_vault *v, const struct kith_exchange_export_opts *opts,
			 struct kith_sbuf *out, struct kith_exchange_export_result *res, struct kith_err *err)
{
	static const struct kith_exchange_export_opts defaults = {0};
	if (!opts)
		opts = &defaults;
	int prc = kith_people_allow(v, KITH_PEOPLE_EXPORT, err); /* people.h */
	if (prc)
		return prc;
	const char *consent = opts->consent;
	if (consent && !kith_exchange_consent_use_valid(consent))
		return kith_err_set(err, KITH_E_INVALID, "consent",
				    "the consent filter takes services, reporting, tracing or sharing");
	int csv = opts->format == KITH_EXCHANGE_CSV, sheet = opts->format == KITH_EXCHANGE_SHEET;
	size_t start = out->len, n = 0;
	struct kith_exchange_export_result r = {0, 0};
	const struct kith_record_view *recs = kith_vault_records(v, "case", &n);
	int rc = csv ? kith_caseio_csv_header(out, err) : KITH_OK;
	json_t *exported = json_object(); /* refs of the cases the filter lets through */
	if (!rc && !exported)
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	for (size_t i = 0; !rc && consent && i < n; i++) {
		json_t *b = kith_record_view_json(&recs[i]);
		if (!b) {
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			break;
		}
		if (kith_record_consent_allows(b, consent) &&
		    json_object_set_new(exported, recs[i].ref, json_true()))
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		json_decref(b);
	}
	/* a sheet needs every case before its first line (its columns depend on them) */
	json_t **kept = sheet && n ? calloc(n, sizeof *kept) : NULL;
	if (!rc && sheet && n && !kept)
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	for (size_t i = 0; !rc && i < n; i++) {
		json_t *b = kith_record_view_json(&recs[i]);
		if (!b) {
			rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
			break;
		}
		if (!consent || kith_record_consent_allows(b, consent)) {
			if (consent)
				drop_unexported_links(b, exported);
			if (sheet) {
				kept[r.written++] = b;
				continue;
			}
			rc =
			    csv ? kith_caseio_csv_append(b, out, err) : kith_caseio_jsonl_append(b, out, err);
			r.written++;
		} else {
			r.left_out++;
		}
		json_decref(b);
	}
	if (!rc && sheet)
		rc = kith_sheet_write(kept, r.written, opts->lang ? opts->lang : "en", out, err);
	for (size_t i = 0; kept && i < r.written; i++)
		json_decref(kept[i]);
	free(kept);
	json_decref(exported);
	if (rc) {
		/* leave out as it was: wipe what this call appended */
		if (out->buf && out->len > start) {
			sodium_memzero(out->buf + start, out->len - start);
			out->buf[start] = '\0';
		}
		out->len = start;
		return rc;
	}
	if (res)
		*res = r;
	return KITH_OK;
}

int kith_exchange_record(struct kith_vault *v, const struct kith_exchange_export_opts *opts,
			 const struct kith_exchange_export_result *res, size_t attachments, const char *by,
			 struct kith_err *err)
{
	static const char *const formats[] = {"jsonl", "csv", "sheet"};
	unsigned f = opts && (unsigned)opts->format < 3 ? (unsigned)opts->format : 0;
	json_t *body =
	    json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "at", (json_int_t)time(NULL), "format",
		      formats[f], "lang", opts && opts->lang && !strcmp(opts->lang, "ko") ? "ko" : "en",
		      "consent", opts && opts->consent ? opts->consent : "all", "cases",
		      (json_int_t)(res ? res->written : 0), "left_out", (json_int_t)(res ? res->left_out : 0),
		      "attachments", (json_int_t)attachments, "by", by && *by ? by : "unknown");
	if (!body)
		return kith_err_set(err, KITH_E_NOMEM, "export", "out of memory");
	struct kith_vault_put_opts po = {.action = "export"};
	int rc = kith_vault_put_alone(v, "export", body, &po, NULL, NULL, NULL, NULL, err);
	json_decref(body);
	return rc;
}

json_t *kith_exchange_log(const struct kith_vault *v)
{
	size_t n = 0;
	const struct kith_record_view *r = kith_vault_records(v, "export", &n);
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++) {
		json_t *b = kith_record_view_json(&r[i]);
		if (!b || json_array_append_new(arr, b)) {
			json_decref(arr);
			arr = NULL;
		}
	}
	return arr;
}
