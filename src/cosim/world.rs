//! Everything that runs on the device clock: the NIC with its host memory and
//! MMIO models, and the link partner on the far end of the XGMII wire.

use verinic_sim::nic::{Nic, NicConfig, NicError};
use verinic_sim::xgmii::{EncoderConfig, RxFrame, TxFrame, XgmiiDecoder, XgmiiEncoder};
use verinic_sim::SimOptions;

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
    /// Start cycle of every frame the link partner sent, by sequence number.
    pub wire_start: Vec<u64>,
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
}

/// How many frames the encoder keeps queued ahead of the wire.
const ENCODER_QUEUE: usize = 8;

impl World {
    /// Builds the NIC and a link partner with `link` pacing.
    pub fn new(options: &SimOptions, config: &NicConfig, link: EncoderConfig) -> Result<Self, NicError> {
        Ok(World {
            nic: Nic::new(options, config)?,
            enc: XgmiiEncoder::new(link).map_err(|e| {
                NicError::Config(verinic_sim::bus::BusConfigError { field: "link", expected: leak(e.to_string()) })
            })?,
            dec: XgmiiDecoder::new(),
            wire_start: Vec::new(),
            tx_frames: Vec::new(),
            keep_tx_frames: false,
            tx_good: 0,
            tx_bad: 0,
            source: None,
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

    /// Queues one frame for the link partner to send.
    pub fn wire_in(&mut self, frame: TxFrame) {
        // A fault that does not fit its frame is a test bug: say so.
        self.enc.enqueue(frame).expect("fault must fit its frame");
    }

    /// One device clock cycle.
    #[inline]
    pub fn step(&mut self) {
        if self.enc.queued() < ENCODER_QUEUE {
            if let Some(src) = self.source.as_mut() {
                if let Some(f) = src.next_frame_at(cycle_ns(self.nic.cycle())) {
                    self.enc.enqueue(f).expect("fault must fit its frame");
                }
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
                let seq = s.seq as usize;
                if self.wire_start.len() <= seq {
                    self.wire_start.resize(seq + 1, u64::MAX);
                }
                self.wire_start[seq] = s.start_cycle;
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

/// `ConfigError` wants a static explanation; link errors are rare and fatal.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}
