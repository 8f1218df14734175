#!/usr/bin/env bash
# Builds and tests examples/consumer, a workspace that vendors nfpar
# (docs/VENDORING.md), the way a consumer has nfpar: a copy of this checkout's
# tracked sources, without its venv, build outputs or git metadata. It tests the
# consumer's own NF (//...), every nfpar test from outside (@nfpar//...) except
# nflib's and the NFs' WP proofs (tag `wp`), and runs nfpar's demo from outside
# (@nfpar//tools:demo). The proofs are skipped for @nfpar because they prove the
# same sources the README's test command proves (about a quarter of CI's time);
# one NF's :verify (@nfpar//nfs/nop:verify) still runs the WP rule from outside.
#
# The copy also keeps Bazel from walking this checkout's bazel-<dir> convenience
# link, which `@nfpar//...` would otherwise enter when nfpar is the checkout itself.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
copy="${NFPAR_CONSUMER_COPY:-${XDG_CACHE_HOME:-$HOME/.cache}/nfpar/vendored_copy}"
python="${NFPAR_PYTHON:-$repo_root/.venv/bin/python3}"

rm -rf "$copy"
mkdir -p "$copy"
if git -C "$repo_root" rev-parse --git-dir >/dev/null 2>&1; then
  # The tracked files (with their working-tree content): what a clone would have.
  git -C "$repo_root" ls-files -z --cached -- . ':!:examples' |
    tar -C "$repo_root" --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$copy" -xf -
else
  tar -C "$repo_root" --exclude='./bazel-*' --exclude=./.venv --exclude=./examples -cf - . |
    tar -C "$copy" -xf -
fi
echo "consumer_check: nfpar copied to $copy; interpreter $python"

cd "$repo_root/examples/consumer"
# The copy has no .venv: the consumer names the interpreter (docs/VENDORING.md).
export NFPAR_PYTHON="$python"
override=(--override_repository=nfpar="$copy")
bazel test --keep_going "${override[@]}" -- //...
bazel test --keep_going "${override[@]}" --test_tag_filters=-wp -- @nfpar//...
bazel test "${override[@]}" -- @nfpar//nfs/nop:verify
bazel run "${override[@]}" @nfpar//tools:demo
