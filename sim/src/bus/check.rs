//! AXI protocol checkers: passive monitors of one AXI4, AXI4-Lite or
//! AXI4-Stream interface that report every broken rule with the cycle, the
//! signal and the rule, named after the specification's own wording.
//!
//! Sources (see `docs/sources.md`): *AMBA AXI and ACE Protocol Specification*,
//! ARM IHI 0022E (section numbers below are that issue's), and *AMBA 4
//! AXI4-Stream Protocol Specification*, ARM IHI 0051A.
//!
//! Each checker is fed, once per clock cycle, what both sides drive before
//! the edge (the same values [`Handshakes::between`](crate::bus::axi::Handshakes)
//! sees), together with the cycle number; it keeps just enough state to check
//!
//! - A3.2.1 / IHI 0051A 2.2.1: VALID, once asserted, stays asserted until the
//!   handshake, and the payload stays stable while VALID is high and READY low;
//! - A3.3.1: no read data without an accepted read address with that ID, no
//!   write response without an accepted write address and all its write data
//!   (WLAST) for that ID;
//! - A3.2.2: RLAST and WLAST on the final beat of a burst, and only there
//!   (the beat count comes from ARLEN / AWLEN, write data may precede its
//!   address; AXI4 write data follows the address order, A5.2);
//! - A3.4.1: no burst crosses a 4 KiB boundary, no beat wider than the bus,
//!   no reserved burst type, wrapping bursts of 2, 4, 8 or 16 beats;
//! - B1.1.1 (AXI4-Lite): no EXOKAY response.
//!
//! Checking never panics and never changes what it watches: violations are
//! collected ([`AxiChecker::violations`]); [`AxiChecker::assert_clean`] turns
//! them into a test failure. The whole-NIC harness (`crate::nic::Nic::step`)
//! runs [`AxiChecker`] and [`AxilChecker`] on every cycle and panics on the
//! first violation.

use std::collections::VecDeque;
use std::fmt;

use crate::bus::axi::{burst, resp, AxiMasterOut, AxiSlaveOut, AxilMasterOut, AxilSlaveOut, Burst, DATA_BYTES};

/// One protocol rule, named after the specification's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// A3.2.1: VALID dropped before its handshake.
    ValidHeld,
    /// A3.2.1: payload changed while VALID was high and READY low.
    PayloadStable,
    /// A3.3.1: RVALID with no read address accepted for that RID.
    ReadDataBeforeAddress,
    /// A3.3.1: BVALID before the write's address and last data beat were accepted.
    WriteResponseBeforeData,
    /// A3.2.2: RLAST missing on the final read beat or set on another.
    RlastOnFinalBeat,
    /// A3.2.2: WLAST missing on the final write beat or set on another.
    WlastOnFinalBeat,
    /// A3.4.1: a burst crosses a 4 KiB boundary.
    Burst4k,
    /// A3.4.1: more bytes per beat than the data bus carries.
    SizeWithinBus,
    /// A3.4.1: burst type 0b11 is reserved.
    ReservedBurstType,
    /// A3.4.1: a wrapping burst must be 2, 4, 8 or 16 beats.
    WrapLength,
    /// B1.1.1: AXI4-Lite does not support the EXOKAY response.
    LiteNoExokay,
    /// IHI 0051A 2.2.1: TVALID dropped before its handshake.
    StreamValidHeld,
    /// IHI 0051A 2.2.1: TDATA/TKEEP/TLAST/TUSER changed while TVALID was high and TREADY low.
    StreamPayloadStable,
}

