#!/bin/bash
# Negative controls of the packet harness's IPv6 oracles (by hand, needs
# clang): each mutant of nflib/packet.c below is a plausible IPv6 bug, and
# packet_fuzz must stop on it with a "fuzz oracle" line within 60 s from the
# seed corpus. Prints one line per mutant; exits 1 if any is not caught.
#   bash tests/fuzz/packet_mutants.sh
set -u
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
missed=0
mutant() {
  local name=$1 old=$2 new=$3
  python3 - "$old" "$new" >"$work/$name.c" <<'PY' || { echo "$name: the code to mutate is gone"; missed=1; return; }
import sys
s = open("nflib/packet.c").read()
if sys.argv[1] not in s:
    sys.exit(1)
print(s.replace(sys.argv[1], sys.argv[2], 1))
PY
  clang -std=gnu11 -g -fsanitize=fuzzer,address,undefined -I. -Inflib tests/fuzz/packet_fuzz.c \
    tests/fuzz/spec_frame.c "$work/$name.c" -o "$work/$name" || { echo "$name: build failed"; missed=1; return; }
  mkdir "$work/corpus_$name"
  local out
  out=$(cd "$work" && timeout 120 "./$name" -seed=1 -max_total_time=60 "corpus_$name" \
    "$OLDPWD/tests/fuzz/corpus/packet" 2>&1)
  local line
  line=$(grep -m1 "fuzz oracle" <<<"$out")
  if [ -z "$line" ]; then
    echo "$name: NOT CAUGHT"
    missed=1
  else
    local runs
    runs=$(grep -o '^#[0-9]*' <<<"$out" | tail -1 | tr -d '#')
    echo "$name: caught ${runs:+after $runs runs}${runs:-on the seed corpus}: $line"
  fi
}
mutant max_ext_off_by_one 'if (n == NF_IPV6_MAX_EXT_HEADERS ||' 'if (n > NF_IPV6_MAX_EXT_HEADERS ||'
mutant hbh_not_first_allowed '(nh == IPV6_HOPOPTS && n != 0)' '(nh == IPV6_HOPOPTS && n > 1)'
mutant atomic_fragment_is_l4 'frag = 1; /*' 'frag = rd16(d + off + 2) % 2; /*'
mutant payload_length_ignored 'if (end > len) return NF_PKT_TRUNCATED_IPV6;' 'if (end > len) end = len;'
mutant no_pseudo_header_update 'if (pkt->l4_offset != 0) {
    l4_csum_update32(pkt, rd32(p), rd32(addr.bytes));' 'if (0) {
    l4_csum_update32(pkt, rd32(p), rd32(addr.bytes));'
mutant flow_label_clobbers_tc 'ip[1] = (uint8_t)(ip[1] / 16u * 16u + l / 65536u);' 'ip[1] = (uint8_t)(l / 65536u);'
exit $missed
