//! The tuning workbench against the Verilated RTL: parallel runs equal
//! serial ones, shards merge into the whole, resume runs only what is
//! missing, bad input is refused before anything is written, and the
//! physics holds across a sweep.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;

use verinic::explore::axes::Axis;
use verinic::explore::results::Record;
use verinic::explore::{run_sweep, workbench, Shard, Sweep, SweepOptions, SweepSummary};
use verinic::run::{run_scenario, Scenario};
use verinic_sim::SimOptions;

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("verinic-sweep-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn base(text: &str) -> Scenario {
    Scenario::from_toml_str(text).unwrap()
}

fn sweep(text: &str, axes: &[&str]) -> Sweep {
    Sweep::new("t", base(text), axes.iter().map(|a| Axis::parse(a).unwrap()).collect())
}

fn options(out: &Path, jobs: usize, shard: Shard) -> SweepOptions {
    SweepOptions { jobs, out: out.into(), shard, quiet: true, confirmed: false, sim: SimOptions::default() }
}

fn run(s: &Sweep, out: &Path, jobs: usize, shard: Shard) -> SweepSummary {
    run_sweep(s, &options(out, jobs, shard), &AtomicBool::new(false)).expect("sweep")
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{}/{file}: {e}", dir.display()))
}

const SMALL: &str = "duration_us = 200\n[tx]\nframes_per_sec = 50000\n";
const SMALL_AXES: [&str; 2] = ["driver.rx_usecs=0,16,64", "rx.load=0.3,0.9"];

/// Two Verilated models in one process, on two threads at once, each give
/// exactly the result they give alone.
#[test]
fn two_models_on_two_threads_equal_their_single_threaded_results() {
    let a = base("duration_us = 300\n[rx]\nload = 0.4\n");
    let b = base("duration_us = 300\n[rx]\nload = 0.9\nframe_sizes = [64, 1518]\n[driver]\nrx_usecs = 32\n");
    let alone = |s: &Scenario| comparable(&run_scenario(s, &SimOptions::default(), &mut |_| {}).unwrap());
    let (ra, rb) = (alone(&a), alone(&b));
    assert_ne!(ra, rb);
    let (ta, tb) = std::thread::scope(|s| {
        let ha = s.spawn(|| alone(&a));
        let hb = s.spawn(|| alone(&b));
        (ha.join().unwrap(), hb.join().unwrap())
    });
    assert_eq!(ta, ra);
    assert_eq!(tb, rb);
}

/// A report without its wall-clock fields, as JSON text.
fn comparable(r: &verinic::run::Report) -> String {
    let mut v = serde_json::to_value(r).unwrap();
    let o = v.as_object_mut().unwrap();
    o.remove("wall_seconds");
    o.remove("sim_cycles_per_sec");
    v.to_string()
}

