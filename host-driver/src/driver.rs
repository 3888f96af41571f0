//! The driver instance: probe (reset and bring-up), the hard-IRQ handler,
//! transmit, run-time coalescing and statistics. NAPI polling and the
//! softirq round are in [`crate::napi`].
//!
//! The driver never owns the platform: every call takes `&mut P`, so the
//! co-simulation keeps the machine and lends it for each driver entry point,
//! the way a kernel calls into a driver.

use bytes::Bytes;

use crate::backlog::Backlog;
use crate::config::{Coalesce, DriverConfig, DriverConfigError};
use crate::cost::{spend, CpuCosts};
use crate::dim::Dim;
use crate::error::{DriverError, TxError};
use crate::itr::LatencyRange;
use crate::moderation::{Moderation, ModerationChange};
use crate::regs::{self, icr};
use crate::rx::RxRing;
use crate::stats::{self, Stats};
use crate::tx::{TxOffload, TxParams, TxRing};
use crate::Platform;

/// Interrupt causes the driver enables (IMS) whenever interrupts are on.
///
/// e1000's IMS_ENABLE_MASK minus RXSEQ (not implemented by verinic) plus
/// RXO, so that overruns are seen as they happen rather than only in MPC.
/// TXQE is left out: TXDW already reports every completion that matters
/// (RS is set on every frame), and TXQE would add an interrupt per burst.
/// DMAERR (verinic's DMA error cause) is added: it starts the reset task.
pub const IMS_ENABLED: u32 = icr::RXT0 | icr::RXO | icr::RXDMT0 | icr::TXDW | icr::LSC | icr::DMAERR;

/// Value written to IMC to mask everything: all ones, as e1000 writes `~0`.
/// The device must ignore bits it does not implement.
pub const IMC_ALL: u32 = u32::MAX;

/// CPU time between two CTRL reads while waiting for a reset to finish.
pub const RESET_POLL_INTERVAL_NS: u64 = 1_000;

/// CTRL reads before a reset that has not finished is declared failed
/// (about 1 ms of waiting plus the reads themselves).
pub const RESET_MAX_POLLS: u32 = 1_000;

/// What [`Driver::irq`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IrqOutcome {
    /// ICR read 0: not this device's interrupt (IRQ_NONE).
    NotOurs,
    /// Causes found and NAPI scheduled (IRQ_HANDLED).
    Handled {
        /// The ICR value read (and thereby cleared).
        causes: u32,
    },
}

/// Ring positions, for traces and debugging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RingState {
    /// Bus address of the RX descriptor ring.
    pub rx_base: u64,
    /// Next RX descriptor the driver will check for DD.
    pub rx_next_to_clean: usize,
    /// The last value written to RDT: first RX slot without a buffer.
    pub rx_next_to_use: usize,
    /// Bus address of the TX descriptor ring.
    pub tx_base: u64,
    /// First TX descriptor not yet cleaned.
    pub tx_next_to_clean: usize,
    /// Next TX descriptor to fill (TDT once written).
    pub tx_next_to_use: usize,
    /// TX descriptors free.
    pub tx_free: usize,
}

/// A probed verinic device.
#[derive(Debug)]
pub struct Driver {
    pub(crate) cfg: DriverConfig,
    pub(crate) costs: CpuCosts,
    pub(crate) rx: RxRing,
    pub(crate) tx: TxRing,
    pub(crate) stats: Stats,
    pub(crate) napi_scheduled: bool,
    pub(crate) moderation: Moderation,
    pub(crate) backlog: Backlog,
    pub(crate) link_up: bool,
    /// VN_DMAERR as read by the last DMA error's reset task.
    pub(crate) last_dma_error: u32,
}

