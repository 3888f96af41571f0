//! The TX ring: frames copied into bounce buffers, descriptors queued at
//! `next_to_use`, completions found by DD at `next_to_clean`.
//!
//! As on e1000, RS (report status) is set on the last descriptor of every
//! frame, so the device writes DD back exactly there; cleaning checks the DD
//! of each frame's EOP descriptor and frees the whole frame. One slot is
//! always kept empty so that TDT never catches up with TDH.

use bytes::Bytes;

use crate::config::TX_BUF_LEN;
use crate::cost::{spend, CpuCosts};
use crate::desc::{self, tx_cmd, tx_status, TxDesc, DESC_LEN};
use crate::error::TxError;
use crate::pool::DmaPool;
use crate::ring::DescRing;
use crate::stats::Stats;
use crate::{regs, Platform};

/// Where a TCP header holds its checksum (`offsetof(struct tcphdr, check)`);
/// UDP's is at 6.
const TCP_CSUM_OFFSET: u8 = 16;

#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    /// The bounce buffer this descriptor points at, while it is in flight.
    buf: Option<u64>,
    /// On a frame's first slot: the index of its EOP descriptor.
    eop: Option<usize>,
    /// On a frame's first slot: the frame's length.
    len: usize,
}

/// Per-call settings taken from the configuration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TxParams {
    pub(crate) max_frame_len: usize,
    pub(crate) stop_threshold: usize,
    pub(crate) wake_threshold: usize,
    /// Set IDE in descriptors (tx_usecs > 0).
    pub(crate) ide: bool,
}

/// A checksum the device should fill in on transmit (Linux's
/// CHECKSUM_PARTIAL: the stack has put the pseudo-header sum in the TCP/UDP
/// checksum field, and for IPv4 zeroed the header checksum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TxOffload {
    /// No offload: the frame goes out as it is.
    #[default]
    None,
    /// One checksum: the device sums from `csum_start` to the end of the frame
    /// and stores the result at `csum_start + csum_offset` (skb->csum_start,
    /// skb->csum_offset). A legacy descriptor with IC, CSS and CSO.
    Partial {
        /// Where the summed region starts (the L4 header).
        csum_start: u8,
        /// Where the checksum field is, from `csum_start`.
        csum_offset: u8,
    },
    /// The IPv4 header checksum as well: a context descriptor (IPCSS, IPCSO,
    /// IPCSE; TUCSS, TUCSO, TUCSE = 0) before the data descriptors, which
    /// ask for both with POPTS.IXSM and TXSM.
    Ipv4Partial {
        /// Start of the IPv4 header.
        ip_start: u8,
        /// Its last byte (IPCSE, inclusive).
        ip_end: u16,
        /// Where the TCP/UDP region starts.
        csum_start: u8,
        /// Where its checksum field is, from `csum_start`.
        csum_offset: u8,
    },
    /// The TCP/UDP checksum alone from a context descriptor (TUCSS, TUCSO,
    /// TUCSE = 0; IPCSS..IPCSE zero) and data descriptors with POPTS.TXSM
    /// only: what an IPv6 packet needs, having no header checksum.
    L4Context {
        /// Where the TCP/UDP region starts.
        csum_start: u8,
        /// Where its checksum field is, from `csum_start`.
        csum_offset: u8,
    },
}

#[derive(Debug)]
pub(crate) struct TxRing {
    ring: DescRing,
    slots: Vec<Slot>,
    pool: DmaPool,
    stopped: bool,
    /// Descriptors were queued with `more` and TDT not yet written.
    tail_pending: bool,
    /// CPU time (ns) of the last sign of progress: a completion cleaned, or
    /// the first frame queued on an empty ring (the TX watchdog's reference:
    /// [`crate::watchdog`]).
    last_progress_ns: u64,
}

impl TxRing {
    /// Allocates the descriptor ring and one bounce buffer per slot.
    pub(crate) fn new<P: Platform + ?Sized>(p: &mut P, n: usize) -> Self {
        let ring = DescRing::new(p, n);
        let pool = DmaPool::new(p, n, TX_BUF_LEN);
        TxRing { ring, slots: vec![Slot::default(); n], pool, stopped: false, tail_pending: false, last_progress_ns: 0 }
    }

    /// The descriptor ring: its base address and indices, read-only.
    pub(crate) fn desc(&self) -> &DescRing {
        &self.ring
    }

    pub(crate) fn stopped(&self) -> bool {
        self.stopped
    }

    /// Descriptors the driver may still queue (one slot always stays empty).
    pub(crate) fn free(&self) -> usize {
        self.ring.unused()
    }

