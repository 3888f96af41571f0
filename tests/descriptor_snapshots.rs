//! Descriptor traffic between driver and device, as a reviewer reads it:
//! register accesses, descriptor fetches and write-backs (decoded), packet
//! DMA and interrupt edges, each stamped with its cycle. The traces are
//! deterministic, so any change in them is a change in behaviour.

mod nic_common;

use bytes::Bytes;
use nic_common::*;
use verinic::cosim::Machine;
use verinic::trace_view;
use verinic_driver::desc::RxDesc;
use verinic_driver::{regs, CpuCosts, DriverConfig};
use verinic_sim::nic::{Nic, NicConfig};
use verinic_sim::xgmii::{EncoderConfig, TxFrame, XgmiiEncoder};

/// A machine whose probe is done; returns it and the cycle the test starts at.
fn traced(cfg: DriverConfig, link: EncoderConfig) -> (Machine, u64) {
    let m = machine(cfg, CpuCosts::default(), link, NicConfig { trace: true, ..Default::default() });
    let start = m.world.nic.cycle();
    (m, start)
}

fn small_rings() -> DriverConfig {
    DriverConfig { rx_ring: 8, tx_ring: 8, ..Default::default() }
}

fn settle(m: &mut Machine, us: u64) {
    let t = m.now_ns() + us * 1000;
    m.run_until(t);
}

#[test]
fn one_rx_frame() {
    let (mut m, start) = traced(small_rings(), EncoderConfig::default());
    m.world.wire_in(TxFrame::new(frame(60, 0)));
    run_until_delivered(&mut m, 1, 100);
    settle(&mut m, 5);
    insta::assert_snapshot!(trace_view::render_from(m.world.nic.trace(), start));
}

#[test]
fn rx_burst_under_coalescing() {
    let mut cfg = small_rings();
    cfg.rx_ring = 16;
    cfg.coalesce.rx_frames = 4;
    cfg.coalesce.rx_usecs = 20;
    cfg.coalesce.rx_usecs_abs = 100;
    let (mut m, start) = traced(cfg, EncoderConfig::default());
    for seq in 0..8 {
        m.world.wire_in(TxFrame::new(frame(60, seq)));
    }
    run_until_delivered(&mut m, 8, 500);
    settle(&mut m, 5);
    insta::assert_snapshot!(trace_view::render_from(m.world.nic.trace(), start));
}

#[test]
fn rx_ring_wrap() {
    let link = EncoderConfig { load: 0.02, ..Default::default() };
    let (mut m, start) = traced(small_rings(), link);
    for seq in 0..12 {
        m.world.wire_in(TxFrame::new(frame(60, seq)));
    }
    run_until_delivered(&mut m, 12, 2000);
    settle(&mut m, 5);
    insta::assert_snapshot!(trace_view::render_from(m.world.nic.trace(), start));
}

#[test]
fn tx_with_write_back() {
    let (mut m, start) = traced(small_rings(), EncoderConfig::default());
    for seq in 0..3 {
        m.send_frame(Bytes::from(frame(100, seq))).unwrap();
    }
    settle(&mut m, 30);
    assert_eq!(m.world.tx_good, 3);
    insta::assert_snapshot!(trace_view::render_from(m.world.nic.trace(), start));
}

/// No driver: the ring starts empty, a frame waits (RNBC), then buffers come.
#[test]
fn no_buffer_then_refill() {
    let mut nic = Nic::new(&Default::default(), &NicConfig { trace: true, ..Default::default() }).unwrap();
    let mut enc = XgmiiEncoder::default();
    let ring = nic.memory_mut().mem_mut().alloc(8 * 16, 4096).unwrap();
    for i in 0..8 {
        let buf = nic.memory_mut().mem_mut().alloc(2048, 2048).unwrap();
        nic.memory_mut()
            .mem_mut()
            .write(ring + i * 16, &RxDesc { addr: buf, ..Default::default() }.to_bytes())
            .unwrap();
    }
    let run = |nic: &mut Nic, enc: &mut XgmiiEncoder, cycles: u64| {
        for _ in 0..cycles {
            let w = enc.next_word();
            nic.step(w);
        }
    };
    for (reg, value) in [
        (regs::RDBAL, ring as u32),
        (regs::RDBAH, (ring >> 32) as u32),
        (regs::RDLEN, 128),
        (regs::IMS, regs::icr::RXT0),
        (regs::RCTL, regs::RCTL_EN),
    ] {
        nic.mmio().write(reg, value);
    }
    run(&mut nic, &mut enc, 400);
    enc.enqueue(TxFrame::new(frame(60, 0))).unwrap();
    run(&mut nic, &mut enc, 300);
    let rnbc = nic.mmio().read(regs::RNBC);
    run(&mut nic, &mut enc, 100);
    assert_eq!(nic.mmio().poll(rnbc), Some(1), "the frame found no buffer");
    nic.mmio().write(regs::RDT, 4);
    run(&mut nic, &mut enc, 600);
    assert!(nic.irq());
    insta::assert_snapshot!(trace_view::render(nic.trace()));
}
