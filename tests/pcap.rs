//! Captures in and out of the wire: a pcap (and a pcapng) replayed toward the
//! NIC with the application echoing every frame comes back out of the NIC
//! byte for byte, in order; broken captures give errors that name the file
//! and the byte offset; the `verinic run` flags do the same from the CLI.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::{InterfaceDescriptionBlock, InterfaceDescriptionOption};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::DataLink;
use verinic::pcap::{read_capture, read_frames, CapturedFrame, Format, PcapError, PcapWriter, Timing};
use verinic::rng::Rng;
use verinic::run::scenario::{PcapSpec, Scenario, TxSpec};
use verinic::run::{run_scenario, Report, RunError};
use verinic_sim::SimOptions;

/// A fresh directory for one test's files.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("verinic-pcap-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// RFC 1071 checksum of `data` added to `sum`, folded and inverted.
fn inet_checksum(data: &[u8], mut sum: u32) -> u16 {
    for c in data.chunks(2) {
        sum += u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]));
    }
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    !(sum as u16)
}

/// An Ethernet/IPv4/UDP frame of `len` bytes (without FCS) with correct
/// checksums, so a NIC that offloads checksums would leave it unchanged.
fn udp_frame(len: usize, id: u16, rng: &mut Rng) -> Vec<u8> {
    let mut f = vec![0u8; len];
    f[..6].copy_from_slice(&[0x02, 0, 0, 0, 0, 0x01]);
    f[6..12].copy_from_slice(&[0x02, 0, 0, 0, 0, 0x02]);
    f[12..14].copy_from_slice(&0x0800u16.to_be_bytes());
    let ip_len = (len - 14) as u16;
    let ip = &mut f[14..34];
    ip[0] = 0x45;
    ip[2..4].copy_from_slice(&ip_len.to_be_bytes());
    ip[4..6].copy_from_slice(&id.to_be_bytes());
    ip[8] = 64;
    ip[9] = 17;
    ip[12..16].copy_from_slice(&[192, 0, 2, 1]);
    ip[16..20].copy_from_slice(&[192, 0, 2, 2]);
    let c = inet_checksum(ip, 0);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    let udp_len = ip_len - 20;
    f[34..36].copy_from_slice(&4000u16.to_be_bytes());
    f[36..38].copy_from_slice(&5000u16.to_be_bytes());
    f[38..40].copy_from_slice(&udp_len.to_be_bytes());
    rng.fill(&mut f[42..]);
    let pseudo: u32 = [0xC000u32, 0x0201, 0xC000, 0x0202, 17, u32::from(udp_len)].iter().sum();
    let c = match inet_checksum(&f[34..], pseudo) {
        0 => 0xFFFF,
        c => c,
    };
    f[40..42].copy_from_slice(&c.to_be_bytes());
    f
}

/// A mixed capture: 60..1514 bytes, generator-style and UDP frames, one
/// every `gap_ns` from a wall-clock-like start.
fn mixed_frames(count: usize, gap_ns: u64, seed: u64) -> Vec<CapturedFrame> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|i| {
            let len = match i % 5 {
                0 => 60,
                1 => 1514,
                _ => rng.range(60, 1514),
            };
            let data = if i % 3 == 0 {
                udp_frame(len.max(64), i as u16, &mut rng)
            } else {
                verinic::frames::test_frame(len, 1_000_000 + i as u32, &mut rng)
            };
            CapturedFrame { data, ts_ns: 1_700_000_000_000_000_000 + i as u64 * gap_ns }
        })
        .collect()
}

fn write_pcap(path: &Path, frames: &[CapturedFrame]) {
    let mut w = PcapWriter::create(path).unwrap();
    for f in frames {
        w.write(&f.data, f.ts_ns).unwrap();
    }
    assert_eq!(w.finish().unwrap(), frames.len() as u64);
}