impl Rule {
    /// The rule in the specification's words, with its section.
    pub fn text(self) -> &'static str {
        match self {
            Rule::ValidHeld => {
                "ARM IHI 0022E A3.2.1: once VALID is asserted it must remain asserted until the handshake occurs"
            }
            Rule::PayloadStable => {
                "ARM IHI 0022E A3.2.1: once the source has asserted VALID, the information it drives must \
                 remain stable until the handshake occurs"
            }
            Rule::ReadDataBeforeAddress => {
                "ARM IHI 0022E A3.3.1: the slave must wait for both ARVALID and ARREADY to be asserted \
                 before it asserts RVALID (for that ID)"
            }
            Rule::WriteResponseBeforeData => {
                "ARM IHI 0022E A3.3.1: the slave must wait for AWVALID, AWREADY, WVALID and WREADY, with \
                 WLAST, to be asserted before asserting BVALID (for that ID)"
            }
            Rule::RlastOnFinalBeat => {
                "ARM IHI 0022E A3.2.2: the slave must assert the RLAST signal when it is driving the final \
                 read transfer in the burst"
            }
            Rule::WlastOnFinalBeat => {
                "ARM IHI 0022E A3.2.2: the master must assert the WLAST signal while it is driving the \
                 final write transfer in the burst"
            }
            Rule::Burst4k => "ARM IHI 0022E A3.4.1: a burst must not cross a 4KB address boundary",
            Rule::SizeWithinBus => "ARM IHI 0022E A3.4.1: the size of any transfer must not exceed the data bus width",
            Rule::ReservedBurstType => "ARM IHI 0022E A3.4.1: burst type 0b11 is reserved",
            Rule::WrapLength => "ARM IHI 0022E A3.4.1: for wrapping bursts, the burst length must be 2, 4, 8, or 16",
            Rule::LiteNoExokay => "ARM IHI 0022E B1.1.1: the EXOKAY response is not supported in AXI4-Lite",
            Rule::StreamValidHeld => {
                "ARM IHI 0051A 2.2.1: once TVALID is asserted it must remain asserted until the handshake occurs"
            }
            Rule::StreamPayloadStable => {
                "ARM IHI 0051A 2.2.1: once the master has asserted TVALID, the data and control information \
                 it drives must remain unchanged until the handshake occurs"
            }
        }
    }
}

/// A broken rule: where, when, which signal, which rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The interface (the checker's name, e.g. `verinic_nic m_axi`).
    pub interface: String,
    /// The clock cycle whose edge saw it (the number the caller passed).
    pub cycle: u64,
    /// The offending signal, by its AXI name (`ARVALID`, `WLAST`, `TDATA`).
    pub signal: &'static str,
    /// The rule.
    pub rule: Rule,
    /// What was seen (values, counts).
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "AXI protocol violation on {} at cycle {}: {}: {} ({})",
            self.interface,
            self.cycle,
            self.signal,
            self.rule.text(),
            self.detail
        )
    }
}

/// Violations kept per checker; more are counted, not stored.
const MAX_KEPT: usize = 64;

/// The violations of one checker.
#[derive(Debug, Clone, Default)]
struct Log {
    name: String,
    kept: Vec<Violation>,
    total: u64,
    fail_fast: bool,
}

impl Log {
    fn new(name: &str) -> Self {
        Log { name: name.to_string(), kept: Vec::new(), total: 0, fail_fast: false }
    }

    #[cold]
    fn push(&mut self, cycle: u64, signal: &'static str, rule: Rule, detail: String) {
        self.total += 1;
        let v = Violation { interface: self.name.clone(), cycle, signal, rule, detail };
        if self.fail_fast {
            panic!("{v}");
        }
        if self.kept.len() < MAX_KEPT {
            self.kept.push(v);
        }
    }

    fn assert_clean(&self) {
        if let Some(first) = self.kept.first() {
            let mut msg = format!("{} AXI protocol violation(s) on {}; first: {first}", self.total, self.name);
            for v in self.kept.iter().skip(1).take(7) {
                msg.push_str(&format!("\n  then: {v}"));
            }
            panic!("{msg}");
        }
    }
}

/// The methods every checker has over its [`Log`]: one definition for the
/// four checkers.
macro_rules! log_accessors {
    () => {
        /// Panics at the first violation, with its message, instead of
        /// collecting: the failing cycle is the one the test stops at.
        pub fn fail_fast(mut self) -> Self {
            self.log.fail_fast = true;
            self
        }

        /// Violations seen so far (the first 64).
        pub fn violations(&self) -> &[Violation] {
            &self.log.kept
        }

        /// Number of violations seen so far.
        pub fn violation_count(&self) -> u64 {
            self.log.total
        }

        /// Panics with the first violations, if there were any.
        pub fn assert_clean(&self) {
            self.log.assert_clean();
        }
    };
}

/// The stability rules of one valid/ready channel whose payload is `N`
/// fields (named by `names`, in AXI's signal names).
#[derive(Debug, Clone)]
pub struct Channel<const N: usize> {
    valid: &'static str,
    names: [&'static str; N],
    /// The payload offered and not taken at the last edge.
    held: Option<[u128; N]>,
    stream: bool,
}

impl<const N: usize> Channel<N> {
    /// An AXI4 / AXI4-Lite channel: `valid` is its VALID signal's name.
    pub const fn new(valid: &'static str, names: [&'static str; N]) -> Self {
        Channel { valid, names, held: None, stream: false }
    }

