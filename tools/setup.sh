#!/usr/bin/env bash
# Installs everything this project needs on a fresh Debian 12 machine, idempotently:
# Debian packages (Bazel 4.2.3, DPDK 22.11, libpcap, protoc, provers, linters) and a
# Python virtual environment at .venv with the exact pins of requirements.txt.
# A second run checks and changes nothing.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${NFPAR_VENV:-$repo_root/.venv}"

debian_packages=(
  bazel-bootstrap        # Bazel 4.2.3, builds offline with third_party/bazel
  build-essential pkg-config
  dpdk libdpdk-dev       # DPDK 22.11: EAL, ethdev, net_pcap/net_null/net_ring PMDs
  libpcap-dev
  protobuf-compiler      # protoc 3.21.12, matches protobuf==4.21.12 in requirements.txt
  python3 python3-venv python3-dev
  clang-format           # C formatting check
  clang libclang-rt-14-dev   # tests/fuzz: clang 14 + libFuzzer/ASan/UBSan runtimes (docs/FUZZING.md)
  frama-c-base why3 z3 cvc4   # nflib proofs (Frama-C WP)
)

missing=()
for pkg in "${debian_packages[@]}"; do
  [[ "$pkg" == \#* ]] && continue
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: Debian packages present"
fi

# Python: a venv with exact pins. Its interpreter is what Bazel's py rules use
# (dpdk_rules/python.bzl finds it at .venv or at $NFPAR_PYTHON).
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$repo_root/requirements.txt" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python3" ]]; then
  echo "setup: creating Python venv at $venv"
  python3 -m venv "$venv"
fi
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "setup: installing pinned Python packages"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$repo_root/requirements.txt"
  echo "$want" >"$stamp"
else
  echo "setup: Python packages match requirements.txt"
fi

# Frama-C WP talks to z3/cvc4 through why3, which must know them once.
if [[ ! -f "$HOME/.why3.conf" ]] || ! grep -q 'name = "Z3"' "$HOME/.why3.conf" 2>/dev/null; then
  echo "setup: registering provers with why3"
  why3 config detect >/dev/null 2>&1 || why3 config --detect >/dev/null 2>&1 || true
fi

echo "setup: done"
