//! UDP (RFC 768) and TCP (RFC 793) headers for generated frames.

/// UDP header length.
pub const UDP_HEADER: usize = 8;
/// TCP header length without options.
pub const TCP_HEADER: usize = 20;
/// IP protocol number of UDP.
pub const PROTO_UDP: u8 = 17;
/// IP protocol number of TCP.
pub const PROTO_TCP: u8 = 6;

/// The transport of a generated packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum L4 {
    /// UDP.
    Udp,
    /// TCP (one segment with PSH and ACK, no options).
    Tcp,
}

impl L4 {
    /// Header length.
    pub fn header_len(self) -> usize {
        match self {
            L4::Udp => UDP_HEADER,
            L4::Tcp => TCP_HEADER,
        }
    }

    /// IP protocol number.
    pub fn proto(self) -> u8 {
        match self {
            L4::Udp => PROTO_UDP,
            L4::Tcp => PROTO_TCP,
        }
    }

    /// Where the checksum field is, from the header's start
    /// (skb->csum_offset: offsetof(struct udphdr, check) = 6,
    /// offsetof(struct tcphdr, check) = 16).
    pub fn csum_offset(self) -> usize {
        match self {
            L4::Udp => 6,
            L4::Tcp => 16,
        }
    }

    /// The L4 protocol of IP protocol number `proto`, if TCP or UDP.
    pub fn from_proto(proto: u8) -> Option<L4> {
        match proto {
            PROTO_UDP => Some(L4::Udp),
            PROTO_TCP => Some(L4::Tcp),
            _ => None,
        }
    }
}

/// Appends a header with a zero checksum for a segment of `seg_len` bytes
/// (header included). TCP: sequence number `seq`, acknowledgement 1, PSH
/// and ACK, window 65535.
pub fn push_header(f: &mut Vec<u8>, l4: L4, src_port: u16, dst_port: u16, seg_len: usize, seq: u32) {
    f.extend_from_slice(&src_port.to_be_bytes());
    f.extend_from_slice(&dst_port.to_be_bytes());
    match l4 {
        L4::Udp => {
            f.extend_from_slice(&(seg_len as u16).to_be_bytes());
            f.extend_from_slice(&[0, 0]);
        }
        L4::Tcp => {
            f.extend_from_slice(&seq.to_be_bytes());
            f.extend_from_slice(&1u32.to_be_bytes());
            // data offset 5 words; flags PSH | ACK
            f.extend_from_slice(&[0x50, 0x18, 0xFF, 0xFF, 0, 0, 0, 0]);
        }
    }
}
