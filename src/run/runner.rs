//! Runs one [`Scenario`] on the co-simulated machine: builds the NIC, its
//! link partner and the probed driver, runs the measured window, then drains.
//! It measures nothing itself: what happens is handed, chunk by chunk, to
//! [`Observer`]s (the measurements behind a report, capture files, a soak's
//! checks), and the end state comes back as a [`Finished`].
//!
//! The run:
//!
//! 1. **Window**: `duration_us` of simulated time from the end of the probe.
//!    The traffic source offers frames while *device* time is inside the
//!    window, so what is offered depends on the scenario alone (load, sizes,
//!    seed, duration), never on how far a busy CPU runs ahead of the device.
//! 2. **Drain**: no new frames and no new sends; the machine runs until
//!    every frame on the wire is delivered or counted by the device (read
//!    from its counters), bounded by what can actually still be pending: the
//!    shortest coalescing timer that fires once the wire is idle, plus the
//!    ITR interval ([`pending_holdoff_ns`]), plus [`DRAIN_NS`].
//!
//! Memory stays flat with run length: deliveries are taken out of the
//! machine every chunk ([`CHUNK_NS`]) and matched to the wire through the
//! bounded [`WireLog`](crate::cosim::WireLog).
//!
//! A run can be stopped early through a flag ([`Runner::run`]'s `stop`, set
//! by Ctrl-C in the CLI): it ends at the next chunk without draining, the
//! observers still see every delivery up to there, and
//! [`Finished::interrupted`] says so.

use std::fmt;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use verinic_driver::Coalesce;
use verinic_sim::nic::NicConfig;
use verinic_sim::trace::Record;
use verinic_sim::xgmii::RxFrame;
use verinic_sim::SimOptions;

use super::scenario::{FieldError, Scenario};
use super::traffic::RxTraffic;
use crate::cosim::{cycle_ns, frame_digest, CpuSlice, CpuTime, Delivery, Machine, TxNotSent, World, WorldError};
use crate::pcap::{PcapError, PcapReplay, ReplayInfo};

/// Simulated time the drain may take on top of the interrupt hold-off that
/// can still be pending ([`pending_holdoff_ns`]), in ns.
pub const DRAIN_NS: u64 = 200_000;

/// How long, with nothing delivered, the drain waits on top of the pending
/// hold-off before it reads the counters (ns): a frame's trip from the wire
/// through FIFO, DMA and write-back takes a few microseconds.
const QUIET_NS: u64 = 20_000;

/// Simulated time between two chunks: observers, progress and the stop
/// flag are served this often (ns).
pub const CHUNK_NS: u64 = 10_000;

/// Which part of the run a chunk belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The measured window.
    Window,
    /// The drain after it.
    Drain,
}

/// A delivered frame, placed on the wire where possible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Matched {
    /// The delivery.
    pub delivery: Delivery,
    /// Device time (ns) of the frame's first byte on the wire, if it could
    /// be matched to a frame the link partner sent.
    pub wire_ns: Option<u64>,
}

/// What happened since the previous chunk.
pub struct Chunk<'a> {
    /// Window or drain.
    pub phase: Phase,
    /// The measured window in CPU time (ns); its end is provisional (the
    /// planned end) until the window is over.
    pub window_ns: Range<u64>,
    /// Frames handed to the stack, in order.
    pub deliveries: &'a [Matched],
    /// Their bytes, when an observer asked for them ([`Needs::delivered_bytes`]).
    pub delivered_frames: &'a [Bytes],
    /// Frames the NIC transmitted, as the link partner decoded them, when
    /// an observer asked for them ([`Needs::tx_frames`]).
    pub tx_frames: &'a [RxFrame],
    /// The NIC's event trace since the previous chunk, oldest first, when
    /// an observer asked for it ([`Needs::trace`]; the run must have been
    /// built with [`Runner::with_trace`], or the trace is empty).
    pub trace: &'a [Record],
    /// What the core did since the previous chunk, one slice per decision
    /// of its scheduler, when an observer asked for it ([`Needs::cpu_slices`]).
    pub cpu_slices: &'a [CpuSlice],
    /// The RX FIFO's fill since the previous chunk: (device cycle, frames
    /// waiting) at every change, when an observer asked for it
    /// ([`Needs::rx_fifo`]).
    pub rx_fifo: &'a [(u64, u8)],
    /// The machine as it stands.
    pub machine: &'a Machine,
}

