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
        if cfg.adaptive_rx {
            set_rx(cfg, mode, dim::rx_profile(mode, def));
            stats.dim_rx_profile = def as u64;
        }
        if cfg.adaptive_tx {
            set_tx(cfg, mode, dim::tx_profile(mode, def));
            stats.dim_tx_profile = def as u64;
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
        let now = p.now_ns();
        if let Some(d) = self.dim_rx.as_mut() {
            // The kernel's sample holds the low 32 bits of the u64 counters.
            let sample = DimSample {
                time_ns: now,
                pkt_ctr: s.rx_packets as u32,
                byte_ctr: s.rx_bytes as u32,
                event_ctr: self.event_ctr,
            };
            if let Some(ix) = d.net_dim(sample) {
                let prof = dim::rx_profile(self.mode, ix);
                let timer = if self.mode == DimMode::Eqe { regs::RADV } else { regs::RDTR };
                costs.write_reg(p, timer, usecs_to_delay_units(prof.usec.into()));
                costs.write_reg(p, regs::VN_RXFRAMES, prof.pkts.into());
                set_rx(cfg, self.mode, prof);
                d.profile_applied();
                s.dim_rx_profile_changes += 1;
                s.dim_rx_profile = ix as u64;
                self.record(now, ModerationSource::DimRx, ix as u32);
            }
        }
        if let Some(d) = self.dim_tx.as_mut() {
            let now = p.now_ns();
            let sample = DimSample {
                time_ns: now,
                pkt_ctr: s.tx_packets as u32,
                byte_ctr: s.tx_bytes as u32,
                event_ctr: self.event_ctr,
            };
            if let Some(ix) = d.net_dim(sample) {
                let prof = dim::tx_profile(self.mode, ix);
                let timer = if self.mode == DimMode::Eqe { regs::TADV } else { regs::TIDV };
                costs.write_reg(p, timer, usecs_to_delay_units(prof.usec.into()));
                costs.write_reg(p, regs::VN_TXFRAMES, prof.pkts.into());
                set_tx(cfg, self.mode, prof);
                d.profile_applied();
                s.dim_tx_profile_changes += 1;
                s.dim_tx_profile = ix as u64;
                self.record(now, ModerationSource::DimTx, ix as u32);
            }
        }
    }
}

/// A RX profile into the configuration: `usec` to `rx_usecs_abs` (EQE) or
/// `rx_usecs` (CQE), `pkts` to `rx_frames`.
fn set_rx(cfg: &mut DriverConfig, mode: DimMode, p: DimProfile) {
    match mode {
        DimMode::Eqe => cfg.coalesce.rx_usecs_abs = p.usec.into(),
        DimMode::Cqe => cfg.coalesce.rx_usecs = p.usec.into(),
    }
    cfg.coalesce.rx_frames = p.pkts.into();
}

/// A TX profile into the configuration: `usec` to `tx_usecs_abs` (EQE) or
/// `tx_usecs` (CQE), `pkts` to `tx_frames`.
fn set_tx(cfg: &mut DriverConfig, mode: DimMode, p: DimProfile) {
    match mode {
        DimMode::Eqe => cfg.coalesce.tx_usecs_abs = p.usec.into(),
        DimMode::Cqe => cfg.coalesce.tx_usecs = p.usec.into(),
    }
    cfg.coalesce.tx_frames = p.pkts.into();
}
