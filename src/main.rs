//! `verinic`: run the NIC simulation from the command line.
//!
//! - `verinic run`: the NIC scenario (built-in, or `--config FILE.toml`),
//!   reported as a table or, with `--json`, as JSON (fields: docs/report.md);
//!   `--pcap-in` replays a capture, `--pcap-out` / `--pcap-delivered` write
//!   what the NIC sent and what the driver delivered, `--echo` sends every
//!   received frame back.
//! - `verinic sweep`: many scenarios in parallel (`--vary PATH=VALUES` or a
//!   sweep file), results as a table, CSV, JSONL and plots (docs/sweep.md);
//!   `verinic plot DIR` redraws the plots, `verinic merge` joins shards.
//! - `verinic loopback`: the MAC-only demo (TX -> XGMII wire -> RX).
//!
//! Exit codes: 0 success, 1 a check failed, 2 bad configuration or a model
//! that could not start, 130 interrupted (Ctrl-C: the first one ends the run
//! at the next chunk with its files finished and a partial report, a second
//! one exits at once).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use verinic::explore::goal::{Constraint, Figure, Goal, Sense};
use verinic::explore::{axes::Axis, tune, workbench, Shard, Sweep, SweepOptions};
use verinic::run::args::ScenarioArgs;
use verinic::run::{self, Progress, Scenario};
use verinic::{frames, loopback};
use verinic_sim::{Profile, SimOptions};

