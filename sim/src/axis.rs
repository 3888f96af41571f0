//! AXI-Stream packets as the host sees them: beats in, packets out.
//!
//! The RTL's streams are 64 bits wide, lane 0 (bits 7:0) first, `tkeep`
//! contiguous from lane 0. These helpers turn byte buffers into beats and beats
//! back into byte buffers, one beat per clock cycle, without knowing any port
//! names: the model wrappers connect them to ports.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};

/// One transfer of a 64-bit AXI-Stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AxisBeat {
    /// Eight bytes, lane 0 in bits 7:0.
    pub data: u64,
    /// One bit per valid byte lane.
    pub keep: u8,
    /// Last beat of a packet.
    pub last: bool,
    /// Sideband bit: "bad packet" on receive, "abort" on transmit.
    pub user: bool,
}

/// A packet to send, and how the source should misbehave while sending it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TxPacket {
    /// Packet bytes (for a MAC: destination address up to payload, no FCS).
    pub data: Bytes,
    /// Set `tuser` on the last beat: the sender aborts the packet.
    pub abort: bool,
    /// Drop `tvalid` for one cycle before this beat index (a source underrun).
    pub stall_before_beat: Option<usize>,
}

impl TxPacket {
    /// A well-behaved packet.
    pub fn new(data: impl Into<Bytes>) -> Self {
        TxPacket { data: data.into(), ..Default::default() }
    }

    fn beats(&self) -> usize {
        self.data.len().div_ceil(8).max(1)
    }

    fn beat(&self, index: usize) -> AxisBeat {
        let start = index * 8;
        let end = (start + 8).min(self.data.len());
        let mut bytes = [0u8; 8];
        bytes[..end - start].copy_from_slice(&self.data[start..end]);
        let last = index + 1 == self.beats();
        AxisBeat {
            data: u64::from_le_bytes(bytes),
            keep: ((1u16 << (end - start)) - 1) as u8,
            last,
            user: last && self.abort,
        }
    }
}

/// Feeds queued packets onto a stream, one beat per cycle while the sink is ready.
#[derive(Debug, Default)]
pub struct AxisSource {
    queue: VecDeque<TxPacket>,
    beat: usize,
    /// The packet's one stall cycle: `Some(true)` while in it, `Some(false)` once served.
    stall: Option<bool>,
    current: Option<AxisBeat>,
}

impl AxisSource {
    /// An empty source.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues a packet behind those already queued.
    pub fn push(&mut self, packet: TxPacket) {
        self.queue.push_back(packet);
        if self.current.is_none() {
            self.load();
        }
    }

    /// The beat to drive this cycle (`tvalid` low when `None`).
    #[inline]
    pub fn offer(&self) -> Option<AxisBeat> {
        self.current
    }

    /// Call once per clock edge with whether the beat was taken
    /// (`tvalid && tready` at that edge).
    #[inline]
    pub fn clock(&mut self, taken: bool) {
        if taken {
            self.beat += 1;
            if self.beat == self.queue.front().map_or(0, TxPacket::beats) {
                self.queue.pop_front();
                self.beat = 0;
                self.stall = None;
            }
            self.load();
        } else if self.stall == Some(true) {
            self.stall = Some(false);
            self.load();
        }
    }

    fn load(&mut self) {
        self.current = match self.queue.front() {
            Some(p) if p.stall_before_beat == Some(self.beat) && self.beat > 0 && self.stall.is_none() => {
                self.stall = Some(true);
                None
            }
            Some(p) => Some(p.beat(self.beat)),
            None => None,
        };
    }

    /// Packets not yet fully sent (the one in progress included).
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// Nothing left to send.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}

/// A packet that came out of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RxPacket {
    /// The bytes whose `tkeep` bits were set.
    pub data: Bytes,
    /// `tuser` on the last beat: the producer flagged the packet bad.
    pub bad: bool,
    /// Cycle on which the last beat was sampled.
    pub cycle: u64,
}

/// Reassembles packets from beats.
#[derive(Debug, Default)]
pub struct AxisSink {
    partial: BytesMut,
    done: Vec<RxPacket>,
}

impl AxisSink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one beat sampled on `cycle`.
    #[inline]
    pub fn push(&mut self, beat: AxisBeat, cycle: u64) {
        let bytes = beat.data.to_le_bytes();
        if beat.keep == 0xFF {
            self.partial.extend_from_slice(&bytes);
        } else {
            for (lane, byte) in bytes.iter().enumerate() {
                if beat.keep & (1 << lane) != 0 {
                    self.partial.extend_from_slice(&[*byte]);
                }
            }
        }
        if beat.last {
            // packets share the sink's buffer; it allocates a new chunk only
            // when the old one is used up
            if self.partial.capacity() < 2 * 1024 {
                self.partial.reserve(64 * 1024);
            }
            self.done.push(RxPacket { data: self.partial.split().freeze(), bad: beat.user, cycle });
        }
    }

    /// Packets completed so far, oldest first; the sink forgets them.
    pub fn take(&mut self) -> Vec<RxPacket> {
        std::mem::take(&mut self.done)
    }

    /// Hands each completed packet to `f`, oldest first, keeping the sink's
    /// buffer (no allocation per call, unlike [`AxisSink::take`]).
    pub fn drain_into(&mut self, mut f: impl FnMut(RxPacket)) {
        for p in self.done.drain(..) {
            f(p);
        }
    }

    /// Number of completed packets not yet taken.
    pub fn completed(&self) -> usize {
        self.done.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beats_round_trip_every_length() {
        for len in 0..40usize {
            let data: Vec<u8> = (0..len as u8).collect();
            let mut src = AxisSource::new();
            let mut sink = AxisSink::new();
            src.push(TxPacket::new(data.clone()));
            let mut cycle = 0;
            while let Some(beat) = src.offer() {
                sink.push(beat, cycle);
                src.clock(true);
                cycle += 1;
            }
            let got = sink.take();
            assert_eq!(got.len(), 1);
            assert_eq!(got[0].data, data);
            assert_eq!(cycle as usize, len.div_ceil(8).max(1));
        }
    }

    #[test]
    fn stall_drops_valid_for_one_cycle() {
        let mut src = AxisSource::new();
        src.push(TxPacket { data: vec![0; 24].into(), stall_before_beat: Some(1), ..Default::default() });
        assert!(src.offer().is_some());
        src.clock(true);
        assert!(src.offer().is_none(), "stall before beat 1");
        src.clock(false);
        assert!(src.offer().is_some());
    }

    #[test]
    fn stall_happens_once() {
        let mut src = AxisSource::new();
        src.push(TxPacket { data: vec![0; 24].into(), stall_before_beat: Some(1), ..Default::default() });
        let mut cycles = 0;
        while !src.is_empty() {
            let taken = src.offer().is_some();
            src.clock(taken);
            cycles += 1;
            assert!(cycles < 10);
        }
        assert_eq!(cycles, 4, "three beats and one stall");
    }

    #[test]
    fn not_taken_holds_the_beat() {
        let mut src = AxisSource::new();
        src.push(TxPacket::new(vec![1; 16]));
        let first = src.offer();
        src.clock(false);
        assert_eq!(src.offer(), first);
    }
}
