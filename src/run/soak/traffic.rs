//! The soak's receive traffic: load phases, sizes and payloads from `[rx]`,
//! faults drawn per frame from the seed and its sequence number.

use super::*;

/// Faults injected, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Injected {
    /// Good frames.
    pub good: u64,
    /// All FCS bits inverted (expected in `rx_crc_errors`).
    pub bad_fcs: u64,
    /// Frames shorter than 64 bytes with FCS, FCS correct (`rx_length_errors`).
    pub runt: u64,
    /// Frames longer than 1518 bytes with FCS, FCS correct (`rx_length_errors`).
    pub oversize: u64,
    /// An Error character inside the frame (`rxerrc`).
    pub error_char: u64,
    /// Cut off by Idle, no Terminate (`rxerrc`).
    pub truncated_idle: u64,
    /// Cut off by the next frame's Start (`rxerrc`).
    pub truncated_start: u64,
    /// IPv4 header checksum wrong (`ip_hdr_errors`).
    pub bad_ip_csum: u64,
    /// TCP/UDP checksum wrong (`l4_csum_errors`).
    pub bad_l4_csum: u64,
    /// IP length beyond the frame (`ip_truncated`).
    pub ip_len_long: u64,
    /// IP length shorter than the frame, the rest Ethernet padding: must be
    /// delivered (the stack trims it).
    pub ip_len_short: u64,
    /// UDP length beyond the IP payload or below 8 (`l4_hdr_errors`).
    pub udp_len: u64,
}

impl Injected {
    pub(super) fn count(&mut self, fault: Option<FaultKind>) {
        *match fault {
            None => &mut self.good,
            Some(FaultKind::BadFcs) => &mut self.bad_fcs,
            Some(FaultKind::Runt) => &mut self.runt,
            Some(FaultKind::Oversize) => &mut self.oversize,
            Some(FaultKind::ErrorChar) => &mut self.error_char,
            Some(FaultKind::TruncatedIdle) => &mut self.truncated_idle,
            Some(FaultKind::TruncatedStart) => &mut self.truncated_start,
            Some(FaultKind::BadIpCsum) => &mut self.bad_ip_csum,
            Some(FaultKind::BadL4Csum) => &mut self.bad_l4_csum,
            Some(FaultKind::IpLenLong) => &mut self.ip_len_long,
            Some(FaultKind::IpLenShort) => &mut self.ip_len_short,
            Some(FaultKind::UdpLen) => &mut self.udp_len,
        } += 1;
    }

    /// Frames the MAC must count as good (GPRC): good ones and those whose
    /// fault lies above the MAC (in the IP or TCP/UDP headers).
    pub(super) fn good_at_mac(&self) -> u64 {
        self.good + self.bad_ip_csum + self.bad_l4_csum + self.ip_len_long + self.ip_len_short + self.udp_len
    }
}

/// The kinds of fault, uniformly drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FaultKind {
    BadFcs,
    Runt,
    Oversize,
    ErrorChar,
    TruncatedIdle,
    TruncatedStart,
    BadIpCsum,
    BadL4Csum,
    IpLenLong,
    IpLenShort,
    UdpLen,
}

pub(super) const FAULT_KINDS: [FaultKind; 11] = [
    FaultKind::BadFcs,
    FaultKind::Runt,
    FaultKind::Oversize,
    FaultKind::ErrorChar,
    FaultKind::TruncatedIdle,
    FaultKind::TruncatedStart,
    FaultKind::BadIpCsum,
    FaultKind::BadL4Csum,
    FaultKind::IpLenLong,
    FaultKind::IpLenShort,
    FaultKind::UdpLen,
];

/// Which protocol and fault frame `seq` gets: a pure function of the seed
/// and `seq`, so that the checker can tell, from a delivered frame's
/// sequence number alone, which fault it carries (the stack's drops are
/// checked against the faults of the frames that reached it, in bounded
/// memory, without a record per frame).
#[derive(Debug, Clone, Copy)]
pub(super) struct FaultPlan {
    pub(super) seed: u64,
    /// Fault rate in parts per 2^32.
    pub(super) threshold: u64,
    /// `[rx] protocol`; `raw` means a mix of the four IP protocols.
    pub(super) protocol: Protocol,
}

