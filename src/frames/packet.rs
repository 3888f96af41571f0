//! Whole frames for scenarios: raw Ethernet test frames or real IPv4/IPv6
//! UDP/TCP packets (optionally 802.1Q-tagged) with valid checksums, the same
//! builder for the traffic toward the NIC and for the application's sends;
//! and finding a frame's headers again ([`layout`]) and its sequence number.
//!
//! Every generated frame carries a 32-bit sequence number: at bytes 14..18
//! of a raw frame, at the start of the L4 payload of an IP frame.

use super::checksum::{finish, pseudo_header_sum, sum16};
use super::ethernet::{self, payload_start, test_frame, DST_MAC, MIN_FRAME, SRC_MAC};
use super::flows::{self, Direction, FlowOrder};
use super::ip::{self, Ip};
use super::l4::{self, L4};
use crate::rng::Rng;

/// What the generated frames are (`[rx] protocol`, `[tx] protocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// Raw Ethernet: EtherType 0x88B5 (local experimental), the sequence
    /// number, random bytes ([`test_frame`]). No IP, nothing to checksum.
    #[default]
    Raw,
    /// UDP over IPv4.
    Udp4,
    /// TCP over IPv4.
    Tcp4,
    /// UDP over IPv6.
    Udp6,
    /// TCP over IPv6.
    Tcp6,
}

impl Protocol {
    /// The IP version and transport, `None` for raw frames.
    pub fn layers(self) -> Option<(Ip, L4)> {
        match self {
            Protocol::Raw => None,
            Protocol::Udp4 => Some((Ip::V4, L4::Udp)),
            Protocol::Tcp4 => Some((Ip::V4, L4::Tcp)),
            Protocol::Udp6 => Some((Ip::V6, L4::Udp)),
            Protocol::Tcp6 => Some((Ip::V6, L4::Tcp)),
        }
    }

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Raw => "raw",
            Protocol::Udp4 => "udp4",
            Protocol::Tcp4 => "tcp4",
            Protocol::Udp6 => "udp6",
            Protocol::Tcp6 => "tcp6",
        }
    }

    /// The shortest frame (without FCS) of this protocol: 60 bytes, or its
    /// headers and the 4-byte sequence number if longer (TCP/IPv6: 78, 82
    /// tagged). Raw frames ignore `vlan`.
    pub fn min_len(self, vlan: u16) -> usize {
        match self.layers() {
            None => MIN_FRAME,
            Some((ip, l4)) => MIN_FRAME.max(ethernet::header_len(vlan) + ip.header_len() + l4.header_len() + 4),
        }
    }
}

/// What a generator sends: a scenario's `protocol`, `vlan`, `flows` and
/// `flow_order` (`[rx]` and `[tx]` each have them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FrameSpec {
    /// Raw Ethernet or which IP packets.
    pub protocol: Protocol,
    /// 802.1Q VLAN ID of IP frames, 0 = untagged.
    pub vlan: u16,
    /// Number of flows (5-tuples), at least 1.
    pub flows: usize,
    /// The order frames take the flows in.
    pub flow_order: FlowOrder,
    /// Seeds [`FlowOrder::Random`].
    pub seed: u64,
}

impl FrameSpec {
    /// Frame `seq` of `len` bytes (without FCS) in direction `dir`, payload
    /// from `rng` ([`build`]).
    pub fn build(&self, dir: Direction, len: usize, seq: u32, rng: &mut Rng) -> Vec<u8> {
        let flow = flows::flow_of(seq, self.flows, self.flow_order, self.seed);
        build(self.protocol, self.vlan, flow, dir, len, seq, rng)
    }
}

/// Bytes of the sequence number in every generated frame.
const SEQ_LEN: usize = 4;

