//! Input robustness: the pcap/pcapng reader and the scenario parser under
//! arbitrary bytes and under mutations of valid inputs (bit flips, cut
//! files, extreme length fields, deleted and replaced lines). The property is
//! the project's rule for bad input: never a panic, never a hang, always an
//! error that names the file and the byte offset (captures) or the field or
//! line (scenarios). Seeded proptest runners with a bounded number of cases,
//! so the same inputs run on every machine in a few seconds.

use std::borrow::Cow;
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Duration;

use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::{InterfaceDescriptionBlock, InterfaceDescriptionOption};
use pcap_file::pcapng::blocks::simple_packet::SimplePacketBlock;
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::DataLink;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use verinic::pcap::read::parse_capture;
use verinic::pcap::{CaptureReader, CapturedFrame, PcapError};
use verinic::run::scenario::{Scenario, ScenarioError};

/// A seeded runner: the same `cases` inputs on every run.
fn runner(cases: u32, seed: u8) -> TestRunner {
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]))
}

/// A fresh directory for this test binary's files.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("verinic-fuzz-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A valid little-endian microsecond pcap: three records, one of them cut by
/// the snaplen, one declaring an FCS when `fcs`.
fn valid_pcap(big: bool, fcs: bool) -> Vec<u8> {
    let w = |b: &mut Vec<u8>, v: u32| b.extend_from_slice(&if big { v.to_be_bytes() } else { v.to_le_bytes() });
    let h = |b: &mut Vec<u8>, v: u16| b.extend_from_slice(&if big { v.to_be_bytes() } else { v.to_le_bytes() });
    let mut b = Vec::new();
    w(&mut b, 0xA1B2_C3D4);
    h(&mut b, 2);
    h(&mut b, 4);
    for v in [0u32, 0, 65535, if fcs { 1 | 0x0400_0000 | (2 << 28) } else { 1 }] {
        w(&mut b, v);
    }
    for (i, (len, orig)) in [(64u32, 64u32), (40, 100), (1514, 1514)].into_iter().enumerate() {
        for v in [1_700_000_000u32, i as u32 * 1000, len, orig] {
            w(&mut b, v);
        }
        b.extend((0..len).map(|k| (k as u8).wrapping_mul(31).wrapping_add(i as u8)));
    }
    b
}

/// A valid pcapng: an Ethernet interface with nanosecond timestamps and an
/// FCS, enhanced packets and a simple packet.
fn valid_pcapng() -> Vec<u8> {
    let mut w = PcapNgWriter::new(Vec::new()).unwrap();
    let idb = InterfaceDescriptionBlock {
        linktype: DataLink::ETHERNET,
        snaplen: 0,
        options: vec![InterfaceDescriptionOption::IfTsResol(9), InterfaceDescriptionOption::IfFcsLen(32)],
    };
    w.write_pcapng_block(idb).unwrap();
    for i in 0..3u8 {
        let data = vec![i; 60 + usize::from(i) * 100];
        let epb = EnhancedPacketBlock {
            interface_id: 0,
            timestamp: Duration::from_nanos(1_000 * u64::from(i)),
            original_len: data.len() as u32,
            data: Cow::Owned(data),
            options: vec![],
        };
        w.write_pcapng_block(epb).unwrap();
    }
    let spb = SimplePacketBlock { original_len: 64, data: Cow::Owned(vec![7; 64]) };
    w.write_pcapng_block(spb).unwrap();
    w.into_inner()
}

/// One way of damaging a valid input.
#[derive(Debug, Clone)]
enum Mutation {
    /// XOR a byte.
    Flip(usize, u8),
    /// Cut the file.
    Truncate(usize),
    /// Write an extreme 32-bit value (a length, a type, an id) at an offset.
    Word(usize, u32),
    /// Insert bytes.
    Insert(usize, Vec<u8>),
    /// Remove a range.
    Delete(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let extreme =
        prop_oneof![Just(0u32), Just(1), Just(3), Just(0x7FFF_FFFF), Just(0xFFFF_FFFF), Just(262_145), any::<u32>()];
    prop_oneof![
        (any::<usize>(), 1..=255u8).prop_map(|(o, x)| Mutation::Flip(o, x)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), extreme).prop_map(|(o, v)| Mutation::Word(o, v)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(o, b)| Mutation::Insert(o, b)),
        (any::<usize>(), 1..64usize).prop_map(|(o, n)| Mutation::Delete(o, n)),
    ]
}

