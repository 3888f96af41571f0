//! TX: descriptors, spanning, xmit_more, stop and wake, cleaning.

use super::{frame, rig, service, small};
use crate::desc::{tx_cmd, tx_status};
use crate::regs;
use crate::{Coalesce, DriverConfig, RxPacket, TxError};

fn jumbo(n: usize) -> DriverConfig {
    DriverConfig { tx_max_frame_len: 9018, tx_stop_threshold: 5, tx_wake_threshold: 10, ..small(n) }
}

#[test]
fn one_frame_one_descriptor_with_eop_ifcs_rs_ide() {
    let (mut nic, mut drv) = rig(small(64));
    nic.clear_log();
    drv.xmit(&mut nic, frame(1, 100), false).unwrap();
    assert_eq!(nic.writes_to(regs::TDT), vec![1]);
    let sent = nic.take_sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].data, frame(1, 100));
    assert_eq!(sent[0].descs.len(), 1);
    let d = sent[0].descs[0];
    assert_eq!(d.cmd, tx_cmd::EOP | tx_cmd::IFCS | tx_cmd::RS | tx_cmd::IDE, "tx_usecs 8 by default: IDE");
    assert_eq!(d.length, 100);
    assert_eq!(nic.tx_desc(0).status & tx_status::DD, tx_status::DD, "written back");
    assert_eq!(drv.counters().tx_packets, 0, "counted at clean");

    let got = service(&mut nic, &mut drv);
    assert!(got.is_empty());
    let c = drv.counters();
    assert_eq!((c.tx_packets, c.tx_bytes, c.irq_txdw), (1, 100, 1));
    assert_eq!(drv.ring_state().tx_free, 63);
}

#[test]
fn no_ide_without_tx_usecs() {
    let cfg = DriverConfig { coalesce: Coalesce { tx_usecs: 0, tx_frames: 1, ..Coalesce::default() }, ..small(8) };
    let (mut nic, mut drv) = rig(cfg);
    drv.xmit(&mut nic, frame(1, 60), false).unwrap();
    assert_eq!(nic.sent()[0].descs[0].cmd, tx_cmd::EOP | tx_cmd::IFCS | tx_cmd::RS);
    // And set_coalesce turns it on for the next frame.
    drv.set_coalesce(&mut nic, Coalesce::default()).unwrap();
    drv.xmit(&mut nic, frame(2, 60), false).unwrap();
    assert_ne!(nic.sent()[1].descs[0].cmd & tx_cmd::IDE, 0);
}

#[test]
fn long_frames_span_descriptors_with_rs_and_eop_on_the_last() {
    let (mut nic, mut drv) = rig(jumbo(16));
    for (s, len) in [(1u32, 2048usize), (2, 2049), (3, 5000), (4, 9018), (5, 60)] {
        drv.xmit(&mut nic, frame(s, len), false).unwrap();
        let sent = nic.take_sent();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].data, frame(s, len));
        let descs = &sent[0].descs;
        assert_eq!(descs.len(), len.div_ceil(2048), "len {len}");
        let lens: Vec<u16> = descs.iter().map(|d| d.length).collect();
        assert_eq!(lens.iter().map(|&l| usize::from(l)).sum::<usize>(), len);
        for (k, d) in descs.iter().enumerate() {
            let last = k + 1 == descs.len();
            assert_eq!(d.cmd & tx_cmd::EOP != 0, last);
            assert_eq!(d.cmd & tx_cmd::RS != 0, last);
            assert_ne!(d.cmd & tx_cmd::IFCS, 0);
        }
        service(&mut nic, &mut drv);
    }
    // 1 + 2 + 3 + 5 + 1 = 12 descriptors: the ring of 16 wrapped.
    assert_eq!(drv.ring_state().tx_next_to_use, 12);
    assert_eq!(drv.ring_state().tx_free, 15);
    assert_eq!(drv.counters().tx_packets, 5);
}

#[test]
fn xmit_more_defers_the_tail_until_flush() {
    let (mut nic, mut drv) = rig(small(64));
    nic.clear_log();
    for s in 0..3 {
        drv.xmit(&mut nic, frame(s, 64), true).unwrap();
    }
    assert!(nic.writes_to(regs::TDT).is_empty());
    assert!(nic.sent().is_empty());
    drv.flush_tx(&mut nic);
    assert_eq!(nic.writes_to(regs::TDT), vec![3]);
    assert_eq!(nic.sent().len(), 3);
    drv.flush_tx(&mut nic);
    assert_eq!(nic.writes_to(regs::TDT).len(), 1, "nothing pending: no write");
    // more = false on the last of a batch writes the tail for all of them.
    drv.xmit(&mut nic, frame(3, 64), true).unwrap();
    drv.xmit(&mut nic, frame(4, 64), false).unwrap();
    assert_eq!(nic.writes_to(regs::TDT), vec![3, 5]);
    assert_eq!(drv.counters().tx_tail_writes, 2);
}

