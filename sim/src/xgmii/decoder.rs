//! The link partner's receiver: one XGMII word per clock in, frame records
//! out. This is what checks the NIC's transmit side.
//!
//! It is deliberately strict and independent of the encoder: it checks the
//! preamble, lane rules and FCS itself, and anything it does not expect
//! becomes a counted error rather than a panic, so the NIC's output can be
//! judged on its own.

use core::fmt;
use std::collections::VecDeque;

use super::crc;
use super::stats::DecoderStats;
use super::word::{XgmiiWord, ERROR, IDLE, LANES, PREAMBLE, PREAMBLE_LEN, SFD, START, TERMINATE};

/// Why a received frame is malformed. A frame carries the first one found.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum FrameError {
    /// A preamble byte other than 0x55, an SFD other than 0xD5, or a
    /// Terminate before the SFD (preamble too short).
    BadPreamble,
    /// An Error control character between Start and Terminate. The byte is
    /// kept in [`RxFrame::bytes`] as 0xFE so that offsets stay meaningful.
    ErrorChar,
    /// A Start character before the frame's Terminate. The frame ends there
    /// and the Start begins a new frame record.
    StartInFrame,
    /// An Idle or another unexpected control character ended the frame with
    /// no Terminate; `code` is that character.
    MissingTerminate {
        /// The control character that cut the frame.
        code: u8,
    },
    /// The Start character was in a lane other than 0 or 4. The frame is
    /// still received, so each Start gives exactly one record.
    IllegalStartLane,
    /// Terminated with fewer than four bytes after the SFD: there is no FCS.
    TooShort,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::BadPreamble => f.write_str("bad or short preamble"),
            FrameError::ErrorChar => f.write_str("error character inside frame"),
            FrameError::StartInFrame => f.write_str("start character inside frame"),
            FrameError::MissingTerminate { code } => {
                write!(f, "frame cut by control character {code:#04x} without terminate")
            }
            FrameError::IllegalStartLane => f.write_str("start character outside lanes 0 and 4"),
            FrameError::TooShort => f.write_str("frame shorter than its FCS"),
        }
    }
}

impl std::error::Error for FrameError {}

/// One frame as received, from its Start to whatever ended it.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct RxFrame {
    /// Bytes after the SFD, without the last four (the FCS). A frame too
    /// short to hold an FCS keeps all its bytes.
    pub bytes: Vec<u8>,
    /// Whether the last four bytes are the FCS of the rest; false when
    /// there were fewer than four.
    pub fcs_ok: bool,
    /// Index of the [`XgmiiDecoder::push`] call whose word carried the Start.
    pub start_cycle: u64,
    /// Lane of the Start character.
    pub start_lane: u8,
    /// Bytes from the previous frame's Terminate (inclusive) to this Start
    /// (exclusive); `None` for the first frame and after a frame that ended
    /// without a Terminate.
    pub ifg_before: Option<usize>,
    /// The first problem found, if any.
    pub error: Option<FrameError>,
}

impl RxFrame {
    /// Whether the frame is well formed with a correct FCS.
    pub fn is_good(&self) -> bool {
        self.error.is_none() && self.fcs_ok
    }
}

/// Where the receiver is relative to a frame.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum RxState {
    /// Between frames.
    Outside,
    /// Expecting the preamble byte with this index (1..=7, 7 being the SFD).
    Preamble(u8),
    /// Inside the frame proper.
    Body,
}

/// Reassembles frames from XGMII words and checks them.
#[derive(Clone, Debug)]
pub struct XgmiiDecoder {
    /// Words pushed so far, i.e. the index of the next one.
    cycle: u64,
    state: RxState,
    /// Bytes after the SFD of the frame being received, FCS included;
    /// reused from frame to frame.
    buf: Vec<u8>,
    start_cycle: u64,
    start_lane: u8,
    ifg_before: Option<usize>,
    error: Option<FrameError>,
    /// Position of the last Terminate, while it still counts for an IFG.
    last_terminate: Option<u64>,
    ready: VecDeque<RxFrame>,
    stats: DecoderStats,
}

