/*
 * people — people, roles and the view log: see people.h. The person records
 * are few (one per person enrolled), so each question reads them all again
 * from the vault's index rather than keeping a cache that could go stale
 * when another process writes.
 */
#include "casework/people.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"

static const struct {
	enum kith_role role;
	const char *name, *ko;
} roles[] = {
    {KITH_ROLE_CASEWORKER, "caseworker", "사례 담당자"},
    {KITH_ROLE_REVIEWER, "reviewer", "검토자"},
    {KITH_ROLE_ANALYST, "analyst", "분석가"},
    {KITH_ROLE_ADMIN, "admin", "관리자"},
};
#define NROLES (sizeof roles / sizeof roles[0])

const char *kith_role_name(enum kith_role r)
{
	for (size_t i = 0; i < NROLES; i++)
		if (roles[i].role == r)
			return roles[i].name;
	return "";
}

const char *kith_role_label_ko(enum kith_role r)
{
	for (size_t i = 0; i < NROLES; i++)
		if (roles[i].role == r)
			return roles[i].ko;
	return "";
}

int kith_role_parse(const char *s, enum kith_role *out, struct kith_err *err)
{
	for (size_t i = 0; s && i < NROLES; i++)
		if (strcmp(s, roles[i].name) == 0) {
			*out = roles[i].role;
			return KITH_OK;
		}
	return kith_err_set(err, KITH_E_INVALID, "role",
			    "unknown role: caseworker, reviewer, analyst or admin");
}