impl FaultPlan {
    /// The protocol, the fault (`None`: good) and the generator of the
    /// fault's details for frame `seq`.
    pub(super) fn plan(&self, seq: u32) -> (Protocol, Option<FaultKind>, Rng) {
        let mut r = Rng::new(self.seed ^ FAULT_SEED ^ u64::from(seq).wrapping_mul(0xD6E8_FEB8_6659_FD93));
        let mixed = [Protocol::Udp4, Protocol::Tcp4, Protocol::Udp6, Protocol::Tcp6];
        let mut protocol = match self.protocol {
            Protocol::Raw => mixed[r.range(0, 3)],
            p => p,
        };
        let faulty = (r.next_u64() >> 32) < self.threshold;
        let fault = faulty.then(|| FAULT_KINDS[r.range(0, FAULT_KINDS.len() - 1)]);
        // A fault that needs IPv4 or UDP takes the frame's other layer as it is.
        protocol = match (fault, protocol) {
            (Some(FaultKind::BadIpCsum), Protocol::Udp6) => Protocol::Udp4,
            (Some(FaultKind::BadIpCsum), Protocol::Tcp6) => Protocol::Tcp4,
            (Some(FaultKind::UdpLen), Protocol::Tcp4) => Protocol::Udp4,
            (Some(FaultKind::UdpLen), Protocol::Tcp6) => Protocol::Udp6,
            (_, p) => p,
        };
        (protocol, fault, r)
    }
}

/// The stack's drops the faults of the frames handed to it call for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct StackExpected {
    pub(super) ip_hdr_errors: u64,
    pub(super) ip_truncated: u64,
    pub(super) l4_hdr_errors: u64,
    pub(super) l4_csum_errors: u64,
}

/// The seeded soak traffic: load phases, sizes and payloads from `[rx]`,
/// faults at a seeded rate; stops after a set number of frames.
pub(super) struct SoakSource {
    pub(super) sizes: FrameSizes,
    pub(super) frames: FrameSpec,
    pub(super) payload_rng: Rng,
    pub(super) plan: FaultPlan,
    pub(super) limit: u64,
    pub(super) produced: u64,
    pub(super) start_ns: Option<u64>,
    pub(super) next_due_ns: f64,
    pub(super) injected: Arc<Mutex<Injected>>,
}

impl SoakSource {
    pub(super) fn load_at(&self, t_ns: u64) -> f64 {
        let period: u64 = LOAD_PHASES.iter().map(|p| p.0).sum();
        let mut t = t_ns % period;
        for (d, load) in LOAD_PHASES {
            if t < d {
                return load;
            }
            t -= d;
        }
        LOAD_PHASES[0].1
    }

    /// Frame `seq` and its fault ([`FaultPlan::plan`]), counted by kind.
    pub(super) fn make(&mut self, seq: u32) -> TxFrame {
        let len = self.sizes.next().unwrap_or(64) - FCS_LEN;
        let (protocol, fault, mut r) = self.plan.plan(seq);
        let mut spec = self.frames;
        spec.protocol = protocol;
        let mut inj = self.injected.lock().unwrap_or_else(|e| e.into_inner());
        inj.count(fault);
        // Ethernet padding after the IP packet: the packet is built that
        // much shorter (the frame stays within 1514 bytes).
        let pad = if fault == Some(FaultKind::IpLenShort) { r.range(1, 46) } else { 0 };
        let mut bytes = spec.build(Direction::ToHost, len.min(MAX_FRAME - pad), seq, &mut self.payload_rng);
        let with_fcs = bytes.len() + FCS_LEN;
        let Some(fault) = fault else { return TxFrame::new(bytes) };
        match fault {
            FaultKind::BadFcs => TxFrame::with_fault(bytes, Fault::BadFcs),
            FaultKind::Runt => {
                // 20..=59 bytes with FCS: short of the 64-byte minimum.
                bytes.truncate(r.range(16, 55));
                TxFrame::new(bytes)
            }
            FaultKind::Oversize => {
                let extra = r.range(MAX_FRAME + 20, MAX_FRAME + 500);
                bytes.resize(extra, 0xA5);
                TxFrame::new(bytes)
            }
            FaultKind::ErrorChar => {
                let offset = r.range(14, with_fcs - 1);
                TxFrame::with_fault(bytes, Fault::ErrorChar { offset })
            }
            FaultKind::TruncatedIdle => {
                let len = r.range(14, with_fcs - 1);
                TxFrame::with_fault(bytes, Fault::TruncateToIdle { len })
            }
            FaultKind::TruncatedStart => {
                let len = r.range(14, with_fcs - 1);
                TxFrame::with_fault(bytes, Fault::TruncateToStart { len })
            }
            header => {
                lie_in_headers(&mut bytes, header, pad, &mut r);
                TxFrame::new(bytes)
            }
        }
    }
}

