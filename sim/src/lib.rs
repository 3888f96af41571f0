//! verinic-sim: the Verilated NIC RTL and the models around it.
//!
//! - [`model`]: a Verilated model behind a thin C ABI, clocked from Rust.
//! - [`ports`]: typed port accessors generated from the RTL by `build.rs`.
//! - [`axis`]: AXI-Stream packets to beats and back.
//! - [`mac`]: the 10G MAC with its streams served.
//! - [`nic`]: the whole NIC with host memory and the CPU's MMIO path served.
//! - [`bus`]: AXI4 host memory and AXI4-Lite MMIO master models.
//! - [`tb`]: harness pieces of the per-module testbenches (seeded stalls, AXI4 test slaves).
//! - [`trace`]: the cycle-stamped event trace.
//! - [`cpp_loopback`]: the same MAC driven from C++, the speed reference.
//! - [`xgmii`]: the link partner on the far side of the XGMII wire.
//!
//! This crate knows nothing of the host driver; the root crate wires the two.

#![warn(missing_docs)]

pub mod axis;
pub mod bus;
pub mod cpp_loopback;
pub mod mac;
pub mod model;
pub mod nic;
pub mod rng;
pub mod tb;
pub mod trace;
pub mod xgmii;

/// Port accessors of every Verilated top level (generated from the RTL).
pub mod ports {
    include!(concat!(env!("OUT_DIR"), "/ports.rs"));
}

pub use model::{Profile, Sim, SimError, SimOptions};