static const char *str_at(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* Fills p from a person record's view; 0 when the body is not a person's.
 * has_slot is looked up in the file only when `slot` is set: the other
 * callers run under the web server's shared lock (a search), where the
 * vault's SQLite connection must not be used; they report 1. */
static int person_from_slot(const struct kith_vault *v, const struct kith_record_view *r,
			    struct kith_person *p, int slot)
{
	json_t *b = kith_record_view_json(r);
	if (!b)
		return 0;
	memset(p, 0, sizeof *p);
	int main = json_is_true(json_object_get(b, "main"));
	snprintf(p->pid, sizeof p->pid, "%s", main ? "" : str_at(b, "pid"));
	snprintf(p->name, sizeof p->name, "%s", str_at(b, "name"));
	snprintf(p->id, sizeof p->id, "%s", r->id);
	enum kith_role role = KITH_ROLE_NONE;
	if (kith_role_parse(str_at(b, "role"), &role, NULL))
		role = KITH_ROLE_NONE;
	p->role = main ? KITH_ROLE_ADMIN : role;
	p->main = main;
	p->removed = json_is_true(json_object_get(b, "removed"));
	p->added = json_integer_value(json_object_get(b, "added"));
	p->removed_at = json_integer_value(json_object_get(b, "removed_at"));
	json_decref(b);
	p->has_slot = main || !slot || kith_vault_person_slot_present((struct kith_vault *)v, p->pid);
	return 1;
}

static int person_from(const struct kith_vault *v, const struct kith_record_view *r, struct kith_person *p)
{
	return person_from_slot(v, r, p, 0);
}

static void main_admin(struct kith_person *p)
{
	memset(p, 0, sizeof *p);
	p->role = KITH_ROLE_ADMIN;
	p->main = 1;
	p->has_slot = 1;
}

/* The record of pid ("" : the main admin's, when named). */
static const struct kith_record_view *record_of(const struct kith_vault *v, const char *pid)
{
	size_t n = 0;
	const struct kith_record_view *r = kith_vault_records(v, "person", &n);
	for (size_t i = 0; i < n; i++) {
		json_t *b = kith_record_view_json(&r[i]);
		int hit =
		    pid[0] ? strcmp(str_at(b, "pid"), pid) == 0 && !json_is_true(json_object_get(b, "main"))
			   : json_is_true(json_object_get(b, "main"));
		json_decref(b);
		if (hit)
			return &r[i];
	}
	return NULL;
}

int kith_people_find(const struct kith_vault *v, const char *pid, struct kith_person *out)
{
	if (!pid)
		pid = "";
	const struct kith_record_view *r = record_of(v, pid);
	if (r && person_from(v, r, out))
		return 1;
	if (!pid[0]) {
		main_admin(out);
		return 1;
	}
	memset(out, 0, sizeof *out);
	snprintf(out->pid, sizeof out->pid, "%s", pid);
	return 0;
}

void kith_people_me(const struct kith_vault *v, struct kith_person *out)
{
	const char *pid = kith_vault_person(v);
	if (!kith_people_find(v, pid, out)) /* unreachable: such a slot does not unlock */
		out->role = KITH_ROLE_NONE;
}

const char *kith_people_display(const struct kith_vault *v, const char *pid, char *buf, size_t n)
{
	struct kith_person p;
	if (!kith_people_find(v, pid, &p))
		snprintf(buf, n, "person %.8s", pid ? pid : "");
	else if (p.name[0])
		snprintf(buf, n, "%s", p.name);
	else
		snprintf(buf, n, "admin");
	return buf;
}

json_t *kith_people_person_json(const struct kith_person *p)
{
	json_t *o =
	    json_pack("{s:s, s:s, s:s, s:b, s:b, s:b}", "id", p->pid, "name", p->name, "role",
		      kith_role_name(p->role), "main", p->main, "removed", p->removed, "slot", p->has_slot);
	if (o && p->added)
		json_object_set_new(o, "added", json_integer(p->added));
	if (o && p->removed)
		json_object_set_new(o, "removed_at", json_integer(p->removed_at));
	return o;
}

json_t *kith_people_json(const struct kith_vault *v, const char *pid)
{
	struct kith_person p;
	int known = kith_people_find(v, pid, &p);
	return json_pack("{s:s, s:s, s:s, s:b, s:b}", "id", pid ? pid : "", "name", p.name, "role",
			 kith_role_name(p.role), "main", p.main, "known", known);
}

static int allowed(enum kith_role r, enum kith_people_act act)
{
	switch (act) {
	case KITH_PEOPLE_FIGURES:
		return r != KITH_ROLE_NONE;
	case KITH_PEOPLE_NAMES:
	case KITH_PEOPLE_WRITE:
		return r == KITH_ROLE_CASEWORKER || r == KITH_ROLE_REVIEWER || r == KITH_ROLE_ADMIN;
	case KITH_PEOPLE_EXPORT:
	case KITH_PEOPLE_REVIEW:
	case KITH_PEOPLE_ASSIGN:
		return r == KITH_ROLE_REVIEWER || r == KITH_ROLE_ADMIN;
	case KITH_PEOPLE_ADMIN:
		return r == KITH_ROLE_ADMIN;
	}
	return 0;
}

static const char *what_of(enum kith_people_act act)
{
	switch (act) {
	case KITH_PEOPLE_FIGURES:
		return "aggregate figures";
	case KITH_PEOPLE_NAMES:
		return "reading cases";
	case KITH_PEOPLE_WRITE:
		return "writing cases";
	case KITH_PEOPLE_EXPORT:
		return "exporting cases";
	case KITH_PEOPLE_REVIEW:
		return "duplicate and tracing decisions";
	case KITH_PEOPLE_ASSIGN:
		return "assigning cases";
	case KITH_PEOPLE_ADMIN:
		return "managing people, devices and the view log";
	}
	return "this";
}

static const char *may_of(enum kith_role r)
{
	switch (r) {
	case KITH_ROLE_CASEWORKER:
		return "a caseworker works on the cases assigned to them and their own";
	case KITH_ROLE_REVIEWER:
		return "a reviewer reads cases and makes duplicate and tracing decisions";
	case KITH_ROLE_ANALYST:
		return "an analyst sees aggregate figures only (kith report, kith estimate), never a name";
	case KITH_ROLE_ADMIN:
		return "an admin may do everything";
	default:
		return "this person has no role";
	}
}

static int deny(enum kith_role r, enum kith_people_act act, const char *where, struct kith_err *err)
{
	return kith_err_set(err, KITH_E_DENIED, where, "%s is not allowed for the role %s: %s", what_of(act),
			    r == KITH_ROLE_NONE ? "(none)" : kith_role_name(r), may_of(r));
}

int kith_people_allow(const struct kith_vault *v, enum kith_people_act act, struct kith_err *err)
{
	struct kith_person me;
	kith_people_me(v, &me);
	return allowed(me.role, act) ? KITH_OK : deny(me.role, act, "role", err);
}

int kith_people_sees(const struct kith_person *me, const struct kith_record_view *c)
{
	if (me->role != KITH_ROLE_CASEWORKER)
		return allowed(me->role, KITH_PEOPLE_NAMES);
	if (!me->pid[0] || !c)
		return 0;
	if (c->person && strcmp(c->person, me->pid) == 0)
		return 1;
	json_t *b = kith_record_view_json(c);
	int mine = b && strcmp(str_at(b, "assigned_person"), me->pid) == 0;
	json_decref(b);
	return mine;
}

int kith_people_allow_case(const struct kith_vault *v, enum kith_people_act act,
			   const struct kith_record_view *c, struct kith_err *err)
{
	struct kith_person me;
	kith_people_me(v, &me);
	if (!allowed(me.role, act))
		return deny(me.role, act, "role", err);
	if (me.role == KITH_ROLE_CASEWORKER && c && !kith_people_sees(&me, c))
		return kith_err_set(err, KITH_E_DENIED, c->ref,
				    "case %s is not assigned to you: a caseworker "
				    "works on the cases assigned to them and their own",
				    c->ref);
	return KITH_OK;
}

static int person_cmp(const void *a, const void *b)
{
	const struct kith_person *x = a, *y = b;
	if (x->main != y->main)
		return x->main ? -1 : 1;
	if (x->added != y->added)
		return x->added < y->added ? -1 : 1;
	return strcmp(x->id, y->id);
}

int kith_people_list(struct kith_vault *v, struct kith_person **out, size_t *n, struct kith_err *err)
{
	*out = NULL;
	*n = 0;
	int rc = kith_people_allow(v, KITH_PEOPLE_ADMIN, err);
	if (rc)
		return rc;
	size_t nr = 0;
	const struct kith_record_view *r = kith_vault_records(v, "person", &nr);
	struct kith_person *a = calloc(nr + 1, sizeof *a);
	if (!a)
		return kith_err_set(err, KITH_E_NOMEM, "people", "out of memory");
	size_t k = 0;
	int named_main = 0;
	for (size_t i = 0; i < nr; i++)
		if (person_from_slot(v, &r[i], &a[k], 1)) {
			named_main |= a[k].main;
			k++;
		}
	if (!named_main)
		main_admin(&a[k++]);
	qsort(a, k, sizeof *a, person_cmp);
	*out = a;
	*n = k;
	return KITH_OK;
}

static int name_check(const struct kith_vault *v, const char *name, const char *except_id,
		      struct kith_err *err)
{
	size_t len = name ? strlen(name) : 0;
	if (len == 0 || len >= KITH_PEOPLE_NAME_MAX || kith_utf8_check(name, len) != len)
		return kith_err_set(err, KITH_E_INVALID, "name", "a name is 1 to 200 bytes of UTF-8");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return kith_err_set(err, KITH_E_INVALID, "name", "a name has no control characters");
	size_t nr = 0;
	const struct kith_record_view *r = kith_vault_records(v, "person", &nr);
	for (size_t i = 0; i < nr; i++) {
		struct kith_person p;
		if (!person_from(v, &r[i], &p) || p.removed || (except_id && strcmp(p.id, except_id) == 0))
			continue;
		if (strcmp(p.name, name) == 0)
			return kith_err_set(err, KITH_E_EXISTS, "name", "a person of that name is enrolled");
	}
	return KITH_OK;
}

int kith_people_add(struct kith_vault *v, const char *name, enum kith_role role, const char *pass,
		    size_t pass_len, int64_t now, char pid_out[KITH_VAULT_PERSON_HEX], struct kith_err *err)
{
	int rc = kith_people_allow(v, KITH_PEOPLE_ADMIN, err);
	if (rc)
		return rc;
	if (!kith_role_name(role)[0])
		return kith_err_set(err, KITH_E_INVALID, "role", "unknown role");
	if ((rc = name_check(v, name, NULL, err)))
		return rc;
	struct kith_vault_person_slot *slot = NULL;
	char pid[KITH_VAULT_PERSON_HEX], digest[65];
	if ((rc = kith_vault_person_slot_new(v, pass, pass_len, &slot, pid, digest, err)))
		return rc;
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:I}", "name", name, "role", kith_role_name(role),
				 "pid", pid, "slot", digest, "added", (json_int_t)now);
	struct kith_vault_put_opts o = {.action = "person add"};
	if (!body || kith_vault_person_sign_pks_add(body, slot))
		rc = kith_err_set(err, KITH_E_NOMEM, "people", "out of memory");
	else
		rc = kith_vault_put_alone(v, "person", body, &o, NULL, NULL, kith_vault_person_slot_hook,
					  slot, err);
	json_decref(body);
	kith_vault_person_slot_free(slot);
	if (!rc && pid_out)
		memcpy(pid_out, pid, sizeof pid);
	return rc;
}

