//! AXI4 (128-bit data) and AXI4-Lite (32-bit) signals, one struct per direction.
//!
//! Each struct holds what one side drives during one clock cycle. A channel
//! transfers at an edge iff its `valid` and `ready` were both high before that
//! edge; [`Handshakes`] computes that once for both sides so the master and
//! slave models cannot disagree about it.
//!
//! [`Burst`] holds the address arithmetic of an AXI4 burst (beat addresses,
//! active byte lanes, the 4 KiB rule) shared by every model that decodes one.

/// Bytes per beat of the 128-bit AXI4 data bus.
pub const DATA_BYTES: usize = 16;

/// `log2(DATA_BYTES)`: the largest legal `size` on this bus.
pub const MAX_SIZE: u8 = 4;

/// AXI burst types (`ar_burst`, `aw_burst`).
pub mod burst {
    /// Every beat at the same address (unsupported by the models here).
    pub const FIXED: u8 = 0;
    /// Incrementing addresses: the only type a DMA engine needs.
    pub const INCR: u8 = 1;
    /// Wrapping at an aligned boundary (unsupported by the models here).
    pub const WRAP: u8 = 2;
}

/// AXI response codes (`r_resp`, `b_resp`).
pub mod resp {
    /// Normal access success.
    pub const OKAY: u8 = 0;
    /// Exclusive access success (never produced here).
    pub const EXOKAY: u8 = 1;
    /// The slave was reached but refused the access.
    pub const SLVERR: u8 = 2;
    /// No slave at the address.
    pub const DECERR: u8 = 3;

    /// Upper-case name of a response code, for traces and messages.
    pub fn name(resp: u8) -> &'static str {
        match resp {
            OKAY => "OKAY",
            EXOKAY => "EXOKAY",
            SLVERR => "SLVERR",
            DECERR => "DECERR",
            _ => "RESP?",
        }
    }
}

/// What an AXI4 master (the DUT's DMA port) drives in one cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AxiMasterOut {
    /// Read address channel: transaction ID.
    pub ar_id: u8,
    /// Read address channel: byte address of the first beat.
    pub ar_addr: u64,
    /// Read address channel: beats minus one.
    pub ar_len: u8,
    /// Read address channel: log2 of bytes per beat.
    pub ar_size: u8,
    /// Read address channel: burst type (see [`burst`]).
    pub ar_burst: u8,
    /// Read address channel: valid.
    pub ar_valid: bool,
    /// Read data channel: the master takes a beat.
    pub r_ready: bool,
    /// Write address channel: transaction ID.
    pub aw_id: u8,
    /// Write address channel: byte address of the first beat.
    pub aw_addr: u64,
    /// Write address channel: beats minus one.
    pub aw_len: u8,
    /// Write address channel: log2 of bytes per beat.
    pub aw_size: u8,
    /// Write address channel: burst type (see [`burst`]).
    pub aw_burst: u8,
    /// Write address channel: valid.
    pub aw_valid: bool,
    /// Write data channel: 16 bytes, lane 0 in bits 7:0.
    pub w_data: u128,
    /// Write data channel: one bit per byte lane to write.
    pub w_strb: u16,
    /// Write data channel: last beat of the burst.
    pub w_last: bool,
    /// Write data channel: valid.
    pub w_valid: bool,
    /// Write response channel: the master takes a response.
    pub b_ready: bool,
}

/// What an AXI4 slave (host memory) drives in one cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AxiSlaveOut {
    /// Read address channel: the slave takes an address.
    pub ar_ready: bool,
    /// Read data channel: ID of the transaction this beat belongs to.
    pub r_id: u8,
    /// Read data channel: 16 bytes, lane 0 in bits 7:0.
    pub r_data: u128,
    /// Read data channel: response code (see [`resp`]).
    pub r_resp: u8,
    /// Read data channel: last beat of the burst.
    pub r_last: bool,
    /// Read data channel: valid.
    pub r_valid: bool,
    /// Write address channel: the slave takes an address.
    pub aw_ready: bool,
    /// Write data channel: the slave takes a beat.
    pub w_ready: bool,
    /// Write response channel: ID of the transaction answered.
    pub b_id: u8,
    /// Write response channel: response code (see [`resp`]).
    pub b_resp: u8,
    /// Write response channel: valid.
    pub b_valid: bool,
}

/// What an AXI4-Lite master (the host CPU's MMIO path) drives in one cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AxilMasterOut {
    /// Write address.
    pub aw_addr: u32,
    /// Write address valid.
    pub aw_valid: bool,
    /// Write data.
    pub w_data: u32,
    /// Write strobes, one bit per byte.
    pub w_strb: u8,
    /// Write data valid.
    pub w_valid: bool,
    /// The master takes a write response.
    pub b_ready: bool,
    /// Read address.
    pub ar_addr: u32,
    /// Read address valid.
    pub ar_valid: bool,
    /// The master takes read data.
    pub r_ready: bool,
}

