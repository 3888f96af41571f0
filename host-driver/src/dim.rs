//! Linux DIM (Dynamic Interrupt Moderation), `ethtool -C adaptive-rx on` /
//! `adaptive-tx on`: the net_dim algorithm of lib/dim/net_dim.c, with the
//! helpers of lib/dim/dim.c and the constants and types of
//! include/linux/dim.h (torvalds/linux). Written from those files; the names
//! follow the kernel's so each piece can be checked against its source.
//!
//! How it runs: at every NAPI completion the driver takes a [`DimSample`]
//! (events = interrupts taken, packets, bytes, time) and calls
//! [`Dim::net_dim`]. Once [`DIM_NEVENTS`] events have passed since the start
//! sample, the rates per millisecond are computed ([`dim_calc_stats`]) and
//! compared with the previous window ([`net_dim_stats_compare`]: bytes, then
//! packets, then events, each only when the change exceeds 10%,
//! [`is_significant_diff`]); the tuner then steps right (a longer moderation
//! profile) or left (a shorter one), turns, parks on top, or parks tired
//! (`net_dim_decision`). A new profile index is returned to the caller, which
//! programs the device and calls [`Dim::profile_applied`] (the kernel's work
//! item, which then sets `dim->state = DIM_START_MEASURE`).
//!
//! Differences from Linux: the profile is applied at once by the caller
//! (Linux defers it to a work item on a workqueue); time is the platform's
//! simulated clock (ns) rather than ktime_get(); no `comp_ctr` / `cpe_ratio`
//! (only the RDMA DIM uses them).

use serde::{Deserialize, Serialize};

/// `DIM_NEVENTS` (include/linux/dim.h): events (interrupts) per decision.
pub const DIM_NEVENTS: u16 = 64;

/// `NET_DIM_PARAMS_NUM_PROFILES` (lib/dim/net_dim.c): profiles per table.
pub const NET_DIM_PARAMS_NUM_PROFILES: usize = 5;

/// `NET_DIM_DEF_PROFILE_EQE` (lib/dim/net_dim.c): the default profile index
/// in EQE mode.
pub const NET_DIM_DEF_PROFILE_EQE: usize = 1;

/// `NET_DIM_DEF_PROFILE_CQE` (lib/dim/net_dim.c): the default profile index
/// in CQE mode.
pub const NET_DIM_DEF_PROFILE_CQE: usize = 1;

/// The CQ period mode, which selects the profile tables
/// (`DIM_CQ_PERIOD_MODE_START_FROM_EQE` / `_CQE` in include/linux/dim.h).
///
/// In a scenario file: `driver.dim_mode = "eqe"` (default) or `"cqe"`.
/// The default is EQE, `DIM_CQ_PERIOD_MODE_START_FROM_EQE` = 0, the mode
/// of a zeroed `struct dim`; mlx5, DIM's origin, uses CQE for RX when the
/// device has the `cq_period_start_from_cqe` capability and EQE otherwise
/// (mlx5e_build_nic_params in drivers/net/ethernet/mellanox/mlx5/core/en_main.c).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DimMode {
    /// The moderation timer starts at the event (NET_DIM_*_EQE_PROFILES).
    #[default]
    Eqe,
    /// The moderation timer restarts at every completion (NET_DIM_*_CQE_PROFILES).
    Cqe,
}

/// One moderation profile: `struct dim_cq_moder` (usec, pkts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DimProfile {
    /// Moderation time in us (-> `rx_usecs` / `tx_usecs`).
    pub usec: u16,
    /// Moderation packet count (-> `rx_frames` / `tx_frames`).
    pub pkts: u16,
}

const fn p(usec: u16, pkts: u16) -> DimProfile {
    DimProfile { usec, pkts }
}

/// `NET_DIM_RX_EQE_PROFILES` (lib/dim/net_dim.c): 1, 8, 64, 128, 256 us,
/// each with `NET_DIM_DEFAULT_RX_CQ_PKTS_FROM_EQE` = 256 packets.
pub const NET_DIM_RX_EQE_PROFILES: [DimProfile; NET_DIM_PARAMS_NUM_PROFILES] =
    [p(1, 256), p(8, 256), p(64, 256), p(128, 256), p(256, 256)];

