//! Simulation speed of the MAC in loopback at full line rate, 64-byte frames.
//!
//! - `rust_harness`: the Rust co-simulation loop (`LineRateLoopback`): packet
//!   queue, AXI-Stream beats, XGMII wire and packet collection in Rust, one FFI
//!   call per cycle.
//! - `cpp_loop`: the same RTL and traffic driven by a minimal C++ Verilator
//!   loop, the simulator's speed limit.
//! - `debug_build_*`: the trace-capable build without and with an FST file
//!   open, showing what waves cost and that the fast build pays nothing.
//!
//! Throughput is in elements = clock cycles. After Criterion, an interleaved
//! head-to-head run prints the Rust/C++ ratio (target: at least 0.8).

use std::time::Instant;

use criterion::{Criterion, Throughput};
use verinic::loopback::LineRateLoopback;
use verinic_sim::cpp_loopback::CppLoopback;
use verinic_sim::{Profile, SimOptions};

const CYCLES: u64 = 100_000;
const FRAME: usize = 60;

fn rust(profile: Profile, waves: bool) -> LineRateLoopback {
    let waves = waves.then(|| std::env::temp_dir().join("verinic-bench.fst"));
    LineRateLoopback::new(&SimOptions { profile, waves, ..Default::default() }, FRAME).unwrap()
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("mac_loopback_64B");
    group.throughput(Throughput::Elements(CYCLES));
    group.sample_size(20);

    let mut h = rust(Profile::Fast, false);
    group.bench_function("rust_harness", |b| b.iter(|| h.run(CYCLES)));

    let mut cpp = CppLoopback::new();
    group.bench_function("cpp_loop", |b| b.iter(|| cpp.run(CYCLES)));

    let mut dbg = rust(Profile::Debug, false);
    group.bench_function("debug_build_no_waves", |b| b.iter(|| dbg.run(CYCLES)));

    group.sample_size(10);
    group.throughput(Throughput::Elements(CYCLES / 10));
    let mut waves = rust(Profile::Debug, true);
    group.bench_function("debug_build_waves_on", |b| b.iter(|| waves.run(CYCLES / 10)));
    group.finish();
}

/// Alternating rounds so that both loops see the same machine state; reports
/// the median of each.
fn head_to_head() {
    const ROUNDS: usize = 7;
    const RUN: u64 = 400_000;
    let mut h = rust(Profile::Fast, false);
    let mut cpp = CppLoopback::new();
    let (mut rs, mut cs) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let t = Instant::now();
        h.run(RUN);
        rs.push(RUN as f64 / t.elapsed().as_secs_f64());
        let t = Instant::now();
        cpp.run(RUN);
        cs.push(RUN as f64 / t.elapsed().as_secs_f64());
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (r, c) = (median(&mut rs), median(&mut cs));
    assert!(h.frames_good() > 0 && cpp.frames_good() > 0, "traffic must flow in both loops");
    // 84 byte times per 64-byte frame: 10.5 cycles per frame at line rate.
    let line_rate_frames = (h.cycles() as f64 / 10.5) as u64;
    println!("\nhead to head, MAC loopback, 64-byte frames at line rate ({ROUNDS} rounds of {RUN} cycles, medians):");
    println!("  rust harness  {:>8.3} Mcycles/s", r / 1e6);
    println!("  C++ loop      {:>8.3} Mcycles/s", c / 1e6);
    println!("  ratio         {:>8.3}  (target >= 0.8)", r / c);
    println!(
        "  frames good   {} (rust) and {} (C++) of about {} at line rate",
        h.frames_good(),
        cpp.frames_good(),
        line_rate_frames
    );
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c);
    c.final_summary();
    head_to_head();
}