#[derive(Parser)]
#[command(name = "verinic", version, about = "Verilated 10G NIC co-simulation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The NIC scenario: traffic into the NIC, the driver and an application
    /// on a simulated CPU; reports throughput, drops, latency, CPU.
    Run(RunArgs),
    /// A long seeded run of mixed good and faulty receive traffic with
    /// checks all the way (conservation by reason, byte-exact delivery,
    /// buffer pool, ring invariants); exit 0 only if every check held
    /// (docs/soak.md).
    Soak(SoakArgs),
    /// The tuning workbench: vary settings over a base scenario, run every
    /// point in parallel, write results.csv, results.jsonl, plots and
    /// index.html (docs/sweep.md).
    Sweep(SweepArgs),
    /// Find the settings that meet a goal: minimise or maximise a report
    /// figure subject to constraints, searching ring size and coalescing
    /// (or the axes given) within a budget of simulated points.
    Tune(TuneArgs),
    /// Several sweeps over offered load side by side: one plot per metric
    /// (latency, interrupts, CPU, drops, throughput) with a line per sweep.
    Compare {
        /// The sweeps' output directories (each line is named after its sweep).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where to write the plots, compare.csv and index.html.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Redraw a sweep's plots and index.html from its results.jsonl.
    Plot {
        /// The sweep's output directory.
        dir: PathBuf,
    },
    /// Merge the output directories of one sweep's shards (--shard I/N)
    /// into one results set.
    Merge {
        /// The shard directories.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where to write the merged results.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// The decoded descriptor traffic of a scenario (register accesses,
    /// descriptor fetches and write-backs, packet DMA, interrupt edges),
    /// cycle-stamped, filtered, as text or JSONL (docs/snapshots.md).
    Trace(verinic::observe::cli::TraceArgs),
    /// Where two traces part (scenario files or saved traces): the first
    /// differing cycle with context, and counts by kind; exit 1 if they differ.
    TraceDiff(verinic::observe::diff::DiffArgs),
    /// Loopback demo: a mixed burst through MAC TX -> XGMII wire -> MAC RX.
    Loopback {
        /// Frames in the burst, 1..=1000000 (the burst is built in memory
        /// before it is sent).
        #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=MAX_LOOPBACK_FRAMES as u64))]
        frames: u64,
        /// Seed of the frame sizes and payloads.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write an FST waveform (GTKWave, Surfer) of the run to this file.
        #[arg(long, value_name = "FILE")]
        waves: Option<PathBuf>,
    },
}

/// `verinic run`'s options. Those that a scenario file also sets override it.
#[derive(Args)]
struct RunArgs {
    /// The scenario: a file, then overrides of its fields.
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Print the report as JSON on stdout (field list: docs/report.md).
    #[arg(long)]
    json: bool,
    /// Write an FST waveform of the run to this file. About 15x slower
    /// and 15 MB per simulated ms: keep --duration-us short, e.g. 100.
    #[arg(long, value_name = "FILE")]
    waves: Option<PathBuf>,
    /// Write the run's timeline (CPU contexts, the interrupt line) in the
    /// Chrome trace event format to this file (ui.perfetto.dev, chrome://tracing).
    #[arg(long, value_name = "FILE.json")]
    timeline: Option<PathBuf>,
}

/// `verinic soak`'s options.
#[derive(Args)]
struct SoakArgs {
    /// Run until this many receive frames were offered.
    #[arg(long, default_value_t = run::soak::DEFAULT_FRAMES, value_parser = clap::value_parser!(u64).range(1..))]
    frames: u64,
    /// Seed of frame sizes, payloads and faults.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Base scenario (driver, CPU, memory and [rx] frame settings); the
    /// soak paces the traffic itself. Without it, the built-in scenario.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Share of frames with a fault, 0..=1.
    #[arg(long, default_value_t = run::soak::DEFAULT_FAULT_RATE)]
    fault_rate: f64,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Test hook: corrupt the N-th frame handed to the stack (from 0) before
    /// it is checked, to prove the byte-exact check fails. Never in a real soak.
    #[arg(long, value_name = "N", hide = true)]
    test_corrupt_delivery: Option<u64>,
    /// Test hook: count one of the stack's checksum drops under another
    /// reason, to prove the drops-by-reason check fails. Never in a real soak.
    #[arg(long, hide = true)]
    test_miscount_stack_drop: bool,
    /// Test hook: never release the first refill hold, to prove the refill
    /// recovery check fails. Never in a real soak.
    #[arg(long, hide = true)]
    test_never_release_refill: bool,
    /// Test hook: the slow application phases leave its cost unchanged, to
    /// prove the slow-phase check fails. Never in a real soak.
    #[arg(long, hide = true)]
    test_skip_slow_app: bool,
    /// Test hook: the TX check skips the N-th frame on the wire, to prove
    /// it fails when a frame is lost. Never in a real soak.
    #[arg(long, value_name = "N", hide = true)]
    test_drop_tx_frame: Option<u64>,
    /// Test hook: the TX check flips a checksum byte of the N-th frame on
    /// the wire, to prove it fails. Never in a real soak.
    #[arg(long, value_name = "N", hide = true)]
    test_corrupt_tx_csum: Option<u64>,
}

/// Options shared by the commands that run many points (sweep, tune).
#[derive(Args)]
struct PointArgs {
    /// Base scenario, or a sweep file (a scenario with a [sweep] table:
    /// vary, seeds, name). Without it, the built-in scenario.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// An axis: a dotted scenario path and its values in order, as a list
    /// (driver.rx_ring=64,256,1024) or a range start:stop:step, inclusive
    /// (rx.load=0.1:1.0:0.1). Repeatable; added after the file's axes.
    #[arg(long, value_name = "PATH=VALUES")]
    vary: Vec<String>,
    /// Override duration_us of every point.
    #[arg(long, value_name = "N")]
    duration_us: Option<u64>,
    /// Run every point with this seed only (instead of the scenario's, or a
    /// sweep file's [sweep] seeds).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Worker threads; default: the number of cores.
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    jobs: Option<u16>,
    /// No progress output.
    #[arg(long)]
    quiet: bool,
}

impl PointArgs {
    /// Worker threads: `-j`, else the number of cores.
    fn jobs(&self) -> usize {
        self.jobs.map_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()), usize::from)
    }

    /// The sweep file (or the built-in scenario), its axes then `--vary`'s,
    /// with the overrides of every point.
    fn sweep(&self) -> anyhow::Result<Sweep> {
        let mut sweep = match &self.config {
            Some(path) => Sweep::from_file(path)?,
            None => Sweep::new("sweep", Scenario::default(), Vec::new()),
        };
        for spec in &self.vary {
            sweep.axes.push(Axis::parse(spec)?);
        }
        if let Some(d) = self.duration_us {
            sweep.base.duration_us = d;
        }
        if let Some(seed) = self.seed {
            sweep.base.seed = seed;
            sweep.seeds = vec![seed];
        }
        Ok(sweep)
    }

    /// How the points run.
    fn options(&self, out: PathBuf, shard: Shard, confirmed: bool) -> SweepOptions {
        SweepOptions {
            jobs: self.jobs(),
            out,
            shard,
            quiet: self.quiet,
            confirmed,
            sim: SimOptions { profile: Profile::Fast, ..Default::default() },
        }
    }
}

