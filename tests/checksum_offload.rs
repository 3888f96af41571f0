//! Real IP traffic and checksum offload from a scenario, against the
//! Verilated RTL: the application's IPv4/IPv6, UDP/TCP, tagged or untagged
//! frames leave the NIC with checksums that etherparse's own functions
//! validate, whether the NIC inserted them (CHECKSUM_PARTIAL, legacy or
//! context descriptor) or the stack computed them (tx-checksumming off);
//! echo mode hands frames back the same way; the traffic generator's frames
//! arrive with valid checksums on the flows asked for, and the report's
//! verdict counts agree with etherparse.

use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;

use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use verinic::run::{Chunk, Needs, Observer, RunError, Runner, Scenario};
use verinic_sim::{Profile, SimOptions};

fn sim() -> SimOptions {
    SimOptions { profile: Profile::Fast, ..Default::default() }
}

/// What etherparse found in a frame whose every checksum it validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    ip: u8,
    l4: &'static str,
    vlan: Option<u16>,
    src_port: u16,
}

/// Parses `f` with etherparse and checks its IPv4 header checksum and its
/// TCP/UDP checksum against etherparse's own computation; panics with `what`
/// otherwise.
fn validate(f: &[u8], what: &str) -> Seen {
    let p = SlicedPacket::from_ethernet(f).unwrap_or_else(|e| panic!("{what}: etherparse: {e:?}"));
    let vlan = p.vlan_ids().first().map(|v| v.value());
    // the NIC writes a UDP sum of 0 as 0 where RFC 768 wants 0xFFFF (docs/nic.md)
    let udp_ok = |got: u16, want: u16, v4: bool| got == want || (v4 && got == 0 && want == 0xFFFF);
    match (&p.net, &p.transport) {
        (Some(NetSlice::Ipv4(ip)), Some(t)) => {
            let h = ip.header().to_header();
            assert_eq!(h.header_checksum, h.calc_header_checksum(), "{what}: IPv4 header checksum");
            let (l4, src_port) = match t {
                TransportSlice::Udp(u) => {
                    let uh = u.to_header();
                    let want = uh.calc_checksum_ipv4(&h, u.payload()).unwrap();
                    assert!(
                        udp_ok(uh.checksum, want, true),
                        "{what}: UDP checksum {:04x}, want {want:04x}",
                        uh.checksum
                    );
                    ("udp", uh.source_port)
                }
                TransportSlice::Tcp(t) => {
                    let th = t.to_header();
                    assert_eq!(th.checksum, th.calc_checksum_ipv4(&h, t.payload()).unwrap(), "{what}: TCP checksum");
                    ("tcp", th.source_port)
                }
                other => panic!("{what}: transport {other:?}"),
            };
            Seen { ip: 4, l4, vlan, src_port }
        }
        (Some(NetSlice::Ipv6(ip)), Some(t)) => {
            let h = ip.header().to_header();
            let (l4, src_port) = match t {
                TransportSlice::Udp(u) => {
                    let uh = u.to_header();
                    let want = uh.calc_checksum_ipv6(&h, u.payload()).unwrap();
                    assert!(
                        udp_ok(uh.checksum, want, false),
                        "{what}: UDP checksum {:04x}, want {want:04x}",
                        uh.checksum
                    );
                    ("udp", uh.source_port)
                }
                TransportSlice::Tcp(t) => {
                    let th = t.to_header();
                    assert_eq!(th.checksum, th.calc_checksum_ipv6(&h, t.payload()).unwrap(), "{what}: TCP checksum");
                    ("tcp", th.source_port)
                }
                other => panic!("{what}: transport {other:?}"),
            };
            Seen { ip: 6, l4, vlan, src_port }
        }
        other => panic!("{what}: not TCP/UDP over IP: {other:?}"),
    }
}

/// The frames the NIC put on the wire and the frames delivered to the stack.
#[derive(Default)]
struct Frames {
    wire: Vec<Vec<u8>>,
    delivered: Vec<Vec<u8>>,
}

impl Observer for Frames {
    fn needs(&self) -> Needs {
        Needs { tx_frames: true, delivered_bytes: true, ..Default::default() }
    }
    fn chunk(&mut self, c: &Chunk<'_>) -> Result<(), RunError> {
        self.wire.extend(c.tx_frames.iter().map(|f| f.bytes.clone()));
        self.delivered.extend(c.delivered_frames.iter().map(|f| f.to_vec()));
        Ok(())
    }
}

