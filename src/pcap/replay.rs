//! Replaying captured frames toward the NIC: an [`RxSource`] for the link
//! partner.
//!
//! Each captured frame goes on the wire once, in file order, exactly as
//! captured (no padding: a frame under 60 bytes is a runt on the wire, which
//! the MAC counts and drops). Frame `n` of the capture is frame `n` in
//! `World::wire_start`.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use verinic_sim::xgmii::TxFrame;

use super::CapturedFrame;
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

/// The frames of a capture, offered one by one.
#[derive(Debug, Clone)]
pub struct PcapReplay {
    frames: Arc<[CapturedFrame]>,
    timing: Timing,
    next: usize,
    /// Device time at which the first frame was offered.
    start_ns: Option<u64>,
}

impl PcapReplay {
    /// A replay of `frames` with `timing`.
    pub fn new(frames: Arc<[CapturedFrame]>, timing: Timing) -> Self {
        PcapReplay { frames, timing, next: 0, start_ns: None }
    }

    /// Frames handed out so far.
    pub fn offered(&self) -> usize {
        self.next
    }

    /// Frames not yet handed out.
    pub fn remaining(&self) -> usize {
        self.frames.len() - self.next
    }

    /// Device time before which frame `i` may not be offered (recorded timing).
    fn due_ns(&self, start_ns: u64, i: usize) -> u64 {
        let first = self.frames.first().map_or(0, |f| f.ts_ns);
        let ts = self.frames.get(i).map_or(first, |f| f.ts_ns);
        start_ns.saturating_add(ts.saturating_sub(first))
    }
}

impl RxSource for PcapReplay {
    /// The next frame regardless of time (without a clock there is no
    /// recorded spacing to keep).
    fn next_frame(&mut self) -> Option<TxFrame> {
        let f = self.frames.get(self.next)?;
        self.next += 1;
        Some(TxFrame::new(f.data.clone()))
    }

    fn next_frame_at(&mut self, now_ns: u64) -> Option<TxFrame> {
        if self.timing == Timing::Recorded && self.next < self.frames.len() {
            let start = *self.start_ns.get_or_insert(now_ns);
            if now_ns < self.due_ns(start, self.next) {
                return None;
            }
        }
        self.next_frame()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(ts: &[u64]) -> Arc<[CapturedFrame]> {
        ts.iter().enumerate().map(|(i, &ts_ns)| CapturedFrame { data: vec![i as u8; 3], ts_ns }).collect()
    }

    #[test]
    fn recorded_keeps_offsets_from_the_first_offer() {
        let mut r = PcapReplay::new(frames(&[5_000, 6_000, 5_500, 9_000]), Timing::Recorded);
        assert_eq!(r.next_frame_at(100).unwrap().bytes, vec![0; 3]);
        assert!(r.next_frame_at(1_099).is_none());
        assert_eq!(r.next_frame_at(1_100).unwrap().bytes, vec![1; 3]);
        // Backwards in time: due at once.
        assert_eq!(r.next_frame_at(1_100).unwrap().bytes, vec![2; 3]);
        assert!(r.next_frame_at(4_099).is_none());
        assert!(r.next_frame_at(4_100).is_some());
        assert!(r.next_frame_at(u64::MAX).is_none());
        assert_eq!((r.offered(), r.remaining()), (4, 0));
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
