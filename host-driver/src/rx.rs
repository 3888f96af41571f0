//! The RX ring: buffers given to the device, frames taken back by DD.
//!
//! Ownership follows igb: the device owns descriptors `[RDH, RDT)`, the
//! driver writes RDT = `next_to_use`, the first slot *without* a buffer, and
//! always keeps at least that one slot empty so a full ring is never mistaken
//! for an empty one (Intel 8254x Software Developer's Manual, 317453, 3.2.6
//! "Receive Descriptor Queue Structure": hardware owns [head, tail), head ==
//! tail is empty; the kept slot is the `- 1` of igb_desc_unused in
//! drivers/net/ethernet/intel/igb/igb.h). The driver never reads RDH:
//! completion is seen by the DD bit in the descriptor (3.2.6 again: software
//! reads the descriptors in memory, not the registers).
//!
//! Slots `[next_to_use, next_to_clean)` have no buffer: the kept-empty one
//! plus those cleaned but not yet refilled. Refilling is batched so RDT is
//! written once per `rx_refill_batch` descriptors (igb's IGB_RX_BUFFER_WRITE).

use bytes::Bytes;

use crate::config::MAX_FRAME_LEN;
use crate::cost::{spend, CpuCosts};
use crate::desc::{rx_errors, rx_status, RxDesc, DESC_LEN};
use crate::pool::DmaPool;
use crate::ring::DescRing;
use crate::stats::Stats;
use crate::{regs, Platform};

/// Descriptor error bits that make a frame unusable. TCPE and IPE are not
/// among them: a checksum error is the stack's decision, and the frame goes
/// up with the bits set (e1000's E1000_RXD_ERR_FRAME_ERR_MASK likewise).
const FRAME_ERRORS: u8 = rx_errors::CE | rx_errors::SE | rx_errors::CXE | rx_errors::RXE;

/// A received frame, as handed to the stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RxPacket {
    /// Linux's verdict on the frame's checksum (`skb->ip_summed`).
    pub csum: ChecksumVerdict,
    /// The frame without FCS, copied out of the DMA buffers.
    pub data: Bytes,
    /// `data.len()`.
    pub len: usize,
    /// Raw packet checksum from the last descriptor (RXCSUM.PCSS sum):
    /// material for CHECKSUM_COMPLETE once checksum offload is used.
    pub checksum: u16,
    /// Status byte of the last descriptor (DD, EOP, IXSM, VP, UDPCS, TCPCS, IPCS).
    pub status: u8,
    /// Error byte of the last descriptor; only TCPE / IPE can be set here,
    /// frames with other errors are dropped.
    pub errors: u8,
    /// VLAN tag from the last descriptor (valid when status has VP).
    pub vlan: u16,
    /// Descriptors (buffers) the frame occupied.
    pub segments: u16,
    /// CPU time at which the driver handed the frame to the stack.
    pub rx_time_ns: u64,
}

/// Where the driver hands received frames: the stack. It returns the CPU
/// time (ns) its own work on the frame took (IP and UDP/TCP receive, socket
/// queueing), which the driver charges right there, inside its poll, as
/// netif_receive_skb runs the stack synchronously. Any `FnMut(RxPacket)`
/// closure is a sink whose work is free.
pub trait RxSink {
    /// Takes one frame; returns the CPU time it cost (ns).
    fn receive(&mut self, packet: RxPacket) -> u64;
}

impl<F: FnMut(RxPacket)> RxSink for F {
    fn receive(&mut self, packet: RxPacket) -> u64 {
        self(packet);
        0
    }
}

/// What the stack is told about a received frame's checksum
/// (`skb->ip_summed`), from the descriptor's status and error bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksumVerdict {
    /// CHECKSUM_UNNECESSARY: the device verified the TCP or UDP checksum
    /// (and the IPv4 header's, if IPv4).
    Unnecessary,
    /// CHECKSUM_COMPLETE: nothing verified, but here is the ones' complement
    /// sum of the packet from the L3 header on, for the stack to finish.
    Complete(u16),
    /// CHECKSUM_NONE: the stack must check everything itself (offload off,
    /// or the device found a bad checksum).
    None,
}

impl ChecksumVerdict {
    /// The verdict for a frame's last descriptor, given whether rx
    /// checksumming is on (the raw sum is only meaningful then).
    pub fn from_descriptor(status: u8, errors: u8, checksum: u16, rx_csum: bool) -> Self {
        if !rx_csum || errors & (rx_errors::TCPE | rx_errors::IPE) != 0 {
            ChecksumVerdict::None
        } else if status & (rx_status::TCPCS | rx_status::UDPCS) != 0 {
            ChecksumVerdict::Unnecessary
        } else {
            ChecksumVerdict::Complete(checksum)
        }
    }
}

