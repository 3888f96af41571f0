//! The driver against the NIC RTL: frames arrive byte-exact and in order;
//! transmitted frames leave on the wire exact, with a valid FCS.

mod nic_common;

use bytes::Bytes;
use nic_common::*;
use verinic_sim::xgmii::TxFrame;

#[test]
fn rx_frames_arrive_byte_exact_and_in_order() {
    let mut m = default_machine();
    let lens: Vec<usize> = (0..200).map(|i| [60, 61, 64, 100, 333, 1000, 1514][i % 7]).collect();
    for (seq, len) in lens.iter().enumerate() {
        m.world.wire_in(TxFrame::new(frame(*len, seq as u32)));
    }
    run_until_delivered(&mut m, lens.len() as u64, 5_000);
    assert_eq!(m.delivered_frames.len(), lens.len());
    for (seq, (got, len)) in m.delivered_frames.iter().zip(&lens).enumerate() {
        assert_eq!(got.as_ref(), frame(*len, seq as u32).as_slice(), "frame {seq}");
    }
}

#[test]
fn tx_frames_leave_exact_with_valid_fcs() {
    let mut m = default_machine();
    let lens = [60usize, 61, 64, 100, 333, 1000, 1514, 17];
    for (seq, len) in lens.iter().enumerate() {
        m.send_frame(Bytes::from(frame((*len).max(18), seq as u32))).unwrap();
    }
    let t = m.now_ns() + 200_000;
    m.run_until(t);
    let sent = &m.world.tx_frames;
    assert_eq!(sent.len(), lens.len());
    for (seq, (f, len)) in sent.iter().zip(lens).enumerate() {
        assert!(f.fcs_ok && f.error.is_none(), "frame {seq}: {f:?}");
        let mut want = frame(len.max(18), seq as u32);
        want.resize(want.len().max(60), 0);
        assert_eq!(f.bytes, want, "frame {seq}");
    }
}
