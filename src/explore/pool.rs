//! Runs sweep points on a pool of worker threads (crossbeam scoped threads
//! and channels), each point with its own Verilated model.
//!
//! Why two models in one process are safe: every model the `sim` crate
//! builds owns its `VerilatedContext` (sim/csrc/vn_model.cpp.in creates one
//! per model), which holds what Verilator 5 keeps per simulation (time,
//! random seed, `$finish`, trace state); the generated model code has no
//! mutable statics, and Verilator's documentation allows several models in
//! one process, each driven from one thread at a time (Verilator manual,
//! "Connecting to Verilated Models": "Multiple Models" and "Multithreading").
//! A model is built, run and dropped on one worker thread. The Rust side
//! shares nothing mutable between points: each run has its own machine,
//! driver, traffic generator and measurements. `tests/sweep.rs` checks it:
//! two different points run on two threads at once each equal their
//! single-threaded result.
//!
//! Results come back in the order points finish; the caller writes them as
//! they come and sorts at the end, so the output does not depend on `-j`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crossbeam::channel;
use verinic_sim::SimOptions;

use super::sweep::Point;
use crate::run::{run_scenario_until, Progress, Report, RunError};

/// What a worker hands back for one point.
pub struct Outcome {
    /// The point's index in the slice given to [`run_points`].
    pub slot: usize,
    /// Its report, or why it could not run. An interrupted run is not a
    /// result: it comes back as `Ok` with `report.interrupted` set.
    pub result: Result<Report, RunError>,
}

/// Simulated cycles run so far by all workers (for a progress display).
#[derive(Debug, Default)]
pub struct Counters {
    /// Device cycles simulated, all points together.
    pub cycles: AtomicU64,
}

/// Runs every point of `points` on `jobs` worker threads and calls `done`
/// on the calling thread as each finishes. Once `stop` is set no new point
/// starts and running ones end at their next chunk.
pub fn run_points(
    points: &[&Point],
    jobs: usize,
    sim: &SimOptions,
    stop: &AtomicBool,
    counters: &Counters,
    mut done: impl FnMut(Outcome),
) {
    let jobs = jobs.clamp(1, points.len().max(1));
    let (work_tx, work_rx) = channel::unbounded::<usize>();
    let (out_tx, out_rx) = channel::unbounded::<Outcome>();
    for slot in 0..points.len() {
        // The receiver lives until the scope ends: sending cannot fail.
        let _ = work_tx.send(slot);
    }
    drop(work_tx);
    crossbeam::scope(|s| {
        for _ in 0..jobs {
            let (work_rx, out_tx) = (work_rx.clone(), out_tx.clone());
            s.spawn(move |_| {
                while let Ok(slot) = work_rx.recv() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let mut last = 0;
                    let mut progress = |p: &Progress| {
                        counters.cycles.fetch_add(p.cycles - last, Ordering::Relaxed);
                        last = p.cycles;
                    };
                    let result = run_scenario_until(&points[slot].scenario, sim, &mut progress, stop);
                    if out_tx.send(Outcome { slot, result }).is_err() {
                        break;
                    }
                }
            });
        }
        drop(out_tx);
        for outcome in out_rx.iter() {
            done(outcome);
        }
    })
    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
}
