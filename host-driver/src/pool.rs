//! A pool of fixed-size DMA buffers, ixy-style: one DMA allocation cut into
//! `count` chunks, handed out and taken back by bus address.
//!
//! Packets never leave the driver in DMA memory: RX data is copied out into a
//! [`bytes::Bytes`] (as Linux's copybreak does for small frames) and TX data is
//! copied in, so a buffer goes back to the pool as soon as its descriptor is
//! done with it. That keeps the pool exactly as large as the ring.

use crate::Platform;

/// Alignment of every DMA allocation the driver makes: a page, which also
/// satisfies the 128-byte alignment rings want and keeps addresses readable.
pub const DMA_ALIGN: usize = 4096;

/// A misuse of [`DmaPool::free`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolError {
    /// The address is not the start of one of this pool's buffers.
    NotFromPool(u64),
    /// The buffer was already free.
    DoubleFree(u64),
}

/// Fixed-size DMA buffers carved from one allocation.
#[derive(Debug, Clone)]
pub struct DmaPool {
    base: u64,
    buf_len: usize,
    count: usize,
    /// Free buffer indices, used as a stack: the most recently freed buffer
    /// is reused first, the one most likely still in cache.
    free: Vec<usize>,
    in_use: Vec<bool>,
}

impl DmaPool {
    /// Allocates `count` buffers of `buf_len` bytes each.
    pub fn new<P: Platform + ?Sized>(p: &mut P, count: usize, buf_len: usize) -> Self {
        let base = p.dma_alloc(count * buf_len, DMA_ALIGN);
        // Reversed so that the first allocations come out in address order.
        let free = (0..count).rev().collect();
        DmaPool { base, buf_len, count, free, in_use: vec![false; count] }
    }

    /// Bus address of the whole region.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// Size of each buffer.
    pub fn buf_len(&self) -> usize {
        self.buf_len
    }

    /// Number of buffers.
    pub fn capacity(&self) -> usize {
        self.count
    }

    /// Buffers currently free.
    pub fn available(&self) -> usize {
        self.free.len()
    }

    /// Takes a buffer; `None` when all are in use.
    pub fn alloc(&mut self) -> Option<u64> {
        let i = self.free.pop()?;
        self.in_use[i] = true;
        Some(self.addr_of(i))
    }

    /// Returns a buffer.
    pub fn free(&mut self, addr: u64) -> Result<(), PoolError> {
        let i = self.index_of(addr).ok_or(PoolError::NotFromPool(addr))?;
        if !self.in_use[i] {
            return Err(PoolError::DoubleFree(addr));
        }
        self.in_use[i] = false;
        self.free.push(i);
        Ok(())
    }

    fn addr_of(&self, i: usize) -> u64 {
        self.base + (i * self.buf_len) as u64
    }

    fn index_of(&self, addr: u64) -> Option<usize> {
        let off = addr.checked_sub(self.base)?;
        let len = self.buf_len as u64;
        if off % len != 0 || off / len >= self.count as u64 {
            return None;
        }
        Some((off / len) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::MockNic;

    #[test]
    fn alloc_in_order_free_and_reuse() {
        let mut nic = MockNic::new();
        let mut pool = DmaPool::new(&mut nic, 4, 256);
        assert_eq!(pool.base() % DMA_ALIGN as u64, 0);
        let a: Vec<u64> = (0..4).map(|_| pool.alloc().unwrap()).collect();
        assert_eq!(a, (0..4).map(|i| pool.base() + i * 256).collect::<Vec<_>>());
        assert_eq!(pool.alloc(), None);
        pool.free(a[2]).unwrap();
        assert_eq!(pool.available(), 1);
        assert_eq!(pool.alloc(), Some(a[2]));
    }

    #[test]
    fn misuse_is_an_error_not_a_panic() {
        let mut nic = MockNic::new();
        let mut pool = DmaPool::new(&mut nic, 2, 512);
        let a = pool.alloc().unwrap();
        assert_eq!(pool.free(a + 1), Err(PoolError::NotFromPool(a + 1)));
        assert_eq!(pool.free(a + 1024), Err(PoolError::NotFromPool(a + 1024)));
        assert_eq!(pool.free(0), Err(PoolError::NotFromPool(0)));
        pool.free(a).unwrap();
        assert_eq!(pool.free(a), Err(PoolError::DoubleFree(a)));
    }
}