fn apply(mut b: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        let n = b.len().max(1);
        match m {
            Mutation::Flip(o, x) => {
                if let Some(byte) = b.get_mut(o % n) {
                    *byte ^= x;
                }
            }
            Mutation::Truncate(o) => b.truncate(o % n),
            Mutation::Word(o, v) => {
                let o = o % n;
                for (k, byte) in v.to_le_bytes().into_iter().enumerate() {
                    if let Some(slot) = b.get_mut(o + k) {
                        *slot = byte;
                    }
                }
            }
            Mutation::Insert(o, bytes) => {
                let o = o % (b.len() + 1);
                b.splice(o..o, bytes.iter().copied());
            }
            Mutation::Delete(o, len) => {
                let o = o % n;
                let end = (o + len).min(b.len());
                if o < end {
                    b.drain(o..end);
                }
            }
        }
    }
    b
}

/// A reader that hands out at most 7 bytes per call.
struct Trickle<'a>(&'a [u8]);

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = out.len().min(self.0.len()).min(7);
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

/// The frames (and skipped count) of `bytes` read through [`Trickle`].
fn streamed(bytes: &[u8], path: &Path) -> Result<(Vec<CapturedFrame>, usize), PcapError> {
    let mut r = CaptureReader::new(Trickle(bytes), path, bytes.len() as u64)?;
    let mut frames = Vec::new();
    while let Some(f) = r.next_frame()? {
        frames.push(f);
    }
    Ok((frames, r.skipped_truncated()))
}