    /// An AXI4-Stream channel (the rules of IHI 0051A).
    pub const fn stream(valid: &'static str, names: [&'static str; N]) -> Self {
        Channel { valid, names, held: None, stream: true }
    }

    /// Whether the beat offered now was already offered at the last edge
    /// (a repeat, not a new transfer).
    #[inline]
    fn repeated(&self) -> bool {
        self.held.is_some()
    }

    /// One edge: checks the hold rules and remembers an untaken offer.
    /// `payload` is only evaluated when needed.
    #[inline]
    fn observe(&mut self, log: &mut Log, cycle: u64, valid: bool, ready: bool, payload: impl FnOnce() -> [u128; N]) {
        if self.held.is_none() {
            // nothing offered before: only an offer left waiting needs remembering
            if valid && !ready {
                self.held = Some(payload());
            }
            return;
        }
        self.observe_slow(log, cycle, valid, ready, payload);
    }

    fn observe_slow(
        &mut self,
        log: &mut Log,
        cycle: u64,
        valid: bool,
        ready: bool,
        payload: impl FnOnce() -> [u128; N],
    ) {
        let now = if valid { Some(payload()) } else { None };
        if let Some(held) = self.held {
            match now {
                None => {
                    let rule = if self.stream { Rule::StreamValidHeld } else { Rule::ValidHeld };
                    log.push(
                        cycle,
                        self.valid,
                        rule,
                        format!("{} fell while the transfer was not yet taken", self.valid),
                    );
                }
                Some(now) => {
                    for i in 0..N {
                        if now[i] != held[i] {
                            let rule = if self.stream { Rule::StreamPayloadStable } else { Rule::PayloadStable };
                            log.push(
                                cycle,
                                self.names[i],
                                rule,
                                format!(
                                    "{} changed from {:#x} to {:#x} while {} waited",
                                    self.names[i], held[i], now[i], self.valid
                                ),
                            );
                        }
                    }
                }
            }
        }
        self.held = if valid && !ready { now } else { None };
    }
}

/// Checks one AXI4 interface (a master and the slave it talks to): every rule
/// listed in the module docs. IDs are up to 8 bits wide.
#[derive(Debug, Clone)]
pub struct AxiChecker {
    log: Log,
    bus_bytes: u32,
    ar: Channel<5>,
    r: Channel<4>,
    aw: Channel<5>,
    w: Channel<3>,
    b: Channel<2>,
    /// Per ID: beats of every accepted read burst not yet fully returned, oldest first.
    reads: Vec<VecDeque<u32>>,
    /// Per ID: beats already returned of the oldest read.
    read_beats: Vec<u32>,
    /// Accepted write addresses whose data is not complete: (id, beats), in order.
    aw_waiting: VecDeque<(u8, u32)>,
    /// Write bursts whose data (up to WLAST) came before their address: beat counts.
    w_ahead: VecDeque<u32>,
    /// Beats of the write burst in progress.
    w_beats: u32,
    /// Per ID: writes with address and all data accepted, awaiting B.
    writes_done: Vec<u32>,
}

impl AxiChecker {
    /// A checker named `name` (used in messages) for a bus of `bus_bytes`
    /// bytes per beat (16 for the NIC's 128-bit bus).
    pub fn new(name: &str, bus_bytes: u32) -> Self {
        AxiChecker {
            log: Log::new(name),
            bus_bytes,
            ar: Channel::new("ARVALID", ["ARID", "ARADDR", "ARLEN", "ARSIZE", "ARBURST"]),
            r: Channel::new("RVALID", ["RID", "RDATA", "RRESP", "RLAST"]),
            aw: Channel::new("AWVALID", ["AWID", "AWADDR", "AWLEN", "AWSIZE", "AWBURST"]),
            w: Channel::new("WVALID", ["WDATA", "WSTRB", "WLAST"]),
            b: Channel::new("BVALID", ["BID", "BRESP"]),
            reads: vec![VecDeque::new(); 256],
            read_beats: vec![0; 256],
            aw_waiting: VecDeque::new(),
            w_ahead: VecDeque::new(),
            w_beats: 0,
            writes_done: vec![0; 256],
        }
    }

    /// A checker of the NIC's 128-bit DMA bus.
    pub fn dma(name: &str) -> Self {
        Self::new(name, DATA_BYTES as u32)
    }

    log_accessors!();

    /// Reads accepted and not fully returned.
    pub fn reads_outstanding(&self) -> usize {
        self.reads.iter().map(VecDeque::len).sum()
    }

    /// Writes accepted (address) and not yet answered with B.
    pub fn writes_outstanding(&self) -> usize {
        self.aw_waiting.len() + self.writes_done.iter().map(|&n| n as usize).sum::<usize>()
    }

