//! Plots (SVG and PNG) and `index.html` from a sweep's `results.jsonl`.
//!
//! [`read_results`] reads the file into [`PlotPoint`]s, [`draw_all`] draws
//! five figures, each as `NAME.svg` and `NAME.png` ([`PLOT_SIZE`] pixels),
//! and [`write_index`] writes an `index.html` that shows them with captions
//! and the table of every point; it opens from disk (no server, no script,
//! no outside URL).
//!
//! | file | what it shows |
//! |---|---|
//! | `throughput` | delivered against offered Gb/s, one line per setting, and y = x |
//! | `latency_vs_irqs` | latency p50 (circles) and p99 (triangles) against interrupts per second, every point |
//! | `cpu` | CPU busy share stacked (hard IRQ, softirq, application), one bar per point in order of delivered Gb/s |
//! | `drops` | drops by reason in % of offered frames against offered Gb/s, per RX ring size; RNBC dashed |
//! | `pareto` | latency p99 against CPU busy, every point, the Pareto front among drop-free points labelled |
//!
//! # Settings and seeds
//!
//! A point's *setting* ([`PlotPoint::setting`]) is its axes other than
//! `rx.load` and `seed`, each as `name=value` with the last component of its
//! path (`rx_usecs=8 rx_frames=32`); a sweep over the load alone has the one
//! setting `base`. The lines of the throughput plot are per setting and
//! those of the drops plot per RX ring size; when several points share a
//! line's (group, load) (several seeds; for drops also several settings)
//! the line goes through their **mean**. The latency, CPU and Pareto plots
//! draw **every point**, each seed on its own; the CPU plot's bars stand in
//! order of delivered throughput whatever their setting (its x axis is the
//! rank, each tick labelled with its bar's Gb/s).
//!
//! # Scales
//!
//! An axis is logarithmic when its positive values span a factor of 10 or
//! more (latency, interrupts per second, CPU busy in the Pareto plot);
//! points whose value cannot go on a log axis (0: no interrupt, no frame
//! measured) are left out and counted in the legend panel and the caption.
//! Throughput, drop and CPU share axes are linear from 0.
//!
//! # Legends
//!
//! Every figure has its legend in a panel right of the plot, at most
//! [`MAX_LEGEND_ENTRIES`] entries. Colour keys are filled squares; with more
//! settings than fit, colours still tell settings apart but the legend says
//! "colour = setting, see the table" instead of listing them (the caption
//! says so too).
//!
//! # What the SVGs hold
//!
//! Useful to test against (plotters' SVG backend writes one element per
//! shape, without groups or ids):
//!
//! - a solid data line is one `<polyline>` with `stroke-width="2"`; grid,
//!   axes and the y = x reference are 1 wide; legend colour keys are `<rect>`s;
//! - a dashed line (RNBC) is one `<polyline>` per dash, 2 wide, in a colour
//!   no solid line of its plot has;
//! - markers: circle = `<circle>`, triangle and diamond = `<polygon>`,
//!   square = `<rect>`, cross = two `<line>`s; the legend draws one marker
//!   per marker entry;
//! - the CPU plot draws one `<rect>` per point and nonzero share (hard IRQ,
//!   softirq, application: three colours);
//! - the Pareto front is one staircase `<polyline>` (2 wide) through its
//!   points; each front point has one `<text>` label, `SETTING @ load L`,
//!   except that points drawn on the same pixel share one, suffixed
//!   `(+N more here)`.

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::fs;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::register_font;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::pareto::tuning_front;
use crate::run::report::DROP_REASONS;

/// Width and height of every figure, in pixels (SVG and PNG).
pub const PLOT_SIZE: (u32, u32) = (1000, 650);

/// The most entries a legend panel lists.
pub const MAX_LEGEND_ENTRIES: usize = 12;

/// The axis that is the offered load, never part of a setting.
const LOAD_AXIS: &str = "rx.load";

/// Width of the legend panel right of each plot.
const LEGEND_WIDTH: u32 = 270;

/// Why plotting failed.
#[derive(Debug)]
pub enum PlotError {
    /// Reading or writing a file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
    /// A line of a results file is not a result: bad JSON or a missing or
    /// mistyped field.
    Parse {
        /// The results file.
        file: PathBuf,
        /// Its line, from 1.
        line: usize,
        /// What is wrong with it.
        problem: String,
    },
    /// A JSON value given to [`PlotPoint::from_json`] lacks a field or holds
    /// the wrong type.
    Field {
        /// Dotted path of the field (`report.latency_ns.p99`).
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// There is no point to plot.
    Empty,
    /// plotters failed to draw or to write a PNG.
    Draw(String),
}

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlotError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            PlotError::Parse { file, line, problem } => write!(f, "{}, line {line}: {problem}", file.display()),
            PlotError::Field { field, problem } => write!(f, "field `{field}`: {problem}"),
            PlotError::Empty => write!(f, "no points to plot"),
            PlotError::Draw(message) => write!(f, "drawing a plot: {message}"),
        }
    }
}

impl std::error::Error for PlotError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PlotError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        PlotError::Draw(e.to_string())
    }
}

/// Latency figures of one point, in ns (first byte on the wire to the stack).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LatencyNs {
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Largest.
    pub max: f64,
}

/// Shares of the CPU's time in the measured window (0..1).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CpuShares {
    /// Hard-IRQ handler.
    pub irq: f64,
    /// Softirq (NAPI polls).
    pub softirq: f64,
    /// The application.
    pub app: f64,
    /// Idle.
    pub idle: f64,
    /// `irq + softirq + app`.
    pub busy: f64,
}

/// Frames dropped, by reason (the report's `drops`), in the order of
/// [`DROP_REASONS`], the one list of reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Drops(pub [u64; DROP_REASONS.len()]);

impl Drops {
    /// The report's key of each reason with its count, in report order.
    pub fn by_reason(&self) -> [(&'static str, u64); DROP_REASONS.len()] {
        std::array::from_fn(|i| (DROP_REASONS[i], self.0[i]))
    }
}

/// One line of `results.jsonl`: a sweep point, its axes and the report
/// figures the plots use (units as in `docs/report.md`).
#[derive(Debug, Clone, PartialEq)]
pub struct PlotPoint {
    /// The point's number in the sweep.
    pub point: u64,
    /// The point's scenario key (a hash).
    pub key: String,
    /// The point's seed (also `report.scenario.seed`).
    pub seed: u64,
    /// The swept paths with this point's values, in axis order (see
    /// [`PlotPoint::from_json`] for the order of a parsed value).
    pub axes: Vec<(String, Value)>,
    /// Offered receive traffic, Gb/s.
    pub offered_gbps: f64,
    /// Delivered receive traffic, Gb/s.
    pub throughput_gbps: f64,
    /// Frames handed to the stack, millions per second.
    pub mpps: f64,
    /// Latency percentiles, ns.
    pub latency_ns: LatencyNs,
    /// Interrupts handled per second.
    pub irqs_per_sec: f64,
    /// CPU shares, 0..1.
    pub cpu: CpuShares,
    /// Drops by reason, frames.
    pub drops: Drops,
    /// Sum of `drops`.
    pub drops_total: u64,
    /// Receive frames offered.
    pub frames_offered: u64,
    /// RNBC: times a frame waited for a free descriptor.
    pub rx_no_buffer_count: u64,
    /// `scenario.rx.load`: offered load, fraction of line rate.
    pub load: f64,
    /// `scenario.driver.rx_ring`: RX descriptors.
    pub rx_ring: u64,
    /// `scenario.driver.rx_usecs`.
    pub rx_usecs: u64,
    /// `scenario.driver.rx_frames`.
    pub rx_frames: u64,
    /// `scenario.driver.itr_max_irqs_per_sec`.
    pub itr_max_irqs_per_sec: u64,
}

/// The value at dotted `path` inside `v`.
fn field<'a>(v: &'a Value, path: &str) -> Result<&'a Value, PlotError> {
    let mut at = v;
    for part in path.split('.') {
        at = at.get(part).ok_or_else(|| PlotError::Field { field: path.into(), problem: "missing".into() })?;
    }
    Ok(at)
}

fn wrong_type(path: &str, want: &str, got: &Value) -> PlotError {
    let mut shown = got.to_string();
    if shown.len() > 40 {
        shown.truncate(37);
        shown.push_str("...");
    }
    PlotError::Field { field: path.into(), problem: format!("expected {want}, found {shown}") }
}

fn number(v: &Value, path: &str) -> Result<f64, PlotError> {
    let at = field(v, path)?;
    at.as_f64().ok_or_else(|| wrong_type(path, "a number", at))
}