int kith_people_reset(struct kith_vault *v, const char *name, const char *pass, size_t pass_len,
		      struct kith_err *err)
{
	int rc = kith_people_allow(v, KITH_PEOPLE_ADMIN, err);
	if (rc)
		return rc;
	size_t nr = 0;
	const struct kith_record_view *r = kith_vault_records(v, "person", &nr);
	const struct kith_record_view *hit = NULL;
	struct kith_person p;
	for (size_t i = 0; i < nr && !hit; i++)
		if (person_from(v, &r[i], &p) && !p.removed && !p.main &&
		    strcmp(p.name, name ? name : "") == 0)
			hit = &r[i];
	if (!hit)
		return kith_err_set(err, KITH_E_NOTFOUND, "name", "no enrolled person of that name");
	struct kith_vault_person_slot *slot = NULL;
	char digest[65], id[KITH_VAULT_ID_HEX];
	snprintf(id, sizeof id, "%s", hit->id);
	if ((rc = kith_vault_person_slot_renew(v, p.pid, pass, pass_len, &slot, digest, err)))
		return rc;
	json_t *body = kith_record_view_json(hit);
	if (!body || json_object_set_new(body, "slot", json_string(digest)) ||
	    kith_vault_person_sign_pks_add(body, slot)) {
		json_decref(body);
		kith_vault_person_slot_free(slot);
		return kith_err_set(err, KITH_E_NOMEM, "people", "out of memory");
	}
	/* the record and the slot in one transaction: the record's digest names
	 * the new slot, so an old copy of the slot never unlocks again */
	struct kith_vault_put_opts o = {.id = id, .action = "person reset"};
	rc = kith_vault_put_alone(v, "person", body, &o, NULL, NULL, kith_vault_person_slot_hook, slot, err);
	json_decref(body);
	kith_vault_person_slot_free(slot);
	return rc;
}

