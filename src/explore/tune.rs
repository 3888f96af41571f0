//! `verinic tune`: the settings that meet a stated goal, found with the
//! sweep engine.
//!
//! The search space is a ladder of values per axis (the ones the user names
//! with `--vary`, or [`default_axes`]: ring size, rx-usecs, rx-frames, the
//! absolute timer, the ITR ceiling and the NAPI budget). Within `--budget`
//! simulated points, run in parallel:
//!
//! 1. **Coarse grid**: each ladder's first, middle and last value, every
//!    combination (a seeded sample of them when that is more than half the
//!    budget).
//! 2. **Refinement**, round after round: around the best points so far
//!    (feasible ones by the objective; while none is feasible, those closest
//!    to it), every neighbour one ladder step away on one axis, until the
//!    budget is spent or no neighbour is new.
//!
//! Every evaluated point is written like a sweep's (results.csv,
//! results.jsonl, plots, index.html). Deterministic: the same goal, space,
//! budget and seed evaluate the same points in the same order, whatever `-j`.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{json, Value};

use super::axes::{self, Axis};
use super::goal::Goal;
use super::pool::{run_points, Counters};
use super::results::{self, Manifest, Record, ResultsDir};
use super::sweep::{scenario_key, Point};
use super::workbench::{self, ExploreError, SweepOptions};
use crate::rng::Rng;
use crate::run::Scenario;

/// The axes searched when the user names none: (path, ladder).
pub const DEFAULT_LADDERS: &[(&str, &[i64])] = &[
    ("driver.rx_ring", &[64, 128, 256, 512, 1024, 2048, 4096]),
    ("driver.rx_usecs", &[0, 2, 4, 8, 16, 32, 64, 128]),
    ("driver.rx_frames", &[1, 4, 16, 32, 64, 128]),
    ("driver.rx_usecs_abs", &[0, 8, 32, 128]),
    ("driver.itr_max_irqs_per_sec", &[0, 4000, 8000, 20000, 70000]),
    ("driver.napi_budget", &[16, 32, 64, 128]),
];

/// How many of the best points each refinement round explores around.
const PARENTS: usize = 3;

/// [`DEFAULT_LADDERS`] as axes.
pub fn default_axes() -> Vec<Axis> {
    DEFAULT_LADDERS
        .iter()
        .map(|(path, ladder)| Axis { path: path.to_string(), values: ladder.iter().map(|&v| json!(v)).collect() })
        .collect()
}

/// One evaluated point with what the goal says of it.
#[derive(Debug, Clone)]
pub struct Evaluated {
    /// Its record (as in results.jsonl).
    pub record: Record,
    /// Ladder index per axis.
    pub at: Vec<usize>,
    /// The objective's value (NaN if the report lacks it).
    pub objective: f64,
    /// Every constraint met.
    pub feasible: bool,
    /// Sum of the constraints' violations, each relative to its bound.
    pub violation: f64,
}

/// What the tuner found.
#[derive(Debug)]
pub struct TuneResult {
    /// The axes searched.
    pub axes: Vec<Axis>,
    /// Every point evaluated, in evaluation order.
    pub evaluated: Vec<Evaluated>,
    /// Indices into `evaluated` of the feasible points, best first.
    pub ranking: Vec<usize>,
    /// For each constraint (in order), how many evaluated points broke it.
    pub violations: Vec<usize>,
    /// Combinations skipped because the scenario refused them (e.g. a
    /// frame threshold larger than the ring).
    pub invalid: usize,
    /// Stopped by Ctrl-C.
    pub interrupted: bool,
    /// The output directory.
    pub dir: PathBuf,
    /// The plots and index.html written.
    pub plots: Vec<PathBuf>,
}

impl TuneResult {
    /// The best feasible point, if any.
    pub fn best(&self) -> Option<&Evaluated> {
        self.ranking.first().map(|&i| &self.evaluated[i])
    }

    /// The index of the constraint broken by the most points (the one that
    /// bound hardest), if any was broken.
    pub fn hardest(&self) -> Option<usize> {
        let (i, &n) = self.violations.iter().enumerate().max_by_key(|&(i, n)| (*n, std::cmp::Reverse(i)))?;
        (n > 0).then_some(i)
    }

    /// The point closest to meeting every constraint.
    pub fn closest(&self) -> Option<&Evaluated> {
        self.evaluated.iter().min_by(|a, b| a.violation.total_cmp(&b.violation))
    }
}