/// `NET_DIM_RX_CQE_PROFILES` (lib/dim/net_dim.c).
pub const NET_DIM_RX_CQE_PROFILES: [DimProfile; NET_DIM_PARAMS_NUM_PROFILES] =
    [p(2, 256), p(8, 128), p(16, 64), p(32, 64), p(64, 64)];

/// `NET_DIM_TX_EQE_PROFILES` (lib/dim/net_dim.c): 1, 8, 32, 64, 128 us,
/// each with `NET_DIM_DEFAULT_TX_CQ_PKTS_FROM_EQE` = 128 packets.
pub const NET_DIM_TX_EQE_PROFILES: [DimProfile; NET_DIM_PARAMS_NUM_PROFILES] =
    [p(1, 128), p(8, 128), p(32, 128), p(64, 128), p(128, 128)];

/// `NET_DIM_TX_CQE_PROFILES` (lib/dim/net_dim.c).
pub const NET_DIM_TX_CQE_PROFILES: [DimProfile; NET_DIM_PARAMS_NUM_PROFILES] =
    [p(5, 128), p(8, 64), p(16, 32), p(32, 32), p(64, 32)];

/// `net_dim_get_rx_moderation(mode, ix)` (lib/dim/net_dim.c).
pub fn rx_profile(mode: DimMode, ix: usize) -> DimProfile {
    match mode {
        DimMode::Eqe => NET_DIM_RX_EQE_PROFILES[ix],
        DimMode::Cqe => NET_DIM_RX_CQE_PROFILES[ix],
    }
}

/// `net_dim_get_tx_moderation(mode, ix)` (lib/dim/net_dim.c).
pub fn tx_profile(mode: DimMode, ix: usize) -> DimProfile {
    match mode {
        DimMode::Eqe => NET_DIM_TX_EQE_PROFILES[ix],
        DimMode::Cqe => NET_DIM_TX_CQE_PROFILES[ix],
    }
}

/// The default profile index of `net_dim_get_def_rx_moderation` /
/// `net_dim_get_def_tx_moderation` (lib/dim/net_dim.c).
pub fn default_profile_ix(mode: DimMode) -> usize {
    match mode {
        DimMode::Eqe => NET_DIM_DEF_PROFILE_EQE,
        DimMode::Cqe => NET_DIM_DEF_PROFILE_CQE,
    }
}

/// `struct dim_sample` (include/linux/dim.h): counters at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DimSample {
    /// `time` (ktime): here the platform's clock in ns.
    pub time_ns: u64,
    /// `pkt_ctr`: packets (u32, wraps).
    pub pkt_ctr: u32,
    /// `byte_ctr`: bytes (u32, wraps).
    pub byte_ctr: u32,
    /// `event_ctr`: interrupts (u16, wraps).
    pub event_ctr: u16,
}

/// `struct dim_stats` (include/linux/dim.h): rates per millisecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DimStats {
    /// `ppms`: packets per ms.
    pub ppms: u64,
    /// `bpms`: bytes per ms.
    pub bpms: u64,
    /// `epms`: events per ms.
    pub epms: u64,
}

/// `enum dim_tune_state` (include/linux/dim.h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TuneState {
    /// `DIM_PARKING_ON_TOP` (0: what a zeroed `struct dim` starts in).
    #[default]
    ParkingOnTop,
    /// `DIM_PARKING_TIRED`.
    ParkingTired,
    /// `DIM_GOING_RIGHT`: towards longer moderation (higher index).
    GoingRight,
    /// `DIM_GOING_LEFT`: towards shorter moderation.
    GoingLeft,
}

/// `enum dim_state` (include/linux/dim.h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MeasureState {
    /// `DIM_START_MEASURE`.
    #[default]
    StartMeasure,
    /// `DIM_MEASURE_IN_PROGRESS`.
    MeasureInProgress,
    /// `DIM_APPLY_NEW_PROFILE`: waiting for the caller to apply the profile.
    ApplyNewProfile,
}

/// `enum dim_stats_state` (include/linux/dim.h).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsCompare {
    /// `DIM_STATS_WORSE`.
    Worse,
    /// `DIM_STATS_SAME`.
    Same,
    /// `DIM_STATS_BETTER`.
    Better,
}

/// `enum dim_step_result` (include/linux/dim.h).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StepResult {
    Stepped,
    TooTired,
    OnEdge,
}

