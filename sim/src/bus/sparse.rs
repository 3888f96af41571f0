//! Sparse, byte-addressed host memory with mapped regions.
//!
//! Host memory is a 64-bit address space of which the driver allocates a few
//! buffers. Only *mapped* bytes may be touched: an access to anything else is
//! a bug in the driver or the NIC (a stale or wild DMA address), so it fails
//! whole, is counted, and never panics. Storage comes in 4 KiB pages made on
//! first write; mapped bytes never written read as zero.
//!
//! Maps are `BTreeMap`s so that anything iterated comes out in address order
//! and runs are reproducible.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;

/// Bytes per storage page (and the AXI 4 KiB boundary).
pub const PAGE_SIZE: u64 = 4096;

/// Where [`SparseMemory::default`] starts allocating: above 4 GiB, so that
/// every DMA address needs the upper half of a 64-bit address register.
pub const DEFAULT_ALLOC_BASE: u64 = 0x1_0000_0000;

type Page = Box<[u8; PAGE_SIZE as usize]>;

/// Why a memory operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemError {
    /// The access touched this address, which is not mapped.
    Unmapped {
        /// The first unmapped byte touched.
        addr: u64,
    },
    /// `addr + len` runs past the top of the address space.
    Overflow {
        /// Start of the range.
        addr: u64,
        /// Its length.
        len: u64,
    },
    /// An alignment that is not a power of two.
    BadAlign {
        /// The alignment asked for.
        align: u64,
    },
    /// A zero-length allocation.
    ZeroLength,
}

impl fmt::Display for MemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MemError::Unmapped { addr } => write!(f, "access to unmapped host memory at {addr:#x}"),
            MemError::Overflow { addr, len } => write!(f, "range {addr:#x}+{len} wraps the address space"),
            MemError::BadAlign { align } => write!(f, "alignment {align} is not a power of two"),
            MemError::ZeroLength => write!(f, "zero-length allocation"),
        }
    }
}

impl std::error::Error for MemError {}

/// Failed accesses so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemFaults {
    /// Reads that touched unmapped bytes (each returned zeros).
    pub unmapped_reads: u64,
    /// Writes that touched unmapped bytes (each was dropped).
    pub unmapped_writes: u64,
}

/// Sparse host memory with mapped regions and a bump allocator.
#[derive(Clone)]
pub struct SparseMemory {
    pages: BTreeMap<u64, Page>,
    /// Disjoint, non-adjacent mapped ranges: start -> end (exclusive).
    regions: BTreeMap<u64, u64>,
    next: u64,
    guard: u64,
    // a Cell so that reads can take `&self`: the host reads through `mem()`
    unmapped_reads: Cell<u64>,
    unmapped_writes: u64,
}

impl Default for SparseMemory {
    fn default() -> Self {
        Self::new(DEFAULT_ALLOC_BASE)
    }
}

impl fmt::Debug for SparseMemory {
    // the pages themselves would print megabytes
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SparseMemory")
            .field("pages", &self.pages.len())
            .field("regions", &self.regions.len())
            .field("next", &format_args!("{:#x}", self.next))
            .field("faults", &self.faults())
            .finish()
    }
}

impl SparseMemory {
    /// Empty memory, nothing mapped; [`SparseMemory::alloc`] starts at `alloc_base`.
    pub fn new(alloc_base: u64) -> Self {
        SparseMemory {
            pages: BTreeMap::new(),
            regions: BTreeMap::new(),
            next: alloc_base,
            guard: 0,
            unmapped_reads: Cell::new(0),
            unmapped_writes: 0,
        }
    }

    /// Leaves `gap` unmapped bytes after every allocation, so that a DMA
    /// running off the end of a buffer faults instead of hitting the next one.
    pub fn with_guard_gap(mut self, gap: u64) -> Self {
        self.guard = gap;
        self
    }

    fn range_end(addr: u64, len: u64) -> Result<u64, MemError> {
        addr.checked_add(len).ok_or(MemError::Overflow { addr, len })
    }

    /// Maps `[addr, addr + len)`. Mapping already-mapped bytes is harmless.
    pub fn map(&mut self, addr: u64, len: u64) -> Result<(), MemError> {
        let (mut start, mut end) = (addr, Self::range_end(addr, len)?);
        if len == 0 {
            return Ok(());
        }
        // absorb every region that overlaps or touches the new one; they all
        // start at or before `end`, and the last such start is checked first
        while let Some((&s, &e)) = self.regions.range(..=end).next_back() {
            if e < start {
                break;
            }
            self.regions.remove(&s);
            start = start.min(s);
            end = end.max(e);
        }
        self.regions.insert(start, end);
        Ok(())
    }

