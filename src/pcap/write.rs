//! Writing classic pcap files: `LINKTYPE_ETHERNET`, little-endian, snaplen
//! 262144, microsecond or nanosecond timestamps. Wireshark, tshark and
//! tcpdump read both resolutions.
//!
//! The timestamps are whatever the caller passes; the co-simulation passes
//! simulated time from reset, so a run's capture starts at 1970-01-01
//! 00:00:00 and Wireshark's "time since first frame" reads as simulated time.
//! The same frames and times always give the same bytes.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use pcap_file::pcap::{PcapHeader, PcapPacket};
use pcap_file::{DataLink, Endianness, TsResolution};

use super::PcapError;

/// Snapshot length written in the header; longer frames are cut to it (and
/// keep their full original length), as libpcap does.
pub const SNAPLEN: u32 = 262_144;

/// Timestamp resolution of a written file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Resolution {
    /// Microseconds (magic `a1b2c3d4`): the most widely read.
    Micro,
    /// Nanoseconds (magic `a1b23c4d`): keeps the 6.4 ns device cycle.
    #[default]
    Nano,
}

/// A classic pcap file being written.
pub struct PcapWriter {
    path: PathBuf,
    inner: pcap_file::pcap::PcapWriter<BufWriter<File>>,
    frames: u64,
}

impl PcapWriter {
    /// Creates (or replaces) `path` with nanosecond timestamps.
    pub fn create(path: impl AsRef<Path>) -> Result<Self, PcapError> {
        Self::create_with(path, Resolution::Nano)
    }

    /// Creates (or replaces) `path` with the given timestamp resolution.
    pub fn create_with(path: impl AsRef<Path>, resolution: Resolution) -> Result<Self, PcapError> {
        let path = path.as_ref().to_path_buf();
        let file =
            File::create(&path).map_err(|source| PcapError::Io { path: path.clone(), action: "create", source })?;
        let header = PcapHeader {
            snaplen: SNAPLEN,
            datalink: DataLink::ETHERNET,
            ts_resolution: match resolution {
                Resolution::Micro => TsResolution::MicroSecond,
                Resolution::Nano => TsResolution::NanoSecond,
            },
            endianness: Endianness::Little,
            ..PcapHeader::default()
        };
        let inner =
            pcap_file::pcap::PcapWriter::with_header(BufWriter::new(file), header).map_err(|e| wrap(&path, e))?;
        Ok(PcapWriter { path, inner, frames: 0 })
    }

    /// Appends one frame (without FCS) seen at `ts_ns` nanoseconds.
    pub fn write(&mut self, data: &[u8], ts_ns: u64) -> Result<(), PcapError> {
        let orig_len = u32::try_from(data.len()).map_err(|_| PcapError::Write {
            path: self.path.clone(),
            detail: format!("a frame of {} bytes does not fit a pcap record", data.len()),
        })?;
        let captured = &data[..data.len().min(SNAPLEN as usize)];
        let packet = PcapPacket::new(Duration::from_nanos(ts_ns), orig_len, captured);
        self.inner.write_packet(&packet).map_err(|e| wrap(&self.path, e))?;
        self.frames += 1;
        Ok(())
    }

    /// Frames written so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes and closes the file; returns the number of frames written.
    pub fn finish(self) -> Result<u64, PcapError> {
        let PcapWriter { path, inner, frames } = self;
        let mut buf = inner.into_writer();
        buf.flush().map_err(|source| PcapError::Io { path, action: "write", source })?;
        Ok(frames)
    }
}

fn wrap(path: &Path, e: pcap_file::PcapError) -> PcapError {
    match e {
        pcap_file::PcapError::IoError(source) => PcapError::Io { path: path.into(), action: "write", source },
        other => PcapError::Write { path: path.into(), detail: other.to_string() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pcap::read::{read_capture, Format};

    #[test]
    fn round_trip_both_resolutions() {
        let dir = std::env::temp_dir().join(format!("verinic-pcap-write-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (res, name, ts) in
            [(Resolution::Nano, "n.pcap", 1_234_567_891), (Resolution::Micro, "u.pcap", 1_234_567_000)]
        {
            let path = dir.join(name);
            let mut w = PcapWriter::create_with(&path, res).unwrap();
            w.write(&[7u8; 60], 1_234_567_891).unwrap();
            w.write(&[8u8; 1514], 2_000_000_000).unwrap();
            assert_eq!(w.finish().unwrap(), 2);
            let cap = read_capture(&path).unwrap();
            assert_eq!(cap.format, Format::Pcap);
            assert_eq!(cap.frames.len(), 2);
            assert_eq!(cap.frames[0].data, vec![7u8; 60]);
            assert_eq!(cap.frames[0].ts_ns, ts);
            assert_eq!(cap.frames[1].ts_ns, 2_000_000_000);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn unwritable_path_is_named() {
        let e = PcapWriter::create("/no/such/dir/out.pcap").err().unwrap().to_string();
        assert!(e.contains("/no/such/dir/out.pcap") && e.contains("create"), "{e}");
    }
}
