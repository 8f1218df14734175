"""C types of the supported subset, their x86-64 layout, and a resolver from
pycparser declarations (typedefs, structs, enums, integer constant expressions)."""

from __future__ import annotations

import dataclasses
import re

from pycparser import c_ast

from parallelizer.analysis.errors import AnalysisError, location_of, unsupported


@dataclasses.dataclass(frozen=True)
class IntType:
    bits: int
    signed: bool
    is_bool: bool = False


@dataclasses.dataclass(frozen=True)
class PtrType:
    target: CType


@dataclasses.dataclass(frozen=True)
class StructType:
    """A struct by name; its fields live in the TypeTable (structs may be recursive)."""

    name: str


@dataclasses.dataclass(frozen=True)
class ArrayType:
    elem: CType
    length: int


@dataclasses.dataclass(frozen=True)
class VoidType:
    pass


@dataclasses.dataclass(frozen=True)
class FuncType:
    ret: CType
    params: tuple[CType, ...]


@dataclasses.dataclass(frozen=True)
class FloatType:
    bits: int


CType = IntType | PtrType | StructType | ArrayType | VoidType | FuncType | FloatType

INT = IntType(32, True)
UINT = IntType(32, False)
LONG = IntType(64, True)
ULONG = IntType(64, False)
BOOL = IntType(8, False, is_bool=True)
VOID = VoidType()


def type_name(ctype: CType) -> str:
    """ctype as an NF author writes it, for error messages."""
    if isinstance(ctype, StructType):
        return f"struct {ctype.name}"
    if isinstance(ctype, IntType):
        if ctype.is_bool:
            return "bool"
        return f"{'' if ctype.signed else 'u'}int{ctype.bits}_t"
    if isinstance(ctype, ArrayType):
        return f"{type_name(ctype.elem)}[{ctype.length}]"
    if isinstance(ctype, PtrType):
        return f"{type_name(ctype.target)} *"
    if isinstance(ctype, VoidType):
        return "void"
    return "a function" if isinstance(ctype, FuncType) else "a floating-point value"


def _base_type(names: list[str]) -> IntType | VoidType | FloatType | None:
    words = [n for n in names if n not in ("signed", "const", "volatile")]
    unsigned = "unsigned" in words
    words = [n for n in words if n != "unsigned"]
    signed = not unsigned
    if words == ["void"]:
        return VOID
    if words == ["_Bool"]:
        return BOOL
    if words in (["float"],):
        return FloatType(32)
    if words in (["double"], ["long", "double"]):
        return FloatType(64)
    if words == ["char"]:
        return IntType(8, signed)
    if words in (["short"], ["short", "int"]):
        return IntType(16, signed)
    if words in ([], ["int"]):
        return IntType(32, signed)
    if words in (["long"], ["long", "int"], ["long", "long"], ["long", "long", "int"]):
        return IntType(64, signed)
    return None


@dataclasses.dataclass
class StructDef:
    name: str
    fields: list[tuple[str, CType]]
    node: c_ast.Node


