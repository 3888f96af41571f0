//! `verinic trace` on the command line: the options (a scenario as
//! `verinic run` takes it, then the filters and the output) and the command.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use verinic_sim::{Profile, SimOptions};

use super::timeline::Timeline;
use super::trace::{run_trace, Bound, Filter, Format, Only, TraceError};
use super::view::Ring;
use crate::pcap::Timing;
use crate::run::paths::check_distinct;
use crate::run::{Observer, Scenario};

/// `verinic trace`'s options. The scenario options are `verinic run`'s; a
/// `[snapshot]` table in the scenario file gives the default filter.
#[derive(Debug, clap::Args)]
pub struct TraceArgs {
    /// Scenario file (TOML); without it, the built-in scenario.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Override the scenario's duration_us (simulated microseconds).
    #[arg(long, value_name = "N")]
    pub duration_us: Option<u64>,
    /// Override the scenario's seed.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Replay this pcap or pcapng file toward the NIC ([pcap] input).
    #[arg(long, value_name = "FILE")]
    pub pcap_in: Option<PathBuf>,
    /// `recorded` or `rate` ([pcap] timing).
    #[arg(long, value_name = "recorded|rate")]
    pub pcap_timing: Option<Timing>,
    /// Write the frames the NIC transmitted to this pcap file ([pcap] output).
    #[arg(long, value_name = "FILE")]
    pub pcap_out: Option<PathBuf>,
    /// Write the frames the driver delivered to this pcap file ([pcap] delivered).
    #[arg(long, value_name = "FILE")]
    pub pcap_delivered: Option<PathBuf>,
    /// Echo server: send every received frame back ([tx] echo = true).
    #[arg(long)]
    pub echo: bool,
    /// Checksum offload of the application's frames ([tx] csum_offload).
    #[arg(long, value_enum)]
    pub csum_offload: Option<crate::frames::CsumOffload>,
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
        let (mut s, mut f) = match &self.config {
            Some(path) => crate::snapshot::load(path)?,
            None => (Scenario::default(), Filter::default()),
        };
        if let Some(d) = self.duration_us {
            s.duration_us = d;
        }
        if let Some(seed) = self.seed {
            s.seed = seed;
        }
        let pcap = &mut s.pcap;
        if let Some(p) = &self.pcap_in {
            pcap.input = Some(p.clone());
        }
        if let Some(t) = self.pcap_timing {
            if pcap.input.is_none() {
                anyhow::bail!("--pcap-timing {t} needs a capture to replay: add --pcap-in FILE");
            }
            pcap.timing = t;
        }
        if let Some(p) = &self.pcap_out {
            pcap.output = Some(p.clone());
        }
        if let Some(p) = &self.pcap_delivered {
            pcap.delivered = Some(p.clone());
        }
        if self.echo {
            s.tx.echo = true;
        }
        if let Some(c) = self.csum_offload {
            s.tx.csum_offload = c;
        }
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
        s.validate().map_err(|e| anyhow::anyhow!("scenario with command-line overrides: {e}"))?;
        Ok((s, f))
    }
}

/// Runs `verinic trace`: the trace goes to `-o FILE` or stdout as the run
/// goes; a summary of the events written goes to stderr. `stop` (Ctrl-C)
/// ends the run at its next chunk with the output complete so far.
pub fn trace(args: &TraceArgs, stop: &AtomicBool) -> anyhow::Result<bool> {
    let (scenario, filter) = args.scenario_and_filter()?;
    check_files(&scenario, args.config.as_deref(), args.output.as_deref(), args.timeline.as_deref())?;
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

fn check_files(
    scenario: &Scenario,
    config: Option<&Path>,
    output: Option<&Path>,
    timeline: Option<&Path>,
) -> anyhow::Result<()> {
    let pcap = &scenario.pcap;
    let inputs: Vec<(&str, &Path)> = [("--config", config), ("--pcap-in ([pcap] input)", pcap.input.as_deref())]
        .into_iter()
        .filter_map(|(role, p)| Some((role, p?)))
        .collect();
    let outputs: Vec<(&str, &Path)> = [
        ("--pcap-out ([pcap] output)", pcap.output.as_deref()),
        ("--pcap-delivered ([pcap] delivered)", pcap.delivered.as_deref()),
        ("-o", output),
        ("--timeline", timeline),
    ]
    .into_iter()
    .filter_map(|(role, p)| Some((role, p?)))
    .collect();
    check_distinct(&inputs, &outputs)?;
    Ok(())
}
