//! Reading pcap and pcapng files into [`CapturedFrame`]s.
//!
//! The format is told by the magic number: pcap (`a1b2c3d4` microsecond or
//! `a1b23c4d` nanosecond timestamps, either byte order) or pcapng
//! (`0a0d0d0a`, any number of sections and interfaces).
//!
//! Rules, the same for both formats:
//!
//! - **Ethernet only.** Any other link type is an error naming it
//!   (pcapng: only interfaces that actually carry packets are checked).
//! - **Truncated frames are skipped and counted** ([`Capture::skipped_truncated`]):
//!   a frame whose captured length is below its original length (a
//!   snaplen cut) cannot be put on the wire as it was, and sending the stub
//!   would make a different frame. A record claiming more captured bytes than
//!   the frame had is an error.
//! - **No FCS unless the file says so.** Captures normally hold frames
//!   without FCS. A pcap header whose link-type field sets the FCS-length
//!   bits (`0x04000000`, length in bits 28..31 in 16-bit words), or a pcapng
//!   interface with `if_fcslen`, declares one: it is stripped. A file that
//!   captured the FCS without declaring it is not guessed at: those four bytes
//!   are replayed as payload (and a new FCS is appended behind them).
//! - **Timestamps** become nanoseconds since the epoch; pcapng honours
//!   `if_tsresol` (decimal or binary, default microseconds) and
//!   `if_tsoffset`. A pcapng Simple Packet Block has no timestamp: it takes
//!   the previous frame's (0 for the first).
//! - **Errors** name the file and the byte offset of the record or block
//!   (a cut file: where the unfinished record starts, which is also the
//!   length to cut the file to).
//!
//! The obsolete pcapng Packet Block (type 2) is refused with advice to
//! re-save the file; other non-packet blocks (name resolution, statistics,
//! custom) are skipped.

use std::path::{Path, PathBuf};

use pcap_file::pcap::PcapParser;
use pcap_file::pcapng::blocks::interface_description::{InterfaceDescriptionBlock, InterfaceDescriptionOption};
use pcap_file::pcapng::{Block, PcapNgParser};
use pcap_file::{DataLink, Endianness, TsResolution};

use super::{CapturedFrame, PcapError};

/// Largest captured length of one pcap record (libpcap's `MAXIMUM_SNAPLEN`);
/// a longer one means a corrupt record header.
pub const MAX_RECORD_LEN: u32 = 262_144;

/// `LINKTYPE_ETHERNET`.
const LINKTYPE_ETHERNET: u32 = 1;

/// Which file format a capture was in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Classic libpcap format.
    Pcap,
    /// pcapng.
    PcapNg,
}

impl Format {
    /// `"pcap"` or `"pcapng"`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Pcap => "pcap",
            Format::PcapNg => "pcapng",
        }
    }
}

/// A capture file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    /// The file it came from.
    pub path: PathBuf,
    /// Its format.
    pub format: Format,
    /// The complete frames, in file order.
    pub frames: Vec<CapturedFrame>,
    /// Frames left out because the capture holds only part of them.
    pub skipped_truncated: usize,
}

/// The frames of a pcap or pcapng file, in file order (see [`read_capture`]
/// for the count of skipped truncated frames).
pub fn read_frames(path: impl AsRef<Path>) -> Result<Vec<CapturedFrame>, PcapError> {
    read_capture(path).map(|c| c.frames)
}

/// Reads a whole pcap or pcapng file (the rules are in the module docs).
pub fn read_capture(path: impl AsRef<Path>) -> Result<Capture, PcapError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| PcapError::Io { path: path.into(), action: "read", source })?;
    parse_capture(&bytes, path)
}

/// Parses a capture already in memory; `path` is only for messages.
pub fn parse_capture(bytes: &[u8], path: &Path) -> Result<Capture, PcapError> {
    let ctx = Ctx { path, file_len: bytes.len() as u64 };
    match bytes.get(..4) {
        Some(
            [0xA1, 0xB2, 0xC3, 0xD4] | [0xD4, 0xC3, 0xB2, 0xA1] | [0xA1, 0xB2, 0x3C, 0x4D] | [0x4D, 0x3C, 0xB2, 0xA1],
        ) => parse_pcap(bytes, &ctx),
        Some([0x0A, 0x0D, 0x0D, 0x0A]) => parse_pcapng(bytes, &ctx),
        _ => Err(PcapError::NotACapture { path: path.into(), start: bytes.iter().take(4).copied().collect() }),
    }
}

