//! Legacy RX and TX descriptors (16 bytes, little-endian), as on e1000.
//! Also the byte layout of the TCP/IP context and extended data descriptors
//! (modules [`ctx`] and [`data`]). The RTL's view of every field is
//! `rtl/verinic_desc.vh`; `tests/desc_agree.rs` checks that the two agree.

/// Size of every descriptor in bytes.
pub const DESC_LEN: usize = 16;

/// RX descriptor status bits (byte 12).
pub mod rx_status {
    /// Descriptor done: the device wrote it back.
    pub const DD: u8 = 1 << 0;
    /// End of packet: the last descriptor of a frame.
    pub const EOP: u8 = 1 << 1;
    /// Ignore checksum indication.
    pub const IXSM: u8 = 1 << 2;
    /// The frame carried an 802.1Q tag.
    pub const VP: u8 = 1 << 3;
    /// UDP checksum calculated.
    pub const UDPCS: u8 = 1 << 4;
    /// TCP checksum calculated.
    pub const TCPCS: u8 = 1 << 5;
    /// IPv4 header checksum calculated.
    pub const IPCS: u8 = 1 << 6;
}

/// RX descriptor error bits (byte 13).
pub mod rx_errors {
    /// CRC error.
    pub const CE: u8 = 1 << 0;
    /// Symbol error.
    pub const SE: u8 = 1 << 1;
    /// Carrier extension error.
    pub const CXE: u8 = 1 << 4;
    /// TCP/UDP checksum error.
    pub const TCPE: u8 = 1 << 5;
    /// IPv4 header checksum error.
    pub const IPE: u8 = 1 << 6;
    /// RX data error.
    pub const RXE: u8 = 1 << 7;
}

/// TX descriptor command bits (byte 11).
pub mod tx_cmd {
    /// End of packet.
    pub const EOP: u8 = 1 << 0;
    /// Insert FCS.
    pub const IFCS: u8 = 1 << 1;
    /// Insert checksum (CSO/CSS).
    pub const IC: u8 = 1 << 2;
    /// Report status: write DD back.
    pub const RS: u8 = 1 << 3;
    /// Extended descriptor (context / data); 0 = legacy.
    pub const DEXT: u8 = 1 << 5;
    /// VLAN packet enable.
    pub const VLE: u8 = 1 << 6;
    /// Interrupt delay enable (TIDV applies).
    pub const IDE: u8 = 1 << 7;
}

/// TX descriptor status bits (byte 12).
pub mod tx_status {
    /// Descriptor done.
    pub const DD: u8 = 1 << 0;
}

/// TCP/IP context descriptor (TUCMD.DEXT = 1, DTYP = 0): byte offsets and bits.
pub mod ctx {
    /// IP checksum start (byte).
    pub const IPCSS: usize = 0;
    /// IP checksum offset (byte).
    pub const IPCSO: usize = 1;
    /// IP checksum end, 16 bits little-endian (bytes 2-3).
    pub const IPCSE: usize = 2;
    /// TCP/UDP checksum start (byte).
    pub const TUCSS: usize = 4;
    /// TCP/UDP checksum offset (byte).
    pub const TUCSO: usize = 5;
    /// TCP/UDP checksum end, 16 bits little-endian (bytes 6-7).
    pub const TUCSE: usize = 6;
    /// Byte holding DTYP in its high nibble.
    pub const DTYP_BYTE: usize = 10;
    /// Mask of DTYP in [`DTYP_BYTE`].
    pub const DTYP_MASK: u8 = 0xF0;
    /// TUCMD (byte).
    pub const TUCMD: usize = 11;
    /// TUCMD.TCP: the packet is TCP (clear: UDP, whose checksum of 0 the
    /// NIC sends as 0xFFFF).
    pub const TUCMD_TCP: u8 = 1 << 0;
    /// TUCMD.IP: the IP checksum is IPv4's.
    pub const TUCMD_IP: u8 = 1 << 1;
    /// TUCMD.DEXT: an extended descriptor.
    pub const TUCMD_DEXT: u8 = 1 << 5;
}

