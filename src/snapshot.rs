//! Snapshot tests of your own scenarios: from a scenario (a file or a
//! value) to its decoded descriptor traffic as deterministic text, ready for
//! `insta::assert_snapshot!`.
//!
//! ```no_run
//! use verinic::snapshot::{self, Filter, Only};
//!
//! let text = snapshot::trace_file("scenarios/snapshots/one_frame.toml", &Filter::all()).unwrap();
//! // insta::assert_snapshot!(text);
//! let irqs = snapshot::trace_file("scenarios/snapshots/itr_spacing.toml", &Filter::all().only(Only::Irq)).unwrap();
//! assert!(irqs.lines().all(|l| l.contains(" irq ")));
//! ```
//!
//! The text is what `verinic trace` prints with the same filters: one line
//! per event, cycle-stamped. The same scenario gives the same text on every
//! machine, so a changed snapshot is a changed behaviour of the RTL or the
//! driver. How to review one: docs/snapshots.md.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use verinic_sim::{Profile, SimOptions};

use crate::observe::{run_trace, TraceError};
pub use crate::observe::{Bound, Filter, Format, Only, Ring};
use crate::run::Scenario;

/// Longest scenario a snapshot takes, in simulated microseconds: a
/// snapshot is read by people, and 1 ms of busy traffic is already
/// thousands of lines.
pub const MAX_SNAPSHOT_US: u64 = 1000;

/// The decoded trace of `scenario`, filtered, as text.
pub fn trace(scenario: &Scenario, filter: &Filter) -> anyhow::Result<String> {
    render(scenario, filter, Format::Text)
}

/// The decoded trace of `scenario`, filtered, in `format`.
pub fn render(scenario: &Scenario, filter: &Filter, format: Format) -> anyhow::Result<String> {
    if scenario.duration_us > MAX_SNAPSHOT_US {
        anyhow::bail!(
            "duration_us = {} is too long for a snapshot (at most {MAX_SNAPSHOT_US}): keep snapshots reviewable",
            scenario.duration_us
        );
    }
    let sim = SimOptions { profile: Profile::Fast, ..Default::default() };
    let run = run_trace(scenario, &sim, filter, format, Vec::new(), &mut [], &AtomicBool::new(false))
        .map_err(|e: TraceError| anyhow::anyhow!("{e}"))?;
    Ok(String::from_utf8(run.out).expect("the trace is UTF-8"))
}

/// The decoded trace of the scenario file at `path`, filtered, as text (a
/// `[snapshot]` table in the file is ignored: `filter` rules).
pub fn trace_file(path: impl AsRef<Path>, filter: &Filter) -> anyhow::Result<String> {
    let (scenario, _) = load(path)?;
    trace(&scenario, filter)
}

/// The decoded trace of the scenario in the TOML text `toml`, as text.
pub fn trace_toml(toml: &str, filter: &Filter) -> anyhow::Result<String> {
    trace(&Scenario::from_toml_str(toml)?, filter)
}

/// A scenario file's optional `[snapshot]` table: the filter its snapshot
/// (and `verinic trace --config`, unless the command line says otherwise)
/// uses. Every field is optional.
///
/// ```toml
/// [snapshot]
/// only = ["rx", "irq"]   # rx | tx | irq | reg | dma
/// ring = "rx"            # rx | tx
/// from_us = 0.0
/// until_us = 50.0
/// probe = false
/// ```
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SnapshotSpec {
    /// [`Filter::only`], by name.
    pub only: Vec<String>,
    /// [`Filter::ring`], by name.
    pub ring: Option<String>,
    /// [`Filter::from`], microseconds after the window starts.
    pub from_us: Option<f64>,
    /// [`Filter::until`], microseconds after the window starts.
    pub until_us: Option<f64>,
    /// [`Filter::probe`].
    pub probe: bool,
}

impl SnapshotSpec {
    /// The filter this table describes.
    pub fn filter(&self) -> anyhow::Result<Filter> {
        use clap::ValueEnum;
        let mut f = Filter { probe: self.probe, ..Filter::default() };
        for o in &self.only {
            f.only.push(Only::from_str(o, true).map_err(|_| {
                anyhow::anyhow!("[snapshot] only: {o:?} is not one of \"rx\", \"tx\", \"irq\", \"reg\", \"dma\"")
            })?);
        }
        if let Some(r) = &self.ring {
            f.ring = Some(
                Ring::from_str(r, true)
                    .map_err(|_| anyhow::anyhow!("[snapshot] ring: {r:?} is not \"rx\" or \"tx\""))?,
            );
        }
        f.from = self.from_us.map(Bound::us);
        f.until = self.until_us.map(Bound::us);
        Ok(f)
    }
}

/// Reads a scenario file that may hold a `[snapshot]` table: the scenario
/// (the table taken out) and the table's filter ([`Filter::all`] without one).
pub fn load(path: impl AsRef<Path>) -> anyhow::Result<(Scenario, Filter)> {
    let path = path.as_ref();
    let text = crate::run::scenario::read_scenario_text(path)?;
    let mut table: toml::Table =
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("scenario {}: {e}", path.display()))?;
    let spec = match table.remove("snapshot") {
        Some(v) => v.try_into::<SnapshotSpec>().map_err(|e| anyhow::anyhow!("{}: [snapshot]: {e}", path.display()))?,
        None => SnapshotSpec::default(),
    };
    let scenario = Scenario::from_value(toml::Value::Table(table), Some(path))?;
    Ok((scenario, spec.filter()?))
}

/// The snapshot text of a scenario file: its trace under the filter of its
/// `[snapshot]` table ([`load`]). What `tests/scenario_snapshots.rs` checks.
pub fn snapshot_file(path: impl AsRef<Path>) -> anyhow::Result<String> {
    let (scenario, filter) = load(path)?;
    trace(&scenario, &filter)
}
