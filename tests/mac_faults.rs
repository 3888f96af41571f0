//! Every fault the link partner can inject lands in its own MAC counter, the
//! packet is flagged bad, and the next good frame is received intact. On the
//! transmit side, a source that stops or aborts mid-packet produces an Error
//! character on the wire and a count.

mod common;

use common::{frame, vlan_frame, Bench};
use verinic_sim::axis::TxPacket;
use verinic_sim::mac::MacStats;
use verinic_sim::xgmii::{EncoderConfig, Fault, FrameError, TxFrame};

/// Which counter a fault must land in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Counter {
    Good,
    Fcs,
    Runt,
    Oversize,
    Char,
    Framing,
    Preamble,
}

fn counter(stats: &MacStats, c: Counter) -> u64 {
    match c {
        Counter::Good => stats.rx_frames_good,
        Counter::Fcs => stats.rx_err_fcs,
        Counter::Runt => stats.rx_err_runt,
        Counter::Oversize => stats.rx_err_oversize,
        Counter::Char => stats.rx_err_char,
        Counter::Framing => stats.rx_err_framing,
        Counter::Preamble => stats.rx_err_preamble,
    }
}

const ALL: [Counter; 7] =
    [Counter::Good, Counter::Fcs, Counter::Runt, Counter::Oversize, Counter::Char, Counter::Framing, Counter::Preamble];

/// good frame, the faulty one, good frame: checks counters and packets.
fn check(name: &str, faulty: TxFrame, expect: Counter) {
    for cfg in [EncoderConfig::default(), EncoderConfig { ipg: 40, ..Default::default() }] {
        let mut bench = Bench::new(cfg);
        let before = frame(100, 1);
        let after = frame(333, 2);
        bench.wire_in(TxFrame::new(before.clone()));
        bench.wire_in(faulty.clone());
        bench.wire_in(TxFrame::new(after.clone()));
        bench.run_until_quiet(10_000);
        let stats = bench.stats();
        for c in ALL {
            let expected = match c {
                Counter::Good => 2 + (expect == Counter::Good) as u64,
                c => (c == expect) as u64,
            };
            assert_eq!(counter(&stats, c), expected, "{name}: counter {c:?} ({stats:?})");
        }
        // A frame rejected at its preamble never reaches the stream; every
        // other frame leaves as one packet, flagged when bad.
        let pkts = &bench.rx_packets;
        let rejected_early = matches!(faulty.fault, Fault::BadPreamble);
        assert_eq!(pkts.len(), 3 - rejected_early as usize, "{name}: one packet per frame");
        assert!(!pkts[0].bad && pkts[0].data == before, "{name}: frame before");
        if !rejected_early {
            assert_eq!(pkts[1].bad, expect != Counter::Good, "{name}: flag");
        }
        let last = pkts.last().unwrap();
        assert!(!last.bad && last.data == after, "{name}: frame after was damaged");
    }
}

#[test]
fn bad_fcs() {
    check("bad fcs", TxFrame::with_fault(frame(200, 9), Fault::BadFcs), Counter::Fcs);
}

#[test]
fn error_character_anywhere() {
    for offset in [0, 5, 13, 64, 150, 199, 200, 203] {
        let f = TxFrame::with_fault(frame(200, 9), Fault::ErrorChar { offset });
        check(&format!("error char at {offset}"), f, Counter::Char);
    }
}

#[test]
fn truncated_to_idle() {
    for len in [1, 8, 30, 61, 100] {
        let f = TxFrame::with_fault(frame(200, 9), Fault::TruncateToIdle { len });
        check(&format!("truncated to idle at {len}"), f, Counter::Framing);
    }
}

#[test]
fn truncated_by_a_new_start() {
    for len in [9, 40, 64, 101] {
        let f = TxFrame::with_fault(frame(200, 9), Fault::TruncateToStart { len });
        check(&format!("truncated by start at {len}"), f, Counter::Framing);
    }
}

#[test]
fn bad_preamble() {
    check("bad preamble", TxFrame::with_fault(frame(200, 9), Fault::BadPreamble), Counter::Preamble);
}

#[test]
fn runts_with_good_and_bad_fcs() {
    for len in [1usize, 4, 14, 40, 59] {
        check(&format!("runt {len}"), TxFrame::new(frame(len, 9)), Counter::Runt);
        check(&format!("runt {len}, bad fcs"), TxFrame::with_fault(frame(len, 9), Fault::BadFcs), Counter::Runt);
    }
    check("shortest good frame", TxFrame::new(frame(60, 9)), Counter::Good);
}

#[test]
fn oversize_untagged_and_tagged() {
    check("1514 + FCS", TxFrame::new(frame(1514, 9)), Counter::Good);
    check("1515 + FCS", TxFrame::new(frame(1515, 9)), Counter::Oversize);
    check("jumbo", TxFrame::new(frame(9000, 9)), Counter::Oversize);
    check("tagged 1518 + FCS", TxFrame::new(vlan_frame(1518, 9)), Counter::Good);
    check("tagged 1519 + FCS", TxFrame::new(vlan_frame(1519, 9)), Counter::Oversize);
    check("oversize with bad fcs", TxFrame::with_fault(frame(1600, 9), Fault::BadFcs), Counter::Oversize);
}

#[test]
fn tx_underrun_sends_error_and_counts() {
    for stall in [2usize, 3, 7, 20, 37] {
        let mut bench = Bench::new(EncoderConfig::default());
        bench.send(TxPacket::new(frame(100, 1)));
        bench.send(TxPacket { data: frame(300, 2).into(), stall_before_beat: Some(stall), ..Default::default() });
        bench.send(TxPacket::new(frame(200, 3)));
        bench.run_until_quiet(10_000);
        let f = &bench.tx_frames;
        assert_eq!(f.len(), 3, "stall before beat {stall}");
        assert!(f[0].is_good() && f[0].bytes == frame(100, 1));
        assert_eq!(f[1].error, Some(FrameError::ErrorChar), "stall before beat {stall}");
        assert!(f[2].is_good() && f[2].bytes == frame(200, 3), "packet after the underrun");
        let s = bench.stats();
        assert_eq!((s.tx_frames_good, s.tx_err_underrun, s.tx_err_abort), (2, 1, 0));
    }
}

#[test]
fn tx_bubble_during_the_preamble_is_absorbed() {
    // Beat 0 waits in the MAC's input register while Start and the preamble
    // go out, so a source that pauses before beat 1 is not an underrun.
    let mut bench = Bench::new(EncoderConfig::default());
    bench.send(TxPacket { data: frame(300, 2).into(), stall_before_beat: Some(1), ..Default::default() });
    bench.run_until_quiet(10_000);
    assert!(bench.tx_frames.len() == 1 && bench.tx_frames[0].is_good());
    assert_eq!(bench.stats().tx_err_underrun, 0);
}

#[test]
fn tx_abort_sends_error_and_counts() {
    let mut bench = Bench::new(EncoderConfig::default());
    bench.send(TxPacket { data: frame(150, 2).into(), abort: true, ..Default::default() });
    bench.send(TxPacket::new(frame(64, 3)));
    bench.run_until_quiet(10_000);
    let f = &bench.tx_frames;
    assert_eq!(f.len(), 2);
    assert_eq!(f[0].error, Some(FrameError::ErrorChar));
    assert!(f[1].is_good() && f[1].bytes == frame(64, 3));
    let s = bench.stats();
    assert_eq!((s.tx_frames_good, s.tx_err_underrun, s.tx_err_abort), (1, 0, 1));
}
