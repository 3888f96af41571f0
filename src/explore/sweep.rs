//! A sweep: a base scenario, the axes that vary, and the seeds to repeat
//! each combination with; expanded into [`Point`]s.
//!
//! From the command line (`--vary driver.rx_usecs=0,8,32`) or from a sweep
//! file: a scenario file with a `[sweep]` table, so that a sweep is a
//! reviewable, reproducible file:
//!
//! ```toml
//! duration_us = 2000
//! [sweep]
//! name = "coalescing"                     # optional: the file's stem
//! seeds = [1, 2, 3]                        # optional: the scenario's seed
//! vary = { "driver.rx_usecs" = [0, 8, 32], "rx.load" = "0.1:0.9:0.2" }
//! ```
//!
//! Points are numbered in odometer order: the first axis varies slowest,
//! the seeds fastest. Each point is keyed by a hash of its whole scenario
//! ([`scenario_key`]), so results can be matched to points however the
//! sweep that made them was spelt, and a changed base scenario is never
//! taken for done.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::axes::{self, Axis, AxisError};
use crate::hash::fnv1a;
use crate::run::scenario::{read_scenario_text, Scenario, ScenarioError};

/// Most points a sweep may have without `--yes`.
pub const MAX_POINTS_UNCONFIRMED: usize = 100_000;

/// A sweep, before expansion.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// Its name (the output directory is `out/sweep-<name>/` by default).
    pub name: String,
    /// The scenario every point starts from.
    pub base: Scenario,
    /// The axes, outermost first.
    pub axes: Vec<Axis>,
    /// Seeds each combination runs with (at least one).
    pub seeds: Vec<u64>,
}

/// One scenario of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Position in the sweep, from 0.
    pub index: usize,
    /// [`scenario_key`] of `scenario`.
    pub key: String,
    /// Its seed.
    pub seed: u64,
    /// The axes' values at this point, in axis order.
    pub axes: Vec<(String, Value)>,
    /// The scenario to run, validated.
    pub scenario: Scenario,
}

/// Why a sweep could not be set up.
#[derive(Debug)]
pub enum SweepError {
    /// The sweep file could not be read or parsed as a scenario.
    Scenario(ScenarioError),
    /// The `[sweep]` table is malformed.
    Table {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An axis is wrong, or a point it makes is out of range.
    Axis(AxisError),
    /// No axis and a single seed: nothing to sweep.
    NoAxes,
    /// The same path is varied twice.
    DuplicateAxis(String),
    /// More points than [`MAX_POINTS_UNCONFIRMED`] without confirmation.
    TooManyPoints {
        /// How many.
        points: u128,
    },
}

impl fmt::Display for SweepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SweepError::Scenario(e) => write!(f, "{e}"),
            SweepError::Table { path, message } => write!(
                f,
                "sweep file {}: [sweep] {message} (expected: vary = {{ \"driver.rx_usecs\" = [0, 8] }}, \
                 optional seeds = [1, 2], name = \"...\")",
                path.display()
            ),
            SweepError::Axis(e) => write!(f, "{e}"),
            SweepError::NoAxes => write!(
                f,
                "nothing to sweep: give --vary PATH=VALUES (e.g. --vary driver.rx_usecs=0,8,32) or a \
                 sweep file with a [sweep] table (see scenarios/sweep_coalescing.toml)"
            ),
            SweepError::DuplicateAxis(p) => write!(f, "axis {p} is given twice: give each path once"),
            SweepError::TooManyPoints { points } => write!(
                f,
                "the sweep has {points} points, more than {MAX_POINTS_UNCONFIRMED}: narrow the axes, split it \
                 with --shard, or confirm with --yes"
            ),
        }
    }
}

impl std::error::Error for SweepError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SweepError::Scenario(e) => Some(e),
            SweepError::Axis(e) => Some(e),
            _ => None,
        }
    }
}

impl Sweep {
    /// A sweep of `base` over `axes` with the base scenario's seed.
    pub fn new(name: &str, base: Scenario, axes: Vec<Axis>) -> Self {
        let seeds = vec![base.seed];
        Sweep { name: name.into(), base, axes, seeds }
    }