/// A pcapng file by `pcap-file`'s writer: one Ethernet interface with
/// nanosecond timestamps (`if_tsresol` = 9), one EPB per frame.
fn write_pcapng(path: &Path, frames: &[CapturedFrame], linktype: DataLink) {
    let file = std::fs::File::create(path).unwrap();
    let mut w = PcapNgWriter::new(file).unwrap();
    let idb =
        InterfaceDescriptionBlock { linktype, snaplen: 0, options: vec![InterfaceDescriptionOption::IfTsResol(9)] };
    w.write_pcapng_block(idb).unwrap();
    for f in frames {
        let epb = EnhancedPacketBlock {
            interface_id: 0,
            timestamp: Duration::from_nanos(f.ts_ns),
            original_len: f.data.len() as u32,
            data: Cow::Borrowed(&f.data),
            options: vec![],
        };
        w.write_pcapng_block(epb).unwrap();
    }
}

/// An echo run of `input` with both output files; returns the report and
/// the two files' frames.
fn echo_run(dir: &Path, input: &Path, timing: Timing, us: u64) -> (Report, Vec<CapturedFrame>, Vec<CapturedFrame>) {
    echo_run_with(dir, input, timing, us, false)
}

/// [`echo_run`], with short frames sent as runts or padded.
fn echo_run_with(
    dir: &Path,
    input: &Path,
    timing: Timing,
    us: u64,
    runts: bool,
) -> (Report, Vec<CapturedFrame>, Vec<CapturedFrame>) {
    let out = dir.join("out.pcap");
    let delivered = dir.join("rx.pcap");
    let scenario = Scenario {
        duration_us: us,
        tx: TxSpec { echo: true, ..TxSpec::default() },
        pcap: PcapSpec {
            input: Some(input.into()),
            timing,
            output: Some(out.clone()),
            delivered: Some(delivered.clone()),
            runts,
        },
        ..Scenario::default()
    };
    let r = run_scenario(&scenario, &SimOptions::default(), &mut |_| {}).expect("run");
    (r, read_frames(&out).unwrap(), read_frames(&delivered).unwrap())
}

fn assert_same_bytes(got: &[CapturedFrame], want: &[CapturedFrame], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: frame count");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let at = g.data.iter().zip(&w.data).position(|(a, b)| a != b);
        let show = |d: &[u8]| at.map(|a| format!("{:02x?}", &d[a..(a + 4).min(d.len())])).unwrap_or_default();
        assert!(
            g.data == w.data,
            "{what}: frame {i} differs ({} vs {} bytes; first at byte {at:?}: {} vs {})",
            g.data.len(),
            w.data.len(),
            show(&g.data),
            show(&w.data)
        );
    }
}

fn assert_clean(r: &Report, n: u64) {
    assert_eq!(r.frames_offered, n, "{r}");
    assert_eq!(r.frames_to_stack, n, "{r}");
    assert_eq!(r.drops_total, 0, "{r}");
    assert_eq!(r.tx.frames_on_wire, n, "{r}");
    assert_eq!(r.tx.bad_on_wire, 0, "{r}");
    assert_eq!(r.latency_ns.count, n, "{r}");
    assert_eq!(r.latency_ns.unmatched, 0, "{r}");
    let e = r.echo.expect("echo report");
    assert_eq!((e.frames_echoed, e.dropped, e.pending_at_end), (n, 0, 0));
    let p = r.pcap.expect("pcap report");
    assert_eq!((p.input_frames, p.not_offered, p.skipped_truncated), (n, 0, 0));
    assert_eq!((p.output_frames, p.delivered_frames), (Some(n), Some(n)));
}

