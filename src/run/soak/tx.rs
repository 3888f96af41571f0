//! The soak's transmit check: every frame handed to the driver on the wire,
//! in order, byte-exact but for valid checksums; bounded to a ring's worth.

use super::*;

/// The transmit check: every frame the application handed to the driver
/// must come out on the wire, in order, byte-exact but for the checksums
/// the NIC inserts, which must be valid. Bounded: only the frames handed
/// over and not yet seen on the wire are kept (at most a ring's worth),
/// as digests.
#[derive(Default)]
pub(super) struct TxChecker {
    /// (sequence number, digest with the checksum fields zeroed) of frames
    /// handed to the driver, not yet seen on the wire, oldest first.
    pub(super) pending: std::collections::VecDeque<(Option<u32>, u64)>,
    pub(super) most_pending: usize,
    pub(super) handed: u64,
    pub(super) on_wire: u64,
    pub(super) matched: u64,
    /// Handed frames skipped over: a later frame came out first.
    pub(super) lost: u64,
    /// Wire frames that match nothing handed over.
    pub(super) unknown: u64,
    pub(super) first_problem: Option<String>,
    pub(super) bad_fcs: u64,
    pub(super) csum_checked: u64,
    pub(super) csum_bad: u64,
    pub(super) first_csum_bad: Option<String>,
    /// UDP checksums sent as 0x0000 ([`Checksums::UdpZero`]).
    pub(super) zero_checksums: u64,
    /// A UDP checksum sent as 0x0000 is wrong: the NIC was told the frame
    /// is UDP (context descriptors, TUCMD.TCP = 0) and must send 0xFFFF.
    pub(super) strict_udp_zero: bool,
    /// Test hook: skip this wire frame (from 0), as if the NIC lost it.
    pub(super) drop_wire: Option<u64>,
    /// Test hook: flip a checksum byte of this wire frame (from 0).
    pub(super) corrupt_csum: Option<u64>,
}

impl TxChecker {
    pub(super) fn chunk(&mut self, m: &mut Machine) {
        for f in m.tx_log.as_mut().map(std::mem::take).unwrap_or_default() {
            self.handed += 1;
            self.pending.push_back((crate::frames::sequence_number(&f), checksum_free_digest(&f)));
        }
        self.most_pending = self.most_pending.max(self.pending.len());
        for f in std::mem::take(&mut m.world.tx_frames) {
            let index = self.on_wire;
            self.on_wire += 1;
            if self.drop_wire == Some(index) {
                continue;
            }
            if !f.is_good() {
                self.bad_fcs += 1;
                self.first_problem.get_or_insert_with(|| format!("wire frame {index} bad: {:?}", f.error));
                continue;
            }
            let mut bytes = f.bytes;
            if self.corrupt_csum == Some(index) {
                if let Some(at) = checksum_fields(&bytes).map(|c| c.1) {
                    bytes[at] ^= 0x01;
                }
            }
            if let Some(verdict) = checksums_verdict(&bytes) {
                self.csum_checked += 1;
                let udp_zero = verdict == Checksums::UdpZero;
                self.zero_checksums += u64::from(udp_zero);
                if verdict == Checksums::Wrong || (udp_zero && self.strict_udp_zero) {
                    self.csum_bad += 1;
                    self.first_csum_bad.get_or_insert_with(|| {
                        format!("wire frame {index} (seq {:?})", crate::frames::sequence_number(&bytes))
                    });
                }
            }
            let digest = checksum_free_digest(&bytes);
            match self.pending.iter().position(|p| p.1 == digest) {
                Some(k) => {
                    if k > 0 {
                        self.lost += k as u64;
                        self.first_problem.get_or_insert_with(|| {
                            format!(
                                "{k} handed frames (first seq {:?}) never came out before seq {:?}",
                                self.pending[0].0, self.pending[k].0
                            )
                        });
                    }
                    self.pending.drain(..=k);
                    self.matched += 1;
                }
                None => {
                    self.unknown += 1;
                    self.first_problem
                        .get_or_insert_with(|| format!("wire frame {index} matches no frame handed over"));
                }
            }
        }
    }
}

