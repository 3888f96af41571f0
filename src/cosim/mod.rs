//! The co-simulation: the Verilated NIC and the host driver meeting in host
//! memory, with the host CPU's time modelled.
//!
//! - [`world`]: the device clock domain (NIC, host memory and MMIO models,
//!   the link partner).
//! - [`platform`]: the driver's view of it, where CPU time and device time meet.
//! - [`machine`]: the CPU: hard IRQs, softirqs, and the threads
//!   ([`sched`]) ksoftirqd and the application.
//! - [`stack`]: the host's receive path above the driver and the socket.
//! - [`checksums`]: checksum verdicts counted in both directions.
//! - [`wire_log`]: the frames on the wire toward the NIC, in bounded memory.

pub mod checksums;
pub mod machine;
pub mod platform;
pub mod sched;
pub mod stack;
pub mod wire_log;
pub mod world;

pub use checksums::ChecksumCounts;
pub use machine::{
    AppConfig, AppStats, CpuContext, CpuSlice, CpuTime, Delivery, Machine, TxNotSent, TxNotSentReason, WatchdogLog,
};
pub use platform::Host;
pub use wire_log::{frame_digest, WireLog, WIRE_LOG_WINDOW};
pub use world::{cycle_ns, RxSource, World, WorldError};
