//! `verinic soak`: a long seeded run of mixed good and faulty receive
//! traffic, with transmit traffic alongside and checks running all the way
//! (docs/soak.md).
//!
//! The traffic: IP frames from the base scenario's `[rx]` section (sizes,
//! flows; a mix of UDP/TCP over IPv4/IPv6 when its protocol is raw), paced
//! by a repeating schedule of load phases (steady, a line-rate burst beyond
//! what the ring and the FIFO hold, quiet), and a seeded share of them
//! ([`SoakOptions::fault_rate`]) faulty: at the MAC (bad FCS, runts,
//! oversize frames, an Error character, a frame cut off by Idle or by the
//! next Start) or in the headers (bad IPv4 or TCP/UDP checksum, IP length
//! too long or too short, a lying UDP length). A disturbance schedule holds
//! RX refills (an allocation failure) and slows the application down. The
//! application sends frames of seeded sizes with CHECKSUM_PARTIAL.
//!
//! The checks, in bounded memory (nothing is kept per frame beyond one
//! chunk of [`CHUNK_NS`], the bounded [`WireLog`](crate::cosim::WireLog) and
//! the frames in the TX ring):
//!
//! - **conservation**: after the drain, frames offered = delivered to the
//!   application + drops by reason, nothing left in flight;
//! - **drops by reason**: the MAC's counts per reason equal the faults
//!   injected of that kind, every good frame is counted once as good, and
//!   the stack's drops per reason equal the header faults of the frames
//!   that reached it;
//! - **refill pauses**: each hold made refills fail and traffic recovered;
//! - **slow application**: each slow phase charged the slow cost;
//! - **TX delivery**: every frame handed to the driver came out on the
//!   wire in order, byte-exact but for the inserted checksums, or is
//!   counted; **TX checksums**: all valid (etherparse);
//! - **byte-exact**: every frame handed to the stack matches, by a digest of
//!   its bytes, a frame the link partner put on the wire (`unmatched` = 0);
//! - **order**: sequence numbers of delivered frames strictly rise (no frame
//!   twice, none out of order);
//! - **buffer pool**: every chunk, every driver buffer is free in its pool
//!   or on its ring, once ([`BufferCensus::conserved`](verinic_driver::BufferCensus));
//! - **ring invariants**: every chunk, the driver's ring indices are inside
//!   their rings, the free TX descriptors are those between `next_to_use`
//!   and `next_to_clean`, and the RX buffers on the ring are exactly the
//!   slots between `next_to_clean` and `next_to_use`.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use serde::Serialize;
use verinic_sim::xgmii::{Fault, TxFrame};
use verinic_sim::SimOptions;

use super::runner::{drain_machine, RunError, CHUNK_NS};
use super::scenario::Scenario;
use super::traffic::{frame_sizes, FrameSizes, FCS_LEN};
use crate::cosim::{frame_digest, Machine, RxSource, World};
use crate::frames::{Direction, FrameSpec, Protocol, MAX_FRAME};
use crate::rng::Rng;

/// Frames a soak offers unless told otherwise.
pub const DEFAULT_FRAMES: u64 = 10_000_000;

/// Share of offered frames that carry a fault unless told otherwise.
pub const DEFAULT_FAULT_RATE: f64 = 0.05;

/// Wire overhead per frame besides the frame and FCS: preamble, SFD and the
/// minimum inter-frame gap (bytes).
const WIRE_OVERHEAD: usize = 20;

/// The load schedule, repeated: (duration in ns, share of line rate). A
/// steady phase, a burst at line rate (beyond what the ring and the FIFO
/// hold for small frames), a quiet phase for the host to catch up.
const LOAD_PHASES: [(u64, f64); 3] = [(600_000, 0.6), (200_000, 1.0), (200_000, 0.2)];

/// The disturbances, repeated every [`DISTURB_PERIOD_NS`] of simulated
/// time: refills held (an RX buffer allocation failure) from
/// [`REFILL_HOLD_NS`].0 for [`REFILL_HOLD_NS`].1, covering the start of a
/// line-rate burst so that the ring drains; the application 10 times slower
/// per frame ([`SLOW_APP_FACTOR`]) from [`SLOW_APP_NS`].0 for
/// [`SLOW_APP_NS`].1, so that its socket fills.
const DISTURB_PERIOD_NS: u64 = 4_000_000;
/// Start and length of the refill hold in each disturbance period (ns).
const REFILL_HOLD_NS: (u64, u64) = (550_000, 200_000);
/// Start and length of the slow application phase in each period (ns).
const SLOW_APP_NS: (u64, u64) = (2_100_000, 400_000);
/// How much slower the application is in its slow phase.
const SLOW_APP_FACTOR: u64 = 10;
/// Work per frame of a slow application whose base cost is 0 (ns).
const SLOW_APP_MIN_NS: u64 = 20_000;
/// After a refill hold ends, frames must reach the stack again within this
/// time (ns), or traffic did not recover.
const RECOVERY_NS: u64 = 500_000;

/// Seeds of the fault draw, apart from the sizes and payloads.
const FAULT_SEED: u64 = 0x534F_414B_4641_554C;
/// Seeds of the application's frame sizes.
const TX_SEED: u64 = 0x5458_5349_5A45_5321;
/// Seeds of the payloads, as [`RxTraffic`](super::traffic::RxTraffic) does.
const PAYLOAD_SEED: u64 = 0x5041_594C_4F41_4421;

/// How a soak runs.
#[derive(Debug, Clone)]
pub struct SoakOptions {
    /// Run until this many frames were offered (put on the wire).
    pub frames: u64,
    /// Seed of sizes, payloads, faults.
    pub seed: u64,
    /// The base scenario: driver, CPU, memory and `[rx]` frame settings
    /// (its `rx.load` and `duration_us` are not used: the soak's own load
    /// phases pace the traffic and `frames` sets the length).
    pub base: Scenario,
    /// Share of frames with a fault, 0..=1.
    pub fault_rate: f64,
    /// **Test hook, never set in a real soak**: flip one byte of the n-th
    /// frame handed to the stack (from 0) before it is checked, to prove
    /// that the byte-exact check fails when a frame is corrupted.
    pub test_corrupt_delivery: Option<u64>,
    /// **Test hook, never set in a real soak**: after the run, count one of
    /// the stack's checksum drops as a header drop, to prove that the
    /// per-reason check of the stack's drops fails when it miscounts.
    pub test_miscount_stack_drop: bool,
    /// **Test hook, never set in a real soak**: never release the first
    /// refill hold, to prove that the recovery check fails.
    pub test_never_release_refill: bool,
    /// **Test hook, never set in a real soak**: the slow phases leave the
    /// application's cost as it is, to prove that the slow-phase check fails.
    pub test_skip_slow_app: bool,
    /// **Test hook, never set in a real soak**: the TX check skips the n-th
    /// frame on the wire (from 0), as if the NIC lost it silently.
    pub test_drop_tx_frame: Option<u64>,
    /// **Test hook, never set in a real soak**: the TX check flips a
    /// checksum byte of the n-th frame on the wire (from 0).
    pub test_corrupt_tx_csum: Option<u64>,
}

