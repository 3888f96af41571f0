//! The capture files a run writes: what the NIC transmitted, as the link
//! partner decoded it, and what the driver handed to the stack.
//!
//! [`Taps`] is an [`Observer`] of the run: frames are written chunk by chunk
//! as the run goes, so a long run does not hold them in memory, and a run
//! stopped early still leaves whole, valid files ([`Taps::finish`]).
//!
//! - Transmitted: every frame the link partner's decoder reassembled,
//!   without FCS, stamped with the device time of its Start character. Bad
//!   frames (counted in the report's `tx.bad_on_wire`, normally none) are
//!   written too, with what was received.
//! - Delivered: every frame the driver delivered, stamped with the CPU time
//!   of the hand-off (`Delivery::at_ns`).

use std::path::Path;

use super::{PcapError, PcapWriter};
use crate::cosim::cycle_ns;
use crate::run::{Chunk, Needs, Observer, RunError};

/// The open output files of a run (either may be absent).
pub struct Taps {
    transmitted: Option<PcapWriter>,
    delivered: Option<PcapWriter>,
}

/// Frames written to each file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TapCounts {
    /// To the transmitted-frames file, if there is one.
    pub transmitted: Option<u64>,
    /// To the delivered-frames file, if there is one.
    pub delivered: Option<u64>,
}

impl Taps {
    /// Creates the files now, so that a bad path fails before the run.
    pub fn open(transmitted: Option<&Path>, delivered: Option<&Path>) -> Result<Self, PcapError> {
        Ok(Taps {
            transmitted: transmitted.map(PcapWriter::create).transpose()?,
            delivered: delivered.map(PcapWriter::create).transpose()?,
        })
    }

    /// Flushes and closes the files.
    pub fn finish(self) -> Result<TapCounts, PcapError> {
        Ok(TapCounts {
            transmitted: self.transmitted.map(PcapWriter::finish).transpose()?,
            delivered: self.delivered.map(PcapWriter::finish).transpose()?,
        })
    }
}

impl Observer for Taps {
    fn needs(&self) -> Needs {
        Needs { delivered_bytes: self.delivered.is_some(), tx_frames: self.transmitted.is_some(), ..Needs::default() }
    }

    fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<(), RunError> {
        if let Some(w) = self.transmitted.as_mut() {
            for f in chunk.tx_frames {
                w.write(&f.bytes, cycle_ns(f.start_cycle)).map_err(RunError::Pcap)?;
            }
        }
        if let Some(w) = self.delivered.as_mut() {
            for (data, m) in chunk.delivered_frames.iter().zip(chunk.deliveries) {
                w.write(data, m.delivery.at_ns).map_err(RunError::Pcap)?;
            }
        }
        Ok(())
    }
}
