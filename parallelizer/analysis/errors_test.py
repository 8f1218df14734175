"""Each unsupported construct in testdata/ is reported at the line its
`/* ERROR: <message> */` comment marks, as `file:line:column: error: ...;
<what instead>` on stderr with exit code 1 (docs/CLI.md) and no Python traceback."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from parallelizer.analysis import describe
from parallelizer.analysis.errors import AnalysisError
from testing import nfpar_runfiles

# The paths below are relative to nfpar's root, also when nfpar is vendored.
os.chdir(nfpar_runfiles.root())

TESTDATA = "parallelizer/analysis/testdata"
CASES = [
    "unbounded_loop",
    "recursion",
    "function_pointer",
    "global_state",
    "state_deref",
    "state_pointer_arith",
    "state_write",
    "unknown_call",
    "goto",
    "packet_direct",
    "name_mismatch",
    "union_key",
    "cast_padding",
    "cast_struct_view",
]


def expected_error(path: str) -> tuple[int, str]:
    with open(path) as source:
        for number, line in enumerate(source, start=1):
            match = re.search(r"/\* ERROR: (.*?) \*/", line)
            if match:
                return number, match.group(1)
    raise AssertionError(f"{path} has no /* ERROR: ... */ marker")


def analyzer_binary() -> str:
    return nfpar_runfiles.path("parallelizer/cli/analyze")


@pytest.mark.parametrize("case", CASES)
def test_error_location_and_message(case: str) -> None:
    path = f"{TESTDATA}/{case}.c"
    line, message = expected_error(path)
    with pytest.raises(AnalysisError) as info:
        describe.analyze(path, ["."])
    error = info.value
    assert error.location.startswith(f"{path}:{line}:"), str(error)
    assert message in error.what, str(error)
    assert error.instead, "every error says what to write instead"
    assert re.fullmatch(r"[^:]+:\d+:\d+: error: .+; .+", str(error)), str(error)


@pytest.mark.parametrize("case", CASES)
def test_cli_exit_code_and_no_traceback(case: str) -> None:
    path = f"{TESTDATA}/{case}.c"
    line, _ = expected_error(path)
    result = subprocess.run([analyzer_binary(), f"--src={path}"], capture_output=True, text=True, check=False)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{path}:{line}:"), result.stderr
    assert result.stdout == ""


def test_missing_header_is_a_clear_error(tmp_path) -> None:
    source = tmp_path / "nf.c"
    source.write_text('#include "nflib/nf.h"\n#include "mynf/absent.h"\n')
    with pytest.raises(AnalysisError) as info:
        describe.analyze(str(source), ["/nonexistent"])
    assert "preprocessing failed" in info.value.what and "mynf/absent.h" in info.value.what
    assert "--include_dir" in info.value.instead


def test_nflib_headers_come_with_the_analyzer() -> None:
    # No --include_dir at all: nflib/ is found next to the analyzer
    # (frontend.NFLIB_ROOT), as when nfpar is vendored or run from elsewhere.
    desc = describe.analyze(f"{TESTDATA}/nat_like.c", []).description
    assert desc.paths


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
