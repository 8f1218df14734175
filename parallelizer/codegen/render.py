"""Renders a ParallelConfig into the C file that defines nf_parallel_config."""

from __future__ import annotations

import jinja2

from parallelizer.codegen import config_model

_TEMPLATE = "parallel_config.c.jinja2"


def c_string(text: str) -> str:
    """A C string literal with the same bytes (UTF-8) as text."""
    out = []
    for byte in text.encode("utf-8"):
        char = chr(byte)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= byte < 0x7F and char != "?":
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return '"' + "".join(out) + '"'


def c_bytes(data: bytes) -> str:
    return ", ".join(f"0x{b:02x}" for b in data)


def c_comment(text: str) -> str:
    return text.replace("*/", "* /")


def _environment(template_text: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.DictLoader({_TEMPLATE: template_text}),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["c_string"] = c_string
    env.filters["c_bytes"] = c_bytes
    env.filters["c_comment"] = c_comment
    return env


def render(config: config_model.ParallelConfig, source: str, template_text: str) -> str:
    return _environment(template_text).get_template(_TEMPLATE).render(config=config, source=source)
