//! Shared set-up for tests that run the driver against the NIC RTL.
#![allow(dead_code)]

use verinic::cosim::{AppConfig, Machine, World};
use verinic_driver::{CpuCosts, DriverConfig};
use verinic_sim::nic::NicConfig;
use verinic_sim::xgmii::EncoderConfig;
use verinic_sim::SimOptions;

/// A machine with the given driver settings, zero-cost CPU unless `costs`.
pub fn machine(cfg: DriverConfig, costs: CpuCosts, link: EncoderConfig, nic: NicConfig) -> Machine {
    let world = World::new(&SimOptions::default(), &nic, link).expect("NIC model");
    let mut m = Machine::new(world, cfg, costs, AppConfig::default()).expect("driver probe");
    m.keep_frames = true;
    m.world.keep_tx_frames = true;
    m
}

/// Default driver, default costs, default link and host memory.
pub fn default_machine() -> Machine {
    machine(DriverConfig::default(), CpuCosts::default(), EncoderConfig::default(), NicConfig::default())
}

/// A test frame of `len` bytes (without FCS) carrying `seq`.
pub fn frame(len: usize, seq: u32) -> Vec<u8> {
    verinic::frames::test_frame(len, seq, &mut verinic::rng::Rng::new(u64::from(seq) * 31 + len as u64))
}

/// Runs until `n` frames were delivered, or panics after `max_us`.
pub fn run_until_delivered(m: &mut Machine, n: u64, max_us: u64) {
    let deadline = m.now_ns() + max_us * 1000;
    while m.app.delivered < n {
        assert!(m.now_ns() < deadline, "only {} of {n} frames delivered after {max_us} us", m.app.delivered);
        let t = m.now_ns() + 1000;
        m.run_until(t);
    }
}

/// Ones' complement sum of big-endian 16-bit words; `data` starts at an even offset.
pub fn sum16(data: &[u8]) -> u32 {
    data.chunks(2).map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))).sum()
}

/// Folds the carries of a ones' complement sum into 16 bits.
pub fn fold(mut s: u32) -> u16 {
    while s > 0xFFFF {
        s = (s & 0xFFFF) + (s >> 16);
    }
    s as u16
}
