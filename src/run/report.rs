//! Turns what a run measured ([`Finished`], [`Measure`]) into a [`Report`]:
//! the numbers a user reads, as a table ([`fmt::Display`]) or JSON.
//!
//! Rates (`throughput_gbps`, `mpps`, `offered_gbps`, `irqs_per_sec`, `cpu`)
//! are over the measured window; frame counts, `drops` and
//! `in_flight_at_end` cover the whole run including the drain, so that they
//! add up: `frames_offered == frames_delivered + drops_total + in_flight_at_end`.
//!
//! Every field is listed in `docs/report.md`.

use std::fmt;

use serde::Serialize;

use super::measure::{Latency, Measure};
use super::runner::{DrainOutcome, Finished};
use super::scenario::Scenario;
use crate::cosim::{ChecksumCounts, CpuTime, Machine, TxNotSentReason};
use crate::pcap::{TapCounts, Timing};

/// What a run measured. Field names are stable: they are the JSON keys.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Receive frames whose Start went on the wire. They depend on the
    /// scenario alone (load, sizes, seed, duration), not on the CPU model.
    pub frames_offered: u64,
    /// Receive frames the application read from its socket.
    pub frames_delivered: u64,
    /// Receive frames the driver handed to the stack (`AppStats::delivered`).
    pub frames_to_stack: u64,
    /// Receive frames lost, by reason, in the order of [`DROPS`] (the
    /// device's counters, the driver's, the host's; the stack's header
    /// checks are [`crate::cosim::stack::check_headers`]).
    #[serde(serialize_with = "ordered_map")]
    pub drops: Vec<(&'static str, u64)>,
    /// Sum of `drops`.
    pub drops_total: u64,
    /// Receive frames neither delivered nor dropped when the run ended:
    /// still in the NIC, the ring or on the wire (the drain was cut short,
    /// or the run was interrupted). Not a drop: nothing counted them lost.
    pub in_flight_at_end: u64,
    /// Whether `frames_offered == frames_delivered + drops_total +
    /// in_flight_at_end` holds. It can only fail if the counters count more
    /// frames than were offered.
    pub conserved: bool,
    /// Frames on the wire that the MAC's counters do not show:
    /// `frames_offered - (gprc + rx_crc_errors + rx_length_errors + rxerrc)`.
    /// 0 when the device counted every frame exactly once; negative if it
    /// counted some twice.
    pub unaccounted: i64,
    /// Offered receive traffic in the window: bytes with FCS whose Start was
    /// in the window (device time, `duration_us` from the probe), x8, per
    /// second, in Gb/s.
    pub offered_gbps: f64,
    /// Offered receive frames in the window, millions per second.
    pub offered_mpps: f64,
    /// Delivered receive traffic: bytes with FCS of the frames handed to the
    /// stack in the window, x8, per second, in Gb/s.
    pub throughput_gbps: f64,
    /// Frames handed to the stack in the window, millions per second.
    pub mpps: f64,
    /// Frames the application read in the window, millions per second: the
    /// delivered rate that receive livelock drives toward zero.
    pub app_mpps: f64,
    /// Interrupts handled per million frames the driver received in the
    /// window (handed to the stack or its backlog; Linux's NAPI_HOWTO.txt
    /// reports the same ratio); 0 when none was received.
    pub irqs_per_million_frames: f64,
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
    /// Checksum verdicts, whole run: the NIC's on received frames (from
    /// their descriptors), and how sent IP frames got their checksums.
    pub checksums: ChecksumCounts,
    /// Every driver counter under its `ethtool -S` name, whole run.
    #[serde(serialize_with = "ordered_map")]
    pub stats: Vec<(&'static str, u64)>,
    /// Length of the measured window in ns (the CPU may overshoot
    /// `duration_us` by the last piece of work; an interrupted run is shorter).
    pub measured_ns: u64,
    /// How the drain after the window ended (`null` when interrupted first).
    pub drain: Option<DrainOutcome>,
    /// The run was stopped early (Ctrl-C): the window is cut short and the
    /// figures cover what ran.
    pub interrupted: bool,
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
    /// Input frames shorter than 60 bytes: padded to 60 on the wire, or
    /// sent as runts with `pcap.runts`.
    pub short_frames: u64,
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

/// The CPU's time in the measured window, as shares and in ns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CpuReport {
    /// Share in the hard-IRQ handler.
    pub irq: f64,
    /// Share in softirq run at interrupt exit (NAPI polls or the legacy
    /// backlog, and the stack above them).
    pub softirq: f64,
    /// Share in the ksoftirqd thread (the same work, handed over).
    pub ksoftirqd: f64,
    /// Share in the application (receive calls, its own work, transmit calls).
    pub app: f64,
    /// Share idle.
    pub idle: f64,
    /// `irq + softirq + ksoftirqd + app`.
    pub busy: f64,
    /// ns in the hard-IRQ handler.
    pub irq_ns: u64,
    /// ns in softirq at interrupt exit.
    pub softirq_ns: u64,
    /// ns in ksoftirqd.
    pub ksoftirqd_ns: u64,
    /// ns in the application: the sum of the five `app_*_ns` below.
    pub app_ns: u64,
    /// Application: receive syscall entry and exit.
    pub app_syscall_ns: u64,
    /// Application: the stack's share of its receive calls (socket dequeue).
    pub app_stack_ns: u64,
    /// Application: copying received data to user space.
    pub app_copy_ns: u64,
    /// Application: its own work per frame read (`cpu.app_rx_ns_per_frame`).
    pub app_work_ns: u64,
    /// Application: the transmit path of the frames it sends or echoes.
    pub app_tx_ns: u64,
    /// ns idle.
    pub idle_ns: u64,
}

/// The transmit direction, whole run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TxReport {
    /// Frames the application handed to the driver (accepted by `xmit`).
    pub frames_offered: u64,
    /// Frames the application meant to send by its schedule
    /// (`tx.frames_per_sec`) but never handed to the driver.
    pub not_sent: u64,
    /// Why: `"no_cpu_time"` or `"queue_stopped"` (`null` when `not_sent` is 0).
    pub not_sent_reason: Option<TxNotSentReason>,
    /// Good frames the link partner decoded.
    pub frames_on_wire: u64,
    /// Bad frames the link partner decoded (must be 0).
    pub bad_on_wire: u64,
    /// `xmit` calls refused because the queue was stopped (retried).
    pub tx_busy: u64,
    /// Frames queued and not completed when the driver reset the device (a
    /// DMA error or a TX timeout): their buffers freed unsent
    /// (`tx_reset_dropped`).
    pub reset_dropped: u64,
    /// Frames lost in resets: done with by the driver (completed or
    /// dropped) but never on the wire (`tx_reset_lost`).
    pub reset_lost: u64,
    /// TX timeouts the driver's watchdog found (`tx_timeout_count`), each
    /// followed by a reset.
    pub tx_timeouts: u64,
    /// `frames_offered - frames_on_wire - bad_on_wire - reset_lost`:
    /// still queued at the end.
    pub in_flight_at_end: u64,
    /// IP frames handed over as CHECKSUM_PARTIAL, for the NIC to insert
    /// their checksums (`driver.tx_checksumming` on; = `checksums.tx_offloaded`).
    pub csum_offloaded: u64,
}

