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
use crate::frames::{test_frame, Direction, FrameSpec};
use crate::rng::Rng;

/// Bytes of FCS the link partner appends to every frame.
pub const FCS_LEN: usize = 4;

/// Mixed into the seed for the payload generator, so sizes and payloads are
/// independent streams.
const PAYLOAD_SEED: u64 = 0x5041_594C_4F41_4421;

/// Frames toward the NIC: sizes drawn uniformly from a list, each carrying
/// its sequence number; raw Ethernet or IP packets on the scenario's flows
/// (`rx.protocol`, `rx.flows`: [`crate::frames::packet`]).
#[derive(Debug, Clone)]
pub struct RxTraffic {
    sizes: FrameSizes,
    frames: FrameSpec,
    payload_rng: Rng,
    next_seq: u32,
}

impl RxTraffic {
    /// The traffic of `spec`, seeded by `seed`.
    pub fn new(spec: &RxSpec, seed: u64) -> Self {
        RxTraffic {
            sizes: frame_sizes(spec, seed),
            frames: spec.frame_spec(seed),
            payload_rng: Rng::new(seed ^ PAYLOAD_SEED),
            next_seq: 0,
        }
    }

    /// Frames produced so far (the next sequence number).
    pub fn produced(&self) -> u64 {
        u64::from(self.next_seq)
    }
}

impl RxSource for RxTraffic {
    fn next_frame(&mut self) -> Option<TxFrame> {
        // Sizes are validated to 64..=1518 and raised to the protocol's
        // headers by `frame_sizes`.
        let len = self.sizes.next()? - FCS_LEN;
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        Some(TxFrame::new(self.frames.build(Direction::ToHost, len, seq, &mut self.payload_rng)))
    }
}

/// The lengths (with FCS) of the frames [`RxTraffic`] produces for `spec`
/// and `seed`, in order, without building the frames: the listed sizes,
/// each at least the protocol's shortest frame and at most 1518. Empty if
/// the list of sizes is empty.
pub fn frame_sizes(spec: &RxSpec, seed: u64) -> FrameSizes {
    let min = spec.protocol.min_len(spec.vlan) + FCS_LEN;
    let list = spec.frame_sizes.iter().map(|&s| s.clamp(min, crate::frames::MAX_FRAME + FCS_LEN)).collect();
    FrameSizes { list, rng: Rng::new(seed) }
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

/// Wire bytes besides the frame and its FCS: preamble and SFD (8) and the
/// minimum inter-frame gap (12).
const WIRE_OVERHEAD: usize = 20;

/// A load profile in phases, e.g. idle -> 80% -> idle: frames of one length,
/// paced by the source itself (it returns `None` until the next frame is
/// due), so the link partner should send back to back (`EncoderConfig`'s
/// default load of 1). Phase `i` lasts `phases[i].0` ns of device time from
/// the first call and offers `phases[i].1` of the 10 Gb/s line rate (0 =
/// nothing). After the last phase it offers nothing more. Frame `n` carries
/// sequence number `n`.
#[derive(Debug, Clone)]
pub struct Phases {
    phases: Vec<(u64, f64)>,
    frame_len: usize,
    start_ns: Option<u64>,
    next_due_ns: f64,
    rng: Rng,
    next_seq: u32,
}

impl Phases {
    /// `phases` of (duration in ns, load 0..=1); frames of `frame_len` bytes
    /// without FCS (60..=1514); payloads seeded by `seed`.
    pub fn new(phases: &[(u64, f64)], frame_len: usize, seed: u64) -> Self {
        Phases {
            phases: phases.to_vec(),
            frame_len: frame_len.clamp(crate::frames::MIN_FRAME, crate::frames::MAX_FRAME),
            start_ns: None,
            next_due_ns: 0.0,
            rng: Rng::new(seed ^ PAYLOAD_SEED),
            next_seq: 0,
        }
    }

    /// The load of the phase `t_ns` after the start, `None` past the end.
    pub fn load_at(&self, t_ns: u64) -> Option<f64> {
        let mut end = 0;
        for &(d, load) in &self.phases {
            end += d;
            if t_ns < end {
                return Some(load);
            }
        }
        None
    }

    /// Frames produced so far.
    pub fn produced(&self) -> u64 {
        u64::from(self.next_seq)
    }

    /// Total length of the phases (ns).
    pub fn duration_ns(&self) -> u64 {
        self.phases.iter().map(|p| p.0).sum()
    }
}

impl RxSource for Phases {
    /// Untimed requests get nothing: this source needs the time.
    fn next_frame(&mut self) -> Option<TxFrame> {
        None
    }

    fn next_frame_at(&mut self, now_ns: u64) -> Option<TxFrame> {
        let start = *self.start_ns.get_or_insert(now_ns);
        let load = self.load_at(now_ns - start)?;
        if load <= 0.0 {
            return None;
        }
        let gap_ns = (self.frame_len + FCS_LEN + WIRE_OVERHEAD) as f64 * 0.8 / load.min(1.0);
        let now = now_ns as f64;
        // Coming out of a quieter phase: start the spacing now, no catch-up burst.
        if self.next_due_ns + gap_ns < now {
            self.next_due_ns = now;
        }
        if now < self.next_due_ns {
            return None;
        }
        self.next_due_ns += gap_ns;
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        Some(TxFrame::new(test_frame(self.frame_len, seq, &mut self.rng)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cosim::machine::frame_seq;

    #[test]
    fn frames_carry_consecutive_sequence_numbers_and_listed_sizes() {
        let spec = RxSpec { load: 0.5, frame_sizes: vec![64, 100, 1518], ..RxSpec::default() };
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
    fn phases_pace_by_load_and_stop_after_the_last() {
        // 1514 + 4 + 20 bytes = 1230.4 ns on the wire; at 50% one per 2460.8 ns.
        let mut p = Phases::new(&[(10_000, 0.0), (100_000, 0.5), (10_000, 0.0)], 1514, 1);
        let mut got = Vec::new();
        for t in (1_000..200_000).step_by(100) {
            if p.next_frame_at(t).is_some() {
                got.push(t);
            }
        }
        assert_eq!(got[0], 11_000, "first frame at the start of the loaded phase");
        assert!(got.iter().all(|&t| (11_000..111_000).contains(&t)));
        assert!((40..=41).contains(&got.len()), "{}", got.len());
        assert_eq!(p.produced(), got.len() as u64);
        assert_eq!(p.load_at(0), Some(0.0));
        assert_eq!(p.load_at(120_000), None);
        assert_eq!(p.duration_ns(), 120_000);
    }

    #[test]
    fn empty_list_gives_no_frames() {
        let spec = RxSpec { load: 0.5, frame_sizes: vec![], ..RxSpec::default() };
        assert!(RxTraffic::new(&spec, 1).next_frame().is_none());
    }
}