/// What an observer needs the runner to keep for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    /// The bytes of every delivered frame.
    pub delivered_bytes: bool,
    /// Every frame the NIC transmitted.
    pub tx_frames: bool,
    /// The NIC's event trace, taken out of it every chunk.
    pub trace: bool,
    /// The core's scheduling decisions ([`Machine::cpu_log`]).
    pub cpu_slices: bool,
    /// The RX FIFO's fill at every change.
    pub rx_fifo: bool,
}

/// Something that watches a run as it goes.
pub trait Observer {
    /// What it needs recorded; asked once, before the run.
    fn needs(&self) -> Needs {
        Needs::default()
    }

    /// Called after every chunk of simulated time, and once more at the end.
    fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<(), RunError>;
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

/// How the drain ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DrainOutcome {
    /// Every frame on the wire was delivered or counted by the device
    /// before the drain's time ran out.
    pub complete: bool,
    /// Simulated time the drain took (ns of CPU time).
    pub ns: u64,
    /// The most it could take under the scenario's settings (ns).
    pub budget_ns: u64,
}

/// The end state of a run, for whoever turns it into numbers.
pub struct Finished {
    /// The machine after the drain, the device's counters read into the
    /// driver's statistics.
    pub machine: Machine,
    /// The measured window in CPU time (ns). The CPU may overshoot the
    /// planned end by the last piece of work; an interrupted run ends early.
    pub window_ns: Range<u64>,
    /// CPU time spent in the window, by context.
    pub cpu_in_window: CpuTime,
    /// Interrupts handled in the window.
    pub irqs_in_window: u64,
    /// Frames the application read in the window.
    pub received_in_window: u64,
    /// Frames the driver received (`rx_packets`) in the window.
    pub rx_packets_in_window: u64,
    /// Frames the application meant to send but never handed to the driver.
    pub tx_not_sent: TxNotSent,
    /// How the drain ended (`None` when the run was interrupted first).
    pub drain: Option<DrainOutcome>,
    /// The run was stopped early through the stop flag.
    pub interrupted: bool,
    /// The capture replayed, if any.
    pub replay: Option<ReplayInfo>,
    /// Wall-clock time of the whole run, model construction included.
    pub wall: Duration,
}

/// Why a scenario could not run.
#[derive(Debug)]
pub enum RunError {
    /// A scenario field is out of range.
    Scenario(FieldError),
    /// The NIC model or its link partner could not be built.
    Model(WorldError),
    /// The driver's probe failed.
    Driver(verinic_driver::DriverError),
    /// A capture file could not be read or written.
    Pcap(PcapError),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Scenario(e) => write!(f, "scenario: {e}"),
            RunError::Model(e) => write!(f, "{e}"),
            RunError::Driver(e) => write!(f, "driver probe: {e}"),
            RunError::Pcap(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for RunError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RunError::Scenario(e) => Some(e),
            RunError::Model(e) => Some(e),
            RunError::Driver(e) => Some(e),
            RunError::Pcap(e) => Some(e),
        }
    }
}

/// The longest an interrupt can still be held back once the wire has gone
/// idle (ns): the ITR interval, plus for each direction the first of its
/// timers to fire (the packet timer is not restarted any more, and the
/// absolute timer runs from the first pending frame), in the device's
/// 1.024 us units rounded up. Unlike [`Coalesce::max_holdoff_ns`] this does
/// not wait out the longest timer the settings allow: `rx_usecs = 65535`
/// with `rx_usecs_abs = 8` holds a frame back at most 8 us.
pub fn pending_holdoff_ns(c: &Coalesce) -> u64 {
    let itr_gap_ns = match c.itr_max_irqs_per_sec {
        0 => 0,
        rate => 1_000_000_000 / u64::from(rate) + 1,
    };
    let first_to_fire = |timer: u32, absolute: u32| match (timer, absolute) {
        (0, t) | (t, 0) => t,
        (a, b) => a.min(b),
    };
    let timer_us = first_to_fire(c.rx_usecs, c.rx_usecs_abs).max(first_to_fire(c.tx_usecs, c.tx_usecs_abs));
    itr_gap_ns + (u64::from(timer_us) + 1) * 1024
}

