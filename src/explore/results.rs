//! A sweep's results on disk, in `--out DIR`:
//!
//! - `sweep.json`: the manifest (name, sweep id, axes, seeds, points, shard);
//! - `results.jsonl`: one line per finished point, the full report with its
//!   scenario, appended as points finish (an interrupted sweep keeps what
//!   finished) and rewritten sorted by point at the end;
//! - `results.csv`: one row per point, the axes then the key figures
//!   (columns: docs/sweep.md);
//! - `timing.csv`: wall-clock time per point, kept apart so that the files
//!   above are identical from run to run and for any `-j`.
//!
//! Points are matched by key (a hash of their scenario), so a sweep run again
//! into the same directory runs only the points that are missing.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::sweep::Point;
use crate::run::Report;

/// The manifest of a sweep's output directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The sweep's name.
    pub name: String,
    /// Its id ([`Sweep::id`](super::sweep::Sweep::id)): shards of one sweep share it.
    pub id: String,
    /// The axes' paths, in order.
    pub axes: Vec<String>,
    /// Points in the whole sweep.
    pub points: usize,
    /// Which slice this directory holds, `[index, count]` (`[0, 1]`: all).
    pub shard: [usize; 2],
}

/// One finished point as stored in `results.jsonl`.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Position in the sweep.
    pub point: usize,
    /// The scenario's key.
    pub key: String,
    /// The line as stored (a JSON object: point, key, seed, axes, report).
    pub json: Value,
    /// Wall-clock seconds of the run (kept out of `results.jsonl`).
    pub wall_seconds: f64,
}

/// Why results could not be read or written.
#[derive(Debug)]
pub enum ResultsError {
    /// A file could not be read or written.
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the OS said.
        source: io::Error,
    },
    /// A file holds something else than this module writes.
    Format {
        /// The file.
        path: PathBuf,
        /// Line number (from 1), 0 for the whole file.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Directories to merge come from different sweeps.
    Mismatch {
        /// The first directory.
        first: PathBuf,
        /// The one that differs.
        other: PathBuf,
        /// What differs.
        what: String,
    },
}

impl fmt::Display for ResultsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResultsError::Io { path, source } => {
                write!(f, "{}: {source} (check that the directory exists and is writable)", path.display())
            }
            ResultsError::Format { path, line: 0, message } => write!(f, "{}: {message}", path.display()),
            ResultsError::Format { path, line, message } => write!(f, "{} line {line}: {message}", path.display()),
            ResultsError::Mismatch { first, other, what } => write!(
                f,
                "{} and {} hold different sweeps ({what}): only shards of one sweep can be merged",
                first.display(),
                other.display()
            ),
        }
    }
}

impl std::error::Error for ResultsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ResultsError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn io_err(path: &Path) -> impl Fn(io::Error) -> ResultsError + '_ {
    move |source| ResultsError::Io { path: path.into(), source }
}

/// Report fields that depend on the machine's speed, kept out of
/// `results.jsonl` (they go to `timing.csv`).
const WALL_CLOCK_FIELDS: [&str; 2] = ["wall_seconds", "sim_cycles_per_sec"];

impl Record {
    /// The record of `point` whose run gave `report`.
    pub fn new(point: &Point, report: &Report) -> Record {
        // A report is numbers, strings and maps: it always serializes.
        let mut r = serde_json::to_value(report).unwrap_or(Value::Null);
        if let Some(obj) = r.as_object_mut() {
            for f in WALL_CLOCK_FIELDS {
                obj.remove(f);
            }
        }
        let axes: serde_json::Map<String, Value> = point.axes.iter().cloned().collect();
        let json = json!({ "point": point.index, "key": point.key, "seed": point.seed, "axes": axes, "report": r });
        Record { point: point.index, key: point.key.clone(), json, wall_seconds: report.wall_seconds }
    }

    /// A figure of the report by its dotted path (`latency_ns.p99`), if it
    /// is a number.
    pub fn figure(&self, path: &str) -> Option<f64> {
        super::goal::lookup(&self.json["report"], path)?.as_f64()
    }

    /// The value of axis `path` at this point.
    pub fn axis(&self, path: &str) -> Option<&Value> {
        self.json["axes"].get(path)
    }
}

/// An output directory, open for a sweep.
pub struct ResultsDir {
    dir: PathBuf,
    jsonl: File,
}