impl SoakOptions {
    /// `frames` frames with `seed` over the default scenario.
    pub fn new(frames: u64, seed: u64) -> Self {
        SoakOptions {
            frames,
            seed,
            base: Scenario::default(),
            fault_rate: DEFAULT_FAULT_RATE,
            test_corrupt_delivery: None,
            test_miscount_stack_drop: false,
            test_never_release_refill: false,
            test_skip_slow_app: false,
            test_drop_tx_frame: None,
            test_corrupt_tx_csum: None,
        }
    }
}

/// Faults injected, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Injected {
    /// Good frames.
    pub good: u64,
    /// All FCS bits inverted (expected in `rx_crc_errors`).
    pub bad_fcs: u64,
    /// Frames shorter than 64 bytes with FCS, FCS correct (`rx_length_errors`).
    pub runt: u64,
    /// Frames longer than 1518 bytes with FCS, FCS correct (`rx_length_errors`).
    pub oversize: u64,
    /// An Error character inside the frame (`rxerrc`).
    pub error_char: u64,
    /// Cut off by Idle, no Terminate (`rxerrc`).
    pub truncated_idle: u64,
    /// Cut off by the next frame's Start (`rxerrc`).
    pub truncated_start: u64,
    /// IPv4 header checksum wrong (`ip_hdr_errors`).
    pub bad_ip_csum: u64,
    /// TCP/UDP checksum wrong (`l4_csum_errors`).
    pub bad_l4_csum: u64,
    /// IP length beyond the frame (`ip_truncated`).
    pub ip_len_long: u64,
    /// IP length shorter than the frame, the rest Ethernet padding: must be
    /// delivered (the stack trims it).
    pub ip_len_short: u64,
    /// UDP length beyond the IP payload or below 8 (`l4_hdr_errors`).
    pub udp_len: u64,
}

impl Injected {
    fn count(&mut self, fault: Option<FaultKind>) {
        *match fault {
            None => &mut self.good,
            Some(FaultKind::BadFcs) => &mut self.bad_fcs,
            Some(FaultKind::Runt) => &mut self.runt,
            Some(FaultKind::Oversize) => &mut self.oversize,
            Some(FaultKind::ErrorChar) => &mut self.error_char,
            Some(FaultKind::TruncatedIdle) => &mut self.truncated_idle,
            Some(FaultKind::TruncatedStart) => &mut self.truncated_start,
            Some(FaultKind::BadIpCsum) => &mut self.bad_ip_csum,
            Some(FaultKind::BadL4Csum) => &mut self.bad_l4_csum,
            Some(FaultKind::IpLenLong) => &mut self.ip_len_long,
            Some(FaultKind::IpLenShort) => &mut self.ip_len_short,
            Some(FaultKind::UdpLen) => &mut self.udp_len,
        } += 1;
    }

    /// Frames the MAC must count as good (GPRC): good ones and those whose
    /// fault lies above the MAC (in the IP or TCP/UDP headers).
    fn good_at_mac(&self) -> u64 {
        self.good + self.bad_ip_csum + self.bad_l4_csum + self.ip_len_long + self.ip_len_short + self.udp_len
    }
}

/// The kinds of fault, uniformly drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FaultKind {
    BadFcs,
    Runt,
    Oversize,
    ErrorChar,
    TruncatedIdle,
    TruncatedStart,
    BadIpCsum,
    BadL4Csum,
    IpLenLong,
    IpLenShort,
    UdpLen,
}

const FAULT_KINDS: [FaultKind; 11] = [
    FaultKind::BadFcs,
    FaultKind::Runt,
    FaultKind::Oversize,
    FaultKind::ErrorChar,
    FaultKind::TruncatedIdle,
    FaultKind::TruncatedStart,
    FaultKind::BadIpCsum,
    FaultKind::BadL4Csum,
    FaultKind::IpLenLong,
    FaultKind::IpLenShort,
    FaultKind::UdpLen,
];

/// Which protocol and fault frame `seq` gets: a pure function of the seed
/// and `seq`, so that the checker can tell, from a delivered frame's
/// sequence number alone, which fault it carries (the stack's drops are
/// checked against the faults of the frames that reached it, in bounded
/// memory, without a record per frame).
#[derive(Debug, Clone, Copy)]
struct FaultPlan {
    seed: u64,
    /// Fault rate in parts per 2^32.
    threshold: u64,
    /// `[rx] protocol`; `raw` means a mix of the four IP protocols.
    protocol: Protocol,
}

impl FaultPlan {
    /// The protocol, the fault (`None`: good) and the generator of the
    /// fault's details for frame `seq`.
    fn plan(&self, seq: u32) -> (Protocol, Option<FaultKind>, Rng) {
        let mut r = Rng::new(self.seed ^ FAULT_SEED ^ u64::from(seq).wrapping_mul(0xD6E8_FEB8_6659_FD93));
        let mixed = [Protocol::Udp4, Protocol::Tcp4, Protocol::Udp6, Protocol::Tcp6];
        let mut protocol = match self.protocol {
            Protocol::Raw => mixed[r.range(0, 3)],
            p => p,
        };
        let faulty = (r.next_u64() >> 32) < self.threshold;
        let fault = faulty.then(|| FAULT_KINDS[r.range(0, FAULT_KINDS.len() - 1)]);
        // A fault that needs IPv4 or UDP takes the frame's other layer as it is.
        protocol = match (fault, protocol) {
            (Some(FaultKind::BadIpCsum), Protocol::Udp6) => Protocol::Udp4,
            (Some(FaultKind::BadIpCsum), Protocol::Tcp6) => Protocol::Tcp4,
            (Some(FaultKind::UdpLen), Protocol::Tcp4) => Protocol::Udp4,
            (Some(FaultKind::UdpLen), Protocol::Tcp6) => Protocol::Udp6,
            (_, p) => p,
        };
        (protocol, fault, r)
    }
}