/// The most simulated time the drain of `scenario` may take (ns): the
/// device's share, plus the time the host needs to empty its queues when
/// they are full (the ring, the legacy backlog, the socket), every frame at
/// its largest cost, plus one scheduler slice for the application to run.
pub fn drain_budget_ns(scenario: &Scenario) -> u64 {
    let d = scenario.driver_config();
    let c = &scenario.cpu;
    let backlog = if d.napi { 0 } else { d.netdev_max_backlog };
    let socket = c.rmem / crate::cosim::stack::truesize(crate::frames::MIN_FRAME) + 1;
    let frames = (d.rx_ring + backlog + socket) as u64;
    let stack = c.ip_rcv_ns + c.udp_rcv_ns.max(c.tcp_rcv_ns).max(c.packet_rcv_ns);
    let per_frame = c.per_rx_frame_ns
        + c.per_rx_deliver_ns
        + c.per_refill_desc_ns
        + stack
        + c.recv_syscall_ns
        + c.sock_recv_ns
        + (c.copy_ns_per_byte * crate::frames::MAX_FRAME as f64) as u64
        + c.app_rx_ns_per_frame;
    DRAIN_NS + pending_holdoff_ns(&d.coalesce) + frames * per_frame + c.sched_slice_us * 1000
}

/// A scenario set up on a machine, ready to run.
pub struct Runner {
    machine: Machine,
    scenario: Scenario,
    replay: Option<ReplayInfo>,
    wall0: Instant,
}

impl Runner {
    /// Validates `scenario`, builds the NIC model and its link partner,
    /// probes the driver and attaches the traffic source (a capture is
    /// checked whole before anything runs).
    pub fn new(scenario: &Scenario, sim: &SimOptions) -> Result<Self, RunError> {
        Self::build(scenario, sim, false)
    }

    /// [`Runner::new`] with the NIC's event trace recording from reset, so
    /// that it holds the driver's probe (the ring bases it programs) too.
    /// An observer that asks for [`Needs::trace`] gets it chunk by chunk.
    pub fn with_trace(scenario: &Scenario, sim: &SimOptions) -> Result<Self, RunError> {
        Self::build(scenario, sim, true)
    }

    fn build(scenario: &Scenario, sim: &SimOptions, trace: bool) -> Result<Self, RunError> {
        scenario.validate().map_err(RunError::Scenario)?;
        let wall0 = Instant::now();
        let pcap = &scenario.pcap;
        let replay =
            pcap.input.as_deref().map(|p| PcapReplay::open(p, pcap.timing)).transpose().map_err(RunError::Pcap)?;
        let replay = replay.map(|(r, info)| (r.with_runts(pcap.runts), info));
        let (replay, info) = replay.unzip();
        let world = World::new(sim, &NicConfig { trace, ..scenario.nic_config() }, scenario.encoder_config())
            .map_err(RunError::Model)?;
        let mut machine = Machine::new(world, scenario.driver_config(), scenario.cpu_costs(), scenario.app_config())
            .map_err(RunError::Driver)?;
        if let Some(replay) = replay {
            // Replayed frames carry no sequence number: match them by content.
            machine.world.wire.keep_digests();
            machine.keep_frames = true;
            machine.world.set_source(Box::new(replay));
        } else if scenario.rx.load > 0.0 {
            machine.world.set_source(Box::new(RxTraffic::new(&scenario.rx, scenario.seed)));
        }
        Ok(Runner { machine, scenario: scenario.clone(), replay: info, wall0 })
    }

    /// The machine, before the run (to look at or adjust it).
    pub fn machine_mut(&mut self) -> &mut Machine {
        &mut self.machine
    }