/// A frame whose first descriptors have been taken but not yet its EOP one.
#[derive(Debug, Default)]
struct Partial {
    data: Vec<u8>,
    segments: u16,
    /// Some descriptor had an impossible length: drop at EOP.
    bad_len: bool,
}

#[derive(Debug)]
pub(crate) struct RxRing {
    ring: DescRing,
    bufs: Vec<Option<u64>>,
    pool: DmaPool,
    partial: Option<Partial>,
    refill_batch: usize,
    /// rx-checksumming is on: the raw sum and verdict bits mean something.
    pub(crate) rx_csum: bool,
    /// Buffer allocation fails while set ([`crate::Driver::hold_rx_refill`]).
    pub(crate) refill_held: bool,
}

impl RxRing {
    /// Allocates the descriptor ring and the buffer pool. Writes nothing to the device.
    pub(crate) fn new<P: Platform + ?Sized>(p: &mut P, n: usize, buf_len: usize, refill_batch: usize) -> Self {
        let ring = DescRing::new(p, n);
        // One buffer per slot: at most n - 1 are on the ring, and one can be
        // between "cleaned" and "refilled".
        let pool = DmaPool::new(p, n, buf_len);
        RxRing {
            // Nothing given to the device yet: every slot counts as unused.
            ring,
            bufs: vec![None; n],
            pool,
            partial: None,
            refill_batch,
            rx_csum: false,
            refill_held: false,
        }
    }

    /// The descriptor ring: its base address and indices, read-only.
    pub(crate) fn desc(&self) -> &DescRing {
        &self.ring
    }

    /// Gives every unused slot a buffer and writes RDT once.
    pub(crate) fn refill<P: Platform + ?Sized>(&mut self, p: &mut P, costs: &CpuCosts, stats: &mut Stats) {
        let count = self.ring.unused();
        if count == 0 {
            return;
        }
        if self.refill_held {
            // e1000_alloc_rx_buffers when the skb allocation fails: count
            // it, leave the slots empty, retry at the next clean.
            stats.alloc_rx_buff_failed += 1;
            return;
        }
        let mut done = 0;
        for _ in 0..count {
            let i = self.ring.next_to_use;
            let Some(buf) = self.pool.alloc() else {
                stats.alloc_rx_buff_failed += 1;
                break;
            };
            self.bufs[i] = Some(buf);
            let d = RxDesc { addr: buf, ..RxDesc::default() };
            p.dma_write(self.ring.addr(i), &d.to_bytes());
            spend(p, costs.per_refill_desc);
            self.ring.next_to_use = self.ring.next(i);
            done += 1;
        }
        if done > 0 {
            // Descriptors are in coherent memory and the platform applies
            // writes in order: this is where a real driver puts wmb().
            costs.write_reg(p, regs::RDT, self.ring.next_to_use as u32);
            stats.rx_tail_writes += 1;
        }
    }

    /// Takes up to `budget` finished frames off the ring (delivered or
    /// dropped, both count) and refills as it goes. Returns frames finished.
    pub(crate) fn clean<P: Platform + ?Sized>(
        &mut self,
        p: &mut P,
        costs: &CpuCosts,
        stats: &mut Stats,
        budget: usize,
        sink: &mut dyn RxSink,
    ) -> usize {
        let mut work = 0;
        let buf_len = self.pool.buf_len();
        while work < budget {
            let i = self.ring.next_to_clean;
            // The kept-empty slot: everything before it is already cleaned.
            let Some(buf) = self.bufs[i] else { break };
            let mut raw = [0u8; DESC_LEN];
            p.dma_read(self.ring.addr(i), &mut raw);
            let d = RxDesc::from_bytes(&raw);
            if d.status & rx_status::DD == 0 {
                break;
            }
            // Clear the status now: until the slot is refilled its stale DD
            // must never be mistaken for a new frame (e1000 does the same).
            p.dma_write(self.ring.addr(i) + 12, &[0]);
            self.bufs[i] = None;

            let part = self.partial.get_or_insert_with(Partial::default);
            let len = usize::from(d.length);
            if len > buf_len || part.data.len() + len > MAX_FRAME_LEN {
                part.bad_len = true;
            } else if !part.bad_len {
                let start = part.data.len();
                part.data.resize(start + len, 0);
                p.dma_read(buf, &mut part.data[start..]);
            }
            part.segments = part.segments.saturating_add(1);
            // The data is copied out: the buffer can go back at once.
            let freed = self.pool.free(buf);
            debug_assert!(freed.is_ok(), "rx buffer {buf:#x}: {freed:?}");
            self.ring.next_to_clean = self.ring.next(i);

            if d.status & rx_status::EOP != 0 {
                let part = self.partial.take().unwrap_or_default();
                spend(p, costs.per_rx_frame);
                work += 1;
                finish_frame(p, costs, stats, &d, part, self.rx_csum, sink);
            }
            if self.ring.unused() >= self.refill_batch {
                self.refill(p, costs, stats);
            }
        }
        self.refill(p, costs, stats);
        work
    }
}

