//! verinic: a Verilog 10G NIC and its host driver, co-simulated cycle by cycle.
//!
//! This crate wires the Verilated RTL ([`verinic_sim`]) to scenarios and
//! reports; the `verinic` binary is its command line.

pub mod cosim;
pub mod frames;
pub mod loopback;
pub mod pcap;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod trace_view;
pub mod traffic;

pub use verinic_sim as sim;
