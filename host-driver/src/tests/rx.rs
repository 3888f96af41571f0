//! RX: ring wrap, frames over several buffers, errors, descriptor fields.

use super::{frame, rig, rig_zero_cost, service, small};
use crate::desc::{rx_errors, rx_status, RxDesc, DESC_LEN};
use crate::mock::{MockNic, RxFrame};
use crate::{Driver, DriverConfig, Platform, RxPacket};

/// Sends `total` frames of lengths from `len_of`, in bursts that fit the
/// ring, servicing after each; checks every frame arrives intact, in order.
fn run_traffic(nic: &mut MockNic, drv: &mut Driver, total: u32, burst: u32, len_of: impl Fn(u32) -> usize) {
    let mut next = 0u32;
    let mut expect = 0u32;
    while next < total {
        let end = (next + burst).min(total);
        for s in next..end {
            assert!(nic.receive_bytes(frame(s, len_of(s))));
        }
        next = end;
        for p in service(nic, drv) {
            assert_eq!(p.data, frame(expect, len_of(expect)), "frame {expect}");
            assert_eq!(p.len, p.data.len());
            expect += 1;
        }
    }
    assert_eq!(expect, total, "all delivered");
    assert!(!drv.napi_scheduled());
}

#[test]
fn ring_wraps_at_every_size() {
    for n in [8usize, 64, 256, 4096] {
        let (mut nic, mut drv) = rig(small(n));
        let total = (3 * n + 5) as u32;
        // Bursts of a full ring: exercises the kept-empty slot every time.
        run_traffic(&mut nic, &mut drv, total, (n - 1) as u32, |s| 60 + (s as usize * 7) % 1455);
        let st = drv.ring_state();
        assert_eq!(st.rx_next_to_clean, total as usize % n, "ring {n}");
        assert_eq!(st.rx_next_to_use, (st.rx_next_to_clean + n - 1) % n, "ring {n}: all refilled");
        assert_eq!(nic.peek(crate::regs::RDT) as usize, st.rx_next_to_use);
        assert_eq!(nic.peek(crate::regs::RDH) as usize, st.rx_next_to_clean);
        assert_eq!(drv.counters().rx_packets, u64::from(total));
        assert_eq!(drv.counters().rx_errors, 0);
        assert_eq!(drv.counters().alloc_rx_buff_failed, 0);
    }
}

#[test]
fn frames_span_several_buffers() {
    let cfg = DriverConfig { rx_buf_len: 256, ..small(64) };
    let (mut nic, mut drv) = rig(cfg);
    let lens = [60usize, 255, 256, 257, 511, 512, 1000, 1514, 2048, 4000, 9018];
    // Several laps, so that frames straddle the end of the ring.
    let mut expect = Vec::new();
    for lap in 0..6u32 {
        for (k, &len) in lens.iter().enumerate() {
            let s = lap * 100 + k as u32;
            assert!(nic.receive_bytes(frame(s, len)));
            expect.push((s, len));
            // Keep what is on the ring within its 63 descriptors.
            let got = service(&mut nic, &mut drv);
            for p in got {
                let (s, len) = expect.remove(0);
                assert_eq!(p.data, frame(s, len));
                assert_eq!(usize::from(p.segments), len.div_ceil(256), "len {len}");
                assert_ne!(p.status & rx_status::EOP, 0);
            }
        }
    }
    assert!(expect.is_empty());
    assert_eq!(drv.counters().rx_errors, 0);
}

#[test]
fn a_frame_partly_written_is_kept_until_its_eop() {
    // Write descriptors by hand, as a device midway through a frame would.
    let (mut nic, mut drv) = rig_zero_cost(DriverConfig { rx_buf_len: 256, ..small(8) });
    let base = drv.ring_state().rx_base;
    let put = |nic: &mut MockNic, i: usize, data: &[u8], status: u8| {
        let mut raw = [0u8; DESC_LEN];
        nic.dma_read(base + (i * DESC_LEN) as u64, &mut raw);
        let mut d = RxDesc::from_bytes(&raw);
        nic.dma_write(d.addr, data);
        d.length = data.len() as u16;
        d.status = status;
        nic.dma_write(base + (i * DESC_LEN) as u64, &d.to_bytes());
    };
    let whole = frame(7, 300);
    put(&mut nic, 0, &whole[..256], rx_status::DD);
    let mut got: Vec<RxPacket> = Vec::new();
    assert_eq!(drv.napi_poll(&mut nic, 64, &mut |p| got.push(p)), 0);
    assert!(got.is_empty());
    assert_eq!(drv.ring_state().rx_next_to_clean, 1, "first half taken");
    assert_eq!(drv.ring_state().rx_next_to_use, 0, "one slot refilled: RDT moved on by one");
    put(&mut nic, 1, &whole[256..], rx_status::DD | rx_status::EOP);
    assert_eq!(drv.napi_poll(&mut nic, 64, &mut |p| got.push(p)), 1);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].data, whole);
    assert_eq!(got[0].segments, 2);
}

