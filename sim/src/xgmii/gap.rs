//! Where the next Start character goes.
//!
//! Three things decide it, in this order:
//! 1. the nominal gap: `ipg` bytes from the end of the previous frame, plus
//!    any idle that load pacing asks for;
//! 2. the frame being ready at all (a late frame starts when it arrives);
//! 3. lane alignment: the Start must land on a legal Start lane, so the gap
//!    is rounded, either always up or, with the deficit idle count, sometimes
//!    down.
//!
//! Positions are absolute byte times since the encoder was created
//! (`cycle * 8 + lane`), so none of this cares about word boundaries.

use super::config::EncoderConfig;
use super::word::{FRAME_OVERHEAD, PREAMBLE_LEN};

/// Upper bound of the deficit idle count (IEEE 802.3 46.3.1.4).
const MAX_DIC: u64 = 3;

/// How far behind its pacing schedule the encoder may fall before the debt
/// is forgiven. Only reached when rounding costs more than pacing adds
/// (load just below 1, or `ipg` above 12), where the encoder simply runs as
/// fast as it can; the bound keeps old debt from suppressing pacing later.
const BALANCE_FLOOR: f64 = -8.0;

/// The gap after a frame that has ended but whose successor has not started.
#[derive(Clone, Copy, Debug)]
struct OpenGap {
    /// Position of the frame's end marker (Terminate, or first Idle).
    end: u64,
    /// Earliest position for the next Start before lane rounding.
    nominal: u64,
}

/// Decides Start positions; owns the DIC and the pacing accumulator.
#[derive(Clone, Debug)]
pub(super) struct GapPlanner {
    ipg: u64,
    align: u64,
    dic_enabled: bool,
    load: f64,
    /// Idle bytes deleted so far and not yet paid back, 0..=3.
    dic: u8,
    /// Idle bytes the pacing schedule still owes (positive) or has overpaid
    /// (negative), fractions included, so the long-run rate is exact.
    balance: f64,
    open: Option<OpenGap>,
}

impl GapPlanner {
    /// A planner for a validated configuration.
    pub(super) fn new(cfg: &EncoderConfig) -> Self {
        Self {
            ipg: cfg.ipg as u64,
            align: cfg.start_lanes.alignment(),
            dic_enabled: cfg.dic,
            load: cfg.load,
            dic: 0,
            balance: 0.0,
            open: None,
        }
    }

    /// At full load there is no schedule to keep: frames just go back to
    /// back, and DIC alone keeps the average gap exact.
    fn paced(&self) -> bool {
        self.load < 1.0
    }

    /// The current deficit idle count.
    #[cfg(test)]
    pub(super) fn dic(&self) -> u8 {
        self.dic
    }

    /// A frame of `len_with_fcs` bytes ended with its end marker at `end`.
    pub(super) fn frame_ended(&mut self, end: u64, len_with_fcs: usize) {
        let mut nominal = end.saturating_add(self.ipg);
        if self.paced() {
            // Ideal occupancy minus what the frame takes at the nominal gap.
            let ideal = (len_with_fcs as f64 + FRAME_OVERHEAD as f64) / self.load;
            let busy = len_with_fcs as f64 + PREAMBLE_LEN as f64 + self.ipg as f64;
            self.balance = (self.balance + ideal - busy).max(BALANCE_FLOOR);
            if self.balance >= 1.0 {
                // `as` saturates, so absurdly low loads cannot overflow.
                nominal = nominal.saturating_add(self.balance as u64);
            }
        }
        self.open = Some(OpenGap { end, nominal });
    }

    /// The frame in flight was cut short by the next frame's Start, so there
    /// is no gap to plan, and nothing to charge to DIC or pacing.
    pub(super) fn frame_cut(&mut self) {
        self.open = None;
    }

    /// Where the next Start goes, given a frame ready to go at `now`.
    ///
    /// `now` must not be earlier than the position after the last end marker;
    /// the result is never earlier than `now` and always on a legal lane.
    pub(super) fn place_start(&mut self, now: u64) -> u64 {
        let Some(gap) = self.open.take() else {
            return round_up(now, self.align);
        };
        let target = gap.nominal.max(now);
        let start = self.align_start(target, now);
        if self.paced() {
            if now > gap.nominal {
                // The source had nothing to send; idle time is not credit.
                self.balance = 0.0;
            } else {
                let used = (start - gap.end) as f64 - self.ipg as f64;
                self.balance = (self.balance - used).max(BALANCE_FLOOR);
            }
        }
        start
    }