/// What an AXI4-Lite slave (the DUT's register file) drives in one cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AxilSlaveOut {
    /// The slave takes a write address.
    pub aw_ready: bool,
    /// The slave takes write data.
    pub w_ready: bool,
    /// Write response code (see [`resp`]).
    pub b_resp: u8,
    /// Write response valid.
    pub b_valid: bool,
    /// The slave takes a read address.
    pub ar_ready: bool,
    /// Read data.
    pub r_data: u32,
    /// Read response code (see [`resp`]).
    pub r_resp: u8,
    /// Read data valid.
    pub r_valid: bool,
}

/// Which channels transferred at one edge, on an AXI4 or an AXI4-Lite link.
///
/// Both protocols have the same five channels with the same valid/ready
/// signal names, so one type serves both; [`Handshakes::between`] pairs a
/// master's outputs only with its own protocol's slave outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Handshakes {
    /// Read address.
    pub ar: bool,
    /// Read data.
    pub r: bool,
    /// Write address.
    pub aw: bool,
    /// Write data.
    pub w: bool,
    /// Write response.
    pub b: bool,
}

impl Handshakes {
    /// The transfers at an edge, from both sides' outputs before it.
    #[inline]
    pub fn between<M: MasterOut>(m: &M, s: &M::Slave) -> Self {
        m.handshakes(s)
    }
}

/// A master's per-cycle outputs, tied to the slave outputs of the same
/// protocol, so that [`Handshakes::between`] cannot mix AXI4 and AXI4-Lite.
pub trait MasterOut {
    /// What the slave on the other end drives.
    type Slave;

    /// Which channels have `valid && ready` between `self` and `s`.
    fn handshakes(&self, s: &Self::Slave) -> Handshakes;
}

/// Implements [`MasterOut`] for a master/slave pair: the signal names are the
/// same in AXI4 and AXI4-Lite, so one body serves both.
macro_rules! master_out {
    ($master:ty, $slave:ty) => {
        impl MasterOut for $master {
            type Slave = $slave;

            #[inline]
            fn handshakes(&self, s: &$slave) -> Handshakes {
                Handshakes {
                    ar: self.ar_valid && s.ar_ready,
                    r: s.r_valid && self.r_ready,
                    aw: self.aw_valid && s.aw_ready,
                    w: self.w_valid && s.w_ready,
                    b: s.b_valid && self.b_ready,
                }
            }
        }
    };
}

master_out!(AxiMasterOut, AxiSlaveOut);
master_out!(AxilMasterOut, AxilSlaveOut);

/// Why a burst cannot be served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BurstError {
    /// FIXED or WRAP: legal AXI, but not implemented by the host models.
    Unsupported,
    /// Burst type 3 is reserved: a protocol violation.
    Reserved,
    /// More bytes per beat than the bus carries: a protocol violation.
    SizeTooLarge,
    /// The burst crosses a 4 KiB boundary: a protocol violation.
    Crosses4k,
    /// The burst runs past the top of the 64-bit address space.
    Wraps,
}

impl BurstError {
    /// Whether the master broke the AXI rules (as opposed to asking for
    /// something legal that the slave does not implement).
    pub fn is_protocol_violation(self) -> bool {
        !matches!(self, BurstError::Unsupported)
    }
}

/// The address phase of an AXI4 burst, with its address arithmetic.
///
/// All methods are total: on a burst that fails [`Burst::check`] they still
/// return something (with `size` clamped to the bus width) rather than panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Burst {
    /// Byte address of the first beat (may be unaligned).
    pub addr: u64,
    /// Beats minus one.
    pub len: u8,
    /// log2 of bytes per beat.
    pub size: u8,
    /// Burst type (see [`burst`]).
    pub kind: u8,
}

impl Burst {
    /// The read burst a master is offering.
    pub fn from_ar(m: &AxiMasterOut) -> Self {
        Burst { addr: m.ar_addr, len: m.ar_len, size: m.ar_size, kind: m.ar_burst }
    }

    /// The write burst a master is offering.
    pub fn from_aw(m: &AxiMasterOut) -> Self {
        Burst { addr: m.aw_addr, len: m.aw_len, size: m.aw_size, kind: m.aw_burst }
    }

    /// Number of beats.
    #[inline]
    pub fn beats(&self) -> u32 {
        u32::from(self.len) + 1
    }

    #[inline]
    fn beat_bytes(&self) -> u64 {
        1 << self.size.min(MAX_SIZE)
    }

    #[inline]
    fn aligned(&self) -> u64 {
        self.addr & !(self.beat_bytes() - 1)
    }

    /// One past the last byte of the burst (saturating at `u64::MAX`).
    pub fn end(&self) -> u64 {
        self.aligned().saturating_add(u64::from(self.beats()) * self.beat_bytes())
    }

    /// Bytes the burst covers: from the (possibly unaligned) start to [`Burst::end`].
    pub fn bytes(&self) -> u64 {
        self.end() - self.addr
    }