/// Puts a header fault into an IP frame built with valid headers; every
/// other field stays consistent (checksums recomputed), so the stack must
/// drop the frame for exactly this fault.
pub(super) fn lie_in_headers(f: &mut Vec<u8>, fault: FaultKind, pad: usize, r: &mut Rng) {
    let Some(lay) = crate::frames::layout(f) else { return };
    let l3 = lay.l3;
    let v4 = lay.ip == crate::frames::ip::Ip::V4;
    // the IP length field: IPv4 total length, IPv6 payload length
    let len_at = if v4 { l3 + 2 } else { l3 + 4 };
    let get16 = |f: &[u8], at: usize| u16::from_be_bytes([f[at], f[at + 1]]);
    let set16 = |f: &mut [u8], at: usize, v: u16| f[at..at + 2].copy_from_slice(&v.to_be_bytes());
    let fix_ip = |f: &mut Vec<u8>| {
        if v4 {
            crate::frames::ip::fill_ipv4_checksum(&mut f[l3..]);
        }
    };
    match fault {
        FaultKind::BadIpCsum => {
            let at = l3 + crate::frames::ip::IPV4_CSUM_OFFSET;
            f[at] ^= 0x01;
        }
        FaultKind::BadL4Csum => {
            let at = lay.csum_field();
            let c = get16(f, at);
            // +-0x100 changes the sum (never by a multiple of 0xFFFF);
            // never 0, which over UDP/IPv4 means "no checksum".
            let bad = if c ^ 0x0100 == 0 { c ^ 0x0200 } else { c ^ 0x0100 };
            set16(f, at, bad);
        }
        FaultKind::IpLenLong => {
            let v = get16(f, len_at);
            set16(f, len_at, v + r.range(1, 200) as u16);
            fix_ip(f);
        }
        FaultKind::IpLenShort => f.resize(f.len() + pad, 0),
        FaultKind::UdpLen => {
            let at = lay.l4_start + 4;
            let ulen = get16(f, at);
            let lie = if r.range(0, 1) == 0 { ulen + r.range(1, 100) as u16 } else { r.range(1, 7) as u16 };
            set16(f, at, lie);
            // a consistent checksum over the lying header: only the length lies
            let c = lay.l4_checksum(f);
            set16(f, lay.csum_field(), c);
        }
        _ => {}
    }
}

impl RxSource for SoakSource {
    fn next_frame(&mut self) -> Option<TxFrame> {
        None
    }

    fn next_frame_at(&mut self, now_ns: u64) -> Option<TxFrame> {
        if self.produced >= self.limit {
            return None;
        }
        let start = *self.start_ns.get_or_insert(now_ns);
        let load = self.load_at(now_ns - start);
        let now = now_ns as f64;
        if now < self.next_due_ns {
            return None;
        }
        // Coming out of a quieter phase: start the spacing now, no catch-up burst.
        if self.next_due_ns < now {
            self.next_due_ns = now;
        }
        let seq = self.produced as u32;
        let frame = self.make(seq);
        let wire_bytes = frame.bytes.len() + FCS_LEN + WIRE_OVERHEAD;
        self.next_due_ns += wire_bytes as f64 * 0.8 / load;
        self.produced += 1;
        Some(frame)
    }
}