    fn check_burst(&mut self, cycle: u64, b: &Burst, prefix: char) {
        let sig = |s: &'static str, r: &'static str| if prefix == 'A' { s } else { r };
        if b.kind == 3 {
            self.log.push(
                cycle,
                sig("AWBURST", "ARBURST"),
                Rule::ReservedBurstType,
                format!("burst type {:#b}", b.kind),
            );
        }
        if (1u32 << b.size.min(7)) > self.bus_bytes {
            self.log.push(
                cycle,
                sig("AWSIZE", "ARSIZE"),
                Rule::SizeWithinBus,
                format!("size {} ({} bytes) on a {}-byte bus", b.size, 1u32 << b.size.min(7), self.bus_bytes),
            );
        }
        if b.kind == burst::WRAP && !matches!(b.beats(), 2 | 4 | 8 | 16) {
            self.log.push(cycle, sig("AWLEN", "ARLEN"), Rule::WrapLength, format!("{} beats", b.beats()));
        }
        if b.kind == burst::INCR {
            let last = b.end().saturating_sub(1);
            if b.addr >> 12 != last >> 12 || b.end() == u64::MAX {
                self.log.push(
                    cycle,
                    sig("AWADDR", "ARADDR"),
                    Rule::Burst4k,
                    format!(
                        "{} beats of {} bytes from {:#x} end at {:#x}",
                        b.beats(),
                        1u32 << b.size.min(7),
                        b.addr,
                        last
                    ),
                );
            }
        }
    }

    /// One clock edge: `m` and `s` are what master and slave drive before it.
    #[inline]
    pub fn observe(&mut self, cycle: u64, m: &AxiMasterOut, s: &AxiSlaveOut) {
        let log = &mut self.log;
        self.ar.observe(log, cycle, m.ar_valid, s.ar_ready, || {
            [m.ar_id.into(), m.ar_addr.into(), m.ar_len.into(), m.ar_size.into(), m.ar_burst.into()]
        });
        self.aw.observe(log, cycle, m.aw_valid, s.aw_ready, || {
            [m.aw_id.into(), m.aw_addr.into(), m.aw_len.into(), m.aw_size.into(), m.aw_burst.into()]
        });
        self.w.observe(log, cycle, m.w_valid, s.w_ready, || [m.w_data, m.w_strb.into(), m.w_last.into()]);
        let r_new = s.r_valid && !self.r.repeated();
        self.r
            .observe(log, cycle, s.r_valid, m.r_ready, || [s.r_id.into(), s.r_data, s.r_resp.into(), s.r_last.into()]);
        let b_new = s.b_valid && !self.b.repeated();
        self.b.observe(log, cycle, s.b_valid, m.b_ready, || [s.b_id.into(), s.b_resp.into()]);

        // Responses are checked against the requests of earlier edges first:
        // a response cannot answer a request accepted at the same edge.
        if r_new && self.reads[s.r_id as usize].is_empty() {
            self.log.push(
                cycle,
                "RVALID",
                Rule::ReadDataBeforeAddress,
                format!("RID {:#x} has no read outstanding", s.r_id),
            );
        }
        if b_new && self.writes_done[s.b_id as usize] == 0 {
            self.log.push(
                cycle,
                "BVALID",
                Rule::WriteResponseBeforeData,
                format!("BID {:#x} has no write with its address and last data beat accepted", s.b_id),
            );
        }
        if s.r_valid && m.r_ready {
            self.read_beat(cycle, s);
        }
        if s.b_valid && m.b_ready && self.writes_done[s.b_id as usize] > 0 {
            self.writes_done[s.b_id as usize] -= 1;
        }
        if m.ar_valid && s.ar_ready {
            let b = Burst::from_ar(m);
            self.check_burst(cycle, &b, 'R');
            self.reads[m.ar_id as usize].push_back(b.beats());
        }
        if m.aw_valid && s.aw_ready {
            let b = Burst::from_aw(m);
            self.check_burst(cycle, &b, 'A');
            self.write_address(cycle, m.aw_id, b.beats());
        }
        if m.w_valid && s.w_ready {
            self.write_beat(cycle, m.w_last);
        }
    }

    fn read_beat(&mut self, cycle: u64, s: &AxiSlaveOut) {
        let id = s.r_id as usize;
        let Some(&beats) = self.reads[id].front() else { return };
        self.read_beats[id] += 1;
        let n = self.read_beats[id];
        let fin = n == beats;
        if s.r_last != fin {
            self.log.push(
                cycle,
                "RLAST",
                Rule::RlastOnFinalBeat,
                format!("RID {:#x}: beat {n} of {beats} has RLAST {}", s.r_id, u8::from(s.r_last)),
            );
        }
        if fin || s.r_last {
            self.reads[id].pop_front();
            self.read_beats[id] = 0;
        }
    }

