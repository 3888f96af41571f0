//! Simulation speed of the whole co-simulation (RTL + bus models + link
//! partner + driver + CPU model) on the default scenario, against a minimal
//! C++ Verilator loop clocking the same NIC RTL with XGMII RX replaying frames
//! at the same offered load. Target: ratio at least 0.7. Rounds alternate so
//! both see the same machine state; medians are reported.

use std::time::Instant;

use verinic::run;
use verinic::run::Scenario;
use verinic_sim::cpp_loopback::NicCppLoop;
use verinic_sim::xgmii::{EncoderConfig, TxFrame, XgmiiEncoder, XgmiiWord};
use verinic_sim::SimOptions;

/// XGMII words of frames from the default scenario's size mix at its load.
fn recorded_words(scenario: &Scenario, n: usize) -> Vec<XgmiiWord> {
    let mut enc = XgmiiEncoder::new(EncoderConfig { load: scenario.rx.load, ..Default::default() }).unwrap();
    let mut rng = verinic::rng::Rng::new(scenario.seed);
    let sizes = &scenario.rx.frame_sizes;
    let mut words = Vec::with_capacity(n);
    let mut seq = 0;
    while words.len() < n {
        if enc.queued() < 4 {
            let len = sizes[rng.range(0, sizes.len() - 1)] - 4;
            enc.enqueue(TxFrame::new(verinic::frames::test_frame(len, seq, &mut rng))).unwrap();
            seq += 1;
        }
        words.push(enc.next_word());
    }
    words
}

fn main() {
    const ROUNDS: usize = 5;
    let scenario = Scenario::default();
    let words = recorded_words(&scenario, 200_000);
    let (mut cosim, mut cpp) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let r = run::run_scenario(&scenario, &SimOptions::default(), &mut |_| {}).expect("default scenario runs");
        assert!(r.conserved, "offered = delivered + drops");
        cosim.push(r.sim_cycles_per_sec);

        let mut l = NicCppLoop::new(&words);
        let t = Instant::now();
        l.run(r.sim_cycles);
        cpp.push(r.sim_cycles as f64 / t.elapsed().as_secs_f64());
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (a, b) = (median(&mut cosim), median(&mut cpp));
    println!("simulation speed, default scenario ({ROUNDS} rounds, medians)");
    println!("  co-simulation (RTL + models + driver)  {:>8.3} M cycles/s", a / 1e6);
    println!("  C++ loop over the same NIC RTL          {:>8.3} M cycles/s", b / 1e6);
    println!("  ratio                                   {:>8.3}  (target >= 0.7)", a / b);
}
