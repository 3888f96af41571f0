//! `verinic compare DIR... --out DIR`: several sweeps over offered load,
//! side by side: for every metric, one plot with one line per sweep.
//!
//! Each directory is a sweep's output (`results.jsonl` and `sweep.json`);
//! its line is labelled with the sweep's name. The x axis is the offered
//! load (`rx.load`, a fraction of line rate, log scale); the sweeps' other
//! axes (e.g. `rx.frame_sizes`) split the points into families, each with
//! its own set of plots. Several seeds at one load are averaged.
//!
//! Writes `<family>-<metric>.svg/.png`, `compare.csv` (one row per sweep,
//! family and load) and `index.html` into the output directory.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use serde_json::Value;

use super::plot::{fonts, series_colour, PlotError, PLOT_SIZE};
use super::results::{read_jsonl, read_manifest, ResultsError};
use super::workbench::ExploreError;

/// A metric plotted against load: (file stem, title, y label, value of a report).
type Metric = (&'static str, &'static str, &'static str, fn(&Value) -> Option<f64>);

/// The metrics compared.
pub const METRICS: &[Metric] = &[
    ("p50", "Latency p50, wire to stack", "us (log)", |r| r["latency_ns"]["p50"].as_f64().map(|x| x / 1e3)),
    ("p99", "Latency p99, wire to stack", "us (log)", |r| r["latency_ns"]["p99"].as_f64().map(|x| x / 1e3)),
    ("irqs", "Interrupts per second", "1/s (log)", |r| r["irqs_per_sec"].as_f64()),
    ("cpu", "CPU busy", "% of the core", |r| r["cpu"]["busy"].as_f64().map(|x| x * 100.0)),
    ("drops", "Frames dropped", "% of offered", |r| {
        let (d, o) = (r["drops_total"].as_f64()?, r["frames_offered"].as_f64()?);
        Some(if o > 0.0 { 100.0 * d / o } else { 0.0 })
    }),
    ("throughput", "Throughput delivered to the stack", "Gb/s", |r| r["throughput_gbps"].as_f64()),
    ("app", "Frames the application read", "Mpps", |r| r["app_mpps"].as_f64()),
    ("irqs_per_mframe", "Interrupts per million frames received", "(log)", |r| r["irqs_per_million_frames"].as_f64()),
];

/// Which metrics get a log y axis.
fn log_y(stem: &str) -> bool {
    matches!(stem, "p50" | "p99" | "irqs" | "irqs_per_mframe")
}

/// One sweep's points: family -> load -> reports at that load.
struct Line {
    name: String,
    by_family: BTreeMap<String, BTreeMap<u64, Vec<Value>>>,
}

/// One load of one line: the load and each metric's mean there.
type LoadRow = (f64, Vec<Option<f64>>);

/// Loads are keyed in millionths, so that equal loads meet.
fn load_key(load: f64) -> u64 {
    (load * 1e6).round() as u64
}

/// Compares the sweeps in `dirs` into `out`; returns the files written.
pub fn compare(dirs: &[PathBuf], out: &Path) -> Result<Vec<PathBuf>, ExploreError> {
    let mut lines = Vec::new();
    for d in dirs {
        let manifest = read_manifest(d).map_err(ExploreError::Results)?;
        let mut by_family: BTreeMap<String, BTreeMap<u64, Vec<Value>>> = BTreeMap::new();
        for r in read_jsonl(&d.join("results.jsonl")).map_err(ExploreError::Results)? {
            let report = r.json["report"].clone();
            let Some(load) = report["scenario"]["rx"]["load"].as_f64() else { continue };
            let family: Vec<String> = r.json["axes"]
                .as_object()
                .map(|m| m.iter().filter(|(k, _)| *k != "rx.load").map(|(k, v)| family_label(k, v)).collect())
                .unwrap_or_default();
            by_family.entry(family.join(" ")).or_default().entry(load_key(load)).or_default().push(report);
        }
        lines.push(Line { name: manifest.name, by_family });
    }
    if lines.iter().all(|l| l.by_family.is_empty()) {
        return Err(ExploreError::Plot(PlotError::Empty));
    }
    std::fs::create_dir_all(out)
        .map_err(|source| ExploreError::Results(ResultsError::Io { path: out.into(), source }))?;
    fonts().map_err(ExploreError::Plot)?;
    let families: Vec<String> = {
        let mut f: Vec<String> = lines.iter().flat_map(|l| l.by_family.keys().cloned()).collect();
        f.sort();
        f.dedup();
        f
    };
    let mut written = Vec::new();
    let mut csv = String::from("family,strategy,load");
    for (stem, ..) in METRICS {
        let _ = write!(csv, ",{stem}");
    }
    csv.push('\n');
    for (fi, family) in families.iter().enumerate() {
        // Per line: (load, mean of each metric) in load order.
        let table: Vec<(String, Vec<LoadRow>)> = lines
            .iter()
            .map(|l| {
                let rows = l.by_family.get(family).map_or_else(Vec::new, |loads| {
                    loads
                        .iter()
                        .map(|(&k, reports)| (k as f64 / 1e6, METRICS.iter().map(|m| mean(reports, m.3)).collect()))
                        .collect()
                });
                (l.name.clone(), rows)
            })
            .collect();
        for (name, rows) in &table {
            for (load, values) in rows {
                let cells: Vec<String> =
                    values.iter().map(|v| v.map_or(String::new(), |x| format!("{x:.4}"))).collect();
                let _ = writeln!(csv, "\"{}\",{name},{load},{}", family.replace('"', "'"), cells.join(","));
            }
        }
        for (mi, (stem, title, unit, _)) in METRICS.iter().enumerate() {
            let base = out.join(format!("f{fi}-{stem}"));
            let caption = if family.is_empty() { title.to_string() } else { format!("{title} ({family})") };
            let series: Vec<(String, Vec<(f64, f64)>)> = table
                .iter()
                .map(|(n, rows)| (n.clone(), rows.iter().filter_map(|(l, v)| Some((*l, v[mi]?))).collect()))
                .collect();
            let svg = base.with_extension("svg");
            draw(SVGBackend::new(&svg, PLOT_SIZE).into_drawing_area(), &caption, unit, log_y(stem), &series)?;
            let png = base.with_extension("png");
            draw(BitMapBackend::new(&png, PLOT_SIZE).into_drawing_area(), &caption, unit, log_y(stem), &series)?;
            written.push(svg);
            written.push(png);
        }
    }
    let csv_path = out.join("compare.csv");
    std::fs::write(&csv_path, csv)
        .map_err(|source| ExploreError::Results(ResultsError::Io { path: csv_path.clone(), source }))?;
    written.push(csv_path);
    written.push(index(out, &families, &lines)?);
    Ok(written)
}

/// How a family is named: `k=v`, and frame-size lists as a reader says them.
fn family_label(path: &str, v: &Value) -> String {
    let sizes: Option<Vec<u64>> = (path == "rx.frame_sizes")
        .then(|| v.as_array())
        .flatten()
        .map(|a| a.iter().filter_map(Value::as_u64).collect());
    match sizes {
        Some(s) if !s.is_empty() => {
            let mut distinct = s.clone();
            distinct.sort_unstable();
            distinct.dedup();
            if distinct.len() == 1 {
                format!("{}-byte frames", distinct[0])
            } else {
                let parts: Vec<String> =
                    distinct.iter().map(|d| format!("{d} x{}", s.iter().filter(|&&x| x == *d).count())).collect();
                format!("mixed sizes {}", parts.join(", "))
            }
        }
        _ => format!("{path}={v}"),
    }
}

fn mean(reports: &[Value], f: fn(&Value) -> Option<f64>) -> Option<f64> {
    let v: Vec<f64> = reports.iter().filter_map(f).collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    unit: &str,
    log: bool,
    series: &[(String, Vec<(f64, f64)>)],
) -> Result<(), ExploreError> {
    let err = |e: String| ExploreError::Plot(PlotError::Draw(e));
    root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
    let xs = series.iter().flat_map(|(_, p)| p.iter().map(|q| q.0));
    let (x0, x1) = xs.fold((f64::INFINITY, 0.0f64), |(a, b), x| (a.min(x), b.max(x)));
    // A log axis is drawn as log10 of the values on a linear axis, labelled
    // with the values themselves (one coordinate type for both kinds).
    let t = |y: f64| if log { y.log10() } else { y };
    let ys: Vec<f64> =
        series.iter().flat_map(|(_, p)| p.iter().map(|q| q.1)).filter(|y| !log || *y > 0.0).map(t).collect();
    let top = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let bottom = ys.iter().copied().fold(f64::INFINITY, f64::min);
    let (y0, y1) =
        if log { (bottom.floor().min(top - 1.0), top.ceil().max(bottom + 1.0)) } else { (0.0, (top * 1.1).max(1e-9)) };
    let (x0, x1) = (x0.max(1e-4) / 1.2, x1.max(x0) * 1.2);
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 26))
        .margin(20)
        .x_label_area_size(55)
        .y_label_area_size(80)
        .build_cartesian_2d((x0..x1).log_scale(), y0..y1)
        .map_err(|e| err(e.to_string()))?;
    let label = |v: &f64| if log { format_value(10f64.powf(*v)) } else { format_value(*v) };
    chart
        .configure_mesh()
        .x_desc("offered load (fraction of 10G line rate, log)")
        .y_desc(unit)
        .y_label_formatter(&label)
        .x_label_formatter(&|x: &f64| format_value(*x))
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 17))
        .draw()
        .map_err(|e| err(e.to_string()))?;
    for (i, (name, points)) in series.iter().enumerate() {
        let colour = series_colour(i, series.len());
        let pts: Vec<(f64, f64)> =
            points.iter().copied().filter(|p| !log || p.1 > 0.0).map(|(x, y)| (x, t(y))).collect();
        chart
            .draw_series(LineSeries::new(pts.clone(), colour.stroke_width(2)))
            .map_err(|e| err(e.to_string()))?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(3)));
        chart
            .draw_series(pts.into_iter().map(|p| Circle::new(p, 4, colour.filled())))
            .map_err(|e| err(e.to_string()))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(("sans-serif", 16))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(|e| err(e.to_string()))?;
    root.present().map_err(|e| err(e.to_string()))
}

