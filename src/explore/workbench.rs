//! `verinic sweep` and `verinic merge` from end to end: expand and validate
//! every point, skip the ones already in the output directory, run the rest
//! on the worker pool with a progress bar, write the results as they come,
//! then the sorted files, the table and the plots.

use std::fmt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use verinic_sim::SimOptions;

use crate::run::RunError;

use super::pareto::tuning_front;
use super::plot::{self, PlotError};
use super::pool::{run_points, Counters};
use super::results::{self, read_jsonl, read_manifest, Manifest, Record, ResultsDir, ResultsError};
use super::shard::Shard;
use super::sweep::{Sweep, SweepError};

/// How a sweep runs.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    /// Worker threads (each runs one point at a time with its own model).
    pub jobs: usize,
    /// Output directory.
    pub out: PathBuf,
    /// The slice of the points to run.
    pub shard: Shard,
    /// No progress bar.
    pub quiet: bool,
    /// Run even a sweep of more than 100,000 points.
    pub confirmed: bool,
    /// The simulator's options (the fast profile unless asked otherwise).
    pub sim: SimOptions,
}

/// What a sweep did.
#[derive(Debug)]
pub struct SweepSummary {
    /// The output directory.
    pub dir: PathBuf,
    /// The axes' paths.
    pub axes: Vec<String>,
    /// Points in this slice of the sweep.
    pub points: usize,
    /// Of them, found already done in the directory.
    pub already_done: usize,
    /// Run now and finished.
    pub ran: usize,
    /// Points that could not run: (point, why).
    pub failed: Vec<(usize, String)>,
    /// Stopped by Ctrl-C before every point finished.
    pub interrupted: bool,
    /// Every finished point, sorted.
    pub records: Vec<Record>,
    /// Per record: on the Pareto front (latency p99 vs CPU busy, among the
    /// points without drops).
    pub pareto: Vec<bool>,
    /// The plots and index.html written.
    pub plots: Vec<PathBuf>,
    /// Wall-clock time of the points run now.
    pub wall: Duration,
}

/// Why a sweep or a merge failed.
#[derive(Debug)]
pub enum ExploreError {
    /// The sweep is wrong (axes, values, file): nothing was run or written.
    Sweep(SweepError),
    /// The results could not be read or written.
    Results(ResultsError),
    /// The plots could not be drawn (the results are written).
    Plot(PlotError),
    /// A point could not run.
    Run(RunError),
}

impl fmt::Display for ExploreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExploreError::Sweep(e) => write!(f, "{e}"),
            ExploreError::Results(e) => write!(f, "{e}"),
            ExploreError::Plot(e) => write!(f, "drawing the plots: {e}"),
            ExploreError::Run(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ExploreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExploreError::Sweep(e) => Some(e),
            ExploreError::Results(e) => Some(e),
            ExploreError::Plot(e) => Some(e),
            ExploreError::Run(e) => Some(e),
        }
    }
}

/// Runs `sweep` (the slice `options.shard` of it) into `options.out`.
pub fn run_sweep(sweep: &Sweep, options: &SweepOptions, stop: &AtomicBool) -> Result<SweepSummary, ExploreError> {
    let points = sweep.points(options.confirmed).map_err(ExploreError::Sweep)?;
    let axes: Vec<String> = sweep.axes.iter().map(|a| a.path.clone()).collect();
    let manifest = Manifest {
        name: sweep.name.clone(),
        id: Sweep::id(&points),
        axes: axes.clone(),
        points: points.len(),
        shard: [options.shard.index, options.shard.count],
    };
    let keys: Vec<String> = points.iter().map(|p| p.key.clone()).collect();
    let (mut dir, done) = ResultsDir::open(&options.out, &manifest, &keys).map_err(ExploreError::Results)?;
    let mut records: Vec<Record> = done.into_iter().filter(|r| options.shard.holds(r.point)).collect();
    let selected = options.shard.select(&points);
    let finished: std::collections::HashSet<usize> = records.iter().map(|r| r.point).collect();
    let todo: Vec<_> = selected.iter().copied().filter(|p| !finished.contains(&p.index)).collect();
    let already_done = selected.len() - todo.len();

    let bar = progress_bar(selected.len() as u64, already_done as u64, options.quiet);
    let counters = Counters::default();
    let t0 = Instant::now();
    let mut failed = Vec::new();
    let mut write_error = None;
    let mut ran = 0;
    run_points(&todo, options.jobs, &options.sim, stop, &counters, |outcome| {
        let point = todo[outcome.slot];
        match outcome.result {
            Ok(report) if report.interrupted => {}
            Ok(report) => {
                let record = Record::new(point, &report);
                if let Err(e) = dir.append(&record) {
                    write_error.get_or_insert(e);
                    stop.store(true, Ordering::Relaxed);
                }
                records.push(record);
                ran += 1;
                bar.inc(1);
            }
            Err(e) => failed.push((point.index, e.to_string())),
        }
        let rate = counters.cycles.load(Ordering::Relaxed) as f64 / t0.elapsed().as_secs_f64().max(1e-9);
        bar.set_message(format!("{:.1} M cycles/s", rate / 1e6));
    });
    bar.finish_and_clear();
    let wall = t0.elapsed();
    if let Some(e) = write_error {
        return Err(ExploreError::Results(e));
    }
    let interrupted = stop.load(Ordering::Relaxed) && ran + already_done < selected.len();
    let Written { records, pareto, plots } = finish(dir.dir(), &axes, records)?;
    Ok(SweepSummary {
        dir: options.out.clone(),
        axes,
        points: selected.len(),
        already_done,
        ran,
        failed,
        interrupted,
        records,
        pareto,
        plots,
        wall,
    })
}

