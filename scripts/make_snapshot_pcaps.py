#!/usr/bin/env python3
"""Writes the small captures the snapshot scenarios replay
(scenarios/snapshots/*.pcap): exact frame counts and spacing, so that each
snapshot shows just the traffic it is about. Deterministic; run it again and
the files come out the same.

    python3 scripts/make_snapshot_pcaps.py
"""
import os
import struct

OUT = os.path.join(os.path.dirname(__file__), "..", "scenarios", "snapshots")


def frame(seq, length):
    """An Ethernet frame of `length` bytes without FCS: 02:..:01 <- 02:..:02,
    EtherType 0x88B5, the sequence number, then a byte pattern."""
    head = bytes([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2]) + struct.pack(">HI", 0x88B5, seq)
    body = bytes(((seq * 31 + i * 7) & 0xFF) for i in range(length - len(head)))
    return head + body


def write(name, frames):
    """frames: (time in ns, bytes). Classic pcap, nanosecond timestamps."""
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
        for t, data in frames:
            f.write(struct.pack("<IIII", t // 1_000_000_000, t % 1_000_000_000, len(data), len(data)))
            f.write(data)


def spaced(count, length, gap_ns):
    return [(i * gap_ns, frame(i, length)) for i in range(count)]


write("one_frame.pcap", spaced(1, 60, 0))
write("burst_8.pcap", spaced(8, 60, 0))
write("spaced_12.pcap", spaced(12, 60, 2_000))
write("burst_16.pcap", spaced(16, 60, 0))
write("jumbo_ish_2.pcap", spaced(2, 1514, 3_000))
write("echo_1.pcap", spaced(1, 124, 0))
write("spaced_30.pcap", spaced(30, 60, 1_000))
