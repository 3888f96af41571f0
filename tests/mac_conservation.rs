//! Seeded property test: random frame sequences, faults, gaps and loads on the
//! wire. Conservation: frames put on the wire = good frames the MAC delivered
//! + frames it counted bad. Good frames arrive intact and in order.

mod common;

use common::frame;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use verinic_sim::axis::TxPacket;
use verinic_sim::xgmii::{EncoderConfig, Fault, StartLanes, TxFrame};

fn fault_strategy(len: usize) -> impl Strategy<Value = Fault> {
    let with_fcs = len + 4;
    prop_oneof![
        6 => Just(Fault::None),
        1 => Just(Fault::BadFcs),
        1 => (0..with_fcs).prop_map(|offset| Fault::ErrorChar { offset }),
        1 => (1..with_fcs).prop_map(|len| Fault::TruncateToIdle { len }),
        1 => (1..with_fcs).prop_map(|len| Fault::TruncateToStart { len }),
        1 => Just(Fault::BadPreamble),
    ]
}

fn frame_strategy() -> impl Strategy<Value = (usize, Fault)> {
    prop_oneof![
        6 => 60usize..=1514,
        1 => 1usize..60,
        1 => 1515usize..1700,
    ]
    .prop_flat_map(|len| (Just(len), fault_strategy(len)))
}

fn encoder_strategy() -> impl Strategy<Value = EncoderConfig> {
    (12usize..40, any::<bool>(), any::<bool>(), prop_oneof![Just(1.0), 0.2f64..1.0]).prop_map(
        |(ipg, lane4, dic, load)| EncoderConfig {
            ipg,
            start_lanes: if lane4 { StartLanes::Lane0And4 } else { StartLanes::Lane0Only },
            dic,
            load,
        },
    )
}

#[test]
fn frames_in_equal_good_out_plus_counted_bad() {
    // Fixed seed: the same cases on every run and every machine.
    let config = Config { cases: 256, failure_persistence: None, ..Config::default() };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let strategy = (encoder_strategy(), prop::collection::vec(frame_strategy(), 1..24));
    runner
        .run(&strategy, |(enc_cfg, frames)| {
            let mut bench = common::Bench::new(enc_cfg);
            for (seq, (len, fault)) in frames.iter().enumerate() {
                bench.wire_in(TxFrame::with_fault(frame(*len, seq as u32), *fault));
            }
            bench.run_until_quiet(2_000_000);
            let stats = bench.stats();
            prop_assert_eq!(stats.rx_frames_seen(), frames.len() as u64, "{:?}", stats);

            // The frames that should be good, in order, are exactly the packets
            // delivered unflagged.
            let expected: Vec<Vec<u8>> = frames
                .iter()
                .enumerate()
                .filter(|(_, (len, fault))| *fault == Fault::None && (60..=1514).contains(len))
                .map(|(seq, (len, _))| frame(*len, seq as u32))
                .collect();
            let delivered: Vec<Vec<u8>> = bench.rx_packets.iter().filter(|p| !p.bad).map(|p| p.data.to_vec()).collect();
            prop_assert_eq!(delivered.len(), expected.len());
            prop_assert!(delivered == expected, "a good frame was lost, damaged or reordered");
            prop_assert_eq!(stats.rx_frames_good, expected.len() as u64);
            let flagged = bench.rx_packets.iter().filter(|p| p.bad).count() as u64;
            let preamble_drops = frames.iter().filter(|(_, f)| *f == Fault::BadPreamble).count() as u64;
            prop_assert_eq!(flagged + preamble_drops, stats.rx_errors());
            Ok(())
        })
        .unwrap();
}

#[test]
fn tx_packets_equal_good_frames_plus_counted_errors() {
    let config = Config { cases: 128, failure_persistence: None, ..Config::default() };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[11; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    // (length, abort, stall before beat)
    let packet = (1usize..1600, prop::bool::weighted(0.1), prop::option::weighted(0.1, 1usize..200));
    runner
        .run(&prop::collection::vec(packet, 1..24), |packets| {
            let mut bench = common::Bench::new(EncoderConfig::default());
            for (seq, (len, abort, stall)) in packets.iter().enumerate() {
                bench.send(TxPacket { data: frame(*len, seq as u32).into(), abort: *abort, stall_before_beat: *stall });
            }
            bench.run_until_quiet(2_000_000);
            let stats = bench.stats();
            // A one-cycle stall bites when it falls inside the packet, except
            // before beat 1: the MAC's input register still holds beat 0
            // while the preamble goes out, so that bubble is absorbed.
            let cut = |(len, abort, stall): &(usize, bool, Option<usize>)| {
                *abort || stall.is_some_and(|s| s > 1 && s < len.div_ceil(8))
            };
            let expected: Vec<Vec<u8>> = packets
                .iter()
                .enumerate()
                .filter(|(_, p)| !cut(p))
                .map(|(seq, (len, _, _))| {
                    let mut f = frame(*len, seq as u32);
                    f.resize((*len).max(60), 0);
                    f
                })
                .collect();
            prop_assert_eq!(stats.tx_frames_good + stats.tx_errors(), packets.len() as u64);
            prop_assert_eq!(stats.tx_errors(), packets.iter().filter(|p| cut(p)).count() as u64);
            let on_wire: Vec<Vec<u8>> =
                bench.tx_frames.iter().filter(|f| f.is_good()).map(|f| f.bytes.clone()).collect();
            prop_assert!(on_wire == expected, "good packets lost, damaged or reordered on the wire");
            prop_assert_eq!(bench.tx_frames.len(), packets.len(), "one frame on the wire per packet");
            Ok(())
        })
        .unwrap();
}
