//! DMA and bus errors (docs/nic.md, "DMA and bus errors"): host memory
//! answers one transfer of a chosen kind with SLVERR or DECERR. For each of
//! the six kinds (RX and TX descriptor fetch, RX and TX descriptor
//! write-back, TX packet read, RX packet write):
//!
//! - the NIC reports exactly that kind in VN_DMAERR and raises DMAERR;
//! - the driver resets the device once (`reset_count`, `dma_errors`);
//! - nothing wrong reaches the stack or the wire: every delivered frame and
//!   every transmitted frame is one that was sent, byte for byte, in order,
//!   none twice;
//! - every frame is accounted for: delivered, or lost in the reset
//!   (`rx_reset_lost`, `tx_reset_dropped`), or dropped and counted;
//! - no buffer leaks (buffer census) and the device never touches memory
//!   the driver did not map (no DECERR but the injected ones, no AXI
//!   protocol error);
//! - the device comes back: a later batch goes through whole.

mod nic_common;

use bytes::Bytes;
use nic_common::*;
use verinic::cosim::Machine;
use verinic_driver::desc::{rx_status, RxDesc, DESC_LEN};
use verinic_driver::regs::dmaerr;
use verinic_sim::bus::axi::resp;
use verinic_sim::bus::ErrorRule;
use verinic_sim::xgmii::TxFrame;

/// The transfer kinds, by AXI ID (rtl/verinic_nic.v's header).
#[derive(Debug, Clone, Copy)]
enum Kind {
    RxFetch,
    RxData,
    RxWb,
    TxFetch,
    TxData,
    TxWb,
}

impl Kind {
    /// (write?, AXI ID, VN_DMAERR bit)
    fn bus(self) -> (bool, u8, u32) {
        match self {
            Kind::RxFetch => (false, 0, dmaerr::RX_FETCH),
            Kind::TxFetch => (false, 1, dmaerr::TX_FETCH),
            Kind::TxData => (false, 2, dmaerr::TX_DATA),
            Kind::RxData => (true, 0, dmaerr::RX_DATA),
            Kind::RxWb => (true, 1, dmaerr::RX_WB),
            Kind::TxWb => (true, 2, dmaerr::TX_WB),
        }
    }

    fn rx(self) -> bool {
        matches!(self, Kind::RxFetch | Kind::RxData | Kind::RxWb)
    }
}

/// One error of `kind` over the whole address space, `resp`.
fn rule(kind: Kind, code: u8) -> ErrorRule {
    let (write, id, _) = kind.bus();
    ErrorRule { start: 0, end: u64::MAX, reads: !write, writes: write, ids: 1 << id, resp: code, hits: 1 }
}

/// Frame `seq` of the RX or TX batches (lengths vary, some span buffers).
fn batch_frame(seq: u32) -> Vec<u8> {
    frame([60, 64, 200, 1000, 1514, 333][seq as usize % 6], seq)
}

fn offer(m: &mut Machine, rx: bool, seqs: std::ops::Range<u32>) {
    for seq in seqs {
        if rx {
            m.world.wire_in(TxFrame::new(batch_frame(seq)));
        } else {
            // the queue never stops at these batch sizes
            m.send_frame(Bytes::from(batch_frame(seq))).expect("tx queue has room");
        }
    }
}

fn run_us(m: &mut Machine, us: u64) {
    let t = m.now_ns() + us * 1000;
    m.run_until(t);
}

/// Delivered (RX) or transmitted (TX) frames, as sequence numbers, each
/// checked byte for byte against what was sent.
fn outputs(m: &Machine, rx: bool) -> Vec<u32> {
    let frames: Vec<Vec<u8>> = if rx {
        m.delivered_frames.iter().map(|b| b.to_vec()).collect()
    } else {
        m.world
            .tx_frames
            .iter()
            .inspect(|f| assert!(f.fcs_ok && f.error.is_none(), "{f:?}"))
            .map(|f| f.bytes.clone())
            .collect()
    };
    frames
        .iter()
        .map(|bytes| {
            let seq = verinic::cosim::machine::frame_seq(bytes).expect("a test frame");
            let mut want = batch_frame(seq);
            want.resize(want.len().max(60), 0);
            assert_eq!(bytes, &want, "frame {seq} is not what was sent");
            seq
        })
        .collect()
}

/// Every RX descriptor with DD names a frame of batch 2 (40..80), byte for
/// byte, each once, in ring order (batch 1 was cleaned: its DD bits cleared).
fn check_rx_ring(m: &Machine, kind: Kind) {
    let ring = m.driver.ring_state();
    let mem = m.world.nic.memory().mem();
    let mut seen = Vec::new();
    let n = m.driver.config().rx_ring;
    for k in 0..n {
        let i = (ring.rx_next_to_clean + k) % n;
        let mut raw = [0u8; DESC_LEN];
        mem.peek(ring.rx_base + (i * DESC_LEN) as u64, &mut raw);
        let d = RxDesc::from_bytes(&raw);
        if d.status & rx_status::DD == 0 {
            continue;
        }
        let mut data = vec![0u8; usize::from(d.length)];
        mem.peek(d.addr, &mut data);
        let seq = verinic::cosim::machine::frame_seq(&data);
        let Some(seq) = seq.filter(|s| (40..80).contains(s)) else {
            panic!("{kind:?}: descriptor {i} has DD but its buffer holds {:?}", seq);
        };
        let mut want = batch_frame(seq);
        want.resize(want.len().max(60), 0);
        assert_eq!(data, want, "{kind:?}: descriptor {i}: frame {seq} reported done but not whole");
        seen.push(seq);
    }
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{kind:?}: {seen:?}");
}

