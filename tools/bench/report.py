"""Benchmark outputs: CSV files, PNG plots (Mpps against workers, one panel per
NF, one line per strategy, one figure per traffic) and a markdown summary."""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Sequence

from tools.bench import key_quality, machine, parallelizer_speed, throughput

THROUGHPUT_CSV = "throughput.csv"
KEYS_CSV = "key_quality.csv"
SPEED_CSV = "parallelizer_speed.csv"
SUMMARY_MD = "summary.md"

THROUGHPUT_COLUMNS = (
    "nf",
    "traffic",
    "strategy",
    "workers",
    "packets",
    "median_mpps",
    "best_mpps",
    "runs_mpps",
    "efficiency",
    "median_cpu_mpps",
    "runs_cpu_mpps",
    "efficiency_cpu",
    "read_only_share",
    "tm_fallback_share",
    "note",
    "cpu_model",
    "cpus",
)
KEYS_COLUMNS = ("nf", "source", "port", "reta_size", "ranks", *key_quality.MIXES)
SPEED_COLUMNS = (
    "nf",
    "analysis_s",
    "paths",
    "solver_checks",
    "planning_s",
    "planning_steps_ms",
    "codegen_s",
    "codegen_strategies",
)

# Goals (benchmark figures, not tests).
SN_EFFICIENCY_GOAL = 0.95  # at 2 workers
SN_ONE_WORKER_TOLERANCE = 0.05  # shared-nothing on 1 worker vs sequential
LOCKS_EFFICIENCY_GOAL = 0.8  # on read-mostly traffic
READ_MOSTLY_SHARE = 0.9  # read-only packets under locks at 1 worker


def write_throughput_csv(path: str, results: Sequence[throughput.Measurement], host: machine.Machine) -> None:
    eff = throughput.efficiency(results)
    eff_cpu = throughput.efficiency(results, throughput.ON_CPU)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(THROUGHPUT_COLUMNS)
        for m in results:
            p = m.point
            w.writerow(
                [
                    p.nf,
                    p.traffic,
                    p.strategy,
                    p.workers,
                    m.packets,
                    f"{m.median_mpps:.3f}",
                    f"{m.best_mpps:.3f}",
                    ";".join(f"{x:.3f}" for x in m.runs_mpps),
                    f"{eff[p]:.3f}" if p in eff else "",
                    f"{m.median_cpu_mpps:.3f}",
                    ";".join(f"{x:.3f}" for x in m.runs_cpu_mpps),
                    f"{eff_cpu[p]:.3f}" if p in eff_cpu else "",
                    f"{m.read_only_share:.3f}",
                    f"{m.tm_fallback_share:.3f}",
                    m.note,
                    host.cpu_model,
                    host.cpus,
                ]
            )


