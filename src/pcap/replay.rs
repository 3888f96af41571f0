//! Replaying captured frames toward the NIC: an [`RxSource`] for the link
//! partner.
//!
//! Each captured frame goes on the wire once, in file order, as captured,
//! except that a frame under 60 bytes is padded with zeros to 60 as the
//! sending MAC did (a capture taken on the sending host holds it unpadded:
//! a TCP ACK is 54 bytes); with [`PcapReplay::with_runts`] it goes out short,
//! a runt that the MAC counts and drops. Frame `n` of the capture is wire sequence
//! number `n` in `World::wire`. [`PcapReplay::open`] streams the file.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use verinic_sim::xgmii::TxFrame;

use super::read::{CaptureReader, Format};
use super::{CapturedFrame, PcapError};
use crate::cosim::RxSource;

/// When captured frames are offered to the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Timing {
    /// At their recorded spacing: frame `n` is not offered before
    /// `ts[n] - ts[0]` of device time has passed since the first one was.
    /// The link partner then sends it as soon as the wire allows (full load),
    /// so gaps shorter than a frame's wire time at 10G close up; frames
    /// whose timestamps go backwards are offered at once.
    #[default]
    Recorded,
    /// Back to back, paced by the link partner's configured load (`rx.load`),
    /// timestamps ignored.
    Rate,
}

impl Timing {
    /// The name used in scenario files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Timing::Recorded => "recorded",
            Timing::Rate => "rate",
        }
    }
}

impl fmt::Display for Timing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Timing {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "recorded" => Ok(Timing::Recorded),
            "rate" => Ok(Timing::Rate),
            other => Err(format!(
                "unknown pcap timing `{other}`: expected `recorded` (the capture's own spacing) \
                 or `rate` (back to back at rx.load)"
            )),
        }
    }
}

/// What a replayed capture holds, from a first pass over the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayInfo {
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: Format,
    /// Complete frames in it.
    pub frames: u64,
    /// Frames left out because the capture holds only part of them.
    pub skipped_truncated: u64,
    /// Complete frames shorter than 60 bytes (without FCS): padded with
    /// zeros to 60 as a sending MAC does, unless replayed as runts.
    pub short_frames: u64,
}

/// Shortest frame a sending MAC puts on the wire, without FCS: shorter
/// frames are padded with zeros (IEEE 802.3 clause 4.2.3.3, "pad").
pub const MIN_WIRE_FRAME: usize = 60;

/// The frames of a capture, offered one by one.
pub struct PcapReplay {
    frames: Box<dyn Iterator<Item = CapturedFrame> + Send>,
    timing: Timing,
    /// The next frame, taken from `frames` but not yet offered.
    pending: Option<CapturedFrame>,
    offered: usize,
    /// Timestamp of the first frame.
    first_ts: Option<u64>,
    /// Device time at which the first frame was offered.
    start_ns: Option<u64>,
    /// Send short frames as captured (runts) instead of padding them.
    runts: bool,
}

impl fmt::Debug for PcapReplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PcapReplay").field("timing", &self.timing).field("offered", &self.offered).finish()
    }
}

impl PcapReplay {
    /// A replay of `frames` (in memory) with `timing`.
    pub fn new(frames: Vec<CapturedFrame>, timing: Timing) -> Self {
        Self::from_iter(Box::new(frames.into_iter()), timing)
    }

    /// A replay of the capture file at `path`, streamed from the file as
    /// the run goes (memory does not grow with the capture's size). The
    /// whole file is checked first, so that a damaged capture is refused
    /// before anything runs; a capture without a complete frame is an error.
    pub fn open(path: &Path, timing: Timing) -> Result<(Self, ReplayInfo), PcapError> {
        let mut scan = CaptureReader::open(path)?;
        let (mut frames, mut short_frames) = (0u64, 0u64);
        while let Some(f) = scan.next_frame()? {
            frames += 1;
            short_frames += u64::from(f.data.len() < MIN_WIRE_FRAME);
        }
        let skipped_truncated = scan.skipped_truncated();
        if frames == 0 {
            return Err(PcapError::Empty { path: path.into(), skipped_truncated });
        }
        let info = ReplayInfo {
            path: path.into(),
            format: scan.format(),
            frames,
            skipped_truncated: skipped_truncated as u64,
            short_frames,
        };
        let mut reader = CaptureReader::open(path)?;
        // Checked above: a read error now means the file changed under the
        // run, and the replay simply ends there (the report's `not_offered`
        // shows it).
        let stream = std::iter::from_fn(move || reader.next_frame().ok().flatten());
        Ok((Self::from_iter(Box::new(stream), timing), info))
    }

