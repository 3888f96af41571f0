//! The CPU cost model: how long the host CPU is busy at each step of the
//! driver. The driver calls [`crate::Platform::spend`] with these figures at
//! the points where a real driver does that work, so that the co-simulated
//! device keeps running meanwhile.
//!
//! Not modelled here on purpose: an MMIO *read*. The platform models it as a
//! real bus round trip (about 0.5 us, the order of a small device DMA read as
//! Neugebauer et al. measured it: "Understanding PCIe performance for end host
//! networking", SIGCOMM 2018; mmio_test by Buytenhek, Olsson and Welte, 2005,
//! timed an e1000 register read at about 1,700 cycles, 0.7 us at 2.4 GHz), so
//! its cost comes out of the simulation itself.
//!
//! Every default is an estimate for a recent Xeon-class server core, not a
//! measurement of this driver. The per-packet figures are anchored on the
//! XDP paper (Høiland-Jørgensen et al., "The eXpress Data Path", CoNEXT
//! 2018, Xeon E5-1650 v4 at 3.6 GHz): dropping in the driver with XDP costs
//! 41.6 ns per packet (24 Mpps per core), while letting the packet reach the
//! Linux stack's earliest drop point (iptables raw table) costs about 208 ns
//! (4.8 Mpps per core). The second figure covers what this model splits into
//! `per_rx_frame + per_refill_desc + per_rx_deliver`.

use crate::Platform;

/// CPU time in nanoseconds of each piece of driver work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuCosts {
    /// Hard-IRQ entry: vector dispatch, register save, handler call.
    /// Default 500 ns: estimate, IRQ entry plus exit taken as 1 us, half of it
    /// on each side. For scale, Tsafrir ("The context-switch overhead inflicted
    /// by hardware interrupts", ExpCS 2007) measured 0.5-1.5% of a CPU at 1,000
    /// clock interrupts/s: 5-15 us per interrupt, handler and cache effects
    /// included.
    pub irq_entry: u64,
    /// Hard-IRQ exit: EOI, return from interrupt, raising the softirq.
    /// Default 500 ns (the other half, as above).
    pub irq_exit: u64,
    /// CPU time of one posted MMIO write (the device register write itself is
    /// not waited for). Default 50 ns: an estimate for an uncached store,
    /// which drains the store buffer; no public figure pins it down, and the
    /// well-known reason to batch tail writes (igb's IGB_RX_BUFFER_WRITE,
    /// xmit_more) is the device-side cost, which the co-simulation models.
    pub mmio_write: u64,
    /// Driver RX work per frame: read the descriptor, copy the data out of the
    /// DMA buffer into a new packet buffer (copybreak-style), clear the
    /// descriptor. Default 100 ns: estimate, about half of the XDP paper's
    /// 208 ns for a packet reaching the stack's raw table, the other half
    /// being `per_rx_deliver`; above XDP's 41.6 ns driver-only drop path
    /// because a packet buffer is allocated and filled.
    pub per_rx_frame: u64,
    /// Handing a frame to the stack (netif_receive_skb / GRO entry). Default
    /// 100 ns: estimate, the rest of the XDP paper's 208 ns raw-table path.
    pub per_rx_deliver: u64,
    /// Giving one RX descriptor a buffer again (recycle from the pool, write
    /// the descriptor). Default 10 ns: estimate; a recycled buffer needs no
    /// allocation, and XDP's whole 41.6 ns drop path includes this step.
    pub per_refill_desc: u64,
    /// Driver TX work per frame: copy into the bounce buffers, write the
    /// descriptors. Default 100 ns: estimate, of the order of the RX driver
    /// path; for scale, Linux pktgen sends 14.88 Mpps (67 ns per packet) on
    /// one core with xmit_more batching, without the copy.
    pub per_tx_frame: u64,
    /// TX completion work per frame: check DD, return the buffers, count.
    /// Default 30 ns: estimate, a fraction of `per_tx_frame`.
    pub per_tx_clean: u64,
    /// Fixed cost of one NAPI poll call (softirq bookkeeping, poll dispatch).
    /// Default 200 ns: estimate, amortised over up to 64 frames.
    pub napi_poll_overhead: u64,
}

impl Default for CpuCosts {
    fn default() -> Self {
        CpuCosts {
            irq_entry: 500,
            irq_exit: 500,
            mmio_write: 50,
            per_rx_frame: 100,
            per_rx_deliver: 100,
            per_refill_desc: 10,
            per_tx_frame: 100,
            per_tx_clean: 30,
            napi_poll_overhead: 200,
        }
    }
}

impl CpuCosts {
    /// A model where driver work takes no CPU time (only register reads
    /// still take the platform's bus time). For tests of pure logic.
    pub fn zero() -> Self {
        CpuCosts {
            irq_entry: 0,
            irq_exit: 0,
            mmio_write: 0,
            per_rx_frame: 0,
            per_rx_deliver: 0,
            per_refill_desc: 0,
            per_tx_frame: 0,
            per_tx_clean: 0,
            napi_poll_overhead: 0,
        }
    }

    /// Posts a register write and charges its CPU cost.
    pub(crate) fn write_reg<P: Platform + ?Sized>(&self, p: &mut P, offset: u32, value: u32) {
        p.write_reg(offset, value);
        spend(p, self.mmio_write);
    }
}

/// Charges CPU time, skipping zero so a zero-cost model adds no platform calls.
pub(crate) fn spend<P: Platform + ?Sized>(p: &mut P, ns: u64) {
    if ns > 0 {
        p.spend(ns);
    }
}
