//! verinic-driver: the host driver of the verinic NIC.
//!
//! Platform-agnostic: it sees registers, DMA memory and time only through
//! [`Platform`]. It knows nothing of Verilator.
//!
//! It does what a Linux e1000-style driver does, in the same order and under
//! the same names: [`Driver::probe`] resets and brings the device up,
//! [`Driver::irq`] is the hard-IRQ handler (read ICR, mask, schedule NAPI),
//! [`Driver::napi_poll`] and [`Driver::softirq`] are NAPI and net_rx_action,
//! [`Driver::xmit`] is ndo_start_xmit with xmit_more, [`Driver::watchdog`]
//! is e1000_watchdog with the netdev watchdog's TX timeout (called every
//! `watchdog_interval_us`). Every piece of CPU work is charged to the
//! platform's clock through a [`CpuCosts`] model, so a co-simulation sees
//! the driver take time while the device runs.
//!
//! Modules, one job each:
//! - [`regs`], [`desc`]: the register map and descriptor layouts (the spec).
//! - [`platform`]: what the driver needs from the machine.
//! - [`config`]: ethtool-named configuration and its register encoding.
//! - [`cost`]: the CPU cost model.
//! - [`pool`]: fixed-size DMA buffer pools.
//! - `rx`, `tx`: the two rings.
//! - [`napi`]: the poll function and the softirq round.
//! - [`dim`]: Linux DIM (adaptive-rx / adaptive-tx).
//! - [`itr`]: e1000's dynamic interrupt throttling (`itr_mode`).
//! - [`moderation`]: where those two are sampled and applied.
//! - [`stats`]: counters under ethtool -S names.
//! - [`recover`]: the reset task (device reset, rings started over).
//! - [`watchdog`]: the periodic watchdog and its TX timeout.
//! - [`driver`]: probe, IRQ handler, transmit, run-time settings.
//! - [`error`]: error types.
//! - `mock` (feature `mock`, and in this crate's tests): a behavioural
//!   device model for unit tests, not the real device.

#![warn(missing_docs)]

pub mod backlog;
pub mod config;
pub mod cost;
pub mod desc;
pub mod dim;
pub mod driver;
pub mod error;
pub mod itr;
pub mod moderation;
pub mod napi;
pub mod platform;
pub mod pool;
pub mod recover;
pub mod regs;
mod ring;
mod rx;
pub mod stats;
mod tx;
pub mod watchdog;

#[cfg(any(test, feature = "mock"))]
pub mod mock;

#[cfg(test)]
mod tests;

pub use config::{Coalesce, CoalesceRegs, DriverConfig, DriverConfigError};
pub use cost::CpuCosts;
pub use dim::DimMode;
pub use driver::{Driver, IrqOutcome, RingState};
pub use error::{DriverError, TxError};
pub use itr::ItrMode;
pub use moderation::{ModerationChange, ModerationSource};
pub use napi::SoftirqOutcome;
pub use platform::Platform;
pub use rx::{ChecksumVerdict, RxPacket, RxSink};
pub use stats::Stats;
pub use tx::TxOffload;
pub use watchdog::{TxTimeoutCause, WatchdogOutcome};
