//! The link partner's transmitter: queued frames in, one XGMII word per clock
//! out. This is what drives the NIC's receive side.

use std::collections::VecDeque;

use super::config::{EncoderConfig, EncoderConfigError};
use super::crc;
use super::fault::{Fault, FaultError, BAD_PREAMBLE_BYTE, BAD_PREAMBLE_INDEX};
use super::gap::GapPlanner;
use super::word::{WordBuilder, XgmiiWord, ERROR, FCS_LEN, IDLE, LANES, PREAMBLE, PREAMBLE_LEN, SFD, START, TERMINATE};

/// A frame handed to the encoder.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct TxFrame {
    /// Destination MAC through payload, without FCS and without padding:
    /// the encoder appends the FCS and sends short frames short.
    pub bytes: Vec<u8>,
    /// Defect to inject into this frame.
    pub fault: Fault,
}

impl TxFrame {
    /// A well-formed frame.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self { bytes, fault: Fault::None }
    }

    /// A frame with `fault` injected.
    pub fn with_fault(bytes: Vec<u8>, fault: Fault) -> Self {
        Self { bytes, fault }
    }
}

impl From<Vec<u8>> for TxFrame {
    fn from(bytes: Vec<u8>) -> Self {
        Self::new(bytes)
    }
}

/// How a sent frame ended on the wire.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum FrameEnd {
    /// A Terminate character, as a well-formed frame does.
    Terminate,
    /// Idle with no Terminate ([`Fault::TruncateToIdle`], or
    /// [`Fault::TruncateToStart`] with nothing queued behind it).
    Idle,
    /// The next frame's Start with no Terminate ([`Fault::TruncateToStart`]).
    Start,
}

/// The record of one frame the encoder put on the wire.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct SentFrame {
    /// Position in enqueue order, from 0.
    pub seq: u64,
    /// Index of the [`XgmiiEncoder::next_word`] call whose word carried the
    /// Start character, i.e. the first byte of the frame on the wire.
    pub start_cycle: u64,
    /// Lane of the Start character (0 or 4).
    pub start_lane: u8,
    /// Frame length without FCS, as enqueued.
    pub len: usize,
    /// The fault that was injected.
    pub fault: Fault,
    /// Bytes from the previous frame's Terminate (inclusive) to this Start
    /// (exclusive); `None` for the first frame and after a frame that ended
    /// without a Terminate, matching what the decoder reports.
    pub ifg_before: Option<usize>,
    /// How the frame ended.
    pub end: FrameEnd,
}

/// What happens when the frame in flight reaches its cut point.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ending {
    Terminate,
    Idle,
    /// `TruncateToStart` not yet at its cut: decided there, by the queue.
    ToStart,
    /// `TruncateToStart` with a successor: filler runs to the next Start lane.
    IntoNextStart,
}

/// Bookkeeping for the frame on the wire.
#[derive(Clone, Copy, Debug)]
struct InFlight {
    seq: u64,
    start_cycle: u64,
    start_lane: u8,
    len: usize,
    fault: Fault,
    ifg_before: Option<usize>,
    ending: Ending,
}

/// Turns queued frames into a stream of XGMII words, one per clock.
///
/// Deterministic: the same configuration, frames and enqueue timing always
/// produce the same words. Call [`next_word`](Self::next_word) exactly once
/// per simulated clock; it does not allocate.
#[derive(Clone, Debug)]
pub struct XgmiiEncoder {
    cfg: EncoderConfig,
    planner: GapPlanner,
    queue: VecDeque<TxFrame>,
    /// Words produced so far, i.e. the index of the next one.
    cycle: u64,
    next_seq: u64,
    current: Option<InFlight>,
    /// Start, preamble, SFD, frame, FCS (and filler for `TruncateToStart`),
    /// exactly as sent; reused from frame to frame.
    wire: Vec<u8>,
    /// Next index of `wire` to send.
    pos: usize,
    /// Index of `wire` where sending stops and the ending takes over.
    cut: usize,
    /// Index of `wire` sent as an Error control character, if any.
    error_at: Option<usize>,
    /// Start position chosen for the next frame, once one is queued.
    planned_start: Option<u64>,
    /// Position of the last Terminate, while it still counts for an IFG.
    last_terminate: Option<u64>,
    sent: Vec<SentFrame>,
}

