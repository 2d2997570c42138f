/*
 * drafts — forms kept encrypted in the vault as they are typed (see
 * drafts.h). A thin layer over the vault's public batch API: one record of
 * kind "draft" per form key, a new version per save.
 */
#include "casework/drafts.h"

#include <stdlib.h>
#include <string.h>

#define KIND "draft"

/* The current record of `form`'s draft (open or closed), or NULL; *open is
 * set to whether it is open. */
static const struct kith_record_view *find(const struct kith_vault *v, const char *form, int *open)
{
	size_t n = 0;
	const struct kith_record_view *r = kith_vault_records(v, KIND, &n);
	const struct kith_record_view *hit = NULL;
	for (size_t i = 0; i < n && !hit; i++) {
		json_t *b = kith_record_view_json(&r[i]);
		if (!b)
			continue;
		const char *f = json_string_value(json_object_get(b, "form"));
		if (f && !strcmp(f, form)) {
			hit = &r[i];
			if (open)
				*open = json_is_true(json_object_get(b, "open"));
		}
		json_decref(b);
	}
	return hit;
}

static int form_ok(const char *form, struct kith_err *err)
{
	if (!form || !*form || strlen(form) > KITH_DRAFTS_FORM_MAX)
		return kith_err_set(err, KITH_E_INVALID, "form", "a draft needs a form key of 1 to %d bytes",
				    KITH_DRAFTS_FORM_MAX);
	return KITH_OK;
}

static int write_version(struct kith_vault *v, const struct kith_record_view *cur, json_t *body,
			 struct kith_err *err)
{
	struct kith_vault_put_opts po = {.id = cur ? cur->id : NULL, .action = cur ? "edit" : "create"};
	return kith_vault_put_alone(v, KIND, body, &po, NULL, NULL, NULL, NULL, err);
}

int kith_drafts_save(struct kith_vault *v, const char *form, const char *title, const char *data,
		     struct kith_err *err)
{
	int rc = form_ok(form, err);
	if (rc)
		return rc;
	if (!data || strlen(data) > KITH_DRAFTS_DATA_MAX)
		return kith_err_set(err, KITH_E_INVALID, "data", "a draft holds at most %d bytes",
				    KITH_DRAFTS_DATA_MAX);
	json_error_t je;
	json_t *probe = json_loads(data, JSON_DECODE_ANY, &je);
	if (!probe)
		return kith_err_set(err, KITH_E_INVALID, "data", "a draft's data must be JSON text");
	json_decref(probe);
	if (title && strlen(title) > KITH_DRAFTS_FORM_MAX)
		return kith_err_set(err, KITH_E_INVALID, "title", "a draft's title holds at most %d bytes",
				    KITH_DRAFTS_FORM_MAX);
	json_t *body = json_pack("{s:s, s:s, s:b}", "form", form, "data", data, "open", 1);
	if (!body || (title && *title && json_object_set_new(body, "title", json_string(title)))) {
		json_decref(body);
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	}
	rc = write_version(v, find(v, form, NULL), body, err);
	json_decref(body);
	return rc;
}

int kith_drafts_discard(struct kith_vault *v, const char *form, struct kith_err *err)
{
	int rc = form_ok(form, err);
	if (rc)
		return rc;
	int open = 0;
	const struct kith_record_view *cur = find(v, form, &open);
	if (!cur || !open)
		return KITH_OK;
	json_t *body = json_pack("{s:s, s:b}", "form", form, "open", 0);
	if (!body)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	rc = write_version(v, cur, body, err);
	json_decref(body);
	return rc;
}

static int newest_first(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "at"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "at"));
	return (y > x) - (y < x);
}

int kith_drafts_list(const struct kith_vault *v, int with_data, json_t **out, struct kith_err *err)
{
	size_t n = 0;
	const struct kith_record_view *r = kith_vault_records(v, KIND, &n);
	json_t **items = calloc(n ? n : 1, sizeof *items);
	json_t *arr = json_array();
	size_t k = 0;
	int rc = KITH_OK;
	if (!items || !arr) {
		rc = KITH_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *b = kith_record_view_json(&r[i]);
		if (!b) {
			rc = KITH_E_NOMEM;
			goto out;
		}
		if (!json_is_true(json_object_get(b, "open"))) {
			json_decref(b);
			continue;
		}
		json_t *it =
		    json_pack("{s:O, s:I}", "form", json_object_get(b, "form"), "at", (json_int_t)r[i].at);
		json_t *title = json_object_get(b, "title");
		if (it && title)
			json_object_set(it, "title", title);
		if (it && with_data)
			json_object_set(it, "data", json_object_get(b, "data"));
		json_decref(b);
		if (!it) {
			rc = KITH_E_NOMEM;
			goto out;
		}
		items[k++] = it;
	}
	qsort(items, k, sizeof *items, newest_first);
	for (size_t i = 0; i < k; i++) {
		if (json_array_append(arr, items[i])) {
			rc = KITH_E_NOMEM;
			goto out;
		}
	}
out:
	for (size_t i = 0; i < k; i++)
		json_decref(items[i]);
	free(items);
	if (rc) {
		json_decref(arr);
		return kith_err_set(err, rc, NULL, "out of memory");
	}
	*out = arr;
	return KITH_OK;
}

size_t kith_drafts_count(const struct kith_vault *v)
{
	size_t n = 0, open = 0;
	const struct kith_record_view *r = kith_vault_records(v, KIND, &n);
	for (size_t i = 0; i < n; i++) {
		json_t *b = kith_record_view_json(&r[i]);
		open += b && json_is_true(json_object_get(b, "open"));
		json_decref(b);
	}
	return open;
}
