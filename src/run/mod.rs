//! One scenario, run and reported.
//!
//! - [`scenario`]: the scenario file format (TOML) and its validation;
//! - [`traffic`]: the receive traffic a scenario asks for;
//! - [`runner`]: builds the machine, runs the measured window and the
//!   drain, and hands what happens to [`Observer`]s;
//! - [`measure`]: the observer behind a report (latency, throughput);
//! - [`report`]: the [`Report`] a user reads, as text or JSON;
//! - [`soak`]: `verinic soak`, a long mixed-fault run with its checks;
//! - [`paths`]: no run reads a file it also writes;
//! - [`args`]: the command-line options that make a scenario.
//!
//! [`run_scenario`] puts them together the way `verinic run` does.

use std::sync::atomic::AtomicBool;

use verinic_sim::SimOptions;

pub mod args;
pub mod measure;
pub mod paths;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod soak;
pub mod traffic;

pub use measure::{Latency, Measure};
pub use report::Report;
pub use runner::{
    drain_budget_ns, pending_holdoff_ns, Chunk, DrainOutcome, Finished, Matched, Needs, Observer, Phase, Progress,
    RunError, Runner,
};
pub use scenario::Scenario;

use crate::pcap::Taps;

/// Runs `scenario` and reports, writing the capture files it asks for.
/// `progress` is called after every chunk of the measured window.
pub fn run_scenario(
    scenario: &Scenario,
    sim: &SimOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Report, RunError> {
    run_scenario_until(scenario, sim, progress, &AtomicBool::new(false))
}

/// [`run_scenario`], stopped early (without a drain, the report marked as
/// interrupted, the capture files finished and valid) once `stop` is set.
pub fn run_scenario_until(
    scenario: &Scenario,
    sim: &SimOptions,
    progress: &mut dyn FnMut(&Progress),
    stop: &AtomicBool,
) -> Result<Report, RunError> {
    let runner = Runner::new(scenario, sim)?;
    let pcap = &scenario.pcap;
    let mut taps = Taps::open(pcap.output.as_deref(), pcap.delivered.as_deref()).map_err(RunError::Pcap)?;
    let mut measure = Measure::default();
    let finished = runner.run(&mut [&mut measure, &mut taps], progress, stop);
    // Close the files whatever happened, so that what was written is valid.
    let written = taps.finish().map_err(RunError::Pcap);
    let finished = finished?;
    Ok(Report::new(scenario, &finished, &measure, written?))
}