/// Where an IP frame's checksums are: (IPv4 header checksum, TCP/UDP
/// checksum), found from the headers here, independently of
/// `crate::frames::layout`. `None` for a frame that is not TCP/UDP over IP.
pub(super) fn checksum_fields(f: &[u8]) -> Option<(Option<usize>, usize)> {
    let word = |at: usize| f.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let (mut l3, mut ethertype) = (14, word(12)?);
    if ethertype == 0x8100 {
        (l3, ethertype) = (18, word(16)?);
    }
    let (ip_csum, proto, l4) = match ethertype {
        0x0800 => (Some(l3 + 10), *f.get(l3 + 9)?, l3 + usize::from(f.get(l3)? & 0x0F) * 4),
        0x86DD => (None, *f.get(l3 + 6)?, l3 + 40),
        _ => return None,
    };
    let at = match proto {
        17 => l4 + 6,
        6 => l4 + 16,
        _ => return None,
    };
    (at + 2 <= f.len()).then_some((ip_csum, at))
}

/// A digest of `f` with its checksum fields zeroed: a frame handed over as
/// CHECKSUM_PARTIAL and the same frame on the wire, checksums inserted,
/// have the same one.
pub(super) fn checksum_free_digest(f: &[u8]) -> u64 {
    let Some((ip, l4)) = checksum_fields(f) else { return frame_digest(f) };
    let mut g = f.to_vec();
    for at in ip.into_iter().chain([l4]) {
        g[at..at + 2].copy_from_slice(&[0, 0]);
    }
    frame_digest(&g)
}

/// What etherparse's own computation (not the code under test) says of a
/// frame's IPv4 header and TCP/UDP checksums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Checksums {
    /// Both as computed.
    Valid,
    /// Valid, but a UDP checksum that is due as 0xFFFF (a sum of zero, RFC
    /// 768) was sent as 0x0000. Asked with a context descriptor (TUCMD.TCP
    /// = 0) the NIC sends 0xFFFF; a legacy descriptor says nothing of the
    /// protocol and the NIC inserts the plain ones' complement, 0x0000,
    /// which RFC 1071's check (the sum over the segment comes out all ones)
    /// finds as valid. Over IPv4 a receiver reads it as "no checksum"; over
    /// IPv6 it must drop it (RFC 8200 8.1): about one UDP frame in 65,536
    /// with legacy descriptors (docs/soak.md).
    UdpZero,
    /// A checksum is wrong.
    Wrong,
}

/// The checksums of `f`; `None` if `f` is not TCP/UDP over IP.
pub(super) fn checksums_verdict(f: &[u8]) -> Option<Checksums> {
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};
    let p = SlicedPacket::from_ethernet(f).ok()?;
    let (stored, computed, udp, ip_ok) = match (p.net?, p.transport?) {
        (NetSlice::Ipv4(ip), t) => {
            let h = ip.header().to_header();
            let ip_ok = h.header_checksum == h.calc_header_checksum();
            match t {
                TransportSlice::Udp(u) => {
                    let uh = u.to_header();
                    (uh.checksum, uh.calc_checksum_ipv4(&h, u.payload()).ok()?, true, ip_ok)
                }
                TransportSlice::Tcp(t) => {
                    let th = t.to_header();
                    (th.checksum, th.calc_checksum_ipv4(&h, t.payload()).ok()?, false, ip_ok)
                }
                _ => return None,
            }
        }
        (NetSlice::Ipv6(ip), t) => {
            let h = ip.header().to_header();
            match t {
                TransportSlice::Udp(u) => {
                    let uh = u.to_header();
                    (uh.checksum, uh.calc_checksum_ipv6(&h, u.payload()).ok()?, true, true)
                }
                TransportSlice::Tcp(t) => {
                    let th = t.to_header();
                    (th.checksum, th.calc_checksum_ipv6(&h, t.payload()).ok()?, false, true)
                }
                _ => return None,
            }
        }
        _ => return None,
    };
    Some(if !ip_ok {
        Checksums::Wrong
    } else if stored == computed {
        Checksums::Valid
    } else if udp && stored == 0 && computed == 0xFFFF {
        Checksums::UdpZero
    } else {
        Checksums::Wrong
    })
}