    /// Queues one frame; see [`crate::Driver::xmit`].
    // ring state, platform, cost model, counters and the request: all needed
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn xmit<P: Platform + ?Sized>(
        &mut self,
        p: &mut P,
        costs: &CpuCosts,
        stats: &mut Stats,
        cfg: TxParams,
        frame: Bytes,
        offload: TxOffload,
        more: bool,
    ) -> Result<(), TxError> {
        if frame.is_empty() {
            stats.tx_dropped += 1;
            return Err(TxError::Empty);
        }
        if frame.len() > cfg.max_frame_len {
            stats.tx_dropped += 1;
            return Err(TxError::FrameTooLong { len: frame.len(), max: cfg.max_frame_len });
        }
        let context = matches!(offload, TxOffload::Ipv4Partial { .. } | TxOffload::L4Context { .. });
        let need = frame.len().div_ceil(TX_BUF_LEN) + usize::from(context);
        // The stop threshold covers a maximum frame's data descriptors, but
        // not the context descriptor an offload adds: a running queue that
        // lacks room for this frame stops now, as e1000_maybe_stop_tx does,
        // so the caller waits for cleaning to wake it instead of retrying.
        if !self.stopped && self.free() < need {
            self.stopped = true;
            stats.tx_queue_stopped += 1;
        }
        if self.stopped {
            stats.tx_busy += 1;
            return Err(TxError::QueueStopped);
        }
        spend(p, costs.per_tx_frame);

        // Work starts on an idle ring: the time it waited idle is no stall.
        if self.outstanding() == 0 {
            self.last_progress_ns = p.now_ns();
        }
        let first = self.ring.next_to_use;
        let mut i = first;
        let mut base_cmd = tx_cmd::IFCS | if cfg.ide { tx_cmd::IDE } else { 0 };
        let (mut cso, mut css, mut popts_byte10) = (0u8, 0u8, 0u8);
        match offload {
            TxOffload::None => {}
            TxOffload::Partial { csum_start, csum_offset } => {
                base_cmd |= tx_cmd::IC;
                css = csum_start;
                cso = csum_start.wrapping_add(csum_offset);
            }
            TxOffload::Ipv4Partial { csum_start, csum_offset, .. }
            | TxOffload::L4Context { csum_start, csum_offset } => {
                let mut ctx = [0u8; DESC_LEN];
                let ip = if let TxOffload::Ipv4Partial { ip_start, ip_end, .. } = offload {
                    ctx[desc::ctx::IPCSS] = ip_start;
                    ctx[desc::ctx::IPCSO] = ip_start.wrapping_add(10);
                    ctx[desc::ctx::IPCSE..desc::ctx::IPCSE + 2].copy_from_slice(&ip_end.to_le_bytes());
                    desc::data::POPTS_IXSM
                } else {
                    0
                };
                ctx[desc::ctx::TUCSS] = csum_start;
                ctx[desc::ctx::TUCSO] = csum_start.wrapping_add(csum_offset);
                // TUCMD.IP: IPv4 (8254x SDM 3.3.6); clear for IPv6
                let v4 = if ip != 0 { desc::ctx::TUCMD_IP } else { 0 };
                // TUCMD.TCP as e1000_tx_csum sets it (E1000_TXD_CMD_TCP), told
                // here by where the checksum field lies: TCP's at 16, UDP's at 6
                let tcp = if csum_offset == TCP_CSUM_OFFSET { desc::ctx::TUCMD_TCP } else { 0 };
                ctx[desc::ctx::TUCMD] = desc::ctx::TUCMD_DEXT | v4 | tcp;
                p.dma_write(self.ring.addr(i), &ctx);
                self.slots[i] = Slot { buf: None, eop: None, len: 0 };
                i = self.ring.next(i);
                base_cmd |= tx_cmd::DEXT;
                // data descriptors: DTYP in byte 10, POPTS in byte 13
                popts_byte10 = desc::data::DTYP_DATA;
                css = ip | desc::data::POPTS_TXSM;
            }
        }
        let chunks = frame.chunks(TX_BUF_LEN);
        let last_chunk = chunks.len() - 1;
        for (k, chunk) in chunks.enumerate() {
            let Some(buf) = self.pool.alloc() else {
                // Cannot happen: one buffer per slot and free() >= need.
                debug_assert!(false, "tx pool empty with free slots");
                return Err(TxError::QueueStopped);
            };
            p.dma_write(buf, chunk);
            let cmd = if k == last_chunk { base_cmd | tx_cmd::EOP | tx_cmd::RS } else { base_cmd };
            let d = TxDesc {
                addr: buf,
                length: chunk.len() as u16,
                cmd,
                cso: cso | popts_byte10,
                css,
                ..TxDesc::default()
            };
            p.dma_write(self.ring.addr(i), &d.to_bytes());
            self.slots[i] = Slot { buf: Some(buf), eop: None, len: 0 };
            if k == last_chunk {
                self.slots[first].eop = Some(i);
                self.slots[first].len = frame.len();
            }
            i = self.ring.next(i);
        }
        self.ring.next_to_use = i;

        if self.free() < cfg.stop_threshold {
            self.stopped = true;
            stats.tx_queue_stopped += 1;
        }
        // Like Linux: xmit_more defers the doorbell, except when the queue
        // just stopped, since no further frame would come to write it.
        if more && !self.stopped {
            self.tail_pending = true;
        } else {
            self.write_tail(p, costs, stats);
        }
        Ok(())
    }

    /// Writes TDT if frames were queued with `more` and not yet announced.
    pub(crate) fn flush<P: Platform + ?Sized>(&mut self, p: &mut P, costs: &CpuCosts, stats: &mut Stats) {
        if self.tail_pending {
            self.write_tail(p, costs, stats);
        }
    }