fn count(v: &Value, path: &str) -> Result<u64, PlotError> {
    let at = field(v, path)?;
    at.as_u64().ok_or_else(|| wrong_type(path, "a non-negative integer", at))
}

impl PlotPoint {
    /// Reads one parsed line of `results.jsonl`: an object with `point`,
    /// `key`, `seed`, `axes` (path -> value) and `report` (the run report,
    /// `docs/report.md`). Every field the plots use must be present with the
    /// right type, else [`PlotError::Field`] names it.
    ///
    /// `axes` come in the order of the JSON object's keys as `serde_json`
    /// keeps them: without its `preserve_order` feature that is sorted by
    /// name. [`read_results`] restores the file's (axis) order.
    pub fn from_json(line: &Value) -> Result<PlotPoint, PlotError> {
        if !line.is_object() {
            return Err(wrong_type("(line)", "a JSON object", line));
        }
        let axes = field(line, "axes")?;
        let axes = axes.as_object().ok_or_else(|| wrong_type("axes", "an object", axes))?;
        let key = field(line, "key")?;
        let r = "report";
        let report = |name: &str| format!("{r}.{name}");
        let n = |name: &str| number(line, &report(name));
        let c = |name: &str| count(line, &report(name));
        Ok(PlotPoint {
            point: count(line, "point")?,
            key: key.as_str().ok_or_else(|| wrong_type("key", "a string", key))?.to_string(),
            seed: count(line, "seed")?,
            axes: axes.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            offered_gbps: n("offered_gbps")?,
            throughput_gbps: n("throughput_gbps")?,
            mpps: n("mpps")?,
            latency_ns: LatencyNs {
                p50: n("latency_ns.p50")?,
                p99: n("latency_ns.p99")?,
                p999: n("latency_ns.p999")?,
                max: n("latency_ns.max")?,
            },
            irqs_per_sec: n("irqs_per_sec")?,
            cpu: CpuShares {
                irq: n("cpu.irq")?,
                softirq: n("cpu.softirq")?,
                app: n("cpu.app")?,
                idle: n("cpu.idle")?,
                busy: n("cpu.busy")?,
            },
            drops: {
                let mut d = Drops::default();
                for (v, key) in d.0.iter_mut().zip(DROP_REASONS) {
                    // Reasons added after the first results files read 0 there.
                    let field = c(&format!("drops.{key}"));
                    *v = if REQUIRED_DROPS.contains(&key) { field? } else { field.unwrap_or(0) };
                }
                d
            },
            drops_total: c("drops_total")?,
            frames_offered: c("frames_offered")?,
            rx_no_buffer_count: c("rx_no_buffer_count")?,
            load: n("scenario.rx.load")?,
            rx_ring: c("scenario.driver.rx_ring")?,
            rx_usecs: c("scenario.driver.rx_usecs")?,
            rx_frames: c("scenario.driver.rx_frames")?,
            itr_max_irqs_per_sec: c("scenario.driver.itr_max_irqs_per_sec")?,
        })
    }

    /// The point's setting: its axes other than `rx.load` and `seed`, as
    /// `name=value` joined by spaces, `name` the last component of the path
    /// (`rx_usecs=8 rx_frames=32`); `base` when there are none.
    pub fn setting(&self) -> String {
        let parts: Vec<String> = self
            .axes
            .iter()
            .filter(|(path, _)| path != LOAD_AXIS && path != "seed")
            .map(|(path, v)| format!("{}={}", path.rsplit('.').next().unwrap_or(path), value_text(v)))
            .collect();
        if parts.is_empty() {
            "base".into()
        } else {
            parts.join(" ")
        }
    }

    /// The point's value on the axis `path`, if it has that axis.
    pub fn axis(&self, path: &str) -> Option<&Value> {
        self.axes.iter().find(|(p, _)| p == path).map(|(_, v)| v)
    }

    /// The share of offered frames that `n` frames are, in %.
    fn percent_of_offered(&self, n: u64) -> f64 {
        if self.frames_offered == 0 {
            0.0
        } else {
            100.0 * n as f64 / self.frames_offered as f64
        }
    }
}

/// An axis value as text: strings bare, numbers and booleans as JSON.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The keys of a line's `axes` object in file order.
#[derive(Deserialize)]
struct AxesOrder {
    axes: KeyOrder,
}

struct KeyOrder(Vec<String>);

impl<'de> Deserialize<'de> for KeyOrder {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> Visitor<'de> for Keys {
            type Value = KeyOrder;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KeyOrder, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    map.next_value::<IgnoredAny>()?;
                    keys.push(key);
                }
                Ok(KeyOrder(keys))
            }
        }
        d.deserialize_map(Keys)
    }
}

/// Reads a sweep's `results.jsonl`: one [`PlotPoint`] per non-blank line,
/// in file order, axes in the file's order. A line that is not valid JSON
/// or lacks a field is a [`PlotError::Parse`] naming the file and the line.
/// A file without points gives an empty vector.
pub fn read_results(path: &Path) -> Result<Vec<PlotPoint>, PlotError> {
    let text = fs::read_to_string(path).map_err(|source| PlotError::Io { path: path.to_path_buf(), source })?;
    let mut points = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |problem: String| PlotError::Parse { file: path.to_path_buf(), line: i + 1, problem };
        let value: Value = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        let mut point = PlotPoint::from_json(&value).map_err(|e| bad(e.to_string()))?;
        let order = serde_json::from_str::<AxesOrder>(line).map_err(|e| bad(e.to_string()))?.axes.0;
        point.axes.sort_by_key(|(k, _)| order.iter().position(|o| o == k));
        points.push(point);
    }
    Ok(points)
}

/// For each point, whether it is on the Pareto front of (latency p99, CPU
/// busy), both minimised, among the points with no drop (`drops_total ==
/// 0`); points that drop frames are never on it. The same rule as the
/// sweep's `pareto` column.
pub fn on_pareto_front(points: &[PlotPoint]) -> Vec<bool> {
    tuning_front(points.iter().map(|p| (p.drops_total as f64, p.latency_ns.p99, p.cpu.busy)))
}

// ---------------------------------------------------------------------------
// Scales

/// A linear or logarithmic axis over `lo..hi`, with 1-2-5 ticks.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Scale {
    lo: f64,
    hi: f64,
    log: bool,
}

impl Scale {
    /// Linear from `lo` to `hi` (at least 1 apart when they meet).
    fn linear(lo: f64, hi: f64) -> Scale {
        let hi = if hi > lo { hi } else { lo + 1.0 };
        Scale { lo, hi, log: false }
    }

    /// Logarithmic when the positive finite `values` span a factor of 10
    /// or more (padded by 5 % of the span on each side); otherwise linear
    /// from 0 (or the smallest value when negative) to the largest + 5 %.
    fn auto(values: &[f64]) -> Scale {
        let finite = || values.iter().copied().filter(|v| v.is_finite());
        let positive = || finite().filter(|&v| v > 0.0);
        let (pmin, pmax) = (positive().fold(f64::INFINITY, f64::min), positive().fold(0.0, f64::max));
        if pmax > 0.0 && pmax / pmin >= 10.0 {
            let pad = (pmax / pmin).powf(0.05);
            return Scale { lo: pmin / pad, hi: pmax * pad, log: true };
        }
        let lo = finite().fold(0.0, f64::min);
        let hi = finite().fold(0.0, f64::max);
        Scale::linear(lo, hi + 0.05 * (hi - lo))
    }

    /// Whether `v` can be placed on this axis.
    fn shows(&self, v: f64) -> bool {
        v.is_finite() && (!self.log || v > 0.0)
    }

    /// Where `v` falls, 0 at `lo` and 1 at `hi`.
    fn fraction(&self, v: f64) -> f64 {
        if self.log {
            let v = if v > 0.0 { v } else { self.lo };
            (v.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        }
    }

    fn kind(&self) -> &'static str {
        if self.log {
            "log"
        } else {
            "linear"
        }
    }

    /// Tick values: at most `max` bold ones, or when `light` the finer grid
    /// between bold ticks of at most `bold` points.
    fn ticks(&self, max: usize, bold: usize, light: bool) -> Vec<f64> {
        if max == 0 {
            return Vec::new();
        }
        if self.log {
            return self.log_ticks(if light { max } else { max.min(bold) }, light);
        }
        let mut step = nice_step((self.hi - self.lo) / bold.max(1) as f64);
        if light {
            // 1 -> 0.5, 2 -> 1, 5 -> 1: one or four light lines between bold ones.
            let lead = (step / 10f64.powf(step.log10().floor())).round();
            step /= if lead == 5.0 { 5.0 } else { 2.0 };
        }
        let (first, last) = ((self.lo / step - 1e-9).ceil() as i64, (self.hi / step + 1e-9).floor() as i64);
        if last - first > 1000 {
            return Vec::new();
        }
        (first..=last).map(|i| i as f64 * step).collect()
    }

