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

/// How the application's generated frames ask for their checksums
/// (`[tx] csum_offload`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum CsumOffload {
    /// No offload: the application sends [`test_frame`]s (no IP), as always.
    #[default]
    None,
    /// UDP/IPv4 frames ([`udp_ipv4_frame`]) handed over as CHECKSUM_PARTIAL:
    /// the stack computes the IPv4 header checksum, the NIC the UDP checksum
    /// (a legacy descriptor with IC, CSS, CSO).
    Legacy,
    /// UDP/IPv4 frames with both checksums left to the NIC: a context
    /// descriptor (IPCSS/IPCSO/IPCSE, TUCSS/TUCSO) before the data
    /// descriptors, which ask for IXSM and TXSM.
    Context,
}

impl CsumOffload {
    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            CsumOffload::None => "none",
            CsumOffload::Legacy => "legacy",
            CsumOffload::Context => "context",
        }
    }
}

/// Source address of generated UDP/IPv4 frames (10.0.0.2).
pub const SRC_IP: [u8; 4] = [10, 0, 0, 2];
/// Destination address of generated UDP/IPv4 frames (10.0.0.1).
pub const DST_IP: [u8; 4] = [10, 0, 0, 1];
/// UDP source port of generated frames.
pub const UDP_SRC_PORT: u16 = 40000;
/// UDP destination port of generated frames (the discard service).
pub const UDP_DST_PORT: u16 = 9;
/// Where the UDP header starts in a generated frame.
pub const UDP_START: usize = 14 + 20;
/// Smallest [`udp_ipv4_frame`]: headers and the sequence number.
pub const MIN_UDP_FRAME: usize = UDP_START + 8 + 4;

/// The 16-bit one's complement sum of `data` (big-endian words, an odd
/// last byte padded with zero), not folded.
fn sum16(data: &[u8]) -> u32 {
    data.chunks(2).map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))).sum()
}

fn fold(mut s: u32) -> u16 {
    while s > 0xFFFF {
        s = (s & 0xFFFF) + (s >> 16);
    }
    s as u16
}

/// A UDP/IPv4 frame of `len` bytes (without FCS, at least
/// [`MIN_UDP_FRAME`]) with correct IPv4 header and UDP checksums: 10.0.0.2
/// port 40000 to 10.0.0.1 port 9, the payload a sequence number and random
/// bytes.
pub fn udp_ipv4_frame(len: usize, seq: u32, rng: &mut Rng) -> Vec<u8> {
    let len = len.max(MIN_UDP_FRAME);
    let mut f = Vec::with_capacity(len);
    f.extend_from_slice(&DST_MAC);
    f.extend_from_slice(&SRC_MAC);
    f.extend_from_slice(&0x0800u16.to_be_bytes());
    let ip_len = (len - 14) as u16;
    f.extend_from_slice(&[0x45, 0]);
    f.extend_from_slice(&ip_len.to_be_bytes());
    f.extend_from_slice(&(seq as u16).to_be_bytes());
    f.extend_from_slice(&[0x40, 0, 64, 17, 0, 0]);
    f.extend_from_slice(&SRC_IP);
    f.extend_from_slice(&DST_IP);
    let udp_len = (len - UDP_START) as u16;
    f.extend_from_slice(&UDP_SRC_PORT.to_be_bytes());
    f.extend_from_slice(&UDP_DST_PORT.to_be_bytes());
    f.extend_from_slice(&udp_len.to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(&seq.to_be_bytes());
    f.resize(len, 0);
    rng.fill(&mut f[MIN_UDP_FRAME..]);
    let ip_csum = !fold(sum16(&f[14..UDP_START]));
    f[24..26].copy_from_slice(&ip_csum.to_be_bytes());
    let udp_csum = match !fold(pseudo_sum(&f) + sum16(&f[UDP_START..])) {
        0 => 0xFFFF,
        c => c,
    };
    f[UDP_START + 6..UDP_START + 8].copy_from_slice(&udp_csum.to_be_bytes());
    f
}

fn pseudo_sum(f: &[u8]) -> u32 {
    sum16(&f[26..34]) + 17 + (f.len() - UDP_START) as u32
}

/// Turns a frame from [`udp_ipv4_frame`] into what the stack hands the
/// driver under CHECKSUM_PARTIAL, and the request that goes with it: the UDP
/// checksum field holds the folded pseudo-header sum; with
/// [`CsumOffload::Context`] the IPv4 header checksum is zeroed for the NIC to
/// fill in too. [`CsumOffload::None`] leaves the frame alone.
pub fn checksum_partial(frame: &mut [u8], mode: CsumOffload) -> verinic_driver::TxOffload {
    use verinic_driver::TxOffload;
    if mode == CsumOffload::None || frame.len() < MIN_UDP_FRAME {
        return TxOffload::None;
    }
    let seed = fold(pseudo_sum(frame));
    frame[UDP_START + 6..UDP_START + 8].copy_from_slice(&seed.to_be_bytes());
    if mode == CsumOffload::Context {
        frame[24..26].copy_from_slice(&[0, 0]);
        TxOffload::Ipv4Partial {
            ip_start: 14,
            ip_end: (UDP_START - 1) as u16,
            csum_start: UDP_START as u8,
            csum_offset: 6,
        }
    } else {
        TxOffload::Partial { csum_start: UDP_START as u8, csum_offset: 6 }
    }
}
