//! `verinic trace` on the command line: the options (a scenario as
//! `verinic run` takes it, then the filters and the output) and the command.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use verinic_sim::{Profile, SimOptions};

use super::timeline::Timeline;
use super::trace::{run_trace, Bound, Filter, Format, Only, TraceError};
use super::view::Ring;
use crate::run::args::ScenarioArgs;
use crate::run::{Observer, Scenario};

/// `verinic trace`'s options. The scenario options are `verinic run`'s; a
/// `[snapshot]` table in the scenario file gives the default filter.
#[derive(Debug, clap::Args)]
pub struct TraceArgs {
    /// The scenario: a file (whose `[snapshot]` table gives the default
    /// filter), then overrides of its fields.
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Write the trace to this file instead of stdout (streamed as the run goes).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// `text`: one line per event, as the snapshots show it; `jsonl`: one
    /// JSON object per event (fields: docs/snapshots.md).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Show events from this many microseconds after the window starts
    /// (the end of the driver's probe). Default 0.
    #[arg(long, value_name = "US", conflicts_with = "from_cycle")]
    pub from_us: Option<f64>,
    /// Leave out events from this many microseconds after the window starts on.
    #[arg(long, value_name = "US", conflicts_with = "until_cycle")]
    pub until_us: Option<f64>,
    /// Show events from this absolute cycle on (as the lines show it).
    #[arg(long, value_name = "CYCLE")]
    pub from_cycle: Option<u64>,
    /// Leave out events from this absolute cycle on.
    #[arg(long, value_name = "CYCLE")]
    pub until_cycle: Option<u64>,
    /// Show only these kinds of event (repeatable: any of them).
    #[arg(long, value_enum)]
    pub only: Vec<Only>,
    /// Leave out the other ring's DMA and register accesses.
    #[arg(long, value_enum)]
    pub ring: Option<Ring>,
    /// Show the driver's probe (reset, ring set-up) before the window too.
    #[arg(long)]
    pub probe: bool,
    /// Also write the run's timeline (CPU contexts, the interrupt line) in
    /// the Chrome trace event format to this file (opens in ui.perfetto.dev
    /// and chrome://tracing).
    #[arg(long, value_name = "FILE.json")]
    pub timeline: Option<PathBuf>,
}

impl TraceArgs {
    /// The scenario (file, then overrides) and the filter (the file's
    /// `[snapshot]` table, then the command line's filters).
    pub fn scenario_and_filter(&self) -> anyhow::Result<(Scenario, Filter)> {
        let (mut s, mut f) = match &self.scenario.config {
            Some(path) => crate::snapshot::load(path)?,
            None => (Scenario::default(), Filter::default()),
        };
        self.scenario.apply(&mut s)?;
        if let Some(us) = self.from_us {
            f.from = Some(Bound::us(us));
        }
        if let Some(c) = self.from_cycle {
            f.from = Some(Bound::Cycle(c));
        }
        if let Some(us) = self.until_us {
            f.until = Some(Bound::us(us));
        }
        if let Some(c) = self.until_cycle {
            f.until = Some(Bound::Cycle(c));
        }
        if !self.only.is_empty() {
            f.only = self.only.clone();
        }
        if self.ring.is_some() {
            f.ring = self.ring;
        }
        f.probe |= self.probe;
        Ok((self.scenario.validated(s)?, f))
    }
}

/// Runs `verinic trace`: the trace goes to `-o FILE` or stdout as the run
/// goes; a summary of the events written goes to stderr. `stop` (Ctrl-C)
/// ends the run at its next chunk with the output complete so far.
pub fn trace(args: &TraceArgs, stop: &AtomicBool) -> anyhow::Result<bool> {
    let (scenario, filter) = args.scenario_and_filter()?;
    args.scenario
        .check_files(&scenario, &[("-o", args.output.as_deref()), ("--timeline", args.timeline.as_deref())])?;
    let sim = SimOptions { profile: Profile::Fast, ..Default::default() };
    let out: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(BufWriter::new(File::create(p).with_context(|| format!("creating {}", p.display()))?)),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let mut timeline = match &args.timeline {
        Some(p) => {
            Some(Timeline::new(BufWriter::new(File::create(p).with_context(|| format!("creating {}", p.display()))?)))
        }
        None => None,
    };
    let mut extra: Vec<&mut dyn Observer> = timeline.iter_mut().map(|t| t as &mut dyn Observer).collect();
    let result = run_trace(&scenario, &sim, &filter, args.format, out, &mut extra, stop);
    if let (Some(t), Some(p)) = (timeline, &args.timeline) {
        let (_, counts) = t.finish().with_context(|| format!("writing {}", p.display()))?;
        eprintln!(
            "timeline: {} ({} hard irq, {} softirq slices, {} interrupts)",
            p.display(),
            counts.hard_irq,
            counts.softirq,
            counts.irq_rises
        );
    }
    match result {
        Ok(run) => {
            if let Some(p) = &args.output {
                eprintln!("{} events written to {}", run.counts.total(), p.display());
            }
            Ok(true)
        }
        // A reader that stopped early (`| head`) is not an error of the run.
        Err(TraceError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(true),
        Err(e) => Err(e.into()),
    }
}
