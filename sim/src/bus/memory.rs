//! Host memory as the AXI4 slave behind the NIC's DMA master.
//!
//! [`AxiMemory`] stands for the whole path from the NIC's DMA port to DRAM:
//! PCIe, root complex and memory controller. What the NIC can observe of that
//! path is latency, bandwidth and how many requests it may keep outstanding,
//! so that is what it models:
//!
//! - a read's first beat comes a fixed latency after its AR handshake, then
//!   one beat per cycle, slowed by a byte-per-cycle bandwidth cap;
//! - reads complete in the order they were accepted, whatever their IDs.
//!   AXI allows a slave to reorder across IDs, and PCIe completions can come
//!   back out of order; keeping them in order keeps runs easy to follow, at
//!   the price of never exercising a DUT's reordering logic;
//! - a write's data goes to memory when its last W beat is in (and its AW,
//!   whichever comes later), in AW order; its B follows a fixed latency later;
//! - at most so many reads and writes in flight: past that AR / AW wait.
//!
//! Bad requests never panic. A burst touching unmapped memory gets DECERR
//! (read data zero, write data dropped). A burst the model does not serve
//! gets SLVERR; if it also breaks the AXI rules (crossing 4 KiB, beats wider
//! than the bus, a W burst whose beat count disagrees with its AW, strobes
//! outside a beat's lanes, a valid dropped or changed before its ready) that
//! is counted in [`MemoryStats::protocol_errors`] as well.
//!
//! Errors can also be injected ([`ErrorRule`], [`MemoryConfig::error_rate_ppm`]):
//! a burst chosen by address range, direction and AXI ID, or at a seeded
//! rate, is answered SLVERR or DECERR as if the path had failed (read data
//! zero, write data dropped), so a DUT's handling of bus errors can be
//! tested. Injected errors are counted in [`MemoryStats::injected`] as well
//! as in `slverr` / `decerr`.
//!
//! A read beat's data is taken from memory at the edge before the beat is
//! first offered, and held until taken: the host may write memory at any
//! time between clocks, and a beat on the bus must not change.

use std::collections::VecDeque;

use crate::bus::axi::{lane_mask, resp, AxiMasterOut, AxiSlaveOut, Burst, Handshakes, DATA_BYTES};
use crate::bus::sparse::SparseMemory;
use crate::bus::{ns_to_cycles, BusConfigError};
use crate::rng::Rng;
use crate::trace::{DataHead, Event, Trace};

/// Timing and capacity of host memory as the NIC sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryConfig {
    /// From AR handshake to first R beat. Default 500 ns: the order of the
    /// median latency of small DMA reads that Neugebauer et al. measured on
    /// current servers ("Understanding PCIe performance for end host
    /// networking", SIGCOMM 2018, doi:10.1145/3230543.3230560).
    pub read_latency_ns: u64,
    /// From the last W beat (or the AW, if later) to B. Default 100 ns: a
    /// posted write is acknowledged by the PCIe core, not by DRAM.
    pub write_latency_ns: u64,
    /// Reads accepted but not fully returned, at most; AR waits beyond. Default 32.
    pub max_reads_in_flight: usize,
    /// Writes accepted but not yet answered with B, at most; AW waits beyond. Default 32.
    pub max_writes_in_flight: usize,
    /// Read data bandwidth cap. 16 (the default) is the full 128-bit bus;
    /// less leaves gaps between R beats (4 gives one beat every 4 cycles).
    pub bytes_per_cycle: u32,
    /// Clock period the latencies are converted with. Default 6400 (156.25 MHz).
    pub clock_period_ps: u64,
    /// W beats buffered ahead of their AW or of being applied. At least 256
    /// (one longest burst), so a burst can always complete. Default 512.
    pub write_buffer_beats: usize,
    /// Injected errors: bursts answered with an error response, per million
    /// bursts of the kinds [`MemoryConfig::error_read_ids`] and
    /// [`MemoryConfig::error_write_ids`] select. Default 0 (none).
    pub error_rate_ppm: u32,
    /// AXI read IDs (bit n = ARID n, IDs 0..7) the error rate applies to. Default all.
    pub error_read_ids: u8,
    /// AXI write IDs (bit n = AWID n) the error rate applies to. Default all.
    pub error_write_ids: u8,
    /// Response of the rate's injected errors: [`resp::SLVERR`] or [`resp::DECERR`]. Default SLVERR.
    pub error_resp: u8,
    /// Seed of the rate's draws. Default 1.
    pub error_seed: u64,
}

/// An injected error: bursts overlapping `[start, end)` in the selected
/// direction and IDs get `resp` instead of OKAY, `hits` times (then the rule
/// is spent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorRule {
    /// First byte of the range.
    pub start: u64,
    /// One past its last byte.
    pub end: u64,
    /// Reads are hit.
    pub reads: bool,
    /// Writes are hit.
    pub writes: bool,
    /// IDs hit (bit n = ID n); `0xFF` all.
    pub ids: u8,
    /// [`resp::SLVERR`] or [`resp::DECERR`].
    pub resp: u8,
    /// Bursts still to hit; `u64::MAX` for ever.
    pub hits: u64,
}

impl ErrorRule {
    /// Whether a burst `id` at `[addr, addr + len)` in direction `write` is hit.
    fn matches(&self, write: bool, id: u8, addr: u64, len: u64) -> bool {
        self.hits > 0
            && if write { self.writes } else { self.reads }
            && (id >= 8 || self.ids & (1 << id) != 0)
            && addr < self.end
            && addr.saturating_add(len) > self.start
    }
}

impl Default for MemoryConfig {
    fn default() -> Self {
        MemoryConfig {
            read_latency_ns: 500,
            write_latency_ns: 100,
            max_reads_in_flight: 32,
            max_writes_in_flight: 32,
            bytes_per_cycle: DATA_BYTES as u32,
            clock_period_ps: 6400,
            write_buffer_beats: 512,
            error_rate_ppm: 0,
            error_read_ids: 0xFF,
            error_write_ids: 0xFF,
            error_resp: resp::SLVERR,
            error_seed: 1,
        }
    }
}