/// A frame of `len` bytes without FCS (raised to [`Protocol::min_len`]) of
/// `protocol`, tagged with VLAN `vlan` unless 0 (IP frames only), on `flow`
/// in direction `dir`, carrying `seq` then random bytes from `rng`; every
/// checksum valid. For IP frames the IPv4 identification is `seq` (low 16
/// bits), the IPv6 flow label the flow, the TCP sequence number `seq`.
pub fn build(protocol: Protocol, vlan: u16, flow: u32, dir: Direction, len: usize, seq: u32, rng: &mut Rng) -> Vec<u8> {
    let len = len.max(protocol.min_len(vlan));
    let Some((ipv, l4p)) = protocol.layers() else {
        return test_frame(len, seq, rng);
    };
    let (dst_mac, src_mac) = match dir {
        Direction::ToHost => (DST_MAC, SRC_MAC),
        Direction::FromHost => (SRC_MAC, DST_MAC),
    };
    let mut f = Vec::with_capacity(len);
    let l3 = ethernet::push_header(&mut f, dst_mac, src_mac, vlan, ipv.ethertype());
    let l4_start = l3 + ipv.header_len();
    let seg_len = len - l4_start;
    match (ipv, dir) {
        (Ip::V4, Direction::ToHost) => {
            ip::push_ipv4(&mut f, flows::REMOTE_IPV4, flows::LOCAL_IPV4, l4p.proto(), seg_len, seq as u16)
        }
        (Ip::V4, Direction::FromHost) => {
            ip::push_ipv4(&mut f, flows::LOCAL_IPV4, flows::REMOTE_IPV4, l4p.proto(), seg_len, seq as u16)
        }
        (Ip::V6, Direction::ToHost) => {
            ip::push_ipv6(&mut f, flows::REMOTE_IPV6, flows::LOCAL_IPV6, l4p.proto(), seg_len, flow)
        }
        (Ip::V6, Direction::FromHost) => {
            ip::push_ipv6(&mut f, flows::LOCAL_IPV6, flows::REMOTE_IPV6, l4p.proto(), seg_len, flow)
        }
    }
    let (sport, dport) = flows::ports(flow, dir);
    l4::push_header(&mut f, l4p, sport, dport, seg_len, seq);
    f.extend_from_slice(&seq.to_be_bytes());
    let payload = f.len();
    f.resize(len, 0);
    rng.fill(&mut f[payload..]);
    let lay = Layout { l3, ip: ipv, l4_start, l4: l4p };
    let c = lay.l4_checksum(&f);
    lay.set_l4_checksum(&mut f, c);
    f
}

/// Where an IP frame's headers are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Start of the IP header (14, or 18 behind an 802.1Q tag).
    pub l3: usize,
    /// IP version.
    pub ip: Ip,
    /// Start of the TCP/UDP header (skb->csum_start).
    pub l4_start: usize,
    /// The transport.
    pub l4: L4,
}

impl Layout {
    /// Where the L4 checksum field is in the frame.
    pub fn csum_field(&self) -> usize {
        self.l4_start + self.l4.csum_offset()
    }

    /// End of the IP packet (the frame may be padded past it).
    pub fn ip_end(&self, frame: &[u8]) -> usize {
        let total = match self.ip {
            Ip::V4 => usize::from(u16::from_be_bytes([frame[self.l3 + 2], frame[self.l3 + 3]])),
            Ip::V6 => ip::IPV6_HEADER + usize::from(u16::from_be_bytes([frame[self.l3 + 4], frame[self.l3 + 5]])),
        };
        (self.l3 + total).min(frame.len())
    }

    /// The pseudo-header sum of the frame's segment, not folded.
    pub fn pseudo_sum(&self, frame: &[u8]) -> u32 {
        let addrs = &frame[self.l3..][self.ip.addr_range()];
        let (src, dst) = addrs.split_at(addrs.len() / 2);
        pseudo_header_sum(src, dst, self.l4.proto(), self.ip_end(frame) - self.l4_start)
    }

    /// The L4 checksum the segment should carry, computed in software over
    /// the pseudo-header and the segment with its checksum field as 0.
    pub fn l4_checksum(&self, frame: &[u8]) -> u16 {
        let seg = &frame[self.l4_start..self.ip_end(frame)];
        let field = self.l4.csum_offset();
        let sum = self.pseudo_sum(frame) + sum16(&seg[..field]) + sum16(&seg[field + 2..]);
        // an odd-length prefix cannot happen: the field is at an even offset
        finish(sum, self.l4 == L4::Udp)
    }

