//! What the RX and TX rings share: where the descriptors live and the two
//! indices that walk them (ixy's `rx_index` / `tx_index`, e1000's
//! `next_to_use` / `next_to_clean`).

use crate::desc::DESC_LEN;
use crate::pool::DMA_ALIGN;
use crate::Platform;

/// A descriptor ring in DMA memory.
#[derive(Debug)]
pub(crate) struct DescRing {
    /// Bus address of descriptor 0.
    pub(crate) base: u64,
    /// Descriptors in the ring.
    pub(crate) n: usize,
    /// Next descriptor the driver looks at for completion.
    pub(crate) next_to_clean: usize,
    /// Next descriptor the driver fills.
    pub(crate) next_to_use: usize,
}

impl DescRing {
    /// Allocates `n` descriptors, zeroed.
    pub(crate) fn new<P: Platform + ?Sized>(p: &mut P, n: usize) -> Self {
        DescRing { base: p.dma_alloc(n * DESC_LEN, DMA_ALIGN), n, next_to_clean: 0, next_to_use: 0 }
    }

    /// Bus address of descriptor `i`.
    pub(crate) fn addr(&self, i: usize) -> u64 {
        self.base + (i * DESC_LEN) as u64
    }

    /// Slots the driver may still fill: those from `next_to_use` up to
    /// `next_to_clean`, less the one always kept empty so that a full ring is
    /// never mistaken for an empty one (igb_desc_unused).
    pub(crate) fn unused(&self) -> usize {
        (self.next_to_clean + self.n - self.next_to_use - 1) % self.n
    }

    /// The index after `i`, wrapping.
    pub(crate) fn next(&self, i: usize) -> usize {
        if i + 1 == self.n {
            0
        } else {
            i + 1
        }
    }
}
