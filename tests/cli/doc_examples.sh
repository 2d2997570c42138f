# Runs the examples of a document in docs/ (sourced by the tests of the
# commands they show). An example is a ```console block: lines starting with
# "$ kith " are run (kith is $KITH; a path starting with shared/ is read from
# $KITH_SHARED, tests/ from $KITH_SOURCE), every other line of the block is
# output that must appear, as a whole line, in what the command printed. Each
# command must exit 0. Calls ok/bad of the sourcing test.
doc_examples() {
	local doc="$1" tmpd n=0
	tmpd=$(mktemp -d)
	awk -v dir="$tmpd" '
		/^```console$/ { inb = 1; next }
		/^```$/ && inb { inb = 0; next }
		inb && /^\$ kith / { n++; f = sprintf("%s/%03d", dir, n); print substr($0, 3) > (f ".cmd"); close(f ".cmd"); next }
		inb && n { print >> (f ".want") }
	' "$doc"
	for cmd in "$tmpd"/*.cmd; do
		[ -e "$cmd" ] || continue
		n=$((n + 1))
		local line base
		line=$(cat "$cmd")
		base=${cmd%.cmd}
		line=${line/#kith /}
		line=$(printf '%s' "$line" | sed -e "s#\(^\| \)shared/#\1$KITH_SHARED/#g" -e "s#\(^\| \)tests/#\1$KITH_SOURCE/tests/#g")
		# shellcheck disable=SC2086
		(eval "\"$KITH\" $line") >"$base.out" 2>"$base.err"
		local rc=$? missing=""
		if [ -e "$base.want" ]; then
			while IFS= read -r w; do
				[ -z "$w" ] && continue
				grep -qxF -- "$w" "$base.out" || missing="$w"
			done <"$base.want"
		fi
		if [ $rc -eq 0 ] && [ -z "$missing" ]; then
			ok "$(basename "$doc") example: kith ${line:0:60}"
		else
			bad "$(basename "$doc") example: kith ${line:0:60} (exit $rc; missing line: ${missing:0:80})"
		fi
	done
	rm -rf "$tmpd"
	[ $n -gt 0 ] || bad "$(basename "$doc"): no examples found"
}
