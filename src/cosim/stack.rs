//! The host's receive path above the driver: the IP and UDP/TCP layers, the
//! socket receive buffer, and the application's receive calls.
//!
//! What a frame costs once the driver hands it up (netif_receive_skb, or
//! process_backlog in the legacy path) depends on what it is: IPv4 or IPv6
//! with UDP or TCP pays IP receive plus that protocol's receive with its
//! socket lookup; any other frame goes to a packet socket (packet_rcv). The
//! frame is then queued on the one socket the application reads, charged at
//! its true size ([`truesize`]) against the receive buffer limit `rmem`
//! (net.core.rmem_default): like __udp_enqueue_schedule_skb
//! (net/ipv4/udp.c), a frame is dropped when the buffer already holds more
//! than `rmem` bytes, counted as `socket_rcvbuf_full` (UDP's RcvbufErrors).
//!
//! The application reads with `recv` (or recvmmsg, `recv_batch` frames per
//! call): one syscall entry and exit per call, per frame the socket dequeue
//! (the stack's share in process context), the copy to user space per byte,
//! and its own work per frame.
//!
//! Before any of that, the stack checks the headers as Linux does
//! ([`check_headers`]): a bad IPv4 header, a length that lies, a bad
//! TCP/UDP checksum drop the frame, each counted under its own reason.

use std::collections::VecDeque;

use bytes::Bytes;
use verinic_driver::ChecksumVerdict;

use crate::frames::checksum::{fold, pseudo_header_sum, sum16};

/// Bytes a queued frame is charged beyond its data: sk_buff and
/// skb_shared_info (SKB_TRUESIZE in include/linux/skbuff.h; 256 + 320 bytes
/// after SKB_DATA_ALIGN on x86_64, an estimate for a current kernel) plus
/// NET_SKB_PAD headroom (64).
pub const SKB_OVERHEAD: usize = 64 + 256 + 320;

/// The socket-buffer charge of a frame of `len` bytes: its data rounded up
/// to a cache line, plus [`SKB_OVERHEAD`].
pub fn truesize(len: usize) -> usize {
    len.div_ceil(64) * 64 + SKB_OVERHEAD
}

/// net.core.rmem_default on Linux x86_64: SK_RMEM_MAX = 256 frames of
/// SKB_TRUESIZE(256) (include/net/sock.h), 212,992 bytes.
pub const RMEM_DEFAULT: usize = 212_992;

/// What the stack above the driver costs, in CPU time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StackCosts {
    /// IPv4/IPv6 receive (ip_rcv, route lookup, local delivery), per frame.
    pub ip_rcv_ns: u64,
    /// UDP receive with socket lookup and enqueue, per frame.
    pub udp_rcv_ns: u64,
    /// TCP receive with socket lookup, per frame.
    pub tcp_rcv_ns: u64,
    /// A non-IP frame to a packet socket (packet_rcv), per frame.
    pub packet_rcv_ns: u64,
    /// The application's receive syscall, entry and exit, per call.
    pub recv_syscall_ns: u64,
    /// Dequeueing one frame from the socket in the receive call.
    pub sock_recv_ns: u64,
    /// Copying to user space, per byte.
    pub copy_ns_per_byte: f64,
    /// The application's own work per frame it reads.
    pub app_ns_per_frame: u64,
}

/// The defaults are estimates for a recent server core, not measurements;
/// together they put a single-socket UDP receiver at roughly 0.7-1 million
/// 64-byte frames per second per core with one frame per `recv`, the order
/// reported for Linux (Majkowski, "How to receive a million packets per
/// second", Cloudflare blog, 2015: about 370 kpps per receiving thread with
/// recvmmsg and one queue, near 1 Mpps spread over cores).
impl Default for StackCosts {
    fn default() -> Self {
        StackCosts {
            // Estimate: ip_rcv + fib lookup + ip_local_deliver.
            ip_rcv_ns: 100,
            // Estimate: __udp4_lib_rcv, socket lookup, __udp_enqueue_schedule_skb.
            udp_rcv_ns: 150,
            // Estimate: tcp_v4_rcv with the socket lookup and ACK processing,
            // about twice UDP's work.
            tcp_rcv_ns: 300,
            // Estimate: packet_rcv, a clone onto the packet socket.
            packet_rcv_ns: 100,
            // Estimate: syscall entry and exit with the fd lookup and socket
            // lock, with the usual speculative-execution mitigations.
            recv_syscall_ns: 250,
            // Estimate: skb dequeue, msghdr set-up, skb free (udp_recvmsg).
            sock_recv_ns: 100,
            // Estimate: copy_to_user from cache at about 10 GB/s.
            copy_ns_per_byte: 0.1,
            app_ns_per_frame: 0,
        }
    }
}

