#!/usr/bin/env bash
# The keys of a vault from the web UI (src/web/api_keys.c, issue 14), against
# the real `kith serve` with curl: the status says a panic is permanent until
# the organization key is backed up, and when it was; a backup is a download
# that `kith recover` reads after a real panic (and holds no key in clear);
# a wrong current passphrase changes nothing, says so, and counts with the
# unlock limits; a passphrase change
# keeps the session, the old passphrase stops working, the new one opens the
# vault, a duress passphrase given again stays and one not given is gone.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/web_lib.sh"
CURL_TIMEOUT=30

v="$tmp/v.kith"
printf 'correct horse\n' >"$tmp/pass"
"$KITH" init --vault "$v" --passphrase-file "$tmp/pass" --kdf test >/dev/null 2>&1 || { echo "not ok - kith init"; exit 1; }
printf '{"ref":"K-1","person":{"name":"가상인"}}\n' >"$tmp/c.jsonl"
"$KITH" import --vault "$v" --passphrase-file "$tmp/pass" "$tmp/c.jsonl" >/dev/null 2>&1 || { echo "not ok - kith import"; exit 1; }

start "$v"
new_session
req GET /api/keys
check '[ "$status" = 423 ]' "locked: the key status needs the vault unlocked"
unlock 'correct horse'
req GET /api/keys
check '[ "$status" = 200 ] && has "\"holds_org_key\":true" && has "\"backed_up\":false" && has "\"panic_effect\":\"permanent\""' \
	"a standalone vault without a backup: a panic is permanent"
post_json /api/keys/backup '{"current":"wrong one","backup":"usb words"}'
check '[ "$status" = 401 ] && [ "$(field code)" = auth ] && [ "$(field field)" = current ]' "a wrong current passphrase: 401, field current"
req GET /api/keys
check 'has "\"backups\":0"' "and no backup is recorded"
post_json /api/keys/backup '{"current":"correct horse","backup":"correct horse"}'
check '[ "$status" = 400 ] && [ "$(field field)" = backup ]' "the backup's passphrase may not be the vault's"
post_json /api/keys/backup '{"current":"correct horse"}'
check '[ "$status" = 400 ] && [ "$(field field)" = backup ]' "the backup needs a passphrase"
post_json /api/keys/backup '{"current":"correct horse","backup":"usb words"}'
cp "$tmp/b" "$tmp/org.key"
check '[ "$status" = 200 ] && grep -qi "^content-type: application/octet-stream" "$tmp/h" && grep -qi "^content-disposition: attachment; filename=\"kith-org-key-[0-9]\{8\}\.key\"" "$tmp/h"' \
	"the backup is a download"
check '[ -s "$tmp/org.key" ] && ! grep -q "\"error\"" "$tmp/org.key"' "of a key file ($(stat -c %s "$tmp/org.key") bytes)"
req GET /api/keys
check 'has "\"backed_up\":true" && has "\"panic_effect\":\"recoverable\"" && has "\"backups\":1" && ! has "\"last_backup_at\":0"' \
	"after the backup: recorded, with its time; a panic is recoverable"
check '! has "secret" && ! has "\"key\""' "the status holds no key material"

# the passphrase
post_json /api/keys/passphrase '{"current":"nope","new":"battery staple"}'
check '[ "$status" = 401 ] && [ "$(field field)" = current ]' "passwd with a wrong current passphrase: 401"
post_json /api/keys/passphrase '{"current":"correct horse","new":""}'
check '[ "$status" = 400 ] && [ "$(field field)" = new ]' "an empty new passphrase: 400, field new"
post_json /api/keys/passphrase '{"current":"correct horse","new":"battery staple","duress":"battery staple"}'
check '[ "$status" = 400 ] && [ "$(field field)" = duress ]' "a duress passphrase equal to the new one: 400, field duress"
post_json /api/keys/passphrase '{"current":"correct horse","new":"battery staple","duress":"under duress"}'
check '[ "$status" = 200 ] && has "\"ok\":true"' "the passphrase is changed"
req GET /api/case?ref=K-1
check '[ "$status" = 200 ]' "and the session stays unlocked (the server does not take its own change for another's)"
req POST /api/lock -H 'Content-Type: application/json' --data-binary '{}'
new_session
unlock 'correct horse'
check '[ "$status" = 401 ]' "the old passphrase no longer opens the vault"
new_session
unlock 'battery staple'
check '[ "$status" = 200 ]' "the new one does"
post_json /api/keys/passphrase '{"current":"under duress","new":"whatever"}'
check '[ "$status" = 401 ]' "the duress passphrase typed as the current one is wrong, and destroys nothing"
req GET /api/case?ref=K-1
check '[ "$status" = 200 ]' "the vault is still open after it"
# wrong current passphrases count with the unlock limits (5 in a minute)
codes=""
for _ in 1 2 3 4 5; do
	post_json /api/keys/backup '{"current":"guess","backup":"usb words"}'
	codes="$codes$status "
done
check '[ "$status" = 429 ] && [ "$(field code)" = rate_limited ]' "guessing the current passphrase is limited as unlocking is ($codes)"
post_json /api/keys/passphrase '{"current":"battery staple","new":"x y z"}'
check '[ "$status" = 429 ]' "even the right one waits then: nothing changed"
stop

# the duress passphrase given again stays: it opens an empty vault (and destroys the keys)
cp "$v" "$tmp/d.kith"
[ -e "$v-wal" ] && cp "$v-wal" "$tmp/d.kith-wal"
printf 'under duress\n' >"$tmp/dp"
out=$("$KITH" list --vault "$tmp/d.kith" --passphrase-file "$tmp/dp" 2>&1)
check '! grep -q K-1 <<<"$out"' "the duress passphrase given again still works as one"

# a real panic, then recovery from the web's backup file
printf 'battery staple\n' >"$tmp/np"
"$KITH" panic --vault "$v" --yes >/dev/null 2>&1 || "$KITH" panic --vault "$v" --confirm >/dev/null 2>&1
printf 'usb words\n' >"$tmp/kp"
printf 'new start\n' >"$tmp/np2"
"$KITH" recover --vault "$v" --org-key "$tmp/org.key" --key-passphrase-file "$tmp/kp" --new-passphrase-file "$tmp/np2" >/dev/null 2>"$tmp/rerr"
out=$("$KITH" list --vault "$v" --passphrase-file "$tmp/np2" 2>&1)
check 'grep -q K-1 <<<"$out"' "after a panic, kith recover reads the web's backup file and every record is back $(head -c 200 "$tmp/rerr")"

finish
