//! Every frame length through the real MAC, both directions, at line rate.
//! FCS and framing are checked by the link partner with crc32fast, not by the RTL.

mod common;

use common::{frame, Bench};
use verinic_sim::axis::TxPacket;
use verinic_sim::xgmii::{EncoderConfig, StartLanes, TxFrame};

const LENGTHS: std::ops::RangeInclusive<usize> = 60..=1514;

#[test]
fn rx_every_length_back_to_back_both_start_lanes() {
    let mut bench = Bench::new(EncoderConfig::default());
    for (seq, len) in LENGTHS.enumerate() {
        bench.wire_in(TxFrame::new(frame(len, seq as u32)));
    }
    bench.run_until_quiet(1_000_000);

    let sent = bench.enc.take_sent();
    assert_eq!(sent.len(), LENGTHS.count());
    // Both Start lanes, with every final-word length in each, reached the MAC.
    for lane in [0u8, 4] {
        for residue in 0..8 {
            assert!(
                sent.iter().any(|s| s.start_lane == lane && (s.len + 4) % 8 == residue),
                "no frame started in lane {lane} with length {residue} mod 8"
            );
        }
    }
    assert!(sent.iter().all(|s| s.ifg_before.is_none_or(|g| g <= 15)), "not back to back");

    assert_eq!(bench.rx_packets.len(), sent.len());
    for (seq, (pkt, len)) in bench.rx_packets.iter().zip(LENGTHS).enumerate() {
        assert!(!pkt.bad, "frame {seq} ({len} bytes) flagged bad");
        assert_eq!(pkt.data, frame(len, seq as u32), "frame {seq} ({len} bytes) corrupted");
    }
    let stats = bench.stats();
    assert_eq!(stats.rx_frames_good, sent.len() as u64);
    assert_eq!(stats.rx_errors(), 0);
    assert_eq!(stats.rx_bytes_good, LENGTHS.map(|l| l as u64 + 4).sum::<u64>());
}

#[test]
fn rx_lane0_only_partner() {
    let cfg = EncoderConfig { start_lanes: StartLanes::Lane0Only, dic: false, ..Default::default() };
    let mut bench = Bench::new(cfg);
    for (seq, len) in (60..=200).enumerate() {
        bench.wire_in(TxFrame::new(frame(len, seq as u32)));
    }
    bench.run_until_quiet(100_000);
    assert!(bench.enc.take_sent().iter().all(|s| s.start_lane == 0));
    assert_eq!(bench.rx_packets.len(), 141);
    for (seq, (pkt, len)) in bench.rx_packets.iter().zip(60..=200).enumerate() {
        assert!(!pkt.bad);
        assert_eq!(pkt.data, frame(len, seq as u32));
    }
}

#[test]
fn tx_every_length_at_line_rate_with_dic() {
    let mut bench = Bench::new(EncoderConfig::default());
    for (seq, len) in LENGTHS.enumerate() {
        bench.send(TxPacket::new(frame(len, seq as u32)));
    }
    bench.run_until_quiet(1_000_000);

    let frames = &bench.tx_frames;
    assert_eq!(frames.len(), LENGTHS.count());
    for (seq, (f, len)) in frames.iter().zip(LENGTHS).enumerate() {
        assert_eq!(f.error, None, "frame {seq}: framing error");
        assert!(f.fcs_ok, "frame {seq} ({len} bytes): FCS differs from crc32fast");
        assert_eq!(f.bytes, frame(len, seq as u32), "frame {seq} corrupted");
        assert!(f.start_lane == 0 || f.start_lane == 4);
    }
    assert!(frames.iter().any(|f| f.start_lane == 4), "lane 4 never used");

    // IEEE 802.3 clause 46 deficit idle count: each gap 9..=15 bytes, and
    // over n gaps the total stays within 3 bytes below 12 n.
    let gaps: Vec<usize> = frames.iter().filter_map(|f| f.ifg_before).collect();
    assert_eq!(gaps.len(), frames.len() - 1);
    let mut total = 0;
    for (n, g) in gaps.iter().enumerate() {
        assert!((9..=15).contains(g), "gap {n} is {g} bytes");
        total += g;
        let nominal = 12 * (n + 1);
        assert!(total <= nominal && total + 3 >= nominal, "gap sum {total} after {} gaps", n + 1);
    }

    // Line rate: each frame of L bytes (FCS included) took L + 20 byte times.
    let first = frames.first().unwrap();
    let last = frames.last().unwrap();
    let span_bytes = (last.start_cycle - first.start_cycle) * 8 + last.start_lane as u64 - first.start_lane as u64;
    let expected: u64 = LENGTHS.take(frames.len() - 1).map(|l| l as u64 + 4 + 20).sum();
    assert!(span_bytes <= expected + 3 && span_bytes + 3 >= expected, "{span_bytes} byte times for {expected}");

    let stats = bench.stats();
    assert_eq!(stats.tx_frames_good, frames.len() as u64);
    assert_eq!(stats.tx_bytes_good, LENGTHS.map(|l| l as u64 + 4).sum::<u64>());
}

#[test]
fn tx_64_byte_frames_at_14_88_mpps() {
    let mut bench = Bench::new(EncoderConfig::default());
    let count = 2000;
    for seq in 0..count {
        bench.send(TxPacket::new(frame(60, seq)));
    }
    bench.run_until_quiet(100_000);
    let frames = &bench.tx_frames;
    assert_eq!(frames.len(), count as usize);
    assert!(frames.iter().all(|f| f.is_good()));
    // 84 byte times per frame = 10.5 cycles: 14,880,952 frames/s at 156.25 MHz.
    let position = |f: &verinic_sim::xgmii::RxFrame| f.start_cycle * 8 + f.start_lane as u64;
    let span_bytes = position(frames.last().unwrap()) - position(&frames[0]);
    assert_eq!(span_bytes, (count as u64 - 1) * 84);
}

#[test]
fn tx_pads_short_packets_with_zeros() {
    let mut bench = Bench::new(EncoderConfig::default());
    for len in 1..60 {
        bench.send(TxPacket::new(vec![0xA5; len]));
    }
    bench.run_until_quiet(100_000);
    assert_eq!(bench.tx_frames.len(), 59);
    for (f, len) in bench.tx_frames.iter().zip(1..60) {
        assert!(f.is_good(), "{len}-byte packet");
        let mut expected = vec![0xA5; len];
        expected.resize(60, 0);
        assert_eq!(f.bytes, expected);
    }
    assert_eq!(bench.stats().tx_bytes_good, 59 * 64);
}

#[test]
fn tx_without_padding_sends_short_packets_short() {
    use verinic_sim::mac::MacConfig;
    let cfg = MacConfig { tx_pad: false, ..Default::default() };
    let mut bench = Bench::with(&Default::default(), cfg, EncoderConfig::default());
    for len in [1usize, 7, 8, 9, 33, 59] {
        bench.send(TxPacket::new(vec![0x3C; len]));
    }
    bench.run_until_quiet(10_000);
    let lens: Vec<usize> = bench.tx_frames.iter().map(|f| f.bytes.len()).collect();
    assert_eq!(lens, [1, 7, 8, 9, 33, 59]);
    assert!(bench.tx_frames.iter().all(|f| f.fcs_ok && f.error.is_none()));
}
