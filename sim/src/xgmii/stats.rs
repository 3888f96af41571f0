//! Running counters kept by the decoder.

use super::decoder::FrameError;

/// What the decoder has seen so far. All counts start at zero.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct DecoderStats {
    /// Frame records produced: exactly one per Start character.
    pub frames: u64,
    /// Frames with no error and a correct FCS.
    pub good: u64,
    /// Frames with no other error but a wrong FCS.
    pub bad_fcs: u64,
    /// Frames with [`FrameError::BadPreamble`].
    pub bad_preamble: u64,
    /// Frames with [`FrameError::ErrorChar`].
    pub error_char: u64,
    /// Frames with [`FrameError::StartInFrame`].
    pub start_in_frame: u64,
    /// Frames with [`FrameError::MissingTerminate`].
    pub missing_terminate: u64,
    /// Frames with [`FrameError::IllegalStartLane`].
    pub illegal_start_lane: u64,
    /// Frames with [`FrameError::TooShort`].
    pub too_short: u64,
    /// Data bytes seen outside any frame.
    pub stray_data: u64,
    /// Control characters other than Idle and Start seen outside any frame.
    pub stray_ctrl: u64,
    /// Gaps measured (frames whose predecessor ended with a Terminate).
    pub ifg_count: u64,
    /// Sum of all measured gaps in bytes.
    pub ifg_sum: u64,
    /// Smallest gap measured, in bytes.
    pub ifg_min: Option<usize>,
    /// Largest gap measured, in bytes.
    pub ifg_max: Option<usize>,
}

impl DecoderStats {
    /// Mean of the measured gaps in bytes, if any were measured.
    pub fn ifg_avg(&self) -> Option<f64> {
        (self.ifg_count > 0).then(|| self.ifg_sum as f64 / self.ifg_count as f64)
    }

    /// Frames that had a [`FrameError`] of any kind.
    pub fn errored(&self) -> u64 {
        self.bad_preamble
            + self.error_char
            + self.start_in_frame
            + self.missing_terminate
            + self.illegal_start_lane
            + self.too_short
    }

    /// Counts one finished frame.
    pub(super) fn record_frame(&mut self, error: Option<FrameError>, fcs_ok: bool) {
        self.frames += 1;
        let counter = match error {
            None if fcs_ok => &mut self.good,
            None => &mut self.bad_fcs,
            Some(FrameError::BadPreamble) => &mut self.bad_preamble,
            Some(FrameError::ErrorChar) => &mut self.error_char,
            Some(FrameError::StartInFrame) => &mut self.start_in_frame,
            Some(FrameError::MissingTerminate { .. }) => &mut self.missing_terminate,
            Some(FrameError::IllegalStartLane) => &mut self.illegal_start_lane,
            Some(FrameError::TooShort) => &mut self.too_short,
        };
        *counter += 1;
    }

    /// Counts one measured gap.
    pub(super) fn record_ifg(&mut self, ifg: usize) {
        self.ifg_count += 1;
        self.ifg_sum = self.ifg_sum.saturating_add(ifg as u64);
        self.ifg_min = Some(self.ifg_min.map_or(ifg, |m| m.min(ifg)));
        self.ifg_max = Some(self.ifg_max.map_or(ifg, |m| m.max(ifg)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ifg_summary() {
        let mut s = DecoderStats::default();
        assert_eq!(s.ifg_avg(), None);
        for g in [9, 15, 12] {
            s.record_ifg(g);
        }
        assert_eq!((s.ifg_min, s.ifg_max, s.ifg_avg()), (Some(9), Some(15), Some(12.0)));
    }

    #[test]
    fn frame_classes() {
        let mut s = DecoderStats::default();
        s.record_frame(None, true);
        s.record_frame(None, false);
        s.record_frame(Some(FrameError::TooShort), false);
        s.record_frame(Some(FrameError::MissingTerminate { code: 0x07 }), true);
        assert_eq!((s.frames, s.good, s.bad_fcs, s.errored()), (4, 1, 1, 2));
    }
}