int kith_people_name_main(struct kith_vault *v, const char *name, int64_t now, struct kith_err *err)
{
	if (kith_vault_person(v)[0])
		return kith_err_set(err, KITH_E_DENIED, "person",
				    "only the main passphrase names its own admin");
	const struct kith_record_view *r = record_of(v, "");
	int rc = name_check(v, name, r ? r->id : NULL, err);
	if (rc)
		return rc;
	json_t *body = json_pack("{s:s, s:s, s:b, s:I}", "name", name, "role", "admin", "main", 1, "added",
				 (json_int_t)now);
	char id[KITH_VAULT_ID_HEX] = "";
	if (r)
		snprintf(id, sizeof id, "%s", r->id);
	struct kith_vault_put_opts o = {.id = id[0] ? id : NULL, .action = "person name"};
	rc = body ? kith_vault_put_alone(v, "person", body, &o, NULL, NULL, NULL, NULL, err)
		  : kith_err_set(err, KITH_E_NOMEM, "people", "out of memory");
	json_decref(body);
	return rc;
}

int kith_people_remove(struct kith_vault *v, const char *name, int64_t now, struct kith_err *err)
{
	int rc = kith_people_allow(v, KITH_PEOPLE_ADMIN, err);
	if (rc)
		return rc;
	size_t nr = 0;
	const struct kith_record_view *r = kith_vault_records(v, "person", &nr);
	const struct kith_record_view *hit = NULL;
	struct kith_person p;
	for (size_t i = 0; i < nr && !hit; i++)
		if (person_from(v, &r[i], &p) && !p.removed && strcmp(p.name, name ? name : "") == 0)
			hit = &r[i];
	if (!hit)
		return kith_err_set(err, KITH_E_NOTFOUND, "name", "no enrolled person of that name");
	if (p.main)
		return kith_err_set(err, KITH_E_INVALID, "name",
				    "the main passphrase's admin cannot be removed");
	if (strcmp(p.pid, kith_vault_person(v)) == 0)
		return kith_err_set(err, KITH_E_INVALID, "name", "nobody removes themselves");
	char pid[KITH_VAULT_PERSON_HEX], id[KITH_VAULT_ID_HEX];
	snprintf(pid, sizeof pid, "%s", p.pid);
	snprintf(id, sizeof id, "%s", hit->id);
	json_t *body = kith_record_view_json(hit);
	if (!body || json_object_set_new(body, "removed", json_true()) ||
	    json_object_set_new(body, "removed_at", json_integer(now))) {
		json_decref(body);
		return kith_err_set(err, KITH_E_NOMEM, "people", "out of memory");
	}
	/* the record first: once it says removed, the slot no longer unlocks
	 * even if destroying it fails below */
	struct kith_vault_put_opts o = {.id = id, .action = "person remove"};
	rc = kith_vault_put_alone(v, "person", body, &o, NULL, NULL, NULL, NULL, err);
	json_decref(body);
	if (!rc)
		rc = kith_vault_person_slot_remove(v, pid, err);
	return rc;
}