/// TCP/IP extended data descriptor (DCMD.DEXT = 1, DTYP = 1): byte offsets and bits.
/// Address and length are where a legacy descriptor has them.
pub mod data {
    /// Byte holding DTYP in its high nibble.
    pub const DTYP_BYTE: usize = 10;
    /// Mask of DTYP in [`DTYP_BYTE`].
    pub const DTYP_MASK: u8 = 0xF0;
    /// DTYP of a data descriptor, in place in [`DTYP_BYTE`].
    pub const DTYP_DATA: u8 = 0x10;
    /// DCMD (byte): the bits of [`super::tx_cmd`].
    pub const DCMD: usize = 11;
    /// Status (byte).
    pub const STATUS: usize = 12;
    /// POPTS (byte).
    pub const POPTS: usize = 13;
    /// POPTS.IXSM: insert the IP checksum.
    pub const POPTS_IXSM: u8 = 1 << 0;
    /// POPTS.TXSM: insert the TCP/UDP checksum.
    pub const POPTS_TXSM: u8 = 1 << 1;
}

/// A legacy RX descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RxDesc {
    /// Buffer address (bytes 0-7), written by the driver.
    pub addr: u64,
    /// Bytes written to this buffer (8-9).
    pub length: u16,
    /// Raw packet checksum from RXCSUM.PCSS (10-11).
    pub checksum: u16,
    /// Status (12).
    pub status: u8,
    /// Errors (13).
    pub errors: u8,
    /// VLAN tag (14-15).
    pub special: u16,
}

impl RxDesc {
    /// Decodes 16 bytes.
    pub fn from_bytes(b: &[u8; DESC_LEN]) -> Self {
        RxDesc {
            addr: u64::from_le_bytes(b[0..8].try_into().unwrap()),
            length: u16::from_le_bytes([b[8], b[9]]),
            checksum: u16::from_le_bytes([b[10], b[11]]),
            status: b[12],
            errors: b[13],
            special: u16::from_le_bytes([b[14], b[15]]),
        }
    }

    /// Encodes to 16 bytes.
    pub fn to_bytes(&self) -> [u8; DESC_LEN] {
        let mut b = [0u8; DESC_LEN];
        b[0..8].copy_from_slice(&self.addr.to_le_bytes());
        b[8..10].copy_from_slice(&self.length.to_le_bytes());
        b[10..12].copy_from_slice(&self.checksum.to_le_bytes());
        b[12] = self.status;
        b[13] = self.errors;
        b[14..16].copy_from_slice(&self.special.to_le_bytes());
        b
    }
}

/// A legacy TX descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TxDesc {
    /// Buffer address (0-7).
    pub addr: u64,
    /// Bytes in the buffer (8-9).
    pub length: u16,
    /// Checksum offset: where to store the checksum (10).
    pub cso: u8,
    /// Command (11).
    pub cmd: u8,
    /// Status (12), DD written back by the device.
    pub status: u8,
    /// Checksum start (13).
    pub css: u8,
    /// VLAN tag (14-15).
    pub special: u16,
}

impl TxDesc {
    /// Decodes 16 bytes.
    pub fn from_bytes(b: &[u8; DESC_LEN]) -> Self {
        TxDesc {
            addr: u64::from_le_bytes(b[0..8].try_into().unwrap()),
            length: u16::from_le_bytes([b[8], b[9]]),
            cso: b[10],
            cmd: b[11],
            status: b[12],
            css: b[13],
            special: u16::from_le_bytes([b[14], b[15]]),
        }
    }

    /// Encodes to 16 bytes.
    pub fn to_bytes(&self) -> [u8; DESC_LEN] {
        let mut b = [0u8; DESC_LEN];
        b[0..8].copy_from_slice(&self.addr.to_le_bytes());
        b[8..10].copy_from_slice(&self.length.to_le_bytes());
        b[10] = self.cso;
        b[11] = self.cmd;
        b[12] = self.status;
        b[13] = self.css;
        b[14..16].copy_from_slice(&self.special.to_le_bytes());
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rx_round_trip() {
        let d =
            RxDesc { addr: 0x1122_3344_5566_7788, length: 1514, checksum: 0xBEEF, status: 3, errors: 0x40, special: 5 };
        assert_eq!(RxDesc::from_bytes(&d.to_bytes()), d);
        assert_eq!(d.to_bytes()[12], 3);
    }

    #[test]
    fn tx_round_trip() {
        let d =
            TxDesc { addr: 0x1000, length: 60, cso: 50, cmd: tx_cmd::EOP | tx_cmd::RS, status: 0, css: 34, special: 0 };
        assert_eq!(TxDesc::from_bytes(&d.to_bytes()), d);
        assert_eq!(d.to_bytes()[11], 0x09);
    }
}