/// `verinic sweep`'s options.
#[derive(Args)]
struct SweepArgs {
    /// The points and the workers.
    #[command(flatten)]
    points: PointArgs,
    /// Output directory; default out/sweep-<name>/. Run the same sweep into
    /// the same directory again and only missing points run.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The sweep's name (default: the sweep file's stem, or "sweep").
    #[arg(long)]
    name: Option<String>,
    /// Run only slice I of N (0 <= I < N) of the points; `verinic merge`
    /// joins the slices' directories.
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
    /// Run a sweep of more than 100,000 points.
    #[arg(long)]
    yes: bool,
}

/// `verinic tune`'s options.
#[derive(Args)]
struct TuneArgs {
    /// Figure to minimise: an alias (p99_latency_us, p50_latency_us,
    /// cpu_busy, drops, throughput_gbps, irqs_per_sec, ...) or a report
    /// field by its dotted path (latency_ns.p999).
    #[arg(long, value_name = "FIGURE", conflicts_with = "maximize", required_unless_present = "maximize")]
    minimize: Option<String>,
    /// Figure to maximise.
    #[arg(long, value_name = "FIGURE")]
    maximize: Option<String>,
    /// A constraint, FIGURE OP NUMBER with OP one of <= < >= > == !=
    /// (e.g. "cpu_busy <= 0.5", "drops == 0"). Repeatable.
    #[arg(long, value_name = "EXPR")]
    subject_to: Vec<String>,
    /// Most points to simulate.
    #[arg(long, default_value_t = 48, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    budget: u32,
    /// The points searched (without an axis: ring size, rx_usecs,
    /// rx_frames, rx_usecs_abs, the ITR ceiling and the NAPI budget) and
    /// the workers.
    #[command(flatten)]
    points: PointArgs,
    /// Output directory (default out/tune/).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Most frames `verinic loopback` takes: the burst is built in memory first
/// (about 0.8 KB a frame on average).
const MAX_LOOPBACK_FRAMES: usize = 1_000_000;

/// Set by the first Ctrl-C; the run stops at its next chunk.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Exit code of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
const EXIT_INTERRUPTED: u8 = 130;

fn main() -> ExitCode {
    // The first Ctrl-C asks the run to stop cleanly; a second one, while it
    // finishes, exits at once.
    let handler = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
        eprintln!("\ninterrupted: finishing the files and the report (Ctrl-C again to quit at once)");
    });
    if let Err(e) = handler {
        eprintln!("note: Ctrl-C will stop the run without a report ({e})");
    }
    match run(Cli::parse()) {
        Ok(_) if INTERRUPTED.load(Ordering::SeqCst) => ExitCode::from(EXIT_INTERRUPTED),
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {}", render(&e));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes on one line, leaving out a cause whose text the
/// message before it already holds.
fn render(e: &anyhow::Error) -> String {
    let mut out = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !out.contains(&c) {
            out = format!("{out}: {c}");
        }
    }
    out
}

fn run(cli: Cli) -> anyhow::Result<bool> {
    match cli.command {
        Command::Run(args) => run_scenario(args),
        Command::Soak(args) => soak(args),
        Command::Sweep(args) => sweep(args),
        Command::Tune(args) => tune(args),
        Command::Compare { dirs, out } => {
            for f in verinic::explore::compare::compare(&dirs, &out)? {
                println!("{}", f.display());
            }
            Ok(true)
        }
        Command::Trace(args) => verinic::observe::cli::trace(&args, &INTERRUPTED),
        Command::TraceDiff(args) => verinic::observe::diff::trace_diff(&args),
        Command::Plot { dir } => {
            for f in workbench::draw(&dir)? {
                println!("{}", f.display());
            }
            Ok(true)
        }
        Command::Merge { dirs, out } => {
            let summary = workbench::merge(&dirs, &out)?;
            print!("{}", workbench::table(&summary));
            println!(
                "merged {} of {} points from {} directories into {}",
                summary.records.len(),
                summary.points,
                dirs.len(),
                out.display()
            );
            if summary.records.len() < summary.points {
                eprintln!("note: {} points are missing: run their shards", summary.points - summary.records.len());
            }
            Ok(true)
        }
        Command::Loopback { frames: count, seed, waves } => {
            let burst = frames::mixed_burst(count as usize, seed);
            let options = SimOptions { profile: Profile::Fast, waves, ..Default::default() };
            let report = loopback::run(&options, &burst).context("loopback run")?;
            print_loopback(&report);
            let ok = report.frames_matched == report.frames_sent
                && report.stats.rx_frames_seen() == report.frames_sent as u64
                && report.stats.tx_frames_good == report.frames_sent as u64;
            println!("\nresult: {}", if ok { "every frame received good" } else { "FAILED" });
            Ok(ok)
        }
    }
}