/// What every error needs to know.
struct Ctx<'a> {
    path: &'a Path,
    file_len: u64,
}

impl Ctx<'_> {
    /// Turns a `pcap-file` error about the record at `offset` into ours.
    fn wrap(&self, e: pcap_file::PcapError, offset: usize, what: &'static str) -> PcapError {
        let offset = offset as u64;
        match e {
            pcap_file::PcapError::IncompleteBuffer => {
                PcapError::Truncated { path: self.path.into(), what, offset, file_len: self.file_len }
            }
            other => self.malformed(offset, format!("{what}: {other}")),
        }
    }

    fn malformed(&self, offset: u64, detail: String) -> PcapError {
        PcapError::Malformed { path: self.path.into(), offset, detail }
    }
}

/// Collects frames, skipping and counting truncated ones.
struct Frames {
    frames: Vec<CapturedFrame>,
    skipped_truncated: usize,
}

impl Frames {
    /// Adds a frame of `captured` bytes that had `orig_len` on the wire,
    /// with `fcs_len` bytes of FCS at its end (when complete).
    fn push(&mut self, captured: &[u8], orig_len: u32, fcs_len: usize, ts_ns: u64) {
        if (captured.len() as u64) < u64::from(orig_len) {
            self.skipped_truncated += 1;
            return;
        }
        let keep = captured.len().saturating_sub(fcs_len);
        self.frames.push(CapturedFrame { data: captured[..keep].to_vec(), ts_ns });
    }
}

fn parse_pcap(bytes: &[u8], ctx: &Ctx) -> Result<Capture, PcapError> {
    let (mut rem, parser) = PcapParser::new(bytes).map_err(|e| ctx.wrap(e, 0, "pcap file header"))?;
    let header = parser.header();
    // The link-type field also carries the FCS-length bits (libpcap's LT_*).
    let field = u32::from(header.datalink);
    let link_type = field & 0xFFFF;
    if link_type != LINKTYPE_ETHERNET {
        return Err(PcapError::LinkType { path: ctx.path.into(), offset: 0, link_type });
    }
    let fcs_len = if field & 0x0400_0000 != 0 { ((field >> 28) * 2) as usize } else { 0 };
    let big = header.endianness == Endianness::Big;
    let mut out = Frames { frames: Vec::new(), skipped_truncated: 0 };
    while !rem.is_empty() {
        let offset = bytes.len() - rem.len();
        if let Some(len) = rem.get(8..12) {
            let incl_len = read_u32(len, big);
            if incl_len > MAX_RECORD_LEN {
                return Err(ctx.malformed(
                    offset as u64,
                    format!("pcap record claims {incl_len} captured bytes, more than {MAX_RECORD_LEN} (a corrupt record header)"),
                ));
            }
        }
        let (next, raw) = parser.next_raw_packet(rem).map_err(|e| ctx.wrap(e, offset, "pcap record"))?;
        if raw.incl_len > raw.orig_len {
            return Err(ctx.malformed(
                offset as u64,
                format!("pcap record holds {} bytes of a frame it says had {}", raw.incl_len, raw.orig_len),
            ));
        }
        let frac_ns = match header.ts_resolution {
            TsResolution::MicroSecond => u64::from(raw.ts_frac) * 1000,
            TsResolution::NanoSecond => u64::from(raw.ts_frac),
        };
        let ts_ns = u64::from(raw.ts_sec) * 1_000_000_000 + frac_ns;
        out.push(&raw.data, raw.orig_len, fcs_len, ts_ns);
        rem = next;
    }
    Ok(Capture {
        path: ctx.path.into(),
        format: Format::Pcap,
        frames: out.frames,
        skipped_truncated: out.skipped_truncated,
    })
}

fn read_u32(b: &[u8], big: bool) -> u32 {
    let a = [b[0], b[1], b[2], b[3]];
    if big {
        u32::from_be_bytes(a)
    } else {
        u32::from_le_bytes(a)
    }
}