impl Report {
    /// The report of `scenario`'s run: its end state `run`, the measurements
    /// `measure` took along the way, and the capture files `taps` wrote.
    pub fn new(scenario: &Scenario, run: &Finished, measure: &Measure, taps: TapCounts) -> Report {
        let m = &run.machine;
        let measured_ns = run.window_ns.end - run.window_ns.start;
        let secs = measured_ns as f64 / 1e9;
        // Offered traffic is counted in device time over the planned window
        // (the CPU's window may overshoot it by the last piece of work).
        let offered_secs = measured_ns.min(scenario.duration_us * 1000).max(1) as f64 / 1e9;
        let s = *m.driver.counters();
        let offered = m.world.wire.frames_started();
        let to_stack = m.app.delivered;
        let delivered = m.app.received;
        let drops = drops_by_reason(m);
        let drops_total: u64 = drops.iter().map(|(_, n)| n).sum();
        let in_flight_at_end = offered.saturating_sub(delivered + drops_total);
        let seen_by_mac = s.frames_seen_by_mac();
        let tx_offered = m.app.tx_sent;
        let tx = TxReport {
            frames_offered: tx_offered,
            not_sent: run.tx_not_sent.frames,
            not_sent_reason: run.tx_not_sent.reason,
            frames_on_wire: m.world.tx_good,
            bad_on_wire: m.world.tx_bad,
            tx_busy: m.app.tx_busy,
            reset_dropped: s.tx_reset_dropped,
            reset_lost: s.tx_reset_lost,
            tx_timeouts: s.tx_timeout_count,
            in_flight_at_end: tx_offered.saturating_sub(m.world.tx_good + m.world.tx_bad + s.tx_reset_lost),
            csum_offloaded: m.app.checksums.tx_offloaded,
        };
        let pcap = (!scenario.pcap.is_unused()).then(|| PcapReport {
            input_format: run.replay.as_ref().map(|r| r.format.name()),
            input_frames: run.replay.as_ref().map_or(0, |r| r.frames),
            skipped_truncated: run.replay.as_ref().map_or(0, |r| r.skipped_truncated),
            short_frames: run.replay.as_ref().map_or(0, |r| r.short_frames),
            not_offered: run.replay.as_ref().map_or(0, |r| r.frames.saturating_sub(offered)),
            output_frames: taps.transmitted,
            delivered_frames: taps.delivered,
        });
        let echo = scenario.tx.echo.then(|| EchoReport {
            frames_echoed: m.app.echoed,
            dropped: m.app.echo_dropped,
            pending_at_end: m.echo_pending() as u64,
        });
        let sim_cycles = m.world.nic.cycle();
        let wall = run.wall.as_secs_f64();
        Report {
            frames_offered: offered,
            frames_delivered: delivered,
            frames_to_stack: to_stack,
            conserved: offered == delivered + drops_total + in_flight_at_end,
            drops,
            drops_total,
            in_flight_at_end,
            unaccounted: offered as i64 - seen_by_mac as i64,
            offered_gbps: m.world.wire.window_bytes() as f64 * 8.0 / offered_secs / 1e9,
            offered_mpps: m.world.wire.window_frames() as f64 / offered_secs / 1e6,
            throughput_gbps: measure.window_bytes() as f64 * 8.0 / secs.max(1e-12) / 1e9,
            mpps: measure.window_frames() as f64 / secs.max(1e-12) / 1e6,
            app_mpps: run.received_in_window as f64 / secs.max(1e-12) / 1e6,
            irqs_per_million_frames: if run.rx_packets_in_window == 0 {
                0.0
            } else {
                run.irqs_in_window as f64 * 1e6 / run.rx_packets_in_window as f64
            },
            latency_ns: measure.latency(),
            irqs: run.irqs_in_window,
            irqs_per_sec: run.irqs_in_window as f64 / secs.max(1e-12),
            rx_no_buffer_count: s.rx_no_buffer_count,
            time_squeeze: s.time_squeeze,
            cpu: CpuReport::new(run.cpu_in_window, measured_ns),
            tx,
            checksums: m.app.checksums,
            stats: m.driver.stats(),
            measured_ns,
            drain: run.drain,
            interrupted: run.interrupted,
            sim_cycles,
            wall_seconds: wall,
            sim_cycles_per_sec: sim_cycles as f64 / wall.max(1e-9),
            scenario: scenario.clone(),
            pcap,
            echo,
        }
    }
}