/// The property for one capture: no panic; an error names the file and an
/// offset within (or at the end of) it, or the bytes it started with.
fn check_capture(bytes: &[u8], path: &Path) -> Result<(), TestCaseError> {
    let result = catch_unwind(AssertUnwindSafe(|| parse_capture(bytes, path)));
    let result = result.map_err(|_| TestCaseError::fail(format!("the reader panicked on {} bytes", bytes.len())))?;
    // Streamed through reads of odd sizes, the reader sees every record cut
    // at a different place in its buffer: the outcome must be the same.
    let streamed = catch_unwind(AssertUnwindSafe(|| streamed(bytes, path)))
        .map_err(|_| TestCaseError::fail(format!("the streaming reader panicked on {} bytes", bytes.len())))?;
    match (&result, &streamed) {
        (Ok(c), Ok((frames, skipped))) => {
            prop_assert_eq!(&c.frames, frames);
            prop_assert_eq!(c.skipped_truncated, *skipped);
        }
        (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
        (a, b) => return Err(TestCaseError::fail(format!("whole {a:?} but streamed {b:?}"))),
    }
    let Err(e) = result else { return Ok(()) };
    let text = e.to_string();
    prop_assert!(text.contains(&path.display().to_string()), "error does not name the file: {}", text);
    let offset = match e {
        PcapError::Truncated { offset, file_len, .. } => {
            prop_assert_eq!(file_len, bytes.len() as u64);
            Some(offset)
        }
        PcapError::Malformed { offset, .. } | PcapError::LinkType { offset, .. } => Some(offset),
        PcapError::Unsupported { offset, .. } => Some(offset),
        PcapError::NotACapture { start, .. } => {
            prop_assert_eq!(&start[..], &bytes[..bytes.len().min(4)]);
            None
        }
        other => return Err(TestCaseError::fail(format!("unexpected error kind for a byte slice: {other:?}"))),
    };
    if let Some(offset) = offset {
        prop_assert!(offset <= bytes.len() as u64, "offset {} past the end ({} bytes): {}", offset, bytes.len(), text);
        prop_assert!(text.contains(&format!("offset {offset}")), "message does not give the offset: {}", text);
    }
    Ok(())
}

#[test]
fn capture_reader_arbitrary_bytes() {
    // Random bytes, half of them behind a valid magic number so that they
    // reach the record and block parsers.
    let magic = prop_oneof![
        Just(vec![]),
        Just(vec![0xD4, 0xC3, 0xB2, 0xA1]),
        Just(vec![0xA1, 0xB2, 0xC3, 0xD4]),
        Just(vec![0x4D, 0x3C, 0xB2, 0xA1]),
        Just(vec![0x0A, 0x0D, 0x0D, 0x0A]),
        Just(vec![0x0A, 0x0D, 0x0D, 0x0A, 28, 0, 0, 0, 0x4D, 0x3C, 0x2B, 0x1A]),
    ];
    let strategy = (magic, prop::collection::vec(any::<u8>(), 0..512));
    runner(2000, 11)
        .run(&strategy, |(mut head, tail)| {
            head.extend(tail);
            check_capture(&head, Path::new("fuzz/arbitrary.pcap"))
        })
        .unwrap();
}

#[test]
fn capture_reader_mutated_valid_files() {
    let valid = [valid_pcap(false, false), valid_pcap(true, true), valid_pcapng()];
    // The unmutated files read: the mutations start from something good.
    for v in &valid {
        let cap = parse_capture(v, Path::new("valid")).unwrap();
        assert!(cap.frames.len() >= 2, "{cap:?}");
    }
    let strategy = (0..valid.len(), prop::collection::vec(mutation(), 1..4));
    runner(3000, 12)
        .run(&strategy, |(which, muts)| {
            check_capture(&apply(valid[which].clone(), &muts), Path::new("fuzz/mutated.pcapng"))
        })
        .unwrap();
}

/// The property for one scenario file: no panic; an error names the file and
/// a field, a line, a byte or the size limit.
fn check_scenario(text: &[u8], path: &Path) -> Result<(), TestCaseError> {
    std::fs::write(path, text).unwrap();
    let result = catch_unwind(|| Scenario::from_file(path));
    let result = result.map_err(|_| TestCaseError::fail("the scenario parser panicked".to_string()))?;
    let Err(e) = result else { return Ok(()) };
    let message = e.to_string();
    prop_assert!(message.contains(&path.display().to_string()), "error does not name the file: {}", message);
    match &e {
        ScenarioError::Parse { message: m, .. } => {
            if std::env::var_os("VERINIC_FUZZ_SHOW").is_some() {
                eprintln!("{m}\n---");
            }
            let names_field = verinic::run::scenario::field_types().keys().any(|f| m.contains(f.as_str()));
            prop_assert!(
                m.contains("line ") || m.contains("byte ") || names_field || m.contains("unknown"),
                "a parse error names no line, byte or field: {}",
                m
            )
        }
        ScenarioError::Invalid { error, .. } => {
            prop_assert!(!error.field.is_empty() && !error.expected.is_empty(), "{}", message);
            prop_assert!(message.contains(&error.field), "{}", message);
        }
        ScenarioError::TooLarge { .. } => {}
        ScenarioError::Io { .. } => return Err(TestCaseError::fail(format!("I/O error on a written file: {message}"))),
    }
    Ok(())
}

#[test]
fn scenario_parser_arbitrary_bytes() {
    let dir = temp_dir("scenario-bytes");
    let path = dir.join("arbitrary.toml");
    // Raw bytes (mostly not UTF-8), and printable text that looks like TOML.
    let toml_ish = "[a-z_.\\[\\]=\" 0-9.eE+-]{0,200}".prop_map(String::into_bytes);
    let strategy = prop_oneof![prop::collection::vec(any::<u8>(), 0..300), toml_ish];
    runner(600, 13).run(&strategy, |bytes| check_scenario(&bytes, &path)).unwrap();
}

#[test]
fn scenario_parser_mutated_valid_files() {
    let dir = temp_dir("scenario-mutated");
    let path = dir.join("mutated.toml");
    let default = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/default.toml")).unwrap();
    Scenario::from_toml_str(&default).expect("scenarios/default.toml is valid");
    let lines: Vec<String> = default.lines().map(str::to_string).collect();
    // Values no field should take quietly.
    let values = prop_oneof![
        Just("-1"),
        Just("0"),
        Just("1e308"),
        Just("-1e308"),
        Just("nan"),
        Just("inf"),
        Just("-inf"),
        Just("18446744073709551615"),
        Just("9223372036854775807"),
        Just("-9223372036854775808"),
        Just("\"\""),
        Just("\"x\""),
        Just("[]"),
        Just("[0, -1, 1e9]"),
        Just("{}"),
        Just("true"),
        Just("1979-05-27T07:32:00Z"),
        Just("0.5"),
        Just("4294967296"),
    ];
    let edit = prop_oneof![
        (any::<usize>(), values).prop_map(|(l, v)| (l, 0u8, v.to_string())),
        any::<usize>().prop_map(|l| (l, 1u8, String::new())),
        (any::<usize>(), "[a-z_\\[\\]=]{1,12}").prop_map(|(l, s)| (l, 2u8, s)),
    ];
    let strategy = prop::collection::vec(edit, 1..4);
    runner(400, 14)
        .run(&strategy, |edits| {
            let mut lines = lines.clone();
            for (l, kind, text) in edits {
                let l = l % lines.len();
                match kind {
                    // The value of a `key = value` line replaced.
                    0 => {
                        if let Some((key, _)) = lines[l].split_once('=') {
                            lines[l] = format!("{key}= {text}");
                        }
                    }
                    1 => {
                        lines.remove(l);
                    }
                    _ => lines[l].push_str(&text),
                }
                if lines.is_empty() {
                    lines.push(String::new());
                }
            }
            check_scenario(lines.join("\n").as_bytes(), &path)
        })
        .unwrap();
}