int kith_people_viewed(struct kith_vault *v, const struct kith_record_view *c, const char *what, int64_t now,
		       struct kith_err *err)
{
	size_t np = 0;
	(void)kith_vault_records(v, "person", &np);
	if (np == 0 || !c)
		return KITH_OK;
	const char *pid = kith_vault_person(v);
	json_t *body = json_pack("{s:[s], s:s*, s:s, s:I}", "case", c->id, "person", pid[0] ? pid : NULL,
				 "what", what ? what : "show", "at", (json_int_t)now);
	if (!body)
		return kith_err_set(err, KITH_E_NOMEM, "views", "out of memory");
	struct kith_vault_put_opts o = {.action = "view"};
	int rc = kith_vault_put_alone(v, "view", body, &o, NULL, NULL, NULL, NULL, err);
	json_decref(body);
	return rc;
}

static int view_cmp(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "at"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "at"));
	return x < y ? -1 : x > y;
}

int kith_people_views(struct kith_vault *v, const char *ref, json_t **out, struct kith_err *err)
{
	*out = NULL;
	int rc = kith_people_allow(v, KITH_PEOPLE_ADMIN, err);
	if (rc)
		return rc;
	const struct kith_record_view *c = ref ? kith_vault_find(v, "case", ref) : NULL;
	if (!c)
		return kith_err_set(err, KITH_E_NOTFOUND, "ref", "no case %s", ref ? ref : "");
	char cid[KITH_VAULT_ID_HEX];
	snprintf(cid, sizeof cid, "%s", c->id);
	size_t n = 0;
	const struct kith_record_view *r = kith_vault_records(v, "view", &n);
	json_t **a = calloc(n ? n : 1, sizeof *a);
	json_t *arr = json_array();
	size_t k = 0;
	if (!a || !arr)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		json_t *b = kith_record_view_json(&r[i]);
		if (!b)
			goto nomem;
		const char *id = json_string_value(json_array_get(json_object_get(b, "case"), 0));
		if (id && strcmp(id, cid) == 0) {
			const char *pid = str_at(b, "person");
			struct kith_person p;
			int known = kith_people_find(v, pid, &p);
			json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:b}", "person", pid, "name", p.name,
					      "role", kith_role_name(p.role), "what", str_at(b, "what"), "at",
					      json_integer_value(json_object_get(b, "at")), "known", known);
			if (!o) {
				json_decref(b);
				goto nomem;
			}
			a[k++] = o;
		}
		json_decref(b);
	}
	qsort(a, k, sizeof *a, view_cmp);
	for (size_t i = 0; i < k; i++) {
		if (json_array_append_new(arr, a[i])) {
			a[i] = NULL;
			for (size_t j = i + 1; j < k; j++)
				json_decref(a[j]);
			k = 0;
			goto nomem;
		}
	}
	free(a);
	*out = arr;
	return KITH_OK;