impl StackCosts {
    /// Nothing above the driver costs anything.
    pub const FREE: StackCosts = StackCosts {
        ip_rcv_ns: 0,
        udp_rcv_ns: 0,
        tcp_rcv_ns: 0,
        packet_rcv_ns: 0,
        recv_syscall_ns: 0,
        sock_recv_ns: 0,
        copy_ns_per_byte: 0.0,
        app_ns_per_frame: 0,
    };

    /// The softirq-side cost of delivering `frame`: IP plus UDP/TCP, or a
    /// packet socket.
    pub fn receive_ns(&self, frame: &[u8]) -> u64 {
        match l4_protocol(frame) {
            Some(Some(UDP)) => self.ip_rcv_ns + self.udp_rcv_ns,
            Some(Some(TCP)) => self.ip_rcv_ns + self.tcp_rcv_ns,
            Some(_) => self.ip_rcv_ns + self.packet_rcv_ns,
            None => self.packet_rcv_ns,
        }
    }
}

const UDP: u8 = 17;
const TCP: u8 = 6;

/// `None` for a non-IP frame; `Some(protocol)` for IPv4/IPv6 (after an
/// optional 802.1Q tag), the protocol being `None` if the header is cut.
fn l4_protocol(frame: &[u8]) -> Option<Option<u8>> {
    let mut at = 12;
    let mut ethertype = u16::from_be_bytes([*frame.get(at)?, *frame.get(at + 1)?]);
    if ethertype == 0x8100 {
        at += 4;
        ethertype = u16::from_be_bytes([*frame.get(at)?, *frame.get(at + 1)?]);
    }
    let l3 = at + 2;
    match ethertype {
        0x0800 => Some(frame.get(l3 + 9).copied()),
        0x86DD => Some(frame.get(l3 + 6).copied()),
        _ => None,
    }
}

/// Why the stack dropped a frame for its headers (the report's drop
/// reasons `ip_hdr_errors`, `ip_truncated`, `l4_hdr_errors`,
/// `l4_csum_errors`; docs/report.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderDrop {
    /// IPv4: header cut short, version not 4, IHL < 5, header checksum
    /// wrong, or total length shorter than the header; IPv6: header cut
    /// short or version not 6 (Linux: IPSTATS_MIB_INHDRERRORS, plus
    /// IPSTATS_MIB_CSUMERRORS for the checksum).
    IpHdr,
    /// The IP length (IPv4 total length, IPv6 40 + payload length) is
    /// beyond the frame (IPSTATS_MIB_INTRUNCATEDPKTS).
    IpTruncated,
    /// UDP: header cut short, length < 8 or beyond the IP payload; TCP:
    /// header cut short or data offset < 5 (UDP_MIB_INERRORS,
    /// TCP_MIB_INERRS).
    L4Hdr,
    /// The TCP/UDP checksum is wrong (UDP_MIB_CSUMERRORS, TCP_MIB_CSUMERRORS).
    L4Csum,
}

/// What the stack's header checks found in a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeaderCheck {
    /// Why it was dropped, `None` if it goes on to its socket.
    pub drop: Option<HeaderDrop>,
    /// Bytes the stack summed in software to verify the TCP/UDP checksum
    /// (the NIC did not vouch for it): what `csum_ns_per_byte` is charged on.
    pub summed: usize,
}

impl HeaderCheck {
    fn drop(why: HeaderDrop, summed: usize) -> Self {
        HeaderCheck { drop: Some(why), summed }
    }
}

