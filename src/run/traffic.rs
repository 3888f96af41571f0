//! Receive traffic by a scenario: an [`RxSource`] for the link partner.
//!
//! The source only decides *what* goes on the wire; *when* is the link
//! partner's pacing (`EncoderConfig::load`), and the world asks for a frame
//! whenever its queue runs short. Frame `n` (from 0) carries sequence number
//! `n`, which is also its wire sequence number in `World::wire`.
//!
//! Sizes and payloads come from two generators seeded from the scenario's
//! seed, so [`frame_sizes`] can replay the sizes cheaply after a run.

use verinic_sim::xgmii::TxFrame;

use super::scenario::RxSpec;
use crate::cosim::RxSource;
use crate::frames::test_frame;
use crate::rng::Rng;

/// Bytes of FCS the link partner appends to every frame.
pub const FCS_LEN: usize = 4;

/// Mixed into the seed for the payload generator, so sizes and payloads are
/// independent streams.
const PAYLOAD_SEED: u64 = 0x5041_594C_4F41_4421;

/// Frames toward the NIC: sizes drawn uniformly from a list, each carrying
/// its sequence number.
#[derive(Debug, Clone)]
pub struct RxTraffic {
    sizes: FrameSizes,
    payload_rng: Rng,
    next_seq: u32,
}

impl RxTraffic {
    /// The traffic of `spec`, seeded by `seed`.
    pub fn new(spec: &RxSpec, seed: u64) -> Self {
        RxTraffic { sizes: frame_sizes(spec, seed), payload_rng: Rng::new(seed ^ PAYLOAD_SEED), next_seq: 0 }
    }

    /// Frames produced so far (the next sequence number).
    pub fn produced(&self) -> u64 {
        u64::from(self.next_seq)
    }
}

impl RxSource for RxTraffic {
    fn next_frame(&mut self) -> Option<TxFrame> {
        let len = self.sizes.next()?;
        // Sizes are validated to 64..=1518; clamp anyway so a bad list can
        // never ask test_frame for less than its header.
        let len = len.saturating_sub(FCS_LEN).clamp(crate::frames::MIN_FRAME, crate::frames::MAX_FRAME);
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        Some(TxFrame::new(test_frame(len, seq, &mut self.payload_rng)))
    }
}

/// The lengths (with FCS) of the frames [`RxTraffic`] produces for `spec`
/// and `seed`, in order, without building the frames. Empty if the list of
/// sizes is empty.
pub fn frame_sizes(spec: &RxSpec, seed: u64) -> FrameSizes {
    FrameSizes { list: spec.frame_sizes.clone(), rng: Rng::new(seed) }
}

/// Iterator over frame lengths with FCS; endless unless the list is empty.
#[derive(Debug, Clone)]
pub struct FrameSizes {
    list: Vec<usize>,
    rng: Rng,
}

impl Iterator for FrameSizes {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let last = self.list.len().checked_sub(1)?;
        Some(self.list[self.rng.range(0, last)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cosim::machine::frame_seq;

    #[test]
    fn frames_carry_consecutive_sequence_numbers_and_listed_sizes() {
        let spec = RxSpec { load: 0.5, frame_sizes: vec![64, 100, 1518] };
        let mut t = RxTraffic::new(&spec, 7);
        let sizes: Vec<usize> = frame_sizes(&spec, 7).take(50).collect();
        for (i, want) in sizes.iter().enumerate() {
            let f = t.next_frame().unwrap();
            assert_eq!(frame_seq(&f.bytes), Some(i as u32));
            assert_eq!(f.bytes.len() + FCS_LEN, *want);
        }
        assert_eq!(t.produced(), 50);
        assert!(sizes.contains(&64) && sizes.contains(&100) && sizes.contains(&1518));
    }

    #[test]
    fn same_seed_same_frames() {
        let spec = RxSpec::default();
        let mut a = RxTraffic::new(&spec, 3);
        let mut b = RxTraffic::new(&spec, 3);
        for _ in 0..20 {
            assert_eq!(a.next_frame().unwrap().bytes, b.next_frame().unwrap().bytes);
        }
    }

    #[test]
    fn empty_list_gives_no_frames() {
        let spec = RxSpec { load: 0.5, frame_sizes: vec![] };
        assert!(RxTraffic::new(&spec, 1).next_frame().is_none());
    }
}