/// `IS_SIGNIFICANT_DIFF(val, ref)` (include/linux/dim.h): more than 10%
/// difference, `100 * |val - ref| / ref > 10` in integer arithmetic.
/// `reference` must not be 0 (the callers check).
pub fn is_significant_diff(val: u64, reference: u64) -> bool {
    100 * val.abs_diff(reference) / reference > 10
}

/// `dim_calc_stats` (lib/dim/dim.c): the rates between two samples.
/// `None` when less than 1 us passed (`if (!delta_us) return false`).
/// Counter gaps wrap as `BIT_GAP` does; `epms` uses [`DIM_NEVENTS`], not the
/// actual event count, as the kernel does.
pub fn dim_calc_stats(start: &DimSample, end: &DimSample) -> Option<DimStats> {
    let delta_us = end.time_ns.saturating_sub(start.time_ns) / 1000;
    if delta_us == 0 {
        return None;
    }
    let npkts = u64::from(end.pkt_ctr.wrapping_sub(start.pkt_ctr));
    let nbytes = u64::from(end.byte_ctr.wrapping_sub(start.byte_ctr));
    Some(DimStats {
        ppms: (npkts * 1000).div_ceil(delta_us),
        bpms: (nbytes * 1000).div_ceil(delta_us),
        epms: (u64::from(DIM_NEVENTS) * 1000).div_ceil(delta_us),
    })
}

/// `net_dim_stats_compare` (lib/dim/net_dim.c): more bytes per ms is better;
/// if bytes are level, more packets per ms; if those are level too, fewer
/// events per ms.
pub fn net_dim_stats_compare(curr: &DimStats, prev: &DimStats) -> StatsCompare {
    use StatsCompare::*;
    if prev.bpms == 0 {
        return if curr.bpms != 0 { Better } else { Same };
    }
    if is_significant_diff(curr.bpms, prev.bpms) {
        return if curr.bpms > prev.bpms { Better } else { Worse };
    }
    if prev.ppms == 0 {
        return if curr.ppms != 0 { Better } else { Same };
    }
    if is_significant_diff(curr.ppms, prev.ppms) {
        return if curr.ppms > prev.ppms { Better } else { Worse };
    }
    if prev.epms == 0 {
        return Same;
    }
    if is_significant_diff(curr.epms, prev.epms) {
        return if curr.epms < prev.epms { Better } else { Worse };
    }
    Same
}

/// `struct dim` (include/linux/dim.h), the fields net_dim uses.
/// [`Dim::default`] is the zeroed struct a driver allocates: profile 0,
/// `DIM_START_MEASURE`, `DIM_PARKING_ON_TOP`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Dim {
    /// `state`.
    pub state: MeasureState,
    /// `prev_stats`.
    pub prev_stats: DimStats,
    /// `start_sample`.
    pub start_sample: DimSample,
    /// `profile_ix`: the current profile (0..NET_DIM_PARAMS_NUM_PROFILES).
    pub profile_ix: usize,
    /// `tune_state`.
    pub tune_state: TuneState,
    /// `steps_right`.
    pub steps_right: u8,
    /// `steps_left`.
    pub steps_left: u8,
    /// `tired`.
    pub tired: u8,
}

impl Dim {
    /// `dim_on_top` (lib/dim/dim.c).
    pub fn on_top(&self) -> bool {
        match self.tune_state {
            TuneState::ParkingOnTop | TuneState::ParkingTired => true,
            TuneState::GoingRight => self.steps_left > 1 && self.steps_right == 1,
            TuneState::GoingLeft => self.steps_right > 1 && self.steps_left == 1,
        }
    }

    /// `dim_turn` (lib/dim/dim.c).
    pub fn turn(&mut self) {
        match self.tune_state {
            TuneState::ParkingOnTop | TuneState::ParkingTired => {}
            TuneState::GoingRight => {
                self.tune_state = TuneState::GoingLeft;
                self.steps_left = 0;
            }
            TuneState::GoingLeft => {
                self.tune_state = TuneState::GoingRight;
                self.steps_right = 0;
            }
        }
    }

    /// `dim_park_on_top` (lib/dim/dim.c).
    pub fn park_on_top(&mut self) {
        self.steps_right = 0;
        self.steps_left = 0;
        self.tired = 0;
        self.tune_state = TuneState::ParkingOnTop;
    }

