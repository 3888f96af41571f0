//! Ethernet: addresses, EtherTypes, the 802.1Q tag, and the raw test
//! frames (no IP) the traffic generator sends by default.

use crate::rng::Rng;

/// Smallest frame without FCS (64 bytes on the wire).
pub const MIN_FRAME: usize = 60;
/// Largest untagged frame without FCS (1518 bytes on the wire).
pub const MAX_FRAME: usize = 1514;

/// Destination address of generated frames (locally administered unicast).
pub const DST_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
/// Source address of generated frames.
pub const SRC_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
/// EtherType of generated frames: IEEE 802 local experimental.
pub const ETHERTYPE_EXPERIMENTAL: u16 = 0x88B5;

/// A frame of `len` bytes (without FCS): header, then a sequence number and
/// random payload, so a reordered or corrupted frame is easy to spot.
pub fn test_frame(len: usize, seq: u32, rng: &mut Rng) -> Vec<u8> {
    assert!(len >= 18, "a frame needs room for its header and sequence number");
    let mut f = Vec::with_capacity(len);
    f.extend_from_slice(&DST_MAC);
    f.extend_from_slice(&SRC_MAC);
    f.extend_from_slice(&ETHERTYPE_EXPERIMENTAL.to_be_bytes());
    f.extend_from_slice(&seq.to_be_bytes());
    f.resize(len, 0);
    rng.fill(&mut f[18..]);
    f
}

/// A mixed burst: minimum, maximum and random lengths, IMIX-like.
pub fn mixed_burst(count: usize, seed: u64) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|i| {
            let len = match rng.range(0, 11) {
                0..=6 => MIN_FRAME,
                7..=8 => 576,
                9 => MAX_FRAME,
                _ => rng.range(MIN_FRAME, MAX_FRAME),
            };
            test_frame(len, i as u32, &mut rng)
        })
        .collect()
}

/// EtherType of IPv4.
pub const ETHERTYPE_IPV4: u16 = 0x0800;
/// EtherType of IPv6.
pub const ETHERTYPE_IPV6: u16 = 0x86DD;
/// Tag protocol identifier of an 802.1Q VLAN tag (IEEE 802.1Q clause 9.5).
pub const TPID_VLAN: u16 = 0x8100;
/// Largest VLAN ID (4095 is reserved).
pub const MAX_VLAN_ID: u16 = 4094;

/// Appends an Ethernet header: destination, source, an 802.1Q tag when
/// `vlan` is not 0 (priority 0, that VLAN ID), then `ethertype`. Returns
/// the header's length (14 or 18).
pub fn push_header(f: &mut Vec<u8>, dst: [u8; 6], src: [u8; 6], vlan: u16, ethertype: u16) -> usize {
    f.extend_from_slice(&dst);
    f.extend_from_slice(&src);
    if vlan != 0 {
        f.extend_from_slice(&TPID_VLAN.to_be_bytes());
        f.extend_from_slice(&(vlan & 0x0FFF).to_be_bytes());
    }
    f.extend_from_slice(&ethertype.to_be_bytes());
    header_len(vlan)
}

/// Length of the Ethernet header [`push_header`] writes.
pub fn header_len(vlan: u16) -> usize {
    if vlan != 0 {
        18
    } else {
        14
    }
}

/// Where a frame's L3 header starts and its EtherType, past one 802.1Q tag.
pub fn payload_start(frame: &[u8]) -> Option<(usize, u16)> {
    let at = |i: usize| frame.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    match at(12)? {
        TPID_VLAN => Some((18, at(16)?)),
        t => Some((14, t)),
    }
}