/// The stack's drops the faults of the frames handed to it call for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct StackExpected {
    ip_hdr_errors: u64,
    ip_truncated: u64,
    l4_hdr_errors: u64,
    l4_csum_errors: u64,
}

/// The seeded soak traffic: load phases, sizes and payloads from `[rx]`,
/// faults at a seeded rate; stops after a set number of frames.
struct SoakSource {
    sizes: FrameSizes,
    frames: FrameSpec,
    payload_rng: Rng,
    plan: FaultPlan,
    limit: u64,
    produced: u64,
    start_ns: Option<u64>,
    next_due_ns: f64,
    injected: Arc<Mutex<Injected>>,
}

impl SoakSource {
    fn load_at(&self, t_ns: u64) -> f64 {
        let period: u64 = LOAD_PHASES.iter().map(|p| p.0).sum();
        let mut t = t_ns % period;
        for (d, load) in LOAD_PHASES {
            if t < d {
                return load;
            }
            t -= d;
        }
        LOAD_PHASES[0].1
    }

    /// Frame `seq` and its fault ([`FaultPlan::plan`]), counted by kind.
    fn make(&mut self, seq: u32) -> TxFrame {
        let len = self.sizes.next().unwrap_or(64) - FCS_LEN;
        let (protocol, fault, mut r) = self.plan.plan(seq);
        let mut spec = self.frames;
        spec.protocol = protocol;
        let mut inj = self.injected.lock().unwrap_or_else(|e| e.into_inner());
        inj.count(fault);
        // Ethernet padding after the IP packet: the packet is built that
        // much shorter (the frame stays within 1514 bytes).
        let pad = if fault == Some(FaultKind::IpLenShort) { r.range(1, 46) } else { 0 };
        let mut bytes = spec.build(Direction::ToHost, len.min(MAX_FRAME - pad), seq, &mut self.payload_rng);
        let with_fcs = bytes.len() + FCS_LEN;
        let Some(fault) = fault else { return TxFrame::new(bytes) };
        match fault {
            FaultKind::BadFcs => TxFrame::with_fault(bytes, Fault::BadFcs),
            FaultKind::Runt => {
                // 20..=59 bytes with FCS: short of the 64-byte minimum.
                bytes.truncate(r.range(16, 55));
                TxFrame::new(bytes)
            }
            FaultKind::Oversize => {
                let extra = r.range(MAX_FRAME + 20, MAX_FRAME + 500);
                bytes.resize(extra, 0xA5);
                TxFrame::new(bytes)
            }
            FaultKind::ErrorChar => {
                let offset = r.range(14, with_fcs - 1);
                TxFrame::with_fault(bytes, Fault::ErrorChar { offset })
            }
            FaultKind::TruncatedIdle => {
                let len = r.range(14, with_fcs - 1);
                TxFrame::with_fault(bytes, Fault::TruncateToIdle { len })
            }
            FaultKind::TruncatedStart => {
                let len = r.range(14, with_fcs - 1);
                TxFrame::with_fault(bytes, Fault::TruncateToStart { len })
            }
            header => {
                lie_in_headers(&mut bytes, header, pad, &mut r);
                TxFrame::new(bytes)
            }
        }
    }
}

/// Puts a header fault into an IP frame built with valid headers; every
/// other field stays consistent (checksums recomputed), so the stack must
/// drop the frame for exactly this fault.
fn lie_in_headers(f: &mut Vec<u8>, fault: FaultKind, pad: usize, r: &mut Rng) {
    let Some(lay) = crate::frames::layout(f) else { return };
    let l3 = lay.l3;
    let v4 = lay.ip == crate::frames::ip::Ip::V4;
    // the IP length field: IPv4 total length, IPv6 payload length
    let len_at = if v4 { l3 + 2 } else { l3 + 4 };
    let get16 = |f: &[u8], at: usize| u16::from_be_bytes([f[at], f[at + 1]]);
    let set16 = |f: &mut [u8], at: usize, v: u16| f[at..at + 2].copy_from_slice(&v.to_be_bytes());
    let fix_ip = |f: &mut Vec<u8>| {
        if v4 {
            crate::frames::ip::fill_ipv4_checksum(&mut f[l3..]);
        }
    };
    match fault {
        FaultKind::BadIpCsum => {
            let at = l3 + crate::frames::ip::IPV4_CSUM_OFFSET;
            f[at] ^= 0x01;
        }
        FaultKind::BadL4Csum => {
            let at = lay.csum_field();
            let c = get16(f, at);
            // +-0x100 changes the sum (never by a multiple of 0xFFFF);
            // never 0, which over UDP/IPv4 means "no checksum".
            let bad = if c ^ 0x0100 == 0 { c ^ 0x0200 } else { c ^ 0x0100 };
            set16(f, at, bad);
        }
        FaultKind::IpLenLong => {
            let v = get16(f, len_at);
            set16(f, len_at, v + r.range(1, 200) as u16);
            fix_ip(f);
        }
        FaultKind::IpLenShort => f.resize(f.len() + pad, 0),
        FaultKind::UdpLen => {
            let at = lay.l4_start + 4;
            let ulen = get16(f, at);
            let lie = if r.range(0, 1) == 0 { ulen + r.range(1, 100) as u16 } else { r.range(1, 7) as u16 };
            set16(f, at, lie);
            // a consistent checksum over the lying header: only the length lies
            let c = lay.l4_checksum(f);
            set16(f, lay.csum_field(), c);
        }
        _ => {}
    }
}

impl RxSource for SoakSource {
    fn next_frame(&mut self) -> Option<TxFrame> {
        None
    }

    fn next_frame_at(&mut self, now_ns: u64) -> Option<TxFrame> {
        if self.produced >= self.limit {
            return None;
        }
        let start = *self.start_ns.get_or_insert(now_ns);
        let load = self.load_at(now_ns - start);
        let now = now_ns as f64;
        if now < self.next_due_ns {
            return None;
        }
        // Coming out of a quieter phase: start the spacing now, no catch-up burst.
        if self.next_due_ns < now {
            self.next_due_ns = now;
        }
        let seq = self.produced as u32;
        let frame = self.make(seq);
        let wire_bytes = frame.bytes.len() + FCS_LEN + WIRE_OVERHEAD;
        self.next_due_ns += wire_bytes as f64 * 0.8 / load;
        self.produced += 1;
        Some(frame)
    }
}

/// One check of the soak.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Its name.
    pub name: &'static str,
    /// It held.
    pub passed: bool,
    /// What was counted, in words.
    pub detail: String,
}