#[test]
fn descriptor_status_is_cleared_once_taken() {
    let (mut nic, mut drv) = rig(DriverConfig { rx_refill_batch: 8, ..small(8) });
    for s in 0..3 {
        nic.receive_bytes(frame(s, 100));
    }
    let dd: Vec<u8> = (0..3).map(|i| nic.rx_desc(i).status).collect();
    assert!(dd.iter().all(|s| s & rx_status::DD != 0));
    // Budget 2 stops the poll with the third frame still on the ring.
    // Slots 0 and 1 read status 0 (cleared when taken; at the end of the
    // poll slot 0 got a buffer again and slot 1 became the kept-empty one);
    // slot 2 is untouched.
    drv.irq(&mut nic);
    let mut n = 0;
    drv.napi_poll(&mut nic, 2, &mut |_: RxPacket| n += 1);
    assert_eq!(n, 2);
    assert_eq!(nic.rx_desc(0).status, 0);
    assert_eq!(nic.rx_desc(1).status, 0);
    assert_ne!(nic.rx_desc(2).status & rx_status::DD, 0);
}

#[test]
fn bad_frames_are_dropped_and_counted_by_reason() {
    let (mut nic, mut drv) = rig(small(64));
    let cases = [
        (rx_errors::CE, true),
        (rx_errors::SE, true),
        (rx_errors::CXE, true),
        (rx_errors::RXE, true),
        (rx_errors::CE | rx_errors::RXE, true),
        (rx_errors::TCPE, false),
        (rx_errors::IPE, false),
        (0, false),
    ];
    for (k, (errors, _)) in cases.iter().enumerate() {
        nic.receive(RxFrame { data: frame(k as u32, 200), errors: *errors, ..RxFrame::default() });
    }
    nic.receive_bytes(bytes::Bytes::new()); // zero length
    nic.receive_bytes(frame(99, 64));
    let got = service(&mut nic, &mut drv);
    let seqs: Vec<u8> = got.iter().map(|p| p.data[0]).collect();
    assert_eq!(seqs, vec![5, 6, 7, 99], "only clean and checksum-error frames delivered, in order");
    assert_eq!(got[0].errors, rx_errors::TCPE);
    assert_eq!(got[1].errors, rx_errors::IPE);
    let c = drv.counters();
    assert_eq!(c.rx_desc_crc_errors, 2, "CE wins over RXE");
    assert_eq!(c.rx_desc_symbol_errors, 1);
    assert_eq!(c.rx_desc_carrier_ext_errors, 1);
    assert_eq!(c.rx_desc_data_errors, 1);
    assert_eq!(c.rx_desc_length_errors, 1);
    assert_eq!(c.rx_errors, 6);
    assert_eq!(c.rx_csum_offload_errors, 2);
    assert_eq!(c.rx_packets, 4);
    assert_eq!(c.rx_bytes, 200 * 3 + 64);
}

#[test]
fn a_descriptor_longer_than_its_buffer_is_dropped_not_trusted() {
    let (mut nic, mut drv) = rig(DriverConfig { rx_buf_len: 256, ..small(8) });
    let base = drv.ring_state().rx_base;
    // A device bug: slot 0 claims 2000 bytes in a 256-byte buffer.
    let mut d0 = nic.rx_desc(0);
    d0.length = 2000;
    d0.status = rx_status::DD | rx_status::EOP;
    nic.dma_write(base, &d0.to_bytes());
    let mut d1 = nic.rx_desc(1);
    nic.dma_write(d1.addr, &frame(1, 100));
    d1.length = 100;
    d1.status = rx_status::DD | rx_status::EOP;
    nic.dma_write(base + DESC_LEN as u64, &d1.to_bytes());
    let mut got = Vec::new();
    assert_eq!(drv.napi_poll(&mut nic, 64, &mut |p| got.push(p)), 2);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].data, frame(1, 100));
    assert_eq!(drv.counters().rx_desc_length_errors, 1);
    assert_eq!(drv.counters().rx_errors, 1);
}

