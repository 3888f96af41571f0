//! The device's register map: e1000 legacy offsets and bits, plus verinic's
//! extensions. Defined once here for Rust and once in `rtl/verinic_nic_regs.v`
//! for the hardware; `tests/regs_agree.rs` checks that the two agree.
//!
//! Registers are 32-bit, little-endian, at byte offsets of the register space
//! (BAR0). Statistics registers clear on read, as on e1000.

/// Device control. Bit [`CTRL_RST`] resets the device (self-clearing).
pub const CTRL: u32 = 0x0000;
/// Device status. Bit [`STATUS_LU`]: link up.
pub const STATUS: u32 = 0x0008;
/// Interrupt cause read: reading returns and clears the causes; writing 1s clears them.
pub const ICR: u32 = 0x00C0;
/// Interrupt throttling: minimum interval between interrupts in 256 ns units, 0 = off.
pub const ITR: u32 = 0x00C4;
/// Interrupt cause set: writing 1s raises those causes.
pub const ICS: u32 = 0x00C8;
/// Interrupt mask set: writing 1s enables those causes; reading returns the mask.
pub const IMS: u32 = 0x00D0;
/// Interrupt mask clear: writing 1s disables those causes.
pub const IMC: u32 = 0x00D8;
/// Receive control.
pub const RCTL: u32 = 0x0100;
/// Transmit control.
pub const TCTL: u32 = 0x0400;

/// RX ring base address, low 32 bits (16-byte aligned; bits 3:0 ignored).
pub const RDBAL: u32 = 0x2800;
/// RX ring base address, high 32 bits.
pub const RDBAH: u32 = 0x2804;
/// RX ring length in bytes: a multiple of 128 (8 descriptors).
pub const RDLEN: u32 = 0x2808;
/// RX head: the next descriptor the device fills (device-owned).
pub const RDH: u32 = 0x2810;
/// RX tail: one past the last descriptor the driver gave the device.
pub const RDT: u32 = 0x2818;
/// RX packet timer (1.024 us units), restarted by every frame; bit 31 (FPD) flushes now.
pub const RDTR: u32 = 0x2820;
/// RX absolute delay (1.024 us units) from the first frame not yet signalled.
pub const RADV: u32 = 0x282C;

/// TX ring base address, low 32 bits.
pub const TDBAL: u32 = 0x3800;
/// TX ring base address, high 32 bits.
pub const TDBAH: u32 = 0x3804;
/// TX ring length in bytes: a multiple of 128.
pub const TDLEN: u32 = 0x3808;
/// TX head (device-owned).
pub const TDH: u32 = 0x3810;
/// TX tail: one past the last descriptor the driver queued.
pub const TDT: u32 = 0x3818;
/// TX interrupt delay (1.024 us units) for descriptors with IDE set, restarted per descriptor.
pub const TIDV: u32 = 0x3820;
/// TX absolute delay (1.024 us units), 0 = off.
pub const TADV: u32 = 0x382C;

/// RX checksum control: bits 7:0 PCSS, bit 8 IPOFLD, bit 9 TUOFLD.
pub const RXCSUM: u32 = 0x5000;

/// CRC error count.
pub const CRCERRS: u32 = 0x4000;
/// RX error count: frames with an Error character, broken framing or a bad preamble.
pub const RXERRC: u32 = 0x400C;
/// Missed packets: the RX FIFO was full.
pub const MPC: u32 = 0x4010;
/// Good packets received.
pub const GPRC: u32 = 0x4074;
/// Good packets transmitted.
pub const GPTC: u32 = 0x4080;
/// Good octets received, low / high (FCS included).
pub const GORCL: u32 = 0x4088;
/// Good octets received, high 32 bits.
pub const GORCH: u32 = 0x408C;
/// Good octets transmitted, low.
pub const GOTCL: u32 = 0x4090;
/// Good octets transmitted, high.
pub const GOTCH: u32 = 0x4094;
/// Receive no buffers: a frame waited because head == tail.
pub const RNBC: u32 = 0x40A0;
/// Receive undersize (runts).
pub const RUC: u32 = 0x40A4;
/// Receive oversize.
pub const ROC: u32 = 0x40AC;

