"""The machine a benchmark ran on: CPU model and core count, for every output."""

from __future__ import annotations

import dataclasses
import os
import platform


@dataclasses.dataclass(frozen=True)
class Machine:
    cpu_model: str
    cpus: int  # logical CPUs online
    kernel: str
    load_average: tuple[float, float, float]  # at the start of the run

    def describe(self) -> str:
        load = ", ".join(f"{x:.2f}" for x in self.load_average)
        return f"{self.cpu_model}, {self.cpus} CPUs, Linux {self.kernel} (load average at start {load})"


def cpu_model(cpuinfo_path: str = "/proc/cpuinfo") -> str:
    """The first 'model name' of /proc/cpuinfo, or the platform's processor name."""
    try:
        with open(cpuinfo_path, encoding="utf-8") as f:
            for line in f:
                name, sep, value = line.partition(":")
                if sep and name.strip() == "model name":
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def current() -> Machine:
    return Machine(
        cpu_model=cpu_model(),
        cpus=os.cpu_count() or 1,
        kernel=platform.release(),
        load_average=os.getloadavg(),
    )