    /// Unmaps `[addr, addr + len)`; later accesses there fail. The bytes are
    /// kept, and show again if the range is mapped again.
    pub fn unmap(&mut self, addr: u64, len: u64) -> Result<(), MemError> {
        let end = Self::range_end(addr, len)?;
        while let Some((&s, &e)) = self.regions.range(..end).next_back() {
            if e <= addr {
                break;
            }
            self.regions.remove(&s);
            if s < addr {
                self.regions.insert(s, addr);
            }
            if e > end {
                self.regions.insert(end, e);
            }
        }
        Ok(())
    }

    /// The first byte of `[addr, addr + len)` that is not mapped, if any.
    /// A range that wraps the address space is unmapped at `addr`.
    pub fn first_unmapped(&self, addr: u64, len: u64) -> Option<u64> {
        let Ok(end) = Self::range_end(addr, len) else { return Some(addr) };
        let mut at = addr;
        while at < end {
            match self.regions.range(..=at).next_back() {
                Some((_, &e)) if e > at => at = e,
                _ => return Some(at),
            }
        }
        None
    }

    /// Whether every byte of `[addr, addr + len)` is mapped.
    #[inline]
    pub fn is_mapped(&self, addr: u64, len: u64) -> bool {
        self.first_unmapped(addr, len).is_none()
    }

    /// Mapped regions as `(start, len)`, in address order.
    pub fn regions(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.regions.iter().map(|(&s, &e)| (s, e - s))
    }

    /// Allocates and maps `len` bytes aligned to `align` (a power of two;
    /// 0 means 1) above everything allocated before. Nothing is ever freed.
    pub fn alloc(&mut self, len: u64, align: u64) -> Result<u64, MemError> {
        let align = align.max(1);
        if !align.is_power_of_two() {
            return Err(MemError::BadAlign { align });
        }
        if len == 0 {
            return Err(MemError::ZeroLength);
        }
        let addr = Self::range_end(self.next, align - 1)? & !(align - 1);
        let end = Self::range_end(addr, len)?;
        self.map(addr, len)?;
        self.next = end.saturating_add(self.guard);
        Ok(addr)
    }

    /// Reads `buf.len()` bytes at `addr`. If any of them is unmapped, `buf`
    /// is zeroed, the fault counted and reported.
    pub fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemError> {
        if let Some(bad) = self.first_unmapped(addr, buf.len() as u64) {
            buf.fill(0);
            self.unmapped_reads.set(self.unmapped_reads.get() + 1);
            return Err(MemError::Unmapped { addr: bad });
        }
        self.peek(addr, buf);
        Ok(())
    }