fn parse_pcapng(bytes: &[u8], ctx: &Ctx) -> Result<Capture, PcapError> {
    let (mut rem, mut parser) = PcapNgParser::new(bytes).map_err(|e| ctx.wrap(e, 0, "pcapng section header"))?;
    let mut out = Frames { frames: Vec::new(), skipped_truncated: 0 };
    let mut last_ts = 0;
    while !rem.is_empty() {
        let offset = bytes.len() - rem.len();
        let (next, block) = parser.next_block(rem).map_err(|e| ctx.wrap(e, offset, "pcapng block"))?;
        match block {
            Block::EnhancedPacket(p) => {
                let iface = interface(&parser, p.interface_id, offset, ctx)?;
                // pcap-file hands the raw 64-bit count over as nanoseconds.
                let units = u64::try_from(p.timestamp.as_nanos()).unwrap_or(u64::MAX);
                last_ts = iface.ts_ns(units);
                out.push(&p.data, p.original_len, iface.fcs_len, last_ts);
            }
            Block::SimplePacket(p) => {
                let iface = interface(&parser, 0, offset, ctx)?;
                // The body runs to the block's padding: the frame is what
                // the original length and the snaplen leave of it.
                let mut cap = p.data.len().min(p.original_len as usize);
                if iface.snaplen != 0 {
                    cap = cap.min(iface.snaplen as usize);
                }
                out.push(&p.data[..cap], p.original_len, iface.fcs_len, last_ts);
            }
            Block::Packet(_) => {
                return Err(PcapError::Unsupported {
                    path: ctx.path.into(),
                    offset: offset as u64,
                    detail: "obsolete pcapng Packet Block (type 2); re-save the capture with a current \
                             Wireshark or `editcap`, which write Enhanced Packet Blocks",
                })
            }
            _ => {}
        }
        rem = next;
    }
    Ok(Capture {
        path: ctx.path.into(),
        format: Format::PcapNg,
        frames: out.frames,
        skipped_truncated: out.skipped_truncated,
    })
}

/// What a packet needs from its pcapng interface.
struct Interface {
    snaplen: u32,
    fcs_len: usize,
    /// `if_tsresol`: decimal (10^-n s) or, with the top bit, binary (2^-n s).
    tsresol: u8,
    /// `if_tsoffset`, seconds.
    tsoffset: u64,
}

/// The interface a packet at `offset` refers to; it must exist and be Ethernet.
fn interface(parser: &PcapNgParser, id: u32, offset: usize, ctx: &Ctx) -> Result<Interface, PcapError> {
    let count = parser.interfaces().len();
    let idb = parser.interfaces().get(id as usize).ok_or_else(|| {
        ctx.malformed(
            offset as u64,
            format!("packet on interface {id}, but its section describes {count} interface(s)"),
        )
    })?;
    let link_type = u32::from(idb.linktype);
    if idb.linktype != DataLink::ETHERNET {
        return Err(PcapError::LinkType { path: ctx.path.into(), offset: offset as u64, link_type });
    }
    Ok(Interface::of(idb))
}

impl Interface {
    fn of(idb: &InterfaceDescriptionBlock) -> Self {
        let mut iface = Interface { snaplen: idb.snaplen, fcs_len: 0, tsresol: 6, tsoffset: 0 };
        for opt in &idb.options {
            match *opt {
                InterfaceDescriptionOption::IfTsResol(r) => iface.tsresol = r,
                InterfaceDescriptionOption::IfTsOffset(s) => iface.tsoffset = s,
                InterfaceDescriptionOption::IfFcsLen(bits) => iface.fcs_len = usize::from(bits / 8),
                _ => {}
            }
        }
        iface
    }