    fn write_address(&mut self, cycle: u64, id: u8, beats: u32) {
        if let Some(count) = self.w_ahead.pop_front() {
            if count != beats {
                self.log.push(
                    cycle,
                    "WLAST",
                    Rule::WlastOnFinalBeat,
                    format!("AWID {id:#x}: AWLEN says {beats} beats, WLAST came on beat {count} (data before address)"),
                );
            }
            self.writes_done[id as usize] += 1;
        } else {
            self.aw_waiting.push_back((id, beats));
        }
    }

    fn write_beat(&mut self, cycle: u64, last: bool) {
        self.w_beats += 1;
        let n = self.w_beats;
        if let Some(&(id, beats)) = self.aw_waiting.front() {
            let fin = n == beats;
            if last != fin {
                self.log.push(
                    cycle,
                    "WLAST",
                    Rule::WlastOnFinalBeat,
                    format!("AWID {id:#x}: beat {n} of {beats} has WLAST {}", u8::from(last)),
                );
            }
            if fin || last {
                self.aw_waiting.pop_front();
                self.writes_done[id as usize] += 1;
                self.w_beats = 0;
            }
        } else if last {
            self.w_ahead.push_back(n);
            self.w_beats = 0;
        }
    }
}

/// Checks one AXI4-Lite interface: the handshake rules on all five channels,
/// responses only to accepted requests (A3.3.1), no EXOKAY (B1.1.1).
#[derive(Debug, Clone)]
pub struct AxilChecker {
    log: Log,
    ar: Channel<1>,
    r: Channel<2>,
    aw: Channel<1>,
    w: Channel<2>,
    b: Channel<1>,
    ar_accepted: u64,
    r_done: u64,
    aw_accepted: u64,
    w_accepted: u64,
    b_done: u64,
}

impl AxilChecker {
    /// A checker named `name` (used in messages).
    pub fn new(name: &str) -> Self {
        AxilChecker {
            log: Log::new(name),
            ar: Channel::new("ARVALID", ["ARADDR"]),
            r: Channel::new("RVALID", ["RDATA", "RRESP"]),
            aw: Channel::new("AWVALID", ["AWADDR"]),
            w: Channel::new("WVALID", ["WDATA", "WSTRB"]),
            b: Channel::new("BVALID", ["BRESP"]),
            ar_accepted: 0,
            r_done: 0,
            aw_accepted: 0,
            w_accepted: 0,
            b_done: 0,
        }
    }

    log_accessors!();

    /// One clock edge: `m` and `s` are what master and slave drive before it.
    #[inline]
    pub fn observe(&mut self, cycle: u64, m: &AxilMasterOut, s: &AxilSlaveOut) {
        let log = &mut self.log;
        self.ar.observe(log, cycle, m.ar_valid, s.ar_ready, || [m.ar_addr.into()]);
        self.aw.observe(log, cycle, m.aw_valid, s.aw_ready, || [m.aw_addr.into()]);
        self.w.observe(log, cycle, m.w_valid, s.w_ready, || [m.w_data.into(), m.w_strb.into()]);
        let r_new = s.r_valid && !self.r.repeated();
        self.r.observe(log, cycle, s.r_valid, m.r_ready, || [s.r_data.into(), s.r_resp.into()]);
        let b_new = s.b_valid && !self.b.repeated();
        self.b.observe(log, cycle, s.b_valid, m.b_ready, || [s.b_resp.into()]);

        if r_new {
            if self.ar_accepted == self.r_done {
                self.log.push(cycle, "RVALID", Rule::ReadDataBeforeAddress, "no read address accepted".into());
            }
            if s.r_resp == resp::EXOKAY {
                self.log.push(cycle, "RRESP", Rule::LiteNoExokay, "RRESP = EXOKAY".into());
            }
        }
        if b_new {
            if self.aw_accepted == self.b_done || self.w_accepted == self.b_done {
                self.log.push(
                    cycle,
                    "BVALID",
                    Rule::WriteResponseBeforeData,
                    format!(
                        "{} write addresses and {} write data accepted, {} answered",
                        self.aw_accepted, self.w_accepted, self.b_done
                    ),
                );
            }
            if s.b_resp == resp::EXOKAY {
                self.log.push(cycle, "BRESP", Rule::LiteNoExokay, "BRESP = EXOKAY".into());
            }
        }
        if s.r_valid && m.r_ready {
            self.r_done += 1;
            self.ar_accepted = self.ar_accepted.max(self.r_done);
        }
        if s.b_valid && m.b_ready {
            self.b_done += 1;
            self.aw_accepted = self.aw_accepted.max(self.b_done);
            self.w_accepted = self.w_accepted.max(self.b_done);
        }
        self.ar_accepted += u64::from(m.ar_valid && s.ar_ready);
        self.aw_accepted += u64::from(m.aw_valid && s.aw_ready);
        self.w_accepted += u64::from(m.w_valid && s.w_ready);
    }
}

