//! Many scenarios: the tuning workbench behind `verinic sweep`, `verinic
//! plot` and `verinic merge`.
//!
//! - [`axes`]: sweep axes over dotted scenario paths (`driver.rx_usecs`);
//! - [`sweep`]: a sweep (base scenario, axes, seeds) and its points;
//! - [`pool`]: the worker pool that runs points in parallel;
//! - [`results`]: the output directory (manifest, JSONL, CSV, resume);
//! - [`shard`]: slices of a sweep for several machines;
//! - [`pareto`]: the Pareto front (latency p99 against CPU);
//! - [`goal`] and [`tune`]: `verinic tune`, the settings that meet a goal;
//! - [`compare`]: several sweeps over load side by side (`verinic compare`);
//! - [`plot`]: plots (SVG and PNG) and `index.html` from the results;
//! - [`workbench`]: all of it from end to end, and the terminal table.
//!
//! `explore` uses [`run`](crate::run); nothing in `run` knows of it.

pub mod axes;
pub mod compare;
pub mod goal;
pub mod pareto;
pub mod plot;
pub mod pool;
pub mod results;
pub mod shard;
pub mod sweep;
pub mod tune;
pub mod workbench;

pub use shard::Shard;
pub use sweep::{Point, Sweep, SweepError};
pub use workbench::{run_sweep, SweepOptions, SweepSummary};