    /// Decades' 1 (then 1, 2, 5; then 1..9 for the light grid) within range.
    fn log_ticks(&self, max: usize, light: bool) -> Vec<f64> {
        let (d0, d1) = (self.lo.log10().floor() as i32, self.hi.log10().ceil() as i32);
        let in_range = |mults: &[f64]| -> Vec<f64> {
            (d0..=d1)
                .flat_map(|d| mults.iter().map(move |m| m * 10f64.powi(d)))
                .filter(|v| *v >= self.lo * (1.0 - 1e-9) && *v <= self.hi * (1.0 + 1e-9))
                .collect()
        };
        let sets: &[&[f64]] = if light {
            &[&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], &[1.0, 2.0, 5.0], &[1.0]]
        } else {
            &[&[1.0, 2.0, 5.0], &[1.0]]
        };
        for set in sets {
            let ticks = in_range(set);
            if ticks.len() <= max && (ticks.len() >= 3 || set.len() == 1) {
                return ticks;
            }
        }
        // Even one per decade is too many: every k-th decade.
        let ones = in_range(&[1.0]);
        let k = ones.len().div_ceil(max.max(1));
        ones.into_iter().step_by(k.max(1)).collect()
    }
}

/// The smallest 1, 2 or 5 x 10^k at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if raw.is_nan() || raw <= 0.0 || raw.is_infinite() {
        return 1.0;
    }
    let base = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * base).find(|s| *s >= raw * (1.0 - 1e-9)).unwrap_or(10.0 * base)
}

impl Ranged for Scale {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let px = limit.0 as f64 + self.fraction(*value) * (limit.1 - limit.0) as f64;
        px.round().clamp(-1e6, 1e6) as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        let light = hint.weight().allow_light_points();
        self.ticks(hint.max_num_points(), hint.bold_points(), light)
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

impl ValueFormatter<f64> for Scale {
    fn format(value: &f64) -> String {
        fmt_num(*value)
    }
}

/// A number for a tick label or a table: three significant digits, k / M /
/// G for thousands and up, no trailing zeros.
fn fmt_num(v: f64) -> String {
    let a = v.abs();
    let (scaled, suffix) = match a {
        a if a >= 1e9 => (v / 1e9, "G"),
        a if a >= 1e6 => (v / 1e6, "M"),
        a if a >= 1e4 => (v / 1e3, "k"),
        _ => (v, ""),
    };
    format!("{}{suffix}", sig3(scaled))
}

/// `v` with three significant digits (more for integers), no trailing zeros.
fn sig3(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v.is_finite() { "0".into() } else { v.to_string() };
    }
    let digits = (2 - v.abs().log10().floor() as i32).clamp(0, 12) as usize;
    let s = format!("{v:.digits$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

// ---------------------------------------------------------------------------
// Colours, markers, legends

const GRID_BOLD: RGBColor = RGBColor(215, 215, 215);
const GRID_LIGHT: RGBColor = RGBColor(240, 240, 240);
const INK: RGBColor = RGBColor(40, 40, 40);
const REFERENCE: RGBColor = RGBColor(120, 120, 120);
const POINT_GREY: RGBColor = RGBColor(160, 160, 160);
const FRONT: RGBColor = RGBColor(214, 39, 40);
const RNBC: RGBColor = RGBColor(70, 70, 70);
const CPU_IRQ: RGBColor = RGBColor(225, 87, 89);
const CPU_SOFTIRQ: RGBColor = RGBColor(78, 121, 167);
const CPU_APP: RGBColor = RGBColor(89, 161, 79);

/// Tableau 10 less its grey: distinct, readable on white.
const PALETTE: [RGBColor; 9] = [
    RGBColor(78, 121, 167),
    RGBColor(242, 142, 43),
    RGBColor(225, 87, 89),
    RGBColor(118, 183, 178),
    RGBColor(89, 161, 79),
    RGBColor(237, 201, 72),
    RGBColor(176, 122, 161),
    RGBColor(255, 157, 167),
    RGBColor(156, 117, 95),
];

/// Colour `i` of `n` series, all distinct: the palette when it has enough,
/// else hues spread evenly round the wheel.
pub fn series_colour(i: usize, n: usize) -> RGBColor {
    if n <= PALETTE.len() {
        return PALETTE[i];
    }
    let (r, g, b) = HSLColor(i as f64 / n as f64, 0.65, 0.42).rgb();
    RGBColor(r, g, b)
}

/// The drop reasons every results file has (the others were added later).
const REQUIRED_DROPS: [&str; 6] =
    ["rx_missed_errors", "rx_crc_errors", "rx_length_errors", "rxerrc", "rx_errors", "socket_rcvbuf_full"];

/// Each drop reason of [`DROP_REASONS`], in its order: the report key, a
/// label and its colour (a test checks the keys against the list).
const REASONS: [(&str, &str, RGBColor); DROP_REASONS.len()] = [
    ("rx_missed_errors", "MPC: RX FIFO full", RGBColor(214, 39, 40)),
    ("rx_discarded", "discarded: receiver off or reset", RGBColor(255, 152, 150)),
    ("rx_crc_errors", "CRC errors", RGBColor(242, 142, 43)),
    ("rx_length_errors", "length errors (RUC+ROC)", RGBColor(148, 103, 189)),
    ("rxerrc", "RXERRC (framing)", RGBColor(140, 86, 75)),
    ("rx_errors", "driver rx_errors", RGBColor(227, 119, 194)),
    ("backlog_full", "backlog full (legacy)", RGBColor(188, 189, 34)),
    ("socket_rcvbuf_full", "socket rcvbuf full", RGBColor(31, 119, 180)),
    ("rx_reset_lost", "lost in a reset", RGBColor(127, 127, 127)),
    ("ip_hdr_errors", "IP header errors", RGBColor(23, 190, 207)),
    ("ip_truncated", "IP length beyond the frame", RGBColor(158, 218, 229)),
    ("l4_hdr_errors", "TCP/UDP header errors", RGBColor(44, 160, 44)),
    ("l4_csum_errors", "TCP/UDP checksum errors", RGBColor(152, 223, 138)),
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Marker {
    Circle,
    Triangle,
    Square,
    Diamond,
    Cross,
}

const MARKERS: [Marker; 5] = [Marker::Circle, Marker::Triangle, Marker::Square, Marker::Diamond, Marker::Cross];

/// Draws a marker of half-size `r` pixels centred on pixel `p` of `area`.
fn pixel_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    m: Marker,
    colour: RGBColor,
    r: i32,
) -> Result<(), PlotError> {
    let fill = colour.filled();
    let h = r * 7 / 8;
    match m {
        Marker::Circle => area.draw(&Circle::new((x, y), r, fill))?,
        Marker::Triangle => {
            area.draw(&Polygon::new(vec![(x, y - r - 1), (x + r + 1, y + h), (x - r - 1, y + h)], fill))?
        }
        Marker::Square => area.draw(&Rectangle::new([(x - h, y - h), (x + h, y + h)], fill))?,
        Marker::Diamond => {
            area.draw(&Polygon::new(vec![(x, y - r - 1), (x + r + 1, y), (x, y + r + 1), (x - r - 1, y)], fill))?
        }
        Marker::Cross => area.draw(&Cross::new((x, y), h, colour.stroke_width(2)))?,
    }
    Ok(())
}

/// Draws markers at chart coordinates: `(at, marker, colour, half-size)`.
fn chart_markers<DB: DrawingBackend>(
    c: &Chart<DB>,
    marks: impl IntoIterator<Item = ((f64, f64), Marker, RGBColor, i32)>,
) -> Result<(), PlotError> {
    let area = c.plotting_area().strip_coord_spec();
    let (xs, ys) = area.get_pixel_range();
    for (at, m, colour, r) in marks {
        let (bx, by) = c.backend_coord(&at);
        pixel_marker(&area, (bx - xs.start, by - ys.start), m, colour, r)?;
    }
    Ok(())
}

/// What a legend entry shows left of its label.
enum Swatch {
    /// A filled square: a colour key.
    Fill(RGBColor),
    /// A dashed line of this colour and width.
    Dashed(RGBColor, u32),
    /// A marker.
    Mark(Marker, RGBColor),
    /// Nothing: a note.
    Note,
}

struct Entry {
    swatch: Swatch,
    label: String,
}

impl Entry {
    fn new(swatch: Swatch, label: impl Into<String>) -> Entry {
        Entry { swatch, label: label.into() }
    }
}

/// Draws the legend panel: entries top down, labels cut to fit.
fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, entries: &[Entry]) -> Result<(), PlotError> {
    let text = ("sans-serif", 15).into_font().color(&INK).pos(Pos::new(HPos::Left, VPos::Center));
    let (width, _) = area.dim_in_pixel();
    let mut y = 30;
    for entry in entries.iter().take(MAX_LEGEND_ENTRIES) {
        let x = match entry.swatch {
            Swatch::Note => 8,
            _ => 40,
        };
        match entry.swatch {
            Swatch::Fill(c) => area.draw(&Rectangle::new([(10, y - 6), (28, y + 6)], c.filled()))?,
            Swatch::Dashed(c, w) => {
                for x0 in [8, 20] {
                    area.draw(&PathElement::new(vec![(x0, y), (x0 + 8, y)], c.stroke_width(w)))?;
                }
            }
            Swatch::Mark(m, c) => pixel_marker(area, (19, y), m, c, 5)?,
            Swatch::Note => {}
        }
        let label = fit(area, &entry.label, &text, width.saturating_sub(x as u32 + 6));
        area.draw(&Text::new(label, (x, y), text.clone()))?;
        y += 24;
    }
    Ok(())
}

/// `label`, cut with an ellipsis to `room` pixels.
fn fit<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, label: &str, style: &TextStyle, room: u32) -> String {
    let width = |s: &str| area.estimate_text_size(s, style).map(|(w, _)| w).unwrap_or(0);
    if width(label) <= room {
        return label.to_string();
    }
    let mut chars: Vec<char> = label.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let cut: String = chars.iter().collect::<String>() + "…";
        if width(&cut) <= room {
            return cut;
        }
    }
    String::new()
}