impl Default for XgmiiDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl XgmiiDecoder {
    /// A decoder that has seen nothing yet.
    pub fn new() -> Self {
        Self {
            cycle: 0,
            state: RxState::Outside,
            buf: Vec::new(),
            start_cycle: 0,
            start_lane: 0,
            ifg_before: None,
            error: None,
            last_terminate: None,
            ready: VecDeque::new(),
            stats: DecoderStats::default(),
        }
    }

    /// Consumes the word seen on this clock cycle.
    pub fn push(&mut self, word: XgmiiWord) {
        // The two common cases, a word in the middle of a frame and an idle
        // word between frames, need no per-lane work.
        match self.state {
            RxState::Body if word.ctrl == 0 => {
                self.buf.extend_from_slice(&word.data.to_le_bytes());
            }
            RxState::Outside if word == XgmiiWord::IDLE => {}
            _ => {
                let base = self.cycle * LANES as u64;
                for lane in 0..LANES {
                    self.lane(word.lane(lane), word.is_ctrl(lane), lane, base + lane as u64);
                }
            }
        }
        self.cycle += 1;
    }

    /// The oldest finished frame not yet taken.
    pub fn pop(&mut self) -> Option<RxFrame> {
        self.ready.pop_front()
    }

    /// Takes all finished frames, oldest first.
    pub fn drain(&mut self) -> impl Iterator<Item = RxFrame> + '_ {
        self.ready.drain(..)
    }

    /// Finished frames waiting to be taken. They queue up until taken.
    pub fn ready(&self) -> usize {
        self.ready.len()
    }

    /// Whether a frame has started and not yet ended.
    pub fn in_frame(&self) -> bool {
        self.state != RxState::Outside
    }

    /// Words pushed so far: the cycle index the next word will have.
    pub fn cycle(&self) -> u64 {
        self.cycle
    }

    /// Counters over everything pushed so far.
    pub fn stats(&self) -> &DecoderStats {
        &self.stats
    }

    /// Handles one lane at absolute byte position `pos`.
    fn lane(&mut self, byte: u8, is_ctrl: bool, lane: usize, pos: u64) {
        match self.state {
            RxState::Outside => match (is_ctrl, byte) {
                (false, _) => self.stats.stray_data += 1,
                (true, IDLE) => {}
                (true, START) => self.begin(lane, pos),
                (true, _) => self.stats.stray_ctrl += 1,
            },
            RxState::Preamble(index) => match (is_ctrl, byte) {
                (false, _) | (true, ERROR) => {
                    let expected = if usize::from(index) == PREAMBLE_LEN - 1 { SFD } else { PREAMBLE };
                    if is_ctrl {
                        self.flag(FrameError::ErrorChar);
                    } else if byte != expected {
                        self.flag(FrameError::BadPreamble);
                    }
                    self.state = if usize::from(index) == PREAMBLE_LEN - 1 {
                        RxState::Body
                    } else {
                        RxState::Preamble(index + 1)
                    };
                }
                (true, TERMINATE) => {
                    self.flag(FrameError::BadPreamble);
                    self.end(Some(pos));
                }
                (true, code) => self.control_in_frame(code, lane, pos),
            },
            RxState::Body => match (is_ctrl, byte) {
                (false, _) => self.buf.push(byte),
                (true, TERMINATE) => self.end(Some(pos)),
                (true, ERROR) => {
                    self.flag(FrameError::ErrorChar);
                    self.buf.push(byte);
                }
                (true, code) => self.control_in_frame(code, lane, pos),
            },
        }
    }

    /// A Start, Idle or unknown control character before the Terminate.
    fn control_in_frame(&mut self, code: u8, lane: usize, pos: u64) {
        if code == START {
            self.flag(FrameError::StartInFrame);
            self.end(None);
            self.begin(lane, pos);
        } else {
            self.flag(FrameError::MissingTerminate { code });
            self.end(None);
        }
    }

    /// Records `error` unless the frame already has one.
    fn flag(&mut self, error: FrameError) {
        self.error.get_or_insert(error);
    }

    /// A Start character at `lane`, absolute position `pos`.
    fn begin(&mut self, lane: usize, pos: u64) {
        self.state = RxState::Preamble(1);
        self.buf.clear();
        self.start_cycle = self.cycle;
        self.start_lane = lane as u8;
        self.error = (!lane.is_multiple_of(4)).then_some(FrameError::IllegalStartLane);
        self.ifg_before = self.last_terminate.map(|t| usize::try_from(pos - t).unwrap_or(usize::MAX));
        if let Some(ifg) = self.ifg_before {
            self.stats.record_ifg(ifg);
        }
    }

    /// Closes the frame; `terminate` is the Terminate's position, if it had one.
    fn end(&mut self, terminate: Option<u64>) {
        self.last_terminate = terminate;
        let (bytes, fcs_ok) = match crc::split_and_check(&self.buf) {
            Some((body, fcs_ok)) => (body.to_vec(), fcs_ok),
            None => {
                if terminate.is_some() {
                    self.flag(FrameError::TooShort);
                }
                (self.buf.clone(), false)
            }
        };
        let error = self.error.take();
        self.stats.record_frame(error, fcs_ok);
        self.ready.push_back(RxFrame {
            bytes,
            fcs_ok,
            start_cycle: self.start_cycle,
            start_lane: self.start_lane,
            ifg_before: self.ifg_before,
            error,
        });
        self.state = RxState::Outside;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xgmii::crc::fcs_bytes;

    const S_PRE: [u8; 8] = [START, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, SFD];

    fn decode(words: &[XgmiiWord]) -> (Vec<RxFrame>, DecoderStats) {
        let mut dec = XgmiiDecoder::new();
        for &w in words {
            dec.push(w);
        }
        let stats = *dec.stats();
        (dec.drain().collect(), stats)
    }

    fn w(lanes: [u8; 8], ctrl: u8) -> XgmiiWord {
        XgmiiWord::from_lanes(lanes, ctrl)
    }

    /// A good frame of `body` (at most two bytes so it fits one word).
    fn tiny(body: &[u8]) -> [XgmiiWord; 2] {
        let f = fcs_bytes(body);
        let mut l = [IDLE; 8];
        l[..body.len()].copy_from_slice(body);
        l[body.len()..body.len() + 4].copy_from_slice(&f);
        l[body.len() + 4] = TERMINATE;
        let ctrl = (0xFFu16 << (body.len() + 4)) as u8;
        [w(S_PRE, 0x01), w(l, ctrl)]
    }

    #[test]
    fn good_frame() {
        let (frames, stats) = decode(&tiny(&[0xAB, 0xCD]));
        assert_eq!(frames.len(), 1);
        assert!(frames[0].is_good());
        assert_eq!(frames[0].bytes, [0xAB, 0xCD]);
        assert_eq!((frames[0].start_cycle, frames[0].start_lane, frames[0].ifg_before), (0, 0, None));
        assert_eq!((stats.frames, stats.good), (1, 1));
    }

    #[test]
    fn gap_is_measured_from_terminate() {
        // Terminate at byte 14 (word 1 lane 6); next Start at word 3 lane 0 = byte 24.
        let mut words = tiny(&[1, 2]).to_vec();
        words.push(XgmiiWord::IDLE);
        words.extend(tiny(&[3, 4]));
        let (frames, stats) = decode(&words);
        assert_eq!(frames[1].ifg_before, Some(10));
        assert_eq!((stats.ifg_min, stats.ifg_max, stats.ifg_count), (Some(10), Some(10), 1));
    }

    #[test]
    fn too_short() {
        let (frames, stats) = decode(&[w(S_PRE, 0x01), w([1, 2, 3, TERMINATE, IDLE, IDLE, IDLE, IDLE], 0xF8)]);
        assert_eq!(frames[0].error, Some(FrameError::TooShort));
        assert_eq!(frames[0].bytes, [1, 2, 3]);
        assert!(!frames[0].fcs_ok);
        assert_eq!(stats.too_short, 1);
    }

    #[test]
    fn illegal_start_lane_still_yields_one_record() {
        let (frames, stats) = decode(&[
            w([IDLE, IDLE, START, 0x55, 0x55, 0x55, 0x55, 0x55], 0x07),
            w([0x55, SFD, 0, 0, 0, 0, TERMINATE, IDLE], 0xC0),
        ]);
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].error, Some(FrameError::IllegalStartLane));
        assert_eq!(frames[0].start_lane, 2);
        assert!(frames[0].fcs_ok);
        assert_eq!(stats.illegal_start_lane, 1);
    }

    #[test]
    fn terminate_in_preamble_is_bad_preamble() {
        let (frames, _) = decode(&[w([START, 0x55, 0x55, TERMINATE, IDLE, IDLE, IDLE, IDLE], 0xF9)]);
        assert_eq!(frames[0].error, Some(FrameError::BadPreamble));
    }

    #[test]
    fn start_in_preamble_and_body() {
        let (frames, stats) = decode(&[
            w([START, 0x55, 0x55, 0x55, START, 0x55, 0x55, 0x55], 0x11),
            w([0x55, 0x55, 0x55, SFD, 9, 9, 9, 9], 0x00),
            w([9, 9, 9, 9, START, 0x55, 0x55, 0x55], 0x10),
            w([0x55, 0x55, 0x55, SFD, 0, 0, 0, 0], 0x00),
            w([TERMINATE, IDLE, IDLE, IDLE, IDLE, IDLE, IDLE, IDLE], 0xFF),
        ]);
        assert_eq!(frames.len(), 3);
        assert_eq!(frames[0].error, Some(FrameError::StartInFrame));
        assert_eq!(frames[1].error, Some(FrameError::StartInFrame));
        assert_eq!(frames[1].bytes, [9, 9, 9, 9]);
        assert_eq!(frames[2].error, None);
        assert!(frames[2].fcs_ok);
        assert_eq!(frames[2].ifg_before, None);
        assert_eq!(stats.start_in_frame, 2);
    }

    #[test]
    fn unknown_control_cuts_frame() {
        let (frames, stats) = decode(&[w(S_PRE, 0x01), w([1, 2, 0x9C, IDLE, IDLE, IDLE, IDLE, IDLE], 0xFC)]);
        assert_eq!(frames[0].error, Some(FrameError::MissingTerminate { code: 0x9C }));
        assert_eq!(stats.missing_terminate, 1);
        assert_eq!(stats.stray_ctrl, 0);
    }

    #[test]
    fn error_char_is_kept_as_byte() {
        let (frames, _) = decode(&[w(S_PRE, 0x01), w([1, ERROR, 3, 4, 5, TERMINATE, IDLE, IDLE], 0xE2)]);
        assert_eq!(frames[0].error, Some(FrameError::ErrorChar));
        assert_eq!(frames[0].bytes, [1]);
        let (frames, _) = decode(&[
            w([START, 0x55, ERROR, 0x55, 0x55, 0x55, 0x55, SFD], 0x05),
            w([0, 0, 0, 0, TERMINATE, IDLE, IDLE, IDLE], 0xF0),
        ]);
        assert_eq!(frames[0].error, Some(FrameError::ErrorChar));
        assert!(frames[0].fcs_ok);
    }

    #[test]
    fn garbage_between_frames_is_counted() {
        let (frames, stats) = decode(&[w([1, 2, IDLE, TERMINATE, ERROR, 0x9C, IDLE, 3], 0x7C), XgmiiWord::new(0, 0)]);
        assert!(frames.is_empty());
        assert_eq!((stats.stray_data, stats.stray_ctrl, stats.frames), (11, 3, 0));
    }

    #[test]
    fn first_error_wins() {
        let (frames, _) = decode(&[
            w([START, 0x55, 0x56, 0x55, 0x55, 0x55, 0x55, SFD], 0x01),
            w([ERROR, 0, 0, 0, 0, IDLE, IDLE, IDLE], 0xE1),
        ]);
        assert_eq!(frames[0].error, Some(FrameError::BadPreamble));
    }
}
