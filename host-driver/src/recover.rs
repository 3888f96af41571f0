//! Recovery: the device is reset and the rings start over, as e1000's
//! reset task does (`e1000_reset_task` -> `e1000_reinit_locked` ->
//! `e1000_down` / `e1000_up` in `drivers/net/ethernet/intel/e1000/e1000_main.c`;
//! `e1000_clean_tx_ring` / `e1000_clean_rx_ring` free what the rings held).
//!
//! What starts it here: a DMAERR interrupt (a DMA transfer was answered
//! SLVERR or DECERR and the device halted that path, docs/nic.md "DMA and bus
//! errors"); a TX timeout, which the watchdog finds ([`crate::watchdog`]:
//! transmit work outstanding and no completion for `tx_timeout_us`, or the
//! link down with work outstanding; e1000's `e1000_tx_timeout` and
//! `e1000_watchdog` schedule this same task); or a caller of
//! [`Driver::reset_device`] (the reset-under-load test). Differences from
//! e1000: the task runs at once in the context that found the need (the IRQ
//! handler for DMAERR, the watchdog's timer for a TX timeout) rather than on
//! a workqueue, and the rings and buffers are kept (zeroed and reused)
//! rather than freed and allocated again.
//!
//! Accounting, so that nothing is lost without a reason:
//! - `reset_count` counts the resets, `dma_errors` the DMAERR interrupts,
//!   `tx_timeout_count` the TX timeouts;
//! - the device's statistics are read once, after CTRL.RST
//!   (CTRL.RST keeps them, docs/nic.md "Reset: every frame counted");
//! - TX frames the device reported done (DD) are cleaned first, as usual;
//!   `tx_reset_dropped` counts the others, queued and not reported done,
//!   whose buffers are freed (some may have left on the wire: the device
//!   sends a frame before it writes its descriptor back);
//! - `tx_reset_lost`: frames the driver is done with (completed or dropped)
//!   that never went out: GPTC, read after the reset, is short of them.
//!   Completed frames still in the device's TX FIFO are among them;
//! - `rx_reset_lost`: frames the device took (GPRC) and did not drop (MPC)
//!   that the driver never finished (delivered or counted in `rx_errors`):
//!   they were in the FIFO, in flight to the ring, on the ring not yet
//!   cleaned, or half taken off it. The statistics are read again after the
//!   reset (CTRL.RST does not clear them, docs/nic.md): a frame still
//!   arriving when the reset came, or arriving before the receiver is enabled
//!   again, is received whole by the MAC and discarded by the device, counted
//!   in VN_RXDISC (`rx_discarded`) or by its error counter, so it is not in
//!   the sum.

use crate::cost::spend;
use crate::driver::{program_ring, reset, Driver, IrqOutcome, IMC_ALL, IMS_ENABLED};
use crate::error::DriverError;
use crate::{regs, Platform};

/// Where every buffer of the driver is (buffer pool conservation): free in
/// its pool or given to the device on its ring. Frames are copied out of and
/// into the buffers, so none is ever held by the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferCensus {
    /// RX buffers free in the pool.
    pub rx_free: usize,
    /// RX buffers on the ring.
    pub rx_on_ring: usize,
    /// RX pool size.
    pub rx_capacity: usize,
    /// TX buffers free in the pool.
    pub tx_free: usize,
    /// TX buffers held by queued descriptors.
    pub tx_queued: usize,
    /// TX pool size.
    pub tx_capacity: usize,
}

/// The driver's DMA memory, each region as (bus address, bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DmaRegions {
    /// The RX descriptor ring.
    pub rx_ring: (u64, u64),
    /// The RX buffer pool.
    pub rx_buffers: (u64, u64),
    /// The TX descriptor ring.
    pub tx_ring: (u64, u64),
    /// The TX buffer pool.
    pub tx_buffers: (u64, u64),
}

impl BufferCensus {
    /// Every buffer is in exactly one place.
    pub fn conserved(&self) -> bool {
        self.rx_free + self.rx_on_ring == self.rx_capacity && self.tx_free + self.tx_queued == self.tx_capacity
    }
}