def write_keys_csv(path: str, rows: Sequence[key_quality.KeyRow]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(KEYS_COLUMNS)
        for r in rows:
            w.writerow(
                [
                    r.nf,
                    r.source,
                    r.port,
                    r.reta_size,
                    r.ranks,
                    *(f"{r.max_over_mean[m]:.3f}" for m in key_quality.MIXES),
                ]
            )


def write_speed_csv(path: str, rows: Sequence[parallelizer_speed.StageTimes]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(SPEED_COLUMNS)
        for r in rows:
            w.writerow(
                [
                    r.nf,
                    "" if r.analysis_s is None else f"{r.analysis_s:.3f}",
                    "" if r.paths is None else r.paths,
                    "" if r.solver_checks is None else r.solver_checks,
                    f"{r.planning_s:.3f}",
                    ";".join(f"{k}={v * 1000:.0f}" for k, v in r.planning_steps.items()),
                    f"{r.codegen_s:.3f}",
                    r.strategies,
                ]
            )


def shown_workers(max_workers: int) -> list[int]:
    """Worker counts of the summary's columns: 1, 2, 4, 8, ... and the maximum."""
    counts = [n for n in (1 << i for i in range(int(math.log2(max_workers)) + 1))]
    if counts[-1] != max_workers:
        counts.append(max_workers)
    return counts


def _fmt(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def throughput_table(
    results: Sequence[throughput.Measurement], max_workers: int, metric: str = throughput.WALL
) -> list[str]:
    by_point = {m.point: m for m in results}
    workers = shown_workers(max_workers)
    strategies = _parallel_strategies(results)
    short = throughput.SHORT_NAMES
    head = ["NF", "traffic", "seq"] + [f"{short[s]} x{n}" for s in strategies for n in workers]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for nf, traffic in _cases(results):
        seq = by_point.get(throughput.Point(nf, traffic, throughput.SEQUENTIAL, 1))
        cells = [nf, traffic, _fmt(throughput.rate(seq, metric) if seq else None)]
        for s in strategies:
            for n in workers:
                m = by_point.get(throughput.Point(nf, traffic, s, n))
                cells.append(_fmt(throughput.rate(m, metric) if m else None))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _parallel_strategies(results: Sequence[throughput.Measurement]) -> list[str]:
    """The parallel strategies measured at all, in throughput.PARALLEL_STRATEGIES
    order (hybrid only appears where some NF's plan is HYBRID)."""
    measured = {m.point.strategy for m in results}
    return [s for s in throughput.PARALLEL_STRATEGIES if s in measured]


def _cases(results: Sequence[throughput.Measurement]) -> list[tuple[str, str]]:
    """(NF, traffic) pairs, NF by NF, each in the order they were measured."""
    nfs = list(dict.fromkeys(m.point.nf for m in results))
    traffics = list(dict.fromkeys(m.point.traffic for m in results))
    pairs = {(m.point.nf, m.point.traffic) for m in results}
    return [(nf, t) for nf in nfs for t in traffics if (nf, t) in pairs]


def scaling_table(results: Sequence[throughput.Measurement], max_workers: int) -> list[str]:
    eff = throughput.efficiency(results)
    eff_cpu = throughput.efficiency(results, throughput.ON_CPU)
    ratio = throughput.sn_over_sequential(results)
    ratio_cpu = throughput.sn_over_sequential(results, throughput.ON_CPU)
    by_point = {m.point: m for m in results}
    counts = sorted({min(2, max_workers), max_workers})
    head = ["NF", "traffic", "sn x1 / seq"]
    head += [f"sn eff x{n}" for n in counts] + [f"locks eff x{n}" for n in counts]
    head += ["locks read-only share"] + [f"tm eff x{n}" for n in counts]
    hybrid = throughput.HYBRID in _parallel_strategies(results)
    if hybrid:
        head += [f"hybrid eff x{n}" for n in counts] + ["hybrid shared read-only share"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for nf, traffic in _cases(results):

        def e(strategy: str, n: int, nf: str = nf, traffic: str = traffic) -> str:
            point = throughput.Point(nf, traffic, strategy, n)
            return f"{_fmt(eff.get(point))} / {_fmt(eff_cpu.get(point))}"

        locks1 = by_point.get(throughput.Point(nf, traffic, throughput.LOCKS, 1))
        cells = [nf, traffic, f"{_fmt(ratio.get((nf, traffic)))} / {_fmt(ratio_cpu.get((nf, traffic)))}"]
        cells += [e(throughput.SHARED_NOTHING, n) for n in counts] + [e(throughput.LOCKS, n) for n in counts]
        cells += [_fmt(locks1.read_only_share if locks1 else None)] + [e(throughput.TM, n) for n in counts]
        if hybrid:
            hybrid1 = by_point.get(throughput.Point(nf, traffic, throughput.HYBRID, 1))
            cells += [e(throughput.HYBRID, n) for n in counts]
            cells += [_fmt(hybrid1.read_only_share if hybrid1 else None)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def goals(
    results: Sequence[throughput.Measurement], max_workers: int, metric: str = throughput.WALL
) -> list[str]:
    """One line per goal: how many (NF, traffic) cases meet it, and which miss."""
    eff = throughput.efficiency(results, metric)
    ratio = throughput.sn_over_sequential(results, metric)
    by_point = {m.point: m for m in results}
    out = []
    if max_workers >= 2:
        cases = {p: e for p, e in eff.items() if p.strategy == throughput.SHARED_NOTHING and p.workers == 2}
        missed = sorted(f"{p.nf}/{p.traffic} {e:.2f}" for p, e in cases.items() if e < SN_EFFICIENCY_GOAL)
        out.append(
            f"- shared-nothing efficiency >= {SN_EFFICIENCY_GOAL} at 2 workers: "
            f"{len(cases) - len(missed)}/{len(cases)} met"
            + (f"; missed: {', '.join(missed)}" if missed else "")
        )
        cases_max = {
            p: e
            for p, e in eff.items()
            if p.strategy == throughput.SHARED_NOTHING and p.workers == max_workers
        }
        if max_workers > 2:
            met = sum(e >= 0.9 for e in cases_max.values())
            out.append(
                f"- shared-nothing efficiency >= 0.9 at {max_workers} workers: {met}/{len(cases_max)} met"
            )
    else:
        out.append("- shared-nothing scaling: not measured (one worker only)")
    missed = sorted(f"{nf}/{t} {r:.2f}" for (nf, t), r in ratio.items() if r < 1 - SN_ONE_WORKER_TOLERANCE)
    out.append(
        f"- shared-nothing on 1 worker within {SN_ONE_WORKER_TOLERANCE:.0%} of sequential: "
        f"{len(ratio) - len(missed)}/{len(ratio)} met" + (f"; missed: {', '.join(missed)}" if missed else "")
    )
    if max_workers >= 2:
        read_mostly = [
            p
            for p, m in by_point.items()
            if p.strategy == throughput.LOCKS and p.workers == 1 and m.read_only_share >= READ_MOSTLY_SHARE
        ]
        cases = {
            (p.nf, p.traffic): eff.get(throughput.Point(p.nf, p.traffic, throughput.LOCKS, 2))
            for p in read_mostly
        }
        listed = ", ".join(f"{nf}/{t} {_fmt(e)}" for (nf, t), e in sorted(cases.items()))
        met = sum(1 for e in cases.values() if e is not None and e >= LOCKS_EFFICIENCY_GOAL)
        out.append(
            f"- locks efficiency >= {LOCKS_EFFICIENCY_GOAL} at 2 workers on read-mostly traffic "
            f"(>= {READ_MOSTLY_SHARE:.0%} of packets read-only under locks): {met}/{len(cases)} met"
            + (f" ({listed})" if listed else " (no read-mostly case)")
        )
    return out


HEADLINE_TRAFFIC = "uniform"


def _worst_balance(
    rows: Sequence[key_quality.KeyRow], nf: str, source: str, mixes: Sequence[str]
) -> float | None:
    """The largest queue load max/mean over the NF's ports and `mixes` for one key source."""
    values = [r.max_over_mean[m] for r in rows if r.nf == nf and r.source == source for m in mixes]
    return max(values) if values else None


def headline_table(
    results: Sequence[throughput.Measurement],
    max_workers: int,
    key_rows: Sequence[key_quality.KeyRow] | None,
) -> list[str]:
    """One row per NF on uniform traffic, on-CPU Mpps: sequential, shared-nothing
    on 1 and on the most workers, locks and hybrid on the most workers (hybrid
    only where measured), then the worst queue load max/mean over the plan's
    ports of our keys and of the published ones on uniform and on
    client/server traffic. The README's table."""
    by_point = {m.point: m for m in results}
    n = max_workers
    hybrid = throughput.HYBRID in _parallel_strategies(results)
    columns = [(throughput.SHARED_NOTHING, 1), (throughput.SHARED_NOTHING, n), (throughput.LOCKS, n)]
    if hybrid:
        columns.append((throughput.HYBRID, n))
    head = ["NF", "seq"] + [f"{throughput.SHORT_NAMES[s]} x{k}" for s, k in columns]
    key_mixes = (("uniform",), ("c2s", "s2c"))
    if key_rows is not None:
        head += ["keys max/mean uniform (ours / published)", "keys max/mean c2s, s2c (ours / published)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for nf in dict.fromkeys(m.point.nf for m in results if m.point.traffic == HEADLINE_TRAFFIC):

        def cpu(strategy: str, k: int, nf: str = nf) -> str:
            m = by_point.get(throughput.Point(nf, HEADLINE_TRAFFIC, strategy, k))
            return _fmt(m.median_cpu_mpps if m else None)

        cells = [nf, cpu(throughput.SEQUENTIAL, 1)] + [cpu(s, k) for s, k in columns]
        if key_rows is not None:
            for mixes in key_mixes:
                ours = _worst_balance(key_rows, nf, key_quality.OURS, mixes)
                theirs = _worst_balance(key_rows, nf, key_quality.PUBLISHED, mixes)
                cells.append(f"{_fmt(ours)} / {_fmt(theirs)}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def family_table(
    results: Sequence[throughput.Measurement], max_workers: int, bases: dict[str, str]
) -> list[str]:
    """IPv6 and mixed-family mixes next to the IPv4 mix they derive from (same
    flows, same run): on-CPU Mpps and, in parentheses, the ratio to the base
    mix at the same strategy and workers; sequential, then each parallel
    strategy on 1 and on the most workers."""
    by_point = {m.point: m for m in results}
    strategies = _parallel_strategies(results)
    counts = sorted({1, max_workers})
    columns = [(throughput.SEQUENTIAL, 1)] + [(s, n) for s in strategies for n in counts]
    head = ["NF", "traffic (IPv4 base)"] + [f"{throughput.SHORT_NAMES[s]} x{n}" for s, n in columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for nf, traffic in _cases(results):
        base = bases.get(traffic)
        if base is None:
            continue
        cells = [nf, f"{traffic} ({base})"]
        for s, n in columns:
            m = by_point.get(throughput.Point(nf, traffic, s, n))
            b = by_point.get(throughput.Point(nf, base, s, n))
            if m is None:
                cells.append("-")
            elif b is None or not b.median_cpu_mpps:
                cells.append(_fmt(m.median_cpu_mpps))
            else:
                cells.append(f"{m.median_cpu_mpps:.2f} ({m.median_cpu_mpps / b.median_cpu_mpps:.2f})")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def keys_table(rows: Sequence[key_quality.KeyRow]) -> list[str]:
    head = ["NF", "port", "keys", "rank over RETA bits", *(f"{m} max/mean" for m in key_quality.MIXES)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [
            r.nf,
            str(r.port),
            r.source,
            r.ranks,
            *(f"{r.max_over_mean[m]:.3f}" for m in key_quality.MIXES),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def speed_table(rows: Sequence[parallelizer_speed.StageTimes]) -> list[str]:
    head = ["NF", "analysis (s)", "paths", "solver checks", "planning (s)", "codegen (s, all strategies)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [
            r.nf,
            _fmt(r.analysis_s, 3),
            "-" if r.paths is None else str(r.paths),
            "-" if r.solver_checks is None else str(r.solver_checks),
            _fmt(r.planning_s, 3),
            f"{r.codegen_s:.3f} ({r.strategies.replace(';', ', ')})",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def plot(path_prefix: str, results: Sequence[throughput.Measurement], host: machine.Machine) -> list[str]:
    """One PNG per traffic: a panel per NF, Mpps against workers per strategy."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    nfs = list(dict.fromkeys(m.point.nf for m in results))
    traffics = list(dict.fromkeys(m.point.traffic for m in results))
    styles = {
        throughput.SHARED_NOTHING: ("tab:blue", "o"),
        throughput.LOCKS: ("tab:orange", "s"),
        throughput.TM: ("tab:green", "^"),
        throughput.HYBRID: ("tab:red", "D"),
    }
    columns = min(3, len(nfs))
    rows = math.ceil(len(nfs) / columns)
    for traffic in traffics:
        fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.2 * rows), squeeze=False)
        for i, nf in enumerate(nfs):
            ax = axes[i // columns][i % columns]
            points = [m for m in results if m.point.nf == nf and m.point.traffic == traffic]
            max_workers = max((m.point.workers for m in points), default=1)
            for strategy, (color, marker) in styles.items():
                ours = sorted(
                    (m.point.workers, m.median_mpps, m.median_cpu_mpps)
                    for m in points
                    if m.point.strategy == strategy
                )
                if ours:
                    x, wall, cpu = zip(*ours, strict=True)
                    ax.plot(x, wall, color=color, marker=marker, label=strategy)
                    ax.plot(
                        x,
                        cpu,
                        color=color,
                        marker=marker,
                        linestyle=":",
                        alpha=0.6,
                        label=f"{strategy} on-CPU",
                    )
            seq = [m.median_mpps for m in points if m.point.strategy == throughput.SEQUENTIAL]
            if seq:
                ax.axhline(seq[0], color="gray", linestyle="--", linewidth=1, label="sequential")
            ax.set_title(nf)
            ax.set_xlabel("workers")
            ax.set_ylabel("Mpps (median)")
            ax.set_xticks(range(1, max_workers + 1) if max_workers <= 8 else shown_workers(max_workers))
            ax.set_ylim(bottom=0)
            ax.grid(True, alpha=0.3)
        for j in range(len(nfs), rows * columns):
            axes[j // columns][j % columns].axis("off")
        legend: dict[str, object] = {}  # every panel's lines: hybrid appears only in some
        for ax in axes.flat:
            for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
                legend.setdefault(label, handle)
        fig.legend(list(legend.values()), list(legend), loc="upper right")
        fig.suptitle(
            f"{traffic} traffic, in-memory runtime, {host.cpu_model}, {host.cpus} CPUs "
            "(solid: wall clock, dotted: on-CPU)"
        )
        fig.tight_layout(rect=(0, 0, 0.86, 0.96))
        path = f"{path_prefix}_{traffic}.png"
        fig.savefig(path, dpi=80)
        plt.close(fig)
        written.append(path)
    return written


def write_summary(
    path: str,
    host: machine.Machine,
    settings: str,
    results: Sequence[throughput.Measurement],
    max_workers: int,
    key_rows: Sequence[key_quality.KeyRow] | None,
    key_note: str,
    speed_rows: Sequence[parallelizer_speed.StageTimes] | None,
    plots: Sequence[str],
    bases: dict[str, str] | None = None,
) -> str:
    lines = ["# Benchmark results", "", f"Machine: {host.describe()}", "", f"Settings: {settings}", ""]
    if results:
        lines += [
            "Two measures per point, both medians over the timed runs: *wall clock* (packets / time from "
            "the first worker's start to the last worker's end) and *on-CPU* (the same with the busiest "
            "worker's thread CPU time as the duration: what the run takes when no worker is preempted by "
            "other work on the machine; spinning on a lock counts as CPU time).",
            "",
        ]
        lines += [
            f"## Headline ({HEADLINE_TRAFFIC} traffic, on-CPU Mpps, median)",
            "",
            *headline_table(results, max_workers, key_rows),
            "",
        ]
        family = family_table(results, max_workers, bases or {})
        if len(family) > 2:
            lines += [
                "## IPv6 and mixed families (on-CPU Mpps, median; in parentheses: / the IPv4 base mix)",
                "",
                "Each IPv6 or mixed mix is generated with its IPv4 base mix's settings and that share "
                "of flows IPv6 (testing/traffic/profiles.py: clients in one /64 with random interface "
                "IDs, servers in /48s), measured in the same run.",
                "",
                *family,
                "",
            ]
        lines += ["## Throughput, wall clock (Mpps)", "", *throughput_table(results, max_workers), ""]
        lines += [
            "## Throughput, on-CPU (Mpps)",
            "",
            *throughput_table(results, max_workers, throughput.ON_CPU),
            "",
        ]
        lines += [
            "## Scaling efficiency (Mpps at n / (n x Mpps at 1), same strategy; wall clock / on-CPU)",
            "",
        ]
        lines += [*scaling_table(results, max_workers), ""]
        lines += ["## Goals", "", "By the wall clock:", "", *goals(results, max_workers), ""]
        lines += ["By on-CPU time:", "", *goals(results, max_workers, throughput.ON_CPU), ""]
        lines += [f"![{os.path.basename(p)}]({os.path.basename(p)})" for p in plots] + [""]
    if key_rows is not None:
        lines += ["## RSS key quality (queue load max/mean over 16 queues)", "", key_note, ""]
        lines += [*keys_table(key_rows), ""]
    if speed_rows is not None:
        lines += ["## Parallelizer speed (median per NF)", "", *speed_table(speed_rows), ""]
    text = "\n".join(lines)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return text