impl Report {
    /// A report with every field present and every figure 0: what a run of
    /// `scenario` reports, without running it (to check names against).
    pub fn template(scenario: &Scenario) -> Report {
        Report {
            frames_offered: 0,
            frames_delivered: 0,
            frames_to_stack: 0,
            drops: DROP_REASONS.iter().map(|&r| (r, 0)).collect(),
            drops_total: 0,
            in_flight_at_end: 0,
            conserved: true,
            unaccounted: 0,
            offered_gbps: 0.0,
            offered_mpps: 0.0,
            throughput_gbps: 0.0,
            mpps: 0.0,
            app_mpps: 0.0,
            irqs_per_million_frames: 0.0,
            latency_ns: Latency::default(),
            irqs: 0,
            irqs_per_sec: 0.0,
            rx_no_buffer_count: 0,
            time_squeeze: 0,
            cpu: CpuReport::default(),
            tx: TxReport::default(),
            checksums: ChecksumCounts::default(),
            stats: verinic_driver::Stats::default().list(),
            measured_ns: 0,
            drain: Some(DrainOutcome::default()),
            interrupted: false,
            sim_cycles: 0,
            wall_seconds: 0.0,
            sim_cycles_per_sec: 0.0,
            scenario: scenario.clone(),
            pcap: None,
            echo: None,
        }
    }
}

/// Every drop reason, in the report's order (the device's, the driver's,
/// the stack's), with what it means in the text report (docs/report.md,
/// `drops`): the one list the report, the soak, results.csv and the plots
/// follow.
pub const DROPS: [(&str, &str); 13] = [
    ("rx_missed_errors", "RX FIFO full (MPC)"),
    ("rx_discarded", "receiver off or device in reset (VN_RXDISC)"),
    ("rx_crc_errors", "bad FCS (CRCERRS)"),
    ("rx_length_errors", "runt or oversize (RUC + ROC)"),
    ("rxerrc", "Error char, framing, preamble (RXERRC)"),
    ("rx_errors", "dropped by the driver"),
    ("backlog_full", "legacy backlog full (netdev_max_backlog)"),
    ("socket_rcvbuf_full", "socket receive buffer full (rmem)"),
    ("rx_reset_lost", "lost in a device reset (DMA error, TX timeout)"),
    ("ip_hdr_errors", "bad IP header or IPv4 checksum (InHdrErrors)"),
    ("ip_truncated", "IP length beyond the frame (InTruncatedPkts)"),
    ("l4_hdr_errors", "bad UDP length, cut TCP header (InErrors)"),
    ("l4_csum_errors", "bad TCP/UDP checksum (InCsumErrors)"),
];

