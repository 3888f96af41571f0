//! End-to-end tests: encoder output checked by the (independent) decoder.

use proptest::prelude::*;

use super::*;

/// Deterministic filler bytes, different for each length.
fn pattern(len: usize) -> Vec<u8> {
    let mut x = (len as u32).wrapping_mul(0x9E37_79B9) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

/// Everything a run produced.
struct Run {
    sent: Vec<SentFrame>,
    rx: Vec<RxFrame>,
    stats: DecoderStats,
    /// Start characters seen on the wire, counted independently of both.
    starts: u64,
    words: u64,
}

/// Sends `frames` through an encoder with `cfg` into a decoder.
/// `delays[i]` is how many cycles to wait before enqueueing frame `i`
/// (relative to the previous enqueue); missing delays are zero.
fn run(cfg: EncoderConfig, frames: Vec<TxFrame>, delays: &[u64]) -> Run {
    let mut enc = XgmiiEncoder::new(cfg).expect("valid config");
    let mut dec = XgmiiDecoder::new();
    let mut starts = 0;
    let mut frames = frames.into_iter().enumerate().peekable();
    let mut due = delays.first().copied().unwrap_or(0);
    let mut cycle = 0u64;
    let mut drive = |enc: &mut XgmiiEncoder, dec: &mut XgmiiDecoder| {
        let w = enc.next_word();
        starts += (0..LANES).filter(|&l| w.is_ctrl_char(l, START)).count() as u64;
        dec.push(w);
    };
    loop {
        while let Some((i, _)) = frames.peek() {
            if cycle < due {
                break;
            }
            let i = *i;
            let (_, frame) = frames.next().expect("peeked");
            enc.enqueue(frame).expect("valid fault");
            due += delays.get(i + 1).copied().unwrap_or(0);
        }
        if frames.peek().is_none() && enc.is_idle() {
            break;
        }
        drive(&mut enc, &mut dec);
        cycle += 1;
        assert!(cycle < 50_000_000, "encoder never went idle");
    }
    // A frame cut to Idle in lane 7 needs the next word to end.
    drive(&mut enc, &mut dec);
    assert!(!dec.in_frame());
    Run { sent: enc.take_sent(), stats: *dec.stats(), rx: dec.drain().collect(), starts, words: enc.cycle() }
}

fn cfg(start_lanes: StartLanes, dic: bool, load: f64) -> EncoderConfig {
    EncoderConfig { ipg: 12, start_lanes, dic, load }
}

fn back_to_back(config: EncoderConfig, lens: impl IntoIterator<Item = usize>) -> Run {
    run(config, lens.into_iter().map(|l| TxFrame::new(pattern(l))).collect(), &[])
}

/// Absolute byte position of each frame's Start.
fn start_positions(sent: &[SentFrame]) -> Vec<u64> {
    sent.iter().map(|s| s.start_cycle * 8 + u64::from(s.start_lane)).collect()
}

const ALL_CONFIGS: [(StartLanes, bool); 4] = [
    (StartLanes::Lane0Only, false),
    (StartLanes::Lane0Only, true),
    (StartLanes::Lane0And4, false),
    (StartLanes::Lane0And4, true),
];

#[test]
fn doc_example() {
    let mut enc = XgmiiEncoder::default();
    let mut dec = XgmiiDecoder::new();
    enc.enqueue(TxFrame::new(vec![0xAB; 60])).unwrap();
    while !enc.is_idle() {
        dec.push(enc.next_word());
    }
    dec.push(enc.next_word());
    let frame = dec.pop().unwrap();
    assert!(frame.is_good());
    assert_eq!(frame.start_cycle, enc.take_sent()[0].start_cycle);
}

#[test]
fn round_trip_every_length() {
    for (lanes, dic) in ALL_CONFIGS {
        let r = back_to_back(cfg(lanes, dic, 1.0), 1..=1600);
        assert_eq!(r.rx.len(), 1600);
        assert_eq!(r.starts, 1600);
        assert_eq!(r.stats.good, 1600);
        for ((rx, sent), len) in r.rx.iter().zip(&r.sent).zip(1..) {
            assert!(rx.is_good(), "{lanes:?} dic={dic} len={len}: {rx:?}");
            assert_eq!(rx.bytes, pattern(len), "{lanes:?} dic={dic} len={len}");
            assert_eq!((rx.start_cycle, rx.start_lane), (sent.start_cycle, sent.start_lane));
            assert!(lanes.allows(usize::from(rx.start_lane)));
            assert_eq!(rx.ifg_before, sent.ifg_before);
        }
    }
}

#[test]
fn dic_gaps_average_exactly_twelve() {
    for len in 60..=1514 {
        let r = back_to_back(cfg(StartLanes::Lane0And4, true, 1.0), std::iter::repeat_n(len, 20));
        let gaps: Vec<usize> = r.rx.iter().filter_map(|f| f.ifg_before).collect();
        assert_eq!(gaps.len(), 19);
        assert!(gaps.iter().all(|g| (9..=15).contains(g)), "len {len}: {gaps:?}");
        // The deficit never exceeds 3, so every prefix is within 3 of 12/gap...
        let mut sum = 0;
        for (n, g) in gaps.iter().enumerate() {
            sum += g;
            let nominal = 12 * (n + 1);
            assert!(sum <= nominal && sum + 3 >= nominal, "len {len}: {gaps:?}");
        }
        // ...and the pattern repeats with a period dividing 12 once the
        // deficit has settled (at most 4 frames), so any 12 gaps after that
        // average exactly 12.
        assert_eq!(gaps[4..16].iter().sum::<usize>(), 144, "len {len}: {gaps:?}");
        assert!(r.stats.ifg_min >= Some(9) && r.stats.ifg_max <= Some(15));
    }
}

#[test]
fn without_dic_every_gap_is_at_least_twelve() {
    for len in 60..=1514 {
        for lanes in [StartLanes::Lane0Only, StartLanes::Lane0And4] {
            let r = back_to_back(cfg(lanes, false, 1.0), std::iter::repeat_n(len, 6));
            let max = 12 + lanes.alignment() as usize - 1;
            assert!(r.stats.ifg_min >= Some(12), "{lanes:?} len {len}");
            assert!(r.stats.ifg_max <= Some(max), "{lanes:?} len {len}");
            assert_eq!(r.stats.ifg_count, 5);
        }
    }
}

#[test]
fn full_load_64_byte_frames_take_10_5_words() {
    for dic in [true, false] {
        let r = back_to_back(cfg(StartLanes::Lane0And4, dic, 1.0), std::iter::repeat_n(60, 1000));
        let pos = start_positions(&r.sent);
        for (k, p) in pos.iter().enumerate() {
            assert_eq!(*p, 84 * k as u64, "dic={dic} frame {k}");
        }
        // The last frame starts at byte 83916 (word 10489, lane 4) and its
        // Terminate is in word 10498; one more word flushes the decoder.
        assert_eq!((r.sent[999].start_cycle, r.sent[999].start_lane), (10_489, 4));
        assert_eq!(r.words, 10_500);
    }
}

#[test]
fn half_load_halves_the_frame_rate() {
    const N: usize = 400;
    for len in [0, 1, 2, 3, 46, 60, 61, 62, 63, 100, 1000, 1514] {
        let line = (len + FCS_LEN + FRAME_OVERHEAD) as i64;
        for (lanes, dic) in ALL_CONFIGS {
            // Byte times from the first Start to the last.
            let span = |load: f64| {
                let r = back_to_back(cfg(lanes, dic, load), std::iter::repeat_n(len, N));
                let pos = start_positions(&r.sent);
                (pos[N - 1] - pos[0]) as i64
            };
            let frames = (N - 1) as i64;
            // Exact in the long run: off by at most the bounded pacing balance.
            let half = span(0.5);
            assert!((half - 2 * line * frames).abs() <= 16, "{lanes:?} dic={dic} len {len}: {half}");
            if lanes == StartLanes::Lane0And4 && dic {
                // With DIC, full load is line rate up to the deficit (<= 3
                // bytes), so half load is exactly half the frame rate.
                let full = span(1.0);
                assert!((full - line * frames).abs() <= 3, "len {len}: {full}");
            }
        }
    }
}

#[test]
fn fractional_load_is_exact_on_average() {
    for (lanes, dic) in ALL_CONFIGS {
        for load in [0.3, 0.77, 0.999] {
            let r = back_to_back(cfg(lanes, dic, load), std::iter::repeat_n(61, 600));
            let pos = start_positions(&r.sent);
            let ideal = 599.0 * 85.0 / load;
            let actual = (pos[599] - pos[0]) as f64;
            if load < 0.9 || (lanes == StartLanes::Lane0And4 && dic) {
                assert!((actual - ideal).abs() <= 16.0, "{lanes:?} {dic} {load}: {actual} vs {ideal}");
            } else {
                // Too close to 1 to absorb lane rounding: as fast as possible.
                let full = back_to_back(cfg(lanes, dic, 1.0), std::iter::repeat_n(61, 600));
                let full_pos = start_positions(&full.sent);
                assert!(actual >= ideal - 16.0);
                assert!(actual <= (full_pos[599] - full_pos[0]) as f64 + 16.0);
            }
            assert!(r.rx.iter().all(RxFrame::is_good));
        }
    }
}

#[test]
fn late_frame_starts_on_next_word() {
    let r = run(EncoderConfig::default(), vec![TxFrame::new(pattern(60)), TxFrame::new(pattern(60))], &[5, 100]);
    assert_eq!((r.sent[0].start_cycle, r.sent[0].start_lane), (5, 0));
    assert_eq!((r.sent[1].start_cycle, r.sent[1].start_lane), (105, 0));
    assert!(r.rx.iter().all(RxFrame::is_good));
}

/// What a receiver must report for a frame sent with `sent.fault`.
fn expected_error(sent: &SentFrame) -> Option<FrameError> {
    match sent.fault {
        Fault::None | Fault::BadFcs => None,
        Fault::ErrorChar { .. } => Some(FrameError::ErrorChar),
        Fault::BadPreamble => Some(FrameError::BadPreamble),
        Fault::TruncateToIdle { .. } => Some(FrameError::MissingTerminate { code: IDLE }),
        Fault::TruncateToStart { .. } => match sent.end {
            FrameEnd::Start => Some(FrameError::StartInFrame),
            _ => Some(FrameError::MissingTerminate { code: IDLE }),
        },
    }
}

/// Checks one received frame against what was sent.
fn check_frame(tx: &TxFrame, sent: &SentFrame, rx: &RxFrame) -> Result<(), TestCaseError> {
    prop_assert_eq!(rx.error, expected_error(sent), "{:?} {:?}", sent, rx);
    prop_assert_eq!((rx.start_cycle, rx.start_lane), (sent.start_cycle, sent.start_lane));
    prop_assert_eq!(rx.ifg_before, sent.ifg_before);
    match tx.fault {
        Fault::None | Fault::BadPreamble => {
            prop_assert!(rx.fcs_ok);
            prop_assert_eq!(&rx.bytes, &tx.bytes);
        }
        Fault::BadFcs => {
            prop_assert!(!rx.fcs_ok);
            prop_assert_eq!(&rx.bytes, &tx.bytes);
        }
        Fault::ErrorChar { offset } => {
            // No FCS claim: the replaced byte may have been 0xFE already.
            prop_assert_eq!(rx.bytes.len(), tx.bytes.len());
            if offset < tx.bytes.len() {
                prop_assert_eq!(rx.bytes[offset], ERROR);
            }
        }
        Fault::TruncateToIdle { len } | Fault::TruncateToStart { len } => {
            // What arrived is `len` bytes of frame + FCS, or for a cut into
            // the next Start up to 7 more (the frame's own, then zeros).
            let mut wire = tx.bytes.clone();
            wire.extend_from_slice(&fcs_bytes(&tx.bytes));
            wire.extend_from_slice(&[0; LANES]);
            let body = |received: usize| {
                let keep = if received >= FCS_LEN { received - FCS_LEN } else { received };
                &wire[..keep]
            };
            let slack = if sent.end == FrameEnd::Start { LANES } else { 1 };
            prop_assert!(
                (len..len + slack).any(|received| body(received) == &rx.bytes[..]),
                "len {} got {:?}",
                len,
                rx.bytes
            );
        }
    }
    Ok(())
}

#[test]
fn each_fault_is_classified() {
    let faults = [
        Fault::BadFcs,
        Fault::ErrorChar { offset: 0 },
        Fault::ErrorChar { offset: 30 },
        Fault::ErrorChar { offset: 63 },
        Fault::TruncateToIdle { len: 0 },
        Fault::TruncateToIdle { len: 17 },
        Fault::TruncateToIdle { len: 64 },
        Fault::TruncateToStart { len: 0 },
        Fault::TruncateToStart { len: 21 },
        Fault::TruncateToStart { len: 64 },
        Fault::BadPreamble,
    ];
    for (lanes, dic) in ALL_CONFIGS {
        for fault in faults {
            // Faulted frame between two good ones, then one alone at the end
            // (a TruncateToStart with nothing behind it ends in Idle).
            let frames = vec![
                TxFrame::new(pattern(60)),
                TxFrame::with_fault(pattern(60), fault),
                TxFrame::new(pattern(61)),
                TxFrame::with_fault(pattern(60), fault),
            ];
            let r = run(cfg(lanes, dic, 1.0), frames.clone(), &[]);
            assert_eq!(r.rx.len(), 4, "{fault:?}");
            for (i, ((tx, sent), rx)) in frames.iter().zip(&r.sent).zip(&r.rx).enumerate() {
                check_frame(tx, sent, rx).unwrap_or_else(|e| panic!("{lanes:?} dic={dic} {fault:?} frame {i}: {e}"));
            }
            if let Fault::TruncateToStart { .. } = fault {
                assert_eq!(r.rx[1].error, Some(FrameError::StartInFrame));
                assert_eq!(r.rx[3].error, Some(FrameError::MissingTerminate { code: IDLE }));
            }
            assert!(r.rx[0].is_good() && r.rx[2].is_good());
            assert_eq!(r.stats.good + r.stats.bad_fcs + r.stats.errored(), 4);
        }
    }
}

fn arb_config() -> impl Strategy<Value = EncoderConfig> {
    (
        12usize..=20,
        prop_oneof![Just(StartLanes::Lane0Only), Just(StartLanes::Lane0And4)],
        any::<bool>(),
        prop_oneof![Just(1.0), 0.05f64..1.0],
    )
        .prop_map(|(ipg, start_lanes, dic, load)| EncoderConfig { ipg, start_lanes, dic, load })
}

/// A frame with a random fault (about half are clean) and an enqueue delay.
fn arb_frame() -> impl Strategy<Value = (TxFrame, u64)> {
    (prop::collection::vec(any::<u8>(), 0..200), 0u8..12, any::<usize>(), prop_oneof![Just(0u64), 0u64..60]).prop_map(
        |(bytes, kind, param, delay)| {
            let with_fcs = bytes.len() + FCS_LEN;
            let fault = match kind {
                6 => Fault::BadFcs,
                7 => Fault::ErrorChar { offset: param % with_fcs },
                8 => Fault::TruncateToIdle { len: param % (with_fcs + 1) },
                9 | 10 => Fault::TruncateToStart { len: param % (with_fcs + 1) },
                11 => Fault::BadPreamble,
                _ => Fault::None,
            };
            (TxFrame::with_fault(bytes, fault), delay)
        },
    )
}

proptest! {
    #[test]
    fn random_sequences_decode_one_record_per_start(
        config in arb_config(),
        frames in prop::collection::vec(arb_frame(), 1..40),
    ) {
        let (frames, delays): (Vec<TxFrame>, Vec<u64>) = frames.into_iter().unzip();
        let r = run(config, frames.clone(), &delays);
        prop_assert_eq!(r.starts, frames.len() as u64);
        prop_assert_eq!(r.stats.frames, r.starts);
        prop_assert_eq!(r.rx.len(), frames.len());
        prop_assert_eq!(r.sent.len(), frames.len());
        prop_assert_eq!(r.stats.stray_data + r.stats.stray_ctrl, 0);
        let min_gap = if config.dic { config.ipg - 3 } else { config.ipg };
        for ((tx, sent), rx) in frames.iter().zip(&r.sent).zip(&r.rx) {
            check_frame(tx, sent, rx)?;
            prop_assert!(config.start_lanes.allows(usize::from(rx.start_lane)));
            if let Some(gap) = rx.ifg_before {
                prop_assert!(gap >= min_gap, "gap {} < {}", gap, min_gap);
            }
        }
    }

    #[test]
    fn same_input_same_words(
        config in arb_config(),
        frames in prop::collection::vec(arb_frame(), 1..10),
    ) {
        let words = |frames: &[(TxFrame, u64)]| {
            let mut enc = XgmiiEncoder::new(config).unwrap();
            for (f, _) in frames {
                enc.enqueue(f.clone()).unwrap();
            }
            (0..3000).map(|_| enc.next_word()).collect::<Vec<_>>()
        };
        prop_assert_eq!(words(&frames), words(&frames));
    }

    #[test]
    fn decoder_survives_garbage(
        words in prop::collection::vec(
            (any::<[u8; 8]>(), any::<u8>(), prop::sample::select(vec![IDLE, START, TERMINATE, ERROR, 0x9C])),
            0..200,
        ),
    ) {
        let mut dec = XgmiiDecoder::new();
        let mut starts = 0u64;
        for (mut lanes, ctrl, code) in words {
            // Make control lanes mostly real control characters.
            for (l, b) in lanes.iter_mut().enumerate() {
                if ctrl & (1 << l) != 0 && *b & 1 == 0 {
                    *b = code;
                }
            }
            let w = XgmiiWord::from_lanes(lanes, ctrl);
            starts += (0..LANES).filter(|&l| w.is_ctrl_char(l, START)).count() as u64;
            dec.push(w);
        }
        let s = *dec.stats();
        prop_assert_eq!(s.frames + u64::from(dec.in_frame()), starts);
        prop_assert_eq!(s.good + s.bad_fcs + s.errored(), s.frames);
        prop_assert_eq!(dec.drain().count() as u64, s.frames);
    }
}
