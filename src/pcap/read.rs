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

use std::fs::File;
use std::io::{self, Read};
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

/// A capture file, read whole (tests and small files; a replay streams it
/// with [`CaptureReader`] instead).
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

/// Reads a whole pcap or pcapng file into memory (the rules are in the
/// module docs).
pub fn read_capture(path: impl AsRef<Path>) -> Result<Capture, PcapError> {
    collect(CaptureReader::open(path.as_ref())?)
}

/// Parses a capture already in memory; `path` is only for messages.
pub fn parse_capture(bytes: &[u8], path: &Path) -> Result<Capture, PcapError> {
    collect(CaptureReader::new(bytes, path, bytes.len() as u64)?)
}

fn collect<R: Read>(mut r: CaptureReader<R>) -> Result<Capture, PcapError> {
    let mut frames = Vec::new();
    while let Some(f) = r.next_frame()? {
        frames.push(f);
    }
    Ok(Capture { path: r.path.clone(), format: r.format(), frames, skipped_truncated: r.skipped_truncated() })
}

/// Bytes read from the file at a time.
const READ_CHUNK: usize = 64 * 1024;

/// Most bytes one record or block may span: a longer one is refused as
/// corrupt instead of being read into memory. pcap records are held to
/// [`MAX_RECORD_LEN`] already; this bounds pcapng blocks.
pub const MAX_BLOCK_LEN: usize = 4 * 1024 * 1024;

/// Reads a capture frame by frame, holding at most one record (or block)
/// and one read chunk in memory however long the file is.
pub struct CaptureReader<R> {
    path: PathBuf,
    input: R,
    /// Bytes read and not yet parsed: `buf[pos..]` starts at file offset `buf_offset + pos`.
    buf: Vec<u8>,
    pos: usize,
    buf_offset: u64,
    eof: bool,
    /// The file's length (for messages about a file cut short).
    file_len: u64,
    kind: Kind,
    skipped_truncated: usize,
}

enum Kind {
    Pcap { parser: PcapParser, fcs_len: usize, big: bool, resolution: TsResolution },
    PcapNg { parser: Box<PcapNgParser>, last_ts: u64 },
}

impl CaptureReader<File> {
    /// Opens a capture file and reads its header.
    pub fn open(path: &Path) -> Result<Self, PcapError> {
        let io = |source| PcapError::Io { path: path.into(), action: "read", source };
        let file = File::open(path).map_err(io)?;
        let file_len = file.metadata().map_err(io)?.len();
        CaptureReader::new(file, path, file_len)
    }
}

impl<R: Read> CaptureReader<R> {
    /// A reader over `input`, which holds `file_len` bytes; `path` is for
    /// messages. Reads the file header (or pcapng section header).
    pub fn new(input: R, path: &Path, file_len: u64) -> Result<Self, PcapError> {
        let mut r = CaptureReader {
            path: path.into(),
            input,
            buf: Vec::new(),
            pos: 0,
            buf_offset: 0,
            eof: false,
            file_len,
            kind: Kind::Pcap {
                parser: placeholder_parser(),
                fcs_len: 0,
                big: false,
                resolution: TsResolution::MicroSecond,
            },
            skipped_truncated: 0,
        };
        while r.buf.len() < 4 && !r.eof {
            r.fill()?;
        }
        r.kind = match r.buf.get(..4) {
            Some(
                [0xA1, 0xB2, 0xC3, 0xD4]
                | [0xD4, 0xC3, 0xB2, 0xA1]
                | [0xA1, 0xB2, 0x3C, 0x4D]
                | [0x4D, 0x3C, 0xB2, 0xA1],
            ) => r.pcap_header()?,
            Some([0x0A, 0x0D, 0x0D, 0x0A]) => {
                let parser = r.parse(PcapNgParser::new, "pcapng section header")?;
                Kind::PcapNg { parser: Box::new(parser), last_ts: 0 }
            }
            _ => {
                return Err(PcapError::NotACapture {
                    path: path.into(),
                    start: r.buf.iter().take(4).copied().collect(),
                })
            }
        };
        Ok(r)
    }

    /// Its format.
    pub fn format(&self) -> Format {
        match self.kind {
            Kind::Pcap { .. } => Format::Pcap,
            Kind::PcapNg { .. } => Format::PcapNg,
        }
    }

