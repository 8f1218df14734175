#!/usr/bin/env bash
# A py_binary must start on a machine without `python` (stock Debian 12 has only
# python3; issue 16). Runs one with a PATH made of /usr/bin and /bin minus any
# `python` / `python2*` (this machine may have one that would hide the gap),
# and checks its stub's shebang. Negative control: `env python` must fail on
# that PATH, so the PATH really lacks `python`.
set -euo pipefail
binary="$1"
bin_dir="$(mktemp -d "${TEST_TMPDIR:-/tmp}/only_python3.XXXXXX")"
for tool in /usr/bin/* /bin/*; do
  name="${tool##*/}"
  [[ "$name" == python || "$name" == python2* || -e "$bin_dir/$name" ]] && continue
  ln -s "$tool" "$bin_dir/$name"
done

first_line="$(head -n 1 "$binary")"
if [[ "$first_line" != "#!/usr/bin/env python3" ]]; then
  echo "FAIL: $binary starts with '$first_line'; expected '#!/usr/bin/env python3'" \
    "(dpdk_rules/python.bzl's py_runtime stub_shebang)" >&2
  exit 1
fi
if PATH="$bin_dir" /usr/bin/env python -c 1 2>/dev/null; then
  echo "FAIL: negative control: 'python' was found on PATH=$bin_dir" >&2
  exit 1
fi
if ! out="$(PATH="$bin_dir" "$binary" --packets=3 --flows=2 --out_prefix="$bin_dir/t" 2>&1)"; then
  echo "FAIL: $binary did not run without python on PATH:" >&2
  echo "$out" >&2
  exit 1
fi
echo "PASS: $binary runs with python3 and no python on PATH"