fn run(toml: &str) -> (Frames, verinic::run::Report) {
    let s = Scenario::from_toml_str(toml).unwrap_or_else(|e| panic!("{e}\n{toml}"));
    let mut frames = Frames::default();
    let mut measure = verinic::run::Measure::default();
    let fin = Runner::new(&s, &sim())
        .unwrap()
        .run(&mut [&mut frames, &mut measure], &mut |_| {}, &AtomicBool::new(false))
        .unwrap();
    let report = verinic::run::Report::new(&s, &fin, &measure, Default::default());
    (frames, report)
}

const PROTOCOLS: [(&str, u8, &str); 4] =
    [("udp4", 4, "udp"), ("tcp4", 4, "tcp"), ("udp6", 6, "udp"), ("tcp6", 6, "tcp")];

/// IPv4 and IPv6, UDP and TCP, tagged and not; the NIC inserting the
/// checksums from a legacy or a context descriptor, or the stack computing
/// them: every frame on the wire passes etherparse, and the report says how
/// each got its checksums.
#[test]
fn transmitted_frames_have_checksums_etherparse_validates() {
    for (protocol, ip, l4) in PROTOCOLS {
        for vlan in [0u16, 100] {
            for (offload, descriptor) in [(true, "legacy"), (true, "context"), (false, "legacy")] {
                let what = format!("{protocol} vlan {vlan} tx_checksumming {offload} {descriptor}");
                let (frames, r) = run(&format!(
                    "duration_us = 40\n[rx]\nload = 0.0\n\
                     [tx]\nframes_per_sec = 200000.0\nframe_size = 301\nprotocol = \"{protocol}\"\nvlan = {vlan}\n\
                     csum_descriptor = \"{descriptor}\"\n[driver]\ntx_checksumming = {offload}\n"
                ));
                assert!(frames.wire.len() >= 6, "{what}: {} frames", frames.wire.len());
                assert_eq!(frames.wire.len() as u64, r.tx.frames_on_wire, "{what}");
                for f in &frames.wire {
                    let seen = validate(f, &what);
                    assert_eq!((seen.ip, seen.l4), (ip, l4), "{what}");
                    assert_eq!(seen.vlan, (vlan != 0).then_some(vlan), "{what}");
                    assert_eq!(f.len(), 297, "{what}: frame_size less the FCS");
                }
                let k = r.checksums;
                let sent = r.tx.frames_offered;
                if offload {
                    assert_eq!((k.tx_offloaded, k.tx_software), (sent, 0), "{what}");
                } else {
                    assert_eq!((k.tx_offloaded, k.tx_software), (0, sent), "{what}");
                }
                assert_eq!(r.tx.bad_on_wire, 0, "{what}");
            }
        }
    }
}

/// With tx-checksumming off the stack's software checksums cost CPU time:
/// the same sends take more application time.
#[test]
fn software_checksums_cost_cpu_time() {
    let app_ns = |offload: bool| {
        let (_, r) = run(&format!(
            "duration_us = 100\n[rx]\nload = 0.0\n[tx]\nframes_per_sec = 100000.0\nframe_size = 1518\n\
             protocol = \"tcp4\"\n[driver]\ntx_checksumming = {offload}\n[cpu]\ncsum_ns_per_byte = 1.0\n"
        ));
        (r.cpu.app_ns, r.tx.frames_offered)
    };
    let (on, sent_on) = app_ns(true);
    let (off, sent_off) = app_ns(false);
    assert_eq!(sent_on, sent_off);
    // 1480 bytes (IPv4 header and segment) at 1 ns per byte, per frame
    let extra = off as i64 - on as i64;
    assert!((extra - 1480 * sent_on as i64).abs() <= 1480, "{off} - {on} ns for {sent_on} frames");
}

