//! The 64-bit XGMII link partner: what sits on the far side of the NIC's PHY
//! interface in simulation.
//!
//! Each 156.25 MHz clock moves one [`XgmiiWord`]: eight byte lanes (lane 0 is
//! the first byte on the wire) and a control flag per lane. A frame on the
//! wire is
//!
//! ```text
//! Start 55 55 55 55 55 55 D5 | dest MAC .. payload | FCS (LSB first) | Terminate | Idle ...
//! ```
//!
//! with Start only in lane 0 or 4, and at least 12 bytes on average from a
//! Terminate (inclusive) to the next Start (exclusive).
//!
//! - [`XgmiiEncoder`] is the partner's transmitter, driving the NIC's receive
//!   side: it frames queued byte vectors, appends the FCS, paces them with
//!   the minimum gap, lane alignment, the deficit idle count and an offered
//!   load, injects per-frame [`Fault`]s, and logs when each frame's first
//!   byte went out ([`SentFrame`]) so latency can be measured.
//! - [`XgmiiDecoder`] is the partner's receiver, checking the NIC's transmit
//!   side: it reassembles [`RxFrame`]s, checks preamble, lanes and FCS on its
//!   own, classifies what is wrong ([`FrameError`]) and keeps counters and
//!   gap statistics ([`DecoderStats`]).
//!
//! Both are deterministic and do no per-cycle allocation.
//!
//! ```
//! use verinic_sim::xgmii::{TxFrame, XgmiiDecoder, XgmiiEncoder};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut enc = XgmiiEncoder::default();
//! let mut dec = XgmiiDecoder::new();
//! enc.enqueue(TxFrame::new(vec![0xAB; 60]))?;
//! while !enc.is_idle() {
//!     dec.push(enc.next_word()); // in a real test: drive the DUT instead
//! }
//! dec.push(enc.next_word());
//! let frame = dec.pop().unwrap();
//! assert!(frame.is_good());
//! assert_eq!(frame.start_cycle, enc.take_sent()[0].start_cycle);
//! # Ok(())
//! # }
//! ```

mod config;
mod crc;
mod decoder;
mod encoder;
mod fault;
mod gap;
mod stats;
mod word;

#[cfg(test)]
mod tests;

pub use config::{EncoderConfig, EncoderConfigError, StartLanes, MIN_IPG};
pub use crc::{fcs, fcs_bytes, split_and_check};
pub use decoder::{FrameError, RxFrame, XgmiiDecoder};
pub use encoder::{FrameEnd, SentFrame, TxFrame, XgmiiEncoder};
pub use fault::{Fault, FaultError, BAD_PREAMBLE_BYTE, BAD_PREAMBLE_INDEX};
pub use stats::DecoderStats;
pub use word::{XgmiiWord, ERROR, FCS_LEN, FRAME_OVERHEAD, IDLE, LANES, PREAMBLE, PREAMBLE_LEN, SFD, START, TERMINATE};
