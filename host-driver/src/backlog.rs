//! The legacy, interrupt-driven receive path (`napi = false`): what Linux
//! drivers did before NAPI, and what receive livelock (Mogul and
//! Ramakrishnan, "Eliminating Receive Livelock in an Interrupt-driven
//! Kernel", USENIX ATC 1996) is made of.
//!
//! The hard-IRQ handler leaves interrupts enabled and takes every completed
//! descriptor, passing over RX and TX up to [`MAX_INTR_PASSES`] times while
//! either finds work (e1000_intr without CONFIG_E1000_NAPI, Linux 2.6
//! drivers/net/e1000/e1000_main.c). Each frame goes to the per-CPU backlog
//! (netif_rx, net/core/dev.c: enqueue_to_backlog), which drops beyond
//! `netdev_max_backlog` frames (counted as `backlog_full`, Linux's
//! softnet_stat "dropped"). The NET_RX softirq then empties the backlog
//! (process_backlog, `napi_budget` frames per call, the kernel's weight_p
//! of 64) inside net_rx_action's `netdev_budget` / `netdev_budget_usecs`
//! limits. That softirq runs with interrupts enabled, so the platform is
//! asked between frames whether a hard IRQ is pending
//! ([`crate::Platform::irq_pending`]); if so the round stops where it is and
//! resumes, with what is left of its budget, on the next call.

use std::collections::VecDeque;

use crate::cost::spend;
use crate::driver::{Driver, IrqOutcome};
use crate::napi::SoftirqOutcome;
use crate::rx::{RxPacket, RxSink};
use crate::Platform;

/// Passes over RX and TX one legacy interrupt may make (E1000_MAX_INTR).
pub const MAX_INTR_PASSES: usize = 10;

/// The per-CPU input queue of the legacy path and the softirq round working
/// on it.
#[derive(Debug, Default)]
pub(crate) struct Backlog {
    queue: VecDeque<RxPacket>,
    /// A round preempted by a hard IRQ: frames it took, its time limit.
    round: Option<(usize, u64)>,
}

impl Backlog {
    /// Frames waiting.
    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }
}

/// netif_rx: queue on the backlog or drop when it is full.
struct Enqueue<'a> {
    queue: &'a mut VecDeque<RxPacket>,
    max: usize,
    dropped: u64,
}

impl RxSink for Enqueue<'_> {
    fn receive(&mut self, packet: RxPacket) -> u64 {
        if self.queue.len() < self.max {
            self.queue.push_back(packet);
        } else {
            self.dropped += 1;
        }
        0
    }
}

impl Driver {
    /// Frames on the legacy path's backlog, waiting for the softirq.
    pub fn backlog_len(&self) -> usize {
        self.backlog.len()
    }

    /// Whether the NET_RX softirq has work: NAPI is scheduled, or the
    /// legacy backlog holds frames.
    pub fn softirq_pending(&self) -> bool {
        self.napi_scheduled || self.backlog.len() > 0
    }

    /// The legacy handler's work once ICR said the interrupt is ours:
    /// passes over TX and RX until neither finds anything.
    pub(crate) fn legacy_intr<P: Platform + ?Sized>(&mut self, p: &mut P, causes: u32) -> IrqOutcome {
        let wake = self.tx_params().wake_threshold;
        let mut sink = Enqueue { queue: &mut self.backlog.queue, max: self.cfg.netdev_max_backlog, dropped: 0 };
        for _ in 0..MAX_INTR_PASSES {
            let rx = self.rx.clean(p, &self.costs, &mut self.stats, usize::MAX, &mut sink);
            let tx = self.tx.clean(p, &self.costs, &mut self.stats, wake);
            self.stats.legacy_intr_passes += 1;
            if rx == 0 && tx == 0 {
                break;
            }
        }
        self.stats.backlog_full += sink.dropped;
        IrqOutcome::Handled { causes }
    }

    /// One legacy softirq round (net_rx_action over process_backlog), or
    /// the rest of one a hard IRQ preempted.
    pub(crate) fn legacy_softirq<P: Platform + ?Sized>(&mut self, p: &mut P, sink: &mut dyn RxSink) -> SoftirqOutcome {
        let mut out = SoftirqOutcome::default();
        let (mut frames, deadline) = match self.backlog.round.take() {
            Some(round) => round,
            None => {
                self.stats.softirq_rounds += 1;
                (0, p.now_ns().saturating_add(self.cfg.netdev_budget_usecs.saturating_mul(1000)))
            }
        };
        while !self.backlog.queue.is_empty() {
            // One process_backlog call of up to `napi_budget` frames.
            self.stats.backlog_polls += 1;
            out.polls += 1;
            spend(p, self.costs.napi_poll_overhead);
            let mut quota = self.cfg.napi_budget;
            while quota > 0 {
                if p.irq_pending() {
                    self.backlog.round = Some((frames, deadline));
                    out.preempted = true;
                    return out;
                }
                let Some(mut packet) = self.backlog.queue.pop_front() else { break };
                // Handed to the stack now, not when the interrupt queued it.
                packet.rx_time_ns = p.now_ns();
                let ns = sink.receive(packet);
                spend(p, ns);
                quota -= 1;
                frames += 1;
                out.frames += 1;
            }
            if !self.backlog.queue.is_empty() && (frames >= self.cfg.netdev_budget || p.now_ns() >= deadline) {
                self.stats.time_squeeze += 1;
                out.squeezed = true;
                break;
            }
        }
        out
    }
}