/// Echo mode hands received IP frames back as CHECKSUM_PARTIAL: they leave
/// the NIC with valid checksums, counted as offloaded.
#[test]
fn echo_hands_frames_back_as_checksum_partial() {
    // mixed sizes at a high load: a buffer often held a longer frame before
    let (frames, r) =
        run("duration_us = 60\n[rx]\nload = 0.9\nframe_sizes = [90, 333, 1518, 97, 600]\nprotocol = \"tcp6\"\n\
         vlan = 7\n[tx]\necho = true\ncsum_descriptor = \"context\"\n");
    assert!(frames.wire.len() >= 100, "{} frames", frames.wire.len());
    for f in &frames.wire {
        let seen = validate(f, "echo");
        assert_eq!((seen.ip, seen.l4, seen.vlan), (6, "tcp", Some(7)));
    }
    assert_eq!(r.checksums.tx_offloaded, r.echo.unwrap().frames_echoed);
}

/// The traffic generator's IP frames arrive with valid checksums (etherparse
/// agrees), on as many flows as asked for, with their latency matched; the
/// NIC's verdicts, as the report counts them, are all good; raw frames are
/// not checked.
#[test]
fn generated_receive_traffic_is_real_ip_on_the_flows_asked_for() {
    for (protocol, ip, l4) in PROTOCOLS {
        for (vlan, flow_order) in [(0u16, "cycle"), (42, "random")] {
            let what = format!("{protocol} vlan {vlan} {flow_order}");
            let (frames, r) = run(&format!(
                "duration_us = 40\n[rx]\nload = 0.3\nprotocol = \"{protocol}\"\nvlan = {vlan}\nflows = 4\n\
                 flow_order = \"{flow_order}\"\n[tx]\nframes_per_sec = 0.0\n"
            ));
            assert!(frames.delivered.len() >= 20, "{what}: {}", frames.delivered.len());
            let mut ports = BTreeSet::new();
            for f in &frames.delivered {
                let seen = validate(f, &what);
                assert_eq!((seen.ip, seen.l4, seen.vlan), (ip, l4, (vlan != 0).then_some(vlan)), "{what}");
                ports.insert(seen.src_port);
            }
            assert_eq!(ports, (40000..40004).collect(), "{what}: four flows");
            let k = r.checksums;
            let n = r.frames_to_stack;
            assert_eq!((k.rx_l4_good, k.rx_l4_errors, k.rx_l4_not_checked), (n, 0, 0), "{what}");
            assert_eq!((k.rx_ip_good, k.rx_ip_errors), (if ip == 4 { n } else { 0 }, 0), "{what}");
            assert_eq!(r.latency_ns.unmatched, 0, "{what}: every frame's sequence number found");
            assert_eq!(r.frames_offered, r.frames_delivered + r.in_flight_at_end, "{what}");
        }
    }
    let (_, r) = run("duration_us = 20\n[rx]\nload = 0.3\n[tx]\nframes_per_sec = 0.0\n");
    assert!(r.frames_to_stack > 0);
    assert_eq!(r.checksums.rx_l4_not_checked, r.frames_to_stack, "raw frames: nothing to check");
}

/// `verinic run --pcap-out`: the capture holds the NIC's frames, checksums
/// valid for etherparse; the old field names are refused with the new ones.
#[test]
fn pcap_out_frames_validate_and_old_names_point_to_the_new_ones() {
    let dir = std::env::temp_dir().join(format!("verinic-csum-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (scenario, pcap) = (dir.join("s.toml"), dir.join("out.pcap"));
    std::fs::write(
        &scenario,
        "duration_us = 50\n[rx]\nload = 0.0\n[tx]\nframes_per_sec = 200000.0\nframe_size = 128\n\
         protocol = \"udp6\"\nvlan = 3\ncsum_descriptor = \"context\"\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_verinic"))
        .args(["run", "--json", "--config"])
        .arg(&scenario)
        .arg("--pcap-out")
        .arg(&pcap)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut reader = pcap_file::pcap::PcapReader::new(std::fs::File::open(&pcap).unwrap()).unwrap();
    let mut n = 0;
    while let Some(p) = reader.next_packet() {
        let seen = validate(&p.unwrap().data, "pcap-out");
        assert_eq!((seen.ip, seen.l4, seen.vlan), (6, "udp", Some(3)));
        n += 1;
    }
    assert!(n >= 8, "{n} frames");
    for (old, new) in [
        ("[driver]\nrx_csum = true\n", "driver.rx_checksumming"),
        ("[tx]\ncsum_offload = \"none\"\n", "driver.tx_checksumming"),
    ] {
        let e = Scenario::from_toml_str(old).unwrap_err().to_string();
        assert!(e.contains("no longer a field") && e.contains(new), "{e}");
    }
}