    fn set_l4_checksum(&self, frame: &mut [u8], c: u16) {
        frame[self.csum_field()..self.csum_field() + 2].copy_from_slice(&c.to_be_bytes());
    }
}

/// The headers of `frame` if it is an IPv4 (no fragment) or IPv6 (no
/// extension header) TCP or UDP packet, tagged or not.
pub fn layout(frame: &[u8]) -> Option<Layout> {
    let (l3, ethertype) = payload_start(frame)?;
    let (ipv, proto, l4_start) = match ethertype {
        ethernet::ETHERTYPE_IPV4 => {
            let h = frame.get(l3..l3 + ip::IPV4_HEADER)?;
            let fragment = u16::from_be_bytes([h[6], h[7]]) & 0x3FFF != 0;
            if h[0] >> 4 != 4 || fragment {
                return None;
            }
            (Ip::V4, h[9], l3 + usize::from(h[0] & 0x0F) * 4)
        }
        ethernet::ETHERTYPE_IPV6 => (Ip::V6, *frame.get(l3 + 6)?, l3 + ip::IPV6_HEADER),
        _ => return None,
    };
    let l4p = L4::from_proto(proto)?;
    frame.get(l4_start..l4_start + l4p.header_len())?;
    Some(Layout { l3, ip: ipv, l4_start, l4: l4p })
}

/// The sequence number a generated frame carries (see the module's text),
/// `None` for a frame that is neither a raw test frame nor an IP one.
pub fn sequence_number(frame: &[u8]) -> Option<u32> {
    let word = |at: usize| frame.get(at..at + SEQ_LEN).map(|b| u32::from_be_bytes(b.try_into().unwrap()));
    if frame.get(12..14)? == ethernet::ETHERTYPE_EXPERIMENTAL.to_be_bytes() {
        return word(14);
    }
    let lay = layout(frame)?;
    let header = match lay.l4 {
        L4::Udp => l4::UDP_HEADER,
        L4::Tcp => usize::from(frame[lay.l4_start + 12] >> 4) * 4,
    };
    word(lay.l4_start + header)
}

/// Computes every checksum of `frame` in software, as the stack does with
/// transmit checksumming off (`ip_send_check`, then the TCP/UDP checksum
/// over the whole segment), and returns the bytes summed: what the CPU is
/// charged for. 0 for a frame with nothing to checksum.
pub fn software_checksums(frame: &mut [u8]) -> usize {
    let Some(lay) = layout(frame) else { return 0 };
    let mut summed = lay.ip_end(frame) - lay.l4_start;
    if lay.ip == Ip::V4 {
        ip::fill_ipv4_checksum(&mut frame[lay.l3..]);
        summed += lay.l4_start - lay.l3;
    }
    let c = lay.l4_checksum(frame);
    lay.set_l4_checksum(frame, c);
    summed
}

/// How the driver asks the NIC for the checksums of a CHECKSUM_PARTIAL
/// frame (`[tx] csum_descriptor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum CsumDescriptor {
    /// A legacy descriptor with IC, CSS and CSO: the NIC inserts the TCP/UDP
    /// checksum; the stack computes the IPv4 header checksum (as Linux
    /// always does: `ip_send_check`).
    #[default]
    Legacy,
    /// A context descriptor (TUCSS/TUCSO, and for IPv4 IPCSS/IPCSO/IPCSE)
    /// before the data descriptors (POPTS.TXSM, and IXSM for IPv4): the NIC
    /// inserts the TCP/UDP checksum and the IPv4 header checksum.
    Context,
}

impl CsumDescriptor {
    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            CsumDescriptor::Legacy => "legacy",
            CsumDescriptor::Context => "context",
        }
    }
}

