//! `verinic trace`'s engine: a scenario run whose NIC trace is decoded
//! ([`Decoder`]), filtered ([`Filter`]) and written ([`Format`]) chunk by
//! chunk as the run goes, so a long run never holds its whole trace.

use std::io::Write;
use std::sync::atomic::AtomicBool;

use verinic_sim::SimOptions;

use super::view::{Class, Decoder, Entry, Ring};
use crate::cosim::world::CYCLE_PS;
use crate::pcap::Taps;
use crate::run::{Chunk, Finished, Needs, Observer, RunError, Runner, Scenario};

/// One kind of event `--only` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Only {
    /// RX descriptor fetches, write-backs and packet data (`rx-*`).
    Rx,
    /// TX descriptor fetches, packet data and write-backs (`tx-*`).
    Tx,
    /// Interrupt line edges (`irq`).
    Irq,
    /// Register reads and writes (`reg-r`, `reg-w`).
    Reg,
    /// All DMA: descriptor fetches and write-backs, packet data, both rings.
    Dma,
}

impl Only {
    fn selects(self, e: &Entry) -> bool {
        match self {
            Only::Rx => e.class == Class::Rx,
            Only::Tx => e.class == Class::Tx,
            Only::Irq => e.class == Class::Irq,
            Only::Reg => e.class == Class::Reg,
            Only::Dma => e.dma,
        }
    }
}

/// A point in the run for [`Filter::from`] and [`Filter::until`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// Nanoseconds of device time after the start of the measured window
    /// (the end of the driver's probe): `--from-us 2.5` is `Ns(2500)`.
    Ns(u64),
    /// An absolute device cycle, as the trace lines show it.
    Cycle(u64),
}

impl Bound {
    /// `us` microseconds after the start of the measured window.
    pub fn us(us: f64) -> Bound {
        Bound::Ns((us.max(0.0) * 1000.0).round() as u64)
    }

    fn cycle(self, window_start: u64) -> u64 {
        match self {
            Bound::Ns(ns) => window_start + (ns * 1000).div_ceil(CYCLE_PS),
            Bound::Cycle(c) => c,
        }
    }
}

/// Which events a trace shows. The default: everything from the start of
/// the measured window (the driver's probe left out) to the end of the drain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// First event shown (inclusive); default the start of the window.
    pub from: Option<Bound>,
    /// Events from here on are left out (exclusive); default none.
    pub until: Option<Bound>,
    /// Show only these kinds (any of them); empty = all.
    pub only: Vec<Only>,
    /// Leave out the events of the other ring (its DMA and its registers);
    /// events tied to no ring (interrupts, ICR, IMS...) stay.
    pub ring: Option<Ring>,
    /// Show the driver's probe too (events before the window), when
    /// [`Filter::from`] is not set.
    pub probe: bool,
}

impl Filter {
    /// Everything from the start of the window.
    pub fn all() -> Self {
        Filter::default()
    }

    /// Adds `--only kind`.
    pub fn only(mut self, kind: Only) -> Self {
        self.only.push(kind);
        self
    }

    /// Sets `--ring`.
    pub fn ring(mut self, ring: Ring) -> Self {
        self.ring = Some(ring);
        self
    }

    /// Sets `--from-us`.
    pub fn from_us(mut self, us: f64) -> Self {
        self.from = Some(Bound::us(us));
        self
    }

    /// Sets `--until-us`.
    pub fn until_us(mut self, us: f64) -> Self {
        self.until = Some(Bound::us(us));
        self
    }

    /// Whether `e` passes the kind and ring filters (time is checked apart).
    pub fn selects(&self, e: &Entry) -> bool {
        let kind = self.only.is_empty() || self.only.iter().any(|o| o.selects(e));
        let ring = match (self.ring, e.ring) {
            (Some(want), Some(got)) => want == got,
            _ => true,
        };
        kind && ring
    }
}

/// Output format of a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// One line per event, as the snapshots show it.
    #[default]
    Text,
    /// One JSON object per line: an [`Entry`] (fields: docs/snapshots.md).
    Jsonl,
}

/// Events written, by kind column, in first-seen order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// `(kind, events)`.
    pub by_kind: Vec<(String, u64)>,
}

impl Counts {
    /// Counts one more event of `kind`.
    pub fn add(&mut self, kind: &str) {
        match self.by_kind.iter_mut().find(|(k, _)| k == kind) {
            Some((_, n)) => *n += 1,
            None => self.by_kind.push((kind.to_string(), 1)),
        }
    }

    /// Events of `kind`.
    pub fn get(&self, kind: &str) -> u64 {
        self.by_kind.iter().find(|(k, _)| k == kind).map_or(0, |(_, n)| *n)
    }

    /// All events.
    pub fn total(&self) -> u64 {
        self.by_kind.iter().map(|(_, n)| n).sum()
    }
}

