//! The whole NIC from random initial state: after reset it must behave
//! exactly as from all-zero state, cycle by cycle (the RTL has no reg
//! initialisers, so a register without a reset would show here).

use bytes::Bytes;
use verinic::cosim::{AppConfig, Machine, World};
use verinic::trace_view;
use verinic_driver::{CpuCosts, DriverConfig};
use verinic_sim::nic::NicConfig;
use verinic_sim::xgmii::{EncoderConfig, TxFrame};
use verinic_sim::{Profile, SimOptions};

fn run(options: &SimOptions) -> String {
    let world =
        World::new(options, &NicConfig { trace: true, ..Default::default() }, EncoderConfig::default()).unwrap();
    let cfg = DriverConfig { rx_ring: 16, tx_ring: 16, ..Default::default() };
    let mut m = Machine::new(world, cfg, CpuCosts::default(), AppConfig::default()).unwrap();
    for seq in 0..20u32 {
        let mut rng = verinic::rng::Rng::new(u64::from(seq));
        m.world.wire_in(TxFrame::new(verinic::frames::test_frame(60 + 37 * seq as usize, seq, &mut rng)));
    }
    for seq in 0..5u32 {
        let mut rng = verinic::rng::Rng::new(99);
        m.send_frame(Bytes::from(verinic::frames::test_frame(100, seq, &mut rng))).unwrap();
    }
    let t = m.now_ns() + 300_000;
    m.run_until(t);
    assert_eq!(m.app.delivered, 20);
    assert_eq!(m.world.tx_good, 5);
    trace_view::render(m.world.nic.trace())
}

#[test]
fn random_initial_state_is_fully_reset() {
    let zero = SimOptions { profile: Profile::Debug, ..Default::default() };
    let reference = run(&zero);
    for seed in [1, 7, 0xC0FFEE] {
        let random = SimOptions { random_reset: true, seed, ..zero.clone() };
        assert!(run(&random) == reference, "seed {seed}: behaviour depends on state without a reset");
    }
    assert!(run(&SimOptions::default()) == reference, "fast and debug builds agree");
}