impl Driver {
    /// Resets the device and starts the rings over (e1000_reinit_locked):
    /// masks interrupts, sets CTRL.RST and waits for it, reads the statistics
    /// registers, frees what both rings held (counted in
    /// `tx_reset_dropped` and `rx_reset_lost`), then programs the device as
    /// [`Driver::probe`] does (same rings and buffers) and unmasks
    /// interrupts. NAPI is left unscheduled: the rings are empty.
    pub fn reset_device<P: Platform + ?Sized>(&mut self, p: &mut P) -> Result<(), DriverError> {
        self.costs.write_reg(p, regs::IMC, IMC_ALL);
        reset(p, &self.costs)?;
        self.costs.write_reg(p, regs::IMC, IMC_ALL);
        p.read_reg(regs::ICR);
        // CTRL.RST keeps the statistics registers, so one read after it takes
        // everything the device counted up to now, the reset included (e1000
        // reads them before, in e1000_down, and after, in e1000_init_hw, to clear them:
        // e1000_clear_hw_cntrs; we keep the counts). From here until RCTL.EN
        // is set, arriving frames are discarded and counted in VN_RXDISC.
        self.update_hw_stats(p);

        // Frames the device reported done (DD) before the reset are completed,
        // not dropped: clean them first.
        let wake = self.tx_params().wake_threshold;
        self.tx.clean(p, &self.costs, &mut self.stats, wake);
        let s = &mut self.stats;
        let taken = s.gprc.saturating_sub(s.rx_missed_errors);
        let finished = s.rx_packets + s.rx_errors + s.rx_reset_lost;
        s.rx_reset_lost += taken.saturating_sub(finished);
        s.tx_reset_dropped += self.tx.reset_ring(p);
        // The reset let the frame on the wire finish and started none, and the
        // statistics were read after it: every frame the driver is done with
        // either went out (GPTC) or is lost.
        s.tx_reset_lost = (s.tx_packets + s.tx_reset_dropped).saturating_sub(s.gptc);
        self.rx.reset_ring(p);
        s.reset_count += 1;

        program_ring(
            p,
            &self.costs,
            [regs::RDBAL, regs::RDBAH, regs::RDLEN, regs::RDH, regs::RDT],
            self.rx.desc().base,
            self.cfg.rx_ring,
        );
        program_ring(
            p,
            &self.costs,
            [regs::TDBAL, regs::TDBAH, regs::TDLEN, regs::TDH, regs::TDT],
            self.tx.desc().base,
            self.cfg.tx_ring,
        );
        self.rx.refill(p, &self.costs, &mut self.stats);
        let mut coalesce_regs = self.cfg.coalesce.registers();
        if let Some(itr) = self.moderation.itr_register() {
            coalesce_regs.itr = itr;
        }
        for (reg, val) in coalesce_regs.writes() {
            self.costs.write_reg(p, reg, val);
        }
        self.costs.write_reg(p, regs::RXCSUM, self.cfg.rxcsum());
        self.costs.write_reg(p, regs::RCTL, self.cfg.rctl());
        self.costs.write_reg(p, regs::TCTL, self.cfg.tctl());
        self.napi_scheduled = false;
        self.costs.write_reg(p, regs::IMS, IMS_ENABLED);
        Ok(())
    }

    /// The IRQ handler's path for DMAERR: reads VN_DMAERR (kept for
    /// [`Driver::last_dma_error`]) and runs the reset task at once. A reset
    /// that does not complete leaves the device masked (nothing more can be
    /// done for it; `reset_count` does not move).
    pub(crate) fn dma_error<P: Platform + ?Sized>(&mut self, p: &mut P, causes: u32) -> IrqOutcome {
        self.stats.dma_errors += 1;
        self.last_dma_error = p.read_reg(regs::VN_DMAERR);
        let _ = self.reset_device(p);
        spend(p, self.costs.irq_exit);
        IrqOutcome::Handled { causes }
    }

    /// VN_DMAERR as the last DMA error's reset task read it (the kinds in
    /// bits 5:0, [`regs::dmaerr`]); 0 before any.
    pub fn last_dma_error(&self) -> u32 {
        self.last_dma_error
    }

    /// The DMA memory the driver mapped for the device, each (bus address,
    /// bytes): RX ring, RX buffers, TX ring, TX buffers.
    pub fn dma_regions(&self) -> DmaRegions {
        let [rx_ring, rx_buffers] = self.rx.regions();
        let [tx_ring, tx_buffers] = self.tx.regions();
        DmaRegions { rx_ring, rx_buffers, tx_ring, tx_buffers }
    }

    /// Where every buffer is now.
    pub fn buffer_census(&self) -> BufferCensus {
        let (rx_free, rx_on_ring, rx_capacity) = self.rx.census();
        let (tx_free, tx_queued, tx_capacity) = self.tx.census();
        BufferCensus { rx_free, rx_on_ring, rx_capacity, tx_free, tx_queued, tx_capacity }
    }
}
