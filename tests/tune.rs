//! `verinic tune` against the Verilated RTL: on a small seeded space it
//! finds the optimum an exhaustive sweep finds, an infeasible goal says so
//! and names the constraint that bound hardest, and a bad goal is an error
//! naming what is wrong.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::AtomicBool;

use verinic::explore::axes::Axis;
use verinic::explore::goal::{Constraint, Figure, Goal, Sense};
use verinic::explore::{run_sweep, tune, Shard, Sweep, SweepOptions};
use verinic::run::{Report, Scenario};
use verinic_sim::SimOptions;

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("verinic-tune-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn options(out: PathBuf) -> SweepOptions {
    SweepOptions { jobs: 2, out, shard: Shard::ALL, quiet: true, confirmed: false, sim: SimOptions::default() }
}

/// The stack above the driver and the application cost nothing here, and the
/// socket holds 1 GiB: the goal is about the NIC's and the driver's settings.
const BASE: &str = "duration_us = 300\n[rx]\nload = 0.6\n[tx]\nframes_per_sec = 0\n[driver]\nitr_max_irqs_per_sec = 0\nrx_usecs_abs = 0\n[cpu]\nip_rcv_ns = 0\npacket_rcv_ns = 0\nrecv_syscall_ns = 0\nsock_recv_ns = 0\ncopy_ns_per_byte = 0.0\nrmem = 1073741824\n";
const SPACE: [&str; 2] = ["driver.rx_usecs=1,2,4,8,16", "driver.rx_frames=4,8,16,20,24,26,28,30,32,48,64"];

fn goal(base: &Scenario, objective: &str, constraints: &[&str]) -> Goal {
    let sample = serde_json::to_value(Report::template(base)).unwrap();
    Goal {
        objective: Figure::parse(objective, &sample).unwrap(),
        sense: Sense::Minimize,
        constraints: constraints.iter().map(|c| Constraint::parse(c, &sample).unwrap()).collect(),
    }
}

/// Fewer interrupts for a p99 latency bound: the tuner, given 20 of the 55
/// points, ends on the point the exhaustive sweep ranks first, which is off
/// its coarse grid.
#[test]
fn the_tuner_finds_the_exhaustive_optimum_with_fewer_points() {
    let base = Scenario::from_toml_str(BASE).unwrap();
    let axes: Vec<Axis> = SPACE.iter().map(|a| Axis::parse(a).unwrap()).collect();
    let g = goal(&base, "irqs_per_sec", &["p99_latency_us <= 20", "drops == 0"]);

    let all = run_sweep(
        &Sweep::new("exhaustive", base.clone(), axes.clone()),
        &options(temp_dir("exhaustive")),
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(all.records.len(), 55);
    let feasible: Vec<_> = all.records.iter().filter(|r| g.feasible(&r.json["report"])).collect();
    assert!(feasible.len() >= 3 && feasible.len() < 55, "{} feasible: the goal must bind", feasible.len());
    let value = |r: &verinic::explore::results::Record| g.objective.value(&r.json["report"]).unwrap();
    let optimum = feasible.iter().map(|r| value(r)).fold(f64::INFINITY, f64::min);

    let r = tune::tune(&base, &axes, &g, 20, &options(temp_dir("tuned")), &AtomicBool::new(false)).unwrap();
    assert!(r.evaluated.len() <= 20);
    let best = r.best().expect("a feasible point");
    // The optimum is off the coarse grid (each ladder's first, middle and
    // last value), so only the refinement rounds can have found it.
    let at = |p: &str| best.record.axis(p).and_then(|v| v.as_i64()).unwrap();
    let on_grid = [1, 4, 16].contains(&at("driver.rx_usecs")) && [4, 26, 64].contains(&at("driver.rx_frames"));
    assert!(!on_grid, "{:?}", best.record.json["axes"]);
    assert_eq!(best.objective, optimum, "tuner's best vs the exhaustive optimum");
    // The same point: its report equals the exhaustive sweep's at those settings.
    let same = all.records.iter().find(|rec| rec.key == best.record.key).expect("the point is in the space");
    assert_eq!(same.json["report"], best.record.json["report"]);

    // Deterministic: the same search again evaluates the same points in the same order.
    let again = tune::tune(&base, &axes, &g, 20, &options(temp_dir("tuned-again")), &AtomicBool::new(false)).unwrap();
    let keys = |t: &tune::TuneResult| t.evaluated.iter().map(|e| e.record.key.clone()).collect::<Vec<_>>();
    assert_eq!(keys(&r), keys(&again));
}

/// An impossible goal: no feasible setting, and the hardest constraint named.
#[test]
fn an_infeasible_goal_names_the_binding_constraint() {
    let base = Scenario::from_toml_str(BASE).unwrap();
    let axes: Vec<Axis> =
        ["driver.rx_usecs=2,32", "driver.rx_frames=2,32"].iter().map(|a| Axis::parse(a).unwrap()).collect();
    let g = goal(&base, "p99_latency_us", &["drops == 0", "cpu_busy <= 0.0001"]);
    let r = tune::tune(&base, &axes, &g, 8, &options(temp_dir("infeasible")), &AtomicBool::new(false)).unwrap();
    assert!(r.best().is_none());
    assert_eq!(r.hardest(), Some(1), "cpu_busy <= 0.0001 is broken by every point: {:?}", r.violations);
    assert_eq!(r.violations[1], r.evaluated.len());

    let out = temp_dir("infeasible-cli");
    let o = Command::new(env!("CARGO_BIN_EXE_verinic"))
        .args(["tune", "--quiet", "--duration-us", "100", "--budget", "4", "--out", out.to_str().unwrap()])
        .args(["--vary", "driver.rx_usecs=2,32", "--minimize", "p99_latency_us", "--subject-to", "cpu_busy <= 0.0001"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(text.contains("no feasible setting") && text.contains("bound hardest: cpu_busy <= 0.0001"), "{text}");
}

/// A malformed expression or an unknown figure is an error naming it, exit 2, before anything runs.
#[test]
fn a_bad_goal_is_an_error_naming_it() {
    let out = temp_dir("bad");
    for (args, needle) in [
        (vec!["--minimize", "p99_latncy_us"], "p99_latency_us"),
        (vec!["--minimize", "p99_latency_us", "--subject-to", "cpu_busy <= lots"], "cpu_busy <= lots"),
        (vec!["--minimize", "p99_latency_us", "--subject-to", "cpu_bussy <= 0.5"], "cpu_busy"),
        (vec!["--minimize", "p99_latency_us", "--vary", "driver.rx_usec=1,2"], "driver.rx_usecs"),
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_verinic"))
            .args(["tune", "--quiet", "--out", out.to_str().unwrap()])
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: expected {needle:?} in {err}");
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
}