/// Drops or delivers one assembled frame; `d` is its EOP descriptor, which
/// alone carries valid status and error bits.
fn finish_frame<P: Platform + ?Sized>(
    p: &mut P,
    costs: &CpuCosts,
    stats: &mut Stats,
    d: &RxDesc,
    part: Partial,
    rx_csum: bool,
    sink: &mut dyn RxSink,
) {
    // One reason per dropped frame, the first in this order.
    let reason = if d.errors & rx_errors::CE != 0 {
        Some(&mut stats.rx_desc_crc_errors)
    } else if d.errors & rx_errors::SE != 0 {
        Some(&mut stats.rx_desc_symbol_errors)
    } else if d.errors & rx_errors::CXE != 0 {
        Some(&mut stats.rx_desc_carrier_ext_errors)
    } else if d.errors & rx_errors::RXE != 0 {
        Some(&mut stats.rx_desc_data_errors)
    } else if part.bad_len || part.data.is_empty() {
        Some(&mut stats.rx_desc_length_errors)
    } else {
        None
    };
    if let Some(counter) = reason {
        *counter += 1;
        stats.rx_errors += 1;
        return;
    }
    debug_assert_eq!(d.errors & FRAME_ERRORS, 0);
    let csum = ChecksumVerdict::from_descriptor(d.status, d.errors, d.checksum, rx_csum);
    if rx_csum && d.errors & (rx_errors::TCPE | rx_errors::IPE) != 0 {
        stats.rx_csum_offload_errors += 1;
    }
    match csum {
        ChecksumVerdict::Unnecessary => stats.rx_csum_offload_good += 1,
        ChecksumVerdict::Complete(_) => stats.rx_csum_complete += 1,
        ChecksumVerdict::None => {}
    }
    let len = part.data.len();
    let pkt = RxPacket {
        csum,
        data: Bytes::from(part.data),
        len,
        checksum: d.checksum,
        status: d.status,
        errors: d.errors,
        vlan: d.special,
        segments: part.segments,
        rx_time_ns: p.now_ns(),
    };
    stats.rx_packets += 1;
    stats.rx_bytes += len as u64;
    let stack_ns = sink.receive(pkt);
    spend(p, costs.per_rx_deliver + stack_ns);
}

impl RxRing {
    /// After a device reset: every buffer on the ring goes back to the pool,
    /// a half-assembled frame is dropped, the descriptors are zeroed and both
    /// indices return to 0 (e1000_clean_rx_ring). Writes no register.
    pub(crate) fn reset_ring<P: Platform + ?Sized>(&mut self, p: &mut P) {
        for slot in &mut self.bufs {
            if let Some(buf) = slot.take() {
                let freed = self.pool.free(buf);
                debug_assert!(freed.is_ok(), "rx buffer {buf:#x}: {freed:?}");
            }
        }
        self.partial = None;
        p.dma_write(self.ring.base, &vec![0u8; self.ring.n * DESC_LEN]);
        self.ring.next_to_clean = 0;
        self.ring.next_to_use = 0;
    }

    /// Buffers (free in the pool, on the ring): their sum is the pool's capacity.
    pub(crate) fn census(&self) -> (usize, usize, usize) {
        (self.pool.available(), self.bufs.iter().flatten().count(), self.pool.capacity())
    }

    /// The DMA memory it holds: (descriptor ring, buffer pool), each (bus address, bytes).
    pub(crate) fn regions(&self) -> [(u64, u64); 2] {
        let pool = (self.pool.base(), (self.pool.capacity() * self.pool.buf_len()) as u64);
        [(self.ring.base, (self.ring.n * DESC_LEN) as u64), pool]
    }
}
