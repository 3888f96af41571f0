//! The watchdog: the driver's periodic work, and the TX timeout that notices
//! a transmitter which stopped without telling anyone.
//!
//! Linux splits this over two timers (the sources, checked against Linux's
//! `net/sched/sch_generic.c` and `drivers/net/ethernet/intel/e1000/e1000_main.c`):
//! - `e1000_watchdog`, every 2 s (`schedule_delayed_work(..., 2 * HZ)`):
//!   checks the link, reads the statistics registers (`e1000_update_stats`),
//!   and if the link is down with transmit work queued ("the controller
//!   stops DMA, but we've got queued Tx work that's never going to get
//!   done") bumps `tx_timeout_count` and schedules the reset task; else it
//!   sets `detect_tx_hung`, so that the next `e1000_clean_tx_irq` stops the
//!   queue if the oldest frame not completed was queued more than a second
//!   ago (`tx_timeout_factor * HZ`) and the link partner did not pause it
//!   (STATUS.TXOFF);
//! - `dev_watchdog`, the netdev watchdog timer (TIMER_SOFTIRQ), every
//!   `watchdog_timeo` (`netdev->watchdog_timeo = 5 * HZ` in e1000_probe):
//!   a queue that is stopped and whose `trans_start` (the last transmit)
//!   is more than `watchdog_timeo` old (`time_after`, strictly) calls the
//!   driver's `ndo_tx_timeout`, `e1000_tx_timeout`, which bumps
//!   `tx_timeout_count` and schedules `reset_task` (`e1000_reinit_locked`:
//!   [`crate::recover`]).
//!
//! Here one entry point, [`Driver::watchdog`], called every
//! `watchdog_interval_us` by whoever runs the driver (the co-simulation runs
//! it as a timer on the simulated CPU), does both, in e1000_watchdog's
//! order but for the statistics, read last:
//! 1. link: read STATUS (`e1000_has_link` reads STATUS.LU for fiber links);
//! 2. link down with TX work outstanding: `tx_timeout_count`, reset;
//! 3. the TX hang rule (with `tx_timeout_us` > 0): TX work outstanding (a
//!    frame queued and not cleaned), the device has not reported the oldest
//!    of it done (no DD in its EOP descriptor), and no progress for strictly
//!    longer than `tx_timeout_us`, progress being a completion cleaned or the
//!    first frame queued on an empty ring: `tx_timeout_count`, reset;
//! 4. statistics: [`Driver::update_hw_stats`] (a reset reads them itself,
//!    after CTRL.RST). Read after the rule looks at the ring:
//!    their reads stall the CPU for microseconds, in which a moving
//!    device would report the oldest frame done and hide a stale clock.
//!
//! The reset is [`Driver::reset_device`]: frames it drops count in
//! `tx_reset_dropped` (and `rx_reset_lost`), the reset in `reset_count`.
//!
//! Deviations, and why:
//! - one threshold instead of two (1 s to mark the hang, then 5 s of a
//!   stopped queue): with the queue stopped by the hang detection itself,
//!   Linux's two steps amount to "no progress for a while"; the one
//!   threshold is the configured `tx_timeout_us`. The queue need not be
//!   stopped: an application sending slowly would take long to fill the
//!   ring, and a stopped device is hung whether or not the ring is full;
//! - progress is a completion, not a frame's own queueing time (e1000's
//!   `buffer_info[eop].time_stamp`): at 10 Gb/s a ring of 256 full-size
//!   frames takes 300 us to drain, and the short timeouts a simulation
//!   uses would take a deep but moving queue for a hung one;
//! - a DD already written for the oldest frame means the device moves and
//!   the CPU is late (e1000 checks after cleaning, so it never sees one);
//! - no TXOFF (verinic has no flow control) and no ICS.RXDMT0 kick
//!   (e1000 "causes software interrupt to ensure rx ring is cleaned"):
//!   verinic's causes stay latched in ICR until read and its timers always
//!   fire, so no RX interrupt is lost that a kick would recover;
//! - the reset runs at once in the watchdog's context, not on a workqueue
//!   (as for DMAERR, [`crate::recover`]).
//!
//! verinic's link is always up (STATUS.LU is 1, docs/nic.md), so the
//! link-down rule never fires against the RTL; the mock device tests it.

use crate::driver::Driver;
use crate::error::DriverError;
use crate::{regs, Platform};

/// Why the watchdog reset the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxTimeoutCause {
    /// TX work outstanding and no completion for longer than `tx_timeout_us`
    /// (`dev_watchdog` -> `e1000_tx_timeout`).
    Hang {
        /// How long there had been no progress (ns).
        stalled_ns: u64,
    },
    /// The link is down with TX work outstanding (`e1000_watchdog`).
    LinkDown,
}

/// What one [`Driver::watchdog`] run found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchdogOutcome {
    /// Nothing to recover from.
    Healthy,
    /// A TX timeout: `tx_timeout_count` counted and the reset task run.
    TxTimeout {
        /// What was found.
        cause: TxTimeoutCause,
        /// The reset's result; an error leaves the device masked (as for
        /// DMAERR: nothing more can be done for it).
        reset: Result<(), DriverError>,
    },
}

impl Driver {
    /// The watchdog (e1000_watchdog with dev_watchdog's TX timeout; see the
    /// module docs for the rules). Call it every `watchdog_interval_us`.
    pub fn watchdog<P: Platform + ?Sized>(&mut self, p: &mut P) -> WatchdogOutcome {
        self.link_up = p.read_reg(regs::STATUS) & regs::STATUS_LU != 0;
        // The ring is judged before the statistics reads: they stall the
        // CPU for microseconds, in which a moving device would report the
        // frame the rule looks at done and so hide a stale clock.
        let outstanding = self.tx.outstanding() > 0;
        let cause = if !self.link_up && outstanding {
            Some(TxTimeoutCause::LinkDown)
        } else {
            self.tx_hang(p).map(|stalled_ns| TxTimeoutCause::Hang { stalled_ns })
        };
        match cause {
            None => {
                self.update_hw_stats(p);
                WatchdogOutcome::Healthy
            }
            Some(cause) => {
                // (the reset task reads the statistics registers itself)
                // Counted before the reset, as e1000_tx_timeout does before
                // scheduling the reset task: a reset that fails still counts.
                self.stats.tx_timeout_count += 1;
                let reset = self.reset_device(p);
                WatchdogOutcome::TxTimeout { cause, reset }
            }
        }
    }

    /// The TX hang rule: how long the transmitter has made no progress, if
    /// that is longer than `tx_timeout_us` with work outstanding that the
    /// device has not reported done.
    fn tx_hang<P: Platform + ?Sized>(&self, p: &mut P) -> Option<u64> {
        let timeout_ns = self.cfg.tx_timeout_us.checked_mul(1000).filter(|&t| t > 0)?;
        if self.tx.outstanding() == 0 {
            return None;
        }
        let stalled_ns = p.now_ns().saturating_sub(self.tx.last_progress_ns());
        // time_after(jiffies, trans_start + watchdog_timeo): strictly later
        if stalled_ns <= timeout_ns || self.tx.oldest_done(p) {
            return None;
        }
        Some(stalled_ns)
    }
}