// ---------------------------------------------------------------------------
// The sweep as the plots see it

/// The points with what every plot needs: settings and the Pareto front.
struct Sweep<'a> {
    points: &'a [PlotPoint],
    /// Distinct settings, in order of first appearance.
    settings: Vec<String>,
    /// Index into `settings` of each point.
    setting_of: Vec<usize>,
    /// Distinct seeds.
    seeds: usize,
    front: Vec<bool>,
}

impl<'a> Sweep<'a> {
    fn new(points: &'a [PlotPoint]) -> Result<Sweep<'a>, PlotError> {
        if points.is_empty() {
            return Err(PlotError::Empty);
        }
        let mut settings: Vec<String> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let setting_of = points
            .iter()
            .map(|p| {
                let s = p.setting();
                *index.entry(s.clone()).or_insert_with(|| {
                    settings.push(s);
                    settings.len() - 1
                })
            })
            .collect();
        let mut seeds: Vec<u64> = points.iter().map(|p| p.seed).collect();
        seeds.sort_unstable();
        seeds.dedup();
        Ok(Sweep { points, settings, setting_of, seeds: seeds.len(), front: on_pareto_front(points) })
    }

    fn colour(&self, setting: usize) -> RGBColor {
        series_colour(setting, self.settings.len())
    }

    /// Groups the points `members` by load, in load order: (load, members).
    fn by_load(&self, members: impl Iterator<Item = usize>) -> Vec<(f64, Vec<usize>)> {
        let mut groups: Vec<(f64, Vec<usize>)> = Vec::new();
        for i in members {
            let load = self.points[i].load;
            match groups.iter_mut().find(|(l, _)| l.to_bits() == load.to_bits()) {
                Some((_, g)) => g.push(i),
                None => groups.push((load, vec![i])),
            }
        }
        groups.sort_by(|a, b| a.0.total_cmp(&b.0));
        groups
    }

    fn mean(&self, members: &[usize], f: impl Fn(&PlotPoint) -> f64) -> f64 {
        members.iter().map(|&i| f(&self.points[i])).sum::<f64>() / members.len().max(1) as f64
    }

    /// Whether some (setting, load) has several points (seeds) to average.
    fn averages(&self) -> bool {
        (0..self.settings.len()).any(|s| {
            self.by_load((0..self.points.len()).filter(|&i| self.setting_of[i] == s)).iter().any(|g| g.1.len() > 1)
        })
    }

    fn seed_note(&self) -> String {
        if self.averages() {
            "; where several points (seeds) share a setting and load, the line goes through their mean".into()
        } else {
            String::new()
        }
    }

    /// The throughput plot's lines: per setting, (mean offered, mean
    /// delivered) at each load.
    fn throughput_lines(&self) -> Vec<Vec<(f64, f64)>> {
        (0..self.settings.len())
            .map(|s| {
                self.by_load((0..self.points.len()).filter(|&i| self.setting_of[i] == s))
                    .iter()
                    .map(|(_, g)| (self.mean(g, |p| p.offered_gbps), self.mean(g, |p| p.throughput_gbps)))
                    .collect()
            })
            .collect()
    }

    /// Point indices by delivered throughput (ties: by CPU busy).
    fn by_throughput(&self) -> Vec<usize> {
        let p = self.points;
        let mut order: Vec<usize> = (0..p.len()).collect();
        order.sort_by(|&a, &b| {
            p[a].throughput_gbps.total_cmp(&p[b].throughput_gbps).then(p[a].cpu.busy.total_cmp(&p[b].cpu.busy))
        });
        order
    }

    /// Legend entries of the throughput plot besides the settings.
    fn throughput_fixed(&self) -> usize {
        1 + usize::from(self.averages())
    }

    /// Legend entries of the latency plot besides the settings.
    fn latency_fixed(&self) -> usize {
        2 + usize::from(self.latency_left_out() > 0)
    }

    /// Whether the settings fit in a legend beside `fixed` other entries.
    fn settings_fit(&self, fixed: usize) -> bool {
        self.settings.len() + fixed <= MAX_LEGEND_ENTRIES
    }

    /// Legend entries for the settings' colours, or a note (two lines) when
    /// they do not fit beside `fixed` other entries.
    fn setting_entries(&self, fixed: usize) -> Vec<Entry> {
        if self.settings_fit(fixed) {
            self.settings.iter().enumerate().map(|(s, label)| Entry::new(Swatch::Fill(self.colour(s)), label)).collect()
        } else {
            vec![
                Entry::new(Swatch::Note, format!("colour = setting ({} settings:", self.settings.len())),
                Entry::new(Swatch::Note, "too many to list, see the table)"),
            ]
        }
    }

    fn latency_scales(&self) -> (Scale, Scale) {
        let xs: Vec<f64> = self.points.iter().map(|p| p.irqs_per_sec).collect();
        let ys: Vec<f64> = self.points.iter().flat_map(|p| [p.latency_ns.p50 / 1e3, p.latency_ns.p99 / 1e3]).collect();
        (Scale::auto(&xs), Scale::auto(&ys))
    }

    /// Points the latency plot leaves out (a value a log axis cannot show).
    fn latency_left_out(&self) -> usize {
        let (x, y) = self.latency_scales();
        self.points
            .iter()
            .filter(|p| {
                !(x.shows(p.irqs_per_sec) && y.shows(p.latency_ns.p50 / 1e3) && y.shows(p.latency_ns.p99 / 1e3))
            })
            .count()
    }

    fn pareto_scales(&self) -> (Scale, Scale) {
        let xs: Vec<f64> = self.points.iter().map(|p| 100.0 * p.cpu.busy).collect();
        let ys: Vec<f64> = self.points.iter().map(|p| p.latency_ns.p99 / 1e3).collect();
        (Scale::auto(&xs), Scale::auto(&ys))
    }

    fn pareto_left_out(&self) -> usize {
        let (x, y) = self.pareto_scales();
        self.points.iter().filter(|p| !(x.shows(100.0 * p.cpu.busy) && y.shows(p.latency_ns.p99 / 1e3))).count()
    }

    /// Drop reasons nonzero at some point: indices into [`REASONS`].
    fn active_reasons(&self) -> Vec<usize> {
        (0..REASONS.len()).filter(|&r| self.points.iter().any(|p| p.drops.by_reason()[r].1 > 0)).collect()
    }

    fn any_rnbc(&self) -> bool {
        self.points.iter().any(|p| p.rx_no_buffer_count > 0)
    }

    /// Distinct RX ring sizes, ascending.
    fn rings(&self) -> Vec<u64> {
        let mut rings: Vec<u64> = self.points.iter().map(|p| p.rx_ring).collect();
        rings.sort_unstable();
        rings.dedup();
        rings
    }

    /// Label of a Pareto front point.
    fn front_label(&self, i: usize) -> String {
        format!("{} @ load {}", self.settings[self.setting_of[i]], sig3(self.points[i].load))
    }
}

// ---------------------------------------------------------------------------
// The figures

#[derive(Debug, Clone, Copy, PartialEq)]
enum Figure {
    Throughput,
    Latency,
    Cpu,
    Drops,
    Pareto,
}

const FIGURES: [Figure; 5] = [Figure::Throughput, Figure::Latency, Figure::Cpu, Figure::Drops, Figure::Pareto];

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<Scale, Scale>>;

impl Figure {
    fn stem(self) -> &'static str {
        match self {
            Figure::Throughput => "throughput",
            Figure::Latency => "latency_vs_irqs",
            Figure::Cpu => "cpu",
            Figure::Drops => "drops",
            Figure::Pareto => "pareto",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Figure::Throughput => "Delivered against offered throughput",
            Figure::Latency => "Latency against interrupt rate",
            Figure::Cpu => "CPU busy share against delivered throughput",
            Figure::Drops => "Drops by reason against offered load",
            Figure::Pareto => "Latency p99 against CPU busy: the Pareto front",
        }
    }

