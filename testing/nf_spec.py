"""What an NF's tests need, as its package declares it: `nf_package(test_spec =
{...})` in nfs/<nf>/BUILD.bazel writes `:test_spec` (test_spec.json), which the
matrix, the TSan and TM stress runs, the soundness check and the bench read
through runfiles (docs/EQUIVALENCE.md, "How an NF declares its test needs").

Keys of the spec (all optional but `ports`):
  ports         role of each input port, in port order: "client" (hosts that
                open flows: LAN, clients) or "server" (hosts that answer: WAN,
                backends)
  profiles      traffic profiles the NF runs (default: timed.DEFAULT_PROFILES)
  more_profiles profiles run besides those (e.g. ["ipv6"] for a dual-stack NF,
                which keeps the defaults without restating them)
  args          NF options for every profile
  profile_args  {profile: options added for that profile}
  shape         how the generic traffic is adapted to the NF (shapes.py)
  bench         how tools/bench runs the NF (BENCH_KEYS below; default: plain
                traffic, no options)

Options may name values in braces: {churn_expiry} (the churn profile's expiry,
timed.CHURN_EXPIRY_NS), {mac_table} (a file mapping each port's host MACs to
the port, for static tables) and any key of `shape`. The NF's files (inmem,
plan, generated description) are found next to the spec."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import sys
import tempfile
from collections.abc import Sequence

from testing import nfpar_runfiles
from testing.traffic import shapes, timed

SPEC_FILE = "test_spec.json"
ROLES = ("client", "server")
KEYS = ("nf", "ports", "profiles", "more_profiles", "args", "profile_args", "shape", "bench")
# The bench section: options of the benchmark runs ("args", placeholders as in
# `args` from the shape and from this section), "expiry_option" (the option
# the churn mix shortens the flow expiry with; null: the NF keeps no expiring
# state), "workload" (WORKLOADS: how the bench's traffic is adapted, e.g. a
# static MAC table or a VIP with backends: "vip", "backends" here,
# "heartbeat_port" from the shape), "reference" and "reference_ports" (the NF
# of the published design's keys and our port -> its port).
BENCH_KEYS = ("args", "expiry_option", "workload", "vip", "backends", "reference", "reference_ports")
WORKLOADS = ("plain", "static_table", "vip_backends")
BENCH_DEFAULTS = {
    "args": [],
    "expiry_option": "--expiry",
    "workload": "plain",
    "reference_ports": {"0": 0, "1": 1},
}


class SpecError(ValueError):
    """A test spec that cannot be used; the message names the file and the fix."""


@dataclasses.dataclass(frozen=True)
class NfSpec:
    name: str
    path: str  # the spec file; the NF's other files are next to it
    roles: tuple[str, ...]
    profiles: tuple[str, ...]
    common: tuple[str, ...] = ()
    per_profile: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    shape_params: dict[str, str] = dataclasses.field(default_factory=dict)
    bench: dict = dataclasses.field(default_factory=lambda: dict(BENCH_DEFAULTS))

    @property
    def ports(self) -> int:
        return len(self.roles)

    @functools.cached_property
    def shape(self) -> timed.Shape:
        return shapes.shape(self.shape_params, self.roles)

    def file(self, name: str) -> str:
        """A file of the NF's package (inmem, plan.textproto, ...)."""
        return os.path.join(os.path.dirname(self.path), name)

    def args(self, profile: str) -> list[str]:
        values = {
            "churn_expiry": f"{timed.CHURN_EXPIRY_NS // 1000}us",
            **self.shape_params,
        }
        out = []
        for arg in (*self.common, *self.per_profile.get(profile, ())):
            if "{mac_table}" in arg:
                values["mac_table"] = _mac_table(self.roles)
            try:
                out.append(arg.format(**values))
            except (KeyError, IndexError, ValueError) as e:
                raise SpecError(
                    f"{self.path}: option {arg!r}: unknown placeholder {e}; known: "
                    f"{', '.join(sorted({*values, 'mac_table'}))}"
                ) from None
        return out

    def bench_params(self) -> dict[str, str]:
        """The bench's values: the shape's, overridden by the bench section's."""
        return {**self.shape_params, **{k: str(v) for k, v in self.bench.items() if k in ("vip", "backends")}}

    def bench_args(self) -> list[str]:
        values = self.bench_params()
        try:
            return [arg.format(**values) for arg in self.bench["args"]]
        except (KeyError, IndexError, ValueError) as e:
            raise SpecError(
                f"{self.path}: bench option: unknown placeholder {e}; known: {', '.join(sorted(values))}"
            ) from None


