//! Runs a [`Scenario`] on the co-simulated machine and reports what happened.
//!
//! The run: build the NIC and its link partner, probe the driver, start the
//! receive traffic, run `duration_us` of simulated time (the *measured
//! window*), then drain (no new frames; at most 200 us plus the longest
//! interrupt delay the scenario's coalescing allows) so that every frame on
//! the wire ends delivered or dropped, reading the device's clear-on-read
//! counters into the driver's statistics.
//!
//! Rates (`throughput_gbps`, `mpps`, `offered_gbps`, `irqs_per_sec`, `cpu`)
//! are over the measured window; frame counts and `drops` cover the whole
//! run including the drain, so that they add up:
//! `frames_offered == frames_delivered + sum(drops)`.
//!
//! With `[pcap] input` the link partner replays that capture instead of the
//! generator; frames are then matched to the wire by content for latency
//! ([`WireMatcher`]). `[pcap] output` / `delivered` files are written as the
//! run goes ([`Taps`]).
//!
//! Every field is listed in `docs/report.md`.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde::Serialize;
use verinic_sim::nic::NicError;
use verinic_sim::SimOptions;

use crate::cosim::{cycle_ns, Machine, World};
use crate::pcap::{read_capture, CapturedFrame, PcapError, PcapReplay, Taps, Timing, WireMatcher};
use crate::scenario::{FieldError, Scenario};
use crate::traffic::{self, RxTraffic, FCS_LEN};

/// How long the drain after the measured window lasts at most (ns), on top
/// of the interrupt delays the scenario allows ([`drain_budget_ns`]).
pub const DRAIN_NS: u64 = 200_000;

/// How much simulated time runs between two progress calls (ns).
const PROGRESS_CHUNK_NS: u64 = 10_000;

/// What a run measured. Field names are stable: they are the JSON keys.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Receive frames whose Start went on the wire (`World::wire_start.len()`).
    pub frames_offered: u64,
    /// Receive frames the driver handed to the stack and the socket queue
    /// took (`frames_to_stack - drops.socket_queue_full`).
    pub frames_delivered: u64,
    /// Receive frames the driver handed to the stack (`AppStats::delivered`).
    pub frames_to_stack: u64,
    /// Receive frames lost, by reason, in this order: `rx_missed_errors`
    /// (RX FIFO full, MPC), `rx_crc_errors` (CRCERRS), `rx_length_errors`
    /// (RUC + ROC), `rxerrc` (Error character, framing, preamble),
    /// `rx_errors` (dropped by the driver), `socket_queue_full`,
    /// `in_flight_at_end` (the remainder: still in the NIC or the ring when
    /// the drain ended).
    #[serde(serialize_with = "ordered_map")]
    pub drops: Vec<(&'static str, u64)>,
    /// Sum of `drops`.
    pub drops_total: u64,
    /// Whether `frames_offered == frames_delivered + drops_total` holds. It
    /// can only fail if the counters count more frames than were offered.
    pub conserved: bool,
    /// Frames on the wire that the MAC's counters do not show:
    /// `frames_offered - (gprc + rx_crc_errors + rx_length_errors + rxerrc)`.
    /// 0 when the device counted every frame exactly once; negative if it
    /// counted some twice.
    pub unaccounted: i64,
    /// Offered receive traffic in the window: bytes with FCS whose Start was
    /// in the window, x8, per second, in Gb/s.
    pub offered_gbps: f64,
    /// Delivered receive traffic: bytes with FCS of the frames handed to the
    /// stack in the window, x8, per second, in Gb/s.
    pub throughput_gbps: f64,
    /// Frames handed to the stack in the window, millions per second.
    pub mpps: f64,
    /// Latency from the frame's first byte on the wire to its hand-off to
    /// the stack.
    pub latency_ns: Latency,
    /// Interrupts the driver handled in the window.
    pub irqs: u64,
    /// `irqs` per second of the window.
    pub irqs_per_sec: f64,
    /// RNBC: times a frame waited because the ring had no free descriptor.
    pub rx_no_buffer_count: u64,
    /// Softirq rounds that ran out of budget with work left.
    pub time_squeeze: u64,
    /// Where the CPU's time went in the window.
    pub cpu: CpuReport,
    /// The transmit direction.
    pub tx: TxReport,
    /// Every driver counter under its `ethtool -S` name, whole run.
    #[serde(serialize_with = "ordered_map")]
    pub stats: Vec<(&'static str, u64)>,
    /// Length of the measured window in ns (the CPU may overshoot
    /// `duration_us` by the last piece of work).
    pub measured_ns: u64,
    /// Device clock cycles simulated, reset to end (156.25 MHz).
    pub sim_cycles: u64,
    /// Wall-clock time of the whole run, model construction included.
    pub wall_seconds: f64,
    /// `sim_cycles / wall_seconds`.
    pub sim_cycles_per_sec: f64,
    /// The scenario that ran, every field filled in.
    pub scenario: Scenario,
    /// The capture replayed and the capture files written; only when
    /// `[pcap]` is used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pcap: Option<PcapReport>,
    /// Echo mode's counters; only with `tx.echo`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub echo: Option<EchoReport>,
}

/// Capture files in and out, whole run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PcapReport {
    /// `"pcap"` or `"pcapng"`: the input's format (`None` without input).
    pub input_format: Option<&'static str>,
    /// Complete frames in the input capture.
    pub input_frames: u64,
    /// Input frames left out because the capture holds only part of them.
    pub skipped_truncated: u64,
    /// Input frames never offered: the measured window ended first.
    pub not_offered: u64,
    /// Frames written to `pcap.output` (`None` without one).
    pub output_frames: Option<u64>,
    /// Frames written to `pcap.delivered` (`None` without one).
    pub delivered_frames: Option<u64>,
}