    /// Bytes read from the file and held now (at most one read chunk plus
    /// one record or block).
    pub fn buffered_bytes(&self) -> usize {
        self.buf.len()
    }

    /// Frames skipped so far because the capture holds only part of them.
    pub fn skipped_truncated(&self) -> usize {
        self.skipped_truncated
    }

    /// The next complete frame, `None` at the end of the file.
    pub fn next_frame(&mut self) -> Result<Option<CapturedFrame>, PcapError> {
        loop {
            if self.pos == self.buf.len() {
                if self.eof {
                    return Ok(None);
                }
                self.fill()?;
                continue;
            }
            let got = match self.kind {
                Kind::Pcap { .. } => self.pcap_record()?,
                Kind::PcapNg { .. } => self.pcapng_block()?,
            };
            if let Some(f) = got {
                return Ok(Some(f));
            }
        }
    }

    /// Reads the next chunk behind what is buffered; drops what was parsed.
    fn fill(&mut self) -> Result<(), PcapError> {
        if self.buf.len() - self.pos > MAX_BLOCK_LEN {
            return Err(self.malformed(
                self.offset(),
                format!("a record or block longer than {MAX_BLOCK_LEN} bytes (a corrupt length field)"),
            ));
        }
        self.buf.drain(..self.pos);
        self.buf_offset += self.pos as u64;
        self.pos = 0;
        let have = self.buf.len();
        self.buf.resize(have + READ_CHUNK, 0);
        let n = loop {
            match self.input.read(&mut self.buf[have..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => break r,
            }
        };
        let n = n.map_err(|source| PcapError::Io { path: self.path.clone(), action: "read", source })?;
        self.buf.truncate(have + n);
        self.eof = n == 0;
        Ok(())
    }

    /// File offset of the next unparsed byte.
    fn offset(&self) -> u64 {
        self.buf_offset + self.pos as u64
    }

    /// Runs `f` on the unparsed bytes, reading more while it needs more;
    /// `f` returns what is left of its input and its result.
    fn parse<T>(
        &mut self,
        mut f: impl FnMut(&[u8]) -> Result<(&[u8], T), pcap_file::PcapError>,
        what: &'static str,
    ) -> Result<T, PcapError> {
        loop {
            match f(&self.buf[self.pos..]) {
                Ok((rest, value)) => {
                    self.pos = self.buf.len() - rest.len();
                    return Ok(value);
                }
                Err(pcap_file::PcapError::IncompleteBuffer) if !self.eof => self.fill()?,
                Err(e) => return Err(self.wrap(e, self.offset(), what)),
            }
        }
    }

    fn pcap_header(&mut self) -> Result<Kind, PcapError> {
        let parser = self.parse(PcapParser::new, "pcap file header")?;
        let header = parser.header();
        // The link-type field also carries the FCS-length bits (libpcap's LT_*).
        let field = u32::from(header.datalink);
        let link_type = field & 0xFFFF;
        if link_type != LINKTYPE_ETHERNET {
            return Err(PcapError::LinkType { path: self.path.clone(), offset: 0, link_type });
        }
        let fcs_len = if field & 0x0400_0000 != 0 { ((field >> 28) * 2) as usize } else { 0 };
        let big = header.endianness == Endianness::Big;
        let resolution = header.ts_resolution;
        Ok(Kind::Pcap { parser, fcs_len, big, resolution })
    }

    fn pcap_record(&mut self) -> Result<Option<CapturedFrame>, PcapError> {
        let Kind::Pcap { parser, fcs_len, big, resolution } = &mut self.kind else { return Ok(None) };
        let (fcs_len, big, resolution) = (*fcs_len, *big, *resolution);
        let parser = std::mem::replace(parser, placeholder_parser());
        let result = self.pcap_record_with(&parser, fcs_len, big, resolution);
        if let Kind::Pcap { parser: slot, .. } = &mut self.kind {
            *slot = parser;
        }
        result
    }

    fn pcap_record_with(
        &mut self,
        parser: &PcapParser,
        fcs_len: usize,
        big: bool,
        resolution: TsResolution,
    ) -> Result<Option<CapturedFrame>, PcapError> {
        let offset = self.offset();
        while self.buf.len() - self.pos < 12 && !self.eof {
            self.fill()?;
        }
        if let Some(len) = self.buf.get(self.pos + 8..self.pos + 12) {
            let incl_len = read_u32(len, big);
            if incl_len > MAX_RECORD_LEN {
                return Err(self.malformed(
                    offset,
                    format!("pcap record claims {incl_len} captured bytes, more than {MAX_RECORD_LEN} (a corrupt record header)"),
                ));
            }
        }
        let (ts_sec, ts_frac, incl_len, orig_len, data) = self.parse(
            |b| {
                parser
                    .next_raw_packet(b)
                    .map(|(rest, p)| (rest, (p.ts_sec, p.ts_frac, p.incl_len, p.orig_len, p.data.to_vec())))
            },
            "pcap record",
        )?;
        if incl_len > orig_len {
            return Err(
                self.malformed(offset, format!("pcap record holds {incl_len} bytes of a frame it says had {orig_len}"))
            );
        }
        let frac_ns = match resolution {
            TsResolution::MicroSecond => u64::from(ts_frac) * 1000,
            TsResolution::NanoSecond => u64::from(ts_frac),
        };
        let ts_ns = u64::from(ts_sec) * 1_000_000_000 + frac_ns;
        Ok(self.frame(&data, orig_len, fcs_len, ts_ns))
    }

    fn pcapng_block(&mut self) -> Result<Option<CapturedFrame>, PcapError> {
        let offset = self.offset();
        let Kind::PcapNg { parser, last_ts } = &mut self.kind else { return Ok(None) };
        let mut parser = std::mem::replace(parser, Box::new(placeholder_ng_parser()));
        let mut last_ts = *last_ts;
        let result =
            self.parse(|b| parser.next_block(b).map(|(rest, block)| (rest, owned_block(block))), "pcapng block");
        let result = result.and_then(|block| {
            let ctx = Ctx { path: &self.path, file_len: self.file_len };
            Ok(match block {
                OwnedBlock::Enhanced { interface_id, units, original_len, data } => {
                    let iface = interface(&parser, interface_id, offset as usize, &ctx)?;
                    last_ts = iface.ts_ns(units);
                    Some((data, original_len, iface.fcs_len, last_ts))
                }
                OwnedBlock::Simple { original_len, data } => {
                    let iface = interface(&parser, 0, offset as usize, &ctx)?;
                    // The body runs to the block's padding: the frame is what
                    // the original length and the snaplen leave of it.
                    let mut cap = data.len().min(original_len as usize);
                    if iface.snaplen != 0 {
                        cap = cap.min(iface.snaplen as usize);
                    }
                    Some((data[..cap].to_vec(), original_len, iface.fcs_len, last_ts))
                }
                OwnedBlock::ObsoletePacket => {
                    return Err(PcapError::Unsupported {
                        path: self.path.clone(),
                        offset,
                        detail: "obsolete pcapng Packet Block (type 2); re-save the capture with a current \
                                 Wireshark or `editcap`, which write Enhanced Packet Blocks",
                    })
                }
                OwnedBlock::Other => None,
            })
        });
        self.kind = Kind::PcapNg { parser, last_ts };
        Ok(result?.and_then(|(data, orig_len, fcs_len, ts)| self.frame(&data, orig_len, fcs_len, ts)))
    }

    /// A frame of `captured` bytes that had `orig_len` on the wire, with
    /// `fcs_len` bytes of FCS at its end (when complete); `None`, counted,
    /// when the capture holds only part of it.
    fn frame(&mut self, captured: &[u8], orig_len: u32, fcs_len: usize, ts_ns: u64) -> Option<CapturedFrame> {
        if (captured.len() as u64) < u64::from(orig_len) {
            self.skipped_truncated += 1;
            return None;
        }
        let keep = captured.len().saturating_sub(fcs_len);
        Some(CapturedFrame { data: captured[..keep].to_vec(), ts_ns })
    }

    fn wrap(&self, e: pcap_file::PcapError, offset: u64, what: &'static str) -> PcapError {
        Ctx { path: &self.path, file_len: self.file_len }.wrap(e, offset as usize, what)
    }

    fn malformed(&self, offset: u64, detail: String) -> PcapError {
        PcapError::Malformed { path: self.path.clone(), offset, detail }
    }
}

/// What this reader takes from a pcapng block, owned (the parser's blocks
/// borrow the read buffer).
enum OwnedBlock {
    Enhanced { interface_id: u32, units: u64, original_len: u32, data: Vec<u8> },
    Simple { original_len: u32, data: Vec<u8> },
    ObsoletePacket,
    Other,
}

fn owned_block(block: Block<'_>) -> OwnedBlock {
    match block {
        // pcap-file hands the raw 64-bit count over as nanoseconds.
        Block::EnhancedPacket(p) => OwnedBlock::Enhanced {
            interface_id: p.interface_id,
            units: u64::try_from(p.timestamp.as_nanos()).unwrap_or(u64::MAX),
            original_len: p.original_len,
            data: p.data.to_vec(),
        },
        Block::SimplePacket(p) => OwnedBlock::Simple { original_len: p.original_len, data: p.data.to_vec() },
        Block::Packet(_) => OwnedBlock::ObsoletePacket,
        _ => OwnedBlock::Other,
    }
}

/// A parser to stand in until the real header is read.
fn placeholder_parser() -> PcapParser {
    const HEADER: [u8; 24] = [0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 1, 0, 0, 0];
    PcapParser::new(&HEADER).expect("a valid pcap header").1
}

/// A pcapng parser to stand in while the real one is borrowed.
fn placeholder_ng_parser() -> PcapNgParser {
    // An empty little-endian section header block: type, length 28, byte-order
    // magic, version 1.0, section length -1, length 28.
    const SHB: [u8; 28] = [
        0x0A, 0x0D, 0x0D, 0x0A, 28, 0, 0, 0, 0x4D, 0x3C, 0x2B, 0x1A, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 28, 0, 0, 0,
    ];
    PcapNgParser::new(&SHB).expect("a valid pcapng section header").1
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

fn read_u32(b: &[u8], big: bool) -> u32 {
    let a = [b[0], b[1], b[2], b[3]];
    if big {
        u32::from_be_bytes(a)
    } else {
        u32::from_le_bytes(a)
    }
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

    /// An endless capture made on the fly: a pcap header, then records.
    struct Endless {
        header: Vec<u8>,
        record: Vec<u8>,
        pos: usize,
    }

    impl Read for Endless {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            for b in out.iter_mut() {
                *b = if self.pos < self.header.len() {
                    self.header[self.pos]
                } else {
                    self.record[(self.pos - self.header.len()) % self.record.len()]
                };
                self.pos += 1;
            }
            Ok(out.len())
        }
    }

    #[test]
    fn a_long_capture_streams_in_bounded_memory() {
        let one = pcap(1, &[(&[3u8; 1000], 1000)]);
        let mut r = CaptureReader::new(
            Endless { header: one[..24].to_vec(), record: one[24..].to_vec(), pos: 0 },
            Path::new("endless.pcap"),
            u64::MAX,
        )
        .unwrap();
        // 100,000 records: about 100 MB through the reader.
        for _ in 0..100_000 {
            let f = r.next_frame().unwrap().unwrap();
            assert_eq!(f.data.len(), 1000);
            assert!(r.buffered_bytes() <= READ_CHUNK + 2 * 1016, "{}", r.buffered_bytes());
        }
    }

    #[test]
    fn a_block_longer_than_any_is_refused_not_read() {
        // pcapng section header, then a block claiming 2 GB, then endless zeros.
        let mut shb = vec![0x0A, 0x0D, 0x0D, 0x0A, 28, 0, 0, 0, 0x4D, 0x3C, 0x2B, 0x1A, 1, 0, 0, 0];
        shb.extend_from_slice(&[0xFF; 8]);
        shb.extend_from_slice(&[28, 0, 0, 0]);
        shb.extend_from_slice(&[6, 0, 0, 0, 0, 0, 0, 0x80]);
        let mut r =
            CaptureReader::new(Endless { header: shb, record: vec![0], pos: 0 }, Path::new("huge.pcapng"), u64::MAX)
                .unwrap();
        let e = r.next_frame().unwrap_err();
        assert!(matches!(e, PcapError::Malformed { offset: 28, .. }), "{e:?}");
        assert!(r.buffered_bytes() <= MAX_BLOCK_LEN + 2 * READ_CHUNK);
    }
}
