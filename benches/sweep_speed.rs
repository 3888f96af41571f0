//! The tuning workbench's parallel speed-up: the demo sweep
//! (scenarios/sweep_coalescing.toml) with one worker and with two, in the
//! same run, each into a fresh directory. Prints a table; the target is at
//! least 1.8x on 2 cores.
//!
//!     cargo bench --bench sweep_speed

use std::path::Path;
use std::sync::atomic::AtomicBool;

use verinic::explore::{run_sweep, Shard, Sweep, SweepOptions};
use verinic_sim::SimOptions;

fn main() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sweep_coalescing.toml");
    let sweep = Sweep::from_file(&file).expect("the demo sweep file");
    let stop = AtomicBool::new(false);
    let mut rows = Vec::new();
    for jobs in [1, 2] {
        let out = std::env::temp_dir().join(format!("verinic-bench-sweep-j{jobs}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let options = SweepOptions {
            jobs,
            out: out.clone(),
            shard: Shard::ALL,
            quiet: true,
            confirmed: false,
            sim: SimOptions::default(),
        };
        let s = run_sweep(&sweep, &options, &stop).expect("sweep");
        assert_eq!(s.ran, s.points, "every point ran");
        let cycles: f64 = s.records.iter().filter_map(|r| r.figure("sim_cycles")).sum();
        rows.push((jobs, s.points, s.wall.as_secs_f64(), cycles));
        let _ = std::fs::remove_dir_all(&out);
    }
    println!("sweep_speed: {} ({} points)", file.display(), rows[0].1);
    println!("{:>6} {:>10} {:>16} {:>10}", "jobs", "wall s", "M cycles/s", "speed-up");
    for &(jobs, _, wall, cycles) in &rows {
        println!("{jobs:>6} {wall:>10.2} {:>16.2} {:>9.2}x", cycles / wall / 1e6, rows[0].2 / wall);
    }
}