/// Searches `axes` (ladders) around `base` for the best point under `goal`,
/// evaluating at most `budget` points. `options.out` receives the results.
pub fn tune(
    base: &Scenario,
    axes: &[Axis],
    goal: &Goal,
    budget: usize,
    options: &SweepOptions,
    stop: &AtomicBool,
) -> Result<TuneResult, ExploreError> {
    let paths: Vec<String> = axes.iter().map(|a| a.path.clone()).collect();
    let manifest =
        |points| Manifest { name: "tune".into(), id: scenario_key(base), axes: paths.clone(), points, shard: [0, 1] };
    // A tuning run starts afresh: earlier results go to results.stale.jsonl.
    let (mut dir, _) = ResultsDir::open(&options.out, &manifest(0), &[]).map_err(ExploreError::Results)?;
    let mut state = Search { base, axes, goal, evaluated: Vec::new(), seen: HashSet::new(), invalid: 0 };
    let mut rng = Rng::new(base.seed ^ 0x7475_6e65);
    let counters = Counters::default();

    let mut batch = state.coarse_grid(budget.div_ceil(2).max(1), &mut rng);
    while !batch.is_empty() && !stop.load(Ordering::Relaxed) {
        let points: Vec<(Vec<usize>, Point)> = batch.into_iter().filter_map(|at| state.point(at)).collect();
        let refs: Vec<&Point> = points.iter().map(|(_, p)| p).collect();
        let mut done: Vec<Option<Record>> = vec![None; points.len()];
        let mut error = None;
        run_points(&refs, options.jobs, &options.sim, stop, &counters, |o| match o.result {
            Ok(r) if !r.interrupted => done[o.slot] = Some(Record::new(refs[o.slot], &r)),
            Ok(_) => {}
            Err(e) => {
                error.get_or_insert(e);
            }
        });
        if let Some(e) = error {
            return Err(ExploreError::Run(e));
        }
        // In point order, so that the outcome does not depend on -j.
        for ((at, _), record) in points.into_iter().zip(done) {
            let Some(record) = record else { continue };
            dir.append(&record).map_err(ExploreError::Results)?;
            state.add(at, record);
        }
        let left = budget.saturating_sub(state.evaluated.len());
        batch = if left == 0 { Vec::new() } else { state.neighbours(left) };
    }

    let evaluated = state.evaluated;
    let records: Vec<Record> = evaluated.iter().map(|e| e.record.clone()).collect();
    let pareto = workbench::pareto_marks(&records);
    results::write_manifest(&options.out, &manifest(records.len())).map_err(ExploreError::Results)?;
    results::write_final(&options.out, &paths, &records, &pareto).map_err(ExploreError::Results)?;
    let plots = if records.is_empty() { Vec::new() } else { workbench::draw(&options.out)? };
    let mut ranking: Vec<usize> = (0..evaluated.len()).filter(|&i| evaluated[i].feasible).collect();
    // Stable: equal objectives keep the evaluation order.
    ranking.sort_by(|&a, &b| goal.order(evaluated[a].objective, evaluated[b].objective));
    let violations = goal
        .constraints
        .iter()
        .map(|c| evaluated.iter().filter(|e| !c.holds(&e.record.json["report"])).count())
        .collect();
    Ok(TuneResult {
        axes: axes.to_vec(),
        evaluated,
        ranking,
        violations,
        invalid: state.invalid,
        interrupted: stop.load(Ordering::Relaxed),
        dir: options.out.clone(),
        plots,
    })
}

/// The search in progress.
struct Search<'a> {
    base: &'a Scenario,
    axes: &'a [Axis],
    goal: &'a Goal,
    evaluated: Vec<Evaluated>,
    /// Ladder positions already evaluated or refused.
    seen: HashSet<Vec<usize>>,
    invalid: usize,
}

