//! The NIC's side of a timeline ([`super::timeline`]), from its event
//! trace: DMA transactions by kind as slices, and counters.
//!
//! - DMA, one track per kind (by the AXI ID that moved the data, see
//!   [`super::view`]): `desc fetch` (RX and TX descriptor reads), `packet
//!   read` (TX data), `packet write` (RX data), `desc write-back` (RX and TX).
//!   Transactions of a kind overlap (reads are pipelined), so each kind has
//!   lanes, `packet read 0`, `packet read 1`..., and a transaction takes the
//!   first lane free at its start: slices on one track never overlap. A read
//!   lasts from its acceptance by host memory to its last data beat as the
//!   memory model schedules it (the fixed read latency, in order behind the
//!   reads before it, one 16-byte beat per cycle; a master that stalls the R
//!   channel would make it later than drawn). A write lasts from its data
//!   reaching memory to its response (the fixed write latency).
//! - Counters: `rx ring free` (receive descriptors the NIC holds for
//!   incoming frames: the tail the driver wrote in RDT less the descriptors
//!   written back since, modulo the ring), and `irqs per ms` (interrupt line
//!   rises in each 100 us of device time, times 10).

use verinic_driver::regs;
use verinic_sim::bus::MemoryConfig;
use verinic_sim::trace::{Event, Record};

use super::view::{Decoder, Ring};
use crate::cosim::cycle_ns;

/// Process id of every track.
pub const PID: u32 = 1;
/// First thread id of the DMA lanes: kind `k`, lane `l` is `DMA_TID + 64 * k + l`.
const DMA_TID: u32 = 100;
/// Lanes per kind (more than the reads the memory model keeps in flight).
const LANES: usize = 64;
/// Bytes per data beat of the NIC's AXI4 master.
const BEAT_BYTES: u64 = 16;
/// Device time per interrupt-rate bucket, ns.
pub const IRQ_BUCKET_NS: u64 = 100_000;

/// A DMA transaction's kind (a track of the timeline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DmaKind {
    /// Descriptor reads (RX and TX rings).
    DescFetch,
    /// Descriptor write-backs (RX and TX rings).
    DescWriteBack,
    /// Packet data read from host memory (TX).
    PacketRead,
    /// Packet data written to host memory (RX).
    PacketWrite,
}

impl DmaKind {
    /// Every kind, in track order.
    pub const ALL: [DmaKind; 4] =
        [DmaKind::DescFetch, DmaKind::DescWriteBack, DmaKind::PacketRead, DmaKind::PacketWrite];

    /// The track's name.
    pub fn name(self) -> &'static str {
        match self {
            DmaKind::DescFetch => "desc fetch",
            DmaKind::DescWriteBack => "desc write-back",
            DmaKind::PacketRead => "packet read",
            DmaKind::PacketWrite => "packet write",
        }
    }

    fn index(self) -> usize {
        DmaKind::ALL.iter().position(|&k| k == self).unwrap()
    }

    /// The kind and ring of a DMA event (by its AXI ID), if it is one.
    fn of(e: &Event) -> Option<(DmaKind, Ring, u64)> {
        match *e {
            Event::DmaRead { id: 0, len, .. } => Some((DmaKind::DescFetch, Ring::Rx, len)),
            Event::DmaRead { id: 1, len, .. } => Some((DmaKind::DescFetch, Ring::Tx, len)),
            Event::DmaRead { id: 2, len, .. } => Some((DmaKind::PacketRead, Ring::Tx, len)),
            Event::DmaWrite { id: 0, len, .. } => Some((DmaKind::PacketWrite, Ring::Rx, len)),
            Event::DmaWrite { id: 1, len, .. } => Some((DmaKind::DescWriteBack, Ring::Rx, len)),
            Event::DmaWrite { id: 2, len, .. } => Some((DmaKind::DescWriteBack, Ring::Tx, len)),
            _ => None,
        }
    }
}

/// DMA slices and counter samples, as Chrome trace events (JSON objects).
#[derive(Debug, Clone)]
pub struct NicTracks {
    read_latency: u64,
    write_latency: u64,
    /// When the last read's data ends (cycle): reads complete in order.
    reads_end: u64,
    /// Per kind, per lane: the cycle the lane is free again (`None`: never used).
    lanes: [Vec<Option<u64>>; 4],
    /// Transactions seen, per kind.
    pub transactions: [u64; 4],
    decoder: Decoder,
    ring_len: u64,
    rdt: u64,
    written_back: u64,
    last_free: Option<u64>,
    bucket: u64,
    bucket_irqs: u64,
    /// Interrupt line rises counted into buckets so far.
    pub irqs_counted: u64,
}

fn us(ns: u64) -> String {
    format!("{}.{:03}", ns / 1000, ns % 1000)
}

impl NicTracks {
    /// Tracks for a NIC whose host memory is `memory`.
    pub fn new(memory: &MemoryConfig) -> Self {
        NicTracks {
            read_latency: memory.read_latency_cycles(),
            write_latency: memory.write_latency_cycles(),
            reads_end: 0,
            lanes: Default::default(),
            transactions: [0; 4],
            decoder: Decoder::default(),
            ring_len: 0,
            rdt: 0,
            written_back: 0,
            last_free: None,
            bucket: 0,
            bucket_irqs: 0,
            irqs_counted: 0,
        }
    }

