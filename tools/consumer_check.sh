#!/usr/bin/env bash
# Builds and tests examples/consumer, a workspace that vendors nfpar
# (docs/VENDORING.md), the way a consumer has nfpar: a copy of this checkout's
# sources, without its venv, build outputs or git metadata. It tests the
# consumer's own NF (//...), every nfpar test from outside (@nfpar//...), and
# runs nfpar's demo from outside (@nfpar//tools:demo).
#
# The copy also keeps Bazel from walking this checkout's bazel-<dir> convenience
# link, which `@nfpar//...` would otherwise enter when nfpar is the checkout itself.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
copy="${NFPAR_CONSUMER_COPY:-${XDG_CACHE_HOME:-$HOME/.cache}/nfpar/vendored_copy}"
python="${NFPAR_PYTHON:-$repo_root/.venv/bin/python3}"

rm -rf "$copy"
mkdir -p "$copy"
tar -C "$repo_root" --exclude='./bazel-*' --exclude=./.venv --exclude=./.git \
  --exclude=./examples -cf - . | tar -C "$copy" -xf -
echo "consumer_check: nfpar copied to $copy; interpreter $python"

cd "$repo_root/examples/consumer"
# The copy has no .venv: the consumer names the interpreter (docs/VENDORING.md).
export NFPAR_PYTHON="$python"
override=(--override_repository=nfpar="$copy")
bazel test "${override[@]}" -- //... @nfpar//...
bazel run "${override[@]}" @nfpar//tools:demo
