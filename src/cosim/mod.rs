//! The co-simulation: the Verilated NIC and the host driver meeting in host
//! memory, with the host CPU's time modelled.
//!
//! - [`world`]: the device clock domain (NIC, host memory and MMIO models,
//!   the link partner).
//! - [`platform`]: the driver's view of it, where CPU time and device time meet.
//! - [`machine`]: the CPU's scheduler and the application.

pub mod machine;
pub mod platform;
pub mod world;

pub use machine::{AppConfig, AppStats, CpuTime, Delivery, Machine};
pub use platform::Host;
pub use world::{cycle_ns, RxSource, World};