/// One AXI4-Stream beat as driven before an edge (data up to 128 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StreamBeat {
    /// TVALID.
    pub valid: bool,
    /// TREADY (true for a stream without back-pressure).
    pub ready: bool,
    /// TDATA.
    pub data: u128,
    /// TKEEP.
    pub keep: u16,
    /// TLAST.
    pub last: bool,
    /// TUSER.
    pub user: bool,
}

/// Checks one AXI4-Stream interface: the handshake rules of IHI 0051A 2.2.1.
#[derive(Debug, Clone)]
pub struct AxisChecker {
    log: Log,
    t: Channel<4>,
    beats: u64,
    packets: u64,
}

impl AxisChecker {
    /// A checker named `name` (used in messages).
    pub fn new(name: &str) -> Self {
        AxisChecker {
            log: Log::new(name),
            t: Channel::stream("TVALID", ["TDATA", "TKEEP", "TLAST", "TUSER"]),
            beats: 0,
            packets: 0,
        }
    }

    log_accessors!();

    /// Beats and packets (TLAST) transferred so far.
    pub fn transfers(&self) -> (u64, u64) {
        (self.beats, self.packets)
    }

    /// One clock edge.
    #[inline]
    pub fn observe(&mut self, cycle: u64, t: &StreamBeat) {
        self.t
            .observe(&mut self.log, cycle, t.valid, t.ready, || [t.data, t.keep.into(), t.last.into(), t.user.into()]);
        if t.valid && t.ready {
            self.beats += 1;
            self.packets += u64::from(t.last);
        }
    }
}

/// Checks a plain valid/ready channel with an `N`-field payload (the
/// NIC-internal client ports of the arbiters, descriptor streams): the
/// handshake rules of A3.2.1 only.
#[derive(Debug, Clone)]
pub struct HandshakeChecker<const N: usize> {
    log: Log,
    ch: Channel<N>,
}