    /// Runs the window and the drain, handing every chunk to `observers`
    /// and calling `progress` after every chunk of the window. A `stop` flag
    /// that becomes true ends the run at the next chunk, without the drain.
    pub fn run(
        mut self,
        observers: &mut [&mut dyn Observer],
        progress: &mut dyn FnMut(&Progress),
        stop: &AtomicBool,
    ) -> Result<Finished, RunError> {
        let needs = observers.iter().map(|o| o.needs()).fold(Needs::default(), |a, b| Needs {
            delivered_bytes: a.delivered_bytes || b.delivered_bytes,
            tx_frames: a.tx_frames || b.tx_frames,
            trace: a.trace || b.trace,
            cpu_slices: a.cpu_slices || b.cpu_slices,
            rx_fifo: a.rx_fifo || b.rx_fifo,
        });
        let m = &mut self.machine;
        m.keep_frames |= needs.delivered_bytes;
        m.world.keep_tx_frames |= needs.tx_frames;
        if needs.cpu_slices && m.cpu_log.is_none() {
            m.cpu_log = Some(Vec::new());
        }
        if needs.rx_fifo {
            m.world.nic.record_rx_fifo(true);
        }

        let start_ns = m.now_ns();
        let total_ns = self.scenario.duration_us * 1000;
        let end_ns = start_ns + total_ns;
        m.world.stop_source_at(end_ns);
        m.world.wire.set_window(start_ns..end_ns);
        let (cpu0, irqs0, received0) = (m.cpu, m.app.irqs, m.app.received);
        let rx0 = m.driver.counters().rx_packets;
        let mut tap = Tap { trace: needs.trace, ..Tap::default() };
        let mut interrupted = false;
        while m.now_ns() < end_ns {
            if stop.load(Ordering::Relaxed) {
                interrupted = true;
                break;
            }
            m.run_until((m.now_ns() + CHUNK_NS).min(end_ns));
            tap.serve(m, Phase::Window, start_ns..end_ns, observers)?;
            progress(&Progress {
                done_ns: m.now_ns().min(end_ns) - start_ns,
                total_ns,
                cycles: m.world.nic.cycle(),
                wall: self.wall0.elapsed(),
            });
        }
        let window_ns = start_ns..m.now_ns();
        let cpu_in_window = m.cpu.since(cpu0);
        let irqs_in_window = m.app.irqs - irqs0;
        let received_in_window = m.app.received - received0;
        let rx_packets_in_window = m.driver.counters().rx_packets - rx0;

        let mut drain = None;
        let tx_not_sent = m.stop_sending();
        if !interrupted {
            let outcome =
                drain_machine(m, &self.scenario, stop, |m| tap.serve(m, Phase::Drain, window_ns.clone(), observers))?;
            interrupted = stop.load(Ordering::Relaxed) && !outcome.complete;
            drain = Some(outcome);
        } else {
            m.with_host(|d, h| d.update_hw_stats(h));
        }
        tap.serve(m, Phase::Drain, window_ns.clone(), observers)?;
        Ok(Finished {
            machine: self.machine,
            window_ns,
            cpu_in_window,
            irqs_in_window,
            received_in_window,
            rx_packets_in_window,
            tx_not_sent,
            drain,
            interrupted,
            replay: self.replay,
            wall: self.wall0.elapsed(),
        })
    }
}

/// Takes what the machine recorded since the last chunk out of it, matches
/// deliveries to the wire and hands the chunk to the observers.
#[derive(Default)]
struct Tap {
    matched: Vec<Matched>,
    trace: bool,
}