/// An [`Observer`] that decodes the NIC trace of each chunk, filters it and
/// writes it to `out` at once. Write errors stop the writing; the first one
/// is kept for [`TraceWriter::finish`].
pub struct TraceWriter<W: Write> {
    decoder: Decoder,
    filter: Filter,
    format: Format,
    out: W,
    window_start: Option<u64>,
    error: Option<std::io::Error>,
    counts: Counts,
}

impl<W: Write> TraceWriter<W> {
    /// A writer of `filter`'s events to `out` in `format`.
    pub fn new(filter: Filter, format: Format, out: W) -> Self {
        TraceWriter {
            decoder: Decoder::default(),
            filter,
            format,
            out,
            window_start: None,
            error: None,
            counts: Counts::default(),
        }
    }

    /// Flushes the output and returns it, with the counts of events written,
    /// or the first write error.
    pub fn finish(mut self) -> std::io::Result<(W, Counts)> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()?;
        Ok((self.out, self.counts))
    }

    fn write_entry(&mut self, e: &Entry) -> std::io::Result<()> {
        match self.format {
            Format::Text => writeln!(self.out, "{}", e.line),
            Format::Jsonl => {
                serde_json::to_writer(&mut self.out, e)?;
                self.out.write_all(b"\n")
            }
        }
    }
}

impl<W: Write> Observer for TraceWriter<W> {
    fn needs(&self) -> Needs {
        Needs { trace: true, ..Needs::default() }
    }

    fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<(), RunError> {
        let start = *self.window_start.get_or_insert_with(|| (chunk.window_ns.start * 1000).div_ceil(CYCLE_PS));
        let from = match (self.filter.from, self.filter.probe) {
            (Some(b), _) => b.cycle(start),
            (None, true) => 0,
            (None, false) => start,
        };
        let until = self.filter.until.map_or(u64::MAX, |b| b.cycle(start));
        let mut selected = Vec::new();
        for r in chunk.trace {
            self.decoder.decode(r, |e| {
                if (from..until).contains(&e.cycle) && self.filter.selects(&e) {
                    selected.push(e);
                }
            });
        }
        for e in &selected {
            if self.error.is_some() {
                break;
            }
            self.counts.add(&e.kind);
            if let Err(err) = self.write_entry(e) {
                self.error = Some(err);
            }
        }
        Ok(())
    }
}

/// What [`run_trace`] did.
pub struct TraceRun<W> {
    /// The output, flushed.
    pub out: W,
    /// Events written, by kind.
    pub counts: Counts,
    /// The run's end state.
    pub finished: Finished,
}

/// Why a trace could not be written.
#[derive(Debug)]
pub enum TraceError {
    /// The scenario could not run.
    Run(RunError),
    /// Writing the trace failed.
    Io(std::io::Error),
}

impl std::fmt::Display for TraceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TraceError::Run(e) => write!(f, "{e}"),
            TraceError::Io(e) => write!(f, "writing the trace: {e}"),
        }
    }
}

impl std::error::Error for TraceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TraceError::Run(e) => Some(e),
            TraceError::Io(e) => Some(e),
        }
    }
}

/// Runs `scenario` with its trace on and writes the filtered, decoded trace
/// to `out` as the run goes (its capture files too, when it asks for them).
/// `extra` observers (a timeline, say) watch the same run. Deterministic:
/// the same scenario gives the same bytes.
pub fn run_trace<W: Write>(
    scenario: &Scenario,
    sim: &SimOptions,
    filter: &Filter,
    format: Format,
    out: W,
    extra: &mut [&mut dyn Observer],
    stop: &AtomicBool,
) -> Result<TraceRun<W>, TraceError> {
    let runner = Runner::with_trace(scenario, sim).map_err(TraceError::Run)?;
    let pcap = &scenario.pcap;
    let mut taps = Taps::open(pcap.output.as_deref(), pcap.delivered.as_deref())
        .map_err(|e| TraceError::Run(RunError::Pcap(e)))?;
    let mut writer = TraceWriter::new(filter.clone(), format, out);
    let finished = runner.run(&mut [&mut writer, &mut taps, &mut Many(extra)], &mut |_| {}, stop);
    let written = taps.finish().map_err(|e| TraceError::Run(RunError::Pcap(e)));
    let finished = finished.map_err(TraceError::Run)?;
    written?;
    let (out, counts) = writer.finish().map_err(TraceError::Io)?;
    Ok(TraceRun { out, counts, finished })
}

/// Several observers as one.
struct Many<'a, 'b>(&'a mut [&'b mut dyn Observer]);

impl Observer for Many<'_, '_> {
    fn needs(&self) -> Needs {
        self.0.iter().map(|o| o.needs()).fold(Needs::default(), |a, b| Needs {
            delivered_bytes: a.delivered_bytes || b.delivered_bytes,
            tx_frames: a.tx_frames || b.tx_frames,
            trace: a.trace || b.trace,
            cpu_slices: a.cpu_slices || b.cpu_slices,
            rx_fifo: a.rx_fifo || b.rx_fifo,
        })
    }

    fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<(), RunError> {
        self.0.iter_mut().try_for_each(|o| o.chunk(chunk))
    }
}
