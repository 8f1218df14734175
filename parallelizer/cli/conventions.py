"""What every nfpar command-line tool shares (docs/CLI.md): exit codes, the
one-line error format, where relative paths point under `bazel run`, and `-`
for stdin/stdout.

A tool defines its absl flags, writes `main(argv)` raising `UsageError` for a
bad flag value and `DataError` for a bad input file, and calls
`conventions.run(main, "<prog>")`. No traceback reaches the user: anything
else that escapes `main` is reported as an internal error (exit 3) in one line,
and NFPAR_TRACEBACK=1 shows the traceback for a bug report.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable

from absl import app, flags

EXIT_OK = 0
EXIT_DATA = 1  # an input file is invalid: unparsable, unsupported C, a plan the runtimes cannot run
EXIT_USAGE = 2  # a flag or its value is wrong (also: an output path that cannot be written)
EXIT_INTERNAL = 3  # a bug in nfpar; the line asks for NFPAR_TRACEBACK=1 and a report

STDIO = "-"  # a path of "-" means stdin (inputs) or stdout (outputs)


class CliError(Exception):
    """An error a tool reports in one line and exits with `exit_code`."""

    exit_code = EXIT_DATA

    def line(self, prog: str) -> str:
        return f"{prog}: error: {self}"


class UsageError(CliError):
    """A flag value is wrong: `<what>, --flag=value; <what to do>`."""

    exit_code = EXIT_USAGE

    def __init__(self, option: str, value: object, what: str, todo: str) -> None:
        shown = f"{option}={value}" if option.startswith("-") else f"{option} {value}"
        super().__init__(f"{what}, {shown}; {todo}")

    @classmethod
    def text(cls, message: str) -> UsageError:
        """For a library's message that already names the option and value."""
        error = cls.__new__(cls)
        Exception.__init__(error, message)
        return error


class DataError(CliError):
    """An input file is wrong. With a location (`file[:line[:col]]`) the line
    reads like a compiler's, `<location>: error: <what>; <what to do>`, so
    editors jump to it; without one it gets the tool's name."""

    exit_code = EXIT_DATA

    def __init__(self, location: str, what: str, todo: str) -> None:
        super().__init__(f"{what}; {todo}")
        self.location = location

    def line(self, prog: str) -> str:
        return f"{self.location}: error: {self}" if self.location else super().line(prog)


class LocatedDataError(DataError):
    """A DataError whose text is already `<location>: error: <what>; <todo>`
    (e.g. the analyzer's AnalysisError): printed unchanged."""

    def __init__(self, text: str) -> None:
        Exception.__init__(self, text)
        self.location = ""

    def line(self, prog: str) -> str:
        return str(self)


def enter_working_directory() -> None:
    """Makes relative paths mean what the user typed.

    `bazel run` starts a tool inside its runfiles tree; the directory the user
    ran bazel from is BUILD_WORKING_DIRECTORY. Changing to it once, before any
    path is used, resolves every relative input and output path (and keeps
    them relative in messages and in the files a tool writes). Modules find
    their own data through absolute `__file__` paths, which this leaves valid.
    """
    # Popped: a tool this one starts (cpp, another nfpar tool given paths
    # relative to the new directory) must not resolve them a second time.
    working = os.environ.pop("BUILD_WORKING_DIRECTORY", None)
    if working:
        os.chdir(working)


def read_bytes(path: str, option: str) -> bytes:
    """The contents of `path` (stdin for "-"); a missing file is a usage error."""
    if path == STDIO:
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise UsageError(
            option, path, f"cannot read the file ({e.strerror})", "pass an existing readable file"
        ) from None


def read_text(path: str, option: str, what: str) -> str:
    """`path` decoded as UTF-8; other bytes are a data error naming the offset."""
    data = read_bytes(path, option)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise DataError(
            f"{'<stdin>' if path == STDIO else path}:{line}",
            f"not UTF-8 text (byte {data[e.start]:#04x} at offset {e.start})",
            f"pass {what} as UTF-8 text",
        ) from None


def check_writable(path: str, option: str) -> str:
    """Refuses an output path whose directory is missing or read-only (call
    it before the work, so a typo costs nothing); returns the directory."""
    if path == STDIO:
        return ""
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        raise UsageError(
            option, path, f"directory {directory} does not exist", "create it or pass another path"
        )
    if os.path.isdir(path):
        raise UsageError(option, path, "this is a directory", "pass a file path")
    if not os.access(directory, os.W_OK):
        raise UsageError(option, path, f"directory {directory} is not writable", "pass a writable path")
    return directory


def write_text(path: str, text: str, option: str) -> None:
    """Writes `text` to `path` (stdout for "-") atomically: a failed run leaves
    no truncated file behind."""
    if path == STDIO:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    directory = check_writable(path, option)
    try:
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".nfpar-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as e:
        raise UsageError(
            option, path, f"cannot write the file ({e.strerror})", "pass a writable path"
        ) from None


def _flags_parser(prog: str) -> Callable[[list[str]], list[str]]:
    def parse(argv: list[str]) -> list[str]:
        try:
            return flags.FLAGS(argv)
        except flags.Error as e:
            # absl's own message already names the flag and the value.
            print(f"{prog}: error: {e}; pass --helpshort to see the flags", file=sys.stderr)
            sys.exit(EXIT_USAGE)

    return parse


def guarded(main: Callable[[list[str]], int | None], prog: str) -> Callable[[list[str]], int]:
    """`main` with the conventions applied: working directory, no positional
    arguments, every error one line on stderr and its exit code."""

    def wrapped(argv: list[str]) -> int:
        try:
            if len(argv) > 1:
                raise UsageError(
                    "argument", repr(argv[1]), "unexpected positional argument", "pass inputs as --flag=value"
                )
            enter_working_directory()
            return main(argv) or EXIT_OK
        except CliError as e:
            print(e.line(prog), file=sys.stderr)
            return e.exit_code
        except app.UsageError as e:  # raised by code written for plain app.run
            print(f"{prog}: error: {e}; pass --helpshort to see the flags", file=sys.stderr)
            return EXIT_USAGE
        except BrokenPipeError:  # e.g. `| head`: the reader is gone, nothing to report
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_OK
        except KeyboardInterrupt:
            print(f"{prog}: interrupted", file=sys.stderr)
            return 130
        except MemoryError:
            print(
                f"{prog}: error: out of memory; this input should have been refused earlier, "
                "please report it with the command line",
                file=sys.stderr,
            )
            return EXIT_INTERNAL
        except Exception as e:  # the last line of defence against tracebacks
            if os.environ.get("NFPAR_TRACEBACK"):
                raise
            print(
                f"{prog}: internal error: {type(e).__name__}: {e}; this is a bug in nfpar: "
                "rerun with NFPAR_TRACEBACK=1 and report the output",
                file=sys.stderr,
            )
            return EXIT_INTERNAL

    return wrapped


def run(main: Callable[[list[str]], int | None], prog: str) -> None:
    """app.run with the conventions: flag errors exit 2 in one line."""
    app.run(guarded(main, prog), flags_parser=_flags_parser(prog))
