//! A run's timeline in the Chrome trace event format (a JSON object with a
//! `traceEvents` array; opens in <https://ui.perfetto.dev> and
//! chrome://tracing): where the simulated CPU's time went, as slices on a
//! "CPU" track (`hard irq`, `softirq` with the frames each NAPI pass
//! delivered, `app`, `idle`; back-to-back decisions of one context are
//! merged), the NIC's interrupt line on an "irq line" track (a slice while
//! it is high), DMA transactions by kind and the counters `rx ring free` and
//! `irqs per ms` ([`super::nic_tracks`]), and `rx fifo`, the frames
//! waiting in the NIC's receive FIFO (RTL port `rx_fifo_frames`). Times are in microseconds of
//! simulated time (CPU time for the CPU, device time for the NIC), written
//! with ns precision. Streamed: each chunk's events are written as the run
//! goes.

use std::io::Write;

use verinic_sim::trace::Event;

use super::nic_tracks::{DmaKind, NicTracks};
use crate::cosim::{cycle_ns, CpuContext, CpuSlice};
use crate::run::{Chunk, Needs, Observer, RunError};

/// Process and thread ids of the tracks.
const PID: u32 = 1;
const CPU_TID: u32 = 1;
const IRQ_TID: u32 = 2;

/// Slices written, by name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimelineCounts {
    /// `hard irq` slices.
    pub hard_irq: u64,
    /// `softirq` slices (one per softirq pass).
    pub softirq: u64,
    /// `app` slices (merged).
    pub app: u64,
    /// `idle` slices (merged).
    pub idle: u64,
    /// Interrupt line rises.
    pub irq_rises: u64,
    /// Frames the `softirq` slices say they delivered, summed.
    pub softirq_frames: u64,
    /// DMA transactions drawn, by kind ([`DmaKind::ALL`] order: descriptor
    /// fetches, descriptor write-backs, packet reads, packet writes).
    pub dma: [u64; 4],
    /// Interrupt line rises counted in the `irqs per ms` counter.
    pub irqs_in_rate: u64,
}

impl TimelineCounts {
    /// DMA transactions of `kind` drawn.
    pub fn dma(&self, kind: DmaKind) -> u64 {
        self.dma[DmaKind::ALL.iter().position(|&k| k == kind).unwrap()]
    }
}

/// An [`Observer`] writing the timeline to `out`. The interrupt line needs
/// the run traced ([`Runner::with_trace`](crate::run::Runner::with_trace)).
pub struct Timeline<W: Write> {
    out: W,
    first: bool,
    pending: Option<CpuSlice>,
    irq_since: Option<u64>,
    counts: TimelineCounts,
    nic: Option<NicTracks>,
    error: Option<std::io::Error>,
}

fn us(ns: u64) -> String {
    format!("{}.{:03}", ns / 1000, ns % 1000)
}

fn name(c: CpuContext) -> &'static str {
    match c {
        CpuContext::HardIrq => "hard irq",
        CpuContext::Softirq => "softirq",
        CpuContext::Ksoftirqd => "ksoftirqd",
        CpuContext::App => "app",
        CpuContext::Idle => "idle",
    }
}

