//! Reset under load: the driver resets the device (CTRL.RST, then the rings
//! start over: `Driver::reset_device`, e1000's reset task) 200 times at
//! seeded random moments in the middle of RX and TX traffic. After each
//! reset the buffer pools are whole; at the end:
//!
//! - the device came back: a last batch in both directions goes through whole;
//! - no frame twice, none out of order, every one byte-exact: each delivered
//!   frame and each frame on the wire is one that was sent;
//! - no frame lost without a reason: RX frames sent = delivered + lost in a
//!   reset (`rx_reset_lost`) + dropped and counted by the device (a frame
//!   arriving during a reset, or before the receiver is enabled again, is
//!   received whole and counted as discarded, `rx_discarded`);
//!   TX frames queued = completed + dropped by a reset (`tx_reset_dropped`).

mod nic_common;

use bytes::Bytes;
use nic_common::*;
use verinic::cosim::machine::frame_seq;
use verinic::cosim::Machine;
use verinic::rng::Rng;
use verinic_sim::xgmii::TxFrame;

const RESETS: usize = 200;

fn test_frame(seq: u32) -> Vec<u8> {
    frame([60, 64, 128, 600, 1514][seq as usize % 5], seq)
}

fn run_ns(m: &mut Machine, ns: u64) {
    let t = m.now_ns() + ns;
    m.run_until(t);
}

/// Sequence numbers of `frames`, each checked byte for byte, strictly rising.
fn seqs<'a>(frames: impl Iterator<Item = &'a [u8]>, what: &str) -> Vec<u32> {
    let got: Vec<u32> = frames
        .map(|bytes| {
            let seq = frame_seq(bytes).unwrap_or_else(|| panic!("{what}: not a test frame: {bytes:02x?}"));
            let mut want = test_frame(seq);
            want.resize(want.len().max(60), 0);
            assert_eq!(bytes, &want[..], "{what}: frame {seq} is not what was sent");
            seq
        })
        .collect();
    if let Some(w) = got.windows(2).find(|w| w[0] >= w[1]) {
        panic!("{what}: frame {} after {}: twice or out of order", w[1], w[0]);
    }
    got
}