/// Turns `frame` into what the stack hands the driver under
/// CHECKSUM_PARTIAL (Linux's `skb->ip_summed`, with `csum_start` and
/// `csum_offset`), and returns the request that goes with it: the TCP/UDP
/// checksum field holds the folded pseudo-header sum (as
/// `udp4_hwcsum` / `__tcp_v4_send_check` leave it); with
/// [`CsumDescriptor::Context`] an IPv4 header checksum is zeroed for the NIC
/// too. A frame that is not TCP/UDP over IP is left alone
/// ([`TxOffload::None`](verinic_driver::TxOffload::None)).
pub fn checksum_partial(frame: &mut [u8], descriptor: CsumDescriptor) -> verinic_driver::TxOffload {
    use verinic_driver::TxOffload;
    let Some(lay) = layout(frame) else { return TxOffload::None };
    let Ok(csum_start) = u8::try_from(lay.l4_start) else { return TxOffload::None };
    let seed = super::checksum::fold(lay.pseudo_sum(frame));
    lay.set_l4_checksum(frame, seed);
    let csum_offset = lay.l4.csum_offset() as u8;
    match (descriptor, lay.ip) {
        (CsumDescriptor::Legacy, _) => TxOffload::Partial { csum_start, csum_offset },
        (CsumDescriptor::Context, Ip::V4) => {
            let at = lay.l3 + ip::IPV4_CSUM_OFFSET;
            frame[at..at + 2].copy_from_slice(&[0, 0]);
            TxOffload::Ipv4Partial {
                ip_start: lay.l3 as u8,
                ip_end: (lay.l4_start - 1) as u16,
                csum_start,
                csum_offset,
            }
        }
        (CsumDescriptor::Context, Ip::V6) => TxOffload::L4Context { csum_start, csum_offset },
    }
}