/// What a soak found.
#[derive(Debug, Clone, Serialize)]
pub struct SoakReport {
    /// Frames asked for.
    pub frames_requested: u64,
    /// The seed.
    pub seed: u64,
    /// Receive frames whose Start went on the wire.
    pub frames_offered: u64,
    /// Frames the driver handed to the stack.
    pub frames_to_stack: u64,
    /// Frames the application read.
    pub frames_delivered: u64,
    /// Drops by reason (the report's reasons, plus `rx_reset_lost`).
    pub drops: Vec<(&'static str, u64)>,
    /// `frames_offered - frames_delivered - drops` (0 when conserved).
    pub in_flight_at_end: i64,
    /// Faults injected, by kind.
    pub injected: Injected,
    /// Delivered frames matched byte-exact to the wire.
    pub matched: u64,
    /// Delivered frames with no wire record of the same bytes.
    pub unmatched: u64,
    /// Chunks at which the pool and the rings were checked.
    pub chunks_checked: u64,
    /// Every check, in order.
    pub checks: Vec<Check>,
    /// Simulated time (ns of CPU time).
    pub sim_ns: u64,
    /// Wall-clock seconds.
    pub wall_seconds: f64,
    /// The run was stopped early (Ctrl-C).
    pub interrupted: bool,
}

impl SoakReport {
    /// Every check held (and the run was not interrupted).
    pub fn passed(&self) -> bool {
        !self.interrupted && self.checks.iter().all(|c| c.passed)
    }

    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

impl fmt::Display for SoakReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "soak: {} frames requested, seed {}", self.frames_requested, self.seed)?;
        writeln!(f, "  offered                {:>12}", self.frames_offered)?;
        writeln!(f, "  to stack               {:>12}", self.frames_to_stack)?;
        writeln!(f, "  delivered to app       {:>12}", self.frames_delivered)?;
        for (k, v) in &self.drops {
            writeln!(f, "  drop {k:<18}{v:>12}")?;
        }
        writeln!(f, "  in flight at end       {:>12}", self.in_flight_at_end)?;
        let i = &self.injected;
        writeln!(
            f,
            "  injected: good {}, bad_fcs {}, runt {}, oversize {}, error_char {}, truncated_idle {}, truncated_start {}",
            i.good, i.bad_fcs, i.runt, i.oversize, i.error_char, i.truncated_idle, i.truncated_start
        )?;
        writeln!(
            f,
            "            bad_ip_csum {}, bad_l4_csum {}, ip_len_long {}, ip_len_short {}, udp_len {}",
            i.bad_ip_csum, i.bad_l4_csum, i.ip_len_long, i.ip_len_short, i.udp_len
        )?;
        writeln!(
            f,
            "  {:.3} ms simulated in {:.1} s ({:.0} frames/s)",
            self.sim_ns as f64 / 1e6,
            self.wall_seconds,
            self.frames_offered as f64 / self.wall_seconds.max(1e-9)
        )?;
        writeln!(f, "checks:")?;
        for c in &self.checks {
            writeln!(f, "  [{}] {:<16} {}", if c.passed { "pass" } else { "FAIL" }, c.name, c.detail)?;
        }
        if self.interrupted {
            writeln!(f, "interrupted: the run was stopped before the end")?;
        }
        write!(f, "result: {}", if self.passed() { "every check held" } else { "FAILED" })
    }
}

/// The checks that run chunk by chunk, in bounded memory.
struct Checker {
    plan: FaultPlan,
    /// Drops the stack owes for the faults of the frames handed to it.
    stack_expected: StackExpected,
    matched: u64,
    unmatched: u64,
    first_unmatched: Option<(Option<u32>, usize)>,
    last_seq: Option<u32>,
    out_of_order: u64,
    first_out_of_order: Option<(u32, u32)>,
    chunks: u64,
    pool_violations: u64,
    first_pool_violation: Option<String>,
    ring_violations: u64,
    first_ring_violation: Option<String>,
    handed: u64,
    corrupt: Option<u64>,
}

impl Checker {
    /// Takes what the machine recorded since the last chunk and checks it.
    fn chunk(&mut self, m: &mut Machine) {
        let deliveries = std::mem::take(&mut m.deliveries);
        let frames: Vec<Bytes> = std::mem::take(&mut m.delivered_frames);
        m.rx_meta.clear();
        for (i, d) in deliveries.iter().enumerate() {
            let index = self.handed;
            self.handed += 1;
            let digest = match frames.get(i) {
                Some(f) if self.corrupt == Some(index) => {
                    let mut bad = f.to_vec();
                    if let Some(b) = bad.last_mut() {
                        *b ^= 0xFF;
                    }
                    frame_digest(&bad)
                }
                Some(f) => frame_digest(f),
                None => 0,
            };
            if frames.get(i).is_some() && m.world.wire.locate_digest(digest).is_some() {
                self.matched += 1;
            } else {
                self.unmatched += 1;
                self.first_unmatched.get_or_insert((d.seq, d.len));
            }
            if let Some(s) = d.seq {
                let e = &mut self.stack_expected;
                match self.plan.plan(s).1 {
                    Some(FaultKind::BadIpCsum) => e.ip_hdr_errors += 1,
                    Some(FaultKind::IpLenLong) => e.ip_truncated += 1,
                    Some(FaultKind::UdpLen) => e.l4_hdr_errors += 1,
                    Some(FaultKind::BadL4Csum) => e.l4_csum_errors += 1,
                    _ => {}
                }
                if self.last_seq.is_some_and(|last| s <= last) {
                    self.out_of_order += 1;
                    self.first_out_of_order.get_or_insert((self.last_seq.unwrap_or(0), s));
                }
                self.last_seq = Some(s);
            }
        }
        self.chunks += 1;
        let census = m.driver.buffer_census();
        if !census.conserved() {
            self.pool_violations += 1;
            self.first_pool_violation.get_or_insert_with(|| format!("at {} ns: {census:?}", m.now_ns()));
        }
        if let Some(why) = ring_violation(m) {
            self.ring_violations += 1;
            self.first_ring_violation.get_or_insert_with(|| format!("at {} ns: {why}", m.now_ns()));
        }
    }
}