/// Wall time after which progress lines start, and their spacing.
const PROGRESS_AFTER: Duration = Duration::from_secs(2);
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

fn soak(args: SoakArgs) -> anyhow::Result<bool> {
    use std::io::IsTerminal;
    if !(0.0..=1.0).contains(&args.fault_rate) {
        anyhow::bail!("--fault-rate {}: must be between 0 and 1 (e.g. 0.05)", args.fault_rate);
    }
    let base = match &args.config {
        Some(path) => Scenario::from_file(path)?,
        None => Scenario::default(),
    };
    if base.pcap.input.is_some() {
        anyhow::bail!("the soak generates its own traffic: remove [pcap] input from the --config scenario");
    }
    let opts = run::soak::SoakOptions {
        frames: args.frames,
        seed: args.seed,
        base,
        fault_rate: args.fault_rate,
        test_corrupt_delivery: args.test_corrupt_delivery,
        test_miscount_stack_drop: args.test_miscount_stack_drop,
        test_never_release_refill: args.test_never_release_refill,
        test_skip_slow_app: args.test_skip_slow_app,
        test_drop_tx_frame: args.test_drop_tx_frame,
        test_corrupt_tx_csum: args.test_corrupt_tx_csum,
    };
    let options = SimOptions { profile: Profile::Fast, ..Default::default() };
    let bar = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(args.frames);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {human_pos}/{human_len} frames offered, {msg} frames/s, ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let mut chunks = 0u64;
    let mut progress = |offered: u64, _total: u64| {
        if let Some(b) = &bar {
            b.set_position(offered);
            chunks += 1;
            if chunks.is_multiple_of(256) {
                b.set_message(format!("{:.0}", offered as f64 / b.elapsed().as_secs_f64().max(1e-9)));
            }
        }
    };
    let report = run::soak::run_soak(&opts, &options, &mut progress, &INTERRUPTED)?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if args.json {
        println!("{}", report.to_json());
    } else {
        println!("{report}");
    }
    Ok(report.passed())
}

fn run_scenario(args: RunArgs) -> anyhow::Result<bool> {
    let scenario = args.scenario.scenario()?;
    let RunArgs { scenario: scenario_args, json, waves, timeline } = args;
    scenario_args.check_files(&scenario, &[("--waves", waves.as_deref()), ("--timeline", timeline.as_deref())])?;
    if waves.is_some() && scenario.duration_us > 1000 {
        eprintln!(
            "note: with a waveform the run is about 15x slower and writes about 15 MB per simulated ms; \
             {} us will take a while (try --duration-us 100)",
            scenario.duration_us
        );
    }

    let options = SimOptions { profile: Profile::Fast, waves: waves.clone(), ..Default::default() };
    let mut next_line = PROGRESS_AFTER;
    let mut progress = |p: &Progress| {
        if p.wall >= next_line {
            next_line = p.wall + PROGRESS_EVERY;
            eprintln!(
                "  {:>8.0} / {} us simulated, {:.2} M cycles/s, {:.0} s",
                p.done_ns as f64 / 1000.0,
                p.total_ns / 1000,
                p.cycles_per_sec() / 1e6,
                p.wall.as_secs_f64()
            );
        }
    };
    let report = match &timeline {
        Some(t) => verinic::observe::timeline::run_with_timeline(&scenario, &options, &mut progress, &INTERRUPTED, t)?,
        None => run::run_scenario_until(&scenario, &options, &mut progress, &INTERRUPTED)?,
    };

    let text = if json { report.to_json() } else { report.to_string() };
    let mut out = std::io::stdout().lock();
    let written = writeln!(out, "{text}").and_then(|()| match (&waves, json) {
        (Some(w), false) => writeln!(out, "  waves                  {}", w.display()),
        _ => Ok(()),
    });
    match written {
        // A reader that stopped early (`| head`) is not an error of the run.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        r => r.context("writing the report")?,
    }
    if let Some(p) = &report.pcap {
        if p.not_offered > 0 {
            eprintln!(
                "note: {} of {} captured frames were not offered: the window ended first (raise --duration-us)",
                p.not_offered, p.input_frames
            );
        }
        if p.skipped_truncated > 0 {
            eprintln!(
                "note: {} captured frames were skipped: the capture holds only part of them (snaplen)",
                p.skipped_truncated
            );
        }
    }
    if !report.conserved || report.unaccounted != 0 {
        eprintln!(
            "warning: frame accounting does not close (offered {}, delivered {}, drops {}, unaccounted {})",
            report.frames_offered, report.frames_delivered, report.drops_total, report.unaccounted
        );
    }
    Ok(true)
}

