/*
 * people — the people enrolled on a vault, their roles, and what each role
 * may do (issue 12 item 4). One library for `kith user`, every command that
 * reads or writes cases, and the web UI: a rule about who may do what lives
 * here and nowhere else.
 *
 * A person is a record of kind "person" (record.h): name, role, `pid` (the
 * random id of their passphrase slot, vault/people.c), `slot` (the slot's
 * digest), added, and once removed, removed and removed_at. The vault's main
 * passphrase belongs to an admin: unnamed ("admin") unless a person record
 * with `main` names them (kith_people_name_main). The person who unlocked is
 * kith_vault_person(); every version they write carries their id.
 *
 * Roles:
 *   caseworker  reads and edits the cases assigned to them (assigned_person)
 *               and those they last wrote; adds cases; no link or tracing
 *               decision, no export, no user management
 *   reviewer    reads every case; duplicate (link) and tracing decisions;
 *               assignment; export
 *   analyst     aggregate figures only (report, estimate, figures): every
 *               path that shows a name is refused (KITH_E_DENIED)
 *   admin       everything, and people, devices and the view log
 *
 * Views. Once a vault has people, every case shown (CLI show, history, the
 * web case page) adds a record of kind "view" {case, person, what, at}:
 * encrypted like the rest, listed to admins by kith_people_views.
 *
 * Ownership: the vault is borrowed; JSON handed out is a new reference;
 * struct kith_person holds copies. Messages carry refs, roles and counts,
 * never a person's name (a caller prints the name it asked about).
 */
#ifndef KITH_CASEWORK_PEOPLE_H
#define KITH_CASEWORK_PEOPLE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/status.h"
#include "vault/vault.h"

#define KITH_PEOPLE_NAME_MAX 201 /* bytes of a person's name, with NUL */

enum kith_role {
	KITH_ROLE_NONE = 0,
	KITH_ROLE_CASEWORKER = 1,
	KITH_ROLE_REVIEWER = 2,
	KITH_ROLE_ANALYST = 3,
	KITH_ROLE_ADMIN = 4,
};

/* "caseworker", ... ("" for NONE); the Korean label ("사례 담당자", ...). */
const char *kith_role_name(enum kith_role r);
const char *kith_role_label_ko(enum kith_role r);
/* KITH_OK and *out, or KITH_E_INVALID (where "role"). */
int kith_role_parse(const char *s, enum kith_role *out, struct kith_err *err) KITH_WUR;

struct kith_person {
	char pid[KITH_VAULT_PERSON_HEX]; /* "" for the main passphrase's admin */
	char name[KITH_PEOPLE_NAME_MAX]; /* "" when unnamed */
	char id[KITH_VAULT_ID_HEX];	 /* the person record's id; "" when there is none */
	enum kith_role role;
	int main;      /* holds the main passphrase */
	int removed;   /* removed: their slot is gone */
	int has_slot;  /* their slot is in the file (kith_people_list looks; elsewhere 1) */
	int64_t added; /* 0 when unknown */
	int64_t removed_at;
};

/* What an action needs (kith_people_allow). */
enum kith_people_act {
	KITH_PEOPLE_FIGURES = 0, /* aggregate figures: every role */
	KITH_PEOPLE_NAMES,	 /* read cases (list, show, search, history): not analysts */
	KITH_PEOPLE_WRITE,	 /* add or edit a case: not analysts */
	KITH_PEOPLE_EXPORT,	 /* export cases: reviewer, admin */
	KITH_PEOPLE_REVIEW,	 /* link (duplicate) and tracing decisions: reviewer, admin */
	KITH_PEOPLE_ASSIGN,	 /* assign a case: reviewer, admin */
	KITH_PEOPLE_ADMIN,	 /* people, devices, the view log: admin */
};

/* The person who unlocked v (always filled: the main slot's admin when no
 * record names them; a person slot without a record cannot unlock). */
void kith_people_me(const struct kith_vault *v, struct kith_person *out);

/* The person with id pid ("" or NULL: the main admin) as of now, or 0 when
 * unknown (out then says "unknown"). */
int kith_people_find(const struct kith_vault *v, const char *pid, struct kith_person *out);

/* How a version's writer is shown: the person's name, "admin" for the unnamed
 * main admin, or "person 1a2b3c4d" for an id no record names. Into buf. */
const char *kith_people_display(const struct kith_vault *v, const char *pid, char *buf, size_t n);

/* KITH_OK when the unlocked person may do act; else KITH_E_DENIED with a
 * message naming the role and what it may do. */
int kith_people_allow(const struct kith_vault *v, enum kith_people_act act, struct kith_err *err) KITH_WUR;

/* kith_people_allow, and for a caseworker the case must be theirs (assigned
 * to them, or last written by them). KITH_E_DENIED (where the case's ref). */
int kith_people_allow_case(const struct kith_vault *v, enum kith_people_act act,
			   const struct kith_record_view *c, struct kith_err *err) KITH_WUR;

