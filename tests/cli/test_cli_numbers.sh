#!/usr/bin/env bash
# End to end: the whole-number options of every command share one reader
# (kith_cli_parse_u64, src/cli/cli.c). Each option below takes its lowest and
# highest value and a '+' sign, and refuses an empty value, a '-' (even
# "-0"), trailing characters, hexadecimal, overflow and the values just out of
# range, with exit 2 and a message naming the option. An option accepted is
# told by getopt refusing the next, made-up one: nothing runs.
. "$(dirname "$0")/lib.sh"
export KITH_VAULT=$T/none.kith

# check "COMMAND... --option" LOW HIGH: the accepted and refused values
check() {
  local -a cmd
  read -ra cmd <<<"$1"
  local opt=${cmd[-1]} lo=$2 hi=$3
  for v in "$lo" "$hi" "+$lo"; do
    expect 2 "${cmd[*]} $v is taken" -- "$KITH" "${cmd[@]}" "$v" --made-up-option
    has "$T/err" "unrecognized option '--made-up-option'" "${cmd[*]} $v: the next option is read"
  done
  local -a refused=("" "-0" "-1" "${lo}x" "0x10" "99999999999999999999999" "$((hi + 1))")
  [ "$lo" -gt 0 ] && refused+=("$((lo - 1))")
  for v in "${refused[@]}"; do
    expect 2 "${cmd[*]} '$v' is refused" -- "$KITH" "${cmd[@]}" "$v" --made-up-option
    has "$T/err" "$opt" "${cmd[*]} '$v': the message names $opt"
  done
}

check "attach add --max-mib" 1 4096
check "attach get --version" 1 4294967295
check "link --threads" 1 64
check "link --train-records" 100 100000000
check "list --limit" 0 1099511627776
check "names read --max" 1 50
check "pprl link --draws" 2 1000
check "report --threshold" 1 1000
check "serve --port" 0 65535
check "serve --threads" 1 64
check "synth --lists" 1 16
check "trace list --limit" 1 1000
check "trace list --offset" 0 1099511627776
check "search --limit" 1 100000
check "search --offset" 0 100000000
check "estimate --max-order" 1 15
check "estimate --top" 1 1000
check "estimate --boot" 0 1000000
check "estimate --threads" 1 256
check "estimate --lcm-classes" 2 100
check "estimate --lcm-iter" 1 100000000
check "estimate --lcm-burnin" 1 100000000
check "estimate --lcm-thin" 1 1000000
check "estimate --lcm-chains" 1 64

# no upper bound but 2^64 - 1
for c in "link --seed" "link --max-pairs" "synth --seed" "pprl link --seed" "estimate --seed"; do
  read -ra w <<<"$c"
  expect 2 "$c 18446744073709551615 is taken" -- "$KITH" "${w[@]}" 18446744073709551615 --made-up-option
  has "$T/err" "unrecognized option" "$c: 2^64 - 1 read"
  expect 2 "$c 18446744073709551616 is refused" -- "$KITH" "${w[@]}" 18446744073709551616
  has "$T/err" "${w[-1]}" "$c 2^64: the message names the option"
  # strtoull reads " -1" as 2^64 - 1: refused like "-1"
  expect 2 "$c ' -1' is refused" -- "$KITH" "${w[@]}" " -1"
  has "$T/err" "${w[-1]}" "$c ' -1': the message names the option"
done

# The real-number options share one reader too (kith_cli_parse_double): each
# takes its bounds (but for an open bound, refused) and a '+' sign, and refuses
# an empty value, trailing characters, NaN, infinity, overflow, underflow and
# the values just out of range.
# rcheck "COMMAND... --option" LOW HIGH OPEN BELOW ABOVE: OPEN is 1 when both
# bounds are refused; BELOW and ABOVE are just out of range
rcheck() {
  local -a cmd
  read -ra cmd <<<"$1"
  local opt=${cmd[-1]} lo=$2 hi=$3 open=$4 v
  local -a taken=("0.5" "+0.5" "5e-1") refused=("" "0.5x" "0.5 " "0,5" "nan" "inf" "1e999" "1e-999" "$5" "$6")
  if [ "$open" = 1 ]; then refused+=("$lo" "$hi"); else taken+=("$lo" "$hi"); fi
  for v in "${taken[@]}"; do
    expect 2 "${cmd[*]} $v is taken" -- "$KITH" "${cmd[@]}" "$v" --made-up-option
    has "$T/err" "unrecognized option '--made-up-option'" "${cmd[*]} $v: the next option is read"
  done
  for v in "${refused[@]}"; do
    expect 2 "${cmd[*]} '$v' is refused" -- "$KITH" "${cmd[@]}" "$v" --made-up-option
    has "$T/err" "$opt" "${cmd[*]} '$v': the message names $opt"
  done
}

rcheck "trace list --min-score" 0 1 0 -0.0001 1.0001
rcheck "link --threshold" 0 1 1 -0.5 1.5
rcheck "link --review-threshold" 0 1 1 -0.5 1.5
rcheck "pprl encode --flip" 0.000001 1 0 0.0000009 1.0001
rcheck "pprl link --floor" 0.05 0.99 0 0.0499 0.9901
rcheck "estimate --pthresh" 0.000000000001 1 0 0 1.0001
rcheck "estimate --level" 0.5 0.999 0 0.4999 0.9991
rcheck "estimate --het-max" 0.05 2 0 0.0499 2.0001
finish
