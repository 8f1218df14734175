"""Checks of what the analyzer is asked to analyze, before and after the run:
the port count and the config overrides (--ports, --config), and that the
analysed paths only forward to ports the NF has."""

from __future__ import annotations

import re

from parallelizer import limits
from parallelizer.analysis.config_defaults import CONFIG_STRUCT
from parallelizer.analysis.ctype import ArrayType, CType, IntType, StructType, TypeTable
from parallelizer.analysis.errors import AnalysisError
from proto import nf_description_pb2 as pb


class OptionError(ValueError):
    """An analysis option (port count, config override) is wrong."""

    def __init__(self, option: str, value: object, what: str, todo: str) -> None:
        super().__init__(f"{what}, {option}={value}; {todo}")
        self.option, self.value, self.what, self.todo = option, value, what, todo


def check_ports(ports: int | None) -> None:
    if ports is not None and not 1 <= ports <= limits.MAX_PORTS:
        raise OptionError(
            "--ports",
            ports,
            f"an NF has 1 to {limits.MAX_PORTS} ports (the parallel runtimes' limit, parallelizer/limits.py)",
            "pass the number of ports the NF uses",
        )


def config_field(types: TypeTable, name: str) -> IntType | None:
    """The C type of the struct nf_config field an override names
    ("lan_port", "routes[1].prefix"); None when there is no such integer field."""
    ctype: CType = CONFIG_STRUCT
    position = 0
    for match in _NAME_PART.finditer(name):
        if match.start() != position:
            return None
        position = match.end()
        field, index = match.group(1), match.group(2)
        if field is not None and isinstance(ctype, StructType):
            ctype = types.field_type(ctype, field.lstrip("."))
        elif index is not None and isinstance(ctype, ArrayType) and int(index) < ctype.length:
            ctype = ctype.elem
        else:
            return None
    return ctype if position == len(name) and isinstance(ctype, IntType) else None


_NAME_PART = re.compile(r"((?:^|\.)[A-Za-z_]\w*)|\[(\d+)\]")


def check_overrides(types: TypeTable, overrides: dict[str, int]) -> None:
    """Each override names an integer field of struct nf_config and fits its C type."""
    for name, value in overrides.items():
        ctype = config_field(types, name)
        if ctype is None:
            known = ", ".join(n for n, _ in types.fields(CONFIG_STRUCT)) or "none"
            raise OptionError(
                "--config",
                f"{name}={value}",
                "struct nf_config has no integer field of that name",
                f"name a field (arrays as a[0], members as s.m) of: {known}",
            )
        low, high = (0, 1) if ctype.is_bool else _range(ctype)
        if not low <= value <= high:
            kind = "bool" if ctype.is_bool else f"{'' if ctype.signed else 'u'}int{ctype.bits}_t"
            raise OptionError(
                "--config", f"{name}={value}", f"the field is {kind}", f"pass a value in {low}..{high}"
            )


def _range(ctype: IntType) -> tuple[int, int]:
    if ctype.signed:
        return -(1 << (ctype.bits - 1)), (1 << (ctype.bits - 1)) - 1
    return 0, (1 << ctype.bits) - 1


def check_out_ports(description: pb.NfDescription, overrides: dict[str, int]) -> None:
    """A path that forwards to a constant port the NF does not have means the
    port count or a port-valued config (default or --config) is wrong; the
    runtimes would drop those packets. (A CLI check: unit tests of the
    executor use out ports as plain values.)"""
    for path in description.paths:
        out = path.outcome.out_port
        if path.outcome.action != pb.Outcome.FORWARD or out.WhichOneof("kind") != "constant":
            continue
        port = out.constant
        if out.width_bits and port >> (out.width_bits - 1):  # negative as the C int it was
            port -= 1 << out.width_bits
        if not 0 <= port < description.port_count:
            config = ", ".join(f"{k}={v}" for k, v in sorted(overrides.items()))
            raise AnalysisError(
                description.source,
                f"path {path.id}: a packet on port {path.in_port} is forwarded to port {port}, "
                f"but the NF has {description.port_count} ports"
                + (f" (with --config {config})" if config else ""),
                "pass --config port fields and --ports that agree",
            )