impl ResultsDir {
    /// Creates `dir` if needed, checks it is writable, writes `manifest`,
    /// and returns the records already there that belong to the sweep
    /// (`keys`: every point's key, by point index). Lines of other sweeps
    /// are moved to `results.stale.jsonl`.
    pub fn open(dir: &Path, manifest: &Manifest, keys: &[String]) -> Result<(ResultsDir, Vec<Record>), ResultsError> {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
        write_manifest(dir, manifest)?;
        let jsonl = dir.join("results.jsonl");
        let (mut done, stale) = match read_jsonl(&jsonl) {
            Ok(records) => records.into_iter().partition::<Vec<_>, _>(|r| keys.get(r.point) == Some(&r.key)),
            Err(ResultsError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => (vec![], vec![]),
            Err(e) => return Err(e),
        };
        done.sort_by_key(|r| r.point);
        done.dedup_by_key(|r| r.point);
        if !stale.is_empty() {
            let stale_path = dir.join("results.stale.jsonl");
            write_jsonl(&stale_path, &stale)?;
        }
        // Start the file again from what is kept: a line cut by a crash is gone.
        write_jsonl(&jsonl, &done)?;
        let file = OpenOptions::new().append(true).open(&jsonl).map_err(io_err(&jsonl))?;
        Ok((ResultsDir { dir: dir.into(), jsonl: file }, done))
    }

    /// Appends a finished point to `results.jsonl` (flushed: it survives an
    /// interrupted sweep).
    pub fn append(&mut self, record: &Record) -> Result<(), ResultsError> {
        let path = self.dir.join("results.jsonl");
        writeln!(self.jsonl, "{}", record.json).and_then(|()| self.jsonl.flush()).map_err(io_err(&path))
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Reads `results.jsonl`; a line that is not a record names its number. A
/// last line without its newline (cut by a crash) is left out.
pub fn read_jsonl(path: &Path) -> Result<Vec<Record>, ResultsError> {
    let file = File::open(path).map_err(io_err(path))?;
    let mut out = Vec::new();
    let mut lines = BufReader::new(file).split(b'\n').peekable();
    let mut n = 0;
    while let Some(line) = lines.next() {
        n += 1;
        let line = line.map_err(io_err(path))?;
        let last = lines.peek().is_none();
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let bad = |message: String| ResultsError::Format { path: path.into(), line: n, message };
        let json: Value = match serde_json::from_slice(&line) {
            Ok(v) => v,
            // Only a crash mid-write leaves a broken last line.
            Err(_) if last => break,
            Err(e) => return Err(bad(format!("not JSON: {e}"))),
        };
        let point = json["point"].as_u64().ok_or_else(|| bad("no \"point\" number".into()))? as usize;
        let key = json["key"].as_str().ok_or_else(|| bad("no \"key\" string".into()))?.to_string();
        if !json["report"].is_object() {
            return Err(bad("no \"report\" object".into()));
        }
        out.push(Record { point, key, json, wall_seconds: f64::NAN });
    }
    Ok(out)
}

fn write_jsonl(path: &Path, records: &[Record]) -> Result<(), ResultsError> {
    let mut text = String::new();
    for r in records {
        text.push_str(&r.json.to_string());
        text.push('\n');
    }
    write_atomically(path, text.as_bytes())
}

/// Writes `path` through a temporary file and a rename, so that readers
/// never see half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ResultsError> {
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, bytes).map_err(io_err(&tmp))?;
    fs::rename(&tmp, path).map_err(io_err(path))
}

/// Writes `dir/sweep.json`.
pub fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<(), ResultsError> {
    let text = serde_json::to_string_pretty(manifest).unwrap_or_default() + "\n";
    write_atomically(&dir.join("sweep.json"), text.as_bytes())
}

/// Reads a directory's manifest.
pub fn read_manifest(dir: &Path) -> Result<Manifest, ResultsError> {
    let path = dir.join("sweep.json");
    let text = fs::read_to_string(&path).map_err(io_err(&path))?;
    serde_json::from_str(&text).map_err(|e| ResultsError::Format {
        path,
        line: 0,
        message: format!("not a sweep manifest: {e}"),
    })
}

/// The figures of `results.csv`, after the axes: (column, report path).
pub const CSV_FIGURES: &[(&str, &str)] = &[
    ("offered_gbps", "offered_gbps"),
    ("offered_mpps", "offered_mpps"),
    ("delivered_gbps", "throughput_gbps"),
    ("delivered_mpps", "mpps"),
    ("app_mpps", "app_mpps"),
    ("frames_offered", "frames_offered"),
    ("frames_delivered", "frames_delivered"),
    ("drops_total", "drops_total"),
    ("drops_rx_missed_errors", "drops.rx_missed_errors"),
    ("drops_rx_discarded", "drops.rx_discarded"),
    ("drops_rx_crc_errors", "drops.rx_crc_errors"),
    ("drops_rx_length_errors", "drops.rx_length_errors"),
    ("drops_rxerrc", "drops.rxerrc"),
    ("drops_rx_errors", "drops.rx_errors"),
    ("drops_backlog_full", "drops.backlog_full"),
    ("drops_socket_rcvbuf_full", "drops.socket_rcvbuf_full"),
    ("drops_rx_reset_lost", "drops.rx_reset_lost"),
    ("drops_ip_hdr_errors", "drops.ip_hdr_errors"),
    ("drops_ip_truncated", "drops.ip_truncated"),
    ("drops_l4_hdr_errors", "drops.l4_hdr_errors"),
    ("drops_l4_csum_errors", "drops.l4_csum_errors"),
    ("in_flight_at_end", "in_flight_at_end"),
    ("latency_p50_ns", "latency_ns.p50"),
    ("latency_p99_ns", "latency_ns.p99"),
    ("latency_p999_ns", "latency_ns.p999"),
    ("latency_max_ns", "latency_ns.max"),
    ("irqs_per_sec", "irqs_per_sec"),
    ("irqs_per_million_frames", "irqs_per_million_frames"),
    ("cpu_irq", "cpu.irq"),
    ("cpu_softirq", "cpu.softirq"),
    ("cpu_ksoftirqd", "cpu.ksoftirqd"),
    ("cpu_app", "cpu.app"),
    ("cpu_idle", "cpu.idle"),
    ("cpu_busy", "cpu.busy"),
    ("rx_no_buffer_count", "rx_no_buffer_count"),
    ("time_squeeze", "time_squeeze"),
    ("sim_cycles", "sim_cycles"),
];

/// Writes the final files from every record, sorted by point:
/// `results.jsonl`, `results.csv` (with the Pareto mark) and `timing.csv`
/// (only the records run now have a wall-clock time).
pub fn write_final(dir: &Path, axes: &[String], records: &[Record], pareto: &[bool]) -> Result<(), ResultsError> {
    write_jsonl(&dir.join("results.jsonl"), records)?;
    let csv_path = dir.join("results.csv");
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["point".into(), "key".into(), "seed".into()];
    header.extend(axes.iter().cloned());
    header.extend(CSV_FIGURES.iter().map(|(c, _)| c.to_string()));
    header.push("pareto".into());
    let csv_err = |e: csv::Error| ResultsError::Io { path: csv_path.clone(), source: io::Error::other(e) };
    w.write_record(&header).map_err(csv_err)?;
    for (i, r) in records.iter().enumerate() {
        let mut row = vec![r.point.to_string(), r.key.clone(), r.json["seed"].to_string()];
        row.extend(axes.iter().map(|a| r.axis(a).map_or(String::new(), plain)));
        row.extend(CSV_FIGURES.iter().map(|(_, p)| r.figure(p).map_or(String::new(), number)));
        row.push(pareto.get(i).copied().unwrap_or(false).to_string());
        w.write_record(&row).map_err(csv_err)?;
    }
    let bytes = w.into_inner().map_err(|e| ResultsError::Io { path: csv_path.clone(), source: e.into_error() })?;
    write_atomically(&csv_path, &bytes)?;
    let timing_path = dir.join("timing.csv");
    let mut t = String::from("point,key,wall_seconds\n");
    for r in records.iter().filter(|r| r.wall_seconds.is_finite()) {
        t.push_str(&format!("{},{},{:.3}\n", r.point, r.key, r.wall_seconds));
    }
    write_atomically(&timing_path, t.as_bytes())
}

/// A JSON value as a CSV cell: strings without quotes.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A figure as a CSV cell: integers as integers, the rest with 6 significant
/// decimals (stable text for a stable value).
fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:.6}")
    }
}

/// Records by point, merged from several directories; a point present twice
/// must be the same scenario.
pub fn merge_records(sets: Vec<(PathBuf, Vec<Record>)>) -> Result<Vec<Record>, ResultsError> {
    let mut by_point: BTreeMap<usize, (PathBuf, Record)> = BTreeMap::new();
    for (dir, records) in sets {
        for r in records {
            if let Some((first, prev)) = by_point.get(&r.point) {
                if prev.key != r.key {
                    return Err(ResultsError::Mismatch {
                        first: first.clone(),
                        other: dir,
                        what: format!("point {} has key {} in one and {} in the other", r.point, prev.key, r.key),
                    });
                }
                continue;
            }
            by_point.insert(r.point, (dir.clone(), r));
        }
    }
    Ok(by_point.into_values().map(|(_, r)| r).collect())
}

#[cfg(test)]
mod tests {
    use super::CSV_FIGURES;
    use crate::run::report::DROP_REASONS;

    #[test]
    fn every_drop_reason_has_a_column() {
        for reason in DROP_REASONS {
            let column = format!("drops_{reason}");
            let path = format!("drops.{reason}");
            assert!(CSV_FIGURES.contains(&(column.as_str(), path.as_str())), "results.csv lacks {column}");
        }
    }
}