impl<W: Write> Timeline<W> {
    /// A timeline written to `out` (the header goes out at once).
    pub fn new(out: W) -> Self {
        let mut t = Timeline {
            out,
            first: true,
            pending: None,
            irq_since: None,
            counts: Default::default(),
            nic: None,
            error: None,
        };
        t.raw("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
        for (tid, track) in [(CPU_TID, "CPU"), (IRQ_TID, "irq line")] {
            t.event(&format!(
                "{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":{PID},\"tid\":{tid},\"args\":{{\"name\":\"{track}\"}}}}"
            ));
        }
        t.event(&format!(
            "{{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":{PID},\"tid\":0,\"args\":{{\"name\":\"verinic\"}}}}"
        ));
        t
    }

    fn raw(&mut self, s: &str) {
        if self.error.is_none() {
            if let Err(e) = self.out.write_all(s.as_bytes()) {
                self.error = Some(e);
            }
        }
    }

    fn event(&mut self, json: &str) {
        let sep = if self.first { "" } else { ",\n" };
        self.first = false;
        self.raw(&format!("{sep}{json}"));
    }

    fn slice(&mut self, name: &str, tid: u32, start_ns: u64, end_ns: u64, args: &str) {
        self.event(&format!(
            "{{\"name\":\"{name}\",\"cat\":\"{}\",\"ph\":\"X\",\"pid\":{PID},\"tid\":{tid},\"ts\":{},\"dur\":{}{args}}}",
            if tid == CPU_TID { "cpu" } else { "nic" },
            us(start_ns),
            us(end_ns.saturating_sub(start_ns)),
        ));
    }

    fn flush_cpu(&mut self) {
        if let Some(s) = self.pending.take() {
            let args = if matches!(s.context, CpuContext::Softirq | CpuContext::Ksoftirqd | CpuContext::App) {
                format!(",\"args\":{{\"frames\":{}}}", s.frames)
            } else {
                String::new()
            };
            match s.context {
                CpuContext::HardIrq => self.counts.hard_irq += 1,
                CpuContext::Softirq | CpuContext::Ksoftirqd => {
                    self.counts.softirq += 1;
                    self.counts.softirq_frames += u64::from(s.frames);
                }
                CpuContext::App => self.counts.app += 1,
                CpuContext::Idle => self.counts.idle += 1,
            }
            self.slice(name(s.context), CPU_TID, s.start_ns, s.end_ns, &args);
        }
    }

    fn cpu(&mut self, s: &CpuSlice) {
        if s.end_ns == s.start_ns && s.frames == 0 && s.context != CpuContext::HardIrq {
            return;
        }
        if let Some(p) = &mut self.pending {
            let mergeable = matches!(s.context, CpuContext::App | CpuContext::Idle);
            if mergeable && p.context == s.context && p.end_ns == s.start_ns {
                p.end_ns = s.end_ns;
                return;
            }
        }
        self.flush_cpu();
        self.pending = Some(*s);
    }

    /// Ends the open slices, closes the JSON and returns the output and the
    /// counts, or the first write error.
    pub fn finish(mut self) -> std::io::Result<(W, TimelineCounts)> {
        self.flush_cpu();
        if let Some(mut nic) = self.nic.take() {
            let mut events = Vec::new();
            nic.finish(&mut |e| events.push(e));
            events.iter().for_each(|e| self.event(e));
            self.counts.dma = nic.transactions;
            self.counts.irqs_in_rate = nic.irqs_counted;
        }
        self.raw("\n]}\n");
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()?;
        Ok((self.out, self.counts))
    }
}

impl<W: Write> Observer for Timeline<W> {
    fn needs(&self) -> Needs {
        Needs { trace: true, cpu_slices: true, rx_fifo: true, ..Needs::default() }
    }

    fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<(), RunError> {
        for s in chunk.cpu_slices {
            self.cpu(s);
        }
        let nic = self.nic.get_or_insert_with(|| NicTracks::new(chunk.machine.world.nic.memory().config()));
        let mut events = Vec::new();
        for r in chunk.trace {
            nic.record(r, &mut |e| events.push(e));
        }
        for &(cycle, frames) in chunk.rx_fifo {
            events.push(super::nic_tracks::counter("rx fifo", "frames", cycle_ns(cycle), f64::from(frames)));
        }
        events.iter().for_each(|e| self.event(e));
        for r in chunk.trace {
            if let Event::Irq { level } = r.event {
                let t = cycle_ns(r.cycle);
                match (level, self.irq_since) {
                    (true, None) => {
                        self.irq_since = Some(t);
                        self.counts.irq_rises += 1;
                    }
                    (false, Some(since)) => {
                        self.irq_since = None;
                        self.slice("irq", IRQ_TID, since, t, "");
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }
}

/// `verinic run --timeline FILE`: runs `scenario` as
/// [`run_scenario_until`](crate::run::run_scenario_until) does (report,
/// capture files) and writes its timeline to `path` as it goes (the NIC's
/// trace is on, for the interrupt line).
pub fn run_with_timeline(
    scenario: &crate::run::Scenario,
    sim: &verinic_sim::SimOptions,
    progress: &mut dyn FnMut(&crate::run::Progress),
    stop: &std::sync::atomic::AtomicBool,
    path: &std::path::Path,
) -> anyhow::Result<crate::run::Report> {
    use anyhow::Context;
    let runner = crate::run::Runner::with_trace(scenario, sim)?;
    let pcap = &scenario.pcap;
    let mut taps = crate::pcap::Taps::open(pcap.output.as_deref(), pcap.delivered.as_deref())?;
    let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut timeline = Timeline::new(std::io::BufWriter::new(file));
    let mut measure = crate::run::Measure::default();
    let finished = runner.run(&mut [&mut measure, &mut taps, &mut timeline], progress, stop);
    let written = taps.finish();
    let closed = timeline.finish().with_context(|| format!("writing {}", path.display()));
    let finished = finished?;
    closed?;
    Ok(crate::run::Report::new(scenario, &finished, &measure, written?))
}