/// The keys of [`DROPS`], in order.
pub const DROP_REASONS: [&str; DROPS.len()] = {
    let mut keys = [""; DROPS.len()];
    let mut i = 0;
    while i < DROPS.len() {
        keys[i] = DROPS[i].0;
        i += 1;
    }
    keys
};

/// Every receive frame lost so far, by reason, in the report's order: the
/// device's counters (read into the driver's), the driver's, the host's.
pub fn drops_by_reason(m: &Machine) -> Vec<(&'static str, u64)> {
    let s = m.driver.counters();
    let counts = [
        s.rx_missed_errors,
        s.rx_discarded,
        s.rx_crc_errors,
        s.rx_length_errors,
        s.rxerrc,
        s.rx_errors,
        s.backlog_full,
        m.app.socket_rcvbuf_full,
        s.rx_reset_lost,
        m.app.ip_hdr_errors,
        m.app.ip_truncated,
        m.app.l4_hdr_errors,
        m.app.l4_csum_errors,
    ];
    DROP_REASONS.into_iter().zip(counts).collect()
}

impl CpuReport {
    /// Shares of `measured_ns` from the CPU time spent in the window.
    fn new(t: CpuTime, measured_ns: u64) -> Self {
        let share = |ns: u64| ns as f64 / measured_ns.max(1) as f64;
        CpuReport {
            irq: share(t.irq_ns),
            softirq: share(t.softirq_ns),
            ksoftirqd: share(t.ksoftirqd_ns),
            app: share(t.app_ns),
            idle: share(t.idle_ns),
            busy: share(t.irq_ns + t.softirq_ns + t.ksoftirqd_ns + t.app_ns),
            irq_ns: t.irq_ns,
            softirq_ns: t.softirq_ns,
            ksoftirqd_ns: t.ksoftirqd_ns,
            app_ns: t.app_ns,
            app_syscall_ns: t.app_syscall_ns,
            app_stack_ns: t.app_stack_ns,
            app_copy_ns: t.app_copy_ns,
            app_work_ns: t.app_work_ns,
            app_tx_ns: t.app_tx_ns,
            idle_ns: t.idle_ns,
        }
    }
}

