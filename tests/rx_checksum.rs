//! RX checksum offload against an independent reference.
//!
//! Random frames - TCP and UDP over IPv4 (with and without options) and IPv6,
//! with and without an 802.1Q tag, every payload length parity, corrupted
//! checksums, UDP checksum 0, fragments, lying lengths, IPv6 extension headers
//! and non-IP EtherTypes - are built with etherparse, go through the NIC RTL
//! and the driver, and every verdict and raw sum must equal what the reference
//! below computes from the bytes alone.

mod nic_common;

use nic_common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use verinic_driver::desc::{rx_errors, rx_status};
use verinic_driver::{ChecksumVerdict, CpuCosts, DriverConfig};
use verinic_sim::nic::NicConfig;
use verinic_sim::xgmii::{EncoderConfig, TxFrame};

// ---------------------------------------------------------------------------
// Reference

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Verdict {
    ipcs: bool,
    ipe: bool,
    l4: Option<bool>, // Some(is_tcp) when checked
    l4_bad: bool,
    raw: u16,
}

/// The documented rules (docs/nic.md), from the frame bytes alone.
fn reference(f: &[u8]) -> Verdict {
    let be16 = |i: usize| u16::from_be_bytes([f[i], f[i + 1]]);
    let vlan = be16(12) == 0x8100;
    let l3 = if vlan { 18 } else { 14 };
    let ethertype = be16(l3 - 2);
    let raw = fold(sum16(&f[14..]));
    let mut v = Verdict { ipcs: false, ipe: false, l4: None, l4_bad: false, raw };
    let l4_check = |proto: u8, l4: usize, l4_len: usize, pseudo: u32| -> Option<(bool, bool)> {
        let tcp = proto == 6;
        if !(tcp || proto == 17) || l4_len < if tcp { 20 } else { 8 } {
            return None;
        }
        let ok = fold(pseudo + u32::from(proto) + l4_len as u32 + sum16(&f[l4..l4 + l4_len])) == 0xFFFF;
        Some((tcp, !ok))
    };
    if ethertype == 0x0800 && f.len() > l3 && f[l3] >> 4 == 4 {
        let ihl = usize::from(f[l3] & 0xF) * 4;
        let total = usize::from(be16(l3 + 2));
        if ihl >= 20 && total >= ihl && l3 + total <= f.len() {
            v.ipcs = true;
            v.ipe = fold(sum16(&f[l3..l3 + ihl])) != 0xFFFF;
            let fragment = be16(l3 + 6) & 0x3FFF != 0;
            let proto = f[l3 + 9];
            let l4 = l3 + ihl;
            let udp_zero = proto == 17 && total - ihl >= 8 && be16(l4 + 6) == 0;
            if !fragment && !udp_zero {
                if let Some((tcp, bad)) = l4_check(proto, l4, total - ihl, sum16(&f[l3 + 12..l3 + 20])) {
                    v.l4 = Some(tcp);
                    v.l4_bad = bad;
                }
            }
        }
    } else if ethertype == 0x86DD && f.len() >= l3 + 40 && f[l3] >> 4 == 6 {
        let payload = usize::from(be16(l3 + 4));
        if l3 + 40 + payload <= f.len() {
            if let Some((tcp, bad)) = l4_check(f[l3 + 6], l3 + 40, payload, sum16(&f[l3 + 8..l3 + 40])) {
                v.l4 = Some(tcp);
                v.l4_bad = bad;
            }
        }
    }
    v
}

// ---------------------------------------------------------------------------
// Frames

#[derive(Debug, Clone, Copy)]
enum Mutation {
    None,
    BadL4,
    BadIp,
    UdpZero,
    Fragment,
    LyingLength,
    /// Ethernet padding after the IP packet: the IP length is shorter
    /// than the frame (checked over the IP length, the padding ignored).
    Padded,
    Ipv6Extension,
    NonIp,
}

fn build(v6: bool, tcp: bool, vlan: bool, options: usize, payload: &[u8], m: Mutation) -> Vec<u8> {
    let (mut f, Layout { l3, l4 }) = ip_frame(v6, tcp, vlan, options, payload);
    let csum_at = l4 + if tcp { 16 } else { 6 };
    match m {
        Mutation::None => {}
        Mutation::BadL4 => f[csum_at] ^= 0x40,
        Mutation::BadIp if !v6 => f[l3 + 10] ^= 0x01,
        Mutation::UdpZero if !tcp => f[csum_at..csum_at + 2].copy_from_slice(&[0, 0]),
        Mutation::Fragment if !v6 => {
            f[l3 + 6] |= 0x20; // MF
            ipv4_checksum_fix(&mut f, l3);
        }
        Mutation::LyingLength => {
            let at = if v6 { l3 + 4 } else { l3 + 2 };
            let n = u16::from_be_bytes([f[at], f[at + 1]]) + 100;
            f[at..at + 2].copy_from_slice(&n.to_be_bytes());
            if !v6 {
                ipv4_checksum_fix(&mut f, l3);
            }
        }
        Mutation::Padded => f.extend_from_slice(&[0xA5; 23]),
        Mutation::Ipv6Extension if v6 => f[l3 + 6] = 0, // hop-by-hop options
        Mutation::NonIp => f[l3 - 2..l3].copy_from_slice(&0x88B5u16.to_be_bytes()),
        _ => {}
    }
    if f.len() < 60 {
        f.resize(60, 0); // Ethernet padding
    }
    f
}

