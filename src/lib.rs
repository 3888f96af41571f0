//! verinic: a Verilog 10G NIC and its host driver, co-simulated cycle by cycle.
//!
//! This crate wires the Verilated RTL ([`verinic_sim`]) to scenarios and
//! reports; the `verinic` binary is its command line.
//!
//! - [`cosim`]: the co-simulated machine (device clock, the driver's
//!   platform, the CPU's time);
//! - [`run`]: one scenario: its file format, the runner, the measurements
//!   and the report;
//! - [`pcap`]: captures in and out of the wire;
//! - [`observe`]: the decoded descriptor traffic (`verinic trace`), also
//!   reachable as [`trace_view`]; [`snapshot`]: snapshot tests of scenarios;
//! - [`loopback`]: the MAC-only demo; [`frames`] and [`rng`]: test frames
//!   and the seeded generator behind all randomness.

#![warn(missing_docs)]

pub mod cosim;
pub mod explore;
pub mod frames;
pub mod hash;
pub mod loopback;
pub mod observe;
pub mod pcap;
pub mod rng;
pub mod run;
pub mod snapshot;

pub use observe::view as trace_view;

pub use verinic_sim as sim;