impl Default for XgmiiEncoder {
    /// An encoder with [`EncoderConfig::default`].
    fn default() -> Self {
        Self::build(EncoderConfig::default())
    }
}

impl XgmiiEncoder {
    /// An encoder with the given configuration, if it is valid.
    pub fn new(cfg: EncoderConfig) -> Result<Self, EncoderConfigError> {
        cfg.validate()?;
        Ok(Self::build(cfg))
    }

    fn build(cfg: EncoderConfig) -> Self {
        Self {
            planner: GapPlanner::new(&cfg),
            cfg,
            queue: VecDeque::new(),
            cycle: 0,
            next_seq: 0,
            current: None,
            wire: Vec::new(),
            pos: 0,
            cut: 0,
            error_at: None,
            planned_start: None,
            last_terminate: None,
            sent: Vec::new(),
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &EncoderConfig {
        &self.cfg
    }

    /// Queues a frame behind any already queued.
    ///
    /// Fails, leaving the queue unchanged, if the fault does not fit the frame.
    pub fn enqueue(&mut self, frame: TxFrame) -> Result<(), FaultError> {
        frame.fault.validate(frame.bytes.len())?;
        self.queue.push_back(frame);
        Ok(())
    }

    /// Whether nothing is queued and no frame is on the wire. The gap after
    /// the last frame may still be running; the words are then all Idle.
    pub fn is_idle(&self) -> bool {
        self.current.is_none() && self.queue.is_empty()
    }

    /// Frames queued and not yet started.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Words produced so far: the cycle index the next word will have.
    pub fn cycle(&self) -> u64 {
        self.cycle
    }

    /// Frames fully sent and not yet taken by [`take_sent`](Self::take_sent),
    /// in wire order.
    pub fn sent(&self) -> &[SentFrame] {
        &self.sent
    }

    /// Removes and returns the records of fully sent frames, in wire order.
    /// The log grows by one record per frame until drained.
    pub fn take_sent(&mut self) -> Vec<SentFrame> {
        std::mem::take(&mut self.sent)
    }

    /// The word to drive on this clock cycle.
    pub fn next_word(&mut self) -> XgmiiWord {
        let base = self.cycle * LANES as u64;
        let mut word = WordBuilder::default();
        while word.room() > 0 {
            let now = base + word.lane() as u64;
            if self.current.is_some() {
                self.emit_frame(&mut word, now);
            } else {
                self.emit_gap(&mut word, now);
            }
        }
        self.cycle += 1;
        word.finish()
    }

    /// Fills lanes from the gap, starting a frame when its time has come.
    fn emit_gap(&mut self, word: &mut WordBuilder, now: u64) {
        let start = match self.planned_start {
            Some(start) => start,
            None if self.queue.is_empty() => {
                word.put_idles(word.room());
                return;
            }
            None => {
                let start = self.planner.place_start(now);
                self.planned_start = Some(start);
                start
            }
        };
        if now < start {
            let n = (start - now).min(word.room() as u64) as usize;
            word.put_idles(n);
            return;
        }
        self.planned_start = None;
        if !self.start_frame(now) {
            // Unreachable (a start is only planned with a frame queued), but
            // an idle lane beats looping forever.
            word.put_idles(1);
        }
    }

    /// Fills lanes from the frame in flight, then its ending.
    fn emit_frame(&mut self, word: &mut WordBuilder, now: u64) {
        if self.pos < self.cut {
            let n = (self.cut - self.pos).min(word.room());
            let ctrl = self.ctrl_bits(n);
            word.put_bytes(&self.wire[self.pos..self.pos + n], ctrl);
            self.pos += n;
            return;
        }
        let Some(ending) = self.current.as_ref().map(|f| f.ending) else {
            return;
        };
        match ending {
            Ending::Terminate => {
                word.put_ctrl(TERMINATE);
                self.finish_frame(FrameEnd::Terminate, now);
            }
            Ending::Idle => {
                word.put_ctrl(IDLE);
                self.finish_frame(FrameEnd::Idle, now);
            }
            Ending::ToStart if self.queue.is_empty() => self.set_ending(Ending::Idle),
            Ending::ToStart => {
                // Keep sending (the frame's own bytes, then the zero filler
                // `load_wire` appended) so no Idle precedes the next Start.
                let align = self.cfg.start_lanes.alignment();
                self.cut += ((align - now % align) % align) as usize;
                self.set_ending(Ending::IntoNextStart);
            }
            Ending::IntoNextStart => {
                self.finish_frame(FrameEnd::Start, now);
                if !self.start_frame(now) {
                    word.put_idles(1);
                }
            }
        }
    }

    fn set_ending(&mut self, ending: Ending) {
        if let Some(frame) = self.current.as_mut() {
            frame.ending = ending;
        }
    }

    /// Control flags for the next `n` bytes of `wire` from `pos`.
    fn ctrl_bits(&self, n: usize) -> u8 {
        let mut ctrl = 0u8;
        if self.pos == 0 {
            ctrl |= 1; // the Start character
        }
        if let Some(at) = self.error_at {
            if (self.pos..self.pos + n).contains(&at) {
                ctrl |= 1 << (at - self.pos);
            }
        }
        ctrl
    }

    /// Takes the next queued frame onto the wire with its Start at `now`.
    /// Returns false if nothing was queued.
    fn start_frame(&mut self, now: u64) -> bool {
        let Some(frame) = self.queue.pop_front() else {
            return false;
        };
        debug_assert!(self.cfg.start_lanes.allows((now % LANES as u64) as usize));
        self.load_wire(&frame);
        let ending = match frame.fault {
            Fault::TruncateToIdle { .. } => Ending::Idle,
            Fault::TruncateToStart { .. } => Ending::ToStart,
            _ => Ending::Terminate,
        };
        self.current = Some(InFlight {
            seq: self.next_seq,
            start_cycle: self.cycle,
            start_lane: (now % LANES as u64) as u8,
            len: frame.bytes.len(),
            fault: frame.fault,
            ifg_before: self.last_terminate.map(|t| usize::try_from(now - t).unwrap_or(usize::MAX)),
            ending,
        });
        self.next_seq += 1;
        true
    }

    /// Lays out the frame's wire bytes and where its faults apply.
    fn load_wire(&mut self, frame: &TxFrame) {
        let wire = &mut self.wire;
        wire.clear();
        wire.push(START);
        wire.extend_from_slice(&[PREAMBLE; PREAMBLE_LEN - 2]);
        wire.push(SFD);
        wire.extend_from_slice(&frame.bytes);
        let mut fcs = crc::fcs_bytes(&frame.bytes);
        if frame.fault == Fault::BadFcs {
            fcs = fcs.map(|b| !b);
        }
        wire.extend_from_slice(&fcs);

        self.pos = 0;
        self.cut = wire.len();
        self.error_at = None;
        match frame.fault {
            Fault::None | Fault::BadFcs => {}
            Fault::BadPreamble => wire[BAD_PREAMBLE_INDEX] = BAD_PREAMBLE_BYTE,
            Fault::ErrorChar { offset } => {
                let at = PREAMBLE_LEN + offset;
                wire[at] = ERROR;
                self.error_at = Some(at);
            }
            Fault::TruncateToIdle { len } => self.cut = PREAMBLE_LEN + len,
            Fault::TruncateToStart { len } => {
                self.cut = PREAMBLE_LEN + len;
                // Worst-case filler up to the next Start lane.
                wire.extend_from_slice(&[0; LANES - 1]);
            }
        }
    }

    /// Logs the frame in flight as sent, ended by `end` at position `at`.
    fn finish_frame(&mut self, end: FrameEnd, at: u64) {
        let Some(frame) = self.current.take() else {
            return;
        };
        self.sent.push(SentFrame {
            seq: frame.seq,
            start_cycle: frame.start_cycle,
            start_lane: frame.start_lane,
            len: frame.len,
            fault: frame.fault,
            ifg_before: frame.ifg_before,
            end,
        });
        let len_with_fcs = frame.len.saturating_add(FCS_LEN);
        match end {
            FrameEnd::Terminate => {
                self.last_terminate = Some(at);
                self.planner.frame_ended(at, len_with_fcs);
            }
            FrameEnd::Idle => {
                // The gap is timed from the first Idle, but no receiver can
                // measure an IFG without a Terminate.
                self.last_terminate = None;
                self.planner.frame_ended(at, len_with_fcs);
            }
            FrameEnd::Start => {
                self.last_terminate = None;
                self.planner.frame_cut();
            }
        }
    }

    /// The current deficit idle count, for tests.
    #[cfg(test)]
    pub(super) fn dic(&self) -> u8 {
        self.planner.dic()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xgmii::config::StartLanes;

    fn words(enc: &mut XgmiiEncoder, n: usize) -> Vec<XgmiiWord> {
        (0..n).map(|_| enc.next_word()).collect()
    }

    #[test]
    fn idle_encoder_sends_idle() {
        let mut enc = XgmiiEncoder::default();
        assert!(enc.is_idle());
        assert!(words(&mut enc, 3).iter().all(|w| *w == XgmiiWord::IDLE));
        assert_eq!(enc.cycle(), 3);
    }

    #[test]
    fn rejects_bad_config_and_fault() {
        let cfg = EncoderConfig { ipg: 5, ..Default::default() };
        assert_eq!(XgmiiEncoder::new(cfg).err(), Some(EncoderConfigError::IpgTooSmall { ipg: 5 }));
        let mut enc = XgmiiEncoder::default();
        let bad = TxFrame::with_fault(vec![0; 10], Fault::ErrorChar { offset: 14 });
        assert!(enc.enqueue(bad).is_err());
        assert!(enc.is_idle());
    }

    #[test]
    fn short_frame_layout() {
        // Two bytes + FCS: S, preamble, SFD | AA BB fcs0..3 T I | I...
        let mut enc = XgmiiEncoder::default();
        enc.enqueue(TxFrame::new(vec![0xAA, 0xBB])).unwrap();
        let w = words(&mut enc, 3);
        assert_eq!(w[0].to_string(), "S 55 55 55 55 55 55 D5");
        let f = crc::fcs_bytes(&[0xAA, 0xBB]);
        assert_eq!(w[1], XgmiiWord::from_lanes([0xAA, 0xBB, f[0], f[1], f[2], f[3], TERMINATE, IDLE], 0xC0));
        assert_eq!(w[2], XgmiiWord::IDLE);
        assert!(enc.is_idle());
        let sent = enc.take_sent();
        assert_eq!(sent.len(), 1);
        assert_eq!((sent[0].start_cycle, sent[0].start_lane, sent[0].end), (0, 0, FrameEnd::Terminate));
        assert!(enc.sent().is_empty());
    }

    #[test]
    fn second_frame_uses_lane_four() {
        // 60 + 4 bytes: T at byte 72 (word 9 lane 0), nominal Start at 84 = lane 4.
        let mut enc = XgmiiEncoder::default();
        enc.enqueue(TxFrame::new(vec![1; 60])).unwrap();
        enc.enqueue(TxFrame::new(vec![2; 60])).unwrap();
        let w = words(&mut enc, 20);
        assert!(w[10].is_ctrl_char(4, START));
        assert_eq!(w[10].to_string(), "I I I I S 55 55 55");
        let sent = enc.take_sent();
        assert_eq!(sent[1].start_cycle, 10);
        assert_eq!(sent[1].start_lane, 4);
        assert_eq!(sent[1].ifg_before, Some(12));
    }

    #[test]
    fn lane0_only_never_starts_in_lane_four() {
        let cfg = EncoderConfig { start_lanes: StartLanes::Lane0Only, dic: false, ..Default::default() };
        let mut enc = XgmiiEncoder::new(cfg).unwrap();
        for len in 0..40 {
            enc.enqueue(TxFrame::new(vec![0x5A; len])).unwrap();
        }
        while !enc.is_idle() {
            enc.next_word();
        }
        for s in enc.take_sent() {
            assert_eq!(s.start_lane, 0);
            if let Some(ifg) = s.ifg_before {
                assert!((12..=19).contains(&ifg), "{ifg}");
            }
        }
    }

    #[test]
    fn error_char_is_a_control_lane() {
        let mut enc = XgmiiEncoder::default();
        let fault = Fault::ErrorChar { offset: 2 };
        enc.enqueue(TxFrame::with_fault(vec![0x11; 8], fault)).unwrap();
        let w = words(&mut enc, 2);
        assert!(w[1].is_ctrl_char(2, ERROR));
        assert_eq!(w[1].ctrl, 0b0000_0100);
    }

    #[test]
    fn truncate_to_start_fills_with_own_bytes() {
        // Cut after 3 bytes: wire position 11, next Start lane is 12, so the
        // fourth frame byte goes out as filler and the Start follows.
        let mut enc = XgmiiEncoder::default();
        let first = vec![0xA0, 0xA1, 0xA2, 0xA3, 0xA4];
        enc.enqueue(TxFrame::with_fault(first, Fault::TruncateToStart { len: 3 })).unwrap();
        enc.enqueue(TxFrame::new(vec![0xB0; 4])).unwrap();
        let w = words(&mut enc, 5);
        assert_eq!(w[1].to_string(), "A0 A1 A2 A3 S 55 55 55");
        let sent = enc.take_sent();
        assert_eq!(sent[0].end, FrameEnd::Start);
        assert_eq!(sent[1].ifg_before, None);
        assert_eq!((sent[1].start_cycle, sent[1].start_lane), (1, 4));
    }

    #[test]
    fn truncate_to_start_alone_ends_in_idle() {
        let mut enc = XgmiiEncoder::default();
        enc.enqueue(TxFrame::with_fault(vec![0xA0; 5], Fault::TruncateToStart { len: 1 })).unwrap();
        let w = words(&mut enc, 2);
        assert_eq!(w[1].to_string(), "A0 I I I I I I I");
        assert_eq!(enc.take_sent()[0].end, FrameEnd::Idle);
    }

    #[test]
    fn bad_preamble_and_bad_fcs_bytes() {
        let mut enc = XgmiiEncoder::default();
        enc.enqueue(TxFrame::with_fault(vec![], Fault::BadPreamble)).unwrap();
        let w = words(&mut enc, 2);
        assert_eq!(w[0].lane(BAD_PREAMBLE_INDEX), BAD_PREAMBLE_BYTE);
        // Empty frame: FCS is 0, inverted to all ones.
        let mut enc = XgmiiEncoder::default();
        enc.enqueue(TxFrame::with_fault(vec![], Fault::BadFcs)).unwrap();
        let w = words(&mut enc, 2);
        assert_eq!(w[1].to_string(), "FF FF FF FF T I I I");
    }

    #[test]
    fn deterministic() {
        let run = || {
            let cfg = EncoderConfig { load: 0.37, ..Default::default() };
            let mut enc = XgmiiEncoder::new(cfg).unwrap();
            for len in 0..50 {
                enc.enqueue(TxFrame::new((0..len as u8).collect())).unwrap();
            }
            words(&mut enc, 2000)
        };
        assert_eq!(run(), run());
    }

    #[test]
    fn dic_stays_in_range() {
        let mut enc = XgmiiEncoder::default();
        for len in 60..200 {
            enc.enqueue(TxFrame::new(vec![0; len])).unwrap();
        }
        while !enc.is_idle() {
            enc.next_word();
            assert!(enc.dic() <= 3);
        }
    }
}
