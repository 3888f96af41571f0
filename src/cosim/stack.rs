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

use std::collections::VecDeque;

use bytes::Bytes;

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