nomem:
	for (size_t i = 0; a && i < k; i++)
		json_decref(a[i]);
	free(a);
	json_decref(arr);
	return kith_err_set(err, KITH_E_NOMEM, "views", "out of memory");
}

int kith_people_pid_of(const struct kith_vault *v, const char *name, char pid[KITH_VAULT_PERSON_HEX])
{
	pid[0] = '\0';
	size_t nr = 0;
	const struct kith_record_view *r = kith_vault_records(v, "person", &nr);
	for (size_t i = 0; name && i < nr; i++) {
		struct kith_person p;
		if (person_from(v, &r[i], &p) && !p.removed && !p.main && strcmp(p.name, name) == 0) {
			memcpy(pid, p.pid, KITH_VAULT_PERSON_HEX);
			return 1;
		}
	}
	return 0;
}

int kith_people_filter(const struct kith_vault *v, json_t *items, struct kith_err *err)
{
	struct kith_person me;
	kith_people_me(v, &me);
	if (!allowed(me.role, KITH_PEOPLE_NAMES))
		return deny(me.role, KITH_PEOPLE_NAMES, "role", err);
	if (me.role != KITH_ROLE_CASEWORKER)
		return KITH_OK;
	for (size_t i = json_array_size(items); i-- > 0;) {
		const char *id = str_at(json_array_get(items, i), "id");
		const struct kith_record_view *c = kith_vault_find_id(v, id);
		if ((!c || !kith_people_sees(&me, c)) && json_array_remove(items, i))
			return kith_err_set(err, KITH_E_NOMEM, "people", "out of memory");
	}
	return KITH_OK;
}

const char *kith_people_reviewer(const struct kith_vault *v, const char *given, char *buf, size_t n)
{
	struct kith_person me;
	kith_people_me(v, &me);
	if (!me.name[0])
		return given;
	snprintf(buf, n, "%s", me.name);
	return buf;
}

int kith_people_allow_command(const struct kith_vault *v, const char *cmd, struct kith_err *err)
{
	static const struct {
		const char *cmd;
		enum kith_people_act act;
	} table[] = {
	    {"device", KITH_PEOPLE_ADMIN}, {"trace", KITH_PEOPLE_NAMES},    {"link", KITH_PEOPLE_NAMES},
	    {"due", KITH_PEOPLE_NAMES},	   {"referral", KITH_PEOPLE_NAMES}, {"attach", KITH_PEOPLE_NAMES},
	    {"bundle", KITH_PEOPLE_WRITE},
	};
	size_t n = cmd ? strcspn(cmd, " ") : 0;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (n == strlen(table[i].cmd) && !strncmp(cmd, table[i].cmd, n))
			return kith_people_allow(v, table[i].act, err);
	return KITH_OK;
}