impl MemoryConfig {
    /// Read latency in whole cycles (rounded up, at least 1).
    pub fn read_latency_cycles(&self) -> u64 {
        ns_to_cycles(self.read_latency_ns, self.clock_period_ps)
    }

    /// Write latency in whole cycles (rounded up, at least 1).
    pub fn write_latency_cycles(&self) -> u64 {
        ns_to_cycles(self.write_latency_ns, self.clock_period_ps)
    }

    /// Whether this configuration can work.
    pub fn validate(&self) -> Result<(), BusConfigError> {
        let fail = |field, expected| Err(BusConfigError { field, expected });
        if self.max_reads_in_flight == 0 {
            return fail("max_reads_in_flight", "at least 1");
        }
        if self.max_writes_in_flight == 0 {
            return fail("max_writes_in_flight", "at least 1");
        }
        if self.bytes_per_cycle == 0 {
            return fail("bytes_per_cycle", "at least 1");
        }
        if self.clock_period_ps == 0 {
            return fail("clock_period_ps", "at least 1");
        }
        if self.write_buffer_beats < 256 {
            return fail("write_buffer_beats", "at least 256 (one longest burst)");
        }
        if self.error_rate_ppm > 1_000_000 {
            return fail("error_rate_ppm", "at most 1,000,000 (every burst)");
        }
        if self.error_resp != resp::SLVERR && self.error_resp != resp::DECERR {
            return fail("error_resp", "SLVERR (2) or DECERR (3)");
        }
        Ok(())
    }
}

/// What host memory has served so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemoryStats {
    /// Read bursts accepted.
    pub reads: u64,
    /// R beats delivered (error beats included).
    pub read_beats: u64,
    /// Bytes delivered by OKAY read beats (active lanes only).
    pub read_bytes: u64,
    /// Write bursts completed (applied or refused).
    pub writes: u64,
    /// Bytes written to memory (set strobes within the beats' lanes).
    pub write_bytes: u64,
    /// Bursts answered DECERR (unmapped memory).
    pub decerr: u64,
    /// Bursts answered SLVERR (unsupported or malformed).
    pub slverr: u64,
    /// AXI rule violations by the master (see the module docs).
    pub protocol_errors: u64,
    /// Bursts answered with an injected error (also in `slverr` / `decerr`).
    pub injected: u64,
    /// Most reads in flight at once.
    pub max_reads_in_flight: usize,
    /// Most writes in flight at once.
    pub max_writes_in_flight: usize,
}

#[derive(Debug, Clone, Copy)]
struct ReadJob {
    id: u8,
    burst: Burst,
    resp: u8,
    /// Beats already taken.
    sent: u32,
    /// First cycle its first beat may be offered.
    ready_at: u64,
}

#[derive(Debug, Clone, Copy)]
struct WriteAddr {
    id: u8,
    burst: Burst,
}

#[derive(Debug, Clone, Copy)]
struct WriteBeat {
    data: u128,
    strb: u16,
    /// Ends a burst: `w_last`, or the 256th beat without it.
    last: bool,
}

#[derive(Debug, Clone, Copy)]
struct WriteResp {
    id: u8,
    resp: u8,
    ready_at: u64,
}

/// Remembers a payload offered but not taken, which must be offered again
/// unchanged (AXI: once valid, hold until ready).
#[derive(Debug, Clone, Copy)]
struct Held<T>(Option<T>);

impl<T: Copy + PartialEq> Held<T> {
    /// Whether this edge broke the hold rule; then remembers this edge's offer.
    fn broken(&mut self, valid: bool, ready: bool, payload: T) -> bool {
        let broken = self.0.is_some_and(|held| !valid || held != payload);
        self.0 = (valid && !ready).then_some(payload);
        broken
    }
}

/// Host memory behind an AXI4 slave port. See the module docs.
#[derive(Debug)]
pub struct AxiMemory {
    config: MemoryConfig,
    read_latency: u64,
    write_latency: u64,
    mem: SparseMemory,
    reads: VecDeque<ReadJob>,
    write_addrs: VecDeque<WriteAddr>,
    write_beats: VecDeque<WriteBeat>,
    /// Bursts in `write_beats` that are complete.
    write_bursts: usize,
    /// Beats of the incomplete burst at the back of `write_beats`.
    open_beats: u32,
    write_resps: VecDeque<WriteResp>,
    /// Read bandwidth credit in bytes, at most one full beat.
    credit: u32,
    held_ar: Held<(u8, Burst)>,
    held_aw: Held<(u8, Burst)>,
    held_w: Held<(u128, u16, bool)>,
    /// This cycle's outputs, computed at the last edge.
    out: AxiSlaveOut,
    cycle: u64,
    stats: MemoryStats,
    /// Injected-error rules in force.
    rules: Vec<ErrorRule>,
    /// The error rate's draws.
    error_rng: Rng,
}

impl AxiMemory {
    /// Empty host memory (allocating from [`crate::bus::sparse::DEFAULT_ALLOC_BASE`]).
    pub fn new(config: MemoryConfig) -> Result<Self, BusConfigError> {
        Self::with_memory(config, SparseMemory::default())
    }

    /// Host memory serving `mem`.
    pub fn with_memory(config: MemoryConfig, mem: SparseMemory) -> Result<Self, BusConfigError> {
        config.validate()?;
        let mut m = AxiMemory {
            read_latency: config.read_latency_cycles(),
            write_latency: config.write_latency_cycles(),
            mem,
            // queues never outgrow these, so clocking does not allocate
            reads: VecDeque::with_capacity(config.max_reads_in_flight),
            write_addrs: VecDeque::with_capacity(config.max_writes_in_flight),
            write_beats: VecDeque::with_capacity(config.write_buffer_beats),
            write_bursts: 0,
            open_beats: 0,
            write_resps: VecDeque::with_capacity(config.max_writes_in_flight),
            credit: DATA_BYTES as u32,
            held_ar: Held(None),
            held_aw: Held(None),
            held_w: Held(None),
            out: AxiSlaveOut::default(),
            cycle: 0,
            stats: MemoryStats::default(),
            rules: Vec::new(),
            error_rng: Rng::new(config.error_seed),
            config,
        };
        m.stage(false);
        Ok(m)
    }

