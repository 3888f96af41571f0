//! Cycle-accurate models of the host side of the NIC's buses.
//!
//! - [`axi`]: AXI4 and AXI4-Lite signal structs, handshakes, burst arithmetic.
//! - [`sparse`]: sparse host memory with mapped regions and a bump allocator.
//! - [`memory`]: [`AxiMemory`], host memory as an AXI4 slave with PCIe-like latency.
//! - [`axil_master`]: [`AxilMaster`], the CPU's MMIO path as an AXI4-Lite master.
//! - [`check`]: AXI4, AXI4-Lite and AXI4-Stream protocol checkers.
//!
//! # Clocking contract
//!
//! Every model is clocked like RTL. Each cycle the co-simulation
//!
//! 1. reads the DUT's outputs as they are after the previous edge;
//! 2. asks each model for its outputs (`outputs(&self)`), which depend on the
//!    model's state only, like registered outputs;
//! 3. drives them into the DUT;
//! 4. ticks the DUT's clock;
//! 5. calls each model's `clock(&mut self, dut, trace)` with the DUT outputs
//!    from step 1.
//!
//! A channel transferred at the edge iff `valid && ready` held in the values
//! of steps 1 and 2; `clock` recomputes its own side from its unchanged state.
//! Requests made between two `clock` calls (a CPU `read`, a host memory
//! write) never change the outputs of the cycle in progress, so step 2 may
//! come before or after them.
//!
//! Models count edges from their creation: create them with the DUT at reset
//! and clock them every cycle, and their cycle numbers (in traces too) are
//! the DUT's.

pub mod axi;
pub mod axil_master;
pub mod check;
pub mod memory;
pub mod sparse;

use std::fmt;

pub use axi::{AxiMasterOut, AxiSlaveOut, AxilMasterOut, AxilSlaveOut};
pub use axil_master::{AxilConfig, AxilMaster, AxilStats, ReadTicket};
pub use check::{AxiChecker, AxilChecker, AxisChecker, Rule, Violation};
pub use memory::{AxiMemory, ErrorRule, MemoryConfig, MemoryStats};
pub use sparse::{MemError, SparseMemory};

/// A model configuration value that cannot work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusConfigError {
    /// The offending field.
    pub field: &'static str,
    /// What it must be instead.
    pub expected: &'static str,
}

impl fmt::Display for BusConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad bus model config: `{}` must be {}", self.field, self.expected)
    }
}

impl std::error::Error for BusConfigError {}

/// Whole clock cycles covering `ns` nanoseconds at `period_ps`, at least one
/// (a registered output cannot answer sooner). `period_ps` 0 gives one cycle.
pub fn ns_to_cycles(ns: u64, period_ps: u64) -> u64 {
    if period_ps == 0 {
        return 1;
    }
    ns.saturating_mul(1000).div_ceil(period_ps).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_rounds_up_to_whole_cycles() {
        assert_eq!(ns_to_cycles(500, 6400), 79); // 78.125
        assert_eq!(ns_to_cycles(100, 6400), 16); // 15.625
        assert_eq!(ns_to_cycles(64, 6400), 10); // exact
        assert_eq!(ns_to_cycles(0, 6400), 1);
        assert_eq!(ns_to_cycles(u64::MAX, 6400), u64::MAX / 6400 + 1);
        assert_eq!(ns_to_cycles(5, 0), 1);
    }
}
