//! `verinic soak`: a long seeded run of mixed good and faulty receive
//! traffic, with checks running all the way (docs/soak.md).
//!
//! The traffic: frames from the base scenario's `[rx]` section (sizes,
//! protocol, flows), paced by a repeating schedule of load phases (steady,
//! a line-rate burst beyond what the ring and the FIFO hold, quiet), and a
//! seeded share of them ([`SoakOptions::fault_rate`]) faulty, drawn from the
//! link partner's fault kinds: bad FCS, runts, oversize frames, an Error
//! character, a frame cut off by Idle or by the next Start.
//!
//! The checks, in bounded memory (nothing is kept per frame beyond one
//! chunk of [`CHUNK_NS`] and the bounded [`WireLog`](crate::cosim::WireLog)):
//!
//! - **conservation**: after the drain, frames offered = delivered to the
//!   application + drops by reason, nothing left in flight;
//! - **drops by reason**: the MAC's counts per reason equal the faults
//!   injected of that kind, and every good frame is counted once as good;
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
use crate::frames::{Direction, FrameSpec, MAX_FRAME};
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

/// Seeds of the fault draw, apart from the sizes and payloads.
const FAULT_SEED: u64 = 0x534F_414B_4641_554C;
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
}

/// The seeded soak traffic: load phases, sizes and payloads from `[rx]`,
/// faults at a seeded rate; stops after a set number of frames.
struct SoakSource {
    sizes: FrameSizes,
    frames: FrameSpec,
    payload_rng: Rng,
    fault_rng: Rng,
    /// Fault rate in parts per 2^32.
    fault_threshold: u64,
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

    /// The frame and its fault, counted by kind.
    fn make(&mut self, seq: u32) -> TxFrame {
        let len = self.sizes.next().unwrap_or(64) - FCS_LEN;
        let mut bytes = self.frames.build(Direction::ToHost, len, seq, &mut self.payload_rng);
        let faulty = (self.fault_rng.next_u64() >> 32) < self.fault_threshold;
        let mut inj = self.injected.lock().unwrap_or_else(|e| e.into_inner());
        if !faulty {
            inj.good += 1;
            return TxFrame::new(bytes);
        }
        let with_fcs = bytes.len() + FCS_LEN;
        match self.fault_rng.range(0, 5) {
            0 => {
                inj.bad_fcs += 1;
                TxFrame::with_fault(bytes, Fault::BadFcs)
            }
            1 => {
                inj.runt += 1;
                // 20..=59 bytes with FCS: short of the 64-byte minimum.
                bytes.truncate(self.fault_rng.range(16, 55));
                TxFrame::new(bytes)
            }
            2 => {
                inj.oversize += 1;
                let extra = self.fault_rng.range(MAX_FRAME + 20, MAX_FRAME + 500);
                bytes.resize(extra, 0xA5);
                TxFrame::new(bytes)
            }
            3 => {
                inj.error_char += 1;
                let offset = self.fault_rng.range(14, with_fcs - 1);
                TxFrame::with_fault(bytes, Fault::ErrorChar { offset })
            }
            4 => {
                inj.truncated_idle += 1;
                let len = self.fault_rng.range(14, with_fcs - 1);
                TxFrame::with_fault(bytes, Fault::TruncateToIdle { len })
            }
            _ => {
                inj.truncated_start += 1;
                let len = self.fault_rng.range(14, with_fcs - 1);
                TxFrame::with_fault(bytes, Fault::TruncateToStart { len })
            }
        }
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
#[derive(Default)]
struct Checker {
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
    let injected = Arc::new(Mutex::new(Injected::default()));
    let source = SoakSource {
        sizes: frame_sizes(&scenario.rx, opts.seed),
        frames: scenario.rx.frame_spec(opts.seed),
        payload_rng: Rng::new(opts.seed ^ PAYLOAD_SEED),
        fault_rng: Rng::new(opts.seed ^ FAULT_SEED),
        fault_threshold: (opts.fault_rate.clamp(0.0, 1.0) * (1u64 << 32) as f64) as u64,
        limit: opts.frames,
        produced: 0,
        start_ns: None,
        next_due_ns: 0.0,
        injected: Arc::clone(&injected),
    };
    m.world.set_source(Box::new(source));
    let t0 = m.now_ns();
    let mut checker = Checker { corrupt: opts.test_corrupt_delivery, ..Checker::default() };
    let mut interrupted = false;
    while m.world.wire.frames_enqueued() < opts.frames || m.world.enc.queued() > 0 {
        if stop.load(Ordering::Relaxed) {
            interrupted = true;
            break;
        }
        let until = m.now_ns() + CHUNK_NS;
        m.run_until(until);
        checker.chunk(&mut m);
        progress(m.world.wire.frames_started(), opts.frames);
    }
    m.stop_sending();
    m.world.stop_source();
    let drain = if interrupted {
        m.with_host(|d, h| d.update_hw_stats(h));
        None
    } else {
        Some(drain_machine(&mut m, &scenario, stop, |m| {
            checker.chunk(m);
            Ok(())
        })?)
    };
    checker.chunk(&mut m);
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
    let length_expected = inj.runt + inj.oversize;
    let rxerrc_expected = inj.error_char + inj.truncated_idle + inj.truncated_start;
    let seen_by_mac = s.gprc + s.rx_crc_errors + s.rx_length_errors + s.rxerrc;
    checks.push(Check {
        name: "drops_by_reason",
        passed: s.rx_crc_errors == inj.bad_fcs
            && s.rx_length_errors == length_expected
            && s.rxerrc == rxerrc_expected
            && s.gprc == inj.good
            && seen_by_mac == offered,
        detail: format!(
            "rx_crc_errors {} (injected {}), rx_length_errors {} (injected {length_expected}), rxerrc {} \
             (injected {rxerrc_expected}), good frames counted {} (sent {})",
            s.rx_crc_errors, inj.bad_fcs, s.rx_length_errors, s.rxerrc, s.gprc, inj.good
        ),
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