/// The sorted records with their Pareto marks, and the plots drawn.
struct Written {
    records: Vec<Record>,
    pareto: Vec<bool>,
    plots: Vec<PathBuf>,
}

/// Sorts the records and writes the final files, the plots and the index.
fn finish(dir: &Path, axes: &[String], mut records: Vec<Record>) -> Result<Written, ExploreError> {
    records.sort_by_key(|r| r.point);
    let pareto = pareto_marks(&records);
    results::write_final(dir, axes, &records, &pareto).map_err(ExploreError::Results)?;
    let plots = if records.is_empty() { Vec::new() } else { draw(dir)? };
    Ok(Written { records, pareto, plots })
}

/// Draws every plot and `index.html` from the directory's `results.jsonl`.
pub fn draw(dir: &Path) -> Result<Vec<PathBuf>, ExploreError> {
    let points = plot::read_results(&dir.join("results.jsonl")).map_err(ExploreError::Plot)?;
    let mut files = plot::draw_all(&points, dir).map_err(ExploreError::Plot)?;
    let index = plot::write_index(&points, dir, &files).map_err(ExploreError::Plot)?;
    files.push(index);
    Ok(files)
}

/// The Pareto front of latency p99 against CPU busy among the points with
/// no drops (a point that drops frames is never a good setting).
pub fn pareto_marks(records: &[Record]) -> Vec<bool> {
    let figure = |r: &Record, p: &str| r.figure(p).unwrap_or(f64::NAN);
    tuning_front(records.iter().map(|r| (figure(r, "drops_total"), figure(r, "latency_ns.p99"), figure(r, "cpu.busy"))))
}

/// Merges the output directories of a sweep's shards into `out`: they must
/// come from the same sweep (same id); a point present in several must be
/// the same scenario. Returns the merged summary (no point is run).
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<SweepSummary, ExploreError> {
    let mut manifest: Option<(PathBuf, Manifest)> = None;
    let mut sets = Vec::new();
    for d in dirs {
        let m = read_manifest(d).map_err(ExploreError::Results)?;
        if let Some((first, m0)) = &manifest {
            if m0.id != m.id {
                return Err(ExploreError::Results(ResultsError::Mismatch {
                    first: first.clone(),
                    other: d.clone(),
                    what: format!("sweep {} ({}) against {} ({})", m0.name, m0.id, m.name, m.id),
                }));
            }
        } else {
            manifest = Some((d.clone(), m));
        }
        sets.push((d.clone(), read_jsonl(&d.join("results.jsonl")).map_err(ExploreError::Results)?));
    }
    let Some((_, mut m)) = manifest else {
        return Err(ExploreError::Results(ResultsError::Format {
            path: out.into(),
            line: 0,
            message: "nothing to merge: name the shard directories".into(),
        }));
    };
    let records = results::merge_records(sets).map_err(ExploreError::Results)?;
    std::fs::create_dir_all(out)
        .map_err(|source| ExploreError::Results(ResultsError::Io { path: out.into(), source }))?;
    m.shard = [0, 1];
    results::write_manifest(out, &m).map_err(ExploreError::Results)?;
    let axes = m.axes.clone();
    let Written { records, pareto, plots } = finish(out, &axes, records)?;
    Ok(SweepSummary {
        dir: out.into(),
        axes,
        points: m.points,
        already_done: records.len(),
        ran: 0,
        failed: Vec::new(),
        interrupted: false,
        records,
        pareto,
        plots,
        wall: Duration::ZERO,
    })
}

fn progress_bar(len: u64, done: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} points  {elapsed_precise} elapsed, ETA {eta}  {msg}")
    {
        bar.set_style(style);
    }
    bar.set_position(done);
    bar
}

/// The results as a table for the terminal: the axes, then the figures a
/// tuner looks at first; `*` marks the Pareto front.
pub fn table(summary: &SweepSummary) -> String {
    let short = |p: &str| p.rsplit('.').next().unwrap_or(p).to_string();
    let mut head: Vec<String> = summary.axes.iter().map(|a| short(a)).collect();
    if summary.records.iter().any(|r| r.json["seed"] != summary.records[0].json["seed"]) {
        head.push("seed".into());
    }
    let figures = ["offered Gb/s", "deliv. Gb/s", "drops", "p50 us", "p99 us", "irqs/s", "cpu %", "front"];
    head.extend(figures.iter().map(|s| s.to_string()));
    let mut rows = vec![head.clone()];
    for (r, &front) in summary.records.iter().zip(&summary.pareto) {
        let mut row: Vec<String> =
            summary.axes.iter().map(|a| r.axis(a).map_or(String::new(), |v| v.to_string().replace('"', ""))).collect();
        if head.len() > summary.axes.len() + figures.len() {
            row.push(r.json["seed"].to_string());
        }
        let f = |p: &str| r.figure(p).unwrap_or(f64::NAN);
        row.push(format!("{:.3}", f("offered_gbps")));
        row.push(format!("{:.3}", f("throughput_gbps")));
        row.push(format!("{}", f("drops_total")));
        row.push(format!("{:.2}", f("latency_ns.p50") / 1000.0));
        row.push(format!("{:.2}", f("latency_ns.p99") / 1000.0));
        row.push(format!("{:.0}", f("irqs_per_sec")));
        row.push(format!("{:.1}", f("cpu.busy") * 100.0));
        row.push(if front { "*".into() } else { String::new() });
        rows.push(row);
    }
    let widths: Vec<usize> = (0..head.len()).map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(c, w)| format!("{c:>w$}")).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}