fn tune(args: TuneArgs) -> anyhow::Result<bool> {
    let Sweep { base, mut axes, .. } = args.points.sweep()?;
    if axes.is_empty() {
        axes = tune::default_axes();
    }
    base.validate().map_err(|e| anyhow::anyhow!("base scenario: {e}"))?;
    let sample = serde_json::to_value(run::Report::template(&base))?;
    let (name, sense) = match (&args.minimize, &args.maximize) {
        (Some(f), _) => (f, Sense::Minimize),
        (None, Some(f)) => (f, Sense::Maximize),
        (None, None) => anyhow::bail!("say what to optimise: --minimize FIGURE or --maximize FIGURE"),
    };
    let goal = Goal {
        objective: Figure::parse(name, &sample)?,
        sense,
        constraints: args.subject_to.iter().map(|c| Constraint::parse(c, &sample)).collect::<Result<_, _>>()?,
    };
    let out_dir = args.out.clone().unwrap_or_else(|| PathBuf::from("out").join("tune"));
    let options = args.points.options(out_dir, Shard::ALL, true);
    let jobs = options.jobs;
    if !args.points.quiet {
        eprintln!("tuning: {} axes, at most {} points on {jobs} workers", axes.len(), args.budget);
    }
    let r = tune::tune(&base, &axes, &goal, args.budget as usize, &options, &INTERRUPTED)?;
    print!("{}", tune_text(&r, &goal));
    Ok(r.best().is_some())
}

/// What `verinic tune` prints.
fn tune_text(r: &tune::TuneResult, goal: &Goal) -> String {
    use std::fmt::Write as _;
    let mut t = String::new();
    let feasible = r.ranking.len();
    let report = |e: &tune::Evaluated| e.record.json["report"].clone();
    let settings = |e: &tune::Evaluated| -> Vec<(String, serde_json::Value)> {
        r.axes.iter().map(|a| (a.path.clone(), e.record.axis(&a.path).cloned().unwrap_or_default())).collect()
    };
    let short = |e: &tune::Evaluated| -> String {
        settings(e)
            .iter()
            .map(|(p, v)| format!("{}={}", p.rsplit('.').next().unwrap_or(p), v))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let sense = match goal.sense {
        Sense::Minimize => "minimise",
        Sense::Maximize => "maximise",
    };
    let _ = writeln!(
        t,
        "{} points evaluated, {feasible} feasible{}{}",
        r.evaluated.len(),
        if r.invalid > 0 {
            format!(", {} combinations refused by the scenario's checks", r.invalid)
        } else {
            String::new()
        },
        if r.interrupted { " (interrupted)" } else { "" }
    );
    match r.best() {
        Some(best) => {
            let rep = report(best);
            let _ = writeln!(
                t,
                "best (point {}): {} {} = {:.4}",
                best.record.point, sense, goal.objective.name, best.objective
            );
            for c in &goal.constraints {
                let _ = writeln!(t, "  {c}: {:.4}  ok", c.figure.value(&rep).unwrap_or(f64::NAN));
            }
            let _ = writeln!(t, "settings:");
            for (p, v) in settings(best) {
                let _ = writeln!(t, "  {p} = {v}");
            }
            let _ = writeln!(t, "on a Linux host (e1000 names):");
            for line in tune::host_commands(&settings(best)) {
                let _ = writeln!(t, "  {line}");
            }
            if feasible > 1 {
                let _ = writeln!(t, "runners-up:");
                for &i in r.ranking.iter().skip(1).take(3) {
                    let e = &r.evaluated[i];
                    let _ = writeln!(
                        t,
                        "  point {:>3}: {} = {:.4}  {}",
                        e.record.point,
                        goal.objective.name,
                        e.objective,
                        short(e)
                    );
                }
            }
        }
        None => {
            let _ = writeln!(t, "no feasible setting: no evaluated point meets every constraint.");
            if let Some(h) = r.hardest() {
                let _ = writeln!(
                    t,
                    "the constraint that bound hardest: {} (broken by {} of {} points)",
                    goal.constraints[h],
                    r.violations[h],
                    r.evaluated.len()
                );
            }
            if let Some(c) = r.closest() {
                let rep = report(c);
                let _ = writeln!(t, "closest point ({}): {}", c.record.point, short(c));
                for k in &goal.constraints {
                    let ok = if k.holds(&rep) { "ok" } else { "BROKEN" };
                    let _ = writeln!(t, "  {k}: {:.4}  {ok}", k.figure.value(&rep).unwrap_or(f64::NAN));
                }
            }
            let _ = writeln!(t, "relax a constraint, widen the axes (--vary) or raise --budget");
        }
    }
    let _ = writeln!(t, "results: {}", r.dir.join("results.csv").display());
    if let Some(index) = r.plots.iter().find(|p| p.extension().is_some_and(|e| e == "html")) {
        let _ = writeln!(t, "plots:   {}", index.display());
    }
    t
}

fn sweep(args: SweepArgs) -> anyhow::Result<bool> {
    let mut sweep = args.points.sweep()?;
    if let Some(name) = &args.name {
        if !verinic::explore::sweep::is_plain_name(name) {
            anyhow::bail!("--name {name}: use letters, digits, - and _ (it names the output directory)");
        }
        sweep.name = name.clone();
    }
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("out").join(format!("sweep-{}", sweep.name)));
    let options = args.points.options(out, args.shard.unwrap_or(Shard::ALL), args.yes);
    let jobs = options.jobs;
    let summary = workbench::run_sweep(&sweep, &options, &INTERRUPTED)?;
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "{}", workbench::table(&summary));
    let _ = writeln!(
        out,
        "{} points ({} run now in {:.1} s on {} workers, {} already done){}; * = Pareto front (p99 latency vs CPU, no drops)",
        summary.points,
        summary.ran,
        summary.wall.as_secs_f64(),
        jobs,
        summary.already_done,
        if options.shard == Shard::ALL { String::new() } else { format!(", shard {}", options.shard) }
    );
    let _ = writeln!(out, "results: {}", summary.dir.join("results.csv").display());
    if let Some(index) = summary.plots.iter().find(|p| p.extension().is_some_and(|e| e == "html")) {
        let _ = writeln!(out, "plots:   {}", index.display());
    }
    if summary.interrupted {
        eprintln!(
            "interrupted: the finished points are in {}; run the same sweep again to finish it",
            summary.dir.display()
        );
    }
    for (point, why) in &summary.failed {
        eprintln!("error: point {point}: {why}");
    }
    Ok(summary.failed.is_empty())
}