/// Echo mode, whole run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EchoReport {
    /// Received frames sent back (`xmit` accepted them).
    pub frames_echoed: u64,
    /// Received frames not sent back: the echo FIFO was full or `xmit`
    /// refused them.
    pub dropped: u64,
    /// Still waiting to be sent back when the drain ended.
    pub pending_at_end: u64,
}

/// A latency distribution in ns (hdrhistogram, 3 significant digits).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Latency {
    /// Median.
    pub p50: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    pub p999: u64,
    /// Largest.
    pub max: u64,
    /// Mean.
    pub mean: f64,
    /// Frames measured.
    pub count: u64,
    /// Delivered frames that could not be measured (no sequence number, or
    /// one never seen on the wire). 0 unless something is wrong.
    pub unmatched: u64,
}

/// The CPU's time in the measured window, as shares and in ns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CpuReport {
    /// Share in the hard-IRQ handler.
    pub irq: f64,
    /// Share in softirq (NAPI polls).
    pub softirq: f64,
    /// Share in the application (receive consumption and transmit calls).
    pub app: f64,
    /// Share idle.
    pub idle: f64,
    /// `irq + softirq + app`.
    pub busy: f64,
    /// ns in the hard-IRQ handler.
    pub irq_ns: u64,
    /// ns in softirq.
    pub softirq_ns: u64,
    /// ns in the application.
    pub app_ns: u64,
    /// ns idle.
    pub idle_ns: u64,
}

/// The transmit direction, whole run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TxReport {
    /// Frames the application handed to the driver (accepted by `xmit`).
    pub frames_offered: u64,
    /// Good frames the link partner decoded.
    pub frames_on_wire: u64,
    /// Bad frames the link partner decoded (must be 0).
    pub bad_on_wire: u64,
    /// `xmit` calls refused because the queue was stopped (retried).
    pub tx_busy: u64,
    /// `frames_offered - frames_on_wire - bad_on_wire`: still queued at the end.
    pub in_flight_at_end: u64,
}

/// Progress of a run, for a caller that shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Simulated time of the measured window done (ns).
    pub done_ns: u64,
    /// Length of the measured window (ns).
    pub total_ns: u64,
    /// Device cycles simulated so far.
    pub cycles: u64,
    /// Wall-clock time since the run started.
    pub wall: Duration,
}