#[test]
fn two_hundred_resets_under_rx_and_tx_load() {
    let mut m = default_machine();
    let mut rng = Rng::new(0x5EED_0013);
    let (mut rx_sent, mut tx_queued) = (0u32, 0u32);
    // RX and TX sequence numbers apart, so a looped-back frame would show.
    const TX_BASE: u32 = 1 << 24;
    for round in 0..RESETS {
        // A few frames each way, then a reset somewhere in the middle of them.
        for _ in 0..rng.range(1, 12) {
            m.world.wire_in(TxFrame::new(test_frame(rx_sent)));
            rx_sent += 1;
        }
        // TX bursts larger than the TX FIFO, so that a reset finds
        // descriptors not yet fetched
        for _ in 0..rng.range(1, 100) {
            if m.send_frame(Bytes::from(test_frame(TX_BASE + tx_queued))).is_ok() {
                tx_queued += 1;
            }
        }
        run_ns(&mut m, rng.range(0, 15_000) as u64);
        m.with_host(|d, h| d.reset_device(h)).unwrap_or_else(|e| panic!("reset {round}: {e}"));
        let census = m.driver.buffer_census();
        assert!(census.conserved(), "after reset {round}: {census:?}");
    }
    // The device came back: a last batch each way goes through whole. Sent
    // once the driver's last register writes have landed (a frame whose
    // first bytes arrive before RCTL.EN is discarded: `rx_discarded`).
    run_ns(&mut m, 2_000);
    let (rx_last, tx_last) = (rx_sent, tx_queued);
    for _ in 0..30 {
        m.world.wire_in(TxFrame::new(test_frame(rx_sent)));
        rx_sent += 1;
        m.send_frame(Bytes::from(test_frame(TX_BASE + tx_queued))).expect("room after a reset");
        tx_queued += 1;
    }
    run_ns(&mut m, 400_000);
    m.with_host(|d, h| d.update_hw_stats(h));
    let s = *m.driver.counters();
    assert_eq!(s.reset_count, RESETS as u64, "{s:?}");

    let rx = seqs(m.delivered_frames.iter().map(|b| b.as_ref()), "rx");
    assert!(
        rx.ends_with(&(rx_last..rx_sent).collect::<Vec<_>>()),
        "rx did not come back: {:?}",
        &rx[rx.len().saturating_sub(40)..]
    );
    for f in &m.world.tx_frames {
        assert!(
            f.fcs_ok && f.error.is_none(),
            "tx: a broken frame on the wire ({} bytes, seq {:?}): {:?}",
            f.bytes.len(),
            frame_seq(&f.bytes),
            f.error
        );
    }
    let tx = seqs(m.world.tx_frames.iter().map(|f| f.bytes.as_slice()), "tx");
    assert!(tx.ends_with(&(TX_BASE + tx_last..TX_BASE + tx_queued).collect::<Vec<_>>()), "tx did not come back");

    let counted = s.rx_reset_lost
        + s.rx_missed_errors
        + s.rx_discarded
        + s.rx_errors
        + s.rx_crc_errors
        + s.rxerrc
        + s.rx_length_errors;
    assert_eq!(
        rx.len() as u64 + counted,
        u64::from(rx_sent),
        "rx: sent {rx_sent} = delivered {} + counted {counted}: {s:?}",
        rx.len()
    );
    assert!(s.rx_reset_lost > 0, "no reset ever caught a frame: the test does not test");
    assert_eq!(s.tx_packets + s.tx_reset_dropped, u64::from(tx_queued), "tx: {s:?}");
    assert!(s.tx_reset_dropped > 0, "no reset ever caught a TX frame: the test does not test");
    assert!(tx.len() as u64 <= u64::from(tx_queued));
    // and every queued frame is on the wire or lost in a reset, exactly
    assert_eq!(tx.len() as u64 + s.tx_reset_lost, u64::from(tx_queued), "tx: {s:?}");
    let mem = m.world.nic.memory().stats();
    assert_eq!((mem.decerr, mem.slverr, mem.protocol_errors), (0, 0, 0), "{mem:?}");
    eprintln!(
        "{RESETS} resets: rx sent {rx_sent}, delivered {}, lost in resets {}, missed {}, discarded {}; tx queued {tx_queued}, on the wire {}, dropped by resets {}",
        rx.len(),
        s.rx_reset_lost,
        s.rx_missed_errors,
        s.rx_discarded,
        tx.len(),
        s.tx_reset_dropped
    );
}

/// A reset in the middle of a back-to-back burst of full-size frames: the
/// wire is never idle, so a frame is arriving while the device resets and
/// until the driver has enabled the receiver again. That frame is received
/// whole by the MAC and discarded, counted in `rx_discarded` (the MAC is not reset
/// by CTRL.RST and the statistics survive it, docs/nic.md): every frame is
/// delivered byte-exact or counted once, with no allowance.
#[test]
fn reset_during_a_line_rate_burst_counts_every_frame() {
    const N: u32 = 100; // 1514-byte frames back to back: about 123 us of wire time
    for offset_ns in [3_000u64, 7_777, 12_345, 40_001] {
        let mut m = default_machine();
        for seq in 0..N {
            m.world.wire_in(TxFrame::new(frame(1514, seq)));
        }
        run_ns(&mut m, offset_ns);
        m.with_host(|d, h| d.reset_device(h)).expect("the reset completes");
        run_ns(&mut m, 300_000);
        m.with_host(|d, h| d.update_hw_stats(h));
        let s = *m.driver.counters();
        let mut last = None;
        for bytes in &m.delivered_frames {
            let seq = frame_seq(bytes).expect("a test frame");
            assert_eq!(bytes.as_ref(), &frame(1514, seq)[..], "frame {seq} is not what was sent");
            assert!(last < Some(seq), "frame {seq} twice or out of order");
            last = Some(seq);
        }
        let delivered = m.delivered_frames.len() as u64;
        assert_eq!(
            delivered + s.rx_reset_lost + s.rx_missed_errors + s.rx_discarded + s.rx_errors,
            u64::from(N),
            "reset at {offset_ns} ns: delivered {delivered}, {s:?}"
        );
        assert!(s.rx_discarded >= 1, "reset at {offset_ns} ns: no frame arrived during the reset: {s:?}");
        assert_eq!(s.gprc + s.rx_discarded, u64::from(N), "the MAC received every frame whole: {s:?}");
    }
}
