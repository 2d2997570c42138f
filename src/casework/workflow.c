/*
 * workflow — assignment, follow-up, the due view and referral sheets: see
 * workflow.h.
 */
#include "casework/workflow.h"

#include "casework/people.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/sbuf.h"
#include "casework/cases.h"
#include "record/record.h"

void kith_workflow_today(char out[KITH_WORKFLOW_DATE_LEN])
{
	time_t t = time(NULL);
	struct tm tm;
	if (!localtime_r(&t, &tm) || !strftime(out, KITH_WORKFLOW_DATE_LEN, "%Y-%m-%d", &tm))
		snprintf(out, KITH_WORKFLOW_DATE_LEN, "1970-01-01");
}

static const char *str_at(const json_t *j, const char *key)
{
	const json_t *x = json_object_get(j, key);
	return json_is_string(x) ? json_string_value(x) : "";
}

static int full_date(const char *s)
{
	return s && strlen(s) == 10 && kith_record_date_parse(s, 10, NULL, NULL, NULL) == 3;
}

/* A name as typed: trimmed of spaces into out; 0, or -1 when empty, too
 * long or holding a control character. */
static int clean_name(const char *in, char out[KITH_WORKFLOW_NAME_MAX + 1])
{
	while (*in == ' ' || *in == '\t')
		in++;
	size_t n = strlen(in);
	while (n && (in[n - 1] == ' ' || in[n - 1] == '\t'))
		n--;
	if (!n || n > KITH_WORKFLOW_NAME_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)in[i] < 0x20 || in[i] == 0x7f)
			return -1;
	memcpy(out, in, n);
	out[n] = '\0';
	return 0;
}

int kith_workflow_due_state(const json_t *c, const char *today)
{
	const char *f = str_at(c, "follow_up"), *st = str_at(c, "status");
	if (!*f || !strcmp(st, "closed") || !strcmp(st, "closed_referred"))
		return 0;
	int cmp = strncmp(f, today, 10);
	return cmp > 0 ? 0 : cmp == 0 ? 1 : 2;
}

/* Sets (value non-empty) or removes (value "") key of body; 1 when it changed. */
static int set_or_clear(json_t *body, const char *key, const char *value, int *changed)
{
	const char *cur = str_at(body, key);
	if (!strcmp(cur, value))
		return KITH_OK;
	*changed = 1;
	if (!*value)
		return json_object_del(body, key) ? KITH_E_INTERNAL : KITH_OK;
	return json_object_set_new(body, key, json_string(value)) ? KITH_E_NOMEM : KITH_OK;
}

/* Writes body as a new version of view r in its own batch. */
static int put_case(struct kith_vault *v, const struct kith_record_view *r, json_t *body, const char *action,
		    const char *note, uint32_t expect, struct kith_err *err)
{
	char id[KITH_VAULT_ID_HEX];
	snprintf(id, sizeof id, "%s", r->id);
	struct kith_vault_put_opts po = {.id = id, .action = action, .note = note, .expect_version = expect};
	return kith_vault_put_alone(v, "case", body, &po, NULL, NULL, NULL, NULL, err);
}

int kith_workflow_assign(struct kith_vault *v, const char *ref, const struct kith_workflow_assign *a,
			 uint32_t expect_version, struct kith_err *err)
{
	const struct kith_record_view *r = ref ? kith_vault_find(v, "case", ref) : NULL;
	if (!r)
		return kith_err_set(err, KITH_E_NOTFOUND, "ref", "no case with this ref");
	int prc = kith_people_allow_case(v, KITH_PEOPLE_ASSIGN, r, err); /* people.h */
	if (prc)
		return prc;
	char name[KITH_WORKFLOW_NAME_MAX + 1] = "";
	if (a->assigned && *a->assigned && clean_name(a->assigned, name))
		return kith_err_set(err, KITH_E_INVALID, "assigned",
				    "a caseworker's name of 1 to %d bytes without control characters",
				    KITH_WORKFLOW_NAME_MAX);
	if (a->follow_up && *a->follow_up && !full_date(a->follow_up))
		return kith_err_set(err, KITH_E_INVALID, "follow_up", "not a real date YYYY-MM-DD");
	if (expect_version && expect_version != r->version)
		return kith_err_set(err, KITH_E_EXISTS, "version",
				    "the case was changed: it is at version %u", (unsigned)r->version);
	json_t *body = kith_record_view_json(r);
	if (!body)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	int changed = 0, rc = KITH_OK;
	struct kith_sbuf note = KITH_SBUF_INIT;
	char pid[KITH_VAULT_PERSON_HEX] = "", by[KITH_PEOPLE_NAME_MAX];
	(void)kith_people_pid_of(v, name, pid); /* an enrolled person: assigned by id too */
	if (a->assigned)
		rc = set_or_clear(body, "assigned", name, &changed);
	if (!rc && a->assigned)
		rc = set_or_clear(body, "assigned_person", pid, &changed);
	if (!rc && a->follow_up)
		rc = set_or_clear(body, "follow_up", a->follow_up, &changed);
	if (rc) {
		rc = kith_err_set(err, rc, NULL, "out of memory");
		goto out;
	}
	if (!changed)
		goto out;
	char given[KITH_PEOPLE_NAME_MAX]; /* a named person is who assigned; else --by, else the unnamed admin
					   */
	const char *who = kith_people_reviewer(v, a->by && *a->by ? a->by : NULL, given, sizeof given);
	if (kith_sbuf_addf(&note, "assign by %s",
			   who ? who : kith_people_display(v, kith_vault_person(v), by, sizeof by))) {
		rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
		goto out;
	}
	rc = put_case(v, r, body, "assign", note.buf, r->version, err);
out:
	kith_sbuf_release(&note);
	json_decref(body);
	return rc;
}

