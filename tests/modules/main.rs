//! Per-module testbenches: each block of the NIC on its own Verilated top
//! (`MODULE_TOPS` in `sim/build.rs`), driven with seeded random traffic and
//! random back-pressure and stalls on every interface, checked against an
//! independent model written here, with the AXI protocol checkers of
//! `verinic_sim::bus::check` on every valid/ready interface.
//! See docs/verification.md.

mod arb;
mod coalesce;
mod csum;
mod desc;
mod rx_fifo;

/// Seeds every randomised testbench runs with (each its own traffic and stalls).
pub const SEEDS: [u64; 4] = [1, 2, 0xC0FFEE, 0x5EED_2026];

/// Ones' complement sum (not yet complemented) of `data` as big-endian
/// 16-bit words, the last odd byte padded with zero: RFC 1071, written
/// independently of the RTL's masked per-beat sums.
pub fn ones_sum(data: &[u8]) -> u16 {
    let mut s: u64 = 0;
    for c in data.chunks(2) {
        s += u64::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]));
    }
    while s > 0xFFFF {
        s = (s & 0xFFFF) + (s >> 16);
    }
    s as u16
}