/// The receive-side header checks of Linux's IP and UDP/TCP layers on
/// `frame` (Ethernet, optionally 802.1Q-tagged), given the driver's
/// checksum verdict `csum` (`skb->ip_summed`). Non-IP frames go to a
/// packet socket unchecked.
///
/// IPv4, as `ip_rcv_core` (net/ipv4/ip_input.c) does: fewer than 20 bytes,
/// version != 4, `ihl < 5` or a header cut short -> `inhdr_error`; the
/// header checksum is always verified in software (`ip_fast_csum`, whatever
/// the NIC said) -> `csum_error`; `tot_len` beyond the frame ->
/// `IPSTATS_MIB_INTRUNCATEDPKTS`; `tot_len < ihl * 4` -> `inhdr_error`;
/// a shorter `tot_len` trims the frame (`pskb_trim_rcsum`: Ethernet
/// padding), it does not drop it. IPv6, as `ip6_rcv_core`
/// (net/ipv6/ip6_input.c): header cut short or version != 6 -> INHDRERRORS;
/// `40 + payload_len` beyond the frame -> INTRUNCATEDPKTS; shorter trims.
///
/// UDP, as `__udp4_lib_rcv` (net/ipv4/udp.c) and `__udp6_lib_rcv`
/// (net/ipv6/udp.c): fewer than 8 bytes, `ulen` beyond the IP payload or
/// `ulen < 8` -> drop (`short_packet`; IPv6 takes `ulen` 0 as the whole
/// payload, the jumbo case); a shorter `ulen` trims. TCP, as `tcp_v4_rcv`
/// (net/ipv4/tcp_ipv4.c): fewer than 20 bytes, `doff < 5` or the options
/// cut short -> drop.
///
/// The TCP/UDP checksum: with CHECKSUM_UNNECESSARY (the NIC checked it,
/// TCPCS/UDPCS without TCPE) the stack trusts it; otherwise it verifies the
/// pseudo-header and segment sum (`udp_lib_checksum_complete`,
/// `tcp_checksum_complete`), in software over every byte with
/// CHECKSUM_NONE (rx checksumming off, or the NIC found an error:
/// e1000_rx_checksum counts `hw_csum_err` and passes the frame up with
/// CHECKSUM_NONE), from the NIC's raw sum with CHECKSUM_COMPLETE (no
/// per-byte work). UDP over IPv4 with checksum 0 has none to verify.
/// Where Linux verifies the UDP checksum only in `udp_recvmsg`, while
/// copying (`skb_copy_and_csum_datagram_msg`, when the socket has no
/// filter), this model checks it before the frame is queued: the frame's
/// place in the socket buffer is not taken, a simplification.
pub fn check_headers(frame: &[u8], csum: ChecksumVerdict) -> HeaderCheck {
    use HeaderDrop::*;
    let word = |at: usize| frame.get(at..at + 2).map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])));
    let Some(mut ethertype) = word(12) else { return HeaderCheck::default() };
    let mut l3 = 14;
    if ethertype == 0x8100 {
        let Some(inner) = word(16) else { return HeaderCheck::default() };
        ethertype = inner;
        l3 = 18;
    }
    // (ip end, l4 start, protocol, pseudo-header address bytes)
    let (ip_end, l4_start, proto, addrs) = match ethertype {
        0x0800 => {
            let Some(h) = frame.get(l3..l3 + 20) else { return HeaderCheck::drop(IpHdr, 0) };
            let ihl = usize::from(h[0] & 0x0F) * 4;
            if h[0] >> 4 != 4 || ihl < 20 {
                return HeaderCheck::drop(IpHdr, 0);
            }
            let Some(hdr) = frame.get(l3..l3 + ihl) else { return HeaderCheck::drop(IpHdr, 0) };
            if fold(sum16(hdr)) != 0xFFFF {
                return HeaderCheck::drop(IpHdr, 0);
            }
            let tot_len = usize::from(u16::from_be_bytes([h[2], h[3]]));
            if l3 + tot_len > frame.len() {
                return HeaderCheck::drop(IpTruncated, 0);
            }
            if tot_len < ihl {
                return HeaderCheck::drop(IpHdr, 0);
            }
            let fragment = u16::from_be_bytes([h[6], h[7]]) & 0x3FFF != 0;
            if fragment {
                // reassembly is not modelled: the header checks are all
                return HeaderCheck::default();
            }
            (l3 + tot_len, l3 + ihl, h[9], l3 + 12..l3 + 20)
        }
        0x86DD => {
            let Some(h) = frame.get(l3..l3 + 40) else { return HeaderCheck::drop(IpHdr, 0) };
            if h[0] >> 4 != 6 {
                return HeaderCheck::drop(IpHdr, 0);
            }
            let payload = usize::from(u16::from_be_bytes([h[4], h[5]]));
            if l3 + 40 + payload > frame.len() {
                return HeaderCheck::drop(IpTruncated, 0);
            }
            (l3 + 40 + payload, l3 + 40, h[6], l3 + 8..l3 + 40)
        }
        _ => return HeaderCheck::default(),
    };
    let seg = &frame[l4_start..ip_end];
    let seg = match proto {
        UDP => {
            if seg.len() < 8 {
                return HeaderCheck::drop(L4Hdr, 0);
            }
            let mut ulen = usize::from(u16::from_be_bytes([seg[4], seg[5]]));
            if ulen > seg.len() {
                return HeaderCheck::drop(L4Hdr, 0);
            }
            if ulen == 0 && ethertype == 0x86DD {
                ulen = seg.len();
            }
            if ulen < 8 {
                return HeaderCheck::drop(L4Hdr, 0);
            }
            if seg[6..8] == [0, 0] {
                // IPv4: no checksum (RFC 768). IPv6: not allowed (RFC 8200
                // 8.1); Linux drops it as a checksum error whatever the NIC
                // said (__udp6_lib_rcv: !uh->check -> udp6_csum_zero_error).
                return if ethertype == 0x0800 { HeaderCheck::default() } else { HeaderCheck::drop(L4Csum, 0) };
            }
            &seg[..ulen]
        }
        TCP => {
            if seg.len() < 20 || usize::from(seg[12] >> 4) * 4 < 20 || usize::from(seg[12] >> 4) * 4 > seg.len() {
                return HeaderCheck::drop(L4Hdr, 0);
            }
            seg
        }
        _ => return HeaderCheck::default(),
    };
    if csum == ChecksumVerdict::Unnecessary {
        return HeaderCheck::default();
    }
    let (src, dst) = frame[addrs.clone()].split_at(addrs.len() / 2);
    let good = fold(pseudo_header_sum(src, dst, proto, seg.len()) + sum16(seg)) == 0xFFFF;
    let summed = if csum == ChecksumVerdict::None { seg.len() } else { 0 };
    HeaderCheck { drop: (!good).then_some(L4Csum), summed }
}