fn print_loopback(r: &loopback::LoopbackReport) {
    let s = &r.stats;
    println!("verinic loopback: MAC TX -> XGMII -> MAC RX");
    println!("  frames sent            {:>12}", r.frames_sent);
    println!("  received, byte-exact   {:>12}", r.frames_matched);
    println!("  received, mismatched   {:>12}", r.frames_mismatched);
    println!("  received, flagged bad  {:>12}", r.frames_bad);
    println!("counters (bytes include FCS)");
    println!("  tx_frames_good         {:>12}", s.tx_frames_good);
    println!("  tx_bytes_good          {:>12}", s.tx_bytes_good);
    println!("  tx_err_underrun        {:>12}", s.tx_err_underrun);
    println!("  tx_err_abort           {:>12}", s.tx_err_abort);
    println!("  rx_frames_good         {:>12}", s.rx_frames_good);
    println!("  rx_bytes_good          {:>12}", s.rx_bytes_good);
    println!("  rx_err_fcs             {:>12}", s.rx_err_fcs);
    println!("  rx_err_runt            {:>12}", s.rx_err_runt);
    println!("  rx_err_oversize        {:>12}", s.rx_err_oversize);
    println!("  rx_err_char            {:>12}", s.rx_err_char);
    println!("  rx_err_framing         {:>12}", s.rx_err_framing);
    println!("  rx_err_preamble        {:>12}", s.rx_err_preamble);
    println!(
        "  check: rx good + rx errors = {} + {} = {} of {} sent",
        s.rx_frames_good,
        s.rx_errors(),
        s.rx_frames_seen(),
        r.frames_sent
    );
    let line_bits = s.rx_bytes_good as f64 * 8.0;
    let sim_seconds = r.cycles as f64 / 156.25e6;
    println!("simulation");
    println!("  cycles                 {:>12}  ({:.1} us at 156.25 MHz)", r.cycles, sim_seconds * 1e6);
    println!("  goodput                {:>12.3} Gb/s (FCS included)", line_bits / sim_seconds / 1e9);
    println!("  speed                  {:>12.0} cycles/s", r.cycles_per_second());
    if let Some(w) = &r.waves {
        println!("  waves                  {}", w.display());
    }
}