class TypeTable:
    """Typedefs, struct definitions and enum constants of one translation unit."""

    def __init__(self) -> None:
        self.typedefs: dict[str, CType] = {}
        self.structs: dict[str, StructDef] = {}
        self.enum_consts: dict[str, int] = {}
        self._anon = 0

    # ---- declarations -------------------------------------------------------

    def add_typedef(self, node: c_ast.Typedef) -> None:
        self.typedefs[node.name] = self.resolve(node.type)

    def resolve(self, node: c_ast.Node) -> CType:
        """The CType of a pycparser type node (TypeDecl, PtrDecl, ArrayDecl, ...)."""
        if isinstance(node, c_ast.Typename | c_ast.Decl):
            return self.resolve(node.type)
        if isinstance(node, c_ast.TypeDecl):
            return self.resolve(node.type)
        if isinstance(node, c_ast.PtrDecl):
            return PtrType(self.resolve(node.type))
        if isinstance(node, c_ast.ArrayDecl):
            elem = self.resolve(node.type)
            if node.dim is None:
                return ArrayType(elem, 0)
            length = self.const_eval(node.dim)
            if length is None:
                raise unsupported(
                    node,
                    "array length is not a constant expression",
                    "give arrays a constant length (a #define or enum constant)",
                )
            return ArrayType(elem, length)
        if isinstance(node, c_ast.FuncDecl):
            params: list[CType] = []
            if node.args is not None:
                for param in node.args.params:
                    if isinstance(param, c_ast.EllipsisParam):
                        continue
                    ptype = self.resolve(param.type)
                    if not isinstance(ptype, VoidType):
                        params.append(ptype)
            return FuncType(self.resolve(node.type), tuple(params))
        if isinstance(node, c_ast.IdentifierType):
            if len(node.names) == 1 and node.names[0] in self.typedefs:
                return self.typedefs[node.names[0]]
            base = _base_type(node.names)
            if base is None:
                raise unsupported(
                    node,
                    f"unknown type '{' '.join(node.names)}'",
                    "use the fixed-width types of <stdint.h> or a declared typedef",
                )
            return base
        if isinstance(node, c_ast.Union):
            raise union_error(node)
        if isinstance(node, c_ast.Struct):
            return self._struct(node)
        if isinstance(node, c_ast.Enum):
            if node.values is not None:
                self._enum(node)
            return INT
        raise unsupported(
            node,
            f"unsupported type construct {type(node).__name__}",
            "declare types with structs, fixed-width integers and pointers",
        )

    def _struct(self, node: c_ast.Struct) -> StructType:
        name = node.name
        if name is None:
            self._anon += 1
            name = f"<anonymous struct {self._anon}>"
        if node.decls is not None:
            fields: list[tuple[str, CType]] = []
            self.structs[name] = StructDef(name, fields, node)
            for decl in node.decls:
                if isinstance(decl.type, c_ast.Union):  # also an anonymous union member
                    raise union_error(decl.type)
                if decl.name is None:
                    raise unsupported(decl, "anonymous struct member", "name every struct field")
                if decl.bitsize is not None:
                    raise unsupported(
                        decl, f"bit-field '{decl.name}'", "use a whole fixed-width integer field and mask it"
                    )
                fields.append((decl.name, self.resolve(decl.type)))
        return StructType(name)

    def _enum(self, node: c_ast.Enum) -> None:
        value = -1
        for enumerator in node.values.enumerators:
            if enumerator.value is not None:
                evaluated = self.const_eval(enumerator.value)
                if evaluated is None:
                    raise unsupported(
                        enumerator,
                        f"enum constant '{enumerator.name}' is not constant",
                        "give enum constants integer constant values",
                    )
                value = evaluated
            else:
                value += 1
            self.enum_consts[enumerator.name] = value

    def struct_def(self, stype: StructType) -> StructDef | None:
        return self.structs.get(stype.name)

    def fields(self, stype: StructType) -> list[tuple[str, CType]]:
        sdef = self.structs.get(stype.name)
        return sdef.fields if sdef is not None else []

    def field_type(self, stype: StructType, field: str) -> CType | None:
        for name, ftype in self.fields(stype):
            if name == field:
                return ftype
        return None

    # ---- layout ---------------------------------------------------------------

    def size_align(self, ctype: CType) -> tuple[int, int]:
        if isinstance(ctype, IntType):
            return ctype.bits // 8, ctype.bits // 8
        if isinstance(ctype, FloatType):
            return ctype.bits // 8, ctype.bits // 8
        if isinstance(ctype, PtrType | FuncType):
            return 8, 8
        if isinstance(ctype, ArrayType):
            size, align = self.size_align(ctype.elem)
            return size * ctype.length, align
        if isinstance(ctype, StructType):
            sdef = self.structs.get(ctype.name)
            if sdef is None:
                return 0, 1
            offset, max_align = 0, 1
            for _, ftype in sdef.fields:
                size, align = self.size_align(ftype)
                max_align = max(max_align, align)
                offset = (offset + align - 1) // align * align + size
            return (offset + max_align - 1) // max_align * max_align, max_align
        return 1, 1

    def sizeof(self, ctype: CType) -> int:
        return self.size_align(ctype)[0]

    def offsets(self, stype: StructType) -> list[tuple[str, int, CType]]:
        """(field, byte offset, type) of each field of a struct."""
        result = []
        offset = 0
        for name, ftype in self.fields(stype):
            size, align = self.size_align(ftype)
            offset = (offset + align - 1) // align * align
            result.append((name, offset, ftype))
            offset += size
        return result

    # ---- integer constant expressions ---------------------------------------

    def const_eval(self, node: c_ast.Node) -> int | None:
        """Value of an integer constant expression, or None when it is not one."""
        if isinstance(node, c_ast.Constant):
            return parse_int_constant(node.value) if node.type != "string" else None
        if isinstance(node, c_ast.ID):
            return self.enum_consts.get(node.name)
        if isinstance(node, c_ast.Cast):
            return self.const_eval(node.expr)
        if isinstance(node, c_ast.UnaryOp):
            if node.op == "sizeof":
                reject_unions(node.expr)  # not swallowed below: a union is never "not constant"
                try:
                    return (
                        self.sizeof(self.resolve(node.expr))
                        if isinstance(node.expr, c_ast.Typename)
                        else None
                    )
                except Exception:
                    return None
            operand = self.const_eval(node.expr)
            if operand is None:
                return None
            return {"-": -operand, "+": operand, "~": ~operand, "!": int(not operand)}.get(node.op)
        if isinstance(node, c_ast.BinaryOp):
            left, right = self.const_eval(node.left), self.const_eval(node.right)
            if left is None or right is None:
                return None
            ops = {
                "+": lambda: left + right,
                "-": lambda: left - right,
                "*": lambda: left * right,
                "/": lambda: int(left / right) if right else None,
                "%": lambda: left % right if right else None,
                "<<": lambda: left << right,
                ">>": lambda: left >> right,
                "&": lambda: left & right,
                "|": lambda: left | right,
                "^": lambda: left ^ right,
                "==": lambda: int(left == right),
                "!=": lambda: int(left != right),
                "<": lambda: int(left < right),
                "<=": lambda: int(left <= right),
                ">": lambda: int(left > right),
                ">=": lambda: int(left >= right),
                "&&": lambda: int(bool(left and right)),
                "||": lambda: int(bool(left or right)),
            }
            return ops[node.op]() if node.op in ops else None
        if isinstance(node, c_ast.TernaryOp):
            cond = self.const_eval(node.cond)
            if cond is None:
                return None
            return self.const_eval(node.iftrue if cond else node.iffalse)
        return None


