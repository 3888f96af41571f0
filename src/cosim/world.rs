//! Everything that runs on the device clock: the NIC with its host memory and
//! MMIO models, and the link partner on the far end of the XGMII wire.

use std::fmt;
use verinic_sim::nic::{Nic, NicConfig, NicError};
use verinic_sim::xgmii::{EncoderConfig, EncoderConfigError, RxFrame, TxFrame, XgmiiDecoder, XgmiiEncoder};

use verinic_sim::SimOptions;

use super::wire_log::WireLog;

/// Picoseconds per 156.25 MHz cycle.
pub const CYCLE_PS: u64 = 6400;

/// Nanoseconds at the start of `cycle`.
pub fn cycle_ns(cycle: u64) -> u64 {
    cycle * CYCLE_PS / 1000
}

/// Frames for the link partner to send, produced on demand.
pub trait RxSource {
    /// The next frame to put on the wire, or `None` when the source is done
    /// (for now or for good).
    fn next_frame(&mut self) -> Option<TxFrame>;

    /// The next frame to put on the wire at device time `now_ns`, for
    /// sources that keep a schedule (a replayed capture's spacing). The world
    /// calls this one; by default it is [`next_frame`](Self::next_frame).
    fn next_frame_at(&mut self, now_ns: u64) -> Option<TxFrame> {
        let _ = now_ns;
        self.next_frame()
    }
}

/// The device side of the co-simulation.
pub struct World {
    /// The NIC and its bus models.
    pub nic: Nic,
    /// The link partner's transmitter (toward the NIC).
    pub enc: XgmiiEncoder,
    /// The link partner's receiver (what the NIC transmits).
    pub dec: XgmiiDecoder,
    /// The frames the link partner put on the wire (bounded; see [`WireLog`]).
    pub wire: WireLog,
    /// Frames the NIC transmitted, as the link partner decoded them (kept
    /// only when `keep_tx_frames`; counted always).
    pub tx_frames: Vec<RxFrame>,
    /// Keep every transmitted frame in `tx_frames`.
    pub keep_tx_frames: bool,
    /// Transmitted frames seen on the wire, good ones.
    pub tx_good: u64,
    /// Transmitted frames seen on the wire, bad ones.
    pub tx_bad: u64,
    source: Option<Box<dyn RxSource + Send>>,
    /// Device time (ns) from which the source is asked for no more frames.
    source_until_ns: u64,
}

/// How many frames the encoder keeps queued ahead of the wire.
const ENCODER_QUEUE: usize = 8;

impl World {
    /// Builds the NIC and a link partner with `link` pacing.
    pub fn new(options: &SimOptions, config: &NicConfig, link: EncoderConfig) -> Result<Self, WorldError> {
        Ok(World {
            nic: Nic::new(options, config).map_err(WorldError::Nic)?,
            enc: XgmiiEncoder::new(link).map_err(WorldError::Link)?,
            dec: XgmiiDecoder::new(),
            wire: WireLog::default(),
            tx_frames: Vec::new(),
            keep_tx_frames: false,
            tx_good: 0,
            tx_bad: 0,
            source: None,
            source_until_ns: u64::MAX,
        })
    }

    /// Feed the link partner from `source` from now on.
    pub fn set_source(&mut self, source: Box<dyn RxSource + Send>) {
        self.source = Some(source);
    }

    /// Stop offering new frames (those already queued still go out).
    pub fn stop_source(&mut self) {
        self.source = None;
    }

    /// Stop offering new frames once device time reaches `until_ns`, however
    /// far the CPU's clock has run ahead: what is offered depends on device
    /// time only, never on the CPU model.
    pub fn stop_source_at(&mut self, until_ns: u64) {
        self.source_until_ns = until_ns;
    }

    /// Queues one frame for the link partner to send.
    pub fn wire_in(&mut self, frame: TxFrame) {
        self.wire.enqueued(&frame.bytes);
        // A fault that does not fit its frame is a test bug: say so.
        self.enc.enqueue(frame).expect("fault must fit its frame");
    }

    /// One device clock cycle.
    #[inline]
    pub fn step(&mut self) {
        if self.enc.queued() < ENCODER_QUEUE && self.source.is_some() {
            let now_ns = cycle_ns(self.nic.cycle());
            if now_ns >= self.source_until_ns {
                self.source = None;
            } else if let Some(f) = self.source.as_mut().and_then(|src| src.next_frame_at(now_ns)) {
                self.wire_in(f);
            }
        }
        let word = self.enc.next_word();
        let out = self.nic.step(word);
        self.dec.push(out);
        while let Some(f) = self.dec.pop() {
            if f.is_good() {
                self.tx_good += 1;
            } else {
                self.tx_bad += 1;
            }
            if self.keep_tx_frames {
                self.tx_frames.push(f);
            }
        }
        if !self.enc.sent().is_empty() {
            for s in self.enc.take_sent() {
                self.wire.started(s.seq, s.len, s.start_cycle, cycle_ns(s.start_cycle));
            }
        }
    }

    /// Device time in nanoseconds.
    #[inline]
    pub fn now_ns(&self) -> u64 {
        cycle_ns(self.nic.cycle())
    }

    /// Whether the link partner has nothing more to send.
    pub fn wire_idle(&self) -> bool {
        self.enc.is_idle() && self.source.is_none()
    }
}

/// Why the device side could not be built.
#[derive(Debug)]
pub enum WorldError {
    /// The NIC model (Verilated RTL and its bus models).
    Nic(NicError),
    /// The link partner's pacing.
    Link(EncoderConfigError),
}

impl fmt::Display for WorldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorldError::Nic(e) => write!(f, "building the NIC model: {e}"),
            WorldError::Link(e) => write!(f, "the link partner's pacing: {e}"),
        }
    }
}

impl std::error::Error for WorldError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WorldError::Nic(e) => Some(e),
            WorldError::Link(e) => Some(e),
        }
    }
}