    fn from_stem(stem: &str) -> Option<Figure> {
        FIGURES.into_iter().find(|f| f.stem() == stem)
    }

    /// The caption under the figure in `index.html`.
    fn caption(self, sw: &Sweep) -> String {
        let too_many = |fixed: usize| {
            if sw.settings_fit(fixed) {
                String::new()
            } else {
                format!(
                    " With {} settings the legend does not list them: colours tell settings apart, the table \
                     below tells which is which.",
                    sw.settings.len()
                )
            }
        };
        let left_out = |n: usize| {
            if n == 0 {
                String::new()
            } else {
                format!(" {n} point(s) with a 0 that a log axis cannot show are left out.")
            }
        };
        match self {
            Figure::Throughput => format!(
                "Delivered throughput (Gb/s, frames handed to the stack) against offered load (Gb/s), one line per \
                 setting{}. The dashed grey line is y = x, every offered frame delivered: where a setting's line \
                 bends away from it is its saturation knee.{}",
                sw.seed_note(),
                too_many(sw.throughput_fixed())
            ),
            Figure::Latency => {
                let (x, y) = sw.latency_scales();
                format!(
                    "Latency from the first byte on the wire to the stack: p50 (circles) and p99 (triangles, joined \
                     to the point's p50 by a thin line) against interrupts per second, every point (each seed on \
                     its own), colour = setting. Axes: interrupts {}, latency {}.{}{}",
                    x.kind(),
                    y.kind(),
                    left_out(sw.latency_left_out()),
                    too_many(sw.latency_fixed())
                )
            }
            Figure::Cpu => format!(
                "Share of the simulated core's time, one stacked bar per point{}: hard IRQ (bottom), softirq (NAPI \
                 polls), the application (top); the rest is idle. The bars stand in order of delivered throughput, \
                 each tick labelled with its bar's Gb/s: the x axis is in rank order, not to scale.",
                if sw.settings.len() > 1 || sw.seeds > 1 { " (every setting and seed)" } else { "" }
            ),
            Figure::Drops => {
                if sw.active_reasons().is_empty() && !sw.any_rnbc() {
                    return "No point dropped a frame or waited for a free RX descriptor: nothing to draw.".into();
                }
                "Frames dropped by reason, in % of offered frames, against offered load (Gb/s): one solid line \
                 per (RX ring size, reason) for the reasons nonzero at some point, colour = reason, marker = ring \
                 size. Dashed: RNBC (rx_no_buffer_count), the times a frame waited for a free descriptor, per 100 \
                 offered frames: it shows where the ring runs dry, which is where MPC drops (RX FIFO full) can \
                 start. Mean over the settings and seeds at each (ring size, load)."
                    .into()
            }
            Figure::Pareto => {
                let (x, y) = sw.pareto_scales();
                format!(
                    "Latency p99 against CPU busy, every point (grey dots; grey crosses dropped frames). Red: the \
                     Pareto front among the points without drops: no other drop-free point has both lower p99 and \
                     lower CPU; each is labelled with its setting and load, and marked ★ in the table. Axes: CPU \
                     {}, latency {}.{}",
                    x.kind(),
                    y.kind(),
                    left_out(sw.pareto_left_out())
                )
            }
        }
    }

    fn draw<DB: DrawingBackend>(self, root: &DrawingArea<DB, Shift>, sw: &Sweep) -> Result<(), PlotError> {
        root.fill(&WHITE)?;
        let body = root.titled(self.title(), ("sans-serif", 26).into_font().style(FontStyle::Bold).color(&INK))?;
        let (width, _) = body.dim_in_pixel();
        let (plot, legend) = body.split_horizontally(width - LEGEND_WIDTH);
        match self {
            Figure::Throughput => draw_throughput(&plot, &legend, sw),
            Figure::Latency => draw_latency(&plot, &legend, sw),
            Figure::Cpu => draw_cpu(&plot, &legend, sw),
            Figure::Drops => draw_drops(&plot, &legend, sw),
            Figure::Pareto => draw_pareto(&plot, &legend, sw),
        }
    }
}

/// A chart on `area` with its grid and axis labels.
fn chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: Scale,
    y: Scale,
    x_desc: &str,
    y_desc: &str,
) -> Result<Chart<'a, DB>, PlotError> {
    chart_with(area, x, y, x_desc, y_desc, &|v| fmt_num(*v))
}

/// [`chart`] with x tick labels from `x_fmt`.
fn chart_with<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: Scale,
    y: Scale,
    x_desc: &str,
    y_desc: &str,
    x_fmt: &dyn Fn(&f64) -> String,
) -> Result<Chart<'a, DB>, PlotError> {
    let mut chart = ChartBuilder::on(area)
        .margin(14)
        .margin_right(24)
        .x_label_area_size(56)
        .y_label_area_size(76)
        .build_cartesian_2d(x, y)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style(("sans-serif", 18).into_font().color(&INK))
        .label_style(("sans-serif", 15).into_font().color(&INK))
        .x_label_formatter(x_fmt)
        .y_label_formatter(&|v| fmt_num(*v))
        .bold_line_style(GRID_BOLD.stroke_width(1))
        .light_line_style(GRID_LIGHT.stroke_width(1))
        .axis_style(INK.stroke_width(1))
        .draw()?;
    Ok(chart)
}

fn draw_throughput<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    legend: &DrawingArea<DB, Shift>,
    sw: &Sweep,
) -> Result<(), PlotError> {
    let lines = sw.throughput_lines();
    let max = lines.iter().flatten().flat_map(|&(x, y)| [x, y]).filter(|v| v.is_finite()).fold(0.0, f64::max);
    let top = if max > 0.0 { max * 1.05 } else { 1.0 };
    let mut c =
        chart(area, Scale::linear(0.0, top), Scale::linear(0.0, top), "offered load (Gb/s)", "delivered (Gb/s)")?;
    c.draw_series(DashedLineSeries::new(vec![(0.0, 0.0), (top, top)], 8, 6, REFERENCE.stroke_width(1)))?;
    for (s, line) in lines.iter().enumerate() {
        let colour = sw.colour(s);
        c.draw_series(LineSeries::new(line.iter().copied(), colour.stroke_width(2)))?;
        c.draw_series(line.iter().map(|&p| Circle::new(p, 4, colour.filled())))?;
    }
    let mut entries = vec![Entry::new(Swatch::Dashed(REFERENCE, 1), "y = x (all delivered)")];
    entries.extend(sw.setting_entries(sw.throughput_fixed()));
    if sw.averages() {
        entries.push(Entry::new(Swatch::Note, "lines: mean over seeds per load"));
    }
    draw_legend(legend, &entries)
}

fn draw_latency<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    legend: &DrawingArea<DB, Shift>,
    sw: &Sweep,
) -> Result<(), PlotError> {
    let (x, y) = sw.latency_scales();
    let x_desc = format!("interrupts per second ({})", x.kind());
    let y_desc = format!("latency (us, {})", y.kind());
    let mut c = chart(area, x, y, &x_desc, &y_desc)?;
    let shown: Vec<usize> = (0..sw.points.len())
        .filter(|&i| {
            let p = &sw.points[i];
            x.shows(p.irqs_per_sec) && y.shows(p.latency_ns.p50 / 1e3) && y.shows(p.latency_ns.p99 / 1e3)
        })
        .collect();
    let at = |i: usize, q: f64| (sw.points[i].irqs_per_sec, q / 1e3);
    c.draw_series(shown.iter().map(|&i| {
        let l = sw.points[i].latency_ns;
        PathElement::new(vec![at(i, l.p50), at(i, l.p99)], sw.colour(sw.setting_of[i]).mix(0.6).stroke_width(1))
    }))?;
    let colour = |i: usize| sw.colour(sw.setting_of[i]);
    chart_markers(&c, shown.iter().map(|&i| (at(i, sw.points[i].latency_ns.p50), Marker::Circle, colour(i), 4)))?;
    chart_markers(&c, shown.iter().map(|&i| (at(i, sw.points[i].latency_ns.p99), Marker::Triangle, colour(i), 4)))?;
    let mut entries = vec![
        Entry::new(Swatch::Mark(Marker::Circle, INK), "p50"),
        Entry::new(Swatch::Mark(Marker::Triangle, INK), "p99"),
    ];
    entries.extend(sw.setting_entries(sw.latency_fixed()));
    let left_out = sw.points.len() - shown.len();
    if left_out > 0 {
        entries.push(Entry::new(Swatch::Note, format!("{left_out} point(s) with a 0 left out")));
    }
    draw_legend(legend, &entries)
}