#[test]
fn descriptor_fields_reach_the_packet() {
    let (mut nic, mut drv) = rig(small(8));
    let t0 = nic.now();
    nic.receive(RxFrame {
        data: frame(1, 100),
        errors: 0,
        status: rx_status::VP | rx_status::TCPCS | rx_status::IPCS,
        checksum: 0xBEEF,
        special: 0x0123,
    });
    let got = service(&mut nic, &mut drv);
    assert_eq!(got.len(), 1);
    let p = &got[0];
    assert_eq!(p.checksum, 0xBEEF);
    assert_eq!(p.vlan, 0x0123);
    assert_eq!(p.status, rx_status::DD | rx_status::EOP | rx_status::VP | rx_status::TCPCS | rx_status::IPCS);
    assert_eq!(p.segments, 1);
    assert!(p.rx_time_ns > t0 && p.rx_time_ns <= nic.now());
}

#[test]
fn rx_time_includes_interrupt_and_driver_costs() {
    let (mut nic, mut drv) = rig(small(8));
    nic.receive_bytes(frame(0, 60));
    let t0 = nic.now();
    let got = service(&mut nic, &mut drv);
    // irq_entry 500 + ICR read 500 + IMC write 50 + irq_exit 500
    // + napi_poll_overhead 200 + per_rx_frame 100 = 1850.
    assert_eq!(got[0].rx_time_ns - t0, 1850);
}

#[test]
fn rxdmt0_when_the_ring_runs_below_half() {
    let (mut nic, mut drv) = rig(small(64));
    // 63 owned; RDMTS 1/2 = 32. The 32nd frame leaves 31.
    for s in 0..31 {
        nic.receive_bytes(frame(s, 60));
    }
    assert_eq!(nic.peek(crate::regs::ICR) & crate::regs::icr::RXDMT0, 0);
    nic.receive_bytes(frame(31, 60));
    assert_ne!(nic.peek(crate::regs::ICR) & crate::regs::icr::RXDMT0, 0);
    assert_eq!(service(&mut nic, &mut drv).len(), 32);
    assert_eq!(drv.counters().irq_rxdmt0, 1);
}

/// A held refill (an injected buffer allocation failure): cleaned slots
/// stay empty and `alloc_rx_buff_failed` counts the attempts; frames wait in
/// the device's FIFO until it overflows (RXO); released, the poll of that
/// interrupt refills the ring and the waiting frames flow again, in order.
#[test]
fn a_held_refill_drains_the_ring_and_release_recovers() {
    let n = 8;
    let (mut nic, mut drv) = rig(small(n));
    drv.hold_rx_refill(true);
    assert!(drv.rx_refill_held());
    let mut s = 0u32;
    let mut delivered = 0;
    // n - 1 buffers on the ring: they fill and are cleaned, none comes back.
    while nic.receive_bytes(frame(s, 60)) {
        s += 1;
        delivered += service(&mut nic, &mut drv).len();
        assert!(s < 100, "the ring never ran dry");
    }
    assert_eq!(delivered, n - 1);
    assert_eq!(drv.buffer_census().rx_on_ring, 0, "nothing refilled while held");
    assert!(drv.counters().alloc_rx_buff_failed > 0);
    drv.hold_rx_refill(false);
    // The RXO interrupt's poll finds nothing to clean but refills; the
    // frames the device then writes raise the next interrupt.
    let mut got = service(&mut nic, &mut drv);
    got.extend(service(&mut nic, &mut drv));
    assert!(!got.is_empty(), "traffic recovered after the release");
    for (k, p) in got.iter().enumerate() {
        assert_eq!(p.data, frame((n - 1 + k) as u32, 60), "in order after the release");
    }
    assert!(drv.buffer_census().conserved());
    assert!(drv.buffer_census().rx_on_ring > 0, "refilled after the release");
}