/// The refill holds and slow application phases as they happen
/// ([`DISTURB_PERIOD_NS`]), and what they caused, in a few counters.
struct Disturbances {
    /// The application's work per frame outside its slow phases.
    base_app_ns: u64,
    /// Its work per frame in them.
    slow_app_ns: u64,
    refill_held: bool,
    holds: u64,
    holds_with_alloc_failures: u64,
    holds_recovered: u64,
    holds_unrecovered: u64,
    /// Holds the end of the traffic released: not judged (no traffic to
    /// recover, perhaps no refill attempted in them).
    holds_cut_short: u64,
    failed_at_hold: u64,
    /// A released hold waiting for traffic: (release time, frames handed
    /// to the stack by then).
    awaiting_recovery: Option<(u64, u64)>,
    slow: bool,
    slow_phases: u64,
    slow_phases_filling: u64,
    /// At the start of the slow phase: socket_rcvbuf_full, frames read,
    /// application work (ns).
    slow_start: (u64, u64, u64),
    /// Slow phases whose application work per frame read was not the slow cost.
    slow_wrong_cost: u64,
    /// Test hook: never release a hold.
    never_release: bool,
    /// Test hook: a slow phase forgets to slow the application down.
    skip_slow: bool,
}

impl Disturbances {
    fn new(m: &Machine, never_release: bool, skip_slow: bool) -> Self {
        let base_app_ns = m.app_ns_per_frame();
        Disturbances {
            base_app_ns,
            slow_app_ns: (base_app_ns * SLOW_APP_FACTOR).max(SLOW_APP_MIN_NS),
            refill_held: false,
            holds: 0,
            holds_with_alloc_failures: 0,
            holds_recovered: 0,
            holds_unrecovered: 0,
            holds_cut_short: 0,
            failed_at_hold: 0,
            awaiting_recovery: None,
            slow: false,
            slow_phases: 0,
            slow_phases_filling: 0,
            slow_start: (0, 0, 0),
            slow_wrong_cost: 0,
            never_release,
            skip_slow,
        }
    }

    /// Starts or ends a hold or a slow phase at `t_ns` into the run
    /// (`traffic`: frames are still being offered).
    fn step(&mut self, m: &mut Machine, t_ns: u64, traffic: bool) {
        let phase = t_ns % DISTURB_PERIOD_NS;
        let in_window = |(start, len): (u64, u64)| traffic && phase >= start && phase < start + len;
        let now = m.now_ns();
        if let Some((at, handed)) = self.awaiting_recovery {
            if m.app.delivered > handed {
                self.holds_recovered += 1;
                self.awaiting_recovery = None;
            } else if now - at > RECOVERY_NS && traffic {
                self.holds_unrecovered += 1;
                self.awaiting_recovery = None;
            }
        }
        let hold = in_window(REFILL_HOLD_NS);
        if hold && !self.refill_held {
            self.holds += 1;
            self.failed_at_hold = m.driver.counters().alloc_rx_buff_failed;
            m.driver.hold_rx_refill(true);
            self.refill_held = true;
        } else if !hold && self.refill_held && !self.never_release {
            if !traffic {
                self.holds_cut_short += 1;
            } else {
                if m.driver.counters().alloc_rx_buff_failed > self.failed_at_hold {
                    self.holds_with_alloc_failures += 1;
                }
                self.awaiting_recovery = Some((now, m.app.delivered));
            }
            m.driver.hold_rx_refill(false);
            self.refill_held = false;
        }
        let slow = in_window(SLOW_APP_NS);
        if slow && !self.slow {
            self.slow = true;
            self.slow_phases += 1;
            self.slow_start = (m.app.socket_rcvbuf_full, m.app.received, m.cpu.app_work_ns);
            if !self.skip_slow {
                m.set_app_ns_per_frame(self.slow_app_ns);
            }
        } else if !slow && self.slow {
            self.slow = false;
            m.set_app_ns_per_frame(self.base_app_ns);
            let (full, read, work) = self.slow_start;
            if m.app.socket_rcvbuf_full > full {
                self.slow_phases_filling += 1;
            }
            // Every frame read in the phase cost the slow price (a receive
            // call is charged when it starts, all at the phase's price).
            if m.cpu.app_work_ns - work != (m.app.received - read) * self.slow_app_ns {
                self.slow_wrong_cost += 1;
            }
        }
    }
}

/// The transmit check: every frame the application handed to the driver
/// must come out on the wire, in order, byte-exact but for the checksums
/// the NIC inserts, which must be valid. Bounded: only the frames handed
/// over and not yet seen on the wire are kept (at most a ring's worth),
/// as digests.
#[derive(Default)]
struct TxChecker {
    /// (sequence number, digest with the checksum fields zeroed) of frames
    /// handed to the driver, not yet seen on the wire, oldest first.
    pending: std::collections::VecDeque<(Option<u32>, u64)>,
    most_pending: usize,
    handed: u64,
    on_wire: u64,
    matched: u64,
    /// Handed frames skipped over: a later frame came out first.
    lost: u64,
    /// Wire frames that match nothing handed over.
    unknown: u64,
    first_problem: Option<String>,
    bad_fcs: u64,
    csum_checked: u64,
    csum_bad: u64,
    first_csum_bad: Option<String>,
    /// TCP/UDP checksum fields sent as 0x0000 (see [`udp_ok`]).
    zero_checksums: u64,
    /// A UDP checksum sent as 0x0000 is wrong: the NIC was told the frame
    /// is UDP (context descriptors, TUCMD.TCP = 0) and must send 0xFFFF.
    strict_udp_zero: bool,
    /// Test hook: skip this wire frame (from 0), as if the NIC lost it.
    drop_wire: Option<u64>,
    /// Test hook: flip a checksum byte of this wire frame (from 0).
    corrupt_csum: Option<u64>,
}

impl TxChecker {
    fn chunk(&mut self, m: &mut Machine) {
        for f in m.tx_log.as_mut().map(std::mem::take).unwrap_or_default() {
            self.handed += 1;
            self.pending.push_back((crate::frames::sequence_number(&f), checksum_free_digest(&f)));
        }
        self.most_pending = self.most_pending.max(self.pending.len());
        for f in std::mem::take(&mut m.world.tx_frames) {
            let index = self.on_wire;
            self.on_wire += 1;
            if self.drop_wire == Some(index) {
                continue;
            }
            if !f.is_good() {
                self.bad_fcs += 1;
                self.first_problem.get_or_insert_with(|| format!("wire frame {index} bad: {:?}", f.error));
                continue;
            }
            let mut bytes = f.bytes;
            if self.corrupt_csum == Some(index) {
                if let Some(at) = checksum_fields(&bytes).map(|c| c.1) {
                    bytes[at] ^= 0x01;
                }
            }
            if let Some(valid) = checksums_valid(&bytes) {
                self.csum_checked += 1;
                let zero = checksum_fields(&bytes).is_some_and(|(_, at)| bytes[at..at + 2] == [0, 0]);
                self.zero_checksums += u64::from(zero);
                let wrong_zero = zero && self.strict_udp_zero && is_udp(&bytes);
                if !valid || wrong_zero {
                    self.csum_bad += 1;
                    self.first_csum_bad.get_or_insert_with(|| {
                        format!("wire frame {index} (seq {:?})", crate::frames::sequence_number(&bytes))
                    });
                }
            }
            let digest = checksum_free_digest(&bytes);
            match self.pending.iter().position(|p| p.1 == digest) {
                Some(k) => {
                    if k > 0 {
                        self.lost += k as u64;
                        self.first_problem.get_or_insert_with(|| {
                            format!(
                                "{k} handed frames (first seq {:?}) never came out before seq {:?}",
                                self.pending[0].0, self.pending[k].0
                            )
                        });
                    }
                    self.pending.drain(..=k);
                    self.matched += 1;
                }
                None => {
                    self.unknown += 1;
                    self.first_problem
                        .get_or_insert_with(|| format!("wire frame {index} matches no frame handed over"));
                }
            }
        }
    }
}

