#!/usr/bin/env bash
# Full benchmark sweep on this machine, whatever its core count (e.g. 16), with
# every output collected into one folder:
#
#   tools/bench_sweep.sh [OUT_DIR] [-- extra //tools/bench:bench flags]
#
# OUT_DIR defaults to out/bench/<host>-<date> (out/ is git-ignored). It receives the bench's CSVs,
# plots and summary.md, its full stdout/stderr, the machine (lscpu, uname, memory)
# and the source revision; then OUT_DIR.tar.gz is made next to it. Workers go
# from 1 to the number of online CPUs unless --max_workers is passed after --.
# Run from the workspace (or anywhere inside it). See docs/BENCHMARKS.md.
set -euo pipefail

workspace="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
cd "${workspace}"

out_dir="out/bench/$(hostname -s)-$(date +%Y%m%d-%H%M%S)"
if [[ $# -gt 0 && "$1" != "--" ]]; then
  out_dir="$1"
  shift
fi
if [[ $# -gt 0 && "$1" == "--" ]]; then
  shift
fi
mkdir -p "${out_dir}"
out_dir="$(cd "${out_dir}" && pwd)"

{
  echo "date: $(date -Is)"
  echo "host: $(hostname)"
  echo "cpus online: $(nproc)"
  echo "revision: $(git rev-parse HEAD)$(git diff --quiet || echo ' (with local changes)')"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  uname -a
  echo
  lscpu 2>/dev/null || grep -m1 'model name' /proc/cpuinfo
  echo
  free -h 2>/dev/null || head -3 /proc/meminfo
} > "${out_dir}/machine.txt"

echo "bench_sweep: building //tools/bench:bench"
bazel build //tools/bench:bench 2>&1 | tail -3 | tee "${out_dir}/build.log"

# IPv4 mixes and address plans, then the IPv6 and mixed-family mixes (run
# only on dual-stack NFs, each next to its IPv4 base mix; docs/BENCHMARKS.md).
traffic=uniform,zipf,churn,lan24,lan20,servers,lan24_zipf
traffic+=,ipv6,mixed50,mixed10,ipv6_zipf,ipv6_churn,servers6

echo "bench_sweep: running on $(nproc) CPUs; outputs in ${out_dir}"
# The binary run directly (not `bazel run`) so that no Bazel lock is held for
# the whole sweep; it finds the workspace through BUILD_WORKSPACE_DIRECTORY.
# Progress goes to the terminal and bench.log; the summary is summary.md.
BUILD_WORKSPACE_DIRECTORY="${workspace}" bazel-bin/tools/bench/bench \
  --out_dir="${out_dir}" --traffic="${traffic}" "$@" 2>&1 >"${out_dir}/bench.stdout.md" | tee "${out_dir}/bench.log"

tar -czf "${out_dir}.tar.gz" -C "$(dirname "${out_dir}")" "$(basename "${out_dir}")"
echo "bench_sweep: done: ${out_dir}/summary.md, ${out_dir}.tar.gz"