    /// Reads a scenario file; its `[sweep]` table, if any, gives the axes,
    /// the seeds and the name (default: the file's stem).
    pub fn from_file(path: &Path) -> Result<Self, SweepError> {
        let text = read_scenario_text(path).map_err(SweepError::Scenario)?;
        let mut value: toml::Value = toml::from_str(&text).map_err(|e| {
            SweepError::Scenario(ScenarioError::Parse { path: Some(path.into()), message: e.to_string() })
        })?;
        let table = value.as_table_mut().and_then(|t| t.remove("sweep"));
        let base = Scenario::from_value(value, Some(path)).map_err(SweepError::Scenario)?;
        let stem = path.file_stem().map_or("sweep".into(), |s| s.to_string_lossy().into_owned());
        let mut sweep = Sweep::new(&stem, base, Vec::new());
        let Some(table) = table else { return Ok(sweep) };
        let bad = |message: String| SweepError::Table { path: path.into(), message };
        let toml::Value::Table(table) = table else { return Err(bad("must be a table".into())) };
        for (k, v) in table {
            match (k.as_str(), v) {
                ("name", toml::Value::String(s)) if is_plain_name(&s) => sweep.name = s,
                ("name", v) => {
                    return Err(bad(format!("name = {v}: expected a plain name (letters, digits, - and _)")))
                }
                ("seeds", toml::Value::Array(list)) => {
                    let seeds: Option<Vec<u64>> =
                        list.iter().map(|s| s.as_integer().and_then(|i| u64::try_from(i).ok())).collect();
                    sweep.seeds = seeds
                        .filter(|s| !s.is_empty())
                        .ok_or_else(|| bad("seeds: expected a non-empty list of non-negative integers".into()))?;
                }
                ("vary", toml::Value::Table(vary)) => {
                    for (p, values) in vary {
                        sweep.axes.push(Axis::from_toml(&p, &values).map_err(SweepError::Axis)?);
                    }
                }
                (other, v) => return Err(bad(format!("unknown key {other} = {v}: expected vary, seeds or name"))),
            }
        }
        Ok(sweep)
    }

    /// Number of points: the product of the axes' lengths times the seeds.
    pub fn len(&self) -> u128 {
        self.axes.iter().map(|a| a.values.len() as u128).product::<u128>() * self.seeds.len() as u128
    }

    /// Whether the sweep has no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every point, each validated, before anything runs. More than
    /// [`MAX_POINTS_UNCONFIRMED`] points need `confirmed`.
    pub fn points(&self, confirmed: bool) -> Result<Vec<Point>, SweepError> {
        if self.axes.is_empty() && self.seeds.len() < 2 {
            return Err(SweepError::NoAxes);
        }
        for (i, a) in self.axes.iter().enumerate() {
            if self.axes[..i].iter().any(|b| b.path == a.path) {
                return Err(SweepError::DuplicateAxis(a.path.clone()));
            }
        }
        let total = self.len();
        if total > MAX_POINTS_UNCONFIRMED as u128 && !confirmed {
            return Err(SweepError::TooManyPoints { points: total });
        }
        let mut points = Vec::with_capacity(total as usize);
        let mut digits = vec![0usize; self.axes.len()];
        loop {
            let axes: Vec<(String, Value)> =
                self.axes.iter().zip(&digits).map(|(a, &d)| (a.path.clone(), a.values[d].clone())).collect();
            let assignments: Vec<(&str, &Value)> = axes.iter().map(|(p, v)| (p.as_str(), v)).collect();
            let combo = axes::apply(&self.base, &assignments).map_err(SweepError::Axis)?;
            for &seed in &self.seeds {
                let scenario = Scenario { seed, ..combo.clone() };
                let key = scenario_key(&scenario);
                points.push(Point { index: points.len(), key, seed, axes: axes.clone(), scenario });
            }
            // The odometer: the last axis turns fastest.
            let mut i = digits.len();
            loop {
                if i == 0 {
                    return Ok(points);
                }
                i -= 1;
                digits[i] += 1;
                if digits[i] < self.axes[i].values.len() {
                    break;
                }
                digits[i] = 0;
            }
        }
    }

    /// An identifier of the whole sweep: a hash of every point's key, in
    /// order. Shards of one sweep share it.
    pub fn id(points: &[Point]) -> String {
        let joined: Vec<&str> = points.iter().map(|p| p.key.as_str()).collect();
        hex(fnv1a(joined.join(",").as_bytes()))
    }
}

/// A scenario's key: 64-bit FNV-1a of its JSON form, in hex. Two points
/// share a key exactly when they run the same scenario.
pub fn scenario_key(scenario: &Scenario) -> String {
    // Serializing a scenario (numbers, strings, lists) cannot fail.
    let json = serde_json::to_string(scenario).unwrap_or_default();
    hex(fnv1a(json.as_bytes()))
}

fn hex(x: u64) -> String {
    format!("{x:016x}")
}

/// A name fit for a directory: letters, digits, `-`, `_`.
pub fn is_plain_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
