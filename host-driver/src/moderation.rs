//! Adaptive interrupt moderation in the driver: where [`crate::dim`] (Linux
//! DIM) and [`crate::itr`] (e1000's dynamic ITR) are sampled, and how their
//! decisions reach the device.
//!
//! - Every interrupt the handler claims is one DIM event (`event_ctr++`, as
//!   mlx5e_completion_event counts them) and, as in e1000_intr when NAPI is
//!   scheduled, restarts e1000's per-interrupt totals (`total_rx_packets`...).
//! - At NAPI completion (a poll under budget, napi_complete_done), before
//!   interrupts are unmasked: e1000_clean calls e1000_set_itr, and DIM drivers
//!   (mlx5e_napi_poll -> mlx5e_handle_rx_dim -> net_dim) take their sample;
//!   so does [`Moderation::on_napi_complete`].
//! - A decision is applied at once through the coalescing registers, each
//!   write charged as an MMIO write. A profile's `usec` goes where the CQ
//!   period mode's meaning lives on this NIC: in EQE mode (the period starts
//!   at the first completion and does not restart) that is the absolute timer,
//!   `rx_usecs_abs` -> RADV (`tx_usecs_abs` -> TADV); in CQE mode (the
//!   period restarts at every completion) the packet timer, `rx_usecs` ->
//!   RDTR (`tx_usecs` -> TIDV); `pkts` -> `rx_frames` -> VN_RXFRAMES
//!   (`tx_frames` -> VN_TXFRAMES). Dynamic ITR writes ITR = 1e9 / (rate *
//!   256). The driver's configuration ([`crate::Driver::config`]) follows, so
//!   it shows what is in force.

use crate::config::{usecs_to_delay_units, DriverConfig};
use crate::cost::CpuCosts;
use crate::dim::{self, Dim, DimMode, DimProfile, DimSample};
use crate::itr::{self, DynamicItr, ItrMode, LatencyRange};
use crate::regs;
use crate::stats::Stats;
use crate::Platform;

/// Entries [`Moderation`] keeps in its change log before it stops recording
/// (counters keep counting); [`crate::Driver::take_moderation_log`] empties it.
pub const MODERATION_LOG_MAX: usize = 65_536;

/// Which mechanism changed the moderation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModerationSource {
    /// RX DIM (`adaptive_rx`): the value is the new profile index.
    DimRx,
    /// TX DIM (`adaptive_tx`): the value is the new profile index.
    DimTx,
    /// e1000's dynamic ITR: the value is the new rate in interrupts/s.
    Itr,
}

/// One moderation change, as applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModerationChange {
    /// CPU time of the decision (ns, the platform's clock).
    pub at_ns: u64,
    /// Who decided.
    pub source: ModerationSource,
    /// Profile index (DIM) or interrupts/s (ITR).
    pub value: u32,
}

/// The adaptive-moderation state of one driver instance.
#[derive(Debug, Clone)]
pub(crate) struct Moderation {
    mode: dim::DimMode,
    dim_rx: Option<Dim>,
    dim_tx: Option<Dim>,
    itr: Option<DynamicItr>,
    /// DIM's `event_ctr`: interrupts claimed.
    event_ctr: u16,
    /// rx_packets, rx_bytes, tx_packets, tx_bytes at the last interrupt.
    at_irq: [u64; 4],
    log: Vec<ModerationChange>,
}

impl Moderation {
    /// The state for `cfg`, and `cfg` adjusted to what probe must program:
    /// DIM's default profile (NET_DIM_DEF_PROFILE_*) in place of the
    /// configured usecs/frames, and with dynamic ITR e1000's starting rate.
    pub(crate) fn new(cfg: &mut DriverConfig, stats: &mut Stats) -> Self {
        let mode = cfg.dim_mode;
        let def = dim::default_profile_ix(mode);
        for (on, dir) in [(cfg.adaptive_rx, Direction::Rx), (cfg.adaptive_tx, Direction::Tx)] {
            if on {
                dir.apply(cfg, mode, dir.profile(mode, def));
                *dir.stats(stats).1 = def as u64;
            }
        }
        let itr = match cfg.itr_mode {
            ItrMode::Static => None,
            m => {
                let d = DynamicItr::new(m);
                cfg.coalesce.itr_max_irqs_per_sec = d.itr;
                stats.itr_rate = d.itr.into();
                Some(d)
            }
        };
        Moderation {
            mode,
            dim_rx: cfg.adaptive_rx.then(Dim::default),
            dim_tx: cfg.adaptive_tx.then(Dim::default),
            itr,
            event_ctr: 0,
            at_irq: [0; 4],
            log: Vec::new(),
        }
    }

    /// The ITR register value in force under dynamic ITR, if on.
    pub(crate) fn itr_register(&self) -> Option<u32> {
        self.itr.map(|d| itr::itr_register(d.itr))
    }

    /// The e1000 latency class in force, if dynamic ITR is on.
    pub(crate) fn itr_class(&self) -> Option<LatencyRange> {
        self.itr.map(|d| d.current())
    }

    /// The DIM state machines (RX, TX), for inspection.
    pub(crate) fn dims(&self) -> (Option<&Dim>, Option<&Dim>) {
        (self.dim_rx.as_ref(), self.dim_tx.as_ref())
    }

    pub(crate) fn take_log(&mut self) -> Vec<ModerationChange> {
        std::mem::take(&mut self.log)
    }

    /// An interrupt was claimed and NAPI scheduled.
    pub(crate) fn on_irq(&mut self, s: &Stats) {
        self.event_ctr = self.event_ctr.wrapping_add(1);
        self.at_irq = [s.rx_packets, s.rx_bytes, s.tx_packets, s.tx_bytes];
    }

