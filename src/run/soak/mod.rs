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

mod checks;
mod traffic;
mod tx;

use checks::{Checker, Disturbances};
pub use traffic::Injected;
use traffic::{FaultKind, FaultPlan, SoakSource, StackExpected};
use tx::TxChecker;

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
    let mut dist =
        Disturbances::new(&m, scenario.cpu.recv_batch, opts.test_never_release_refill, opts.test_skip_slow_app);
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
    let seen_by_mac = s.frames_seen_by_mac();
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
            && s.gprc + s.rx_discarded == inj.good_at_mac()
            && seen_by_mac == offered
            && stack_counted == e,
        detail: format!(
            "MAC: rx_crc_errors {} (injected {}), rx_length_errors {} (injected {length_expected}), rxerrc {} \
             (injected {rxerrc_expected}), good frames counted {} + discarded {} (sent {}); stack, of the frames handed to it: \
             ip_hdr_errors {} (injected {}), ip_truncated {} (injected {}), l4_hdr_errors {} (injected {}), \
             l4_csum_errors {} (injected {})",
            s.rx_crc_errors,
            inj.bad_fcs,
            s.rx_length_errors,
            s.rxerrc,
            s.gprc,
            s.rx_discarded,
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
            && d.holds_with_alloc_failures + d.holds_cut_short + d.holds_idle == d.holds
            // a hold released just before the traffic ended, with nothing
            // delivered since, has had no traffic to recover: not judged
            && !m.driver.rx_refill_held(),
        detail: format!(
            "{} refill holds of {} us, {} with alloc_rx_buff_failed rising (total {}), {} recovered \
             (frames reached the stack again within {} us), {} did not, {} cut short by the end of the traffic, \
             {} with no frame cleaned (no refill tried: the receive path halted by a DMA error){}",
            d.holds,
            REFILL_HOLD_NS.1 / 1000,
            d.holds_with_alloc_failures,
            s.alloc_rx_buff_failed,
            d.holds_recovered,
            RECOVERY_NS / 1000,
            d.holds_unrecovered,
            d.holds_cut_short,
            d.holds_idle,
            if m.driver.rx_refill_held() { "; a hold was never released" } else { "" }
        ),
    });
    checks.push(Check {
        name: "slow_app",
        passed: d.slow_too_fast == 0 && !d.slow && m.app_ns_per_frame() == d.base_app_ns,
        detail: format!(
            "{} slow phases of {} us at {} ns per frame (else {}): {} filled the socket (socket_rcvbuf_full \
             rose), {} read more frames than the phase's time pays for at that cost",
            d.slow_phases,
            SLOW_APP_NS.1 / 1000,
            d.slow_app_ns,
            d.base_app_ns,
            d.slow_phases_filling,
            d.slow_too_fast
        ),
    });
    // Frames that never came out: skipped over by a later one, or still
    // pending at the end. Only a reset may lose them, and the driver counts
    // exactly those (tx_reset_lost).
    let tx_counted = s.tx_reset_lost;
    let missing = tx.lost + tx.pending.len() as u64;
    let census_end = m.driver.buffer_census();
    checks.push(Check {
        name: "tx_delivery",
        passed: tx.handed == m.app.tx_sent
            && missing == tx_counted
            && tx.unknown == 0
            && tx.bad_fcs == 0
            && tx.matched + tx_counted == tx.handed
            && census_end.tx_queued == 0
            && tx.handed > 0,
        detail: format!(
            "handed to the driver {} = on the wire in order, byte-exact {} + lost in resets {tx_counted} \
             (tx_reset_lost); never came out {}, unknown on the wire {}, bad on the wire {}, still queued {} \
             (at most {} in flight); \
             tx_busy {} (refused by a stopped queue, retried){}",
            tx.handed,
            tx.matched,
            missing,
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
                 {} UDP checksums sent as 0x0000",
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
