//! IPv4 (RFC 791) and IPv6 (RFC 8200) headers for generated frames: no
//! options, no extension headers.

use super::checksum::{finish, fold, sum16};

/// IPv4 header length without options.
pub const IPV4_HEADER: usize = 20;
/// IPv6 fixed header length.
pub const IPV6_HEADER: usize = 40;
/// Hop limit / TTL of generated packets (Linux's default,
/// net.ipv4.ip_default_ttl).
pub const TTL: u8 = 64;
/// Where the IPv4 header checksum field is, from the header's start.
pub const IPV4_CSUM_OFFSET: usize = 10;

/// The IP version of a generated packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ip {
    /// IPv4, 20-byte header with a header checksum.
    V4,
    /// IPv6, 40-byte fixed header (no header checksum).
    V6,
}

impl Ip {
    /// Header length.
    pub fn header_len(self) -> usize {
        match self {
            Ip::V4 => IPV4_HEADER,
            Ip::V6 => IPV6_HEADER,
        }
    }

    /// The EtherType announcing it.
    pub fn ethertype(self) -> u16 {
        match self {
            Ip::V4 => super::ethernet::ETHERTYPE_IPV4,
            Ip::V6 => super::ethernet::ETHERTYPE_IPV6,
        }
    }

    /// Where the source and destination addresses are in the header
    /// (the destination follows the source).
    pub fn addr_range(self) -> std::ops::Range<usize> {
        match self {
            Ip::V4 => 12..20,
            Ip::V6 => 8..40,
        }
    }
}

/// Appends an IPv4 header (DF set, identification `id`, TTL 64) for
/// `payload_len` bytes of protocol `proto`, with its header checksum.
pub fn push_ipv4(f: &mut Vec<u8>, src: [u8; 4], dst: [u8; 4], proto: u8, payload_len: usize, id: u16) {
    let start = f.len();
    f.extend_from_slice(&[0x45, 0]);
    f.extend_from_slice(&((IPV4_HEADER + payload_len) as u16).to_be_bytes());
    f.extend_from_slice(&id.to_be_bytes());
    f.extend_from_slice(&[0x40, 0, TTL, proto, 0, 0]);
    f.extend_from_slice(&src);
    f.extend_from_slice(&dst);
    let csum = finish(sum16(&f[start..]), false);
    f[start + IPV4_CSUM_OFFSET..start + IPV4_CSUM_OFFSET + 2].copy_from_slice(&csum.to_be_bytes());
}

/// Appends an IPv6 header (traffic class 0, flow label from `flow_label`,
/// hop limit 64) for `payload_len` bytes with next header `proto`.
pub fn push_ipv6(f: &mut Vec<u8>, src: [u8; 16], dst: [u8; 16], proto: u8, payload_len: usize, flow_label: u32) {
    f.extend_from_slice(&(0x6000_0000 | (flow_label & 0xF_FFFF)).to_be_bytes());
    f.extend_from_slice(&(payload_len as u16).to_be_bytes());
    f.extend_from_slice(&[proto, TTL]);
    f.extend_from_slice(&src);
    f.extend_from_slice(&dst);
}

/// Recomputes the IPv4 header checksum of the header at `header` (any IHL).
pub fn fill_ipv4_checksum(header: &mut [u8]) {
    let len = usize::from(header[0] & 0x0F) * 4;
    header[IPV4_CSUM_OFFSET..IPV4_CSUM_OFFSET + 2].copy_from_slice(&[0, 0]);
    let csum = !fold(sum16(&header[..len]));
    header[IPV4_CSUM_OFFSET..IPV4_CSUM_OFFSET + 2].copy_from_slice(&csum.to_be_bytes());
}