/// A tick label: 3 significant digits, k and M for thousands and millions.
fn format_value(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.3}M", v / 1e6).trim_end_matches('0').trim_end_matches('.').to_string().replace(".M", "M")
    } else if a >= 1e3 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 10.0 || a == 0.0 {
        format!("{v:.0}")
    } else if a >= 0.1 {
        format!("{v:.2}").trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{v:.3}").trim_end_matches('0').to_string()
    }
}

fn index(out: &Path, families: &[String], lines: &[Line]) -> Result<PathBuf, ExploreError> {
    let mut h = String::from(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"/><title>verinic compare</title><style>\
         body{font-family:sans-serif;max-width:1100px;margin:1.5em auto;padding:0 1em}img{width:100%;max-width:1000px;\
         border:1px solid #ddd}</style></head><body>\n<h1>Compared</h1>\n<p>",
    );
    let names: Vec<&str> = lines.iter().map(|l| l.name.as_str()).collect();
    let _ = writeln!(h, "{}; numbers in <a href=\"compare.csv\">compare.csv</a>.</p>", names.join(", "));
    for (fi, family) in families.iter().enumerate() {
        if !family.is_empty() {
            let _ = writeln!(h, "<h2>{}</h2>", family.replace('<', "&lt;"));
        }
        for (stem, title, ..) in METRICS {
            let _ = writeln!(
                h,
                "<figure><img src=\"f{fi}-{stem}.svg\" alt=\"{title}\"/><figcaption>{title}</figcaption></figure>"
            );
        }
    }
    h.push_str("</body></html>\n");
    let path = out.join("index.html");
    std::fs::write(&path, h)
        .map_err(|source| ExploreError::Results(ResultsError::Io { path: path.clone(), source }))?;
    Ok(path)
}