    /// A timestamp in this interface's units as nanoseconds since the epoch
    /// (saturating: a nonsense timestamp cannot overflow).
    fn ts_ns(&self, units: u64) -> u64 {
        let units = u128::from(units);
        let exp = u32::from(self.tsresol & 0x7F);
        let ns = if self.tsresol & 0x80 != 0 {
            (units * 1_000_000_000).checked_shr(exp).unwrap_or(0)
        } else if exp <= 9 {
            units * 10u128.pow(9 - exp)
        } else {
            10u128.checked_pow(exp - 9).map_or(0, |d| units / d)
        };
        let ns = ns + u128::from(self.tsoffset) * 1_000_000_000;
        u64::try_from(ns).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iface(tsresol: u8) -> Interface {
        Interface { snaplen: 0, fcs_len: 0, tsresol, tsoffset: 0 }
    }

    #[test]
    fn timestamp_resolutions() {
        assert_eq!(iface(6).ts_ns(1_500_000), 1_500_000_000);
        assert_eq!(iface(9).ts_ns(42), 42);
        assert_eq!(iface(12).ts_ns(42_000), 42);
        assert_eq!(iface(0x80 | 10).ts_ns(1024), 1_000_000_000);
        assert_eq!(iface(127).ts_ns(5), 0);
        assert_eq!(iface(0).ts_ns(u64::MAX), u64::MAX);
        let off = Interface { tsoffset: 2, ..iface(9) };
        assert_eq!(off.ts_ns(1), 2_000_000_001);
    }

    #[test]
    fn not_a_capture_names_the_file_and_bytes() {
        let e = parse_capture(b"GIF89a", Path::new("x.gif")).unwrap_err().to_string();
        assert!(e.contains("x.gif") && e.contains("[47 49 46 38]"), "{e}");
        let e = parse_capture(b"", Path::new("empty.pcap")).unwrap_err().to_string();
        assert!(e.contains("empty.pcap") && e.contains("[]"), "{e}");
    }

    #[test]
    fn short_pcap_header_is_truncated_at_0() {
        let e = parse_capture(&[0xD4, 0xC3, 0xB2, 0xA1, 2, 0], Path::new("h.pcap")).unwrap_err();
        assert!(matches!(e, PcapError::Truncated { offset: 0, file_len: 6, .. }), "{e:?}");
    }

    /// A pcap header and records, little-endian, microseconds, `link` field.
    fn pcap(link: u32, records: &[(&[u8], u32)]) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&0xA1B2_C3D4u32.to_le_bytes());
        b.extend_from_slice(&2u16.to_le_bytes());
        b.extend_from_slice(&4u16.to_le_bytes());
        for w in [0u32, 0, 65535, link] {
            b.extend_from_slice(&w.to_le_bytes());
        }
        for (i, (data, orig)) in records.iter().enumerate() {
            for w in [10u32, i as u32 * 7, data.len() as u32, *orig] {
                b.extend_from_slice(&w.to_le_bytes());
            }
            b.extend_from_slice(data);
        }
        b
    }

    #[test]
    fn pcap_frames_truncation_and_declared_fcs() {
        let a = [1u8; 64];
        let b = [2u8; 30];
        let c = pcap(1, &[(&a, 64), (&b, 100), (&a[..20], 20)]);
        let cap = parse_capture(&c, Path::new("t.pcap")).unwrap();
        assert_eq!(cap.format, Format::Pcap);
        assert_eq!(cap.skipped_truncated, 1);
        assert_eq!(cap.frames.len(), 2);
        assert_eq!(cap.frames[0], CapturedFrame { data: a.to_vec(), ts_ns: 10_000_000_000 });
        assert_eq!(cap.frames[1].ts_ns, 10_000_014_000);
        // FCS present, 2 x 16 bits.
        let c = pcap(1 | 0x0400_0000 | (2 << 28), &[(&a, 64)]);
        assert_eq!(parse_capture(&c, Path::new("f.pcap")).unwrap().frames[0].data.len(), 60);
    }

    #[test]
    fn pcap_errors_name_offsets() {
        let a = [1u8; 64];
        let e = parse_capture(&pcap(113, &[(&a, 64)]), Path::new("sll.pcap")).unwrap_err().to_string();
        assert!(e.contains("sll.pcap") && e.contains("113 (LINUX_SLL)"), "{e}");
        let mut c = pcap(1, &[(&a, 64), (&a, 64)]);
        c.truncate(24 + 80 + 30);
        let e = parse_capture(&c, Path::new("cut.pcap")).unwrap_err();
        assert!(matches!(e, PcapError::Truncated { offset: 104, file_len: 134, .. }), "{e:?}");
        let c = pcap(1, &[(&a, 10)]);
        let e = parse_capture(&c, Path::new("bad.pcap")).unwrap_err().to_string();
        assert!(e.contains("bad.pcap") && e.contains("offset 24"), "{e}");
        let mut c = pcap(1, &[(&a, 64)]);
        c[24 + 8..24 + 12].copy_from_slice(&u32::MAX.to_le_bytes());
        let e = parse_capture(&c, Path::new("huge.pcap")).unwrap_err().to_string();
        assert!(e.contains("corrupt record header") && e.contains("offset 24"), "{e}");
    }
}