    /// `dim_park_tired` (lib/dim/dim.c): `tired` is kept (it counts down).
    pub fn park_tired(&mut self) {
        self.steps_right = 0;
        self.steps_left = 0;
        self.tune_state = TuneState::ParkingTired;
    }

    /// `net_dim_step` (lib/dim/net_dim.c): too tired after
    /// `NET_DIM_PARAMS_NUM_PROFILES * 2` = 10 steps; on the edge at either end.
    fn step(&mut self) -> StepResult {
        if usize::from(self.tired) == NET_DIM_PARAMS_NUM_PROFILES * 2 {
            return StepResult::TooTired;
        }
        match self.tune_state {
            TuneState::ParkingOnTop | TuneState::ParkingTired => {}
            TuneState::GoingRight => {
                if self.profile_ix == NET_DIM_PARAMS_NUM_PROFILES - 1 {
                    return StepResult::OnEdge;
                }
                self.profile_ix += 1;
                self.steps_right += 1;
            }
            TuneState::GoingLeft => {
                if self.profile_ix == 0 {
                    return StepResult::OnEdge;
                }
                self.profile_ix -= 1;
                self.steps_left += 1;
            }
        }
        self.tired += 1;
        StepResult::Stepped
    }

    /// `net_dim_exit_parking` (lib/dim/net_dim.c): leave towards the other
    /// end (left unless at profile 0), and take one step.
    fn exit_parking(&mut self) {
        self.tune_state = if self.profile_ix != 0 { TuneState::GoingLeft } else { TuneState::GoingRight };
        self.step();
    }

    /// `net_dim_decision` (lib/dim/net_dim.c): one tuning decision on the
    /// stats of the window just closed. Returns whether the profile changed.
    pub fn decision(&mut self, curr: &DimStats) -> bool {
        let prev_state = self.tune_state;
        let prev_ix = self.profile_ix;
        match self.tune_state {
            TuneState::ParkingOnTop => {
                if net_dim_stats_compare(curr, &self.prev_stats) != StatsCompare::Same {
                    self.exit_parking();
                }
            }
            TuneState::ParkingTired => {
                self.tired -= 1;
                if self.tired == 0 {
                    self.exit_parking();
                }
            }
            TuneState::GoingRight | TuneState::GoingLeft => {
                if net_dim_stats_compare(curr, &self.prev_stats) != StatsCompare::Better {
                    self.turn();
                }
                if self.on_top() {
                    self.park_on_top();
                } else {
                    match self.step() {
                        StepResult::OnEdge => self.park_on_top(),
                        StepResult::TooTired => self.park_tired(),
                        StepResult::Stepped => {}
                    }
                }
            }
        }
        if prev_state != TuneState::ParkingOnTop || self.tune_state != TuneState::ParkingOnTop {
            self.prev_stats = *curr;
        }
        self.profile_ix != prev_ix
    }

    /// `net_dim` (lib/dim/net_dim.c), called with the sample taken at NAPI
    /// completion. Returns the new profile index when the decision changed
    /// it; the caller applies it and then calls [`Dim::profile_applied`].
    /// While a change is pending (`DIM_APPLY_NEW_PROFILE`) samples are ignored.
    pub fn net_dim(&mut self, end: DimSample) -> Option<usize> {
        match self.state {
            MeasureState::MeasureInProgress => {
                let nevents = end.event_ctr.wrapping_sub(self.start_sample.event_ctr);
                if nevents < DIM_NEVENTS {
                    return None;
                }
                // Newer kernels: `if (!dim_calc_stats(...)) break;`
                let curr = dim_calc_stats(&self.start_sample, &end)?;
                if self.decision(&curr) {
                    self.state = MeasureState::ApplyNewProfile;
                    return Some(self.profile_ix);
                }
                self.start_measure(end);
                None
            }
            MeasureState::StartMeasure => {
                self.start_measure(end);
                None
            }
            MeasureState::ApplyNewProfile => None,
        }
    }

    /// The end of the kernel's work item (e.g. mlx5e_rx_dim_work:
    /// `dim->state = DIM_START_MEASURE`): the next sample starts a window.
    pub fn profile_applied(&mut self) {
        self.state = MeasureState::StartMeasure;
    }