static int by_name(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

json_t *kith_workflow_assignees(const struct kith_vault *v)
{
	size_t n = 0, m = 0;
	const struct kith_record_view *r = kith_vault_records(v, "case", &n);
	char **names = calloc(n ? n : 1, sizeof *names);
	json_t *out = json_array();
	if (!names || !out)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		json_t *b = kith_record_view_json(&r[i]);
		if (!b)
			goto nomem;
		const char *s = str_at(b, "assigned");
		if (*s && !(names[m++] = strdup(s))) {
			json_decref(b);
			goto nomem;
		}
		json_decref(b);
	}
	qsort(names, m, sizeof *names, by_name);
	for (size_t i = 0; i < m;) {
		size_t k = i;
		while (k < m && !strcmp(names[k], names[i]))
			k++;
		if (json_array_append_new(
			out, json_pack("{s:s, s:I}", "name", names[i], "cases", (json_int_t)(k - i))))
			goto nomem;
		i = k;
	}
	for (size_t i = 0; i < m; i++)
		free(names[i]);
	free(names);
	return out;
nomem:
	for (size_t i = 0; names && i < m; i++)
		free(names[i]);
	free(names);
	json_decref(out);
	return NULL;
}

int kith_workflow_due(struct kith_vault *v, const char *today, const char *assigned, json_t **out,
		      struct kith_err *err)
{
	char day[KITH_WORKFLOW_DATE_LEN];
	if (today) {
		if (!full_date(today))
			return kith_err_set(err, KITH_E_INVALID, "today", "not a real date YYYY-MM-DD");
		memcpy(day, today, sizeof day);
	} else {
		kith_workflow_today(day);
	}
	struct kith_cases_query q = {
	    .assigned = assigned, .due = 1, .today = day, .sort = KITH_CASES_FOLLOW_UP};
	json_t *items = NULL;
	size_t total = 0;
	int rc = kith_cases_list(v, &q, &items, &total, err);
	if (rc)
		return rc;
	json_t *overdue = json_array(), *due_today = json_array();
	json_t *o = json_pack("{s:s, s:s?, s:o, s:o, s:I}", "today", day, "assigned", assigned, "overdue",
			      overdue, "due_today", due_today, "total", (json_int_t)total);
	size_t i;
	json_t *s;
	json_array_foreach(items, i, s)
	{
		if (!o || json_array_append(kith_workflow_due_state(s, day) == 2 ? overdue : due_today, s)) {
			json_decref(o);
			o = NULL;
			break;
		}
	}
	json_decref(items);
	if (!o)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	*out = o;
	return KITH_OK;
}

/* --- referral sheets */

static const struct {
	const char *field;
	const char *en, *ko;
} referral_fields[] = {
    {"person.name", "Name", "이름"},
    {"person.other_names", "Other names and spellings", "다른 이름·표기"},
    {"person.sex", "Sex", "성별"},
    {"person.birth", "Date of birth", "생년월일"},
    {"person.age_at_intake", "Age at intake", "접수 시 나이"},
    {"person.origin", "Place of origin", "출신지"},
    {"person.languages", "Languages", "사용 언어"},
    {"person.citizenship", "Citizenship", "국적"},
    {"needs", "Needs", "필요 사항"},
    {"services", "Services", "제공 서비스"},
    {"status", "Case status", "사례 상태"},
    {"journey", "Journey", "이동 경로"},
    {"family", "Family", "가족"},
    {"incidents", "Incidents", "피해 사건"},
    {"narrative", "Testimony", "진술"},
    {"notes", "Notes", "메모"},
    {"assigned", "Caseworker", "담당자"},
    {"follow_up", "Follow-up date", "후속 조치 날짜"},
};
#define N_REFERRAL_FIELDS (sizeof referral_fields / sizeof referral_fields[0])

json_t *kith_workflow_referral_fields(void)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < N_REFERRAL_FIELDS; i++)
		if (json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "field", referral_fields[i].field,
						       "en", referral_fields[i].en, "ko",
						       referral_fields[i].ko))) {
			json_decref(a);
			a = NULL;
		}
	return a;
}