/// The application's socket: frames queued for it, charged against `rmem`.
#[derive(Debug, Clone)]
pub struct Socket {
    rmem: usize,
    charged: usize,
    queue: VecDeque<Bytes>,
}

impl Socket {
    /// An empty socket with a receive buffer of `rmem` bytes.
    pub fn new(rmem: usize) -> Self {
        Socket { rmem, charged: 0, queue: VecDeque::new() }
    }

    /// Queues a frame; false (dropped) when the buffer is over its limit.
    pub fn enqueue(&mut self, frame: Bytes) -> bool {
        if self.charged > self.rmem {
            return false;
        }
        self.charged += truesize(frame.len());
        self.queue.push_back(frame);
        true
    }

    /// Takes the oldest frame.
    pub fn dequeue(&mut self) -> Option<Bytes> {
        let f = self.queue.pop_front()?;
        self.charged -= truesize(f.len());
        Some(f)
    }

    /// Frames waiting.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether no frame waits.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Bytes charged against the limit.
    pub fn charged(&self) -> usize {
        self.charged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(ethertype: u16, proto_at: Option<(usize, u8)>, len: usize) -> Vec<u8> {
        let mut f = vec![0u8; len];
        f[12..14].copy_from_slice(&ethertype.to_be_bytes());
        if let Some((at, p)) = proto_at {
            f[at] = p;
        }
        f
    }

    #[test]
    fn costs_follow_the_protocol() {
        let c = StackCosts { ip_rcv_ns: 1, udp_rcv_ns: 10, tcp_rcv_ns: 100, packet_rcv_ns: 1000, ..StackCosts::FREE };
        assert_eq!(c.receive_ns(&frame(0x0800, Some((23, 17)), 60)), 11);
        assert_eq!(c.receive_ns(&frame(0x0800, Some((23, 6)), 60)), 101);
        assert_eq!(c.receive_ns(&frame(0x86DD, Some((20, 17)), 80)), 11);
        assert_eq!(c.receive_ns(&frame(0x0800, Some((23, 1)), 60)), 1001);
        assert_eq!(c.receive_ns(&frame(0x88B5, None, 60)), 1000);
        // 802.1Q-tagged IPv4/TCP: the protocol 4 bytes further on.
        let mut tagged = frame(0x8100, Some((27, 6)), 64);
        tagged[16..18].copy_from_slice(&0x0800u16.to_be_bytes());
        assert_eq!(c.receive_ns(&tagged), 101);
        assert_eq!(c.receive_ns(&[0u8; 10]), 1000);
    }

    /// A frame of `protocol` with valid headers, 200 bytes.
    fn ip_frame(protocol: crate::frames::Protocol) -> Vec<u8> {
        let mut rng = crate::rng::Rng::new(3);
        crate::frames::build(protocol, 0, 0, crate::frames::Direction::ToHost, 200, 9, &mut rng)
    }

    fn drop_of(f: &[u8], csum: ChecksumVerdict) -> Option<HeaderDrop> {
        check_headers(f, csum).drop
    }

    /// Each header fault is dropped under its reason, in Linux's order;
    /// padding is trimmed, not dropped.
    #[test]
    fn header_checks_drop_what_linux_drops() {
        use crate::frames::{ip::fill_ipv4_checksum, Protocol};
        use ChecksumVerdict::{Complete, None as NoCsum, Unnecessary};
        for p in [Protocol::Udp4, Protocol::Tcp4, Protocol::Udp6, Protocol::Tcp6] {
            let good = ip_frame(p);
            let v4 = matches!(p, Protocol::Udp4 | Protocol::Tcp4);
            let udp = matches!(p, Protocol::Udp4 | Protocol::Udp6);
            let l4 = if v4 { 34 } else { 54 };
            for csum in [Unnecessary, Complete(0), NoCsum] {
                assert_eq!(drop_of(&good, csum), None, "{p:?}");
            }
            // software verification is charged with CHECKSUM_NONE only
            assert_eq!(check_headers(&good, NoCsum).summed, 200 - l4);
            assert_eq!(check_headers(&good, Complete(0)).summed, 0);
            assert_eq!(check_headers(&good, Unnecessary).summed, 0);
            // a wrong TCP/UDP checksum: trusted if the NIC said good
            let mut bad = good.clone();
            let at = l4 + if udp { 6 } else { 16 };
            bad[at] ^= 0x01;
            assert_eq!(drop_of(&bad, NoCsum), Some(HeaderDrop::L4Csum), "{p:?}");
            assert_eq!(drop_of(&bad, Unnecessary), None);
            // IP length beyond the frame; shorter is padding
            let len_at = if v4 { 16 } else { 18 };
            let mut long = good.clone();
            long[len_at + 1] = long[len_at + 1].wrapping_add(1);
            if long[len_at + 1] == 0 {
                long[len_at] += 1;
            }
            if v4 {
                fill_ipv4_checksum(&mut long[14..]);
            }
            assert_eq!(drop_of(&long, Unnecessary), Some(HeaderDrop::IpTruncated), "{p:?}");
            let mut padded = good.clone();
            padded.extend_from_slice(&[0; 20]);
            assert_eq!(drop_of(&padded, NoCsum), None, "{p:?}: trimmed, not dropped");
            if v4 {
                let mut hdr = good.clone();
                hdr[24] ^= 0x10;
                assert_eq!(drop_of(&hdr, Unnecessary), Some(HeaderDrop::IpHdr), "IPv4 checksum always checked");
                let mut ihl = good.clone();
                ihl[14] = 0x44;
                assert_eq!(drop_of(&ihl, Unnecessary), Some(HeaderDrop::IpHdr));
            }
            if udp {
                // a zero UDP checksum: "none" over IPv4, a checksum error over IPv6
                let mut zero = good.clone();
                zero[l4 + 6..l4 + 8].copy_from_slice(&[0, 0]);
                let want = if v4 { None } else { Some(HeaderDrop::L4Csum) };
                assert_eq!(drop_of(&zero, Unnecessary), want, "{p:?}: zero checksum");
                for ulen in [7u16, 200 - l4 as u16 + 1] {
                    let mut lie = good.clone();
                    lie[l4 + 4..l4 + 6].copy_from_slice(&ulen.to_be_bytes());
                    assert_eq!(drop_of(&lie, Unnecessary), Some(HeaderDrop::L4Hdr), "{p:?} ulen {ulen}");
                }
            } else {
                let mut doff = good.clone();
                doff[l4 + 12] = 0x40;
                assert_eq!(drop_of(&doff, Unnecessary), Some(HeaderDrop::L4Hdr), "{p:?}");
            }
        }
        // raw frames go to a packet socket unchecked
        assert_eq!(drop_of(&ip_frame(crate::frames::Protocol::Raw), ChecksumVerdict::None), None);
    }

    /// Like __udp_enqueue_schedule_skb: the limit is checked before the
    /// frame is charged, so the buffer may end one frame over it.
    #[test]
    fn rcvbuf_limit_drops_once_over() {
        let mut s = Socket::new(2 * truesize(60));
        assert!(s.enqueue(Bytes::from(vec![0; 60])));
        assert!(s.enqueue(Bytes::from(vec![0; 60])));
        assert!(s.enqueue(Bytes::from(vec![0; 60])), "at the limit, not over it: taken");
        assert!(!s.enqueue(Bytes::from(vec![0; 60])));
        assert_eq!(s.len(), 3);
        s.dequeue();
        assert_eq!(s.charged(), 2 * truesize(60));
        assert_eq!(truesize(60), 704);
    }
}
