//! NAPI: the poll function and the softirq round that calls it
//! (Documentation/networking/napi.rst, "Datapath API" and "Scheduling and IRQ
//! masking"; the round is net_rx_action in net/core/dev.c, bounded by
//! netdev_budget and netdev_budget_usecs). NAPI itself: Salim, Olsson and
//! Kuznetsov, "Beyond Softnet", 5th Annual Linux Showcase, 2001; the receive
//! livelock it prevents: Mogul and Ramakrishnan, "Eliminating Receive Livelock
//! in an Interrupt-driven Kernel", USENIX ATC 1996.
//!
//! The IRQ handler masks the device and sets `napi_scheduled`; polls then run
//! with interrupts masked until one finishes under budget, which completes
//! NAPI and unmasks (IMS). Who runs the softirq, and when, is the caller's
//! business: in the co-simulation, its model of the CPU's scheduler.

use crate::cost::spend;
use crate::driver::{Driver, IMS_ENABLED};
use crate::regs;
use crate::rx::RxSink;
use crate::Platform;

/// What one [`Driver::softirq`] round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SoftirqOutcome {
    /// NAPI polls made.
    pub polls: usize,
    /// RX frames finished (delivered or dropped).
    pub frames: usize,
    /// The round stopped on netdev_budget or netdev_budget_usecs with NAPI
    /// still scheduled (counted in `time_squeeze`): run another round later.
    pub squeezed: bool,
    /// The round stopped because a hard IRQ was pending (legacy path only):
    /// it resumes on the next call.
    pub preempted: bool,
}

impl Driver {
    /// Whether NAPI is scheduled: an interrupt was taken and polling has not
    /// yet completed. While it is, device interrupts are masked.
    pub fn napi_scheduled(&self) -> bool {
        self.napi_scheduled
    }

    /// One NAPI poll. Cleans TX completions first (not counted against the
    /// budget, as napi.rst asks), then takes up to `budget` RX frames,
    /// delivering the good ones to `sink` and refilling in batches.
    ///
    /// Returns the RX frames finished. Under budget: NAPI completes
    /// (napi_complete_done), adaptive moderation takes its sample (dynamic
    /// ITR, DIM: [`crate::moderation`]) and interrupts are unmasked with one
    /// IMS write, after all RX and TX work of this poll. At budget: NAPI stays scheduled
    /// and interrupts stay masked, for a repoll.
    ///
    /// `budget = 0` cleans TX only and never completes, as netpoll uses it.
    /// A poll while NAPI is not scheduled (busy polling) does the work but
    /// leaves the interrupt mask alone.
    pub fn napi_poll<P: Platform + ?Sized>(&mut self, p: &mut P, budget: usize, sink: &mut dyn RxSink) -> usize {
        self.stats.napi_polls += 1;
        spend(p, self.costs.napi_poll_overhead);
        let wake = self.tx_params().wake_threshold;
        self.tx.clean(p, &self.costs, &mut self.stats, wake);
        if budget == 0 {
            return 0;
        }
        let work = self.rx.clean(p, &self.costs, &mut self.stats, budget, sink);
        if work < budget {
            if self.napi_scheduled {
                self.napi_scheduled = false;
                self.stats.napi_complete += 1;
                // e1000_clean: e1000_set_itr before e1000_irq_enable; net_dim
                // users sample here too (see crate::moderation).
                self.moderation.on_napi_complete(p, &self.costs, &mut self.cfg, &mut self.stats);
                self.costs.write_reg(p, regs::IMS, IMS_ENABLED);
            }
        } else {
            self.stats.napi_repoll += 1;
        }
        work
    }

    /// One softirq round (net_rx_action): polls while NAPI is scheduled,
    /// `napi_budget` frames per poll, until the poll completes, or the round
    /// has taken `netdev_budget` frames, or `netdev_budget_usecs` of CPU time
    /// have passed (measured with `now_ns`). As in Linux, the limits are
    /// checked after each poll, so a round can end up to `napi_budget - 1`
    /// frames past `netdev_budget` (300 -> 320 with polls of 64).
    ///
    /// Stopping with NAPI still scheduled counts `time_squeeze`; the caller
    /// then runs another round when its scheduler lets the softirq run again.
    ///
    /// With `napi = false` the round empties the legacy backlog instead
    /// ([`crate::backlog`]).
    pub fn softirq<P: Platform + ?Sized>(&mut self, p: &mut P, sink: &mut dyn RxSink) -> SoftirqOutcome {
        if !self.cfg.napi {
            return self.legacy_softirq(p, sink);
        }
        self.stats.softirq_rounds += 1;
        let mut out = SoftirqOutcome::default();
        let deadline = p.now_ns().saturating_add(self.cfg.netdev_budget_usecs.saturating_mul(1000));
        while self.napi_scheduled {
            let w = self.napi_poll(p, self.cfg.napi_budget, sink);
            out.polls += 1;
            out.frames += w;
            if self.napi_scheduled && (out.frames >= self.cfg.netdev_budget || p.now_ns() >= deadline) {
                self.stats.time_squeeze += 1;
                out.squeezed = true;
                break;
            }
        }
        out
    }
}
