//! TX checksum insertion against an independent reference: frames built with
//! correct checksums by etherparse are what must come out on the wire; the
//! driver is handed them the way Linux hands CHECKSUM_PARTIAL frames over (the
//! pseudo-header sum in the TCP/UDP field, the IPv4 header checksum zeroed).
//! Bad offsets leave the frame unmodified, are counted, and harm nothing else.

mod nic_common;

use bytes::Bytes;
use nic_common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use verinic::cosim::Machine;
use verinic_driver::{regs, TxOffload};

/// A correct frame, and the same frame as the stack hands it to the driver.
struct Case {
    wire: Vec<u8>,
    handed: Vec<u8>,
    offload: TxOffload,
    udp: bool,
    l4_field: usize,
}

fn case(v6: bool, tcp: bool, vlan: bool, options: usize, payload: &[u8], ip_too: bool) -> Case {
    let (f, Layout { l3, l4 }) = ip_frame(v6, tcp, vlan, options, payload);
    let l4_len = f.len() - l4;
    let off = if tcp { 16 } else { 6 };
    // CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum
    let addrs = if v6 { sum16(&f[l3 + 8..l3 + 40]) } else { sum16(&f[l3 + 12..l3 + 20]) };
    let seed = fold(addrs + if tcp { 6 } else { 17 } + l4_len as u32);
    let mut handed = f.clone();
    handed[l4 + off..l4 + off + 2].copy_from_slice(&seed.to_be_bytes());
    let offload = if ip_too && !v6 {
        handed[l3 + 10..l3 + 12].copy_from_slice(&[0, 0]);
        TxOffload::Ipv4Partial {
            ip_start: l3 as u8,
            ip_end: (l4 - 1) as u16,
            csum_start: l4 as u8,
            csum_offset: off as u8,
        }
    } else {
        TxOffload::Partial { csum_start: l4 as u8, csum_offset: off as u8 }
    };
    Case { wire: f, handed, offload, udp: !tcp, l4_field: l4 + off }
}

fn send_all(m: &mut Machine, cases: &[(Vec<u8>, TxOffload)]) {
    for (frame, offload) in cases {
        let r = m.with_host(|d, h| d.xmit_offload(h, Bytes::from(frame.clone()), *offload, false));
        r.expect("queue has room");
    }
    let t = m.now_ns() + 50_000 + cases.len() as u64 * 2_000;
    m.run_until(t);
}

/// Wire bytes as the MAC pads them.
fn padded(f: &[u8]) -> Vec<u8> {
    let mut v = f.to_vec();
    v.resize(v.len().max(60), 0);
    v
}

#[test]
fn inserted_checksums_equal_the_reference() {
    let config = Config { cases: 12, failure_persistence: None, ..Config::default() };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[3; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let frame = (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0usize..=10,
        prop::collection::vec(any::<u8>(), 0..1400),
        any::<bool>(),
    );
    runner
        .run(&prop::collection::vec(frame, 1..24), |specs| {
            let mut m = default_machine();
            let cases: Vec<Case> =
                specs.iter().map(|(v6, tcp, vlan, o, p, ip)| case(*v6, *tcp, *vlan, *o, p, *ip)).collect();
            let sent: Vec<(Vec<u8>, TxOffload)> = cases.iter().map(|c| (c.handed.clone(), c.offload)).collect();
            send_all(&mut m, &sent);
            prop_assert_eq!(m.world.tx_frames.len(), cases.len());
            for (i, (c, got)) in cases.iter().zip(&m.world.tx_frames).enumerate() {
                prop_assert!(got.is_good(), "frame {}: FCS/framing", i);
                let mut want = padded(&c.wire);
                // RFC 768 sends a computed 0 as 0xFFFF; the device, like e1000,
                // writes the sum as it is: both mean "checksum present and good".
                if c.udp
                    && want[c.l4_field..c.l4_field + 2] == [0xFF, 0xFF]
                    && got.bytes[c.l4_field..c.l4_field + 2] == [0, 0]
                {
                    want[c.l4_field..c.l4_field + 2].copy_from_slice(&[0, 0]);
                }
                prop_assert_eq!(&got.bytes, &want, "frame {} ({:?})", i, c.offload);
            }
            Ok(())
        })
        .unwrap();
}

/// A frame's last beat is read whole from its buffer: the lanes past the
/// frame's end hold whatever a longer frame left there, and must not enter
/// the checksum (with TUCSE = 0, "to the end of the frame"). Every bounce
/// buffer first carries a long frame of 0xA5 bytes; then frames of lengths
/// that end mid-beat, odd and even, offloaded both ways.
#[test]
fn stale_bytes_past_the_frame_end_are_not_summed() {
    let mut m = default_machine();
    let ring = m.driver.config().tx_ring;
    let long = vec![(vec![0xA5u8; 1514], TxOffload::None); ring / 2];
    for _ in 0..3 {
        send_all(&mut m, &long);
    }
    m.world.tx_frames.clear();
    let cases: Vec<Case> = (0..ring / 2)
        .map(|i| case(i % 2 == 0, i % 3 == 0, i % 5 == 0, 0, &vec![i as u8; 20 + 7 * i % 500], i % 4 == 0))
        .collect();
    let sent: Vec<(Vec<u8>, TxOffload)> = cases.iter().map(|c| (c.handed.clone(), c.offload)).collect();
    send_all(&mut m, &sent);
    assert_eq!(m.world.tx_frames.len(), cases.len());
    for (i, (c, got)) in cases.iter().zip(&m.world.tx_frames).enumerate() {
        let mut want = padded(&c.wire);
        if c.udp && want[c.l4_field..c.l4_field + 2] == [0xFF, 0xFF] && got.bytes[c.l4_field..c.l4_field + 2] == [0, 0]
        {
            want[c.l4_field..c.l4_field + 2].copy_from_slice(&[0, 0]);
        }
        assert_eq!(got.bytes, want, "frame {i} ({} bytes, {:?})", c.wire.len(), c.offload);
    }
}

#[test]
fn bad_offsets_leave_the_frame_unmodified_and_are_counted() {
    let mut m = default_machine();
    let good = case(false, true, false, 0, &[7; 100], true);
    let frame = good.handed.clone();
    let len = frame.len();
    let bad = [
        TxOffload::Partial { csum_start: 34, csum_offset: (len - 34 - 1) as u8 }, // CSO past the end
        TxOffload::Partial { csum_start: 60, csum_offset: 0u8.wrapping_sub(10) }, // CSS after CSO
        TxOffload::Ipv4Partial { ip_start: 14, ip_end: 200, csum_start: 34, csum_offset: 16 }, // IPCSE past the end
    ];
    let mut sent: Vec<(Vec<u8>, TxOffload)> = bad.iter().map(|o| (frame.clone(), *o)).collect();
    sent.push((good.handed.clone(), good.offload));
    send_all(&mut m, &sent);
    let out = &m.world.tx_frames;
    assert_eq!(out.len(), 4);
    for (i, f) in out.iter().take(3).enumerate() {
        assert!(f.is_good());
        assert_eq!(f.bytes, padded(&frame), "bad request {i} must leave the frame unmodified");
    }
    assert_eq!(out[3].bytes, padded(&good.wire), "the next frame is still offloaded");
    let counted = m.with_host(|_, h| verinic_driver::Platform::read_reg(h, regs::VN_TXCSUMERR));
    assert_eq!(counted, 3);
}