fn frame_strategy() -> impl Strategy<Value = Vec<u8>> {
    let mutation = prop_oneof![
        6 => Just(Mutation::None),
        1 => Just(Mutation::BadL4),
        1 => Just(Mutation::BadIp),
        1 => Just(Mutation::UdpZero),
        1 => Just(Mutation::Fragment),
        1 => Just(Mutation::LyingLength),
        1 => Just(Mutation::Padded),
        1 => Just(Mutation::Ipv6Extension),
        1 => Just(Mutation::NonIp),
    ];
    (any::<bool>(), any::<bool>(), any::<bool>(), 0usize..=10, prop::collection::vec(any::<u8>(), 0..1400), mutation)
        .prop_map(|(v6, tcp, vlan, options, payload, m)| build(v6, tcp, vlan, options, &payload, m))
}

#[test]
fn every_verdict_and_raw_sum_matches_the_reference() {
    let config = Config { cases: 12, failure_persistence: None, ..Config::default() };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[42; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let cfg = DriverConfig { rx_ring: 256, ..Default::default() };
    // What the cases covered: [unnecessary, complete, ip error, l4 error, ipv6 checked, udp]
    let seen_kinds = std::cell::RefCell::new([0usize; 6]);
    runner
        .run(&prop::collection::vec(frame_strategy(), 1..40), |frames| {
            let mut m = machine(cfg, CpuCosts::default(), EncoderConfig::default(), NicConfig::default());
            for f in &frames {
                m.world.wire_in(TxFrame::new(f.clone()));
            }
            run_until_delivered(&mut m, frames.len() as u64, 20_000);
            let mut got = Vec::new();
            m.with_host(|_, _| {});
            for (i, (f, data)) in frames.iter().zip(&m.delivered_frames).enumerate() {
                prop_assert_eq!(f.as_slice(), data.as_ref(), "frame {} corrupted", i);
                got.push(reference(f));
            }
            // The verdicts come from the descriptors, recorded by the driver
            let seen = &m.rx_meta;
            prop_assert_eq!(seen.len(), frames.len());
            for (i, (r, (status, errors, csum, verdict))) in got.iter().zip(seen).enumerate() {
                let want_status = (if r.ipcs { rx_status::IPCS } else { 0 })
                    | match r.l4 {
                        Some(true) => rx_status::TCPCS,
                        Some(false) => rx_status::UDPCS,
                        None => 0,
                    };
                let want_errors =
                    (if r.ipe { rx_errors::IPE } else { 0 }) | (if r.l4_bad { rx_errors::TCPE } else { 0 });
                let checked = rx_status::IPCS | rx_status::TCPCS | rx_status::UDPCS;
                prop_assert_eq!(status & checked, want_status, "frame {}: status {:#x} {:?}", i, status, r);
                prop_assert_eq!(status & rx_status::IXSM != 0, want_status == 0, "frame {}: IXSM", i);
                prop_assert_eq!(errors & (rx_errors::IPE | rx_errors::TCPE), want_errors, "frame {}: errors", i);
                prop_assert_eq!(*csum, r.raw, "frame {}: raw sum", i);
                let want_verdict = if want_errors != 0 {
                    ChecksumVerdict::None
                } else if r.l4.is_some() {
                    ChecksumVerdict::Unnecessary
                } else {
                    ChecksumVerdict::Complete(r.raw)
                };
                prop_assert_eq!(*verdict, want_verdict, "frame {}", i);
                let mut k = seen_kinds.borrow_mut();
                k[0] += matches!(verdict, ChecksumVerdict::Unnecessary) as usize;
                k[1] += matches!(verdict, ChecksumVerdict::Complete(_)) as usize;
                k[2] += r.ipe as usize;
                k[3] += r.l4_bad as usize;
                k[4] += (r.l4.is_some() && !r.ipcs) as usize;
                k[5] += (r.l4 == Some(false)) as usize;
            }
            Ok(())
        })
        .unwrap();
    let k = seen_kinds.into_inner();
    assert!(k.iter().all(|&n| n > 0), "every kind of verdict exercised: {k:?}");
}

#[test]
fn reference_agrees_with_etherparse_on_good_frames() {
    // The reference's notion of a good checksum agrees with etherparse's own
    // checksum computation for unmutated frames.
    for (v6, tcp, vlan) in [(false, true, false), (true, false, true), (false, false, true), (true, true, false)] {
        let f = build(v6, tcp, vlan, 0, b"hello checksum", Mutation::None);
        let r = reference(&f);
        assert_eq!(r.l4, Some(tcp));
        assert!(!r.l4_bad && !r.ipe);
        assert!(etherparse::SlicedPacket::from_ethernet(&f).is_ok());
    }
}
