"""Front end: preprocesses an NF source against nflib and fake libc headers with
the system C preprocessor (keeping line markers) and parses it with pycparser."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess

from pycparser import c_ast, c_parser, plyparser

from parallelizer.analysis.ctype import TypeTable, reject_unions
from parallelizer.analysis.errors import AnalysisError

FAKE_LIBC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_libc")
# nfpar's root (parallelizer/analysis/ is two levels down): its nflib/ headers
# ship with the analyzer (the :analysis library's data), so an NF's
# `#include "nflib/map.h"` resolves without --include_dir wherever the analyzer
# runs from (a checkout, `bazel run`, a workspace that vendors nfpar). Searched
# after the --include_dir directories, which can still provide their own nflib.
NFLIB_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# GNU extensions pycparser does not know, removed before parsing.
_PREDEFINES = [
    "-D__attribute__(x)=",
    "-D__thread=",
    "-D__extension__=",
    "-D__inline=inline",
    "-D__restrict=",
    "-Drestrict=",
    "-D__asm__(x)=",
    "-D__builtin_expect(x,y)=(x)",
    "-D__nfpar_analysis__=1",
]


@dataclasses.dataclass
class TranslationUnit:
    """What the analyzer needs from one parsed NF source."""

    source: str
    ast: c_ast.FileAST
    types: TypeTable
    functions: dict[str, c_ast.FuncDef]
    declarations: dict[str, c_ast.Decl]  # file-scope declarations (functions and variables)
    variables: dict[str, c_ast.Decl]  # file-scope variables


def check_text(source: str) -> None:
    """Refuses a source that is not UTF-8 text (a binary, another encoding)
    at the first bad byte, before cpp and pycparser see it."""
    try:
        with open(source, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise AnalysisError(
            source, f"cannot read the source ({exc.strerror})", "pass an existing C file"
        ) from None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise AnalysisError(
            f"{source}:{line}:{column}",
            f"byte {data[exc.start]:#04x} is not UTF-8 text",
            "pass a C source file saved as UTF-8 (or ASCII)",
        ) from None


def preprocess(source: str, include_dirs: list[str]) -> str:
    """`cpp` output of source with line markers; raises AnalysisError on failure."""
    check_text(source)
    command = [
        "cpp",
        "-nostdinc",
        "-undef",
        "-std=c11",
        "-D__x86_64__=1",
        "-D__linux__=1",
        "-isystem",
        FAKE_LIBC_DIR,
    ]
    for directory in include_dirs:
        command += ["-I", directory]
    if os.path.isfile(os.path.join(NFLIB_ROOT, "nflib", "nf.h")):
        command += ["-idirafter", NFLIB_ROOT]
    command += _PREDEFINES + [source]
    try:
        # Headers may hold non-UTF-8 bytes (in comments cpp drops, or strings):
        # replace them rather than fail to decode.
        result = subprocess.run(command, capture_output=True, encoding="utf-8", errors="replace", check=False)
    except FileNotFoundError as exc:
        raise AnalysisError(
            source, "the C preprocessor `cpp` is not installed", "install gcc (Debian: apt-get install cpp)"
        ) from exc
    if result.returncode != 0:
        message = result.stderr.strip().splitlines()
        first = message[0] if message else "unknown preprocessor failure"
        match = re.match(r"([^:]+:\d+:\d+): (?:fatal )?error: (.*)", first)
        if match:
            raise AnalysisError(
                match.group(1),
                f"preprocessing failed: {match.group(2)}",
                "pass the directories holding nflib/ and the NF's headers with --include_dir",
            )
        raise AnalysisError(
            source,
            f"preprocessing failed: {first}",
            "pass the directories holding nflib/ and the NF's headers with --include_dir",
        )
    return result.stdout


def parse(source: str, include_dirs: list[str]) -> TranslationUnit:
    text = preprocess(source, include_dirs)
    try:
        ast = c_parser.CParser().parse(text, filename=source)
    except plyparser.ParseError as exc:
        match = re.match(r"(.+?:\d+(?::\d+)?): (.*)", str(exc))
        location, what = (match.group(1), match.group(2)) if match else (source, str(exc))
        raise AnalysisError(
            location,
            f"cannot parse: {what}",
            "write standard C11 without compiler extensions (see docs/NF_C_SUBSET.md)",
        ) from exc
    except AssertionError as exc:  # pycparser asserts on a closing brace with no open scope
        raise AnalysisError(
            source,
            "cannot parse: a '}' closes a scope that was never opened",
            "balance the braces of the source",
        ) from exc
    reject_unions(ast)  # anywhere in the file, used or not (docs/NF_C_SUBSET.md, unions)
    types = TypeTable()
    functions: dict[str, c_ast.FuncDef] = {}
    declarations: dict[str, c_ast.Decl] = {}
    variables: dict[str, c_ast.Decl] = {}
    for ext in ast.ext:
        if isinstance(ext, c_ast.Typedef):
            types.add_typedef(ext)
        elif isinstance(ext, c_ast.FuncDef):
            types.resolve(ext.decl.type)
            functions[ext.decl.name] = ext
            declarations[ext.decl.name] = ext.decl
        elif isinstance(ext, c_ast.Decl):
            types.resolve(ext.type)
            if ext.name is None:
                continue
            declarations.setdefault(ext.name, ext)
            if not isinstance(ext.type, c_ast.FuncDecl):
                if ext.name not in variables or ext.init is not None:
                    variables[ext.name] = ext
    return TranslationUnit(source, ast, types, functions, declarations, variables)