    /// Writes `data` at `addr`. If any byte is unmapped, nothing is written,
    /// the fault counted and reported.
    pub fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), MemError> {
        if let Some(bad) = self.first_unmapped(addr, data.len() as u64) {
            self.unmapped_writes += 1;
            return Err(MemError::Unmapped { addr: bad });
        }
        self.poke(addr, data, None);
        Ok(())
    }

    /// Writes the bytes of `data` whose strobe bit is set: bit `i % 8` of
    /// `strb[i / 8]` enables `data[i]` (bits past the end of `strb` are
    /// clear). Only enabled bytes must be mapped; if one is not, nothing is
    /// written, the fault counted and reported.
    pub fn write_masked(&mut self, addr: u64, data: &[u8], strb: &[u8]) -> Result<(), MemError> {
        let enabled = |i: usize| strb.get(i / 8).is_some_and(|s| s & (1 << (i % 8)) != 0);
        let mut i = 0;
        while i < data.len() {
            if !enabled(i) {
                i += 1;
                continue;
            }
            let run = (i..data.len()).take_while(|&j| enabled(j)).count();
            let Some(start) = addr.checked_add(i as u64) else {
                self.unmapped_writes += 1;
                return Err(MemError::Overflow { addr, len: data.len() as u64 });
            };
            if let Some(bad) = self.first_unmapped(start, run as u64) {
                self.unmapped_writes += 1;
                return Err(MemError::Unmapped { addr: bad });
            }
            i += run;
        }
        self.poke(addr, data, Some(strb));
        Ok(())
    }

    /// Reads bytes whether mapped or not (never-written bytes are zero), for
    /// debugging and for models that checked the mapping themselves.
    pub fn peek(&self, addr: u64, buf: &mut [u8]) {
        let mut done = 0;
        while done < buf.len() {
            let at = addr.wrapping_add(done as u64);
            let offset = (at % PAGE_SIZE) as usize;
            let n = (PAGE_SIZE as usize - offset).min(buf.len() - done);
            match self.pages.get(&(at / PAGE_SIZE)) {
                Some(page) => buf[done..done + n].copy_from_slice(&page[offset..offset + n]),
                None => buf[done..done + n].fill(0),
            }
            done += n;
        }
    }

    /// Writes without checking the mapping, for models that checked it
    /// themselves; `strb` as in [`SparseMemory::write_masked`].
    pub(crate) fn poke(&mut self, addr: u64, data: &[u8], strb: Option<&[u8]>) {
        let mut done = 0;
        while done < data.len() {
            let at = addr.wrapping_add(done as u64);
            let offset = (at % PAGE_SIZE) as usize;
            let n = (PAGE_SIZE as usize - offset).min(data.len() - done);
            let page = self.pages.entry(at / PAGE_SIZE).or_insert_with(|| Box::new([0; PAGE_SIZE as usize]));
            match strb {
                None => page[offset..offset + n].copy_from_slice(&data[done..done + n]),
                Some(strb) => {
                    for k in 0..n {
                        let i = done + k;
                        if strb.get(i / 8).is_some_and(|s| s & (1 << (i % 8)) != 0) {
                            page[offset + k] = data[i];
                        }
                    }
                }
            }
            done += n;
        }
    }

    /// Failed accesses so far.
    pub fn faults(&self) -> MemFaults {
        MemFaults { unmapped_reads: self.unmapped_reads.get(), unmapped_writes: self.unmapped_writes }
    }

    /// Storage pages in use (4 KiB each).
    pub fn pages_used(&self) -> usize {
        self.pages.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn map_merges_overlapping_and_adjacent_ranges() {
        let mut m = SparseMemory::new(0);
        m.map(0x1000, 0x100).unwrap();
        m.map(0x1100, 0x100).unwrap(); // adjacent
        m.map(0x3000, 0x10).unwrap();
        m.map(0x1080, 0x1000).unwrap(); // overlaps the merged one
        assert_eq!(m.regions().collect::<Vec<_>>(), [(0x1000, 0x1080), (0x3000, 0x10)]);
        assert!(m.is_mapped(0x1000, 0x1080));
        assert_eq!(m.first_unmapped(0x1000, 0x1081), Some(0x2080));
        m.map(0x2080, 0xF80).unwrap(); // closes the gap
        assert_eq!(m.regions().collect::<Vec<_>>(), [(0x1000, 0x2010)]);
    }

    #[test]
    fn unmap_splits_regions() {
        let mut m = SparseMemory::new(0);
        m.map(0x1000, 0x3000).unwrap();
        m.unmap(0x2000, 0x10).unwrap();
        assert_eq!(m.regions().collect::<Vec<_>>(), [(0x1000, 0x1000), (0x2010, 0x1ff0)]);
        m.unmap(0, 0x1_0000).unwrap();
        assert_eq!(m.regions().count(), 0);
    }

    #[test]
    fn alloc_aligns_maps_and_leaves_guard_gaps() {
        let mut m = SparseMemory::default().with_guard_gap(64);
        let a = m.alloc(100, 64).unwrap();
        let b = m.alloc(4096, 4096).unwrap();
        let c = m.alloc(1, 1).unwrap();
        assert_eq!(a, DEFAULT_ALLOC_BASE);
        assert_eq!(b, DEFAULT_ALLOC_BASE + 4096);
        assert_eq!(c, b + 4096 + 64);
        assert!(m.is_mapped(a, 100) && m.is_mapped(b, 4096) && m.is_mapped(c, 1));
        assert!(!m.is_mapped(a + 100, 1), "guard gap");
        assert_eq!(m.alloc(1, 3), Err(MemError::BadAlign { align: 3 }));
        assert_eq!(m.alloc(0, 1), Err(MemError::ZeroLength));
    }

    #[test]
    fn access_across_pages() {
        let mut m = SparseMemory::new(0);
        m.map(0xFF0, 0x20).unwrap();
        let data: Vec<u8> = (1..=0x20).collect();
        m.write(0xFF0, &data).unwrap();
        let mut back = [0u8; 0x20];
        m.read(0xFF0, &mut back).unwrap();
        assert_eq!(back[..], data[..]);
        assert_eq!(m.pages_used(), 2);
    }

    #[test]
    fn unmapped_read_returns_zeros_and_counts() {
        let mut m = SparseMemory::new(0);
        m.map(0, 16).unwrap();
        m.write(0, &[7; 16]).unwrap();
        let mut buf = [9u8; 17];
        assert_eq!(m.read(0, &mut buf), Err(MemError::Unmapped { addr: 16 }));
        assert_eq!(buf, [0; 17]);
        assert_eq!(m.faults(), MemFaults { unmapped_reads: 1, unmapped_writes: 0 });
    }

    #[test]
    fn unmapped_write_is_dropped_whole_and_counted() {
        let mut m = SparseMemory::new(0);
        m.map(0, 16).unwrap();
        assert_eq!(m.write(8, &[1; 16]), Err(MemError::Unmapped { addr: 16 }));
        let mut buf = [0u8; 16];
        m.read(0, &mut buf).unwrap();
        assert_eq!(buf, [0; 16]);
        assert_eq!(m.faults().unmapped_writes, 1);
    }

    #[test]
    fn masked_write_checks_only_enabled_bytes() {
        let mut m = SparseMemory::new(0);
        m.map(4, 4).unwrap();
        // 16-byte container, only bytes 4..8 enabled: ok although 0..4 and 8..16 are unmapped
        m.write_masked(0, &[0xAA; 16], &[0xF0, 0x00]).unwrap();
        let mut buf = [0u8; 4];
        m.read(4, &mut buf).unwrap();
        assert_eq!(buf, [0xAA; 4]);
        // a set strobe on an unmapped byte drops everything
        assert_eq!(m.write_masked(0, &[0xBB; 16], &[0xF0, 0x01]), Err(MemError::Unmapped { addr: 8 }));
        m.read(4, &mut buf).unwrap();
        assert_eq!(buf, [0xAA; 4]);
        // sparse strobes
        m.write_masked(4, &[1, 2, 3, 4], &[0b0101]).unwrap();
        m.read(4, &mut buf).unwrap();
        assert_eq!(buf, [1, 0xAA, 3, 0xAA]);
    }

    #[test]
    fn wrapping_ranges_are_errors_not_panics() {
        let mut m = SparseMemory::new(u64::MAX - 2);
        assert!(matches!(m.map(u64::MAX, 2), Err(MemError::Overflow { .. })));
        assert!(m.alloc(16, 1).is_err());
        m.map(u64::MAX - 1, 1).unwrap();
        let mut buf = [0u8; 4];
        assert!(m.read(u64::MAX - 1, &mut buf).is_err());
        assert!(m.write(u64::MAX - 1, &buf).is_err());
        assert!(m.write_masked(u64::MAX - 1, &buf, &[0xFF]).is_err());
        m.peek(u64::MAX - 1, &mut buf); // wraps around, by definition
    }

    proptest! {
        /// Against a flat byte array with a mapped bitmap.
        #[test]
        fn matches_a_flat_model(ops in proptest::collection::vec((0u8..4, 0u64..0x3000, 1usize..300, any::<u8>()), 1..60)) {
            const SIZE: usize = 0x3200;
            let mut m = SparseMemory::new(0);
            let mut bytes = vec![0u8; SIZE];
            let mut mapped = vec![false; SIZE];
            for (op, addr, len, val) in ops {
                let r = addr as usize..addr as usize + len;
                match op {
                    0 => { m.map(addr, len as u64).unwrap(); mapped[r].fill(true); }
                    1 => { m.unmap(addr, len as u64).unwrap(); mapped[r].fill(false); }
                    2 => {
                        let data: Vec<u8> = (0..len).map(|i| val.wrapping_add(i as u8)).collect();
                        let ok = mapped[r.clone()].iter().all(|&b| b);
                        prop_assert_eq!(m.write(addr, &data).is_ok(), ok);
                        if ok { bytes[r].copy_from_slice(&data); }
                    }
                    _ => {
                        let mut buf = vec![0xEE; len];
                        let ok = mapped[r.clone()].iter().all(|&b| b);
                        prop_assert_eq!(m.read(addr, &mut buf).is_ok(), ok);
                        if ok { prop_assert_eq!(&buf[..], &bytes[r]); } else { prop_assert!(buf.iter().all(|&b| b == 0)); }
                    }
                }
                // regions stay sorted, disjoint and non-adjacent
                let regions: Vec<_> = m.regions().collect();
                for pair in regions.windows(2) {
                    prop_assert!(pair[0].0 + pair[0].1 < pair[1].0);
                }
                let total: u64 = regions.iter().map(|r| r.1).sum();
                prop_assert_eq!(total as usize, mapped.iter().filter(|&&b| b).count());
            }
        }
    }
}
