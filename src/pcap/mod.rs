//! Packet captures in and out of the wire: replay a pcap or pcapng file
//! toward the NIC, and write what the NIC transmitted and what the driver
//! delivered as classic pcap files that Wireshark and tshark open.
//!
//! - [`read`]: [`CaptureReader`] (streaming), [`read_capture`] / [`read_frames`] take pcap (microsecond or
//!   nanosecond, either byte order) and pcapng, told apart by their magic
//!   number, Ethernet link type only.
//! - [`write`](mod@write): [`PcapWriter`], classic pcap, `LINKTYPE_ETHERNET`,
//!   nanosecond timestamps by default, timestamps = simulated time.
//! - [`replay`]: [`PcapReplay`], an [`RxSource`](crate::cosim::RxSource)
//!   that offers the captured frames at their recorded spacing or back to
//!   back at the link partner's load ([`Timing`]).
//! - [`taps`]: [`Taps`], the output files of a run.
//!
//! Frames are Ethernet frames *without* FCS, as everywhere in this crate
//! (the link partner appends the FCS, the driver strips it). What a capture
//! holds is taken as it is, but for padding: a frame shorter than 60 bytes
//! is padded to 60 as its sender's MAC did (or, with `[pcap] runts`, sent
//! short: the MAC counts it as a runt and drops it); a frame longer than
//! 1514 bytes is sent long (the MAC counts it as oversize). That is the point of
//! replaying real traffic.
//!
//! The crate behind the parsing is `pcap-file` 2; its parsers work on a byte
//! slice, which [`CaptureReader`] refills from the file chunk by chunk, so a
//! replay streams the capture in bounded memory and every error can still
//! name the byte offset of the record or block it is about.

use std::fmt;
use std::io;
use std::path::PathBuf;

pub mod read;
pub mod replay;
pub mod taps;
pub mod write;

pub use read::{read_capture, read_frames, Capture, CaptureReader, Format};
pub use replay::{PcapReplay, ReplayInfo, Timing, MIN_WIRE_FRAME};
pub use taps::{TapCounts, Taps};
pub use write::{PcapWriter, Resolution};

/// One frame from a capture file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedFrame {
    /// Destination MAC through payload, without FCS (an FCS the file
    /// declares is stripped; see [`read`]).
    pub data: Vec<u8>,
    /// Capture timestamp in nanoseconds since the Unix epoch (only the
    /// differences between frames matter for replay).
    pub ts_ns: u64,
}

/// Why a capture could not be read or written. Every variant names the file;
/// those about its contents name the byte offset of the record or block.
#[derive(Debug)]
pub enum PcapError {
    /// The OS refused: the file is missing, unreadable or unwritable.
    Io {
        /// The file.
        path: PathBuf,
        /// `"read"`, `"create"` or `"write"`.
        action: &'static str,
        /// What the OS said.
        source: io::Error,
    },
    /// Neither pcap nor pcapng magic at the start of the file.
    NotACapture {
        /// The file.
        path: PathBuf,
        /// Its first bytes (up to 4).
        start: Vec<u8>,
    },
    /// The file ends inside a record or block (cut while being written, or
    /// a corrupt length field pointing past the end).
    Truncated {
        /// The file.
        path: PathBuf,
        /// What was being read: `"pcap file header"`, `"pcap record"`, `"pcapng block"`.
        what: &'static str,
        /// Byte offset where that record or block starts.
        offset: u64,
        /// The file's length in bytes.
        file_len: u64,
    },
    /// A record or block that cannot be right (bad length, bad field).
    Malformed {
        /// The file.
        path: PathBuf,
        /// Byte offset of the record or block.
        offset: u64,
        /// What is wrong.
        detail: String,
    },
    /// Frames of a link type other than Ethernet.
    LinkType {
        /// The file.
        path: PathBuf,
        /// Byte offset of the file header (pcap) or of the first packet on
        /// such an interface (pcapng).
        offset: u64,
        /// The link type number (tcpdump.org/linktypes.html).
        link_type: u32,
    },
    /// A block this reader does not take.
    Unsupported {
        /// The file.
        path: PathBuf,
        /// Byte offset of the block.
        offset: u64,
        /// What it is, and what to do.
        detail: &'static str,
    },
    /// A capture with no complete Ethernet frame to replay.
    Empty {
        /// The file.
        path: PathBuf,
        /// Frames left out because the capture holds only part of them.
        skipped_truncated: usize,
    },
    /// Writing a record failed for a reason other than I/O.
    Write {
        /// The file.
        path: PathBuf,
        /// What the pcap writer said.
        detail: String,
    },
}

impl fmt::Display for PcapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PcapError::Io { path, action, source } => {
                write!(f, "cannot {action} capture {}: {source}", path.display())?;
                match *action {
                    "read" => write!(f, " (check the path given to --pcap-in or [pcap] input)"),
                    _ => write!(f, " (check that the directory exists and is writable)"),
                }
            }
            PcapError::NotACapture { path, start } => {
                let hex: Vec<String> = start.iter().map(|b| format!("{b:02x}")).collect();
                write!(
                    f,
                    "{} is not a pcap or pcapng file: it starts with [{}], expected pcap magic \
                     a1b2c3d4 / a1b23c4d (either byte order) or pcapng 0a0d0d0a \
                     (save the capture as pcap or pcapng, e.g. `editcap -F pcap in out.pcap`)",
                    path.display(),
                    hex.join(" ")
                )
            }
            PcapError::Truncated { path, what, offset, file_len } => write!(
                f,
                "capture {} is cut short: the {what} at byte offset {offset} runs past the end of the \
                 file ({file_len} bytes); the file was probably cut while being written. Re-save the \
                 capture, or keep the whole records before it with `truncate -s {offset}`",
                path.display()
            ),
            PcapError::Malformed { path, offset, detail } => {
                write!(f, "capture {} is damaged at byte offset {offset}: {detail}", path.display())
            }
            PcapError::LinkType { path, offset, link_type } => write!(
                f,
                "capture {} has link type {} at byte offset {offset}: only Ethernet (LINKTYPE_ETHERNET = 1) \
                 can be replayed onto the XGMII wire (if the frames are Ethernet after all, \
                 `editcap -T ether` relabels them)",
                path.display(),
                link_type_name(*link_type)
            ),
            PcapError::Unsupported { path, offset, detail } => {
                write!(f, "capture {}: unsupported at byte offset {offset}: {detail}", path.display())
            }
            PcapError::Empty { path, skipped_truncated: 0 } => {
                write!(f, "capture {} holds no frames to replay", path.display())
            }
            PcapError::Empty { path, skipped_truncated } => write!(
                f,
                "capture {} holds no complete frames to replay: all {skipped_truncated} were cut short by \
                 the capture's snaplen (capture again without a limit, e.g. `tcpdump -s 0`)",
                path.display()
            ),
            PcapError::Write { path, detail } => write!(f, "cannot write capture {}: {detail}", path.display()),
        }
    }
}

impl std::error::Error for PcapError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PcapError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// `113 (LINUX_SLL)`: the number with the name `pcap-file` knows for it.
fn link_type_name(link_type: u32) -> String {
    match pcap_file::DataLink::from(link_type) {
        pcap_file::DataLink::Unknown(_) => link_type.to_string(),
        known => format!("{link_type} ({known:?})"),
    }
}
