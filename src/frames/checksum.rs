//! The Internet checksum (RFC 1071): 16-bit ones' complement sums over
//! big-endian words, the pseudo-header sums of RFC 768 / RFC 793 (IPv4) and
//! RFC 8200 section 8.1 (IPv6), and what the stack does with them: compute a
//! checksum in software, or leave it to the NIC (CHECKSUM_PARTIAL).

/// The ones' complement sum of `data` as 16-bit big-endian words (an odd last
/// byte padded with zero), not folded.
pub fn sum16(data: &[u8]) -> u32 {
    data.chunks(2).map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))).sum()
}

/// Folds a 32-bit sum into 16 bits (end-around carry).
pub fn fold(mut s: u32) -> u16 {
    while s > 0xFFFF {
        s = (s & 0xFFFF) + (s >> 16);
    }
    s as u16
}

/// The pseudo-header sum (not folded) for an L4 segment of `l4_len` bytes
/// and protocol `proto` between the addresses at `src` and `dst` (4 bytes
/// each for IPv4, 16 for IPv6).
pub fn pseudo_header_sum(src: &[u8], dst: &[u8], proto: u8, l4_len: usize) -> u32 {
    // IPv4: 32-bit zero/protocol/length; IPv6: 32-bit length, 24 zero bits,
    // next header. Both add up to the same 16-bit words.
    sum16(src) + sum16(dst) + u32::from(proto) + (l4_len as u32 & 0xFFFF) + (l4_len as u32 >> 16)
}

/// The checksum to store: the complemented folded sum. A UDP checksum that
/// comes out 0 is sent as 0xFFFF (RFC 768: 0 means "none"); `udp` says so.
pub fn finish(sum: u32, udp: bool) -> u16 {
    match !fold(sum) {
        0 if udp => 0xFFFF,
        c => c,
    }
}