fn draw_cpu<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    legend: &DrawingArea<DB, Shift>,
    sw: &Sweep,
) -> Result<(), PlotError> {
    let p = sw.points;
    let order = sw.by_throughput();
    let n = order.len();
    // Bars side by side in throughput order; a tick shows its bar's Gb/s.
    let x = Scale::linear(-0.6, n as f64 - 0.4);
    let gbps: Vec<f64> = order.iter().map(|&i| p[i].throughput_gbps).collect();
    let tick = |v: &f64| {
        let k = v.round();
        if k >= 0.0 && (k as usize) < gbps.len() && (v - k).abs() < 1e-6 {
            format!("{:.2}", gbps[k as usize])
        } else {
            String::new()
        }
    };
    let x_desc = "points sorted by delivered throughput (tick: the bar's Gb/s)";
    let mut c = chart_with(area, x, Scale::linear(0.0, 100.0), x_desc, "CPU busy (%)", &tick)?;
    let bands = [CPU_IRQ, CPU_SOFTIRQ, CPU_APP];
    for (k, &i) in order.iter().enumerate() {
        let cpu = p[i].cpu;
        let mut bottom = 0.0;
        for (share, colour) in [cpu.irq, cpu.softirq, cpu.app].into_iter().zip(bands) {
            let top = bottom + 100.0 * share;
            if top > bottom {
                let k = k as f64;
                c.draw_series([Rectangle::new([(k - 0.4, bottom), (k + 0.4, top)], colour.filled())])?;
            }
            bottom = top;
        }
    }
    let mut entries = vec![
        Entry::new(Swatch::Fill(CPU_APP), "application"),
        Entry::new(Swatch::Fill(CPU_SOFTIRQ), "softirq (NAPI)"),
        Entry::new(Swatch::Fill(CPU_IRQ), "hard IRQ"),
        Entry::new(Swatch::Note, "one bar per point"),
    ];
    if sw.settings.len() > 1 || sw.seeds > 1 {
        entries.push(Entry::new(Swatch::Note, "(all settings and seeds)"));
    }
    draw_legend(legend, &entries)
}

fn draw_drops<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    legend: &DrawingArea<DB, Shift>,
    sw: &Sweep,
) -> Result<(), PlotError> {
    let reasons = sw.active_reasons();
    let rnbc = sw.any_rnbc();
    let rings = sw.rings();
    // Per ring: per load, (mean offered Gb/s, mean % per reason, mean RNBC %).
    type Row = (f64, [f64; DROP_REASONS.len()], f64);
    let lines: Vec<Vec<Row>> = rings
        .iter()
        .map(|&ring| {
            sw.by_load((0..sw.points.len()).filter(|&i| sw.points[i].rx_ring == ring))
                .iter()
                .map(|(_, g)| {
                    let mut pct = [0.0; DROP_REASONS.len()];
                    for (r, v) in pct.iter_mut().enumerate() {
                        *v = sw.mean(g, |p| p.percent_of_offered(p.drops.by_reason()[r].1));
                    }
                    (sw.mean(g, |p| p.offered_gbps), pct, sw.mean(g, |p| p.percent_of_offered(p.rx_no_buffer_count)))
                })
                .collect()
        })
        .collect();
    let max_x = lines.iter().flatten().map(|r| r.0).filter(|v| v.is_finite()).fold(0.0, f64::max);
    let max_y = lines
        .iter()
        .flatten()
        .flat_map(|r| reasons.iter().map(|&k| r.1[k]).chain(rnbc.then_some(r.2)))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let x = Scale::linear(0.0, if max_x > 0.0 { max_x * 1.05 } else { 1.0 });
    let y = Scale::linear(0.0, if max_y > 0.0 { max_y * 1.1 } else { 1.0 });
    let mut c = chart(area, x, y, "offered load (Gb/s)", "% of offered frames")?;
    if reasons.is_empty() && !rnbc {
        let style = ("sans-serif", 20).into_font().color(&INK).pos(Pos::new(HPos::Center, VPos::Center));
        c.draw_series([Text::new("no drops and no RNBC at any point", ((x.lo + x.hi) / 2.0, 0.5), style)])?;
    }
    let ring_marker = |k: usize| MARKERS[k % MARKERS.len()];
    for (k, line) in lines.iter().enumerate() {
        for &r in &reasons {
            let colour = REASONS[r].2;
            c.draw_series(LineSeries::new(line.iter().map(|row| (row.0, row.1[r])), colour.stroke_width(2)))?;
            chart_markers(&c, line.iter().map(|row| ((row.0, row.1[r]), ring_marker(k), colour, 4)))?;
        }
        if rnbc {
            let pts: Vec<(f64, f64)> = line.iter().map(|row| (row.0, row.2)).collect();
            c.draw_series(DashedLineSeries::new(pts.clone(), 9, 6, RNBC.stroke_width(2)))?;
            chart_markers(&c, pts.iter().map(|&p| (p, ring_marker(k), RNBC, 3)))?;
        }
    }
    let mut entries: Vec<Entry> =
        reasons.iter().map(|&r| Entry::new(Swatch::Fill(REASONS[r].2), REASONS[r].1)).collect();
    if rnbc {
        entries.push(Entry::new(Swatch::Dashed(RNBC, 2), "RNBC: waited for a descriptor"));
    }
    if !reasons.is_empty() || rnbc {
        let room = MAX_LEGEND_ENTRIES.saturating_sub(entries.len());
        if rings.len() <= room {
            entries.extend(
                rings
                    .iter()
                    .enumerate()
                    .map(|(k, r)| Entry::new(Swatch::Mark(ring_marker(k), INK), format!("rx_ring {r}"))),
            );
        } else {
            entries.push(Entry::new(Swatch::Note, format!("marker = rx_ring ({} sizes)", rings.len())));
        }
    }
    draw_legend(legend, &entries)
}

/// Labels the front points `front` (chart position `at`), points at the same
/// pixel sharing one label. Each label takes the first place, right or left
/// of its point and at growing distances above or below, that stays in the
/// plot and overlaps no label or front marker so far (else the one that
/// overlaps least).
fn label_front<DB: DrawingBackend>(
    c: &Chart<DB>,
    sw: &Sweep,
    front: &[usize],
    at: &dyn Fn(usize) -> (f64, f64),
) -> Result<(), PlotError> {
    let pixels = c.plotting_area().strip_coord_spec();
    let (xs, ys) = pixels.get_pixel_range();
    let (w, h) = (xs.end - xs.start, ys.end - ys.start);
    let style = ("sans-serif", 14).into_font().color(&INK).pos(Pos::new(HPos::Left, VPos::Center));
    let pixel = |i: usize| {
        let (bx, by) = c.backend_coord(&at(i));
        (bx - xs.start, by - ys.start)
    };
    // Boxes (x0, y0, x1, y1) to keep clear of: the front markers, then labels.
    let mut taken: Vec<(i32, i32, i32, i32)> =
        front.iter().map(|&i| pixel(i)).map(|(x, y)| (x - 7, y - 7, x + 7, y + 7)).collect();
    let overlap = |a: &(i32, i32, i32, i32), b: &(i32, i32, i32, i32)| {
        let dx = (a.2.min(b.2) - a.0.max(b.0)).max(0);
        let dy = (a.3.min(b.3) - a.1.max(b.1)).max(0);
        i64::from(dx) * i64::from(dy)
    };
    let mut k = 0;
    while k < front.len() {
        let (x, y) = pixel(front[k]);
        let same = front[k..].iter().take_while(|&&j| pixel(j) == (x, y)).count();
        let mut label = sw.front_label(front[k]);
        if same > 1 {
            let _ = write!(label, " (+{} more here)", same - 1);
        }
        k += same;
        let (tw, th) = pixels.estimate_text_size(&label, &style)?;
        let (tw, th) = (tw as i32, th as i32);
        let mut best: Option<((i32, i32, i32, i32), i64)> = None;
        'search: for dy in [-11, 11, -27, 27, -43, 43, -59, 59] {
            for right in [true, false] {
                let x0 = if right { x + 10 } else { x - 10 - tw };
                let b = (x0, y + dy - th / 2, x0 + tw, y + dy + th / 2);
                let outside = b.0 < 0 || b.2 > w || b.1 < 0 || b.3 > h;
                let cost = taken.iter().map(|t| overlap(t, &b)).sum::<i64>() + if outside { 1 << 40 } else { 0 };
                if best.is_none_or(|(_, c)| cost < c) {
                    best = Some((b, cost));
                }
                if cost == 0 {
                    break 'search;
                }
            }
        }
        if let Some((b, _)) = best {
            pixels.draw(&Text::new(label, (b.0, (b.1 + b.3) / 2), style.clone()))?;
            taken.push(b);
        }
    }
    Ok(())
}