    /// The memory, for the host CPU model to read (coherent and instant).
    pub fn mem(&self) -> &SparseMemory {
        &self.mem
    }

    /// The memory, for the host CPU model to write or map (coherent and instant).
    pub fn mem_mut(&mut self) -> &mut SparseMemory {
        &mut self.mem
    }

    /// The configuration in force.
    pub fn config(&self) -> &MemoryConfig {
        &self.config
    }

    /// Adds an injected-error rule (see [`ErrorRule`]); it applies to bursts
    /// accepted from the next edge on.
    pub fn add_error_rule(&mut self, rule: ErrorRule) {
        self.rules.push(rule);
    }

    /// Removes every injected-error rule (the rate stays).
    pub fn clear_error_rules(&mut self) {
        self.rules.clear();
    }

    /// Sets the injected error rate (per million bursts) at run time.
    pub fn set_error_rate_ppm(&mut self, ppm: u32) {
        self.config.error_rate_ppm = ppm.min(1_000_000);
    }

    /// Statistics so far.
    pub fn stats(&self) -> &MemoryStats {
        &self.stats
    }

    /// Edges clocked so far: the number of the cycle now being driven.
    pub fn cycle(&self) -> u64 {
        self.cycle
    }

    /// Reads accepted and not yet fully returned.
    pub fn reads_in_flight(&self) -> usize {
        self.reads.len()
    }

    /// Writes accepted (AW) and not yet answered (B).
    pub fn writes_in_flight(&self) -> usize {
        self.write_addrs.len() + self.write_resps.len()
    }

    /// No transaction in progress and no W data waiting.
    pub fn idle(&self) -> bool {
        self.reads.is_empty() && self.writes_in_flight() == 0 && self.write_beats.is_empty()
    }

    /// What the slave drives this cycle (state only).
    #[inline]
    pub fn outputs(&self) -> AxiSlaveOut {
        self.out
    }

    /// Advances one edge, given what the master drove before it. Accepted
    /// reads and applied writes go to `trace`, stamped with this edge's cycle.
    pub fn clock(&mut self, m: &AxiMasterOut, trace: &mut Trace) {
        let own = self.out;
        let hs = Handshakes::between(m, &own);
        let edge = self.cycle;

        let violations = u64::from(self.held_ar.broken(m.ar_valid, own.ar_ready, (m.ar_id, Burst::from_ar(m))))
            + u64::from(self.held_aw.broken(m.aw_valid, own.aw_ready, (m.aw_id, Burst::from_aw(m))))
            + u64::from(self.held_w.broken(m.w_valid, own.w_ready, (m.w_data, m.w_strb, m.w_last)));
        self.stats.protocol_errors += violations;

        if hs.r {
            self.read_beat_taken();
        }
        if hs.b {
            self.write_resps.pop_front();
        }
        if hs.ar {
            self.accept_read(m, edge, trace);
        }
        if hs.aw {
            self.write_addrs.push_back(WriteAddr { id: m.aw_id, burst: Burst::from_aw(m) });
            self.stats.max_writes_in_flight = self.stats.max_writes_in_flight.max(self.writes_in_flight());
        }
        if hs.w {
            self.accept_write_beat(m);
        }
        self.apply_writes(edge, trace);

        self.credit = self.credit.saturating_add(self.config.bytes_per_cycle).min(DATA_BYTES as u32);
        self.cycle += 1;
        self.stage(own.r_valid && !hs.r);
    }

    fn read_beat_taken(&mut self) {
        let Some(job) = self.reads.front_mut() else { return };
        let lanes = job.burst.lanes(job.sent);
        self.credit = self.credit.saturating_sub(lanes.count_ones());
        self.stats.read_beats += 1;
        if job.resp == resp::OKAY {
            self.stats.read_bytes += u64::from(lanes.count_ones());
        }
        job.sent += 1;
        if job.sent == job.burst.beats() {
            self.reads.pop_front();
        }
    }

    /// OKAY, SLVERR (counting AXI violations) or DECERR for a burst.
    fn classify(&mut self, burst: &Burst) -> u8 {
        match burst.check() {
            Err(e) => {
                if e.is_protocol_violation() {
                    self.stats.protocol_errors += 1;
                }
                resp::SLVERR
            }
            Ok(()) if self.mem.is_mapped(burst.addr, burst.bytes()) => resp::OKAY,
            Ok(()) => resp::DECERR,
        }
    }

    fn count_resp(&mut self, code: u8) {
        match code {
            resp::SLVERR => self.stats.slverr += 1,
            resp::DECERR => self.stats.decerr += 1,
            _ => {}
        }
    }

    /// An injected error for an OKAY burst, if a rule or the rate hits it.
    fn inject(&mut self, write: bool, id: u8, burst: &Burst, code: u8) -> u8 {
        if code != resp::OKAY {
            return code;
        }
        let len = burst.bytes();
        let mut injected = None;
        if let Some(rule) = self.rules.iter_mut().find(|r| r.matches(write, id, burst.addr, len)) {
            rule.hits = rule.hits.saturating_sub(u64::from(rule.hits != u64::MAX));
            injected = Some(rule.resp);
        } else if self.config.error_rate_ppm > 0 {
            let ids = if write { self.config.error_write_ids } else { self.config.error_read_ids };
            if id < 8 && ids & (1 << id) != 0 && self.error_rng.below(1_000_000) < u64::from(self.config.error_rate_ppm)
            {
                injected = Some(self.config.error_resp);
            }
        }
        match injected {
            Some(r) => {
                self.stats.injected += 1;
                r
            }
            None => code,
        }
    }

    fn accept_read(&mut self, m: &AxiMasterOut, edge: u64, trace: &mut Trace) {
        let burst = Burst::from_ar(m);
        let code = self.classify(&burst);
        let code = self.inject(false, m.ar_id, &burst, code);
        self.count_resp(code);
        self.stats.reads += 1;
        self.reads.push_back(ReadJob { id: m.ar_id, burst, resp: code, sent: 0, ready_at: edge + self.read_latency });
        self.stats.max_reads_in_flight = self.stats.max_reads_in_flight.max(self.reads.len());
        if trace.is_enabled() {
            let len = burst.bytes();
            let head = if code == resp::OKAY {
                let mut buf = [0u8; DataHead::MAX];
                let n = (len as usize).min(buf.len());
                self.mem.peek(burst.addr, &mut buf[..n]);
                DataHead::new(&buf[..n])
            } else {
                DataHead::default()
            };
            trace.push(edge, Event::DmaRead { id: m.ar_id, addr: burst.addr, len, resp: code, head });
        }
    }

