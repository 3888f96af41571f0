//! Reset and determinism. The debug build gives every register without an
//! explicit reset a random initial value (`--x-initial unique`); after `rst`
//! the MAC must behave exactly as when everything started at zero, cycle by
//! cycle, whatever the seed. A design that forgets to reset some state fails
//! here. The same inputs must also always give the same trace.

mod common;

use common::{frame, Bench};
use verinic_sim::axis::{RxPacket, TxPacket};
use verinic_sim::mac::{MacConfig, MacStats};
use verinic_sim::xgmii::{EncoderConfig, Fault, TxFrame, XgmiiWord};
use verinic_sim::{Profile, SimOptions};

/// Mixed traffic both ways; returns every XGMII TX word, every RX packet and
/// the counters.
fn trace(options: &SimOptions) -> (Vec<XgmiiWord>, Vec<RxPacket>, MacStats) {
    let mut bench = Bench::with(options, MacConfig::default(), EncoderConfig::default());
    bench.record_words = true;
    for (seq, len) in [60usize, 61, 1514, 300, 64, 9, 1600].into_iter().enumerate() {
        bench.wire_in(TxFrame::new(frame(len, seq as u32)));
        bench.send(TxPacket::new(frame(len.min(1514), 100 + seq as u32)));
    }
    bench.wire_in(TxFrame::with_fault(frame(100, 50), Fault::ErrorChar { offset: 20 }));
    bench.run_until_quiet(100_000);
    let stats = bench.stats();
    (bench.tx_words, bench.rx_packets, stats)
}

#[test]
fn random_initial_state_is_fully_reset() {
    let zero = SimOptions { profile: Profile::Debug, ..Default::default() };
    let reference = trace(&zero);
    assert!(reference.1.iter().filter(|p| !p.bad).count() >= 5, "traffic got through");
    for seed in [1, 2, 3, 0xDEAD_BEEF] {
        let random = SimOptions { random_reset: true, seed, ..zero.clone() };
        assert!(trace(&random) == reference, "seed {seed}: behaviour depends on unreset state");
    }
}

#[test]
fn fast_and_debug_builds_agree() {
    let fast = trace(&SimOptions::default());
    let debug = trace(&SimOptions { profile: Profile::Debug, ..Default::default() });
    assert!(fast == debug);
}

#[test]
fn same_inputs_same_trace() {
    assert!(trace(&SimOptions::default()) == trace(&SimOptions::default()));
}