#[cfg(test)]
mod tests {
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};

    use super::*;

    const ALL: [Protocol; 4] = [Protocol::Udp4, Protocol::Tcp4, Protocol::Udp6, Protocol::Tcp6];

    /// etherparse's own checksums of `f`: (IPv4 header ok, L4 stored, L4 computed).
    fn etherparse_checksums(f: &[u8]) -> (bool, u16, u16) {
        let p = SlicedPacket::from_ethernet(f).unwrap();
        match (p.net.unwrap(), p.transport.unwrap()) {
            (NetSlice::Ipv4(ip), t) => {
                let h = ip.header().to_header();
                let ok = h.header_checksum == h.calc_header_checksum();
                match t {
                    TransportSlice::Udp(u) => {
                        let uh = u.to_header();
                        (ok, uh.checksum, uh.calc_checksum_ipv4(&h, u.payload()).unwrap())
                    }
                    TransportSlice::Tcp(t) => {
                        let th = t.to_header();
                        (ok, th.checksum, th.calc_checksum_ipv4(&h, t.payload()).unwrap())
                    }
                    _ => panic!(),
                }
            }
            (NetSlice::Ipv6(ip), t) => {
                let h = ip.header().to_header();
                match t {
                    TransportSlice::Udp(u) => {
                        let uh = u.to_header();
                        (true, uh.checksum, uh.calc_checksum_ipv6(&h, u.payload()).unwrap())
                    }
                    TransportSlice::Tcp(t) => {
                        let th = t.to_header();
                        (true, th.checksum, th.calc_checksum_ipv6(&h, t.payload()).unwrap())
                    }
                    _ => panic!(),
                }
            }
            _ => panic!(),
        }
    }

    #[test]
    fn built_frames_parse_with_valid_checksums_and_their_sequence_number() {
        let mut rng = Rng::new(5);
        for p in ALL {
            for vlan in [0, 4094] {
                for (i, len) in [0usize, 61, 200, 1514].into_iter().enumerate() {
                    let seq = 1000 + i as u32;
                    let f = build(p, vlan, 3, Direction::ToHost, len, seq, &mut rng);
                    assert_eq!(f.len(), len.max(p.min_len(vlan)));
                    let parsed = SlicedPacket::from_ethernet(&f).unwrap();
                    assert_eq!(parsed.vlan_ids().first().map(|v| v.value()), (vlan != 0).then_some(vlan));
                    let (ip_ok, stored, want) = etherparse_checksums(&f);
                    assert!(ip_ok, "{p:?}");
                    assert_eq!(stored, want, "{p:?} vlan {vlan} len {len}");
                    assert_eq!(sequence_number(&f), Some(seq));
                    let lay = layout(&f).unwrap();
                    assert_eq!(lay.l3, ethernet::header_len(vlan));
                }
            }
        }
        assert_eq!(Protocol::Tcp6.min_len(0), 78);
        assert_eq!(Protocol::Tcp6.min_len(9), 82);
        let raw = build(Protocol::Raw, 9, 0, Direction::ToHost, 60, 77, &mut rng);
        assert_eq!((raw.len(), sequence_number(&raw), layout(&raw)), (60, Some(77), None));
    }

    /// What the NIC does with a CHECKSUM_PARTIAL frame, done here by hand:
    /// the ones' complement sum from csum_start to the end, complemented,
    /// stored at csum_start + csum_offset (and the IPv4 header's for a
    /// context request). The result is what etherparse computes.
    #[test]
    fn checksum_partial_seeds_the_pseudo_header_sum_for_the_nic() {
        use verinic_driver::TxOffload;
        let mut rng = Rng::new(9);
        for p in ALL {
            for desc in [CsumDescriptor::Legacy, CsumDescriptor::Context] {
                let mut f = build(p, 12, 1, Direction::FromHost, 300, 4, &mut rng);
                let offload = checksum_partial(&mut f, desc);
                let (start, field) = match offload {
                    TxOffload::Partial { csum_start, csum_offset }
                    | TxOffload::L4Context { csum_start, csum_offset } => (csum_start, csum_offset),
                    TxOffload::Ipv4Partial { ip_start, ip_end, csum_start, csum_offset } => {
                        assert_eq!(f[usize::from(ip_start) + 10..][..2], [0, 0], "IPv4 checksum left to the NIC");
                        let c = !super::super::checksum::fold(sum16(&f[usize::from(ip_start)..=usize::from(ip_end)]));
                        f[usize::from(ip_start) + 10..][..2].copy_from_slice(&c.to_be_bytes());
                        (csum_start, csum_offset)
                    }
                    TxOffload::None => panic!("{p:?}"),
                };
                let v6 = matches!(p, Protocol::Udp6 | Protocol::Tcp6);
                let context = desc == CsumDescriptor::Context;
                assert_eq!(matches!(offload, TxOffload::L4Context { .. }), v6 && context, "{p:?} {desc:?}");
                assert_eq!(matches!(offload, TxOffload::Partial { .. }), !context);
                let (start, at) = (usize::from(start), usize::from(start) + usize::from(field));
                let c = !super::super::checksum::fold(sum16(&f[start..]));
                f[at..at + 2].copy_from_slice(&c.to_be_bytes());
                let (ip_ok, stored, want) = etherparse_checksums(&f);
                assert!(ip_ok);
                assert!(stored == want || (want == 0xFFFF && stored == 0), "{p:?} {desc:?}");
            }
        }
        let mut raw = test_frame(60, 1, &mut rng);
        assert_eq!(checksum_partial(&mut raw, CsumDescriptor::Context), TxOffload::None);
    }

    #[test]
    fn software_checksums_repair_a_frame_and_count_the_bytes() {
        let mut rng = Rng::new(2);
        for p in ALL {
            let mut f = build(p, 0, 0, Direction::FromHost, 500, 1, &mut rng);
            checksum_partial(&mut f, CsumDescriptor::Context);
            let n = software_checksums(&mut f);
            let ip = if matches!(p, Protocol::Udp4 | Protocol::Tcp4) { 20 } else { 0 };
            let l3 = if ip == 20 { 20 } else { 40 };
            assert_eq!(n, 500 - 14 - l3 + ip, "{p:?}");
            let (ip_ok, stored, want) = etherparse_checksums(&f);
            assert!(ip_ok && stored == want, "{p:?}");
        }
    }
}
