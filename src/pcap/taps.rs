//! The capture files a run writes: what the NIC transmitted, as the link
//! partner decoded it, and what the driver handed to the stack.
//!
//! Frames are moved out of the machine's records as the run goes
//! ([`Taps::collect`]), so a long run does not hold them all in memory.
//!
//! - Transmitted: every frame the link partner's decoder reassembled
//!   (`World::tx_frames`), without FCS, stamped with the device time of its
//!   Start character. Bad frames (counted in the report's
//!   `tx.bad_on_wire`, normally none) are written too, with what was received.
//! - Delivered: every frame the driver delivered (`Machine::delivered_frames`),
//!   stamped with the CPU time of the hand-off (`Delivery::at_ns`).

use std::path::Path;

use bytes::Bytes;

use super::{PcapError, PcapWriter};
use crate::cosim::{cycle_ns, Machine};

/// The open output files of a run (either may be absent).
pub struct Taps {
    transmitted: Option<PcapWriter>,
    delivered: Option<PcapWriter>,
    /// Deliveries already collected: index into `Machine::deliveries`.
    delivered_seen: usize,
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
            delivered_seen: 0,
        })
    }

    /// Turns on the records the files need. Call before the machine runs:
    /// delivered frames are paired with `Machine::deliveries` by position.
    pub fn arm(&self, m: &mut Machine) {
        if self.transmitted.is_some() {
            m.world.keep_tx_frames = true;
        }
        if self.delivered.is_some() {
            m.keep_frames = true;
        }
    }

    /// Moves the frames recorded since the last call out of `m` and writes
    /// them; returns the delivered frames (in delivery order) for other uses.
    pub fn collect(&mut self, m: &mut Machine) -> Result<Vec<Bytes>, PcapError> {
        for f in m.world.tx_frames.drain(..) {
            if let Some(w) = self.transmitted.as_mut() {
                w.write(&f.bytes, cycle_ns(f.start_cycle))?;
            }
        }
        let fresh = std::mem::take(&mut m.delivered_frames);
        if let Some(w) = self.delivered.as_mut() {
            for (i, data) in fresh.iter().enumerate() {
                let at_ns = m.deliveries.get(self.delivered_seen + i).map_or(0, |d| d.at_ns);
                w.write(data, at_ns)?;
            }
        }
        self.delivered_seen += fresh.len();
        Ok(fresh)
    }

    /// Flushes and closes the files.
    pub fn finish(self) -> Result<TapCounts, PcapError> {
        Ok(TapCounts {
            transmitted: self.transmitted.map(PcapWriter::finish).transpose()?,
            delivered: self.delivered.map(PcapWriter::finish).transpose()?,
        })
    }
}