/// Where an IP frame's checksums are: (IPv4 header checksum, TCP/UDP
/// checksum), found from the headers here, independently of
/// `crate::frames::layout`. `None` for a frame that is not TCP/UDP over IP.
fn checksum_fields(f: &[u8]) -> Option<(Option<usize>, usize)> {
    let word = |at: usize| f.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let (mut l3, mut ethertype) = (14, word(12)?);
    if ethertype == 0x8100 {
        (l3, ethertype) = (18, word(16)?);
    }
    let (ip_csum, proto, l4) = match ethertype {
        0x0800 => (Some(l3 + 10), *f.get(l3 + 9)?, l3 + usize::from(f.get(l3)? & 0x0F) * 4),
        0x86DD => (None, *f.get(l3 + 6)?, l3 + 40),
        _ => return None,
    };
    let at = match proto {
        17 => l4 + 6,
        6 => l4 + 16,
        _ => return None,
    };
    (at + 2 <= f.len()).then_some((ip_csum, at))
}

/// A digest of `f` with its checksum fields zeroed: a frame handed over as
/// CHECKSUM_PARTIAL and the same frame on the wire, checksums inserted,
/// have the same one.
fn checksum_free_digest(f: &[u8]) -> u64 {
    let Some((ip, l4)) = checksum_fields(f) else { return frame_digest(f) };
    let mut g = f.to_vec();
    for at in ip.into_iter().chain([l4]) {
        g[at..at + 2].copy_from_slice(&[0, 0]);
    }
    frame_digest(&g)
}

/// Whether the IPv4 header checksum and the TCP/UDP checksum of `f` are
/// valid, by etherparse's own computation (not the code under test);
/// `None` if `f` is not TCP/UDP over IP.
fn checksums_valid(f: &[u8]) -> Option<bool> {
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};
    let p = SlicedPacket::from_ethernet(f).ok()?;
    match (p.net?, p.transport?) {
        (NetSlice::Ipv4(ip), t) => {
            let h = ip.header().to_header();
            let ip_ok = h.header_checksum == h.calc_header_checksum();
            let l4_ok = match t {
                TransportSlice::Udp(u) => {
                    let uh = u.to_header();
                    udp_ok(uh.checksum, uh.calc_checksum_ipv4(&h, u.payload()).ok()?)
                }
                TransportSlice::Tcp(t) => {
                    let th = t.to_header();
                    th.checksum == th.calc_checksum_ipv4(&h, t.payload()).ok()?
                }
                _ => return None,
            };
            Some(ip_ok && l4_ok)
        }
        (NetSlice::Ipv6(ip), t) => {
            let h = ip.header().to_header();
            Some(match t {
                TransportSlice::Udp(u) => {
                    let uh = u.to_header();
                    udp_ok(uh.checksum, uh.calc_checksum_ipv6(&h, u.payload()).ok()?)
                }
                TransportSlice::Tcp(t) => {
                    let th = t.to_header();
                    th.checksum == th.calc_checksum_ipv6(&h, t.payload()).ok()?
                }
                _ => return None,
            })
        }
        _ => None,
    }
}

/// The frame is UDP over IP.
fn is_udp(f: &[u8]) -> bool {
    use etherparse::{SlicedPacket, TransportSlice};
    SlicedPacket::from_ethernet(f).is_ok_and(|p| matches!(p.transport, Some(TransportSlice::Udp(_))))
}

/// A UDP checksum as stored against etherparse's. A sum of zero is
/// stored as 0xFFFF (RFC 768). Asked with a context descriptor (TUCMD.TCP =
/// 0) the NIC does so; a legacy descriptor says nothing of the protocol and
/// the NIC inserts the plain ones' complement, 0x0000, which RFC 1071's
/// check (the sum over the segment comes out all ones) finds as valid as
/// 0xFFFF: both are taken here, and counted (`zero_checksums` in the
/// report's detail); with context descriptors a UDP 0x0000 fails the check
/// (`TxChecker::strict_udp_zero`). Over IPv4 a receiver reads 0x0000 as
/// "no checksum"; over IPv6 it must drop it (RFC 8200 8.1): about one UDP
/// frame in 65,536 with legacy descriptors (docs/soak.md).
fn udp_ok(stored: u16, computed: u16) -> bool {
    stored == computed || (stored == 0 && computed == 0xFFFF)
}

/// What is wrong with the driver's rings, if anything.
fn ring_violation(m: &Machine) -> Option<String> {
    let cfg = m.driver.config();
    let (nrx, ntx) = (cfg.rx_ring, cfg.tx_ring);
    let r = m.driver.ring_state();
    let census = m.driver.buffer_census();
    if r.rx_next_to_clean >= nrx || r.rx_next_to_use >= nrx {
        return Some(format!("RX index outside the ring of {nrx}: {r:?}"));
    }
    if r.tx_next_to_clean >= ntx || r.tx_next_to_use >= ntx || r.tx_free >= ntx {
        return Some(format!("TX index outside the ring of {ntx}: {r:?}"));
    }
    let tx_unused = (r.tx_next_to_clean + ntx - r.tx_next_to_use - 1) % ntx;
    if r.tx_free != tx_unused {
        return Some(format!(
            "TX free {} but {tx_unused} slots between next_to_use and next_to_clean: {r:?}",
            r.tx_free
        ));
    }
    let rx_filled = (r.rx_next_to_use + nrx - r.rx_next_to_clean) % nrx;
    if census.rx_on_ring != rx_filled {
        return Some(format!(
            "{} RX buffers on the ring but {rx_filled} slots between next_to_clean and next_to_use: {r:?}",
            census.rx_on_ring
        ));
    }
    None
}