static long referral_field(const char *f)
{
	for (size_t i = 0; f && i < N_REFERRAL_FIELDS; i++)
		if (!strcmp(referral_fields[i].field, f))
			return (long)i;
	return -1;
}

/* The value at a dotted path of at most two parts, or NULL. */
static const json_t *value_at(const json_t *body, const char *path)
{
	const char *dot = strchr(path, '.');
	if (!dot)
		return json_object_get(body, path);
	char head[32];
	size_t n = (size_t)(dot - path);
	if (n >= sizeof head)
		return NULL;
	memcpy(head, path, n);
	head[n] = '\0';
	return json_object_get(json_object_get(body, head), dot + 1);
}

int kith_workflow_referral(struct kith_vault *v, const char *ref, const struct kith_workflow_referral *r,
			   json_t **sheet, struct kith_err *err)
{
	const struct kith_record_view *cv = ref ? kith_vault_find(v, "case", ref) : NULL;
	if (!cv)
		return kith_err_set(err, KITH_E_NOTFOUND, "ref", "no case with this ref");
	char partner[KITH_WORKFLOW_NAME_MAX + 1], by[KITH_WORKFLOW_NAME_MAX + 1] = "",
									      day[KITH_WORKFLOW_DATE_LEN];
	if (!r->partner || clean_name(r->partner, partner))
		return kith_err_set(err, KITH_E_INVALID, "partner",
				    "the partner organization: 1 to %d bytes without control characters",
				    KITH_WORKFLOW_NAME_MAX);
	if (r->by && *r->by && clean_name(r->by, by))
		return kith_err_set(err, KITH_E_INVALID, "by",
				    "a name of 1 to %d bytes without control characters",
				    KITH_WORKFLOW_NAME_MAX);
	if (r->date) {
		if (!full_date(r->date))
			return kith_err_set(err, KITH_E_INVALID, "date", "not a real date YYYY-MM-DD");
		memcpy(day, r->date, sizeof day);
	} else {
		kith_workflow_today(day);
	}
	if (!r->n_fields)
		return kith_err_set(err, KITH_E_INVALID, "fields", "choose at least one field to share");
	/* the chosen fields in the sheet's order, each once */
	unsigned char chosen[N_REFERRAL_FIELDS] = {0};
	for (size_t i = 0; i < r->n_fields; i++) {
		long k = referral_field(r->fields[i]);
		if (k < 0)
			return kith_err_set(err, KITH_E_INVALID, "fields",
					    "field %zu is not one a referral may carry (see --help)", i + 1);
		chosen[k] = 1;
	}
	json_t *body = kith_record_view_json(cv);
	if (!body)
		return kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
	int rc = KITH_OK;
	json_t *out = NULL;
	struct kith_sbuf note = KITH_SBUF_INIT;
	if (!kith_record_consent_allows(body, "sharing")) {
		rc = kith_err_set(err, KITH_E_CONSENT, "consent.sharing",
				  "the case's consent does not allow sharing with other organizations");
		goto out;
	}
	json_t *fields = json_array(), *names = json_array();
	out = json_pack("{s:s, s:s, s:s, s:s, s:o}", "ref", cv->ref, "partner", partner, "date", day, "by",
			by, "fields", fields);
	if (!out || !names) {
		json_decref(names);
		goto nomem;
	}
	for (size_t k = 0; k < N_REFERRAL_FIELDS; k++) {
		if (!chosen[k])
			continue;
		const json_t *val = value_at(body, referral_fields[k].field);
		json_t *f = json_pack("{s:s, s:s, s:s, s:O}", "field", referral_fields[k].field, "en",
				      referral_fields[k].en, "ko", referral_fields[k].ko, "value",
				      val ? val : json_null());
		if (!f || json_array_append_new(fields, f) ||
		    json_array_append_new(names, json_string(referral_fields[k].field))) {
			json_decref(names);
			goto nomem;
		}
	}
	/* the record of it in the case */
	json_t *entry = json_pack("{s:s, s:s, s:o}", "date", day, "partner", partner, "fields", names);
	if (entry && *by && json_object_set_new(entry, "by", json_string(by))) {
		json_decref(entry);
		entry = NULL;
	}
	json_t *refs = json_object_get(body, "referrals");
	if (!entry)
		goto nomem;
	if (!refs && json_object_set_new(body, "referrals", refs = json_array())) {
		json_decref(entry);
		goto nomem;
	}
	if (json_array_append_new(refs, entry))
		goto nomem;
	if (kith_sbuf_addf(&note, "referral to %s of %zu fields by %s", partner, json_array_size(fields),
			   *by ? by : "unknown"))
		goto nomem;
	rc = put_case(v, cv, body, "referral", note.buf, cv->version, err);
	if (rc)
		goto out;
	*sheet = out;
	out = NULL;
	goto out;
nomem:
	rc = kith_err_set(err, KITH_E_NOMEM, NULL, "out of memory");
out:
	kith_sbuf_release(&note);
	json_decref(out);
	json_decref(body);
	return rc;
}