impl Driver {
    /// Validates `cfg`, resets the device and brings it up, with the
    /// default [`CpuCosts`].
    ///
    /// Register sequence: read VN_ID; write CTRL.RST and poll CTRL until RST
    /// clears; IMC = all ones, read ICR (drops stale causes); RDBAL, RDBAH,
    /// RDLEN, RDH = 0, RDT = 0, then TDBAL, TDBAH, TDLEN, TDH = 0, TDT = 0;
    /// RX descriptors 0..n-2 get buffers and RDT = n - 1 is written once;
    /// RDTR, RADV, VN_RXFRAMES, TIDV, TADV, VN_TXFRAMES, ITR; RCTL; TCTL;
    /// IMS = [`IMS_ENABLED`]; read STATUS for the link state.
    ///
    /// With `adaptive_rx` / `adaptive_tx` the coalescing writes carry DIM's
    /// default profile instead of the configured usecs and frames; with a
    /// dynamic `itr_mode`, ITR carries e1000's starting rate (20,000/s).
    pub fn probe<P: Platform + ?Sized>(p: &mut P, cfg: DriverConfig) -> Result<Driver, DriverError> {
        Self::probe_with_costs(p, cfg, CpuCosts::default())
    }

    /// [`Driver::probe`] with a given cost model.
    pub fn probe_with_costs<P: Platform + ?Sized>(
        p: &mut P,
        cfg: DriverConfig,
        costs: CpuCosts,
    ) -> Result<Driver, DriverError> {
        let mut cfg = cfg;
        cfg.validate()?;
        let mut stats = Stats::default();
        let moderation = Moderation::new(&mut cfg, &mut stats);
        let found = p.read_reg(regs::VN_ID);
        if found != regs::VN_ID_VALUE {
            return Err(DriverError::WrongDevice { found });
        }
        reset(p, &costs)?;
        costs.write_reg(p, regs::IMC, IMC_ALL);
        p.read_reg(regs::ICR);

        let mut rx = RxRing::new(p, cfg.rx_ring, cfg.rx_buf_len, cfg.rx_refill_batch);
        rx.rx_csum = cfg.rx_checksumming;
        let tx = TxRing::new(p, cfg.tx_ring);
        program_ring(
            p,
            &costs,
            [regs::RDBAL, regs::RDBAH, regs::RDLEN, regs::RDH, regs::RDT],
            rx.desc().base,
            cfg.rx_ring,
        );
        program_ring(
            p,
            &costs,
            [regs::TDBAL, regs::TDBAH, regs::TDLEN, regs::TDH, regs::TDT],
            tx.desc().base,
            cfg.tx_ring,
        );

        rx.refill(p, &costs, &mut stats);

        let mut coalesce_regs = cfg.coalesce.registers();
        if let Some(itr) = moderation.itr_register() {
            coalesce_regs.itr = itr;
        }
        for (reg, val) in coalesce_regs.writes() {
            costs.write_reg(p, reg, val);
        }
        costs.write_reg(p, regs::RXCSUM, cfg.rxcsum());
        costs.write_reg(p, regs::RCTL, cfg.rctl());
        costs.write_reg(p, regs::TCTL, cfg.tctl());
        costs.write_reg(p, regs::IMS, IMS_ENABLED);
        let link_up = p.read_reg(regs::STATUS) & regs::STATUS_LU != 0;

        Ok(Driver {
            cfg,
            costs,
            rx,
            tx,
            stats,
            napi_scheduled: false,
            moderation,
            backlog: Backlog::default(),
            link_up,
            last_dma_error: 0,
        })
    }

    /// The hard-IRQ handler (e1000_intr). Reads ICR, which clears it; if it is
    /// 0 the interrupt was not ours. Otherwise masks every device interrupt
    /// (IMC), counts the causes, re-reads STATUS on LSC, and schedules NAPI;
    /// interrupts stay masked until a poll completes under budget.
    ///
    /// With `napi = false` nothing is masked: the handler cleans RX and TX
    /// itself and queues frames on the backlog ([`crate::backlog`]).
    pub fn irq<P: Platform + ?Sized>(&mut self, p: &mut P) -> IrqOutcome {
        self.stats.irqs += 1;
        spend(p, self.costs.irq_entry);
        let causes = p.read_reg(regs::ICR);
        if causes == 0 {
            self.stats.irq_not_ours += 1;
            spend(p, self.costs.irq_exit);
            return IrqOutcome::NotOurs;
        }
        if self.cfg.napi {
            self.costs.write_reg(p, regs::IMC, IMC_ALL);
        }
        let s = &mut self.stats;
        for (bit, counter) in [
            (icr::RXT0, &mut s.irq_rxt0),
            (icr::RXO, &mut s.irq_rxo),
            (icr::RXDMT0, &mut s.irq_rxdmt0),
            (icr::TXDW, &mut s.irq_txdw),
            (icr::TXQE, &mut s.irq_txqe),
            (icr::LSC, &mut s.irq_lsc),
        ] {
            if causes & bit != 0 {
                *counter += 1;
            }
        }
        if causes & icr::LSC != 0 {
            self.link_up = p.read_reg(regs::STATUS) & regs::STATUS_LU != 0;
        }
        if causes & icr::DMAERR != 0 {
            return self.dma_error(p, causes);
        }
        let outcome = if self.cfg.napi {
            self.napi_scheduled = true;
            self.moderation.on_irq(&self.stats);
            IrqOutcome::Handled { causes }
        } else {
            self.legacy_intr(p, causes)
        };
        spend(p, self.costs.irq_exit);
        outcome
    }

