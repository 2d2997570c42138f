#!/usr/bin/env bash
# Quality of `kith pprl` beside plaintext `kith link` on the same lists:
# kith synth populations split into K organizations' lists (K = 3, 4, 5),
# each list encoded by its organization, the encodings linked; pairwise F1
# of both against the truth, and the BIC-selected estimate from the encoded
# table, the plaintext table and the true table; then the model BIC selected
# on the true table fitted to the encoded table (N_pprl_tm: the same model for
# both, so the ratio tm/true is the linkage's error alone); then the same two
# for the table corrected for the linkage's own errors (--corrected-table, the table the
# estimate chooses its model on: missed links, then the unseen splits at the default rate 0.03;
# N_corr with its own BIC model, N_corr_tm with the true table's); then
# `kith pprl link --estimate`: N_est, the median of its draws of the corrected
# linkage (est_lo, est_hi: its interval with the linkage's uncertainty; in: whether it holds
# N_true). bnd_enc, bnd_plain: the bound (bench/pprl_est.py --bound) — the estimate of a linkage
# perfect on every pair its blocking compares (the true pairs among the encoded linkage's candidate
# pairs, or among plaintext `kith link`'s compared pairs, merged), over N_true. KITH_BENCH_DIAG=1 also runs bench/pprl_est.py on each population (bench_pprl beside
# KITH): the posteriors' calibration, the true pairs missed with and without a candidate pair,
# and the tables with missed links only and with false links too, against the truth. Usage:
#   bench/pprl.sh [KITH] [PEOPLE]      (default build/release/kith, 3000)
# KITH_BENCH_KEEP=DIR keeps the lists, encodings and tables in DIR; KITH_BENCH_SEED=S
# draws the populations from seeds S+3, S+4, S+5 (default 40: the figures in bench/README.md);
# KITH_BENCH_LISTS="3" runs only the lists given (default "3 4 5").
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
K=$(realpath "${1:-$here/build/release/kith}")
people=${2:-3000}
if [ -n "${KITH_BENCH_KEEP:-}" ]; then tmp=$KITH_BENCH_KEEP; mkdir -p "$tmp"; else
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
fi
cd "$tmp"
export KITH_NO_PROGRESS=1
f1() { # truth.csv clusters.csv (id,cluster)
  awk -F, 'FNR==1{next} NR==FNR{p[$1]=$2;next} {c=$2;nc[c]++;np[p[$1]]++;ncp[c SUBSEP p[$1]]++}
    END{for(k in nc)pr+=nc[k]*(nc[k]-1)/2;for(k in np)tr+=np[k]*(np[k]-1)/2;for(k in ncp)tp+=ncp[k]*(ncp[k]-1)/2;
    printf "%.4f", 2*tp/(pr+tr)}' "$1" "$2"
}
table_of() { # records.csv clusters.csv(id,cluster) lists... -> table on stdout
  local rec=$1 cl=$2; shift 2
  awk -F, -v L="$*" 'NR==FNR{if(FNR>1)src[$1]=$2;next} FNR>1{p[$2]=p[$2] "|" src[$1] "|"}
    END{n=split(L,l," "); h=""; for(i=1;i<=n;i++) h=h l[i] ","; print h "count";
    for(k in p){pat="";for(i=1;i<=n;i++)pat=pat (index(p[k],"|" l[i] "|")?"1,":"0,"); c[pat]++} for(x in c) print x c[x]}' "$rec" "$cl"
}
bic() { "$K" estimate --json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["selected"]["bic"]["n_hat"])'; }
# the model BIC selected on the true table ($1), fitted to the encoded table ($2): the same path
same_model() {
  local m
  m=$("$K" estimate --json --no-lcm --boot 0 "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["selected"]["bic"]["model"])')
  "$K" estimate --json --all --no-lcm --boot 0 "$2" | python3 -c 'import json,sys
m=sys.argv[1]
print(next(x["n_hat"] for x in json.load(sys.stdin)["models"] if x["name"]==m and x["method"]=="hierarchical"))' "$m"
}
"$K" pprl keygen --secret sec.txt 2>/dev/null
"$K" pprl keygen --sign-key org.key >/dev/null
printf "%-6s %8s %9s %9s %7s %10s %10s %10s %9s %10s %9s %8s %9s %9s %9s %8s %8s %7s %7s %3s %7s %9s\n" lists records F1_plain F1_pprl ratio N_true N_plain N_pprl pprl/true N_pprl_tm tm/true \
  N_corr corr/true N_corr_tm ctm/true N_est est/true est_lo est_hi in bnd_enc bnd_plain
for lists in ${KITH_BENCH_LISTS:-3 4 5}; do
  d=s$lists
  "$K" synth --out "$d" --people "$people" --lists "$lists" --seed $((${KITH_BENCH_SEED:-40} + lists)) >/dev/null
  srcs=$(tail -n +2 "$d/records.csv" | cut -d, -f2 | sort -u)
  files=()
  for s in $srcs; do
    "$K" pprl encode --secret-file sec.txt --sign-key org.key --org "$s" --source "$s" --ids "$d/$s.ids" \
      --out "$d/$s.kpe" "$d/records.csv" 2>/dev/null
    files+=("$d/$s.kpe")
  done
  "$K" pprl link "${files[@]}" --rows "$d/rows.csv" --table "$d/pprl_table.csv" \
    --corrected-table "$d/corr_table.csv" --estimate --json >"$d/link.json" 2>"$d/link.err"
  for s in $srcs; do
    awk -F, -v s="$s" 'NR==FNR{if(FNR>1)id[$1]=$2;next} FNR>1&&$1==s{print id[$2]","$3}' "$d/$s.ids" "$d/rows.csv"
  done | (echo id,cluster; cat) >"$d/pprl_clusters.csv"
  "$K" link "$d/records.csv" --out "$d/plain_clusters.csv" --pairs "$d/plain_pairs.csv" >/dev/null 2>&1
  awk -F, 'NR>1{print $1","$2}' "$d/plain_clusters.csv" | (echo id,cluster; cat) >"$d/plain2.csv"
  awk -F, 'NR>1{print $1","$2}' "$d/truth.csv" | (echo id,cluster; cat) >"$d/truth2.csv"
  table_of "$d/records.csv" "$d/truth2.csv" $srcs >"$d/true_table.csv"
  table_of "$d/records.csv" "$d/plain2.csv" $srcs >"$d/plain_table.csv"
  fp=$(f1 "$d/truth.csv" "$d/plain2.csv")
  fe=$(f1 "$d/truth.csv" "$d/pprl_clusters.csv")
  nt=$(bic "$d/true_table.csv"); np=$(bic "$d/plain_table.csv"); ne=$(bic "$d/pprl_table.csv")
  nm=$(same_model "$d/true_table.csv" "$d/pprl_table.csv")
  nc=$(bic "$d/corr_table.csv"); ncm=$(same_model "$d/true_table.csv" "$d/corr_table.csv")
  read -r nx xlo xhi < <(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["estimate"]
print(e["n_hat_median_draws"], e["lo_with_linkage"], e["hi_with_linkage"])' "$d/link.json")
  read -r _ _ _ be _ bp _ < <(python3 "$here/bench/pprl_est.py" --bound "$K" "$(dirname "$K")/bench_pprl" "$d")
  printf "%-6s %8s %9s %9s %7.3f %10.0f %10.0f %10.0f %9.3f %10.0f %9.3f %8.0f %9.3f %9.0f %9.3f %8.0f %8.3f %7.0f %7.0f %3s %7.3f %9.3f\n" "$lists" "$(($(wc -l <"$d/records.csv") - 1))" \
    "$fp" "$fe" "$(awk -v a="$fe" -v b="$fp" 'BEGIN{print a/b}')" "$nt" "$np" "$ne" "$(awk -v a="$ne" -v b="$nt" 'BEGIN{print a/b}')" \
    "$nm" "$(awk -v a="$nm" -v b="$nt" 'BEGIN{print a/b}')" \
    "$nc" "$(awk -v a="$nc" -v b="$nt" 'BEGIN{print a/b}')" "$ncm" "$(awk -v a="$ncm" -v b="$nt" 'BEGIN{print a/b}')" \
    "$nx" "$(awk -v a="$nx" -v b="$nt" 'BEGIN{print a/b}')" "$xlo" "$xhi" \
    "$(awk -v l="$xlo" -v h="$xhi" -v t="$nt" 'BEGIN{print (l <= t && (h < 0 || t <= h)) ? "yes" : "no"}')" "$be" "$bp"
  if [ -n "${KITH_BENCH_DIAG:-}" ]; then
    python3 "$here/bench/pprl_est.py" "$K" "$(dirname "$K")/bench_pprl" "$d" >"$d/diag.txt" && sed 's/^/    /' "$d/diag.txt" >&2
  fi
done