#[test]
fn pcap_replayed_and_echoed_comes_back_byte_for_byte() {
    let dir = temp_dir("echo");
    let input = dir.join("in.pcap");
    // One frame every 2 us: 400 us of recorded traffic, about 3 Gb/s.
    let frames = mixed_frames(200, 2_000, 1);
    write_pcap(&input, &frames);
    let (r, out, delivered) = echo_run(&dir, &input, Timing::Recorded, 500);
    assert_clean(&r, 200);
    assert_eq!(r.pcap.unwrap().input_format, Some("pcap"));
    assert_same_bytes(&delivered, &frames, "delivered");
    assert_same_bytes(&out, &frames, "transmitted");
    // Recorded timing: frame i reaches the wire no earlier than its recorded
    // offset after frame 0 did, so it reaches the stack no earlier than that
    // offset minus frame 0's latency. (Back to back, the 200 frames would be
    // through in about 120 us.)
    let slack = r.latency_ns.max + 1_000;
    for (i, f) in delivered.iter().enumerate() {
        let recorded = frames[i].ts_ns - frames[0].ts_ns;
        assert!(f.ts_ns - delivered[0].ts_ns + slack >= recorded, "frame {i} delivered too early");
        assert!(out[i].ts_ns > f.ts_ns, "echo of frame {i} on the wire before its delivery");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pcapng_replayed_at_rate_and_echoed_comes_back_byte_for_byte() {
    let dir = temp_dir("echo-ng");
    let input = dir.join("in.pcapng");
    // Timestamps a second apart: only `rate` timing replays this in 200 us.
    let frames = mixed_frames(120, 1_000_000_000, 2);
    write_pcapng(&input, &frames, DataLink::ETHERNET);
    let cap = read_capture(&input).unwrap();
    assert_eq!(cap.format, Format::PcapNg);
    assert_eq!(cap.frames, frames, "pcapng read back with nanosecond timestamps");
    let (r, out, delivered) = echo_run(&dir, &input, Timing::Rate, 200);
    assert_clean(&r, 120);
    assert_eq!(r.pcap.unwrap().input_format, Some("pcapng"));
    assert_same_bytes(&delivered, &frames, "delivered");
    assert_same_bytes(&out, &frames, "transmitted");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn runts_and_giants_are_sent_as_captured_and_counted() {
    let dir = temp_dir("runts");
    let input = dir.join("odd.pcap");
    let mut frames = mixed_frames(10, 1_000, 3);
    frames[3].data.truncate(40);
    frames[7].data.resize(1600, 0xAB);
    write_pcap(&input, &frames);
    let (r, out, _) = echo_run_with(&dir, &input, Timing::Rate, 100, true);
    assert_eq!(r.frames_offered, 10, "{r}");
    assert_eq!(r.drop_count("rx_length_errors"), 2, "{r}");
    assert_eq!(r.frames_delivered, 8, "{r}");
    assert_eq!(r.unaccounted, 0, "{r}");
    let want: Vec<CapturedFrame> =
        frames.iter().enumerate().filter(|(i, _)| *i != 3 && *i != 7).map(|(_, f)| f.clone()).collect();
    assert_same_bytes(&out, &want, "transmitted");
    assert_eq!(r.latency_ns.unmatched, 0, "{r}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A capture taken on the sending host holds short frames unpadded (a TCP
/// ACK is 54 bytes): replayed, they are padded with zeros to 60 bytes as
/// the sender's MAC did, and delivered; with `runts` they are runts.
#[test]
fn short_frames_are_padded_like_a_sender_or_sent_as_runts() {
    let dir = temp_dir("short");
    let input = dir.join("acks.pcap");
    let mut frames = mixed_frames(6, 1_000, 5);
    frames[1].data.truncate(42);
    frames[4].data.truncate(54);
    write_pcap(&input, &frames);
    let (r, out, delivered) = echo_run_with(&dir, &input, Timing::Rate, 100, false);
    assert_eq!((r.frames_offered, r.frames_delivered, r.drops_total), (6, 6, 0), "{r}");
    assert_eq!(r.pcap.unwrap().short_frames, 2);
    assert_eq!(r.latency_ns.unmatched, 0, "{r}");
    for i in [1, 4] {
        let mut padded = frames[i].data.clone();
        padded.resize(60, 0);
        assert_eq!(delivered[i].data, padded, "frame {i} delivered padded with zeros");
        assert_eq!(out[i].data, padded, "and echoed back as 60 bytes");
    }
    assert!(r.to_string().contains("padded to 60 bytes"), "{r}");
    let (r, _, delivered) = echo_run_with(&dir, &input, Timing::Rate, 100, true);
    assert_eq!((r.frames_delivered, r.drop_count("rx_length_errors")), (4, 2), "{r}");
    assert_eq!(delivered.len(), 4);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn truncated_capture_names_file_and_offset() {
    let dir = temp_dir("cut");
    let frames = mixed_frames(5, 1_000, 4);
    // pcap: 24-byte header, then 16-byte record headers. Cut inside record 3.
    let path = dir.join("cut.pcap");
    write_pcap(&path, &frames);
    let bytes = std::fs::read(&path).unwrap();
    let record3: usize = 24 + frames[..3].iter().map(|f| 16 + f.data.len()).sum::<usize>();
    std::fs::write(&path, &bytes[..record3 + 16 + 10]).unwrap();
    let e = read_frames(&path).unwrap_err();
    assert!(matches!(e, PcapError::Truncated { offset, .. } if offset == record3 as u64), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("cut.pcap") && msg.contains(&format!("offset {record3}")), "{msg}");
    // Cut to the offset it names, the file reads: the fix it suggests works.
    std::fs::write(&path, &bytes[..record3]).unwrap();
    assert_eq!(read_frames(&path).unwrap().len(), 3);

    // pcapng: SHB (28 bytes), IDB (28 bytes with if_tsresol), then EPBs.
    let path = dir.join("cut.pcapng");
    write_pcapng(&path, &frames, DataLink::ETHERNET);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 7]).unwrap();
    let msg = read_frames(&path).unwrap_err().to_string();
    let last_epb = bytes.len() - (32 + frames[4].data.len().div_ceil(4) * 4);
    assert!(msg.contains("cut.pcapng") && msg.contains(&format!("offset {last_epb}")), "{msg}");

    // Through a run, the error comes out whole.
    let scenario = Scenario {
        duration_us: 10,
        pcap: PcapSpec { input: Some(path.clone()), ..PcapSpec::default() },
        ..Scenario::default()
    };
    let e = run_scenario(&scenario, &SimOptions::default(), &mut |_| {}).unwrap_err();
    assert!(matches!(e, RunError::Pcap(PcapError::Truncated { .. })), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn snaplen_cut_frames_are_skipped_and_counted() {
    let dir = temp_dir("snap");
    let path = dir.join("snap.pcap");
    let frames = mixed_frames(4, 1_000, 7);
    let header = pcap_file::pcap::PcapHeader { snaplen: 96, ..Default::default() };
    let mut w = pcap_file::pcap::PcapWriter::with_header(std::fs::File::create(&path).unwrap(), header).unwrap();
    for f in &frames {
        let cut = &f.data[..f.data.len().min(96)];
        w.write_packet(&pcap_file::pcap::PcapPacket::new(Duration::from_nanos(f.ts_ns), f.data.len() as u32, cut))
            .unwrap();
    }
    drop(w);
    let cap = read_capture(&path).unwrap();
    let whole: Vec<&CapturedFrame> = frames.iter().filter(|f| f.data.len() <= 96).collect();
    assert!(!whole.is_empty() && whole.len() < frames.len());
    assert_eq!(cap.frames.iter().collect::<Vec<_>>(), whole);
    assert_eq!(cap.skipped_truncated, frames.len() - whole.len());

    // Nothing whole left: a run refuses it, saying why.
    let only_cut: Vec<CapturedFrame> = frames.iter().filter(|f| f.data.len() > 96).cloned().collect();
    let mut w = pcap_file::pcap::PcapWriter::with_header(std::fs::File::create(&path).unwrap(), header).unwrap();
    for f in &only_cut {
        w.write_packet(&pcap_file::pcap::PcapPacket::new(
            Duration::from_nanos(f.ts_ns),
            f.data.len() as u32,
            &f.data[..96],
        ))
        .unwrap();
    }
    drop(w);
    let scenario =
        Scenario { pcap: PcapSpec { input: Some(path.clone()), ..PcapSpec::default() }, ..Scenario::default() };
    let msg = run_scenario(&scenario, &SimOptions::default(), &mut |_| {}).unwrap_err().to_string();
    assert!(msg.contains("snap.pcap") && msg.contains("snaplen"), "{msg}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn wrong_link_type_is_named() {
    let dir = temp_dir("link");
    let frames = mixed_frames(3, 1_000, 5);
    let path = dir.join("raw.pcap");
    write_pcap(&path, &frames);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[20..24].copy_from_slice(&101u32.to_le_bytes()); // LINKTYPE_RAW
    std::fs::write(&path, &bytes).unwrap();
    let e = read_frames(&path).unwrap_err();
    assert!(matches!(e, PcapError::LinkType { link_type: 101, .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("raw.pcap") && msg.contains("101 (RAW)") && msg.contains("Ethernet"), "{msg}");

    let path = dir.join("sll.pcapng");
    write_pcapng(&path, &frames, DataLink::LINUX_SLL);
    let msg = read_frames(&path).unwrap_err().to_string();
    assert!(msg.contains("sll.pcapng") && msg.contains("113 (LINUX_SLL)"), "{msg}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn not_a_capture_is_named() {
    let dir = temp_dir("junk");
    let path = dir.join("notes.txt");
    std::fs::write(&path, "hello, world").unwrap();
    let msg = read_frames(&path).unwrap_err().to_string();
    assert!(msg.contains("notes.txt") && msg.contains("not a pcap or pcapng file"), "{msg}");
    let msg = read_frames(dir.join("missing.pcap")).unwrap_err().to_string();
    assert!(msg.contains("missing.pcap") && msg.contains("cannot read"), "{msg}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn scenario_pcap_section_and_validation() {
    let dir = temp_dir("scenario");
    let file = dir.join("replay.toml");
    std::fs::write(
        &file,
        "[pcap]\ninput = \"in.pcap\"\ntiming = \"rate\"\noutput = \"/tmp/abs.pcap\"\n[tx]\necho = true\n",
    )
    .unwrap();
    let s = Scenario::from_file(&file).unwrap();
    assert_eq!(s.pcap.input, Some(dir.join("in.pcap")), "relative to the scenario file");
    assert_eq!(s.pcap.output, Some(PathBuf::from("/tmp/abs.pcap")));
    assert_eq!(s.pcap.timing, Timing::Rate);
    assert!(s.tx.echo && s.app_config().echo && s.app_config().tx_frames_per_sec == 0.0);
    let e = Scenario::from_toml_str("[pcap]\ntiming = \"fast\"\n").unwrap_err().to_string();
    assert!(e.contains("fast"), "{e}");
    let e = Scenario::from_toml_str("[pcap]\ninput = \"a\"\noutput = \"a\"\n").unwrap_err().to_string();
    assert!(e.contains("pcap.output") && e.contains("overwritten"), "{e}");
    let e = Scenario::from_toml_str("[pcap]\noutput = \"a\"\ndelivered = \"a\"\n").unwrap_err().to_string();
    assert!(e.contains("pcap.delivered"), "{e}");
    let e =
        Scenario::from_toml_str("[rx]\nload = 0\n[pcap]\ninput = \"a\"\ntiming = \"rate\"\n").unwrap_err().to_string();
    assert!(e.contains("rx.load") && e.contains("rate"), "{e}");
    // Unused, the section stays out of the JSON echo of the scenario.
    let json = serde_json::to_value(Scenario::default()).unwrap();
    assert!(json.get("pcap").is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

fn verinic(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_verinic")).args(args).output().expect("verinic runs")
}

#[test]
fn cli_replays_echoes_and_writes_captures() {
    let dir = temp_dir("cli");
    let input = dir.join("in.pcap");
    let frames = mixed_frames(40, 3_000, 6);
    write_pcap(&input, &frames);
    let (out, rx) = (dir.join("out.pcap"), dir.join("rx.pcap"));
    let o = verinic(&[
        "run",
        "--pcap-in",
        input.to_str().unwrap(),
        "--pcap-out",
        out.to_str().unwrap(),
        "--pcap-delivered",
        rx.to_str().unwrap(),
        "--echo",
        "--duration-us",
        "200",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains("echo: every received frame sent back"), "{stdout}");
    assert!(stdout.contains(&format!("frames to {}", out.display())), "{stdout}");
    assert_same_bytes(&read_frames(&out).unwrap(), &frames, "transmitted");
    assert_same_bytes(&read_frames(&rx).unwrap(), &frames, "delivered");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_errors_exit_2_with_the_message() {
    let dir = temp_dir("cli-err");
    let missing = dir.join("nope.pcap");
    let o = verinic(&["run", "--pcap-in", missing.to_str().unwrap(), "--duration-us", "10"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("nope.pcap"), "{err}");

    let o = verinic(&["run", "--pcap-timing", "rate", "--duration-us", "10"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--pcap-in"), "{err}");

    let o = verinic(&["run", "--pcap-out", "/no/such/dir/out.pcap", "--duration-us", "10"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("/no/such/dir/out.pcap"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