/* What a command (its first word: "trace", "link", "device", ...) needs
 * before it reads anything: devices are admins'; tracing, links, due lists,
 * referrals, attachments and bundles show or carry names (not analysts);
 * the rest check their own action (show, list, export, assign, ...) or are
 * figures. KITH_OK or KITH_E_DENIED. */
int kith_people_allow_command(const struct kith_vault *v, const char *cmd, struct kith_err *err) KITH_WUR;

/* Whether `me` may see case c in a list (the filter of kith_people_allow_case). */
int kith_people_sees(const struct kith_person *me, const struct kith_record_view *c);

/* Every person: the main admin first, then by date added (removed ones too).
 * Admin only. *out malloc'd (free()). KITH_OK, KITH_E_DENIED, KITH_E_NOMEM. */
int kith_people_list(struct kith_vault *v, struct kith_person **out, size_t *n,
		     struct kith_err *err) KITH_WUR;

/*
 * Enrols a person: a record and a passphrase slot of their own, in one
 * transaction. Admin only. name: 1..200 bytes of UTF-8 without control
 * characters, unique among people not removed. KITH_OK (pid_out, when not
 * NULL, gets their id); KITH_E_DENIED; KITH_E_INVALID (name, role, empty
 * passphrase); KITH_E_EXISTS (where "name": a person of that name; where
 * "passphrase": it opens another slot); the vault's write statuses.
 */
int kith_people_add(struct kith_vault *v, const char *name, enum kith_role role, const char *pass,
		    size_t pass_len, int64_t now, char pid_out[KITH_VAULT_PERSON_HEX],
		    struct kith_err *err) KITH_WUR;

/* Gives an enrolled person whose passphrase slot is gone (kith recover
 * destroys every person slot) a new one under `pass`, with the same id:
 * their record names the new slot. Admin only. KITH_OK; KITH_E_DENIED;
 * KITH_E_NOTFOUND (no such person, not removed, not the main admin);
 * KITH_E_EXISTS (their slot is in the file, or the passphrase opens
 * another slot); the vault's write statuses. */
int kith_people_reset(struct kith_vault *v, const char *name, const char *pass, size_t pass_len,
		      struct kith_err *err) KITH_WUR;

/* Names the main passphrase's admin (a person record with main, role admin;
 * a second call renames). Only the main slot may. KITH_OK, KITH_E_DENIED,
 * KITH_E_INVALID, KITH_E_EXISTS, write statuses. */
int kith_people_name_main(struct kith_vault *v, const char *name, int64_t now, struct kith_err *err) KITH_WUR;

/*
 * Removes the person `name`: a new version of their record (removed,
 * removed_at), then their slot is destroyed as passwd destroys a slot (in
 * place in the file and its log). Admin only; nobody removes themselves or
 * the main admin. KITH_OK (err may carry a warning with status 0: the old
 * slot may remain in the file); KITH_E_DENIED, KITH_E_NOTFOUND, KITH_E_INVALID
 * (themselves, the main admin, already removed); write statuses.
 */
int kith_people_remove(struct kith_vault *v, const char *name, int64_t now, struct kith_err *err) KITH_WUR;

/* Records that the unlocked person read case c (`what`: "show", "history",
 * "web"), when the vault has people; nothing otherwise. KITH_OK or the
 * vault's write statuses. */
int kith_people_viewed(struct kith_vault *v, const struct kith_record_view *c, const char *what, int64_t now,
		       struct kith_err *err) KITH_WUR;

/* Who read case `ref`: [{person, name, role, what, at}] oldest first. Admin
 * only. New reference in *out. KITH_OK, KITH_E_DENIED, KITH_E_NOTFOUND,
 * KITH_E_NOMEM. */
int kith_people_views(struct kith_vault *v, const char *ref, json_t **out, struct kith_err *err) KITH_WUR;

/* The id of the enrolled (not removed) person named `name` into pid: 1, or 0
 * (pid "") when no person slot holder has that name. */
int kith_people_pid_of(const struct kith_vault *v, const char *name, char pid[KITH_VAULT_PERSON_HEX]);

/* Removes from a JSON array of summaries ({"id": ...}) those the unlocked
 * person may not see (a caseworker's filter). KITH_OK, KITH_E_DENIED (an
 * analyst: nothing is shown), KITH_E_NOMEM. */
int kith_people_filter(const struct kith_vault *v, json_t *items, struct kith_err *err) KITH_WUR;

/* Who a review decision names: the unlocked person's name when they have
 * one, else `given` (--reviewer, $USER). Into buf; returns buf or given. */
const char *kith_people_reviewer(const struct kith_vault *v, const char *given, char *buf, size_t n);

/* A person as `kith user list --json` and the web's people page show them:
 * {id, name, role, main, removed, slot}, with added and removed_at when
 * known. New reference or NULL (out of memory). */
json_t *kith_people_person_json(const struct kith_person *p);

/* {id, name, role, main} of a person for JSON (history, the web UI). New
 * reference or NULL (out of memory). */
json_t *kith_people_json(const struct kith_vault *v, const char *pid);

#endif