def union_error(node: c_ast.Node) -> AnalysisError:
    """The error for any use of a union type (see docs/NF_C_SUBSET.md, unions)."""
    name = f"union {node.name}" if getattr(node, "name", None) else "anonymous union"
    return AnalysisError(
        _union_location(node),
        f"{name}: unions are not supported (their members share bytes, which the "
        "analysis would track as separate fields and get keys wrong)",
        "use a struct and compute the overlapping value explicitly, "
        "e.g. key.prefix = src & 0xffffff00 instead of writing key.u.bytes[0] = 0",
    )


def _union_location(node: c_ast.Node) -> str:
    """file:line:column of the `union` keyword of node. pycparser places a named
    union at its name and an anonymous one at column 1 of its `{` line, so the
    keyword is looked up on that line of the source (the coord when not found)."""
    coord = getattr(node, "coord", None)
    if coord is None or not coord.line:
        return location_of(node)
    try:
        with open(coord.file, encoding="utf-8", errors="replace") as source:
            lines = source.read().splitlines()
    except OSError:
        return location_of(node)
    if coord.line > len(lines):
        return location_of(node)
    text = lines[coord.line - 1]
    after = rf"\s+{re.escape(node.name)}\b" if node.name else r"\s*(\{|$)"
    match = re.search(rf"\bunion\b(?={after})", text) or re.search(r"\bunion\b", text)
    if match is None:
        return location_of(node)
    return f"{coord.file}:{coord.line}:{match.start() + 1}"


def reject_unions(node: c_ast.Node) -> None:
    """Raises union_error at the first union type found in node (in source order)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, c_ast.Union):
            raise union_error(current)
        stack.extend(child for _, child in reversed(current.children()))


def parse_int_constant(text: str) -> int | None:
    """Value of a C integer or character literal."""
    if text.startswith("'"):
        body = text[1:-1]
        escapes = {"\\n": 10, "\\t": 9, "\\0": 0, "\\\\": 92, "\\'": 39, "\\r": 13}
        if body in escapes:
            return escapes[body]
        return ord(body) if len(body) == 1 else None
    stripped = text.rstrip("uUlL")
    try:
        if stripped.lower().startswith("0x"):
            return int(stripped, 16)
        if stripped.lower().startswith("0b"):
            return int(stripped, 2)
        if len(stripped) > 1 and stripped.startswith("0"):
            return int(stripped, 8)
        return int(stripped)
    except ValueError:
        return None


def int_literal_type(text: str, value: int) -> IntType:
    """C type of an integer literal (decimal vs hex rules simplified to value range)."""
    suffix = text[len(text.rstrip("uUlL")) :].lower()
    unsigned = "u" in suffix
    is_long = "l" in suffix
    if not is_long and value < 2**31:
        return IntType(32, not unsigned)
    if not is_long and unsigned and value < 2**32:
        return UINT
    if not is_long and not text.startswith(("0x", "0X")) and not unsigned:
        return LONG
    if not is_long and value < 2**32 and not unsigned:
        return UINT
    if unsigned:
        return ULONG
    return LONG if value < 2**63 else ULONG