    fn accept_write_beat(&mut self, m: &AxiMasterOut) {
        self.open_beats += 1;
        // a burst cannot be longer than 256 beats: end a runaway one there
        let last = m.w_last || self.open_beats == 256;
        if !m.w_last && last {
            self.stats.protocol_errors += 1;
        }
        self.write_beats.push_back(WriteBeat { data: m.w_data, strb: m.w_strb, last });
        if last {
            self.write_bursts += 1;
            self.open_beats = 0;
        }
    }

    /// Applies every burst that has both its AW and all its W beats.
    fn apply_writes(&mut self, edge: u64, trace: &mut Trace) {
        while self.write_bursts > 0 {
            let Some(aw) = self.write_addrs.pop_front() else { break };
            self.write_bursts -= 1;
            let beats = self.write_beats.iter().position(|b| b.last).map_or(self.write_beats.len(), |i| i + 1);
            let mut code = self.classify(&aw.burst);
            if beats as u64 != u64::from(aw.burst.beats()) {
                self.stats.protocol_errors += 1;
                code = resp::SLVERR;
            }
            let code = self.inject(true, aw.id, &aw.burst, code);
            let mut written = 0u64;
            let mut stray_strobes = false;
            for n in 0..beats as u32 {
                let Some(beat) = self.write_beats.pop_front() else { break };
                if code != resp::OKAY {
                    continue;
                }
                let lanes = aw.burst.lanes(n);
                stray_strobes |= beat.strb & !lanes != 0;
                let strb = beat.strb & lanes;
                // the burst's range was checked mapped, and `lanes` stay inside it
                let container = aw.burst.beat_addr(n) & !(DATA_BYTES as u64 - 1);
                self.mem.poke(container, &beat.data.to_le_bytes(), Some(&strb.to_le_bytes()));
                written += u64::from(strb.count_ones());
            }
            if stray_strobes {
                self.stats.protocol_errors += 1;
            }
            self.count_resp(code);
            self.stats.writes += 1;
            self.stats.write_bytes += written;
            self.write_resps.push_back(WriteResp { id: aw.id, resp: code, ready_at: edge + self.write_latency });
            if trace.is_enabled() {
                let len = aw.burst.bytes();
                let head = if code == resp::OKAY {
                    let mut buf = [0u8; DataHead::MAX];
                    let n = (len as usize).min(buf.len());
                    self.mem.peek(aw.burst.addr, &mut buf[..n]);
                    DataHead::new(&buf[..n])
                } else {
                    DataHead::default()
                };
                trace.push(edge, Event::DmaWrite { id: aw.id, addr: aw.burst.addr, len, resp: code, head });
            }
        }
    }