    /// The events `r` adds to the timeline, handed to `emit` one JSON object
    /// at a time.
    pub fn record(&mut self, r: &Record, emit: &mut dyn FnMut(String)) {
        self.irq_buckets_until(cycle_ns(r.cycle), emit);
        if let Event::Irq { level: true } = r.event {
            self.bucket_irqs += 1;
        }
        if let Some((kind, ring, len)) = DmaKind::of(&r.event) {
            self.dma(kind, ring, len, r.cycle, emit);
        }
        self.ring_counter(r, emit);
    }

    fn dma(&mut self, kind: DmaKind, ring: Ring, len: u64, cycle: u64, emit: &mut dyn FnMut(String)) {
        let beats = len.div_ceil(BEAT_BYTES).max(1);
        let (start, end) = if matches!(kind, DmaKind::DescFetch | DmaKind::PacketRead) {
            let end = (cycle + self.read_latency).max(self.reads_end) + beats;
            self.reads_end = end;
            (cycle, end)
        } else {
            (cycle, cycle + self.write_latency)
        };
        let k = kind.index();
        self.transactions[k] += 1;
        let lanes = &mut self.lanes[k];
        let lane = match lanes.iter().position(|l| l.is_some_and(|free| free <= start)) {
            Some(l) => l,
            None if lanes.len() < LANES => {
                lanes.push(None);
                lanes.len() - 1
            }
            // more overlapping transactions than lanes (the memory model
            // allows up to 256 reads in flight): the last lane takes the rest
            None => LANES - 1,
        };
        let tid = DMA_TID + (64 * k + lane) as u32;
        if lanes[lane].is_none() {
            emit(format!(
                "{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":{PID},\"tid\":{tid},\"args\":{{\"name\":\"{} {lane}\"}}}}",
                kind.name()
            ));
        }
        lanes[lane] = Some(end);
        let ring = match ring {
            Ring::Rx => "rx",
            Ring::Tx => "tx",
        };
        let (s, e) = (cycle_ns(start), cycle_ns(end));
        emit(format!(
            "{{\"name\":\"{}\",\"cat\":\"dma\",\"ph\":\"X\",\"pid\":{PID},\"tid\":{tid},\"ts\":{},\"dur\":{},\"args\":{{\"ring\":\"{ring}\",\"bytes\":{len}}}}}",
            kind.name(),
            us(s),
            us(e - s)
        ));
    }

    fn ring_counter(&mut self, r: &Record, emit: &mut dyn FnMut(String)) {
        let mut changed = false;
        if let Event::RegWrite { addr, value, .. } = r.event {
            match addr {
                regs::RDLEN => {
                    self.ring_len = u64::from(value) / 16;
                    changed = true;
                }
                regs::RDH => {
                    self.written_back = u64::from(value);
                    changed = true;
                }
                regs::RDT => {
                    self.rdt = u64::from(value);
                    changed = true;
                }
                _ => {}
            }
        }
        let (ring_len, mut written) = (self.ring_len, self.written_back);
        self.decoder.decode(r, |e| {
            if e.kind == "rx-wb" {
                if let Some(i) = e.fields.get("index").and_then(|v| v.as_u64()) {
                    written = (i + 1) % ring_len.max(1);
                    changed = true;
                }
            }
        });
        self.written_back = written;
        if changed && self.ring_len > 0 {
            let free = (self.rdt + self.ring_len - self.written_back) % self.ring_len;
            if self.last_free != Some(free) {
                self.last_free = Some(free);
                emit(counter("rx ring free", "descriptors", cycle_ns(r.cycle), free as f64));
            }
        }
    }

    fn irq_buckets_until(&mut self, t_ns: u64, emit: &mut dyn FnMut(String)) {
        while t_ns >= (self.bucket + 1) * IRQ_BUCKET_NS {
            self.close_bucket(emit);
        }
    }

    fn close_bucket(&mut self, emit: &mut dyn FnMut(String)) {
        let per_ms = self.bucket_irqs as f64 * (1_000_000 / IRQ_BUCKET_NS) as f64;
        emit(counter("irqs per ms", "irqs", self.bucket * IRQ_BUCKET_NS, per_ms));
        self.irqs_counted += self.bucket_irqs;
        self.bucket_irqs = 0;
        self.bucket += 1;
    }

    /// Closes the interrupt-rate bucket in progress (at the end of a run; a
    /// partial bucket's rate is still per 100 us, times 10).
    pub fn finish(&mut self, emit: &mut dyn FnMut(String)) {
        self.close_bucket(emit);
    }
}

/// A counter sample ("C" event) of track `name` with one series.
pub fn counter(name: &str, series: &str, t_ns: u64, value: f64) -> String {
    format!("{{\"name\":\"{name}\",\"ph\":\"C\",\"pid\":{PID},\"ts\":{},\"args\":{{\"{series}\":{value}}}}}", us(t_ns))
}