/// `64 x7, 576 x3, 1518 x1`: the distinct sizes of a list with how often
/// each appears (the weights of the uniform draw).
fn size_mix(sizes: &[usize]) -> String {
    let mut distinct = sizes.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let parts: Vec<String> =
        distinct.iter().map(|&d| format!("{d} x{}", sizes.iter().filter(|&&x| x == d).count())).collect();
    parts.join(", ")
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
    DROPS.iter().find(|d| d.0 == name).map_or("", |d| d.1)
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
        if self.interrupted {
            writeln!(
                f,
                "INTERRUPTED after {:.1} us of {} us: partial figures, no drain (frames still inside are in flight)",
                secs * 1e6,
                sc.duration_us
            )?;
        }
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
                if p.short_frames > 0 {
                    let how = if sc.pcap.runts { "sent short as runts (pcap.runts)" } else { "padded to 60 bytes" };
                    writeln!(f, "  shorter than 60 bytes  {:>12}  {how}", p.short_frames)?;
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
                writeln!(f, "  offered load           {:>12.2}  of 10G", sc.rx.load)?;
                writeln!(
                    f,
                    "  frame sizes            {:>12}  (bytes with FCS x weight: {})",
                    sc.rx.frame_sizes.len(),
                    size_mix(&sc.rx.frame_sizes)
                )?;
            }
        }
        writeln!(
            f,
            "  frames offered         {:>12}  ({:.3} Gb/s on the wire, FCS included; {:.3} Mpps)",
            self.frames_offered, self.offered_gbps, self.offered_mpps
        )?;
        writeln!(f, "  frames to the stack    {:>12}  (handed over by the driver)", self.frames_to_stack)?;
        writeln!(f, "  frames delivered       {:>12}  (read by the application)", self.frames_delivered)?;
        writeln!(f, "  drops                  {:>12}", self.drops_total)?;
        for (name, n) in &self.drops {
            writeln!(f, "    {name:<20} {n:>12}  {}", drop_meaning(name))?;
        }
        writeln!(
            f,
            "  in flight at end       {:>12}  (still in the NIC, the ring or on the wire; not drops)",
            self.in_flight_at_end
        )?;
        writeln!(
            f,
            "  check: offered = delivered + drops + in flight: {} = {} + {} + {}  {}",
            self.frames_offered,
            self.frames_delivered,
            self.drops_total,
            self.in_flight_at_end,
            if self.conserved { "ok" } else { "MISMATCH" }
        )?;
        match &self.drain {
            Some(d) if d.complete => {
                writeln!(f, "  drain                  {:>12}  every frame accounted for", us(d.ns))?
            }
            Some(d) => writeln!(
                f,
                "  drain                  {:>12}  CUT SHORT at its budget of {}: {} receive and {} transmit frames still in flight",
                us(d.ns),
                us(d.budget_ns),
                self.in_flight_at_end,
                self.tx.in_flight_at_end
            )?,
            None => writeln!(f, "  drain                  {:>12}  skipped: the run was interrupted", "-")?,
        }
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
        writeln!(f, "  application reads      {:>12.3} Mpps in the window", self.app_mpps)?;
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
            None => {
                writeln!(
                    f,
                    "  frames offered         {:>12}  ({} frames/s of {} bytes asked)",
                    t.frames_offered, sc.tx.frames_per_sec, sc.tx.frame_size
                )?;
                if let Some(reason) = t.not_sent_reason {
                    writeln!(f, "  not sent               {:>12}  {}", t.not_sent, reason.meaning())?;
                }
            }
        }
        writeln!(f, "  frames on the wire     {:>12}", t.frames_on_wire)?;
        writeln!(f, "  bad on the wire        {:>12}", t.bad_on_wire)?;
        writeln!(f, "  tx_busy                {:>12}", t.tx_busy)?;
        if t.tx_timeouts + t.reset_dropped > 0 {
            writeln!(
                f,
                "  tx timeouts            {:>12}  (the watchdog found the transmitter stopped and reset it)",
                t.tx_timeouts
            )?;
            writeln!(
                f,
                "  dropped in resets      {:>12}  (queued, never completed: tx_reset_dropped)",
                t.reset_dropped
            )?;
            writeln!(f, "  lost in resets         {:>12}  (never on the wire: tx_reset_lost)", t.reset_lost)?;
        }
        writeln!(f, "  in flight at end       {:>12}", t.in_flight_at_end)?;
        let k = &self.checksums;
        if k.tx_offloaded + k.tx_software > 0 {
            writeln!(
                f,
                "  checksums              {:>12}  offloaded ({} descriptor), {} in software",
                k.tx_offloaded,
                sc.tx.csum_descriptor.name(),
                k.tx_software
            )?;
        }
        if k.rx_ip_good + k.rx_ip_errors + k.rx_l4_good + k.rx_l4_errors > 0 {
            writeln!(
                f,
                "receive checksums (NIC)  IPv4 header {} good, {} bad; TCP/UDP {} good, {} bad, {} not checked",
                k.rx_ip_good, k.rx_ip_errors, k.rx_l4_good, k.rx_l4_errors, k.rx_l4_not_checked
            )?;
        }
        writeln!(f, "host")?;
        writeln!(
            f,
            "  interrupts             {:>12}  ({:.0}/s; {:.0} per million frames received)",
            self.irqs, self.irqs_per_sec, self.irqs_per_million_frames
        )?;
        writeln!(f, "  rx_no_buffer_count     {:>12}", self.rx_no_buffer_count)?;
        writeln!(f, "  time_squeeze           {:>12}", self.time_squeeze)?;
        let c = &self.cpu;
        writeln!(
            f,
            "  cpu busy               {:>12}  (irq {}, softirq {}, ksoftirqd {}, app {}; idle {})",
            pct(c.busy),
            pct(c.irq),
            pct(c.softirq),
            pct(c.ksoftirqd),
            pct(c.app),
            pct(c.idle)
        )?;
        if c.app_ns > 0 {
            let part = |ns: u64| pct(ns as f64 / c.app_ns as f64);
            writeln!(
                f,
                "  app time               {:>12}  (syscall {}, stack {}, copy {}, own work {}, transmit {})",
                us(c.app_ns),
                part(c.app_syscall_ns),
                part(c.app_stack_ns),
                part(c.app_copy_ns),
                part(c.app_work_ns),
                part(c.app_tx_ns)
            )?;
        }
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
