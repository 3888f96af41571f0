//! Which captured frame a delivered frame is: the link partner's sequence
//! number for replayed traffic, which carries none of its own.
//!
//! One receive queue keeps order, so the delivered frames are the offered
//! ones minus those dropped, in the same order. Each delivered frame is
//! matched to the next offered frame with the same bytes. Identical frames
//! in a capture are matched first come first served: if one of them is
//! dropped, the next one is timed from the dropped one's start.

use std::sync::Arc;

use super::CapturedFrame;

/// How far ahead of the last match a delivered frame is looked for: more
/// frames than can be dropped in a row before a delivery (a full RX FIFO
/// loses whole bursts; 65536 frames is more than 4 ms at line rate).
pub const SEARCH_WINDOW: usize = 65_536;

/// Matches delivered frames to the captured frames they were.
#[derive(Debug, Clone)]
pub struct WireMatcher {
    frames: Arc<[CapturedFrame]>,
    next: usize,
}

impl WireMatcher {
    /// A matcher over the frames offered, in order.
    pub fn new(frames: Arc<[CapturedFrame]>) -> Self {
        WireMatcher { frames, next: 0 }
    }

    /// The index of the captured frame `data` was, or `None` if no frame
    /// with these bytes follows the last match (within [`SEARCH_WINDOW`]).
    pub fn locate(&mut self, data: &[u8]) -> Option<usize> {
        let end = self.frames.len().min(self.next.saturating_add(SEARCH_WINDOW));
        let i = (self.next..end).find(|&i| self.frames[i].data == data)?;
        self.next = i + 1;
        Some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_dropped_frames_and_keeps_order() {
        let f: Arc<[CapturedFrame]> =
            [1u8, 2, 3, 2, 4].iter().map(|&b| CapturedFrame { data: vec![b], ts_ns: 0 }).collect();
        let mut m = WireMatcher::new(f);
        assert_eq!(m.locate(&[2]), Some(1));
        assert_eq!(m.locate(&[9]), None);
        assert_eq!(m.locate(&[2]), Some(3));
        assert_eq!(m.locate(&[1]), None, "never backwards");
        assert_eq!(m.locate(&[4]), Some(4));
    }
}
