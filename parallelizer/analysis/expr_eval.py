"""Test helper: the value of a rendered nfpar.Expr for given packet fields, written
independently of the analyzer (the oracle of merge_test and executor_test)."""

from __future__ import annotations

from proto import nf_description_pb2 as pb


def evaluate(expr: pb.Expr, fields: dict[str, int]) -> int:
    """The value of a rendered Expr for packet fields `fields` (booleans as 0/1)."""
    kind = expr.WhichOneof("kind")
    if kind == "constant":
        return expr.constant
    if kind == "packet_field":
        return fields[expr.packet_field]
    assert kind == "apply", expr
    op, params = expr.apply.op, list(expr.apply.params)
    args = [evaluate(a, fields) for a in expr.apply.args]
    widths = [a.width_bits for a in expr.apply.args]
    mask = (1 << expr.width_bits) - 1 if expr.width_bits else 1
    if op == "ite":
        return args[1] if args[0] else args[2]
    if op == "bvadd":
        return sum(args) & mask
    if op == "bvsub":
        return (args[0] - args[1]) & mask
    if op == "zero_extend":
        return args[0]
    if op == "extract":
        return (args[0] >> params[1]) & ((1 << (params[0] - params[1] + 1)) - 1)
    if op == "concat":
        value = 0
        for arg, width in zip(args, widths, strict=True):
            value = (value << width) | arg
        return value
    comparisons = {
        "bvugt": lambda a, b: a > b,
        "bvuge": lambda a, b: a >= b,
        "bvult": lambda a, b: a < b,
        "bvule": lambda a, b: a <= b,
        "=": lambda a, b: a == b,
        "distinct": lambda a, b: a != b,
    }
    if op in comparisons:
        return int(comparisons[op](args[0], args[1]))
    if op == "not":
        return int(not args[0])
    raise AssertionError(f"operator {op} not modelled by the test's evaluator")
