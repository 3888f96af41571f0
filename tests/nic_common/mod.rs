//! Shared set-up for tests that run the driver against the NIC RTL.
#![allow(dead_code)]

pub mod ownership;

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

/// Where the headers of a frame from [`ip_frame`] are.
pub struct Layout {
    /// Start of the IP header.
    pub l3: usize,
    /// Start of the TCP/UDP header.
    pub l4: usize,
}

/// A correct TCP or UDP frame over IPv4 (with `options` words of NOP options)
/// or IPv6, optionally 802.1Q-tagged, built with etherparse.
pub fn ip_frame(v6: bool, tcp: bool, vlan: bool, options: usize, payload: &[u8]) -> (Vec<u8>, Layout) {
    use etherparse::PacketBuilder;
    let eth = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 2], [2, 0, 0, 0, 0, 1]);
    let mut f = Vec::new();
    macro_rules! finish {
        ($ip:expr) => {
            if tcp {
                $ip.tcp(1234, 80, 7, 1024).write(&mut f, payload).unwrap()
            } else {
                $ip.udp(5353, 53).write(&mut f, payload).unwrap()
            }
        };
    }
    let (s4, d4) = ([10, 0, 0, 1], [10, 0, 0, 2]);
    let (s6, d6) = (
        [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
    );
    match (vlan, v6) {
        (false, false) => finish!(eth.ipv4(s4, d4, 64)),
        (false, true) => finish!(eth.ipv6(s6, d6, 64)),
        (true, false) => finish!(eth.single_vlan(5.try_into().unwrap()).ipv4(s4, d4, 64)),
        (true, true) => finish!(eth.single_vlan(5.try_into().unwrap()).ipv6(s6, d6, 64)),
    }
    let l3 = if vlan { 18 } else { 14 };
    if !v6 && options > 0 {
        // NOP options after the fixed header; the L4 checksum is not affected
        let at = l3 + 20;
        f.splice(at..at, std::iter::repeat_n(1u8, options * 4));
        f[l3] = 0x40 | (5 + options as u8);
        let total = u16::from_be_bytes([f[l3 + 2], f[l3 + 3]]) + (options * 4) as u16;
        f[l3 + 2..l3 + 4].copy_from_slice(&total.to_be_bytes());
        ipv4_checksum_fix(&mut f, l3);
    }
    let ihl = if v6 { 40 } else { usize::from(f[l3] & 0xF) * 4 };
    (f, Layout { l3, l4: l3 + ihl })
}

/// Recomputes the IPv4 header checksum of the header at `l3`.
pub fn ipv4_checksum_fix(f: &mut [u8], l3: usize) {
    let ihl = usize::from(f[l3] & 0xF) * 4;
    f[l3 + 10..l3 + 12].copy_from_slice(&[0, 0]);
    let c = !fold(sum16(&f[l3..l3 + ihl]));
    f[l3 + 10..l3 + 12].copy_from_slice(&c.to_be_bytes());
}