    fn write_tail<P: Platform + ?Sized>(&mut self, p: &mut P, costs: &CpuCosts, stats: &mut Stats) {
        costs.write_reg(p, regs::TDT, self.ring.next_to_use as u32);
        stats.tx_tail_writes += 1;
        self.tail_pending = false;
    }

    /// Frees every completed frame, wakes the queue if it was stopped and
    /// enough is free again. Returns frames cleaned.
    pub(crate) fn clean<P: Platform + ?Sized>(
        &mut self,
        p: &mut P,
        costs: &CpuCosts,
        stats: &mut Stats,
        wake_threshold: usize,
    ) -> usize {
        let mut cleaned = 0;
        while self.ring.next_to_clean != self.ring.next_to_use {
            let first = self.ring.next_to_clean;
            let Some(eop) = self.slots[first].eop else {
                debug_assert!(false, "tx slot {first} starts no frame");
                break;
            };
            let mut raw = [0u8; DESC_LEN];
            p.dma_read(self.ring.addr(eop), &mut raw);
            if TxDesc::from_bytes(&raw).status & tx_status::DD == 0 {
                break;
            }
            let len = self.slots[first].len;
            let mut i = first;
            loop {
                if let Some(buf) = self.slots[i].buf.take() {
                    let freed = self.pool.free(buf);
                    debug_assert!(freed.is_ok(), "tx buffer {buf:#x}: {freed:?}");
                }
                self.slots[i] = Slot::default();
                let done = i == eop;
                i = self.ring.next(i);
                if done {
                    break;
                }
            }
            self.ring.next_to_clean = i;
            stats.tx_packets += 1;
            stats.tx_bytes += len as u64;
            spend(p, costs.per_tx_clean);
            cleaned += 1;
        }
        if cleaned > 0 {
            // The device made progress: the watchdog's clock starts again.
            self.last_progress_ns = p.now_ns();
        }
        if self.stopped && self.free() >= wake_threshold {
            self.stopped = false;
            stats.tx_restart_queue += 1;
        }
        cleaned
    }
}

impl TxRing {
    /// Descriptors queued and not yet cleaned (frames the device owes a completion).
    pub(crate) fn outstanding(&self) -> usize {
        (self.ring.next_to_use + self.ring.n - self.ring.next_to_clean) % self.ring.n
    }

    /// CPU time (ns) of the last completion cleaned, or of the first frame
    /// queued on an empty ring, whichever came last.
    pub(crate) fn last_progress_ns(&self) -> u64 {
        self.last_progress_ns
    }

    /// Whether the device has reported the oldest outstanding frame done (DD
    /// in its EOP descriptor) though the driver has not cleaned it yet: then
    /// the transmitter moves and only the CPU is late. False with nothing
    /// outstanding.
    pub(crate) fn oldest_done<P: Platform + ?Sized>(&self, p: &mut P) -> bool {
        if self.outstanding() == 0 {
            return false;
        }
        let Some(eop) = self.slots[self.ring.next_to_clean].eop else {
            return false;
        };
        let mut raw = [0u8; DESC_LEN];
        p.dma_read(self.ring.addr(eop), &mut raw);
        TxDesc::from_bytes(&raw).status & tx_status::DD != 0
    }

    /// After a device reset: every frame queued and not completed is dropped
    /// (its buffers go back to the pool), the descriptors are zeroed, both
    /// indices return to 0 and the queue runs (e1000_clean_tx_ring). Returns
    /// the frames dropped. Writes no register.
    pub(crate) fn reset_ring<P: Platform + ?Sized>(&mut self, p: &mut P) -> u64 {
        let mut frames = 0;
        let mut i = self.ring.next_to_clean;
        while i != self.ring.next_to_use {
            if self.slots[i].eop.is_some() {
                frames += 1;
            }
            i = self.ring.next(i);
        }
        for slot in &mut self.slots {
            if let Some(buf) = slot.buf.take() {
                let freed = self.pool.free(buf);
                debug_assert!(freed.is_ok(), "tx buffer {buf:#x}: {freed:?}");
            }
            *slot = Slot::default();
        }
        p.dma_write(self.ring.base, &vec![0u8; self.ring.n * DESC_LEN]);
        self.ring.next_to_clean = 0;
        self.ring.next_to_use = 0;
        self.stopped = false;
        self.tail_pending = false;
        frames
    }

    /// Buffers (free in the pool, held by queued descriptors, the pool's capacity).
    pub(crate) fn census(&self) -> (usize, usize, usize) {
        (self.pool.available(), self.slots.iter().filter(|s| s.buf.is_some()).count(), self.pool.capacity())
    }

    /// The DMA memory it holds: (descriptor ring, buffer pool), each (bus address, bytes).
    pub(crate) fn regions(&self) -> [(u64, u64); 2] {
        let pool = (self.pool.base(), (self.pool.capacity() * self.pool.buf_len()) as u64);
        [(self.ring.base, (self.ring.n * DESC_LEN) as u64), pool]
    }
}