    /// Rounds `target` to a legal Start position, no earlier than `now`.
    fn align_start(&mut self, target: u64, now: u64) -> u64 {
        let over = target % self.align;
        if over == 0 {
            return target;
        }
        let extra = self.align - over;
        let shortened = target - over;
        if self.dic_enabled && u64::from(self.dic) + over <= MAX_DIC && shortened >= now {
            // `over` <= 3 here, so the cast cannot truncate.
            self.dic += over as u8;
            shortened
        } else {
            if self.dic_enabled {
                // Paying back the deficit; `extra` < 8 fits in u8.
                self.dic = self.dic.saturating_sub(extra as u8);
            }
            target.saturating_add(extra)
        }
    }
}

/// `x` rounded up to a multiple of `align`.
fn round_up(x: u64, align: u64) -> u64 {
    x.div_ceil(align).saturating_mul(align)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xgmii::config::StartLanes;

    fn planner(start_lanes: StartLanes, dic: bool, load: f64) -> GapPlanner {
        GapPlanner::new(&EncoderConfig { ipg: 12, start_lanes, dic, load })
    }

    /// Runs back-to-back frames of `len_with_fcs` bytes; returns the gaps.
    fn gaps(p: &mut GapPlanner, len_with_fcs: usize, frames: usize) -> Vec<u64> {
        let mut start = p.place_start(0);
        let mut out = Vec::new();
        for _ in 0..frames {
            let end = start + (PREAMBLE_LEN + len_with_fcs) as u64;
            p.frame_ended(end, len_with_fcs);
            start = p.place_start(end + 1);
            out.push(start - end);
        }
        out
    }

    #[test]
    fn dic_alternates_around_twelve() {
        // 65 bytes + 8 preamble: Terminate at 73, nominal Start at 85 = 4*21+1,
        // one past a boundary: three gaps shortened by 1, then one lengthened by 3.
        let mut p = planner(StartLanes::Lane0And4, true, 1.0);
        let g = gaps(&mut p, 65, 8);
        assert_eq!(g, [11, 11, 11, 15, 11, 11, 11, 15]);
        assert!(p.dic() <= 3);
    }

    #[test]
    fn without_dic_always_rounds_up() {
        let mut p = planner(StartLanes::Lane0Only, false, 1.0);
        assert!(gaps(&mut p, 65, 8).iter().all(|&g| g == 15));
        let mut p = planner(StartLanes::Lane0Only, false, 1.0);
        assert!(gaps(&mut p, 64, 8).iter().all(|&g| g == 16));
    }

    #[test]
    fn late_frame_starts_when_ready_and_keeps_dic() {
        let mut p = planner(StartLanes::Lane0And4, true, 1.0);
        p.frame_ended(73, 65);
        assert_eq!(p.place_start(74), 84); // shortened: dic 1
        assert_eq!(p.dic(), 1);
        p.frame_ended(84 + 73, 65);
        assert_eq!(p.place_start(400), 400);
        assert_eq!(p.dic(), 1);
    }

    #[test]
    fn first_start_is_aligned() {
        let mut p = planner(StartLanes::Lane0Only, true, 1.0);
        assert_eq!(p.place_start(3), 8);
        assert_eq!(p.place_start(16), 16);
    }

    #[test]
    fn pacing_doubles_occupancy_at_half_load() {
        let mut p = planner(StartLanes::Lane0And4, true, 0.5);
        let g = gaps(&mut p, 64, 100);
        let total: u64 = g.iter().map(|g| g + 8 + 64).sum();
        assert_eq!(total, 100 * 2 * 84);
    }

    #[test]
    fn pacing_absorbs_rounding_without_dic() {
        // 65 + 20 = 85 byte times per frame at line rate; at 0.4 load 212.5.
        let mut p = planner(StartLanes::Lane0Only, false, 0.4);
        let g = gaps(&mut p, 65, 1000);
        let total: u64 = g.iter().map(|g| g + 8 + 65).sum();
        let ideal = 1000.0 * 85.0 / 0.4;
        assert!((total as f64 - ideal).abs() <= 8.0, "{total} vs {ideal}");
    }
}