def _check_bench(where: str, raw: dict, shape_params: dict[str, str]) -> dict:
    if not isinstance(raw, dict):
        raise SpecError(f"{where}: bench={raw!r}: give a dict with keys among {', '.join(BENCH_KEYS)}")
    unknown = sorted(set(raw) - set(BENCH_KEYS))
    if unknown:
        raise SpecError(
            f"{where}: bench: unknown key(s) {', '.join(unknown)}; known: {', '.join(BENCH_KEYS)}"
        )
    bench = {**BENCH_DEFAULTS, **raw}
    if bench["workload"] not in WORKLOADS:
        raise SpecError(f"{where}: bench: workload={bench['workload']!r}; known: {', '.join(WORKLOADS)}")
    params = {**shape_params, **{k: str(bench[k]) for k in ("vip", "backends") if k in bench}}
    needed = [k for k in ("vip", "backends", "heartbeat_port") if k not in params]
    if bench["workload"] == "vip_backends" and needed:
        raise SpecError(
            f"{where}: bench: workload vip_backends needs {', '.join(needed)} (vip, backends in bench or "
            "shape; heartbeat_port in shape)"
        )
    ports = bench["reference_ports"]
    if not isinstance(ports, dict) or not all(
        str(k).isdigit() and isinstance(v, int) for k, v in ports.items()
    ):
        raise SpecError(f'{where}: bench: reference_ports={ports!r}: give {{"OUR PORT": THEIR PORT, ...}}')
    return bench


def _mac_table(roles: tuple[str, ...]) -> str:
    """A static MAC table (bridge_static's --table format): the MAC of each
    port's hosts (timed.port_mac) on that port."""
    path = os.path.join(tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR")), "macs.txt")
    with open(path, "w") as f:
        f.write("# matrix hosts\n")
        f.writelines(f"{timed.port_mac(port, roles).hex(':')} {port}\n" for port in range(len(roles)))
    return path


def parse(path: str) -> NfSpec:
    """Reads and checks one spec file."""
    try:
        with open(path) as f:
            raw = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise SpecError(f"{path}: cannot read the test spec: {e}") from None
    where = f"{path} (test_spec of nf_package {raw.get('nf', '?')!r})"
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise SpecError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(KEYS[1:])}")
    roles = tuple(raw.get("ports", ()))
    bad = [r for r in roles if r not in ROLES]
    if bad or "client" not in roles or "server" not in roles:
        raise SpecError(
            f"{where}: ports={list(roles)}: give each port a role, {' or '.join(ROLES)}, "
            f"with at least one of each"
        )
    more = tuple(
        p for p in raw.get("more_profiles", ()) if p not in raw.get("profiles", timed.DEFAULT_PROFILES)
    )
    profiles = (*raw.get("profiles", timed.DEFAULT_PROFILES), *more)
    per_profile = {k: tuple(v) for k, v in raw.get("profile_args", {}).items()}
    for profile in (*profiles, *per_profile):
        if profile not in timed.PROFILES:
            raise SpecError(f"{where}: unknown profile {profile!r}; known: {', '.join(timed.PROFILES)}")
    shape_params = {k: str(v) for k, v in raw.get("shape", {}).items()}
    try:
        shapes.check(shape_params, profiles)
    except ValueError as e:
        raise SpecError(f"{where}: shape: {e}") from None
    bench = _check_bench(where, raw.get("bench", {}), shape_params)
    return NfSpec(
        raw["nf"], path, roles, profiles, tuple(raw.get("args", ())), per_profile, shape_params, bench
    )


def _runfiles_root() -> str:
    for var in ("TEST_SRCDIR", "RUNFILES_DIR"):
        if os.environ.get(var):
            return os.environ[var]
    beside_binary = os.path.abspath(sys.argv[0]) + ".runfiles"
    if os.path.isdir(beside_binary):
        return beside_binary
    # `bazel run` of a py_binary sets neither variable, and argv[0] is the main
    # module inside the runfiles tree: nfpar's root there has the tree above it.
    nfpar_root = nfpar_runfiles.root()
    if os.path.basename(os.path.dirname(nfpar_root)).endswith(".runfiles"):
        return os.path.dirname(nfpar_root)
    return beside_binary


def _same_file(a: str, b: str) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


@functools.cache
def available() -> dict[str, NfSpec]:
    """Every spec in this binary's runfiles (the `:test_spec` targets it
    depends on), by NF name."""
    found: dict[str, NfSpec] = {}
    for directory, _, files in os.walk(_runfiles_root()):
        if SPEC_FILE in files:
            spec = parse(os.path.join(directory, SPEC_FILE))
            # Bazel also links an external repository's runfiles under
            # <main>/external/<repo>/ (legacy layout): the same file twice.
            if spec.name in found and not _same_file(found[spec.name].path, spec.path):
                raise SpecError(
                    f"two test specs name the NF {spec.name!r}: {found[spec.name].path}, {spec.path}"
                )
            found[spec.name] = spec
    return found


def load(name: str) -> NfSpec:
    specs = available()
    if name not in specs:
        raise SpecError(
            f"no test spec of NF {name!r} in the runfiles (found: {', '.join(sorted(specs)) or 'none'}); "
            f"add its //<package>:test_spec to the target's data (nf_package writes it from test_spec = ...)"
        )
    return specs[name]


def default(name: str, args: Sequence[str] = ()) -> NfSpec:
    """The spec of an NF that declares none: two ports (client, server), the
    default profiles, the same options for all."""
    return NfSpec(name, "", timed.TWO_PORTS, timed.DEFAULT_PROFILES, tuple(args))