/// `-j 1` and `-j 2` write identical files; three shards merged equal the
/// whole; a resumed sweep runs only the missing points.
#[test]
fn parallel_sharded_and_resumed_sweeps_give_the_same_results() {
    let s = sweep(SMALL, &SMALL_AXES);
    let (d1, d2) = (temp_dir("j1"), temp_dir("j2"));
    let one = run(&s, &d1, 1, Shard::ALL);
    let two = run(&s, &d2, 2, Shard::ALL);
    assert_eq!((one.points, one.ran, two.ran), (6, 6, 6));
    for f in ["results.csv", "results.jsonl"] {
        assert_eq!(read(&d1, f), read(&d2, f), "{f} differs between -j 1 and -j 2");
    }
    assert_eq!(read(&d1, "results.csv").lines().count(), 7);

    // Shards: every point in exactly one; merged, the same files.
    let shard_dirs: Vec<PathBuf> = (0..3).map(|i| temp_dir(&format!("shard{i}"))).collect();
    for (i, d) in shard_dirs.iter().enumerate() {
        let part = run(&s, d, 1, Shard { index: i, count: 3 });
        assert_eq!(part.ran, 2);
    }
    let merged = temp_dir("merged");
    workbench::merge(&shard_dirs, &merged).unwrap();
    for f in ["results.csv", "results.jsonl"] {
        assert_eq!(read(&merged, f), read(&d1, f), "merged {f} differs from the whole sweep");
    }
    // Shards of another sweep are refused.
    let other = temp_dir("other");
    run(&sweep(SMALL, &["driver.rx_usecs=0,16,64", "rx.load=0.3,0.8"]), &other, 2, Shard { index: 0, count: 3 });
    let e = workbench::merge(&[shard_dirs[1].clone(), other.clone()], &temp_dir("bad-merge")).unwrap_err();
    assert!(e.to_string().contains("different sweeps"), "{e}");

    // Resume: drop two finished points, run again: only those two run.
    let lines: Vec<String> = read(&d1, "results.jsonl").lines().map(String::from).collect();
    let kept: Vec<&String> = lines.iter().enumerate().filter(|(i, _)| *i != 1 && *i != 4).map(|(_, l)| l).collect();
    std::fs::write(d1.join("results.jsonl"), kept.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    let again = run(&s, &d1, 2, Shard::ALL);
    assert_eq!((again.already_done, again.ran), (4, 2));
    assert_eq!(read(&d1, "results.csv"), read(&d2, "results.csv"));
    // A changed base scenario is not taken for done.
    let changed = sweep("duration_us = 250\n[tx]\nframes_per_sec = 50000\n", &SMALL_AXES);
    let redo = run(&changed, &d1, 2, Shard::ALL);
    assert_eq!((redo.already_done, redo.ran), (0, 6));
    assert!(d1.join("results.stale.jsonl").exists());

    // The plots and the index are there.
    for f in ["throughput.svg", "throughput.png", "pareto.svg", "index.html"] {
        assert!(d2.join(f).exists(), "{f} missing");
    }
    for d in [d1, d2, merged, other].iter().chain(&shard_dirs) {
        let _ = std::fs::remove_dir_all(d);
    }
}

fn verinic(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_verinic")).args(args).output().unwrap()
}

/// Each bad input is refused with a message naming the problem, exit 2,
/// and nothing written.
#[test]
fn bad_sweeps_are_refused_before_anything_is_written() {
    let out = temp_dir("refused");
    let out_s = out.to_str().unwrap();
    let cases: [(&[&str], &str); 8] = [
        (&["--vary", "driver.rx_usec=8,16"], "driver.rx_usecs"),
        (&["--vary", "driver.rx_ring=64,big"], "driver.rx_ring"),
        (&["--vary", "driver.rx_ring=64,100"], "8..=4096"),
        (&["--vary", "driver.rx_ring="], "driver.rx_ring"),
        (&["--vary", "rx.load=0.1:1.0:0"], "step"),
        (&["--vary", "driver.rx_usecs=0:50000:1", "--vary", "driver.rx_frames=1,2,3"], "--yes"),
        (&[], "nothing to sweep"),
        (&["--vary", "driver.rx_usecs=0,8", "--vary", "driver.rx_usecs=1,2"], "twice"),
    ];
    for (args, needle) in cases {
        let mut all = vec!["sweep", "--quiet", "--duration-us", "50", "--out", out_s];
        all.extend_from_slice(args);
        let o = verinic(&all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: expected {needle:?} in: {err}");
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
    #[cfg(unix)]
    {
        let o = verinic(&[
            "sweep",
            "--quiet",
            "--duration-us",
            "50",
            "--vary",
            "driver.rx_usecs=0,8",
            "--out",
            "/proc/verinic",
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stderr).contains("/proc/verinic"));
    }
}

fn figure(r: &Record, path: &str) -> f64 {
    r.figure(path).unwrap_or_else(|| panic!("{path} missing"))
}

fn stat(r: &Record, name: &str) -> f64 {
    r.json["report"]["stats"][name].as_f64().unwrap_or_else(|| panic!("stats.{name} missing"))
}

/// The physics holds across a sweep.
#[test]
fn the_physics_holds_across_a_sweep() {
    // With the default ITR ceiling (8000/s) and coalescing: delivered never
    // exceeds offered, the interrupt rate never exceeds the ceiling.
    let dir = temp_dir("physics");
    let s = sweep("duration_us = 500\n", &["driver.rx_usecs=0,8,64", "rx.load=0.1,0.5,1.0"]);
    let r = run(&s, &dir, 2, Shard::ALL);
    for rec in &r.records {
        let (offered, delivered) = (figure(rec, "offered_gbps"), figure(rec, "throughput_gbps"));
        assert!(delivered <= offered * 1.01 + 1e-9, "point {}: {delivered} > {offered}", rec.point);
        // 8000/s over the window, plus one for the window's edge.
        let window_s = figure(rec, "measured_ns") / 1e9;
        assert!(figure(rec, "irqs") <= 8000.0 * window_s + 1.0, "point {}: {} irqs", rec.point, figure(rec, "irqs"));
    }

    // rx-frames 1, rx-usecs 0, ITR off: one interrupt per NAPI completion.
    let s = sweep(
        "duration_us = 300\n[driver]\nrx_frames = 1\nrx_usecs = 0\nitr_max_irqs_per_sec = 0\n",
        &["rx.load=0.05,0.3,0.8"],
    );
    let r = run(&s, &dir.join("one-per-completion"), 2, Shard::ALL);
    for rec in &r.records {
        assert!(stat(rec, "irqs") > 0.0);
        assert_eq!(stat(rec, "irqs"), stat(rec, "napi_complete"), "point {}", rec.point);
    }

    // Raising rx-usecs never raises the interrupt rate at the same load
    // (frame threshold high, ITR and the absolute timer off, no transmit).
    let s = sweep(
        "duration_us = 500\n[tx]\nframes_per_sec = 0\n[driver]\nrx_frames = 64\nrx_usecs_abs = 0\nitr_max_irqs_per_sec = 0\n",
        &["rx.load=0.05,0.3,0.9", "driver.rx_usecs=2,8,32,128"],
    );
    let r = run(&s, &dir.join("monotone"), 2, Shard::ALL);
    for (i, by_load) in r.records.chunks(4).enumerate() {
        let rates: Vec<f64> = by_load.iter().map(|rec| figure(rec, "irqs_per_sec")).collect();
        assert!(rates.windows(2).all(|w| w[1] <= w[0]), "interrupt rate rose with rx_usecs: {rates:?}");
        // At low load the timer decides (at high load the 64-frame
        // threshold fires first and the rate is the same for every timer).
        if i == 0 {
            assert!(rates[0] > rates[3], "{rates:?}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Ctrl-C stops a sweep cleanly: exit 130, the finished points on disk,
/// and the same command afterwards runs only the rest.
#[cfg(unix)]
#[test]
fn ctrl_c_keeps_the_finished_points_and_a_rerun_finishes_the_sweep() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let out = temp_dir("sigint");
    let args = [
        "sweep",
        "--quiet",
        "-j",
        "2",
        "--duration-us",
        "20000",
        "--vary",
        "rx.load=0.1:0.9:0.1",
        "--out",
        out.to_str().unwrap(),
    ];
    let child = Command::new(env!("CARGO_BIN_EXE_verinic"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let jsonl = out.join("results.jsonl");
    let t0 = Instant::now();
    while std::fs::read_to_string(&jsonl).map_or(0, |t| t.lines().count()) < 1 {
        assert!(t0.elapsed() < Duration::from_secs(120), "no point finished in 120 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", String::from_utf8_lossy(&o.stderr));
    let done = verinic::explore::results::read_jsonl(&jsonl).expect("results.jsonl stays valid");
    assert!(!done.is_empty() && done.len() < 9, "{} points finished", done.len());
    let o = verinic(&args);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    let expect = format!("({} run now", 9 - done.len());
    assert!(text.contains(&expect), "expected {expect:?} in {text}");
    assert_eq!(read(&out, "results.csv").lines().count(), 10);
    let _ = std::fs::remove_dir_all(&out);
}

/// `verinic compare`: two sweeps over load, one plot per metric and family
/// with a line per sweep, and a CSV row per sweep, family and load.
#[test]
fn compare_draws_a_line_per_sweep() {
    let (a, b, out) = (temp_dir("cmp-a"), temp_dir("cmp-b"), temp_dir("cmp-out"));
    let axes = ["rx.frame_sizes=[64]", "rx.load=0.1,0.5"];
    let axes: Vec<Axis> = axes
        .iter()
        .map(|a| match Axis::parse(a) {
            Ok(x) => x,
            // A list value is not taken on the command line: build it.
            Err(_) => {
                Axis { path: "rx.frame_sizes".into(), values: vec![serde_json::json!([64]), serde_json::json!([1518])] }
            }
        })
        .collect();
    let s1 = Sweep::new("first", base("duration_us = 200\n"), axes.clone());
    let s2 = Sweep::new("second", base("duration_us = 200\n[driver]\nitr_max_irqs_per_sec = 0\n"), axes);
    run(&s1, &a, 2, Shard::ALL);
    run(&s2, &b, 2, Shard::ALL);
    let files = verinic::explore::compare::compare(&[a.clone(), b.clone()], &out).unwrap();
    let metrics = verinic::explore::compare::METRICS.len();
    // Two families (64 and 1518 bytes), each metric as SVG and PNG, the CSV and the index.
    assert_eq!(files.len(), 2 * metrics * 2 + 2);
    let csv = read(&out, "compare.csv");
    assert_eq!(csv.lines().count(), 1 + 2 * 2 * 2, "{csv}");
    assert!(csv.contains(",first,") && csv.contains(",second,"));
    let svg = read(&out, "f0-irqs.svg");
    // One 2-px line per sweep, and its 3-px legend swatch.
    let lines = |w: &str| svg.split("<polyline").skip(1).filter(|p| p.split('>').next().unwrap().contains(w)).count();
    assert_eq!((lines("stroke-width=\"2\""), lines("stroke-width=\"3\"")), (2, 2));
    assert!(read(&out, "index.html").contains("f1-throughput.svg"));
    for d in [a, b, out] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// Every shipped sweep file parses and every point of it validates.
#[test]
fn shipped_sweep_files_expand() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .chain(std::fs::read_dir(dir.join("moderation")).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml") && read_to(p).contains("[sweep]"))
        .collect();
    files.sort();
    assert!(files.len() >= 7, "{files:?}");
    for f in files {
        let s = Sweep::from_file(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let points = s.points(false).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert!(points.len() >= 2, "{}", f.display());
    }
}

fn read_to(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}