/// Runs a soak; `progress(offered, requested)` is called after every chunk.
/// Stops early (reporting `interrupted`) once `stop` is set.
pub fn run_soak(
    opts: &SoakOptions,
    sim: &SimOptions,
    progress: &mut dyn FnMut(u64, u64),
    stop: &AtomicBool,
) -> Result<SoakReport, RunError> {
    let wall0 = Instant::now();
    let mut scenario = opts.base.clone();
    scenario.seed = opts.seed;
    scenario.rx.load = 1.0;
    scenario.validate().map_err(RunError::Scenario)?;
    let world = World::new(sim, &scenario.nic_config(), scenario.encoder_config()).map_err(RunError::Model)?;
    let mut m = Machine::new(world, scenario.driver_config(), scenario.cpu_costs(), scenario.app_config())
        .map_err(RunError::Driver)?;
    m.world.wire.keep_digests();
    m.keep_frames = true;
    // The transmit side: seeded sizes, frames logged as handed to the
    // driver and as decoded on the wire, both taken out every chunk.
    m.tx_log = Some(Vec::new());
    m.world.keep_tx_frames = true;
    m.set_tx_frame_sizes(60, MAX_FRAME, opts.seed ^ TX_SEED);
    let tx_protocol = scenario.tx.protocol;
    let mut tx = TxChecker {
        drop_wire: opts.test_drop_tx_frame,
        corrupt_csum: opts.test_corrupt_tx_csum,
        strict_udp_zero: scenario.tx.csum_descriptor == crate::frames::CsumDescriptor::Context,
        ..TxChecker::default()
    };
    let injected = Arc::new(Mutex::new(Injected::default()));
    let plan = FaultPlan {
        seed: opts.seed,
        threshold: (opts.fault_rate.clamp(0.0, 1.0) * (1u64 << 32) as f64) as u64,
        protocol: scenario.rx.protocol,
    };
    let source = SoakSource {
        sizes: frame_sizes(&scenario.rx, opts.seed),
        frames: scenario.rx.frame_spec(opts.seed),
        payload_rng: Rng::new(opts.seed ^ PAYLOAD_SEED),
        plan,
        limit: opts.frames,
        produced: 0,
        start_ns: None,
        next_due_ns: 0.0,
        injected: Arc::clone(&injected),
    };
    m.world.set_source(Box::new(source));
    let t0 = m.now_ns();
    let mut checker = Checker {
        plan,
        stack_expected: StackExpected::default(),
        matched: 0,
        unmatched: 0,
        first_unmatched: None,
        last_seq: None,
        out_of_order: 0,
        first_out_of_order: None,
        chunks: 0,
        pool_violations: 0,
        first_pool_violation: None,
        ring_violations: 0,
        first_ring_violation: None,
        handed: 0,
        corrupt: opts.test_corrupt_delivery,
    };
    let mut interrupted = false;
    let mut dist = Disturbances::new(&m, opts.test_never_release_refill, opts.test_skip_slow_app);
    while m.world.wire.frames_enqueued() < opts.frames || m.world.enc.queued() > 0 {
        if stop.load(Ordering::Relaxed) {
            interrupted = true;
            break;
        }
        let t = m.now_ns() - t0;
        dist.step(&mut m, t, true);
        if tx_protocol == Protocol::Raw {
            // the four IP protocols in turn, one per load period
            let mixed = [Protocol::Udp4, Protocol::Tcp4, Protocol::Udp6, Protocol::Tcp6];
            let period: u64 = LOAD_PHASES.iter().map(|p| p.0).sum();
            m.set_tx_protocol(mixed[(t / period % 4) as usize]);
        }
        let until = m.now_ns() + CHUNK_NS;
        m.run_until(until);
        checker.chunk(&mut m);
        tx.chunk(&mut m);
        progress(m.world.wire.frames_started(), opts.frames);
    }
    // The traffic is over: a hold in progress is released, a slow phase ends.
    let t = m.now_ns() - t0;
    dist.step(&mut m, t, false);
    m.stop_sending();
    m.world.stop_source();
    let drain = if interrupted {
        m.with_host(|d, h| d.update_hw_stats(h));
        None
    } else {
        Some(drain_machine(&mut m, &scenario, stop, |m| {
            checker.chunk(m);
            tx.chunk(m);
            dist.step(m, 0, false);
            Ok(())
        })?)
    };
    checker.chunk(&mut m);
    tx.chunk(&mut m);
    progress(m.world.wire.frames_started(), opts.frames);

    let inj = *injected.lock().unwrap_or_else(|e| e.into_inner());
    let s = *m.driver.counters();
    let offered = m.world.wire.frames_started();
    let drops = super::report::drops_by_reason(&m);
    let drops_total: u64 = drops.iter().map(|d| d.1).sum();
    let delivered = m.app.received;
    let in_flight = offered as i64 - delivered as i64 - drops_total as i64;
    let drain_complete = drain.is_some_and(|d| d.complete);
    let mut checks = Vec::new();
    checks.push(Check {
        name: "conservation",
        passed: drain_complete && in_flight == 0 && offered == opts.frames,
        detail: format!(
            "offered {offered} (asked {}) = delivered {delivered} + drops {drops_total} + in flight {in_flight}; \
             drain {}",
            opts.frames,
            match drain {
                Some(d) if d.complete => format!("complete in {} ns", d.ns),
                Some(d) => format!("INCOMPLETE after {} ns (budget {} ns)", d.ns, d.budget_ns),
                None => "not run (interrupted)".to_string(),
            }
        ),
    });
    if opts.test_miscount_stack_drop && m.app.l4_csum_errors > 0 {
        // the mutation: one checksum drop counted under the wrong reason
        m.app.l4_csum_errors -= 1;
        m.app.ip_hdr_errors += 1;
    }
    let length_expected = inj.runt + inj.oversize;
    let rxerrc_expected = inj.error_char + inj.truncated_idle + inj.truncated_start;
    let seen_by_mac = s.gprc + s.rx_crc_errors + s.rx_length_errors + s.rxerrc;
    let e = checker.stack_expected;
    let a = &m.app;
    let stack_counted = StackExpected {
        ip_hdr_errors: a.ip_hdr_errors,
        ip_truncated: a.ip_truncated,
        l4_hdr_errors: a.l4_hdr_errors,
        l4_csum_errors: a.l4_csum_errors,
    };
    checks.push(Check {
        name: "drops_by_reason",
        passed: s.rx_crc_errors == inj.bad_fcs
            && s.rx_length_errors == length_expected
            && s.rxerrc == rxerrc_expected
            && s.gprc == inj.good_at_mac()
            && seen_by_mac == offered
            && stack_counted == e,
        detail: format!(
            "MAC: rx_crc_errors {} (injected {}), rx_length_errors {} (injected {length_expected}), rxerrc {} \
             (injected {rxerrc_expected}), good frames counted {} (sent {}); stack, of the frames handed to it: \
             ip_hdr_errors {} (injected {}), ip_truncated {} (injected {}), l4_hdr_errors {} (injected {}), \
             l4_csum_errors {} (injected {})",
            s.rx_crc_errors,
            inj.bad_fcs,
            s.rx_length_errors,
            s.rxerrc,
            s.gprc,
            inj.good_at_mac(),
            a.ip_hdr_errors,
            e.ip_hdr_errors,
            a.ip_truncated,
            e.ip_truncated,
            a.l4_hdr_errors,
            e.l4_hdr_errors,
            a.l4_csum_errors,
            e.l4_csum_errors
        ),
    });
    let d = &dist;
    checks.push(Check {
        name: "refill_pauses",
        passed: d.holds_unrecovered == 0
            && d.holds_with_alloc_failures + d.holds_cut_short == d.holds
            // a hold released just before the traffic ended, with nothing
            // delivered since, has had no traffic to recover: not judged
            && !d.refill_held,
        detail: format!(
            "{} refill holds of {} us, {} with alloc_rx_buff_failed rising (total {}), {} recovered \
             (frames reached the stack again within {} us), {} did not, {} cut short by the end of the traffic{}",
            d.holds,
            REFILL_HOLD_NS.1 / 1000,
            d.holds_with_alloc_failures,
            s.alloc_rx_buff_failed,
            d.holds_recovered,
            RECOVERY_NS / 1000,
            d.holds_unrecovered,
            d.holds_cut_short,
            if d.refill_held { "; a hold was never released" } else { "" }
        ),
    });
    checks.push(Check {
        name: "slow_app",
        passed: d.slow_wrong_cost == 0 && !d.slow && m.app_ns_per_frame() == d.base_app_ns,
        detail: format!(
            "{} slow phases of {} us at {} ns per frame (else {}): {} filled the socket (socket_rcvbuf_full \
             rose), {} charged another cost per frame read",
            d.slow_phases,
            SLOW_APP_NS.1 / 1000,
            d.slow_app_ns,
            d.base_app_ns,
            d.slow_phases_filling,
            d.slow_wrong_cost
        ),
    });
    let tx_counted = s.tx_reset_dropped;
    let census_end = m.driver.buffer_census();
    checks.push(Check {
        name: "tx_delivery",
        passed: tx.handed == m.app.tx_sent
            && tx.lost == 0
            && tx.unknown == 0
            && tx.bad_fcs == 0
            && tx.matched + tx_counted == tx.handed
            && tx.pending.len() as u64 == tx_counted
            && census_end.tx_queued == 0
            && tx.handed > 0,
        detail: format!(
            "handed to the driver {} = on the wire in order, byte-exact {} + tx_reset_dropped {tx_counted}; \
             lost {}, unknown on the wire {}, bad on the wire {}, still queued {} (at most {} in flight); \
             tx_busy {} (refused by a stopped queue, retried){}",
            tx.handed,
            tx.matched,
            tx.lost,
            tx.unknown,
            tx.bad_fcs,
            census_end.tx_queued,
            tx.most_pending,
            m.app.tx_busy,
            tx.first_problem.as_ref().map(|p| format!("; first: {p}")).unwrap_or_default()
        ),
    });
    checks.push(Check {
        name: "tx_checksums",
        passed: tx.csum_bad == 0 && tx.csum_checked == tx.matched + tx.unknown,
        detail: match &tx.first_csum_bad {
            None => format!(
                "{} IP frames on the wire, every IPv4 header and TCP/UDP checksum valid (etherparse); \
                 {} TCP/UDP checksums sent as 0x0000",
                tx.csum_checked, tx.zero_checksums
            ),
            Some(first) => format!("{} of {} with a wrong checksum (first {first})", tx.csum_bad, tx.csum_checked),
        },
    });
    checks.push(Check {
        name: "byte_exact",
        passed: checker.unmatched == 0 && checker.matched == m.app.delivered,
        detail: match checker.first_unmatched {
            None => format!(
                "{} frames handed to the stack, {} matched the wire, 0 unmatched",
                m.app.delivered, checker.matched
            ),
            Some((seq, len)) => format!(
                "{} unmatched of {} (first: seq {seq:?}, {len} bytes: no frame with these bytes was sent)",
                checker.unmatched, m.app.delivered
            ),
        },
    });
    checks.push(Check {
        name: "order",
        passed: checker.out_of_order == 0,
        detail: match checker.first_out_of_order {
            None => "sequence numbers strictly rise: no frame twice, none out of order".to_string(),
            Some((a, b)) => format!("{} times out of order or twice (first: {b} after {a})", checker.out_of_order),
        },
    });
    let census = m.driver.buffer_census();
    checks.push(Check {
        name: "buffer_pool",
        passed: checker.pool_violations == 0 && census.conserved(),
        detail: match &checker.first_pool_violation {
            None => format!("conserved at all {} chunks; at the end {census:?}", checker.chunks),
            Some(first) => format!(
                "{} of {} chunks lost or doubled a buffer (first {first})",
                checker.pool_violations, checker.chunks
            ),
        },
    });
    checks.push(Check {
        name: "ring_invariants",
        passed: checker.ring_violations == 0,
        detail: match &checker.first_ring_violation {
            None => format!("held at all {} chunks", checker.chunks),
            Some(first) => {
                format!("{} of {} chunks broke them (first {first})", checker.ring_violations, checker.chunks)
            }
        },
    });

    Ok(SoakReport {
        frames_requested: opts.frames,
        seed: opts.seed,
        frames_offered: offered,
        frames_to_stack: m.app.delivered,
        frames_delivered: delivered,
        drops,
        in_flight_at_end: in_flight,
        injected: inj,
        matched: checker.matched,
        unmatched: checker.unmatched,
        chunks_checked: checker.chunks,
        checks,
        sim_ns: m.now_ns() - t0,
        wall_seconds: wall0.elapsed().as_secs_f64(),
        interrupted,
    })
}