    fn record(&mut self, at_ns: u64, source: ModerationSource, value: u32) {
        if self.log.len() < MODERATION_LOG_MAX {
            self.log.push(ModerationChange { at_ns, source, value });
        }
    }

    /// NAPI completed: dynamic ITR (e1000_set_itr), then DIM on RX and TX.
    pub(crate) fn on_napi_complete<P: Platform + ?Sized>(
        &mut self,
        p: &mut P,
        costs: &CpuCosts,
        cfg: &mut DriverConfig,
        s: &mut Stats,
    ) {
        if let Some(d) = self.itr.as_mut() {
            let [rp, rb, tp, tb] = self.at_irq;
            let changed = d.set_itr(
                s.rx_packets.wrapping_sub(rp),
                s.rx_bytes.wrapping_sub(rb),
                s.tx_packets.wrapping_sub(tp),
                s.tx_bytes.wrapping_sub(tb),
            );
            if let Some(rate) = changed {
                costs.write_reg(p, regs::ITR, itr::itr_register(rate));
                cfg.coalesce.itr_max_irqs_per_sec = rate;
                s.itr_changes += 1;
                s.itr_rate = rate.into();
                self.record(p.now_ns(), ModerationSource::Itr, rate);
            }
        }
        if self.dim_rx.is_none() && self.dim_tx.is_none() {
            return;
        }
        for dir in [Direction::Rx, Direction::Tx] {
            let dim = match dir {
                Direction::Rx => self.dim_rx.as_mut(),
                Direction::Tx => self.dim_tx.as_mut(),
            };
            let Some(d) = dim else { continue };
            // Each direction samples when it gets its turn (after the other's register writes).
            let now = p.now_ns();
            let (pkts, bytes) = dir.counters(s);
            // The kernel's sample holds the low 32 bits of the u64 counters.
            let sample =
                DimSample { time_ns: now, pkt_ctr: pkts as u32, byte_ctr: bytes as u32, event_ctr: self.event_ctr };
            let Some(ix) = d.net_dim(sample) else { continue };
            let prof = dir.profile(self.mode, ix);
            let (timer_reg, frames_reg) = dir.registers(self.mode);
            costs.write_reg(p, timer_reg, usecs_to_delay_units(prof.usec.into()));
            costs.write_reg(p, frames_reg, prof.pkts.into());
            dir.apply(cfg, self.mode, prof);
            d.profile_applied();
            let (changes, current) = dir.stats(s);
            *changes += 1;
            *current = ix as u64;
            self.record(now, dir.source(), ix as u32);
        }
    }
}

/// A direction DIM moderates: where its sample, profiles, registers,
/// settings and counters are.
#[derive(Debug, Clone, Copy)]
enum Direction {
    Rx,
    Tx,
}

impl Direction {
    /// Packets and bytes so far.
    fn counters(self, s: &Stats) -> (u64, u64) {
        match self {
            Direction::Rx => (s.rx_packets, s.rx_bytes),
            Direction::Tx => (s.tx_packets, s.tx_bytes),
        }
    }

    fn profile(self, mode: DimMode, ix: usize) -> DimProfile {
        match self {
            Direction::Rx => dim::rx_profile(mode, ix),
            Direction::Tx => dim::tx_profile(mode, ix),
        }
    }

    /// The timer register (EQE: the absolute timer, RADV/TADV; CQE: the
    /// packet timer, RDTR/TIDV) and the frame-threshold register.
    fn registers(self, mode: DimMode) -> (u32, u32) {
        match (self, mode) {
            (Direction::Rx, DimMode::Eqe) => (regs::RADV, regs::VN_RXFRAMES),
            (Direction::Rx, DimMode::Cqe) => (regs::RDTR, regs::VN_RXFRAMES),
            (Direction::Tx, DimMode::Eqe) => (regs::TADV, regs::VN_TXFRAMES),
            (Direction::Tx, DimMode::Cqe) => (regs::TIDV, regs::VN_TXFRAMES),
        }
    }

    /// A profile into the configuration fields the registers mirror:
    /// `usec` to the absolute (EQE) or packet (CQE) timer, `pkts` to frames.
    fn apply(self, cfg: &mut DriverConfig, mode: DimMode, p: DimProfile) {
        let c = &mut cfg.coalesce;
        let (usecs, frames) = match (self, mode) {
            (Direction::Rx, DimMode::Eqe) => (&mut c.rx_usecs_abs, &mut c.rx_frames),
            (Direction::Rx, DimMode::Cqe) => (&mut c.rx_usecs, &mut c.rx_frames),
            (Direction::Tx, DimMode::Eqe) => (&mut c.tx_usecs_abs, &mut c.tx_frames),
            (Direction::Tx, DimMode::Cqe) => (&mut c.tx_usecs, &mut c.tx_frames),
        };
        (*usecs, *frames) = (p.usec.into(), p.pkts.into());
    }

    /// The `ethtool -S` counters: (profile changes, current profile).
    fn stats(self, s: &mut Stats) -> (&mut u64, &mut u64) {
        match self {
            Direction::Rx => (&mut s.dim_rx_profile_changes, &mut s.dim_rx_profile),
            Direction::Tx => (&mut s.dim_tx_profile_changes, &mut s.dim_tx_profile),
        }
    }

    fn source(self) -> ModerationSource {
        match self {
            Direction::Rx => ModerationSource::DimRx,
            Direction::Tx => ModerationSource::DimTx,
        }
    }
}