impl Progress {
    /// Simulated cycles per wall-clock second so far.
    pub fn cycles_per_sec(&self) -> f64 {
        self.cycles as f64 / self.wall.as_secs_f64().max(1e-9)
    }
}

/// Why a scenario could not run.
#[derive(Debug)]
pub enum RunError {
    /// A scenario field is out of range.
    Scenario(FieldError),
    /// The NIC model could not be built.
    Nic(NicError),
    /// The driver's probe failed.
    Driver(verinic_driver::DriverError),
    /// A capture file could not be read or written.
    Pcap(PcapError),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Scenario(e) => write!(f, "scenario: {e}"),
            RunError::Nic(e) => write!(f, "building the NIC model: {e}"),
            RunError::Driver(e) => write!(f, "driver probe: {e}"),
            RunError::Pcap(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for RunError {}

/// Runs `scenario` and reports. `progress` is called after every 10 us of
/// simulated time in the measured window.
pub fn run(scenario: &Scenario, sim: &SimOptions, progress: &mut dyn FnMut(&Progress)) -> Result<Report, RunError> {
    scenario.validate().map_err(RunError::Scenario)?;
    let wall0 = Instant::now();
    let pcap = &scenario.pcap;
    let mut capture = pcap.input.as_deref().map(read_capture).transpose().map_err(RunError::Pcap)?;
    if let Some(c) = capture.as_ref().filter(|c| c.frames.is_empty()) {
        return Err(RunError::Pcap(PcapError::Empty { path: c.path.clone(), skipped_truncated: c.skipped_truncated }));
    }
    let replay: Option<Arc<[CapturedFrame]>> = capture.as_mut().map(|c| std::mem::take(&mut c.frames).into());
    let taps = Taps::open(pcap.output.as_deref(), pcap.delivered.as_deref()).map_err(RunError::Pcap)?;
    let world = World::new(sim, &scenario.nic_config(), scenario.encoder_config()).map_err(RunError::Nic)?;
    let mut m = Machine::new(world, scenario.driver_config(), scenario.cpu_costs(), scenario.app_config())
        .map_err(RunError::Driver)?;
    taps.arm(&mut m);
    if let Some(frames) = &replay {
        m.keep_frames = true; // for the wire matcher
        m.world.set_source(Box::new(PcapReplay::new(frames.clone(), pcap.timing)));
    } else if scenario.rx.load > 0.0 {
        m.world.set_source(Box::new(RxTraffic::new(&scenario.rx, scenario.seed)));
    }
    let mut rec = Recorder { taps, matcher: replay.clone().map(WireMatcher::new), wire_seq: Vec::new() };

    let start_ns = m.now_ns();
    let total_ns = scenario.duration_us * 1000;
    let end_ns = start_ns + total_ns;
    let (cpu0, irqs0) = (m.cpu, m.app.irqs);
    while m.now_ns() < end_ns {
        let t = (m.now_ns() + PROGRESS_CHUNK_NS).min(end_ns);
        m.run_until(t);
        rec.collect(&mut m)?;
        progress(&Progress {
            done_ns: m.now_ns().min(end_ns) - start_ns,
            total_ns,
            cycles: m.world.nic.cycle(),
            wall: wall0.elapsed(),
        });
    }
    let window_end = m.now_ns();
    let measured_ns = window_end - start_ns;
    let cpu = cpu_report(&m, cpu0, measured_ns);
    let irqs = m.app.irqs - irqs0;

    drain(&mut m, drain_budget_ns(scenario));
    rec.collect(&mut m)?;
    let Recorder { taps, matcher, wire_seq } = rec;
    let written = taps.finish().map_err(RunError::Pcap)?;
    let wall = wall0.elapsed().as_secs_f64();

    let secs = measured_ns as f64 / 1e9;
    let sizes: Box<dyn Iterator<Item = usize>> = match &replay {
        Some(frames) => Box::new(frames.iter().map(|f| f.data.len() + FCS_LEN)),
        None => Box::new(traffic::frame_sizes(&scenario.rx, scenario.seed)),
    };
    let offered_bytes: u64 = m
        .world
        .wire_start
        .iter()
        .zip(sizes)
        .filter(|(&c, _)| c != u64::MAX && (start_ns..window_end).contains(&cycle_ns(c)))
        .map(|(_, len)| len as u64)
        .sum();
    let (window_frames, window_bytes) = m
        .deliveries
        .iter()
        .filter(|d| (start_ns..=window_end).contains(&d.at_ns))
        .fold((0u64, 0u64), |(n, b), d| (n + 1, b + (d.len + FCS_LEN) as u64));

    let s = *m.driver.counters();
    let offered = m.world.wire_start.len() as u64;
    let to_stack = m.app.delivered;
    let delivered = to_stack.saturating_sub(m.app.socket_drops);
    let mut drops: Vec<(&'static str, u64)> = vec![
        ("rx_missed_errors", s.rx_missed_errors),
        ("rx_crc_errors", s.rx_crc_errors),
        ("rx_length_errors", s.rx_length_errors),
        ("rxerrc", s.rxerrc),
        ("rx_errors", s.rx_errors),
        ("socket_queue_full", m.app.socket_drops),
    ];
    let counted = delivered + drops.iter().map(|(_, n)| n).sum::<u64>();
    drops.push(("in_flight_at_end", offered.saturating_sub(counted)));
    let drops_total: u64 = drops.iter().map(|(_, n)| n).sum();
    let seen_by_mac = s.gprc + s.rx_crc_errors + s.rx_length_errors + s.rxerrc;

    let tx_offered = m.app.tx_sent;
    let tx = TxReport {
        frames_offered: tx_offered,
        frames_on_wire: m.world.tx_good,
        bad_on_wire: m.world.tx_bad,
        tx_busy: m.app.tx_busy,
        in_flight_at_end: tx_offered.saturating_sub(m.world.tx_good + m.world.tx_bad),
    };

    let pcap_report = (!pcap.is_unused()).then(|| PcapReport {
        input_format: capture.as_ref().map(|c| c.format.name()),
        input_frames: replay.as_ref().map_or(0, |f| f.len() as u64),
        skipped_truncated: capture.as_ref().map_or(0, |c| c.skipped_truncated as u64),
        not_offered: replay.as_ref().map_or(0, |f| (f.len() as u64).saturating_sub(offered)),
        output_frames: written.transmitted,
        delivered_frames: written.delivered,
    });
    let echo = scenario.tx.echo.then(|| EchoReport {
        frames_echoed: m.app.echoed,
        dropped: m.app.echo_dropped,
        pending_at_end: m.echo_pending() as u64,
    });
    let latency_ns = latency(&m, matcher.is_some().then_some(wire_seq.as_slice()));

    let sim_cycles = m.world.nic.cycle();
    Ok(Report {
        frames_offered: offered,
        frames_delivered: delivered,
        frames_to_stack: to_stack,
        conserved: offered == delivered + drops_total,
        drops,
        drops_total,
        unaccounted: offered as i64 - seen_by_mac as i64,
        offered_gbps: offered_bytes as f64 * 8.0 / secs / 1e9,
        throughput_gbps: window_bytes as f64 * 8.0 / secs / 1e9,
        mpps: window_frames as f64 / secs / 1e6,
        latency_ns,
        irqs,
        irqs_per_sec: irqs as f64 / secs,
        rx_no_buffer_count: s.rx_no_buffer_count,
        time_squeeze: s.time_squeeze,
        cpu,
        tx,
        stats: m.driver.stats(),
        measured_ns,
        sim_cycles,
        wall_seconds: wall,
        sim_cycles_per_sec: sim_cycles as f64 / wall.max(1e-9),
        scenario: scenario.clone(),
        pcap: pcap_report,
        echo,
    })
}

/// Moves recorded frames out of the machine as the run goes: into the
/// capture files, and through the wire matcher when replaying a capture.
struct Recorder {
    taps: Taps,
    matcher: Option<WireMatcher>,
    /// Per delivery: the index of the captured frame it was (replay only).
    wire_seq: Vec<Option<u64>>,
}

impl Recorder {
    fn collect(&mut self, m: &mut Machine) -> Result<(), RunError> {
        let delivered = self.taps.collect(m).map_err(RunError::Pcap)?;
        if let Some(matcher) = self.matcher.as_mut() {
            self.wire_seq.extend(delivered.iter().map(|d| matcher.locate(d).map(|i| i as u64)));
        }
        Ok(())
    }
}

/// How long the drain may take: [`DRAIN_NS`], plus the longest an interrupt
/// may be held back by the ITR ceiling and the coalescing timers, so that
/// frames waiting in the ring for their interrupt are not cut off.
pub fn drain_budget_ns(scenario: &Scenario) -> u64 {
    DRAIN_NS + scenario.driver_config().coalesce.max_holdoff_ns()
}

/// Stops the traffic and runs until every frame is delivered or counted as
/// dropped by the device (read from its counters), or `budget_ns` passed.
/// Leaves the device's counters read into the driver's statistics.
///
/// [`Machine::drain`] stops once nothing was delivered for longer than the
/// interrupt delays allow; it is called again while the counters
/// show frames still in the NIC or the ring.
fn drain(m: &mut Machine, budget_ns: u64) {
    let deadline = m.now_ns() + budget_ns;
    loop {
        m.drain(deadline.saturating_sub(m.now_ns()));
        m.with_host(|d, h| d.update_hw_stats(h));
        let s = m.driver.counters();
        let offered = m.world.wire_start.len() as u64;
        let rx_done = m.world.wire_idle()
            && s.gprc + s.rx_crc_errors + s.rx_length_errors + s.rxerrc >= offered
            && m.app.delivered + s.rx_errors + s.rx_missed_errors >= s.gprc;
        let tx_done = m.world.tx_good + m.world.tx_bad >= m.app.tx_sent && m.echo_pending() == 0;
        if (rx_done && tx_done) || m.now_ns() >= deadline {
            break;
        }
    }
}

fn cpu_report(m: &Machine, before: crate::cosim::CpuTime, measured_ns: u64) -> CpuReport {
    let irq_ns = m.cpu.irq_ns - before.irq_ns;
    let softirq_ns = m.cpu.softirq_ns - before.softirq_ns;
    let app_ns = m.cpu.app_ns - before.app_ns;
    let idle_ns = m.cpu.idle_ns - before.idle_ns;
    let share = |ns: u64| ns as f64 / measured_ns.max(1) as f64;
    CpuReport {
        irq: share(irq_ns),
        softirq: share(softirq_ns),
        app: share(app_ns),
        idle: share(idle_ns),
        busy: share(irq_ns + softirq_ns + app_ns),
        irq_ns,
        softirq_ns,
        app_ns,
        idle_ns,
    }
}

/// Wire-to-stack latency of every delivered frame whose place on the wire is
/// known: by the sequence number the generator wrote into it, or, for a
/// replayed capture, by `wire_seq` (one entry per delivery, from the matcher).
fn latency(m: &Machine, wire_seq: Option<&[Option<u64>]>) -> Latency {
    // 1 ns to 1000 s, 3 significant digits; larger values saturate.
    let mut h = match Histogram::<u64>::new_with_bounds(1, 1_000_000_000_000, 3) {
        Ok(h) => h,
        Err(_) => return Latency::default(),
    };
    let mut unmatched = 0;
    for (i, d) in m.deliveries.iter().enumerate() {
        let seq = match wire_seq {
            Some(w) => w.get(i).copied().flatten(),
            None => d.seq.map(u64::from),
        };
        let start = seq.and_then(|s| m.world.wire_start.get(s as usize)).filter(|&&c| c != u64::MAX);
        match start {
            Some(&c) => h.saturating_record(d.at_ns.saturating_sub(cycle_ns(c)).max(1)),
            None => unmatched += 1,
        }
    }
    if h.is_empty() {
        return Latency { unmatched, ..Latency::default() };
    }
    Latency {
        p50: h.value_at_quantile(0.5),
        p99: h.value_at_quantile(0.99),
        p999: h.value_at_quantile(0.999),
        max: h.max(),
        mean: h.mean(),
        count: h.len(),
        unmatched,
    }
}

/// Serializes `(name, value)` pairs as a JSON object, keeping their order.
fn ordered_map<S: serde::Serializer>(pairs: &[(&'static str, u64)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(pairs.iter().map(|(k, v)| (*k, *v)))
}

impl Report {
    /// The value of drop reason `name`, 0 if there is no such reason.
    pub fn drop_count(&self, name: &str) -> u64 {
        self.drops.iter().find(|(k, _)| *k == name).map_or(0, |(_, v)| *v)
    }

    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        // Serializing plain numbers, strings and maps with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn us(ns: u64) -> String {
    format!("{:.2} us", ns as f64 / 1000.0)
}

/// What each drop reason means, for the text report.
fn drop_meaning(name: &str) -> &'static str {
    match name {
        "rx_missed_errors" => "RX FIFO full (MPC)",
        "rx_crc_errors" => "bad FCS (CRCERRS)",
        "rx_length_errors" => "runt or oversize (RUC + ROC)",
        "rxerrc" => "Error char, framing, preamble (RXERRC)",
        "rx_errors" => "dropped by the driver",
        "socket_queue_full" => "application too slow",
        "in_flight_at_end" => "still in NIC or ring after the drain",
        _ => "",
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sc = &self.scenario;
        let secs = self.measured_ns as f64 / 1e9;
        writeln!(
            f,
            "verinic run: link partner -> NIC (RTL) -> driver -> application, {} us, seed {}",
            sc.duration_us, sc.seed
        )?;
        writeln!(f, "receive")?;
        match (&sc.pcap.input, &self.pcap) {
            (Some(input), Some(p)) => {
                writeln!(
                    f,
                    "  capture                {:>12}  frames from {} ({}), timing {}",
                    p.input_frames,
                    input.display(),
                    p.input_format.unwrap_or("?"),
                    sc.pcap.timing
                )?;
                if sc.pcap.timing == Timing::Rate {
                    writeln!(f, "  offered load           {:>12.2}  of 10G", sc.rx.load)?;
                }
                if p.skipped_truncated > 0 {
                    writeln!(
                        f,
                        "  skipped, truncated     {:>12}  captured frames cut short by the snaplen",
                        p.skipped_truncated
                    )?;
                }
                if p.not_offered > 0 {
                    writeln!(
                        f,
                        "  not offered            {:>12}  the window ended first (raise --duration-us)",
                        p.not_offered
                    )?;
                }
            }
            _ => {
                let mut sizes = sc.rx.frame_sizes.clone();
                sizes.sort_unstable();
                sizes.dedup();
                writeln!(f, "  offered load           {:>12.2}  of 10G; frame sizes {:?}", sc.rx.load, sizes)?;
            }
        }
        writeln!(
            f,
            "  frames offered         {:>12}  ({:.3} Gb/s on the wire, FCS included)",
            self.frames_offered, self.offered_gbps
        )?;
        writeln!(f, "  frames to the stack    {:>12}  (handed over by the driver)", self.frames_to_stack)?;
        writeln!(
            f,
            "  frames delivered       {:>12}  (taken by the application's socket queue)",
            self.frames_delivered
        )?;
        writeln!(f, "  drops                  {:>12}", self.drops_total)?;
        for (name, n) in &self.drops {
            writeln!(f, "    {name:<20} {n:>12}  {}", drop_meaning(name))?;
        }
        writeln!(
            f,
            "  check: offered = delivered + drops: {} = {} + {}  {}",
            self.frames_offered,
            self.frames_delivered,
            self.drops_total,
            if self.conserved { "ok" } else { "MISMATCH" }
        )?;
        if self.unaccounted != 0 {
            writeln!(
                f,
                "  unaccounted            {:>12}  frames on the wire the MAC counters do not show",
                self.unaccounted
            )?;
        }
        writeln!(
            f,
            "  throughput to stack    {:>12.3} Gb/s (FCS included), {:.3} Mpps, handed over in the window",
            self.throughput_gbps, self.mpps
        )?;
        let l = &self.latency_ns;
        writeln!(f, "latency, first byte on the wire -> stack ({} frames)", l.count)?;
        writeln!(f, "  p50                    {:>12}", us(l.p50))?;
        writeln!(f, "  p99                    {:>12}", us(l.p99))?;
        writeln!(f, "  p99.9                  {:>12}", us(l.p999))?;
        writeln!(f, "  max                    {:>12}", us(l.max))?;
        writeln!(f, "  mean                   {:>12}", us(l.mean.round() as u64))?;
        if l.unmatched != 0 {
            writeln!(f, "  unmatched              {:>12}  delivered frames without a wire record", l.unmatched)?;
        }
        writeln!(f, "transmit")?;
        let t = &self.tx;
        match &self.echo {
            Some(e) => {
                writeln!(
                    f,
                    "  frames offered         {:>12}  (echo: every received frame sent back)",
                    t.frames_offered
                )?;
                if e.dropped + e.pending_at_end > 0 {
                    writeln!(f, "  echo dropped, pending  {:>12}  {}", e.dropped, e.pending_at_end)?;
                }
            }
            None => writeln!(
                f,
                "  frames offered         {:>12}  ({} frames/s of {} bytes asked)",
                t.frames_offered, sc.tx.frames_per_sec, sc.tx.frame_size
            )?,
        }
        writeln!(f, "  frames on the wire     {:>12}", t.frames_on_wire)?;
        writeln!(f, "  bad on the wire        {:>12}", t.bad_on_wire)?;
        writeln!(f, "  tx_busy                {:>12}", t.tx_busy)?;
        writeln!(f, "  in flight at end       {:>12}", t.in_flight_at_end)?;
        writeln!(f, "host")?;
        writeln!(f, "  interrupts             {:>12}  ({:.0}/s)", self.irqs, self.irqs_per_sec)?;
        writeln!(f, "  rx_no_buffer_count     {:>12}", self.rx_no_buffer_count)?;
        writeln!(f, "  time_squeeze           {:>12}", self.time_squeeze)?;
        let c = &self.cpu;
        writeln!(
            f,
            "  cpu busy               {:>12}  (irq {}, softirq {}, app {}; idle {})",
            pct(c.busy),
            pct(c.irq),
            pct(c.softirq),
            pct(c.app),
            pct(c.idle)
        )?;
        writeln!(f, "driver counters (ethtool -S, nonzero)")?;
        for (name, v) in self.stats.iter().filter(|(_, v)| *v != 0) {
            writeln!(f, "  {name:<22} {v:>12}")?;
        }
        if let Some(p) = &self.pcap {
            let files = [
                ("transmitted", &sc.pcap.output, p.output_frames),
                ("delivered", &sc.pcap.delivered, p.delivered_frames),
            ];
            if files.iter().any(|(_, path, _)| path.is_some()) {
                writeln!(f, "capture files written")?;
            }
            for (what, path, n) in files {
                if let (Some(path), Some(n)) = (path, n) {
                    writeln!(f, "  {what:<22} {n:>12}  frames to {}", path.display())?;
                }
            }
        }
        writeln!(f, "simulation")?;
        writeln!(f, "  measured window        {:>12}  ({:.1} us)", self.measured_ns, secs * 1e6)?;
        writeln!(f, "  cycles                 {:>12}  (156.25 MHz, reset to end of drain)", self.sim_cycles)?;
        writeln!(f, "  wall                   {:>12.2} s", self.wall_seconds)?;
        write!(f, "  speed                  {:>12.0} cycles/s", self.sim_cycles_per_sec)
    }
}
