#!/usr/bin/env bash
# Formatting and lint: clang-format for C, ruff (format + check) for Python.
# Exits non-zero naming the files to fix; `tools/lint.sh --fix` rewrites them.
set -euo pipefail
cd "$(dirname "$0")/.."

fix=0
[[ "${1:-}" == "--fix" ]] && fix=1
ruff=".venv/bin/ruff"
status=0

mapfile -t c_files < <(git ls-files '*.c' '*.h' | grep -v '^third_party/' | grep -v '/testdata/' || true)
if ((${#c_files[@]})); then
  if ((fix)); then
    clang-format -i "${c_files[@]}"
  elif ! clang-format --dry-run -Werror "${c_files[@]}" 2>/tmp/clang-format.log; then
    grep -E '^[^ ]+:[0-9]+:[0-9]+: error' /tmp/clang-format.log | cut -d: -f1 | sort -u |
      sed 's/^/lint: not clang-formatted: /'
    status=1
  fi
fi

if ((fix)); then
  "$ruff" format --quiet .
  "$ruff" check --quiet --fix . || status=1
else
  "$ruff" format --check --quiet . || { echo "lint: run tools/lint.sh --fix (ruff format)"; status=1; }
  "$ruff" check --quiet . || status=1
fi

# nfpar's files at run time come from testing/nfpar_runfiles.py: TEST_WORKSPACE
# names the consumer's workspace when nfpar is vendored (docs/VENDORING.md).
if git grep -n 'TEST_WORKSPACE' -- '*.py' '*.bzl' '*.sh' ':!testing/nfpar_runfiles.py' ':!tools/lint.sh'; then
  echo "lint: TEST_WORKSPACE above: find nfpar's files with testing/nfpar_runfiles.py instead"
  status=1
fi

if ((status == 0)); then echo "lint: ok"; fi
exit $status