impl Tap {
    fn serve(
        &mut self,
        m: &mut Machine,
        phase: Phase,
        window_ns: Range<u64>,
        observers: &mut [&mut dyn Observer],
    ) -> Result<(), RunError> {
        let deliveries = std::mem::take(&mut m.deliveries);
        let frames = std::mem::take(&mut m.delivered_frames);
        let tx_frames = std::mem::take(&mut m.world.tx_frames);
        let trace = if self.trace { m.world.nic.trace_mut().take_records() } else { Vec::new() };
        let cpu_slices = m.cpu_log.as_mut().map(std::mem::take).unwrap_or_default();
        let rx_fifo = m.world.nic.take_rx_fifo_changes();
        m.rx_meta.clear();
        let by_content = m.world.wire.keeps_digests();
        self.matched.clear();
        for (i, d) in deliveries.into_iter().enumerate() {
            let start = if by_content {
                frames.get(i).and_then(|f| m.world.wire.locate_digest(frame_digest(f)))
            } else {
                d.seq.and_then(|s| m.world.wire.locate_seq(u64::from(s)))
            };
            self.matched.push(Matched { delivery: d, wire_ns: start.map(cycle_ns) });
        }
        let chunk = Chunk {
            phase,
            window_ns,
            deliveries: &self.matched,
            delivered_frames: &frames,
            tx_frames: &tx_frames,
            trace: &trace,
            cpu_slices: &cpu_slices,
            rx_fifo: &rx_fifo,
            machine: m,
        };
        observers.iter_mut().try_for_each(|o| o.chunk(&chunk))
    }
}

/// Stops the traffic and runs until every frame is delivered or counted as
/// dropped by the device (read from its counters), or the drain budget is
/// spent, or `stop` is set. Leaves the device's counters read into the
/// driver's statistics. `serve` is called after every quiet period.
pub(crate) fn drain_machine(
    m: &mut Machine,
    scenario: &Scenario,
    stop: &AtomicBool,
    mut serve: impl FnMut(&mut Machine) -> Result<(), RunError>,
) -> Result<DrainOutcome, RunError> {
    // The device may lag the core's clock by the last piece of CPU work:
    // let it reach the window's end, where the traffic source stops.
    m.catch_up_device();
    let t0 = m.now_ns();
    let holdoff = pending_holdoff_ns(&m.driver.config().coalesce);
    let budget_ns = drain_budget_ns(scenario);
    let deadline = t0 + budget_ns;
    let complete = loop {
        let quiet = QUIET_NS + holdoff;
        m.run_until_quiet(quiet, (m.now_ns() + quiet + CHUNK_NS).min(deadline));
        serve(m)?;
        m.with_host(|d, h| d.update_hw_stats(h));
        if all_accounted(m) {
            break true;
        }
        if m.now_ns() >= deadline || stop.load(Ordering::Relaxed) {
            break false;
        }
    };
    Ok(DrainOutcome { complete, ns: m.now_ns() - t0, budget_ns })
}

/// Whether every frame on the wire is delivered or counted by the device or
/// the driver, and every frame sent is on the wire.
fn all_accounted(m: &Machine) -> bool {
    let s = m.driver.counters();
    let offered = m.world.wire.frames_started();
    let rx_done = m.world.wire_idle()
        && s.frames_seen_by_mac() >= offered
        && m.app.delivered + s.rx_errors + s.rx_missed_errors + s.backlog_full + s.rx_reset_lost >= s.gprc
        && m.socket_len() == 0
        && m.driver.backlog_len() == 0;
    let tx_done = m.world.tx_good + m.world.tx_bad + s.tx_reset_lost >= m.app.tx_sent && m.echo_pending() == 0;
    rx_done && tx_done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_holdoff_is_the_first_timer_to_fire_not_the_longest() {
        let c = Coalesce {
            rx_usecs: 65535,
            rx_usecs_abs: 8,
            tx_usecs: 0,
            tx_usecs_abs: 0,
            itr_max_irqs_per_sec: 0,
            ..Coalesce::default()
        };
        assert_eq!(pending_holdoff_ns(&c), 9 * 1024);
        assert!(c.max_holdoff_ns() > 65_000_000);
        let c = Coalesce {
            rx_usecs: 0,
            rx_usecs_abs: 0,
            tx_usecs: 3,
            tx_usecs_abs: 32,
            itr_max_irqs_per_sec: 8000,
            ..Coalesce::default()
        };
        assert_eq!(pending_holdoff_ns(&c), 125_001 + 4 * 1024);
    }
}