/// verinic extension: RX frame-count threshold (ethtool rx-frames); 0 = off.
/// The RX interrupt is raised when this many frames are written back and not
/// yet signalled, whichever of it and the timers comes first.
pub const VN_RXFRAMES: u32 = 0xF000;
/// verinic extension: TX frame-count threshold (ethtool tx-frames); 0 = off.
pub const VN_TXFRAMES: u32 = 0xF004;
/// verinic extension: identification, reads [`VN_ID_VALUE`].
pub const VN_ID: u32 = 0xF010;
/// verinic extension: transmitted frames whose checksum offsets did not fit
/// the frame (sent unmodified). Clear on read.
pub const VN_TXCSUMERR: u32 = 0xF020;
/// verinic extension: AXI error responses on the host memory bus. Bits 15:0
/// count R beats and B responses with SLVERR or DECERR (saturating); sticky
/// bits: [`AXIERR_R_SLVERR`], [`AXIERR_R_DECERR`], [`AXIERR_B_SLVERR`],
/// [`AXIERR_B_DECERR`]. Clear on read.
pub const VN_AXIERR: u32 = 0xF024;
/// VN_AXIERR: the error-response count (bits 15:0).
pub const AXIERR_COUNT_MASK: u32 = 0xFFFF;
/// VN_AXIERR: a read (R) response was SLVERR.
pub const AXIERR_R_SLVERR: u32 = 1 << 16;
/// VN_AXIERR: a read (R) response was DECERR.
pub const AXIERR_R_DECERR: u32 = 1 << 17;
/// VN_AXIERR: a write (B) response was SLVERR.
pub const AXIERR_B_SLVERR: u32 = 1 << 18;
/// VN_AXIERR: a write (B) response was DECERR.
pub const AXIERR_B_DECERR: u32 = 1 << 19;
/// verinic extension: DMA and bus errors (docs/nic.md, "DMA and bus
/// errors"). Bits 5:0, sticky until reset, the kinds of transfer that got
/// SLVERR or DECERR ([`dmaerr`]); bits 31:16 the error responses since reset
/// (saturating). Not cleared by reading: the affected path stays halted
/// until CTRL.RST.
pub const VN_DMAERR: u32 = 0xF028;
/// verinic extension: good frames the device discarded on admission because
/// the receiver was disabled (RCTL.EN = 0) when they began or the device was
/// reset while they arrived (docs/nic.md, "Reset"). Not in GPRC. Clear on
/// read; like the other statistics, kept across CTRL.RST.
pub const VN_RXDISC: u32 = 0xF02C;
/// VN_DMAERR: its kind bits.
pub mod dmaerr {
    /// RX descriptor fetch (read).
    pub const RX_FETCH: u32 = 1 << 0;
    /// RX packet write.
    pub const RX_DATA: u32 = 1 << 1;
    /// RX descriptor write-back.
    pub const RX_WB: u32 = 1 << 2;
    /// TX descriptor fetch (read).
    pub const TX_FETCH: u32 = 1 << 3;
    /// TX packet read.
    pub const TX_DATA: u32 = 1 << 4;
    /// TX descriptor write-back.
    pub const TX_WB: u32 = 1 << 5;
    /// The error responses since reset (bits 31:16), shifted down.
    pub fn count(v: u32) -> u32 {
        v >> 16
    }
}
/// "VNIC" in ASCII: the value of [`VN_ID`].
pub const VN_ID_VALUE: u32 = 0x564E_4943;

/// CTRL: device reset (self-clearing).
pub const CTRL_RST: u32 = 1 << 26;
/// STATUS: link up.
pub const STATUS_LU: u32 = 1 << 1;

/// RCTL: receiver enable.
pub const RCTL_EN: u32 = 1 << 1;
/// RCTL: free-descriptor threshold for RXDMT0, bits 9:8 (0 = 1/2, 1 = 1/4, 2 = 1/8 of the ring).
pub const RCTL_RDMTS_SHIFT: u32 = 8;
/// RCTL: buffer size, bits 17:16 (with BSEX = 0: 0 = 2048, 1 = 1024, 2 = 512, 3 = 256 bytes).
pub const RCTL_BSIZE_SHIFT: u32 = 16;
/// RCTL: strip the Ethernet CRC (always done by verinic; the bit is accepted and ignored).
pub const RCTL_SECRC: u32 = 1 << 26;

