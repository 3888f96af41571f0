//! Ethernet frames for scenarios: addresses, EtherType, a payload pattern.

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