    /// Queues one frame for transmission (ndo_start_xmit).
    ///
    /// The frame (without FCS) is copied into 2048-byte bounce buffers, one
    /// descriptor each, IFCS on all, EOP and RS on the last, IDE on all when
    /// `tx_usecs > 0`. TDT is written unless `more` says further frames follow
    /// at once (xmit_more); [`Driver::flush_tx`] writes a deferred tail. If
    /// fewer than `tx_stop_threshold` descriptors remain the queue stops
    /// (and TDT is written regardless of `more`); TX cleaning wakes it.
    pub fn xmit<P: Platform + ?Sized>(&mut self, p: &mut P, frame: Bytes, more: bool) -> Result<(), TxError> {
        self.xmit_offload(p, frame, TxOffload::None, more)
    }

    /// [`Driver::xmit`] with a checksum for the device to fill in (the
    /// stack's CHECKSUM_PARTIAL request: csum_start, csum_offset, and for
    /// IPv4 the header checksum too). The offsets are passed on as they are;
    /// ones that do not fit the frame make the device send it unmodified and
    /// count it (VN_TXCSUMERR).
    pub fn xmit_offload<P: Platform + ?Sized>(
        &mut self,
        p: &mut P,
        frame: Bytes,
        offload: TxOffload,
        more: bool,
    ) -> Result<(), TxError> {
        let params = self.tx_params();
        self.tx.xmit(p, &self.costs, &mut self.stats, params, frame, offload, more)
    }

    /// Writes TDT if frames were queued with `more = true` and not yet announced.
    pub fn flush_tx<P: Platform + ?Sized>(&mut self, p: &mut P) {
        self.tx.flush(p, &self.costs, &mut self.stats);
    }

    /// Whether the TX queue is stopped (netif_queue_stopped).
    pub fn tx_queue_stopped(&self) -> bool {
        self.tx.stopped()
    }

    /// Changes interrupt coalescing at run time (`ethtool -C`). Validates
    /// first; on error nothing is written. Otherwise writes RDTR, RADV,
    /// VN_RXFRAMES, TIDV, TADV, VN_TXFRAMES and ITR, in that order; IDE in
    /// TX descriptors follows `tx_usecs` from the next frame on.
    ///
    /// Under a dynamic `itr_mode` ITR keeps the dynamic rate (the given
    /// `itr_max_irqs_per_sec` is ignored); under `adaptive_rx` /
    /// `adaptive_tx` the given usecs and frames are written and stay until
    /// DIM's next profile change.
    pub fn set_coalesce<P: Platform + ?Sized>(&mut self, p: &mut P, c: Coalesce) -> Result<(), DriverConfigError> {
        c.validate()?;
        let mut c = c;
        let mut r = c.registers();
        if let Some(itr) = self.moderation.itr_register() {
            r.itr = itr;
            c.itr_max_irqs_per_sec = self.cfg.coalesce.itr_max_irqs_per_sec;
        }
        for (reg, val) in r.writes() {
            self.costs.write_reg(p, reg, val);
        }
        self.cfg.coalesce = c;
        Ok(())
    }

    /// The moderation changes DIM and dynamic ITR applied since the last
    /// call (at most [`crate::moderation::MODERATION_LOG_MAX`] kept), oldest first.
    pub fn take_moderation_log(&mut self) -> Vec<ModerationChange> {
        self.moderation.take_log()
    }