/// TCTL: transmitter enable.
pub const TCTL_EN: u32 = 1 << 1;
/// TCTL: pad short packets to 64 bytes.
pub const TCTL_PSP: u32 = 1 << 3;

/// RXCSUM: IPv4 header checksum offload.
pub const RXCSUM_IPOFLD: u32 = 1 << 8;
/// RXCSUM: TCP/UDP checksum offload.
pub const RXCSUM_TUOFLD: u32 = 1 << 9;

/// RDTR / RADV / TIDV / TADV unit in nanoseconds (1.024 us).
pub const DELAY_UNIT_NS: u64 = 1024;
/// ITR unit in nanoseconds.
pub const ITR_UNIT_NS: u64 = 256;
/// RDTR bit 31: flush partial descriptor block (write back and interrupt now).
pub const RDTR_FPD: u32 = 1 << 31;

/// Interrupt causes (ICR, ICS, IMS, IMC bits).
pub mod icr {
    /// TX descriptor written back.
    pub const TXDW: u32 = 1 << 0;
    /// TX queue empty.
    pub const TXQE: u32 = 1 << 1;
    /// Link status change.
    pub const LSC: u32 = 1 << 2;
    /// Free RX descriptors fell below the RDMTS threshold.
    pub const RXDMT0: u32 = 1 << 4;
    /// RX FIFO overrun (a frame was dropped: MPC).
    pub const RXO: u32 = 1 << 6;
    /// RX timer: a frame was written back and the RX delay expired.
    pub const RXT0: u32 = 1 << 7;
    /// verinic: a DMA transfer was answered SLVERR or DECERR and the
    /// affected path halted (VN_DMAERR says which); bit 22, reserved in the
    /// 8254x's ICR.
    pub const DMAERR: u32 = 1 << 22;
    /// Every cause verinic implements.
    pub const ALL: u32 = TXDW | TXQE | LSC | RXDMT0 | RXO | RXT0 | DMAERR;
}

/// Every register with its name, for tests, traces and dumps.
pub const ALL: &[(&str, u32)] = &[
    ("CTRL", CTRL),
    ("STATUS", STATUS),
    ("ICR", ICR),
    ("ITR", ITR),
    ("ICS", ICS),
    ("IMS", IMS),
    ("IMC", IMC),
    ("RCTL", RCTL),
    ("TCTL", TCTL),
    ("RDBAL", RDBAL),
    ("RDBAH", RDBAH),
    ("RDLEN", RDLEN),
    ("RDH", RDH),
    ("RDT", RDT),
    ("RDTR", RDTR),
    ("RADV", RADV),
    ("TDBAL", TDBAL),
    ("TDBAH", TDBAH),
    ("TDLEN", TDLEN),
    ("TDH", TDH),
    ("TDT", TDT),
    ("TIDV", TIDV),
    ("TADV", TADV),
    ("RXCSUM", RXCSUM),
    ("CRCERRS", CRCERRS),
    ("RXERRC", RXERRC),
    ("MPC", MPC),
    ("GPRC", GPRC),
    ("GPTC", GPTC),
    ("GORCL", GORCL),
    ("GORCH", GORCH),
    ("GOTCL", GOTCL),
    ("GOTCH", GOTCH),
    ("RNBC", RNBC),
    ("RUC", RUC),
    ("ROC", ROC),
    ("VN_RXFRAMES", VN_RXFRAMES),
    ("VN_TXFRAMES", VN_TXFRAMES),
    ("VN_ID", VN_ID),
    ("VN_TXCSUMERR", VN_TXCSUMERR),
    ("VN_AXIERR", VN_AXIERR),
    ("VN_DMAERR", VN_DMAERR),
    ("VN_RXDISC", VN_RXDISC),
];

/// The name of the register at `offset`, if it is one.
pub fn name(offset: u32) -> Option<&'static str> {
    ALL.iter().find(|(_, o)| *o == offset).map(|(n, _)| *n)
}