fn draw_pareto<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    legend: &DrawingArea<DB, Shift>,
    sw: &Sweep,
) -> Result<(), PlotError> {
    let (x, y) = sw.pareto_scales();
    let x_desc = format!("CPU busy (%, {})", x.kind());
    let y_desc = format!("latency p99 (us, {})", y.kind());
    let mut c = chart(area, x, y, &x_desc, &y_desc)?;
    let at = |i: usize| (100.0 * sw.points[i].cpu.busy, sw.points[i].latency_ns.p99 / 1e3);
    let shown: Vec<usize> = (0..sw.points.len()).filter(|&i| x.shows(at(i).0) && y.shows(at(i).1)).collect();
    chart_markers(
        &c,
        shown.iter().map(|&i| {
            let m = if sw.points[i].drops_total == 0 { Marker::Circle } else { Marker::Cross };
            (at(i), m, POINT_GREY, 5)
        }),
    )?;
    let mut front: Vec<usize> = shown.iter().copied().filter(|&i| sw.front[i]).collect();
    front.sort_by(|&a, &b| at(a).0.total_cmp(&at(b).0).then(at(a).1.total_cmp(&at(b).1)));
    // The staircase: what the front reaches (down and to the right).
    let mut stairs: Vec<(f64, f64)> = Vec::new();
    for (k, &i) in front.iter().enumerate() {
        if k > 0 {
            stairs.push((at(i).0, stairs[stairs.len() - 1].1));
        }
        stairs.push(at(i));
    }
    if !stairs.is_empty() {
        c.draw_series(LineSeries::new(stairs, FRONT.mix(0.8).stroke_width(2)))?;
    }
    chart_markers(&c, front.iter().map(|&i| (at(i), Marker::Circle, FRONT, 6)))?;
    label_front(&c, sw, &front, &at)?;
    let mut entries = vec![
        Entry::new(Swatch::Mark(Marker::Circle, POINT_GREY), "a point without drops"),
        Entry::new(Swatch::Mark(Marker::Cross, POINT_GREY), "a point that dropped frames"),
        Entry::new(Swatch::Mark(Marker::Circle, FRONT), format!("Pareto front ({} points)", front.len())),
    ];
    let left_out = sw.points.len() - shown.len();
    if left_out > 0 {
        entries.push(Entry::new(Swatch::Note, format!("{left_out} point(s) with a 0 left out")));
    }
    draw_legend(legend, &entries)
}

// ---------------------------------------------------------------------------
// Files

/// Registers DejaVu Sans as plotters' "sans-serif" (regular and bold), once:
/// call before drawing a PNG.
pub fn fonts() -> Result<(), PlotError> {
    static FONTS: OnceLock<Result<(), String>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            for (style, bytes) in
                [(FontStyle::Normal, dejavu::sans::regular()), (FontStyle::Bold, dejavu::sans::bold())]
            {
                register_font("sans-serif", style, bytes).map_err(|_| "DejaVu Sans is not a valid font".to_string())?;
            }
            Ok(())
        })
        .clone()
        .map_err(PlotError::Draw)
}

/// Draws `fig` into `dir` as SVG and PNG; returns both paths.
fn render(fig: Figure, sw: &Sweep, dir: &Path) -> Result<[PathBuf; 2], PlotError> {
    let svg_path = dir.join(format!("{}.svg", fig.stem()));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, PLOT_SIZE).into_drawing_area();
        fig.draw(&root, sw)?;
        root.present()?;
    }
    fs::write(&svg_path, svg).map_err(|source| PlotError::Io { path: svg_path.clone(), source })?;
    let png_path = dir.join(format!("{}.png", fig.stem()));
    {
        let root = BitMapBackend::new(&png_path, PLOT_SIZE).into_drawing_area();
        fig.draw(&root, sw)?;
        root.present().map_err(|e| PlotError::Draw(format!("writing {}: {e}", png_path.display())))?;
    }
    Ok([svg_path, png_path])
}

/// Draws every figure (see the module docs) from `points` into `dir`
/// (created if missing), each as `NAME.svg` and `NAME.png` of
/// [`PLOT_SIZE`]; returns the paths written, SVG then PNG per figure.
/// No points is [`PlotError::Empty`].
pub fn draw_all(points: &[PlotPoint], dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    let sw = Sweep::new(points)?;
    fonts()?;
    fs::create_dir_all(dir).map_err(|source| PlotError::Io { path: dir.to_path_buf(), source })?;
    let mut written = Vec::new();
    for fig in FIGURES {
        written.extend(render(fig, &sw, dir)?);
    }
    Ok(written)
}

/// `s` with HTML's special characters escaped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// How `index.html` in `dir` refers to `path`: relative to `dir` when
/// inside it, else the path as given.
fn link(dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    let joined = if rel.is_absolute() { rel.to_string_lossy().into_owned() } else { parts.join("/") };
    esc(&joined)
}