    /// Computes the outputs for the cycle now starting. `hold_r`: the R beat
    /// offered last cycle was not taken and must stay exactly as it was.
    fn stage(&mut self, hold_r: bool) {
        let mut out = AxiSlaveOut {
            ar_ready: self.reads.len() < self.config.max_reads_in_flight,
            aw_ready: self.writes_in_flight() < self.config.max_writes_in_flight,
            w_ready: self.write_beats.len() < self.config.write_buffer_beats,
            ..AxiSlaveOut::default()
        };
        if hold_r {
            out.r_valid = true;
            out.r_id = self.out.r_id;
            out.r_data = self.out.r_data;
            out.r_resp = self.out.r_resp;
            out.r_last = self.out.r_last;
        } else if let Some(job) = self.reads.front() {
            let lanes = job.burst.lanes(job.sent);
            if self.cycle >= job.ready_at && self.credit >= lanes.count_ones() {
                out.r_valid = true;
                out.r_id = job.id;
                out.r_resp = job.resp;
                out.r_last = job.sent + 1 == job.burst.beats();
                if job.resp == resp::OKAY {
                    let mut bytes = [0u8; DATA_BYTES];
                    self.mem.peek(job.burst.beat_addr(job.sent) & !(DATA_BYTES as u64 - 1), &mut bytes);
                    // lanes outside the beat read as zero, so a DUT using them shows up
                    out.r_data = u128::from_le_bytes(bytes) & lane_mask(lanes);
                }
            }
        }
        if let Some(b) = self.write_resps.front() {
            if self.cycle >= b.ready_at {
                out.b_valid = true;
                out.b_id = b.id;
                out.b_resp = b.resp;
            }
        }
        self.out = out;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::axi::burst;
    use crate::trace::{no_names, EventKind};
    use proptest::prelude::*;

    /// A scripted AXI4 master standing in for the DUT, clocked by the same contract.
    struct Master {
        cycle: u64,
        /// (not before cycle, id, burst)
        ars: VecDeque<(u64, u8, Burst)>,
        aws: VecDeque<(u64, u8, Burst)>,
        /// (not before cycle, data, strobes, last)
        ws: VecDeque<(u64, u128, u16, bool)>,
        r_ready: Box<dyn Fn(u64) -> bool>,
        b_ready: Box<dyn Fn(u64) -> bool>,
        ar_edges: Vec<(u64, u8)>,
        w_edges: Vec<u64>,
        beats: Vec<Beat>,
        bs: Vec<(u64, u8, u8)>,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct Beat {
        cycle: u64,
        id: u8,
        data: u128,
        resp: u8,
        last: bool,
    }

    impl Master {
        fn new() -> Self {
            Master {
                cycle: 0,
                ars: VecDeque::new(),
                aws: VecDeque::new(),
                ws: VecDeque::new(),
                r_ready: Box::new(|_| true),
                b_ready: Box::new(|_| true),
                ar_edges: Vec::new(),
                w_edges: Vec::new(),
                beats: Vec::new(),
                bs: Vec::new(),
            }
        }

        fn read(&mut self, id: u8, addr: u64, beats: u8) {
            self.ars.push_back((0, id, Burst { addr, len: beats - 1, size: 4, kind: burst::INCR }));
        }

        /// Full 16-byte beats from `data` (its length a multiple of 16).
        fn write(&mut self, id: u8, addr: u64, data: &[u8]) {
            let beats = data.len() / 16;
            self.aws.push_back((0, id, Burst { addr, len: (beats - 1) as u8, size: 4, kind: burst::INCR }));
            for (i, chunk) in data.chunks(16).enumerate() {
                let word = u128::from_le_bytes(chunk.try_into().unwrap());
                self.ws.push_back((0, word, 0xFFFF, i + 1 == beats));
            }
        }

        fn outputs(&self) -> AxiMasterOut {
            let mut o = AxiMasterOut {
                r_ready: (self.r_ready)(self.cycle),
                b_ready: (self.b_ready)(self.cycle),
                ..Default::default()
            };
            if let Some(&(t, id, b)) = self.ars.front() {
                if self.cycle >= t {
                    (o.ar_valid, o.ar_id, o.ar_addr, o.ar_len, o.ar_size, o.ar_burst) =
                        (true, id, b.addr, b.len, b.size, b.kind);
                }
            }
            if let Some(&(t, id, b)) = self.aws.front() {
                if self.cycle >= t {
                    (o.aw_valid, o.aw_id, o.aw_addr, o.aw_len, o.aw_size, o.aw_burst) =
                        (true, id, b.addr, b.len, b.size, b.kind);
                }
            }
            if let Some(&(t, data, strb, last)) = self.ws.front() {
                if self.cycle >= t {
                    (o.w_valid, o.w_data, o.w_strb, o.w_last) = (true, data, strb, last);
                }
            }
            o
        }

        fn clock(&mut self, s: &AxiSlaveOut) {
            let own = self.outputs();
            let hs = Handshakes::between(&own, s);
            if hs.ar {
                self.ar_edges.push((self.cycle, own.ar_id));
                self.ars.pop_front();
            }
            if hs.aw {
                self.aws.pop_front();
            }
            if hs.w {
                self.w_edges.push(self.cycle);
                self.ws.pop_front();
            }
            if hs.r {
                self.beats.push(Beat { cycle: self.cycle, id: s.r_id, data: s.r_data, resp: s.r_resp, last: s.r_last });
            }
            if hs.b {
                self.bs.push((self.cycle, s.b_id, s.b_resp));
            }
            self.cycle += 1;
        }

        fn done(&self) -> bool {
            self.ars.is_empty() && self.aws.is_empty() && self.ws.is_empty()
        }
    }

    /// One cycle of the co-simulation contract: both sides see each other's
    /// outputs from before the edge.
    fn step(master: &mut Master, mem: &mut AxiMemory, trace: &mut Trace) {
        let m_out = master.outputs();
        let s_out = mem.outputs();
        master.clock(&s_out);
        mem.clock(&m_out, trace);
    }

    fn run_until_idle(master: &mut Master, mem: &mut AxiMemory, trace: &mut Trace) {
        for _ in 0..100_000 {
            if master.done() && mem.idle() {
                return;
            }
            step(master, mem, trace);
        }
        panic!("did not go idle");
    }

    fn memory(config: MemoryConfig) -> AxiMemory {
        let mut mem = AxiMemory::new(config).unwrap();
        mem.mem_mut().map(0x1_0000_0000, 0x4000).unwrap();
        let pattern: Vec<u8> = (0..0x4000u32).map(|i| (i * 7 + i / 256) as u8).collect();
        mem.mem_mut().write(0x1_0000_0000, &pattern).unwrap();
        mem
    }

    fn expect_word(mem: &AxiMemory, addr: u64) -> u128 {
        let mut b = [0u8; 16];
        mem.mem().read(addr, &mut b).unwrap();
        u128::from_le_bytes(b)
    }

    const BASE: u64 = 0x1_0000_0000;

    #[test]
    fn first_read_beat_comes_exactly_the_latency_after_ar() {
        for (ns, cycles) in [(500, 79), (64, 10), (0, 1)] {
            let mut mem = memory(MemoryConfig { read_latency_ns: ns, ..Default::default() });
            let mut m = Master::new();
            let mut t = Trace::disabled();
            m.read(5, BASE + 0x100, 4);
            run_until_idle(&mut m, &mut mem, &mut t);
            let (ar, id) = m.ar_edges[0];
            assert_eq!((ar, id), (0, 5));
            let cycles_seen: Vec<u64> = m.beats.iter().map(|b| b.cycle - ar).collect();
            assert_eq!(cycles_seen, [cycles, cycles + 1, cycles + 2, cycles + 3], "latency {ns} ns");
            for (i, b) in m.beats.iter().enumerate() {
                assert_eq!((b.id, b.resp, b.last), (5, resp::OKAY, i == 3));
                assert_eq!(b.data, expect_word(&mem, BASE + 0x100 + 16 * i as u64));
            }
            assert_eq!(mem.stats().read_bytes, 64);
            assert_eq!(mem.stats().read_beats, 4);
        }
    }

    #[test]
    fn reads_in_flight_are_capped() {
        let mut mem = memory(MemoryConfig::default());
        let mut m = Master::new();
        let mut t = Trace::disabled();
        m.r_ready = Box::new(|c| c >= 300);
        for i in 0..40 {
            m.read(i, BASE + 64 * u64::from(i), 4);
        }
        for _ in 0..200 {
            step(&mut m, &mut mem, &mut t);
        }
        assert_eq!(m.ar_edges.len(), 32);
        assert_eq!(mem.reads_in_flight(), 32);
        assert!(!mem.outputs().ar_ready);
        run_until_idle(&mut m, &mut mem, &mut t);
        assert_eq!(m.beats.len(), 160);
        assert_eq!(mem.stats().reads, 40);
        assert_eq!(mem.stats().max_reads_in_flight, 32);
        // the 33rd AR went in at the edge after the first read's last beat was taken
        let first_done = m.beats[3].cycle;
        assert_eq!(m.ar_edges[32].0, first_done + 1);
    }

    #[test]
    fn bandwidth_cap_spaces_read_beats() {
        for (bytes_per_cycle, gap) in [(16, 1), (8, 2), (5, 4), (4, 4), (1, 16), (100, 1)] {
            let mut mem = memory(MemoryConfig { bytes_per_cycle, ..Default::default() });
            let mut m = Master::new();
            let mut t = Trace::disabled();
            m.read(0, BASE, 8);
            m.read(1, BASE + 0x200, 2);
            run_until_idle(&mut m, &mut mem, &mut t);
            let gaps: Vec<u64> = m.beats.windows(2).map(|w| w[1].cycle - w[0].cycle).collect();
            assert!(gaps.iter().all(|&g| g == gap), "{bytes_per_cycle} B/cycle: gaps {gaps:?}");
            assert_eq!(m.beats[0].cycle - m.ar_edges[0].0, 79, "an idle link starts with full credit");
        }
    }

    #[test]
    fn burst_crossing_4k_gets_slverr_and_is_counted() {
        let mut mem = memory(MemoryConfig::default());
        let mut m = Master::new();
        let mut t = Trace::new();
        m.read(2, BASE + 0xFE0, 4); // 0xFE0..0x1020
        run_until_idle(&mut m, &mut mem, &mut t);
        assert_eq!(m.beats.len(), 4, "every beat is still returned");
        assert!(m.beats.iter().all(|b| b.resp == resp::SLVERR && b.data == 0 && b.id == 2));
        assert!(m.beats[3].last);
        let s = mem.stats();
        assert_eq!((s.slverr, s.protocol_errors, s.decerr, s.read_bytes), (1, 1, 0, 0));
        assert_eq!(t.render(&no_names), "      0 dma-rd id=2 0x100000fe0+64 SLVERR\n");
    }

    #[test]
    fn unmapped_read_gets_decerr_and_zero_data() {
        let mut mem = memory(MemoryConfig::default());
        let mut m = Master::new();
        let mut t = Trace::disabled();
        mem.mem_mut().unmap(BASE + 0x3010, 0x10).unwrap();
        m.read(0, BASE + 0x3000, 2); // first beat mapped, second not
        m.read(1, 0x40, 1);
        run_until_idle(&mut m, &mut mem, &mut t);
        assert_eq!(m.beats.len(), 3);
        assert!(m.beats.iter().all(|b| b.resp == resp::DECERR && b.data == 0));
        let s = mem.stats();
        assert_eq!((s.decerr, s.slverr, s.protocol_errors), (2, 0, 0));
    }

    #[test]
    fn unsupported_burst_type_gets_slverr_without_a_protocol_error() {
        let mut mem = memory(MemoryConfig::default());
        let mut m = Master::new();
        let mut t = Trace::disabled();
        m.ars.push_back((0, 0, Burst { addr: BASE, len: 1, size: 4, kind: burst::FIXED }));
        m.ars.push_back((0, 0, Burst { addr: BASE, len: 0, size: 5, kind: burst::INCR }));
        run_until_idle(&mut m, &mut mem, &mut t);
        assert!(m.beats.iter().all(|b| b.resp == resp::SLVERR));
        assert_eq!((mem.stats().slverr, mem.stats().protocol_errors), (2, 1), "size 5 is wider than the bus");
    }

    #[test]
    fn unaligned_and_narrow_reads_use_only_their_lanes() {
        let mut mem = memory(MemoryConfig::default());
        let mut m = Master::new();
        let mut t = Trace::disabled();
        m.ars.push_back((0, 0, Burst { addr: BASE + 0x106, len: 1, size: 4, kind: burst::INCR }));
        m.ars.push_back((0, 1, Burst { addr: BASE + 0x204, len: 3, size: 2, kind: burst::INCR }));
        run_until_idle(&mut m, &mut mem, &mut t);
        assert_eq!(m.beats[0].data, expect_word(&mem, BASE + 0x100) & lane_mask(0xFFC0));
        assert_eq!(m.beats[1].data, expect_word(&mem, BASE + 0x110));
        let narrow = expect_word(&mem, BASE + 0x200);
        let lanes = [0x00F0, 0x0F00, 0xF000];
        for (beat, lanes) in m.beats[2..5].iter().zip(lanes) {
            assert_eq!(beat.data, narrow & lane_mask(lanes));
        }
        assert_eq!(m.beats[5].data, expect_word(&mem, BASE + 0x210) & lane_mask(0x000F));
        assert_eq!(mem.stats().read_bytes, 26 + 16);
    }

    #[test]
    fn strobed_write_changes_only_strobed_bytes() {
        let mut mem = memory(MemoryConfig::default());
        let mut m = Master::new();
        let mut t = Trace::disabled();
        let before = [expect_word(&mem, BASE + 0x40), expect_word(&mem, BASE + 0x50)];
        m.aws.push_back((0, 3, Burst { addr: BASE + 0x40, len: 1, size: 4, kind: burst::INCR }));
        m.ws.push_back((0, u128::MAX, 0x00FF, false));
        m.ws.push_back((0, u128::MAX, 0xF0F0, true));
        run_until_idle(&mut m, &mut mem, &mut t);
        assert_eq!(m.bs, [(m.w_edges[1] + 16, 3, resp::OKAY)]);
        assert_eq!(expect_word(&mem, BASE + 0x40), before[0] | lane_mask(0x00FF));
        assert_eq!(expect_word(&mem, BASE + 0x50), before[1] | lane_mask(0xF0F0));
        assert_eq!(mem.stats().write_bytes, 16);
        assert_eq!(mem.stats().protocol_errors, 0);
    }

    #[test]
    fn strobes_outside_the_beat_lanes_are_ignored_and_counted() {
        let mut mem = memory(MemoryConfig::default());
        let mut m = Master::new();
        let mut t = Trace::disabled();
        let before = expect_word(&mem, BASE);
        m.aws.push_back((0, 0, Burst { addr: BASE + 4, len: 0, size: 2, kind: burst::INCR }));
        m.ws.push_back((0, u128::MAX, 0xFFFF, true));
        run_until_idle(&mut m, &mut mem, &mut t);
        assert_eq!(expect_word(&mem, BASE), before | lane_mask(0x00F0));
        assert_eq!((mem.stats().protocol_errors, mem.stats().write_bytes), (1, 4));
    }

    #[test]
    fn write_response_follows_the_latency_after_the_last_beat() {
        for (ns, cycles) in [(100, 16), (1000, 157)] {
            let mut mem = memory(MemoryConfig { write_latency_ns: ns, ..Default::default() });
            let mut m = Master::new();
            let mut t = Trace::disabled();
            m.write(9, BASE + 0x800, &[0x5A; 64]);
            // W beats trickle in after the AW
            for (i, w) in m.ws.iter_mut().enumerate() {
                w.0 = 3 * i as u64;
            }
            run_until_idle(&mut m, &mut mem, &mut t);
            assert_eq!(m.w_edges, [0, 3, 6, 9]);
            assert_eq!(m.bs, [(9 + cycles, 9, resp::OKAY)]);
            let mut back = [0u8; 64];
            mem.mem().read(BASE + 0x800, &mut back).unwrap();
            assert_eq!(back, [0x5A; 64]);
        }
    }

    #[test]
    fn write_data_may_come_before_its_address() {
        let mut mem = memory(MemoryConfig::default());
        let mut m = Master::new();
        let mut t = Trace::new();
        m.write(1, BASE + 0x1000, &[0x11; 32]);
        m.aws[0].0 = 20;
        run_until_idle(&mut m, &mut mem, &mut t);
        assert_eq!(m.w_edges, [0, 1]);
        assert_eq!(m.bs, [(20 + 16, 1, resp::OKAY)]);
        let applied: Vec<u64> = t.of_kind(EventKind::DmaWrite).map(|r| r.cycle).collect();
        assert_eq!(applied, [20], "applied when the AW arrived");
    }

    #[test]
    fn responses_come_back_in_request_order() {
        let mut mem = memory(MemoryConfig::default());
        let mut m = Master::new();
        let mut t = Trace::disabled();
        for id in [3, 1, 2] {
            m.read(id, BASE + 0x100 * u64::from(id), 2);
        }
        for id in [7, 4, 6] {
            m.write(id, BASE + 0x2000 + 0x100 * u64::from(id), &[id; 16]);
        }
        run_until_idle(&mut m, &mut mem, &mut t);
        assert_eq!(m.beats.iter().map(|b| b.id).collect::<Vec<_>>(), [3, 3, 1, 1, 2, 2]);
        assert_eq!(m.bs.iter().map(|b| b.1).collect::<Vec<_>>(), [7, 4, 6]);
        // back to back: read data streams without bubbles once the first read's latency is over
        let cycles: Vec<u64> = m.beats.iter().map(|b| b.cycle).collect();
        assert_eq!(cycles, (79..85).collect::<Vec<_>>());
    }

    #[test]
    fn unmapped_write_gets_decerr_and_is_dropped() {
        let mut mem = memory(MemoryConfig::default());
        let mut m = Master::new();
        let mut t = Trace::new();
        mem.mem_mut().unmap(BASE + 0x3010, 0x10).unwrap();
        let before = expect_word(&mem, BASE + 0x3000);
        m.write(0, BASE + 0x3000, &[0xEE; 32]); // second beat unmapped
        run_until_idle(&mut m, &mut mem, &mut t);
        assert_eq!(m.bs[0].2, resp::DECERR);
        assert_eq!(expect_word(&mem, BASE + 0x3000), before, "the mapped first beat is dropped too");
        let s = mem.stats();
        assert_eq!((s.decerr, s.writes, s.write_bytes), (1, 1, 0));
        assert_eq!(t.render(&no_names), "      1 dma-wr id=0 0x100003000+32 DECERR\n");
    }

    #[test]
    fn w_burst_length_must_match_its_aw() {
        let mut mem = memory(MemoryConfig::default());
        let mut m = Master::new();
        let mut t = Trace::disabled();
        let before = expect_word(&mem, BASE);
        m.aws.push_back((0, 0, Burst { addr: BASE, len: 1, size: 4, kind: burst::INCR }));
        for i in 0..3 {
            m.ws.push_back((0, 0, 0xFFFF, i == 2));
        }
        m.write(1, BASE + 0x100, &[1; 16]); // a good one after it
        run_until_idle(&mut m, &mut mem, &mut t);
        assert_eq!(m.bs.iter().map(|b| (b.1, b.2)).collect::<Vec<_>>(), [(0, resp::SLVERR), (1, resp::OKAY)]);
        assert_eq!(expect_word(&mem, BASE), before);
        assert_eq!((mem.stats().protocol_errors, mem.stats().slverr), (1, 1));
    }

    #[test]
    fn writes_in_flight_are_capped() {
        let mut mem = memory(MemoryConfig { max_writes_in_flight: 2, ..Default::default() });
        let mut m = Master::new();
        let mut t = Trace::disabled();
        m.b_ready = Box::new(|c| c >= 100);
        for i in 0..4 {
            m.write(i, BASE + 0x100 * u64::from(i), &[i; 16]);
        }
        for _ in 0..90 {
            step(&mut m, &mut mem, &mut t);
        }
        assert_eq!(mem.writes_in_flight(), 2);
        assert_eq!(m.aws.len(), 2);
        run_until_idle(&mut m, &mut mem, &mut t);
        assert_eq!(m.bs.len(), 4);
        assert_eq!(mem.stats().max_writes_in_flight, 2);
    }

    #[test]
    fn dropping_an_unaccepted_valid_is_a_protocol_error() {
        let mut mem = memory(MemoryConfig { max_reads_in_flight: 1, ..Default::default() });
        let mut t = Trace::disabled();
        let ar =
            AxiMasterOut { ar_valid: true, ar_addr: BASE, ar_size: 4, ar_burst: burst::INCR, ..Default::default() };
        mem.clock(&ar, &mut t); // accepted
        assert!(!mem.outputs().ar_ready);
        mem.clock(&ar, &mut t); // offered, not accepted
        mem.clock(&AxiMasterOut { ar_addr: BASE + 16, ..ar }, &mut t); // changed while waiting
        mem.clock(&AxiMasterOut::default(), &mut t); // withdrawn
        assert_eq!(mem.stats().protocol_errors, 2);
        assert_eq!(mem.stats().reads, 1);
    }

    #[test]
    fn a_stalled_read_beat_holds_its_data_while_the_host_writes() {
        let mut mem = memory(MemoryConfig { read_latency_ns: 64, ..Default::default() });
        let mut m = Master::new();
        let mut t = Trace::disabled();
        m.r_ready = Box::new(|c| c >= 30);
        m.read(0, BASE, 1);
        for _ in 0..20 {
            step(&mut m, &mut mem, &mut t);
        }
        let offered = mem.outputs();
        assert!(offered.r_valid);
        mem.mem_mut().write(BASE, &[0; 16]).unwrap();
        step(&mut m, &mut mem, &mut t);
        assert_eq!(mem.outputs(), offered);
        run_until_idle(&mut m, &mut mem, &mut t);
        assert_eq!(m.beats[0].data, offered.r_data);
        assert_ne!(offered.r_data, 0);
    }

    #[test]
    fn trace_stamps_reads_at_acceptance_and_writes_when_applied() {
        let mut mem = memory(MemoryConfig::default());
        let mut m = Master::new();
        let mut t = Trace::new();
        m.read(0, BASE, 4);
        m.ars.push_back((5, 1, Burst { addr: 0x80, len: 0, size: 4, kind: burst::INCR }));
        m.write(2, BASE + 0x1008 - 8, &[0xAB; 48]);
        m.ws[2].0 = 12;
        run_until_idle(&mut m, &mut mem, &mut t);
        let expected = concat!(
            "      0 dma-rd id=0 0x100000000+64\n",
            "      5 dma-rd id=1 0x80+16 DECERR\n",
            "     12 dma-wr id=2 0x100001000+48 data=abababababababab...\n",
        );
        assert_eq!(t.render(&no_names), expected);
    }

    #[test]
    fn bad_configs_are_refused() {
        let bad = [
            MemoryConfig { max_reads_in_flight: 0, ..Default::default() },
            MemoryConfig { max_writes_in_flight: 0, ..Default::default() },
            MemoryConfig { bytes_per_cycle: 0, ..Default::default() },
            MemoryConfig { clock_period_ps: 0, ..Default::default() },
            MemoryConfig { write_buffer_beats: 255, ..Default::default() },
        ];
        for config in bad {
            assert!(AxiMemory::new(config).is_err());
        }
        assert_eq!(MemoryConfig::default().read_latency_cycles(), 79);
        assert_eq!(MemoryConfig::default().write_latency_cycles(), 16);
    }

    /// A tiny xorshift, so the random ready patterns are reproducible.
    fn coin(seed: u64, cycle: u64) -> bool {
        let mut x = seed ^ cycle.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x & 3 != 0
    }

    proptest! {
        /// Random strobed write bursts, then reads of everything, under random
        /// back-pressure: memory and read data match a flat reference.
        #[test]
        fn matches_a_flat_reference(
            writes in proptest::collection::vec((0u64..0x200, 0u8..8, any::<u8>(), any::<u16>(), 0u64..6), 1..12),
            seed in any::<u64>(),
        ) {
            let mut mem = AxiMemory::new(MemoryConfig { read_latency_ns: 30, write_latency_ns: 20, bytes_per_cycle: 7, ..Default::default() }).unwrap();
            mem.mem_mut().map(BASE, 0x2000).unwrap();
            let mut reference = vec![0u8; 0x2000];
            let mut m = Master::new();
            let mut t = Trace::disabled();
            m.r_ready = Box::new(move |c| coin(seed, c));
            m.b_ready = Box::new(move |c| coin(seed.rotate_left(7), c));
            for (i, &(slot, len, fill, strb, w_delay)) in writes.iter().enumerate() {
                // 16-byte slots, bursts kept within their 4 KiB page
                let beats = u64::from(len) + 1;
                let slot = slot.min(0x200 - beats);
                let slot = if slot / 256 != (slot + beats - 1) / 256 { (slot + beats - 1) / 256 * 256 } else { slot };
                let addr = BASE + slot * 16;
                m.aws.push_back((0, i as u8, Burst { addr, len, size: 4, kind: burst::INCR }));
                for n in 0..beats {
                    let data = u128::from_le_bytes([fill.wrapping_add(n as u8); 16]);
                    let strb = strb.rotate_left(n as u32);
                    m.ws.push_back((w_delay * n, data, strb, n + 1 == beats));
                    for lane in 0..16 {
                        if strb & (1 << lane) != 0 {
                            reference[(slot * 16 + n * 16 + lane) as usize] = fill.wrapping_add(n as u8);
                        }
                    }
                }
            }
            run_until_idle(&mut m, &mut mem, &mut t);
            prop_assert_eq!(m.bs.len(), writes.len());
            prop_assert!(m.bs.iter().all(|b| b.2 == resp::OKAY));
            for page in 0..2u64 {
                m.ars.push_back((0, page as u8, Burst { addr: BASE + page * 0x1000, len: 255, size: 4, kind: burst::INCR }));
            }
            run_until_idle(&mut m, &mut mem, &mut t);
            let data: Vec<u8> = m.beats.iter().flat_map(|b| b.data.to_le_bytes()).collect();
            prop_assert_eq!(data, reference);
            let s = mem.stats();
            prop_assert_eq!((s.protocol_errors, s.decerr, s.slverr), (0, 0, 0));
        }

        /// The same inputs give the same trace, stats and beats.
        #[test]
        fn runs_are_deterministic(seed in any::<u64>()) {
            let run = || {
                let mut mem = memory(MemoryConfig { bytes_per_cycle: 9, ..Default::default() });
                let mut m = Master::new();
                let mut t = Trace::new();
                m.r_ready = Box::new(move |c| coin(seed, c));
                for i in 0..6u8 {
                    m.read(i, BASE + 0x300 * u64::from(i), 1 + i);
                    m.write(i, BASE + 0x2000 + 0x100 * u64::from(i), &[i; 32]);
                }
                run_until_idle(&mut m, &mut mem, &mut t);
                (t.render(&no_names), *mem.stats(), m.beats)
            };
            prop_assert_eq!(run(), run());
        }
    }
}