#[test]
fn queue_stops_when_full_and_wakes_after_cleaning() {
    let (mut nic, mut drv) = rig(small(8));
    nic.auto_tx = false;
    for s in 0..7 {
        assert!(!drv.tx_queue_stopped());
        drv.xmit(&mut nic, frame(s, 64), false).unwrap();
    }
    assert!(drv.tx_queue_stopped(), "7 of 8 used: one slot stays empty");
    assert_eq!(drv.counters().tx_queue_stopped, 1);
    assert_eq!(drv.xmit(&mut nic, frame(7, 64), false), Err(TxError::QueueStopped));
    assert_eq!(drv.counters().tx_busy, 1);
    assert_eq!(nic.peek(regs::TDT), 7);

    // One frame completes: 1 free, under the wake threshold of 2.
    nic.process_tx(1);
    service(&mut nic, &mut drv);
    assert_eq!(drv.counters().tx_packets, 1);
    assert!(drv.tx_queue_stopped());
    // Two more: woken.
    nic.process_tx(2);
    service(&mut nic, &mut drv);
    assert!(!drv.tx_queue_stopped());
    assert_eq!(drv.counters().tx_restart_queue, 1);
    drv.xmit(&mut nic, frame(7, 64), false).unwrap();
    nic.process_tx(usize::MAX);
    service(&mut nic, &mut drv);
    let sent: Vec<_> = nic.take_sent().into_iter().map(|f| f.data).collect();
    assert_eq!(sent, (0..8).map(|s| frame(s, 64)).collect::<Vec<_>>());
    assert_eq!(drv.ring_state().tx_free, 7);
}

#[test]
fn stopping_writes_the_tail_even_with_more() {
    let (mut nic, mut drv) = rig(small(8));
    nic.auto_tx = false;
    for s in 0..7 {
        drv.xmit(&mut nic, frame(s, 64), true).unwrap();
    }
    assert!(drv.tx_queue_stopped());
    assert_eq!(nic.writes_to(regs::TDT), vec![0, 7], "probe's 0, then one write when the queue stopped");
}

#[test]
fn jumbo_thresholds_keep_room_for_a_max_frame() {
    let (mut nic, mut drv) = rig(jumbo(16));
    nic.auto_tx = false;
    // 9018 bytes = 5 descriptors; 15 free: after two, 5 free (not < 5), after three, 0.
    drv.xmit(&mut nic, frame(0, 9018), false).unwrap();
    drv.xmit(&mut nic, frame(1, 9018), false).unwrap();
    assert!(!drv.tx_queue_stopped());
    drv.xmit(&mut nic, frame(2, 9018), false).unwrap();
    assert!(drv.tx_queue_stopped());
    nic.process_tx(1);
    service(&mut nic, &mut drv);
    assert!(drv.tx_queue_stopped(), "5 free, under the wake threshold of 10");
    nic.process_tx(1);
    service(&mut nic, &mut drv);
    assert!(!drv.tx_queue_stopped(), "10 free: woken");
    assert_eq!(drv.ring_state().tx_free, 10);
}

#[test]
fn refused_frames() {
    let (mut nic, mut drv) = rig(small(8));
    nic.clear_log();
    assert_eq!(drv.xmit(&mut nic, bytes::Bytes::new(), false), Err(TxError::Empty));
    assert_eq!(drv.xmit(&mut nic, frame(0, 1519), false), Err(TxError::FrameTooLong { len: 1519, max: 1518 }));
    drv.xmit(&mut nic, frame(0, 1518), false).unwrap();
    assert_eq!(drv.counters().tx_dropped, 2);
    assert_eq!(nic.writes_to(regs::TDT).len(), 1);
    assert!(TxError::FrameTooLong { len: 1519, max: 1518 }.to_string().contains("1519"));
}

#[test]
fn nothing_is_cleaned_before_dd() {
    let (mut nic, mut drv) = rig(small(8));
    nic.auto_tx = false;
    drv.xmit(&mut nic, frame(0, 64), false).unwrap();
    drv.napi_poll(&mut nic, 64, &mut |_: RxPacket| {});
    assert_eq!(drv.counters().tx_packets, 0);
    assert_eq!(drv.ring_state().tx_free, 6);
}

#[test]
fn tx_ring_wraps_at_every_size() {
    for n in [8usize, 64, 256, 4096] {
        let (mut nic, mut drv) = rig(small(n));
        let total = 3 * n as u32 + 5;
        let mut s = 0;
        while s < total {
            // Fill up to the stop, then let completions clean.
            while s < total && !drv.tx_queue_stopped() {
                drv.xmit(&mut nic, frame(s, 60 + (s as usize * 13) % 1458), true).unwrap();
                s += 1;
            }
            drv.flush_tx(&mut nic);
            service(&mut nic, &mut drv);
        }
        let sent = nic.take_sent();
        assert_eq!(sent.len(), total as usize, "ring {n}");
        for (k, f) in sent.iter().enumerate() {
            assert_eq!(f.data, frame(k as u32, 60 + (k * 13) % 1458));
        }
        assert_eq!(drv.counters().tx_packets, u64::from(total));
        assert_eq!(drv.ring_state().tx_free, n - 1);
        assert_eq!(drv.ring_state().tx_next_to_use, total as usize % n);
    }
}