    /// Whether the models can serve this burst.
    pub fn check(&self) -> Result<(), BurstError> {
        match self.kind {
            burst::INCR => {}
            burst::FIXED | burst::WRAP => return Err(BurstError::Unsupported),
            _ => return Err(BurstError::Reserved),
        }
        if self.size > MAX_SIZE {
            return Err(BurstError::SizeTooLarge);
        }
        let end = self.aligned().checked_add(u64::from(self.beats()) * self.beat_bytes()).ok_or(BurstError::Wraps)?;
        if self.addr >> 12 != (end - 1) >> 12 {
            return Err(BurstError::Crosses4k);
        }
        Ok(())
    }

    /// Address of beat `n` (beat 0 keeps the unaligned start; the rest are aligned).
    #[inline]
    pub fn beat_addr(&self, n: u32) -> u64 {
        if n == 0 {
            self.addr
        } else {
            self.aligned().wrapping_add(u64::from(n) * self.beat_bytes())
        }
    }

    /// Byte lanes of the 128-bit bus that carry data on beat `n`.
    #[inline]
    pub fn lanes(&self, n: u32) -> u16 {
        let addr = self.beat_addr(n);
        let bytes = self.beat_bytes();
        let lower = (addr & 15) as u32;
        let upper = ((addr & !(bytes - 1)) & 15) as u32 + bytes as u32; // exclusive, <= 16
        let below_upper = ((1u32 << upper) - 1) as u16;
        let below_lower = ((1u32 << lower) - 1) as u16;
        below_upper & !below_lower
    }
}

/// The 128-bit mask selecting the bytes of a 16-bit lane mask.
#[inline]
pub fn lane_mask(lanes: u16) -> u128 {
    let mut mask = 0u128;
    for lane in 0..16 {
        if lanes & (1 << lane) != 0 {
            mask |= 0xFF << (8 * lane);
        }
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incr(addr: u64, len: u8, size: u8) -> Burst {
        Burst { addr, len, size, kind: burst::INCR }
    }

    #[test]
    fn full_width_burst_lanes_and_addresses() {
        let b = incr(0x1000, 3, 4);
        assert_eq!(b.check(), Ok(()));
        assert_eq!(b.bytes(), 64);
        assert_eq!((0..4).map(|n| b.beat_addr(n)).collect::<Vec<_>>(), [0x1000, 0x1010, 0x1020, 0x1030]);
        assert!((0..4).all(|n| b.lanes(n) == 0xFFFF));
    }

    #[test]
    fn unaligned_start_drops_low_lanes_of_first_beat_only() {
        let b = incr(0x1006, 1, 4);
        assert_eq!(b.lanes(0), 0xFFC0);
        assert_eq!(b.lanes(1), 0xFFFF);
        assert_eq!(b.bytes(), 26);
    }

    #[test]
    fn narrow_beats_walk_the_lanes() {
        let b = incr(0x2004, 4, 2); // five 4-byte beats from lane 4
        let lanes: Vec<u16> = (0..5).map(|n| b.lanes(n)).collect();
        assert_eq!(lanes, [0x00F0, 0x0F00, 0xF000, 0x000F, 0x00F0]);
        assert_eq!(b.bytes(), 20);
    }

    #[test]
    fn burst_checks() {
        assert_eq!(incr(0xFC0, 4, 4).check(), Err(BurstError::Crosses4k));
        assert_eq!(incr(0xFC0, 3, 4).check(), Ok(()));
        assert_eq!(incr(0, 0, 5).check(), Err(BurstError::SizeTooLarge));
        assert_eq!(incr(u64::MAX - 15, 1, 4).check(), Err(BurstError::Wraps));
        assert_eq!(Burst { kind: burst::WRAP, ..incr(0, 3, 4) }.check(), Err(BurstError::Unsupported));
        assert_eq!(Burst { kind: 3, ..incr(0, 3, 4) }.check(), Err(BurstError::Reserved));
        assert!(!BurstError::Unsupported.is_protocol_violation());
        assert!(BurstError::Crosses4k.is_protocol_violation());
    }

    #[test]
    fn nonsense_bursts_do_not_panic() {
        let b = Burst { addr: u64::MAX, len: 255, size: 255, kind: 255 };
        let _ = (b.check(), b.bytes(), b.end(), b.beat_addr(255), b.lanes(255));
    }

    #[test]
    fn lane_mask_expands_bits_to_bytes() {
        assert_eq!(lane_mask(0), 0);
        assert_eq!(lane_mask(0xFFFF), u128::MAX);
        assert_eq!(lane_mask(0b101), 0xFF_00FF);
    }

    #[test]
    fn handshakes_need_both_sides() {
        let m = AxiMasterOut { ar_valid: true, r_ready: true, w_valid: true, ..Default::default() };
        let s = AxiSlaveOut { ar_ready: true, r_valid: true, aw_ready: true, ..Default::default() };
        assert_eq!(Handshakes::between(&m, &s), Handshakes { ar: true, r: true, ..Default::default() });
        let m = AxilMasterOut { aw_valid: true, w_valid: true, ..Default::default() };
        let s = AxilSlaveOut { aw_ready: true, ..Default::default() };
        assert_eq!(Handshakes::between(&m, &s), Handshakes { aw: true, ..Default::default() });
    }
}