    fn from_iter(frames: Box<dyn Iterator<Item = CapturedFrame> + Send>, timing: Timing) -> Self {
        PcapReplay { frames, timing, pending: None, offered: 0, first_ts: None, start_ns: None, runts: false }
    }

    /// With `runts`, frames shorter than 60 bytes go on the wire as
    /// captured (the MAC counts and drops them: fault testing); without, they
    /// are padded with zeros to 60 bytes first, as the sending MAC did.
    pub fn with_runts(mut self, runts: bool) -> Self {
        self.runts = runts;
        self
    }

    /// Frames handed out so far.
    pub fn offered(&self) -> usize {
        self.offered
    }

    fn peek(&mut self) -> Option<&CapturedFrame> {
        if self.pending.is_none() {
            self.pending = self.frames.next();
        }
        self.pending.as_ref()
    }
}

impl RxSource for PcapReplay {
    /// The next frame regardless of time (without a clock there is no
    /// recorded spacing to keep).
    fn next_frame(&mut self) -> Option<TxFrame> {
        self.peek()?;
        let mut f = self.pending.take()?;
        self.first_ts.get_or_insert(f.ts_ns);
        self.offered += 1;
        if !self.runts && f.data.len() < MIN_WIRE_FRAME {
            f.data.resize(MIN_WIRE_FRAME, 0);
        }
        Some(TxFrame::new(f.data))
    }

    fn next_frame_at(&mut self, now_ns: u64) -> Option<TxFrame> {
        if self.timing == Timing::Recorded {
            let ts = self.peek()?.ts_ns;
            let first = *self.first_ts.get_or_insert(ts);
            let start = *self.start_ns.get_or_insert(now_ns);
            // Timestamps that go backwards are due at once.
            if now_ns < start.saturating_add(ts.saturating_sub(first)) {
                return None;
            }
        }
        self.next_frame()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(ts: &[u64]) -> Vec<CapturedFrame> {
        ts.iter().enumerate().map(|(i, &ts_ns)| CapturedFrame { data: vec![i as u8; 3], ts_ns }).collect()
    }

    #[test]
    fn recorded_keeps_offsets_from_the_first_offer() {
        let mut r = PcapReplay::new(frames(&[5_000, 6_000, 5_500, 9_000]), Timing::Recorded).with_runts(true);
        assert_eq!(r.next_frame_at(100).unwrap().bytes, vec![0; 3]);
        assert!(r.next_frame_at(1_099).is_none());
        assert_eq!(r.next_frame_at(1_100).unwrap().bytes, vec![1; 3]);
        // Backwards in time: due at once.
        assert_eq!(r.next_frame_at(1_100).unwrap().bytes, vec![2; 3]);
        assert!(r.next_frame_at(4_099).is_none());
        assert!(r.next_frame_at(4_100).is_some());
        assert!(r.next_frame_at(u64::MAX).is_none());
        assert_eq!(r.offered(), 4);
    }

    #[test]
    fn short_frames_are_padded_with_zeros_unless_runts() {
        let mut r = PcapReplay::new(frames(&[0, 0]), Timing::Rate);
        let mut want = vec![0u8; 3];
        want.resize(MIN_WIRE_FRAME, 0);
        assert_eq!(r.next_frame().unwrap().bytes, want);
        let long = CapturedFrame { data: vec![7; 100], ts_ns: 0 };
        let mut r = PcapReplay::new(vec![long.clone()], Timing::Rate);
        assert_eq!(r.next_frame().unwrap().bytes, long.data, "60 bytes and more go as they are");
        let mut r = PcapReplay::new(frames(&[0]), Timing::Rate).with_runts(true);
        assert_eq!(r.next_frame().unwrap().bytes, vec![0; 3]);
    }

    #[test]
    fn rate_ignores_timestamps() {
        let mut r = PcapReplay::new(frames(&[0, 1_000_000_000]), Timing::Rate);
        assert!(r.next_frame_at(0).is_some());
        assert!(r.next_frame_at(0).is_some());
        assert!(r.next_frame_at(0).is_none());
    }

    #[test]
    fn timing_names() {
        assert_eq!("rate".parse::<Timing>(), Ok(Timing::Rate));
        assert_eq!(Timing::Recorded.to_string(), "recorded");
        let e = "fast".parse::<Timing>().unwrap_err();
        assert!(e.contains("fast") && e.contains("recorded") && e.contains("rate"), "{e}");
    }
}
