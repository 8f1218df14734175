"""Sessions opened from port 0 (LAN hosts 10.0.x.y to outside servers) and the
servers' replies on port 1, with unsolicited port-1 packets, one non-IPv4
frame and repeats of half the sessions: stateful traffic for runtime tests
that do not need an NF's test spec."""

from __future__ import annotations

import random

from testing import frames


def sessions(seed: int = 5, flows: int = 300) -> list[tuple[int, bytes]]:
    """(port, frame): the opening packets, the non-IPv4 frame, the replies and
    unsolicited packets shuffled together, then the first half again."""
    rng = random.Random(seed)
    lan, wan = [], []
    for i in range(flows):
        int_ip, ext_ip = (
            f"10.0.{i // 250}.{i % 250 + 1}",
            f"93.184.{rng.randrange(256)}.{rng.randrange(1, 255)}",
        )
        sport, dport = rng.randrange(1024, 65536), rng.choice([53, 80, 443, rng.randrange(1, 65536)])
        make = frames.udp_frame if i % 2 else frames.tcp_frame
        lan.append((0, make(int_ip, ext_ip, sport, dport)))
        wan.append((1, make(ext_ip, int_ip, dport, sport)))
    unsolicited = [(1, f) for f in frames.random_udp_frames(60, seed=seed + 1)]
    replies = wan + unsolicited
    rng.shuffle(replies)
    other = [(0, b"\x01" * 60)]  # not IPv4: forwarded without state
    return lan + other + replies + lan[: flows // 2]