const CSS: &str = "\
body { font-family: 'DejaVu Sans', Verdana, sans-serif; margin: 1.5em auto; max-width: 1100px; color: #222; \
padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
p.summary { color: #555; margin-top: 0; }
figure { margin: 1.5em 0 2.5em 0; }
figure img { width: 100%; max-width: 1000px; border: 1px solid #ddd; }
figcaption { max-width: 1000px; font-size: 0.92em; line-height: 1.4; color: #333; margin-top: 0.4em; }
table { border-collapse: collapse; font-size: 0.85em; margin-bottom: 2em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.55em; }
th { background: #f0f0f0; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.star { color: #d62728; text-align: center; }
tr.front td { background: #fdecea; font-weight: bold; }
tr:hover td { background: #f6f6ff; }
";

/// Writes `dir/index.html`: every SVG of `plots` as an `<img>` (relative
/// link) with its caption and a link to the PNG beside it, then the table of
/// every point (axes, seed, offered and delivered Gb/s, latency p50 and p99
/// in us, interrupts/s, CPU busy %, drops), the Pareto front's rows marked ★
/// with class `front`. Self-contained: inline CSS, no script, no outside
/// URL; also well-formed XML. Returns its path. No points is
/// [`PlotError::Empty`].
pub fn write_index(points: &[PlotPoint], dir: &Path, plots: &[PathBuf]) -> Result<PathBuf, PlotError> {
    let sw = Sweep::new(points)?;
    let mut axes: Vec<&str> = Vec::new();
    for p in points {
        for (path, _) in &p.axes {
            if !axes.contains(&path.as_str()) {
                axes.push(path);
            }
        }
    }
    let axis_list = if axes.is_empty() {
        "none".to_string()
    } else {
        axes.iter().map(|a| format!("<code>{}</code>", esc(a))).collect::<Vec<_>>().join(", ")
    };
    let n = points.len();
    let front_count = sw.front.iter().filter(|&&f| f).count();
    let mut h = String::new();
    // Writing into a String cannot fail: the results are ignored.
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    let _ = writeln!(h, "<title>verinic sweep: {n} points</title>\n<style>\n{CSS}</style>\n</head>\n<body>");
    h.push_str("<h1>verinic sweep</h1>\n");
    let _ = writeln!(
        h,
        "<p class=\"summary\">{n} points, {} setting(s), {} seed(s); axes: {axis_list}. Pareto front: {front_count} \
         point(s), marked ★.</p>",
        sw.settings.len(),
        sw.seeds,
    );
    for svg in plots.iter().filter(|p| p.extension().is_some_and(|e| e == "svg")) {
        let stem = svg.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let fig = Figure::from_stem(&stem);
        let title = esc(&fig.map(|f| f.title().to_string()).unwrap_or_else(|| stem.clone()));
        let caption = esc(&fig.map(|f| f.caption(&sw)).unwrap_or_default());
        let png = svg.with_extension("png");
        let png_link =
            if plots.contains(&png) { format!(" (<a href=\"{}\">PNG</a>)", link(dir, &png)) } else { String::new() };
        let (w, hgt) = PLOT_SIZE;
        let _ = writeln!(h, "<figure id=\"{}\">", esc(&stem));
        let _ = writeln!(h, "<img src=\"{}\" alt=\"{title}\" width=\"{w}\" height=\"{hgt}\"/>", link(dir, svg));
        let _ = writeln!(h, "<figcaption><b>{title}.</b> {caption}{png_link}</figcaption>\n</figure>");
    }
    h.push_str("<h2>Results</h2>\n<table>\n<thead>\n<tr><th title=\"on the Pareto front\">★</th><th>point</th>");
    for a in &axes {
        let _ = write!(h, "<th>{}</th>", esc(a));
    }
    h.push_str("<th>seed</th><th>offered Gb/s</th><th>delivered Gb/s</th><th>p50 us</th><th>p99 us</th>");
    h.push_str("<th>irqs/s</th><th>CPU busy %</th><th>drops</th></tr>\n</thead>\n<tbody>\n");
    for (p, &front) in points.iter().zip(&sw.front) {
        let (class, star) = if front { (" class=\"front\"", "★") } else { ("", "") };
        let _ = write!(h, "<tr{class}><td class=\"star\">{star}</td><td class=\"num\">{}</td>", p.point);
        let mut cells: Vec<String> = axes.iter().map(|a| esc(&p.axis(a).map(value_text).unwrap_or_default())).collect();
        cells.push(p.seed.to_string());
        cells.push(format!("{:.3}", p.offered_gbps));
        cells.push(format!("{:.3}", p.throughput_gbps));
        cells.push(format!("{:.2}", p.latency_ns.p50 / 1e3));
        cells.push(format!("{:.2}", p.latency_ns.p99 / 1e3));
        cells.push(format!("{:.0}", p.irqs_per_sec));
        cells.push(format!("{:.1}", 100.0 * p.cpu.busy));
        cells.push(p.drops_total.to_string());
        for cell in cells {
            let _ = write!(h, "<td class=\"num\">{cell}</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n</body>\n</html>\n");
    fs::create_dir_all(dir).map_err(|source| PlotError::Io { path: dir.to_path_buf(), source })?;
    let path = dir.join("index.html");
    fs::write(&path, h).map_err(|source| PlotError::Io { path: path.clone(), source })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_drop_reason_has_a_label_and_colour() {
        let keys: Vec<&str> = REASONS.iter().map(|r| r.0).collect();
        assert_eq!(keys, DROP_REASONS, "plot labels follow run::report::DROP_REASONS");
        assert!(REQUIRED_DROPS.iter().all(|k| DROP_REASONS.contains(k)));
    }

    fn line(point: u64) -> Value {
        json!({
            "point": point, "key": "00ff", "seed": 7,
            "axes": {"driver.rx_usecs": 8, "rx.load": 0.5},
            "report": {
                "offered_gbps": 4.5, "throughput_gbps": 4.4, "mpps": 1.2,
                "latency_ns": {"p50": 2000, "p99": 9000, "p999": 12000, "max": 15000},
                "irqs_per_sec": 20000.0,
                "cpu": {"irq": 0.01, "softirq": 0.3, "app": 0.02, "idle": 0.67, "busy": 0.33},
                "drops": {"rx_missed_errors": 0, "rx_crc_errors": 0, "rx_length_errors": 0, "rxerrc": 0,
                          "rx_errors": 0, "backlog_full": 0, "socket_rcvbuf_full": 0},
                "drops_total": 0, "frames_offered": 1000, "rx_no_buffer_count": 3,
                "scenario": {"seed": 7, "rx": {"load": 0.5},
                             "driver": {"rx_ring": 256, "rx_usecs": 8, "rx_frames": 32, "itr_max_irqs_per_sec": 8000}}
            }
        })
    }

    #[test]
    fn from_json_reads_every_figure() {
        let p = PlotPoint::from_json(&line(3)).unwrap();
        assert_eq!((p.point, p.seed, p.key.as_str()), (3, 7, "00ff"));
        assert_eq!(p.latency_ns.p99, 9000.0);
        assert_eq!((p.rx_ring, p.rx_usecs, p.rx_frames, p.itr_max_irqs_per_sec), (256, 8, 32, 8000));
        assert_eq!(p.load, 0.5);
        assert_eq!(p.rx_no_buffer_count, 3);
        assert_eq!(p.setting(), "rx_usecs=8");
    }

    #[test]
    fn from_json_names_a_missing_or_mistyped_field() {
        let mut v = line(0);
        v["report"]["latency_ns"].as_object_mut().unwrap().remove("p99");
        let e = PlotPoint::from_json(&v).unwrap_err().to_string();
        assert!(e.contains("report.latency_ns.p99") && e.contains("missing"), "{e}");
        let mut v = line(0);
        v["report"]["drops_total"] = json!("many");
        let e = PlotPoint::from_json(&v).unwrap_err().to_string();
        assert!(e.contains("report.drops_total") && e.contains("non-negative integer"), "{e}");
        assert!(PlotPoint::from_json(&json!([1, 2])).is_err());
    }

    #[test]
    fn setting_leaves_out_load_and_seed() {
        let mut p = PlotPoint::from_json(&line(0)).unwrap();
        p.axes = vec![
            ("driver.rx_usecs".into(), json!(8)),
            ("rx.load".into(), json!(0.5)),
            ("driver.rx_frames".into(), json!(32)),
            ("seed".into(), json!(4)),
            ("cpu.mode".into(), json!("fast")),
        ];
        assert_eq!(p.setting(), "rx_usecs=8 rx_frames=32 mode=fast");
        p.axes.retain(|(k, _)| k == "rx.load");
        assert_eq!(p.setting(), "base");
    }

    #[test]
    fn scales_go_log_over_a_decade() {
        assert!(!Scale::auto(&[1.0, 9.0]).log);
        let s = Scale::auto(&[1.0, 10.0, 0.0]);
        assert!(s.log && s.lo < 1.0 && s.hi > 10.0);
        assert!(!s.shows(0.0) && s.shows(5.0));
        let lin = Scale::auto(&[2.0, 4.0]);
        assert_eq!(lin.lo, 0.0);
        assert!(lin.hi > 4.0);
        // Degenerate inputs stay drawable.
        let z = Scale::auto(&[]);
        assert!(z.hi > z.lo);
        let z = Scale::auto(&[0.0, 0.0, f64::NAN]);
        assert!(!z.log && z.hi > z.lo);
    }

    #[test]
    fn ticks_are_round() {
        let s = Scale::linear(0.0, 10.5);
        assert_eq!(s.ticks(10, 10, false), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        let light = s.ticks(100, 10, true);
        assert!(light.contains(&1.0) && light.len() == 11, "{light:?}");
        let log = Scale { lo: 0.8, hi: 120.0, log: true };
        assert_eq!(log.ticks(10, 10, false), vec![1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]);
        assert_eq!(log.ticks(4, 4, false), vec![1.0, 10.0, 100.0]);
        let wide = Scale { lo: 1.0, hi: 1e12, log: true };
        assert!(wide.ticks(5, 5, false).len() <= 5);
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(2.5), "2.5");
        assert_eq!(fmt_num(0.30000000000000004), "0.3");
        assert_eq!(fmt_num(250.0), "250");
        assert_eq!(fmt_num(5000.0), "5000");
        assert_eq!(fmt_num(20000.0), "20k");
        assert_eq!(fmt_num(1.5e6), "1.5M");
        assert_eq!(fmt_num(0.0005), "0.0005");
        assert_eq!(fmt_num(-3.0), "-3");
    }

    #[test]
    fn pareto_marks_skip_points_with_drops() {
        let mut a = PlotPoint::from_json(&line(0)).unwrap();
        let mut b = a.clone();
        b.latency_ns.p99 = 1.0;
        b.cpu.busy = 0.01;
        b.drops_total = 5;
        assert_eq!(on_pareto_front(&[a.clone(), b.clone()]), vec![true, false]);
        a.drops_total = 1;
        assert_eq!(on_pareto_front(&[a, b]), vec![false, false]);
    }

    #[test]
    fn empty_input_is_an_error() {
        let dir = std::env::temp_dir().join(format!("verinic-plot-empty-{}", std::process::id()));
        assert!(matches!(draw_all(&[], &dir), Err(PlotError::Empty)));
        assert!(matches!(write_index(&[], &dir, &[]), Err(PlotError::Empty)));
        assert!(!dir.exists());
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(link(Path::new("/x/out"), Path::new("/x/out/pareto.svg")), "pareto.svg");
    }
}
