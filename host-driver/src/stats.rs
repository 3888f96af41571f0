//! Counters, under the names `ethtool -S` shows for e1000/igb where those
//! drivers have one, else under the field name of e1000's `struct
//! e1000_hw_stats` (`gprc`, `rxerrc`, ...) or the kernel's own name
//! (`time_squeeze` from /proc/net/softnet_stat).
//!
//! Two kinds: software counters the driver bumps as it works, and hardware
//! counters accumulated from the device's clear-on-read statistics
//! registers by [`crate::Driver::update_hw_stats`] (e1000's watchdog does the
//! same every two seconds). CTRL.RST keeps the registers' counts (docs/nic.md),
//! so a read after a reset takes what the device counted around it.

use crate::{regs, Platform};

macro_rules! counters {
    ($( $(#[doc = $doc:literal])* $name:ident, )*) => {
        /// Every counter, typed. [`Stats::list`] gives them with their names.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct Stats {
            $( $(#[doc = $doc])* pub $name: u64, )*
        }

        impl Stats {
            /// `(name, value)` for every counter, in a fixed order.
            pub fn list(&self) -> Vec<(&'static str, u64)> {
                vec![ $( (stringify!($name), self.$name), )* ]
            }
        }
    };
}

counters! {
    /// Frames delivered to the stack.
    rx_packets,
    /// Bytes delivered to the stack (without FCS: the device strips it).
    rx_bytes,
    /// Frames whose transmission completed (counted at TX clean, as e1000 does).
    tx_packets,
    /// Bytes of completed frames (without the FCS the device appends).
    tx_bytes,
    /// Frames the driver dropped on receive: the sum of the `rx_desc_*` reasons.
    rx_errors,
    /// Dropped: descriptor error CE (CRC).
    rx_desc_crc_errors,
    /// Dropped: descriptor error SE (symbol).
    rx_desc_symbol_errors,
    /// Dropped: descriptor error CXE (carrier extension).
    rx_desc_carrier_ext_errors,
    /// Dropped: descriptor error RXE (RX data error).
    rx_desc_data_errors,
    /// Dropped: impossible lengths from the device (a descriptor longer than
    /// its buffer, an empty frame, a frame past MAX_FRAME_LEN).
    rx_desc_length_errors,
    /// Delivered frames with TCPE or IPE set: the stack must verify the checksum itself.
    rx_csum_offload_errors,
    /// Delivered frames whose TCP/UDP checksum the device verified (CHECKSUM_UNNECESSARY).
    rx_csum_offload_good,
    /// Delivered frames handed up with the device's raw sum (CHECKSUM_COMPLETE).
    rx_csum_complete,
    /// Refills that left RX descriptors without a buffer: the pool was empty
    /// (should not happen) or refills were held (`Driver::hold_rx_refill`,
    /// an allocation failure injected by a soak).
    alloc_rx_buff_failed,
    /// RDT writes.
    rx_tail_writes,
    /// TDT writes.
    tx_tail_writes,
    /// Times the TX queue was stopped (netif_stop_queue).
    tx_queue_stopped,
    /// Times a stopped TX queue was woken by TX cleaning (netif_wake_queue).
    tx_restart_queue,
    /// xmit calls refused because the queue was stopped (NETDEV_TX_BUSY).
    tx_busy,
    /// xmit calls refused because the frame was empty or too long.
    tx_dropped,
    /// Hard interrupts taken (ours or not).
    irqs,
    /// Interrupts with ICR = 0: a shared line, or a cause already consumed.
    irq_not_ours,
    /// Interrupts with RXT0 among their causes.
    irq_rxt0,
    /// Interrupts with RXO (RX FIFO overrun) among their causes.
    irq_rxo,
    /// Interrupts with RXDMT0 (RX ring below the RDMTS threshold) among their causes.
    irq_rxdmt0,
    /// Interrupts with TXDW among their causes.
    irq_txdw,
    /// Interrupts with TXQE among their causes.
    irq_txqe,
    /// Interrupts with LSC (link status change) among their causes.
    irq_lsc,
    /// NAPI poll calls.
    napi_polls,
    /// Polls that finished under budget and re-enabled interrupts (napi_complete_done).
    napi_complete,
    /// Polls that used their whole budget and stay scheduled, interrupts masked.
    napi_repoll,
    /// Softirq rounds (net_rx_action calls).
    softirq_rounds,
    /// Softirq rounds that ran out of netdev_budget or netdev_budget_usecs
    /// with NAPI still scheduled.
    time_squeeze,
    /// Legacy path (`napi = false`): frames netif_rx dropped because the
    /// backlog held `netdev_max_backlog` (softnet_stat "dropped").
    backlog_full,
    /// Legacy path: process_backlog calls.
    backlog_polls,
    /// Legacy path: passes over RX and TX made by interrupt handlers.
    legacy_intr_passes,
    /// CRCERRS: frames with a bad FCS.
    rx_crc_errors,
    /// RXERRC: frames with an Error character, broken framing or a bad preamble.
    rxerrc,
    /// MPC: frames dropped because the RX FIFO was full.
    rx_missed_errors,
    /// VN_RXDISC (verinic): good frames discarded because the receiver was
    /// disabled when they began, or the device was reset while they arrived.
    rx_discarded,
    /// RNBC: times a frame had to wait because the ring had no free descriptor.
    rx_no_buffer_count,
    /// RUC: undersize frames.
    rx_short_length_errors,
    /// ROC: oversize frames.
    rx_long_length_errors,
    /// RUC + ROC, as e1000 reports rx_length_errors.
    rx_length_errors,
    /// GPRC: good frames received by the device.
    gprc,
    /// GPTC: good frames transmitted by the device.
    gptc,
    /// GORC: good octets received (FCS included).
    gorc,
    /// GOTC: good octets transmitted (FCS included).
    gotc,
    /// DIM (adaptive_rx) profile changes applied (RDTR and VN_RXFRAMES written).
    dim_rx_profile_changes,
    /// DIM (adaptive_tx) profile changes applied (TIDV and VN_TXFRAMES written).
    dim_tx_profile_changes,
    /// The RX DIM profile index in force (a gauge; 0 with adaptive_rx off).
    dim_rx_profile,
    /// The TX DIM profile index in force (a gauge; 0 with adaptive_tx off).
    dim_tx_profile,
    /// ITR writes by e1000's dynamic ITR (itr_mode dynamic*).
    itr_changes,
    /// The dynamic ITR rate in force, interrupts/s (a gauge; 0 with itr_mode static).
    itr_rate,
    /// Device resets after start-up (e1000's reset_task: a DMA error, a TX
    /// timeout, or [`crate::Driver::reset_device`] called).
    reset_count,
    /// Times the watchdog found the transmitter hung (work outstanding, no
    /// completion for `tx_timeout_us`) or the link down with work
    /// outstanding, and started the reset task (e1000's `tx_timeout_count`,
    /// bumped in `e1000_tx_timeout` and `e1000_watchdog`).
    tx_timeout_count,
    /// Interrupts with DMAERR (a DMA transfer failed, VN_DMAERR) among their causes.
    dma_errors,
    /// Received frames lost in a reset: taken by the device (GPRC, less MPC)
    /// but never handed to the driver, or half taken off the ring.
    rx_reset_lost,
    /// Transmit frames queued but not completed when the device was reset:
    /// their buffers were freed without DD (some of them may have left: the
    /// device sends a frame before it writes its descriptor back).
    tx_reset_dropped,
    /// Transmit frames lost in resets: those the driver was done with
    /// (completed or dropped) that never went out, GPTC after the reset
    /// short of them. It includes frames reported done (DD is written when
    /// the data is fetched) still in the device's TX FIFO at the reset.
    tx_reset_lost,
}

/// Reads every clear-on-read statistics register once and adds it to `s`.
/// 64-bit counters are read low word first, as e1000_update_stats does.
impl Stats {
    /// Receive frames the device's MAC saw, each counted once by the
    /// statistics read so far: good and taken (GPRC), good and discarded on
    /// admission (VN_RXDISC: receiver disabled or device in reset), or bad
    /// (CRCERRS, RUC + ROC, RXERRC).
    pub fn frames_seen_by_mac(&self) -> u64 {
        self.gprc + self.rx_discarded + self.rx_crc_errors + self.rx_length_errors + self.rxerrc
    }
}

pub(crate) fn accumulate_hw<P: Platform + ?Sized>(s: &mut Stats, p: &mut P) {
    let mut rd = |off: u32| u64::from(p.read_reg(off));
    s.rx_crc_errors = s.rx_crc_errors.wrapping_add(rd(regs::CRCERRS));
    s.rxerrc = s.rxerrc.wrapping_add(rd(regs::RXERRC));
    s.rx_missed_errors = s.rx_missed_errors.wrapping_add(rd(regs::MPC));
    s.gprc = s.gprc.wrapping_add(rd(regs::GPRC));
    s.rx_discarded = s.rx_discarded.wrapping_add(rd(regs::VN_RXDISC));
    s.gptc = s.gptc.wrapping_add(rd(regs::GPTC));
    let lo = rd(regs::GORCL);
    let hi = rd(regs::GORCH);
    s.gorc = s.gorc.wrapping_add(hi << 32 | lo);
    let lo = rd(regs::GOTCL);
    let hi = rd(regs::GOTCH);
    s.gotc = s.gotc.wrapping_add(hi << 32 | lo);
    s.rx_no_buffer_count = s.rx_no_buffer_count.wrapping_add(rd(regs::RNBC));
    let ruc = rd(regs::RUC);
    let roc = rd(regs::ROC);
    s.rx_short_length_errors = s.rx_short_length_errors.wrapping_add(ruc);
    s.rx_long_length_errors = s.rx_long_length_errors.wrapping_add(roc);
    s.rx_length_errors = s.rx_length_errors.wrapping_add(ruc + roc);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_include_the_ethtool_ones() {
        let list = Stats::default().list();
        let mut names: Vec<_> = list.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "duplicate counter name");
        for want in [
            "rx_packets",
            "tx_packets",
            "rx_bytes",
            "tx_bytes",
            "rx_missed_errors",
            "rx_no_buffer_count",
            "rx_crc_errors",
            "rx_length_errors",
            "rx_errors",
            "tx_restart_queue",
            "time_squeeze",
            "napi_polls",
            "irqs",
            "tx_timeout_count",
            "reset_count",
        ] {
            assert!(names.contains(&want), "missing {want}");
        }
    }
}