    /// `dim_update_sample` and `state = DIM_MEASURE_IN_PROGRESS`.
    fn start_measure(&mut self, s: DimSample) {
        self.start_sample = s;
        self.state = MeasureState::MeasureInProgress;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(bpms: u64, ppms: u64, epms: u64) -> DimStats {
        DimStats { ppms, bpms, epms }
    }

    #[test]
    fn profile_tables_match_net_dim_c() {
        // lib/dim/net_dim.c: NET_DIM_RX_EQE_PROFILES, NET_DIM_RX_CQE_PROFILES,
        // NET_DIM_TX_EQE_PROFILES, NET_DIM_TX_CQE_PROFILES.
        let us = |t: &[DimProfile]| t.iter().map(|p| (p.usec, p.pkts)).collect::<Vec<_>>();
        assert_eq!(us(&NET_DIM_RX_EQE_PROFILES), [(1, 256), (8, 256), (64, 256), (128, 256), (256, 256)]);
        assert_eq!(us(&NET_DIM_RX_CQE_PROFILES), [(2, 256), (8, 128), (16, 64), (32, 64), (64, 64)]);
        assert_eq!(us(&NET_DIM_TX_EQE_PROFILES), [(1, 128), (8, 128), (32, 128), (64, 128), (128, 128)]);
        assert_eq!(us(&NET_DIM_TX_CQE_PROFILES), [(5, 128), (8, 64), (16, 32), (32, 32), (64, 32)]);
        assert_eq!(default_profile_ix(DimMode::Eqe), 1);
        assert_eq!(default_profile_ix(DimMode::Cqe), 1);
        assert_eq!(rx_profile(DimMode::Cqe, 1), p(8, 128));
        assert_eq!(tx_profile(DimMode::Eqe, 4), p(128, 128));
    }

    #[test]
    fn significant_diff_is_strictly_more_than_ten_percent() {
        // include/linux/dim.h IS_SIGNIFICANT_DIFF: (100 * |val - ref|) / ref > 10.
        assert!(!is_significant_diff(110, 100));
        assert!(is_significant_diff(111, 100));
        assert!(!is_significant_diff(90, 100));
        assert!(is_significant_diff(89, 100));
        // Integer division: 100 * 21 / 200 = 10, not significant.
        assert!(!is_significant_diff(221, 200));
    }

    #[test]
    fn calc_stats_rates_per_ms_round_up() {
        // lib/dim/dim.c dim_calc_stats: DIV_ROUND_UP(n * USEC_PER_MSEC, delta_us);
        // epms from DIM_NEVENTS; ktime_us_delta truncates to whole us.
        let a = DimSample { time_ns: 1_000, pkt_ctr: 10, byte_ctr: 1_000, event_ctr: 3 };
        let b = DimSample { time_ns: 3_001_999, pkt_ctr: 110, byte_ctr: 64_000, event_ctr: 67 };
        let s = dim_calc_stats(&a, &b).unwrap();
        assert_eq!(s, stats(21_000, 34, 22)); // 63000*1000/3000; 100000/3000 = 33.3 -> 34; 64000/3000 -> 22
        assert_eq!(dim_calc_stats(&a, &DimSample { time_ns: 1_999, ..b }), None);
        // BIT_GAP: counters wrap.
        let w = DimSample { time_ns: 0, pkt_ctr: u32::MAX, byte_ctr: u32::MAX - 9, event_ctr: 0 };
        let s = dim_calc_stats(&w, &DimSample { time_ns: 1_000_000, pkt_ctr: 1, byte_ctr: 10, event_ctr: 64 }).unwrap();
        assert_eq!((s.ppms, s.bpms), (2, 20));
    }

    #[test]
    fn compare_order_bytes_then_packets_then_events() {
        // lib/dim/net_dim.c net_dim_stats_compare.
        use StatsCompare::*;
        let prev = stats(1000, 100, 50);
        assert_eq!(net_dim_stats_compare(&stats(1200, 50, 90), &prev), Better, "bytes decide first");
        assert_eq!(net_dim_stats_compare(&stats(800, 200, 10), &prev), Worse);
        assert_eq!(net_dim_stats_compare(&stats(1050, 120, 90), &prev), Better, "then packets");
        assert_eq!(net_dim_stats_compare(&stats(1050, 80, 10), &prev), Worse);
        assert_eq!(net_dim_stats_compare(&stats(1050, 105, 40), &prev), Better, "then fewer events");
        assert_eq!(net_dim_stats_compare(&stats(1050, 105, 60), &prev), Worse);
        assert_eq!(net_dim_stats_compare(&stats(1050, 105, 54), &prev), Same);
        // prev->bpms == 0: any traffic is better, none is the same.
        assert_eq!(net_dim_stats_compare(&stats(1, 1, 1), &stats(0, 0, 0)), Better);
        assert_eq!(net_dim_stats_compare(&stats(0, 0, 9), &stats(0, 0, 0)), Same);
        // prev->epms == 0 with level bytes and packets: same.
        assert_eq!(net_dim_stats_compare(&stats(1000, 100, 9), &stats(1000, 100, 0)), Same);
    }

    /// Feeds decisions and records (tune_state, profile_ix) after each.
    fn run(d: &mut Dim, seq: &[DimStats]) -> Vec<(TuneState, usize)> {
        seq.iter()
            .map(|s| {
                d.decision(s);
                (d.tune_state, d.profile_ix)
            })
            .collect()
    }

    #[test]
    fn zeroed_dim_leaves_parking_to_the_right_then_climbs_while_better() {
        // lib/dim/net_dim.c net_dim_decision, DIM_PARKING_ON_TOP: prev_stats
        // is zero, so any traffic is BETTER -> net_dim_exit_parking: ix 0 ->
        // DIM_GOING_RIGHT and one net_dim_step to 1. Then each BETTER window
        // steps right (net_dim_step) until the right edge, where DIM_ON_EDGE
        // parks on top (dim_park_on_top).
        use TuneState::*;
        let mut d = Dim::default();
        let seq = [
            stats(1000, 100, 60), // better than zero: exit parking, step to 1
            stats(1000, 100, 40), // fewer events: better, step to 2
            stats(1000, 100, 30), // better, 3
            stats(1000, 100, 20), // better, 4
            stats(1000, 100, 10), // better, but on the edge: park on top at 4
        ];
        assert_eq!(
            run(&mut d, &seq),
            [(GoingRight, 1), (GoingRight, 2), (GoingRight, 3), (GoingRight, 4), (ParkingOnTop, 4)]
        );
        assert_eq!((d.steps_left, d.steps_right, d.tired), (0, 0, 0), "dim_park_on_top clears them");
    }

    #[test]
    fn parked_on_top_stays_while_same_and_keeps_old_prev_stats() {
        // net_dim_decision: parked and SAME -> no move; prev_stats is not
        // updated when the state was and stays DIM_PARKING_ON_TOP.
        let mut d = Dim { profile_ix: 4, prev_stats: stats(1000, 100, 10), ..Dim::default() };
        assert!(!d.decision(&stats(1050, 104, 10)));
        assert_eq!((d.tune_state, d.profile_ix, d.prev_stats), (TuneState::ParkingOnTop, 4, stats(1000, 100, 10)));
        // Load falls by more than 10%: WORSE != SAME -> exit parking: ix 4 != 0
        // -> DIM_GOING_LEFT and a step to 3; prev_stats now taken.
        assert!(d.decision(&stats(100, 10, 10)));
        assert_eq!((d.tune_state, d.profile_ix, d.prev_stats), (TuneState::GoingLeft, 3, stats(100, 10, 10)));
    }

    #[test]
    fn worse_turns_and_two_turns_park_on_top() {
        // net_dim_decision: not BETTER -> dim_turn; dim_on_top (lib/dim/dim.c)
        // for DIM_GOING_LEFT is steps_right > 1 && steps_left == 1.
        use TuneState::*;
        let mut d = Dim::default();
        let seq = [
            stats(1000, 100, 60), // exit parking right: ix 1, steps_right 1
            stats(1000, 100, 40), // better: ix 2, steps_right 2
            stats(1000, 100, 50), // worse (more events): turn left, steps_left 0;
            //                       not on top (steps_left 0) -> step to 1, steps_left 1
            stats(1000, 100, 60), // worse: turn right, steps_right 0; on top? right:
            //                       steps_left 1 > 1 no -> step to 2, steps_right 1
            stats(1000, 100, 70), // worse: turn left, steps_left 0 -> step to 1 ...
        ];
        assert_eq!(
            run(&mut d, &seq),
            [(GoingRight, 1), (GoingRight, 2), (GoingLeft, 1), (GoingRight, 2), (GoingLeft, 1)]
        );
        // Now construct the on-top case directly: going left with
        // steps_right 2 and steps_left 1, then a non-better window: turn
        // right (steps_right = 0) -> on top for GOING_RIGHT needs steps_left
        // > 1: no. Going right with steps_left 2 and steps_right 1, then a
        // better window (no turn): on top -> park.
        let mut d = Dim {
            tune_state: GoingRight,
            profile_ix: 2,
            steps_left: 2,
            steps_right: 1,
            tired: 3,
            prev_stats: stats(1000, 100, 50),
            ..Dim::default()
        };
        assert!(!d.decision(&stats(1000, 100, 40)));
        assert_eq!((d.tune_state, d.profile_ix, d.tired), (ParkingOnTop, 2, 0));
    }

    #[test]
    fn ten_steps_make_it_tired_then_it_parks_ten_decisions() {
        // net_dim_step: tired == NET_DIM_PARAMS_NUM_PROFILES * 2 (10) ->
        // DIM_TOO_TIRED -> dim_park_tired; DIM_PARKING_TIRED counts tired down
        // once per decision and calls net_dim_exit_parking at 0.
        use TuneState::*;
        let mut d = Dim::default();
        // Alternate better/worse so it never parks on top: each window turns.
        let mut seq = vec![stats(1000, 100, 60)]; // exit parking: tired 1
        let mut ev = 60;
        for _ in 0..9 {
            ev += 10; // more events: worse -> turn and step
            seq.push(stats(1000, 100, ev));
        }
        let trace = run(&mut d, &seq);
        assert_eq!(d.tired, 10, "{trace:?}");
        assert!(matches!(d.tune_state, GoingLeft | GoingRight));
        let ix = d.profile_ix;
        ev += 10;
        assert!(!d.decision(&stats(1000, 100, ev)), "too tired: no step");
        assert_eq!((d.tune_state, d.profile_ix, d.tired), (ParkingTired, ix, 10));
        for left in (1..10).rev() {
            assert!(!d.decision(&stats(5000, 900, 1)), "parked tired ignores the stats");
            assert_eq!((d.tune_state, d.tired), (ParkingTired, left));
        }
        // Tenth decision: tired reaches 0 -> exit parking: left if ix != 0.
        let changed = d.decision(&stats(1000, 100, 10));
        let want = if ix != 0 { (GoingLeft, ix - 1) } else { (GoingRight, 1) };
        assert!(changed);
        assert_eq!((d.tune_state, d.profile_ix, d.tired), (want.0, want.1, 1));
    }

    #[test]
    fn net_dim_measures_nevents_then_decides_and_waits_for_apply() {
        // lib/dim/net_dim.c net_dim: DIM_START_MEASURE takes the start
        // sample; a decision only once BIT_GAP(16, event_ctr) >= DIM_NEVENTS;
        // a change sets DIM_APPLY_NEW_PROFILE until the work item is done.
        let mut d = Dim::default();
        let s = |t_us: u64, ev: u16| DimSample {
            time_ns: t_us * 1000,
            pkt_ctr: (t_us * 10) as u32,
            byte_ctr: (t_us * 1000) as u32,
            event_ctr: ev,
        };
        assert_eq!(d.net_dim(s(0, 65_500)), None);
        assert_eq!(d.state, MeasureState::MeasureInProgress);
        assert_eq!(d.net_dim(s(100, 65_535)), None, "35 events");
        assert_eq!(d.net_dim(s(200, 28)), Some(1), "64 events across the u16 wrap: leave parking right");
        assert_eq!(d.state, MeasureState::ApplyNewProfile);
        assert_eq!(d.net_dim(s(300, 200)), None, "ignored until applied");
        d.profile_applied();
        assert_eq!(d.net_dim(s(400, 300)), None);
        assert_eq!(d.start_sample, s(400, 300));
        // Same rates (200 us for 64 events again): not better -> turn left and step to 0.
        assert_eq!(d.net_dim(s(600, 364)), Some(0));
        // No change: the next window starts at once (fall through).
        let mut parked = Dim { profile_ix: 2, prev_stats: stats(1_000_000, 10_000, 160), ..Dim::default() };
        parked.net_dim(s(0, 0));
        assert_eq!(parked.net_dim(s(400, 64)), None);
        assert_eq!((parked.state, parked.start_sample), (MeasureState::MeasureInProgress, s(400, 64)));
    }
}
