//! Watching a run from the outside: the NIC's descriptor traffic, decoded.
//!
//! - [`view`]: the event trace as a reviewer reads it (register names,
//!   descriptor fetches and write-backs decoded, packet DMA, interrupt
//!   edges), line by line or one [`Entry`] at a time (also reachable as
//!   `verinic::trace_view`);
//! - [`trace`]: `verinic trace`'s engine: a scenario run whose trace is
//!   decoded, filtered and written chunk by chunk as it goes;
//! - [`cli`]: the `verinic trace` command;
//! - [`diff`]: `verinic trace-diff`, where two traces part;
//! - [`timeline`]: where the CPU's time went, the interrupt line, DMA and
//!   counters in the Chrome trace event format (`verinic run --timeline
//!   FILE`); [`nic_tracks`]: its DMA slices and counters.
//!
//! [`crate::snapshot`] builds on these for snapshot tests.

pub mod cli;
pub mod diff;
pub mod nic_tracks;
pub mod timeline;
pub mod trace;
pub mod view;

pub use trace::{run_trace, Bound, Counts, Filter, Format, Only, TraceError, TraceRun, TraceWriter};
pub use view::{Class, Decoder, Entry, Ring};