impl<const N: usize> HandshakeChecker<N> {
    /// A checker named `name` for the channel whose VALID is `valid` and
    /// whose payload fields are `names`.
    pub fn new(name: &str, valid: &'static str, names: [&'static str; N]) -> Self {
        HandshakeChecker { log: Log::new(name), ch: Channel::new(valid, names) }
    }

    /// One clock edge.
    #[inline]
    pub fn observe(&mut self, cycle: u64, valid: bool, ready: bool, payload: [u128; N]) {
        self.ch.observe(&mut self.log, cycle, valid, ready, || payload);
    }

    log_accessors!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ar(id: u8, addr: u64, len: u8) -> AxiMasterOut {
        AxiMasterOut {
            ar_id: id,
            ar_addr: addr,
            ar_len: len,
            ar_size: 4,
            ar_burst: burst::INCR,
            ar_valid: true,
            r_ready: true,
            b_ready: true,
            ..Default::default()
        }
    }

    fn idle_m() -> AxiMasterOut {
        AxiMasterOut { r_ready: true, b_ready: true, ..Default::default() }
    }

    fn rbeat(id: u8, last: bool) -> AxiSlaveOut {
        AxiSlaveOut { r_id: id, r_valid: true, r_last: last, r_data: 7, ..Default::default() }
    }

    fn rules(c: &AxiChecker) -> Vec<Rule> {
        c.violations().iter().map(|v| v.rule).collect()
    }

    #[test]
    fn a_legal_read_and_write_pass() {
        let mut c = AxiChecker::dma("t");
        let s_ready = AxiSlaveOut { ar_ready: true, aw_ready: true, w_ready: true, ..Default::default() };
        // AR waits a cycle, then is taken
        c.observe(0, &ar(1, 0x1000, 1), &AxiSlaveOut::default());
        c.observe(1, &ar(1, 0x1000, 1), &s_ready);
        c.observe(2, &idle_m(), &rbeat(1, false));
        c.observe(3, &idle_m(), &rbeat(1, true));
        // write data before its address
        let w = |last| AxiMasterOut { w_valid: true, w_last: last, w_strb: 0xFFFF, ..idle_m() };
        c.observe(4, &w(false), &s_ready);
        c.observe(5, &w(true), &s_ready);
        let aw = AxiMasterOut {
            aw_valid: true,
            aw_id: 2,
            aw_addr: 0x2000,
            aw_len: 1,
            aw_size: 4,
            aw_burst: burst::INCR,
            ..idle_m()
        };
        c.observe(6, &aw, &s_ready);
        c.observe(7, &idle_m(), &AxiSlaveOut { b_valid: true, b_id: 2, ..Default::default() });
        assert_eq!(c.violation_count(), 0, "{:?}", c.violations());
        assert_eq!((c.reads_outstanding(), c.writes_outstanding()), (0, 0));
        c.assert_clean();
    }

    /// Mutation: ARVALID dropped before ARREADY.
    #[test]
    fn dropped_valid_is_caught() {
        let mut c = AxiChecker::dma("m_axi");
        c.observe(10, &ar(0, 0, 0), &AxiSlaveOut::default());
        c.observe(11, &idle_m(), &AxiSlaveOut::default());
        let v = &c.violations()[0];
        assert_eq!((v.cycle, v.signal, v.rule), (11, "ARVALID", Rule::ValidHeld));
        let msg = v.to_string();
        assert!(msg.contains("m_axi") && msg.contains("cycle 11") && msg.contains("A3.2.1"), "{msg}");
        assert!(msg.contains("once VALID is asserted it must remain asserted until the handshake occurs"));
    }

    /// Mutation: ARADDR changed while waiting.
    #[test]
    fn changed_payload_is_caught() {
        let mut c = AxiChecker::dma("t");
        c.observe(0, &ar(0, 0x100, 0), &AxiSlaveOut::default());
        c.observe(1, &ar(0, 0x110, 0), &AxiSlaveOut::default());
        let v = &c.violations()[0];
        assert_eq!((v.cycle, v.signal, v.rule), (1, "ARADDR", Rule::PayloadStable));
        // once taken, the next offer may differ
        let mut c = AxiChecker::dma("t");
        let take = AxiSlaveOut { ar_ready: true, ..Default::default() };
        c.observe(0, &ar(0, 0x100, 0), &take);
        c.observe(1, &ar(0, 0x110, 0), &take);
        assert!(c.violations().is_empty());
    }

    /// Mutation: read data with no read outstanding, and with the wrong RID.
    #[test]
    fn response_without_request_is_caught() {
        let mut c = AxiChecker::dma("t");
        c.observe(0, &idle_m(), &rbeat(0, true));
        assert_eq!(rules(&c), [Rule::ReadDataBeforeAddress]);
        let mut c = AxiChecker::dma("t");
        c.observe(0, &ar(1, 0, 0), &AxiSlaveOut { ar_ready: true, ..Default::default() });
        c.observe(1, &idle_m(), &rbeat(2, true));
        assert_eq!(c.violations()[0].signal, "RVALID");
        // the same edge as the AR does not count as "after"
        let mut c = AxiChecker::dma("t");
        c.observe(0, &ar(1, 0, 0), &AxiSlaveOut { ar_ready: true, ..rbeat(1, true) });
        assert_eq!(rules(&c), [Rule::ReadDataBeforeAddress]);
        // a B before the write's last data beat
        let mut c = AxiChecker::dma("t");
        let aw = AxiMasterOut { aw_valid: true, aw_len: 1, aw_size: 4, aw_burst: burst::INCR, ..idle_m() };
        c.observe(0, &aw, &AxiSlaveOut { aw_ready: true, w_ready: true, ..Default::default() });
        let w = AxiMasterOut { w_valid: true, ..idle_m() };
        c.observe(1, &w, &AxiSlaveOut { w_ready: true, ..Default::default() });
        c.observe(2, &idle_m(), &AxiSlaveOut { b_valid: true, ..Default::default() });
        assert_eq!(rules(&c), [Rule::WriteResponseBeforeData]);
    }

    /// Mutation: RLAST one beat early, WLAST missing.
    #[test]
    fn last_on_the_wrong_beat_is_caught() {
        let mut c = AxiChecker::dma("t");
        c.observe(0, &ar(3, 0, 2), &AxiSlaveOut { ar_ready: true, ..Default::default() });
        c.observe(1, &idle_m(), &rbeat(3, false));
        c.observe(2, &idle_m(), &rbeat(3, true));
        assert_eq!(rules(&c), [Rule::RlastOnFinalBeat]);
        assert_eq!(c.violations()[0].signal, "RLAST");

        let mut c = AxiChecker::dma("t");
        let aw = AxiMasterOut { aw_valid: true, aw_len: 1, aw_size: 4, aw_burst: burst::INCR, ..idle_m() };
        let ready = AxiSlaveOut { aw_ready: true, w_ready: true, ..Default::default() };
        c.observe(0, &aw, &ready);
        let w = AxiMasterOut { w_valid: true, ..idle_m() };
        c.observe(1, &w, &ready);
        c.observe(2, &w, &ready);
        assert_eq!(rules(&c), [Rule::WlastOnFinalBeat]);
        // data before address, WLAST a beat late
        let mut c = AxiChecker::dma("t");
        c.observe(0, &w, &ready);
        c.observe(1, &w, &ready);
        c.observe(2, &AxiMasterOut { w_last: true, ..w }, &ready);
        assert!(c.violations().is_empty());
        c.observe(3, &aw, &ready);
        assert_eq!(rules(&c), [Rule::WlastOnFinalBeat]);
    }

    /// Mutation: a burst across 4 KiB, too wide, reserved, bad wrap.
    #[test]
    fn bad_bursts_are_caught() {
        let take = AxiSlaveOut { ar_ready: true, ..Default::default() };
        let mut c = AxiChecker::dma("t");
        c.observe(0, &ar(0, 0xFF0, 1), &take);
        assert_eq!(rules(&c), [Rule::Burst4k]);
        assert_eq!(c.violations()[0].signal, "ARADDR");
        let mut c = AxiChecker::dma("t");
        c.observe(0, &ar(0, 0xFE0, 1), &take); // ends exactly at the boundary
        c.observe(1, &AxiMasterOut { ar_size: 5, ..ar(1, 0, 0) }, &take);
        c.observe(2, &AxiMasterOut { ar_burst: 3, ..ar(2, 0, 0) }, &take);
        c.observe(3, &AxiMasterOut { ar_burst: burst::WRAP, ..ar(3, 0, 2) }, &take);
        assert_eq!(rules(&c), [Rule::SizeWithinBus, Rule::ReservedBurstType, Rule::WrapLength]);
    }

    #[test]
    fn axil_rules() {
        let m = AxilMasterOut { r_ready: true, b_ready: true, ..Default::default() };
        // read data before any read
        let mut c = AxilChecker::new("s_axil");
        c.observe(0, &m, &AxilSlaveOut { r_valid: true, ..Default::default() });
        assert_eq!(c.violations()[0].rule, Rule::ReadDataBeforeAddress);
        // a write answered after address only; EXOKAY
        let mut c = AxilChecker::new("s_axil");
        let aw = AxilMasterOut { aw_valid: true, ..m };
        c.observe(0, &aw, &AxilSlaveOut { aw_ready: true, ..Default::default() });
        c.observe(1, &m, &AxilSlaveOut { b_valid: true, b_resp: resp::EXOKAY, ..Default::default() });
        let got: Vec<Rule> = c.violations().iter().map(|v| v.rule).collect();
        assert_eq!(got, [Rule::WriteResponseBeforeData, Rule::LiteNoExokay]);
        // a legal write, then WVALID dropped
        let mut c = AxilChecker::new("s_axil");
        let both = AxilMasterOut { aw_valid: true, w_valid: true, w_data: 5, ..m };
        c.observe(0, &both, &AxilSlaveOut { aw_ready: true, w_ready: true, ..Default::default() });
        c.observe(1, &m, &AxilSlaveOut { b_valid: true, ..Default::default() });
        assert_eq!(c.violation_count(), 0);
        c.observe(2, &AxilMasterOut { w_valid: true, ..m }, &AxilSlaveOut::default());
        c.observe(3, &m, &AxilSlaveOut::default());
        assert_eq!(c.violations()[0].signal, "WVALID");
    }

    #[test]
    fn stream_rules() {
        let mut c = AxisChecker::new("s_axis");
        let beat = StreamBeat { valid: true, ready: false, data: 1, keep: 0xFF, ..Default::default() };
        c.observe(0, &beat);
        c.observe(1, &StreamBeat { data: 2, ..beat });
        c.observe(2, &StreamBeat { valid: false, ..beat });
        let got: Vec<(&str, Rule)> = c.violations().iter().map(|v| (v.signal, v.rule)).collect();
        assert_eq!(got, [("TDATA", Rule::StreamPayloadStable), ("TVALID", Rule::StreamValidHeld)]);
        assert!(c.violations()[0].to_string().contains("IHI 0051A 2.2.1"));
        // a stream without TREADY may change every cycle
        let mut c = AxisChecker::new("s_axis");
        for i in 0..4 {
            c.observe(i, &StreamBeat { valid: i % 2 == 0, ready: true, data: u128::from(i), last: i == 2, ..beat });
        }
        assert_eq!((c.violation_count(), c.transfers()), (0, (2, 1)));
    }

    #[test]
    #[should_panic(expected = "cycle 1: ARVALID")]
    fn assert_clean_fails_with_the_violation() {
        let mut c = AxiChecker::dma("t");
        c.observe(0, &ar(0, 0, 0), &AxiSlaveOut::default());
        c.observe(1, &idle_m(), &AxiSlaveOut::default());
        c.assert_clean();
    }
}