fn check_kind(kind: Kind, code: u8) {
    let rx = kind.rx();
    let (_, _, bit) = kind.bus();
    let mut m = default_machine();
    // Batch 1 goes through clean; the error hits batch 2; batch 3 must pass whole.
    offer(&mut m, rx, 0..40);
    run_us(&mut m, 200);
    let before = outputs(&m, rx);
    assert_eq!(before, (0..40).collect::<Vec<_>>(), "{kind:?}: the clean batch");
    m.world.nic.memory_mut().add_error_rule(rule(kind, code));
    offer(&mut m, rx, 40..80);
    if rx {
        // The NIC alone first, as if the CPU were busy elsewhere: whatever it
        // reports done (DD) must be a new frame, whole (the driver below
        // would reset before cleaning, which would hide a NIC that reports a
        // failed frame done).
        let until = m.world.now_ns() + 100_000;
        while m.world.now_ns() < until {
            m.world.step();
        }
        check_rx_ring(&m, kind);
    }
    run_us(&mut m, 300);
    let s = *m.driver.counters();
    assert_eq!(m.world.nic.memory().stats().injected, 1, "{kind:?}: the error was injected");
    assert_eq!((s.dma_errors, s.reset_count), (1, 1), "{kind:?}: one DMAERR, one reset");
    assert_eq!(m.driver.last_dma_error() & 0x3F, bit, "{kind:?}: VN_DMAERR {:#x}", m.driver.last_dma_error());
    // one response (a B, or every R beat of the failed burst)
    assert!(dmaerr::count(m.driver.last_dma_error()) >= 1, "{kind:?}");
    offer(&mut m, rx, 80..120);
    run_us(&mut m, 300);
    m.with_host(|d, h| d.update_hw_stats(h));
    let s = *m.driver.counters();

    // In order, none twice, each one sent; batch 3 whole.
    let got = outputs(&m, rx);
    assert!(got.windows(2).all(|w| w[0] < w[1]), "{kind:?}: out of order or twice: {got:?}");
    assert!(got.ends_with(&(80..120).collect::<Vec<_>>()), "{kind:?}: the device did not come back: {got:?}");
    let lost = 120 - got.len() as u64;
    if rx {
        let dropped = s.rx_missed_errors + s.rx_errors;
        assert_eq!(
            lost,
            s.rx_reset_lost + dropped,
            "{kind:?}: lost {lost} = reset {} + dropped {dropped}",
            s.rx_reset_lost
        );
        assert!(s.rx_reset_lost > 0, "{kind:?}: the halted frame was lost in the reset");
    } else {
        // Completed (DD) frames and frames dropped by the reset are all the
        // frames queued. The wire may differ from the completions either
        // way: a completed frame still in the TX FIFO at the reset never
        // leaves (TDH and DD move when data is fetched), and a frame whose
        // write-back failed did leave; every wire frame was queued, in order,
        // once (checked above).
        assert_eq!(s.tx_packets + s.tx_reset_dropped, 120, "{kind:?}: {s:?}");
        // the wire against the frames the resets lost, exactly
        let wire = m.world.tx_frames.len() as u64;
        assert_eq!(wire + s.tx_reset_lost, 120, "{kind:?}: on the wire {wire}, {s:?}");
        assert!(s.tx_reset_dropped > 0, "{kind:?}: the halted frame was reported done: {s:?}");
    }
    let census = m.driver.buffer_census();
    assert!(census.conserved(), "{kind:?}: {census:?}");
    let mem = m.world.nic.memory().stats();
    let injected_decerr = u64::from(code == resp::DECERR);
    assert_eq!(mem.decerr, injected_decerr, "{kind:?}: the device touched unmapped memory");
    assert_eq!(mem.protocol_errors, 0, "{kind:?}");
}

#[test]
fn rx_descriptor_fetch_error() {
    check_kind(Kind::RxFetch, resp::SLVERR);
}

#[test]
fn rx_packet_write_error() {
    check_kind(Kind::RxData, resp::DECERR);
}

#[test]
fn rx_descriptor_write_back_error() {
    check_kind(Kind::RxWb, resp::SLVERR);
}

#[test]
fn tx_descriptor_fetch_error() {
    check_kind(Kind::TxFetch, resp::DECERR);
}

#[test]
fn tx_packet_read_error() {
    check_kind(Kind::TxData, resp::SLVERR);
}

#[test]
fn tx_descriptor_write_back_error() {
    check_kind(Kind::TxWb, resp::DECERR);
}