impl Search<'_> {
    /// The first, middle and last value of every ladder, every combination;
    /// a seeded sample of `max` of them if there are more.
    fn coarse_grid(&mut self, max: usize, rng: &mut Rng) -> Vec<Vec<usize>> {
        let picks: Vec<Vec<usize>> = self
            .axes
            .iter()
            .map(|a| {
                let n = a.values.len();
                let mut p = vec![0, n / 2, n - 1];
                p.dedup();
                p
            })
            .collect();
        let mut grid: Vec<Vec<usize>> = vec![Vec::new()];
        for p in &picks {
            grid = grid.into_iter().flat_map(|g| p.iter().map(move |&i| [g.clone(), vec![i]].concat())).collect();
        }
        if grid.len() > max {
            // Partial Fisher-Yates: a seeded, order-stable sample.
            for i in 0..max {
                let j = rng.range(i, grid.len() - 1);
                grid.swap(i, j);
            }
            grid.truncate(max);
            grid.sort();
        }
        grid
    }

    /// The point at ladder positions `at`, or `None` (counted) if the
    /// scenario refuses it or it was seen before.
    fn point(&mut self, at: Vec<usize>) -> Option<(Vec<usize>, Point)> {
        if !self.seen.insert(at.clone()) {
            return None;
        }
        let assignments: Vec<(String, Value)> =
            self.axes.iter().zip(&at).map(|(a, &i)| (a.path.clone(), a.values[i].clone())).collect();
        let refs: Vec<(&str, &Value)> = assignments.iter().map(|(p, v)| (p.as_str(), v)).collect();
        let Ok(scenario) = axes::apply(self.base, &refs) else {
            self.invalid += 1;
            return None;
        };
        // The index is the evaluation order, set when the result comes in (`add`).
        let point = Point { index: 0, key: scenario_key(&scenario), seed: scenario.seed, axes: assignments, scenario };
        Some((at, point))
    }

    fn add(&mut self, at: Vec<usize>, mut record: Record) {
        let index = self.evaluated.len();
        record.point = index;
        record.json["point"] = json!(index);
        let report = &record.json["report"];
        let objective = self.goal.objective.value(report).unwrap_or(f64::NAN);
        let feasible = self.goal.feasible(report) && objective.is_finite();
        let violation =
            self.goal.constraints.iter().map(|c| c.violation(report) / c.bound.abs().max(1e-9)).sum::<f64>();
        self.evaluated.push(Evaluated { record, at, objective, feasible, violation });
    }

    /// Neighbours (one ladder step on one axis) of the best points, new
    /// ones only, at most `max`.
    fn neighbours(&self, max: usize) -> Vec<Vec<usize>> {
        let mut order: Vec<&Evaluated> = self.evaluated.iter().collect();
        let any_feasible = order.iter().any(|e| e.feasible);
        order.sort_by(|a, b| {
            if any_feasible {
                b.feasible.cmp(&a.feasible).then_with(|| self.goal.order(a.objective, b.objective))
            } else {
                a.violation.total_cmp(&b.violation)
            }
        });
        let mut out: Vec<Vec<usize>> = Vec::new();
        for parent in order.iter().take(PARENTS) {
            for (axis, a) in self.axes.iter().enumerate() {
                for step in [-1i64, 1] {
                    let i = parent.at[axis] as i64 + step;
                    if i < 0 || i as usize >= a.values.len() {
                        continue;
                    }
                    let mut at = parent.at.clone();
                    at[axis] = i as usize;
                    if !self.seen.contains(&at) && !out.contains(&at) {
                        out.push(at);
                    }
                }
            }
        }
        out.truncate(max);
        out
    }
}

/// The settings of a point as commands for a Linux host: ethtool where it
/// has the knob, the e1000 module parameter or sysctl where it does not,
/// the scenario field otherwise.
pub fn host_commands(assignments: &[(String, Value)]) -> Vec<String> {
    let mut coalesce = Vec::new();
    let mut lines = Vec::new();
    for (path, v) in assignments {
        let v = v.to_string().replace('"', "");
        match path.as_str() {
            "driver.rx_ring" => lines.push(format!("ethtool -G eth0 rx {v}")),
            "driver.tx_ring" => lines.push(format!("ethtool -G eth0 tx {v}")),
            "driver.rx_usecs" => coalesce.push(format!("rx-usecs {v}")),
            "driver.rx_frames" => coalesce.push(format!("rx-frames {v}")),
            "driver.tx_usecs" => coalesce.push(format!("tx-usecs {v}")),
            "driver.tx_frames" => coalesce.push(format!("tx-frames {v}")),
            "driver.rx_usecs_abs" => {
                lines.push(format!("modprobe e1000 RxAbsIntDelay={v}   # RADV: no ethtool knob"));
            }
            "driver.tx_usecs_abs" => {
                lines.push(format!("modprobe e1000 TxAbsIntDelay={v}   # TADV: no ethtool knob"));
            }
            "driver.itr_max_irqs_per_sec" => {
                lines.push(format!("modprobe e1000 InterruptThrottleRate={v}   # ITR ceiling, interrupts/s (0 = off)"));
            }
            "driver.netdev_budget" => lines.push(format!("sysctl -w net.core.netdev_budget={v}")),
            "driver.netdev_budget_usecs" => lines.push(format!("sysctl -w net.core.netdev_budget_usecs={v}")),
            "driver.napi_budget" => {
                lines.push(format!("# NAPI weight {v}: a driver constant (NAPI_POLL_WEIGHT), no runtime knob"));
            }
            other => lines.push(format!("# scenario: {other} = {v}")),
        }
    }
    if !coalesce.is_empty() {
        lines.insert(0, format!("ethtool -C eth0 {}", coalesce.join(" ")));
    }
    lines
}