    /// The DIM state machines (RX, TX) when `adaptive_rx` / `adaptive_tx` are on.
    pub fn dim_state(&self) -> (Option<&Dim>, Option<&Dim>) {
        self.moderation.dims()
    }

    /// e1000's latency class in force (the larger of RX's and TX's) under a
    /// dynamic `itr_mode`.
    pub fn itr_class(&self) -> Option<LatencyRange> {
        self.moderation.itr_class()
    }

    /// The configuration in force.
    pub fn config(&self) -> &DriverConfig {
        &self.cfg
    }

    /// The cost model in force.
    pub fn costs(&self) -> &CpuCosts {
        &self.costs
    }

    /// Fault injection, for soak tests: while `held`, every RX refill fails
    /// as if no buffer could be allocated (e1000_alloc_rx_buffers when the
    /// skb allocation fails: `alloc_rx_buff_failed` counts each attempt and
    /// the slots stay empty). The ring drains, the device misses frames
    /// (`rx_missed_errors`, an RXO interrupt), and refilling resumes at the
    /// first clean after release.
    pub fn hold_rx_refill(&mut self, held: bool) {
        self.rx.refill_held = held;
    }

    /// Whether RX refills are held ([`Driver::hold_rx_refill`]).
    pub fn rx_refill_held(&self) -> bool {
        self.rx.refill_held
    }

    /// Replaces the cost model.
    pub fn set_costs(&mut self, costs: CpuCosts) {
        self.costs = costs;
    }

    /// Every counter with its ethtool-style name (`ethtool -S`).
    pub fn stats(&self) -> Vec<(&'static str, u64)> {
        self.stats.list()
    }

    /// Every counter, typed.
    pub fn counters(&self) -> &Stats {
        &self.stats
    }

    /// Reads the device's clear-on-read statistics registers (13 reads) and
    /// adds them to the hardware counters, as e1000's watchdog does.
    pub fn update_hw_stats<P: Platform + ?Sized>(&mut self, p: &mut P) {
        stats::accumulate_hw(&mut self.stats, p);
    }

    /// Link state from STATUS.LU, as last read (probe, an LSC interrupt, or
    /// the watchdog).
    pub fn link_up(&self) -> bool {
        self.link_up
    }

    /// Ring positions.
    pub fn ring_state(&self) -> RingState {
        let (rx, tx) = (self.rx.desc(), self.tx.desc());
        RingState {
            rx_base: rx.base,
            rx_next_to_clean: rx.next_to_clean,
            rx_next_to_use: rx.next_to_use,
            tx_base: tx.base,
            tx_next_to_clean: tx.next_to_clean,
            tx_next_to_use: tx.next_to_use,
            tx_free: self.tx.free(),
        }
    }

    pub(crate) fn tx_params(&self) -> TxParams {
        TxParams {
            max_frame_len: self.cfg.tx_max_frame_len,
            stop_threshold: self.cfg.tx_stop_threshold,
            wake_threshold: self.cfg.tx_wake_threshold,
            ide: self.cfg.coalesce.tx_ide(),
        }
    }
}

/// Sets CTRL.RST and waits, bounded, for the device to clear it.
pub(crate) fn reset<P: Platform + ?Sized>(p: &mut P, costs: &CpuCosts) -> Result<(), DriverError> {
    costs.write_reg(p, regs::CTRL, regs::CTRL_RST);
    let start = p.now_ns();
    for _ in 0..RESET_MAX_POLLS {
        spend(p, RESET_POLL_INTERVAL_NS);
        if p.read_reg(regs::CTRL) & regs::CTRL_RST == 0 {
            return Ok(());
        }
    }
    Err(DriverError::ResetTimeout { polls: RESET_MAX_POLLS, waited_ns: p.now_ns().saturating_sub(start) })
}

/// Base (low, high), length in bytes, head = 0, tail = 0.
pub(crate) fn program_ring<P: Platform + ?Sized>(p: &mut P, costs: &CpuCosts, r: [u32; 5], base: u64, n: usize) {
    let [bal, bah, len, head, tail] = r;
    costs.write_reg(p, bal, base as u32);
    costs.write_reg(p, bah, (base >> 32) as u32);
    costs.write_reg(p, len, (n * crate::desc::DESC_LEN) as u32);
    costs.write_reg(p, head, 0);
    costs.write_reg(p, tail, 0);
}
