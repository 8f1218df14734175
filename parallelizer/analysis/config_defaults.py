"""Default configuration of an NF, read from its source: the constant values
nf_config_parse gives `struct nf_config` fields before it parses options (in a
struct initialiser or by assignment outside loops and switches), or the
initialiser of a file-scope `const struct nf_config`."""

from __future__ import annotations

from pycparser import c_ast

from parallelizer.analysis.ctype import ArrayType, CType, PtrType, StructType, TypeTable
from parallelizer.analysis.frontend import TranslationUnit

CONFIG_STRUCT = StructType("nf_config")


def _is_config(ctype: CType | None) -> bool:
    while isinstance(ctype, PtrType | ArrayType):
        ctype = ctype.target if isinstance(ctype, PtrType) else ctype.elem
    return ctype == CONFIG_STRUCT


class _DefaultsCollector:
    def __init__(self, types: TypeTable) -> None:
        self.types = types
        self.defaults: dict[str, int] = {}
        self.var_types: dict[str, CType] = {}

    def initialiser(self, init: c_ast.Node, ctype: CType, path: str) -> None:
        if isinstance(init, c_ast.InitList):
            position = 0
            for item in init.exprs:
                if isinstance(item, c_ast.NamedInitializer) and len(item.name) == 1:
                    designator, expr = item.name[0], item.expr
                    if isinstance(designator, c_ast.ID) and isinstance(ctype, StructType):
                        names = [n for n, _ in self.types.fields(ctype)]
                        if designator.name in names:
                            position = names.index(designator.name)
                elif isinstance(item, c_ast.NamedInitializer):
                    continue
                else:
                    expr = item
                if isinstance(ctype, StructType):
                    fields = self.types.fields(ctype)
                    if position >= len(fields):
                        return
                    name, ftype = fields[position]
                    self.initialiser(expr, ftype, f"{path}.{name}" if path else name)
                elif isinstance(ctype, ArrayType):
                    self.initialiser(expr, ctype.elem, f"{path}[{position}]")
                position += 1
            return
        value = self.types.const_eval(init)
        if value is not None and path:
            self.defaults.setdefault(path, value)

    def lvalue_path(self, node: c_ast.Node) -> str | None:
        """'field.sub[2]' for an lvalue rooted at a struct nf_config variable."""
        if isinstance(node, c_ast.StructRef):
            if isinstance(node.name, c_ast.ID) and _is_config(self.var_types.get(node.name.name)):
                return node.field.name
            base = self.lvalue_path(node.name)
            return None if base is None else f"{base}.{node.field.name}"
        if isinstance(node, c_ast.ArrayRef):
            base = self.lvalue_path(node.name)
            index = self.types.const_eval(node.subscript)
            return None if base is None or index is None else f"{base}[{index}]"
        return None

    def statements(self, node: c_ast.Node | None) -> None:
        if node is None or isinstance(node, c_ast.For | c_ast.While | c_ast.DoWhile | c_ast.Switch):
            return
        if (
            isinstance(node, c_ast.Decl)
            and node.name is not None
            and not isinstance(node.type, c_ast.FuncDecl)
        ):
            ctype = self.types.resolve(node.type)
            self.var_types[node.name] = ctype
            if ctype == CONFIG_STRUCT and node.init is not None:
                self.initialiser(node.init, ctype, "")
            return
        if isinstance(node, c_ast.Assignment) and node.op == "=":
            path = self.lvalue_path(node.lvalue)
            if path is not None:
                value = self.types.const_eval(node.rvalue)
                if value is not None:
                    self.defaults.setdefault(path, value)
                elif isinstance(node.rvalue, c_ast.InitList | c_ast.CompoundLiteral):
                    pass
            return
        for _, child in node.children():
            self.statements(child)


def config_defaults(tu: TranslationUnit) -> dict[str, int]:
    """Config field path ("lan_port", "routes[0].prefix") -> default value."""
    collector = _DefaultsCollector(tu.types)
    for decl in tu.variables.values():
        if decl.init is not None and tu.types.resolve(decl.type) == CONFIG_STRUCT:
            collector.initialiser(decl.init, CONFIG_STRUCT, "")
    parse = tu.functions.get("nf_config_parse")
    if parse is not None:
        if parse.decl.type.args is not None:
            for param in parse.decl.type.args.params:
                if getattr(param, "name", None):
                    collector.var_types[param.name] = tu.types.resolve(param.type)
        collector.statements(parse.body)
    return collector.defaults
