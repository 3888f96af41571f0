//! Rings, buffers, drops and NAPI, with the driver against the NIC RTL.
//! Conservation in every test: frames offered = delivered + counted drops.

mod nic_common;

use nic_common::*;
use verinic::cosim::Machine;
use verinic_driver::{regs, CpuCosts, DriverConfig, RxPacket};
use verinic_sim::nic::NicConfig;
use verinic_sim::trace::Event;
use verinic_sim::xgmii::{EncoderConfig, TxFrame};

fn offer(m: &mut Machine, lens: &[usize]) {
    for (seq, len) in lens.iter().enumerate() {
        m.world.wire_in(TxFrame::new(frame(*len, seq as u32)));
    }
}

fn assert_delivered_in_order(m: &Machine, lens: &[usize]) {
    assert_eq!(m.delivered_frames.len(), lens.len());
    for (seq, (got, len)) in m.delivered_frames.iter().zip(lens).enumerate() {
        assert_eq!(got.as_ref(), frame(*len, seq as u32).as_slice(), "frame {seq}");
    }
}

fn hw_stats(m: &mut Machine) -> verinic_driver::Stats {
    m.with_host(|d, h| d.update_hw_stats(h));
    *m.driver.counters()
}

#[test]
fn ring_wrap_at_sizes_8_64_256_4096() {
    for ring in [8usize, 64, 256, 4096] {
        let cfg = DriverConfig { rx_ring: ring, tx_ring: 64, ..Default::default() };
        // slow enough that even the 8-descriptor ring is refilled in time
        let load = if ring < 64 { 0.05 } else { 0.3 };
        let link = EncoderConfig { load, ..Default::default() };
        let mut m = machine(cfg, CpuCosts::default(), link, NicConfig::default());
        let lens: Vec<usize> = (0..(2 * ring + 5).min(3000)).map(|i| [60, 200, 1514][i % 3]).collect();
        offer(&mut m, &lens);
        run_until_delivered(&mut m, lens.len() as u64, 200_000);
        assert_delivered_in_order(&m, &lens);
        let s = hw_stats(&mut m);
        assert_eq!((s.rx_missed_errors, s.gprc), (0, lens.len() as u64), "ring {ring}");
    }
}

#[test]
fn frames_spanning_several_buffers() {
    let cfg = DriverConfig { rx_ring: 64, rx_buf_len: 256, ..Default::default() };
    let mut m = machine(cfg, CpuCosts::default(), EncoderConfig::default(), NicConfig::default());
    let lens = [1514usize, 256, 257, 60, 511, 512, 513, 1000, 255];
    offer(&mut m, &lens);
    run_until_delivered(&mut m, lens.len() as u64, 2_000);
    assert_delivered_in_order(&m, &lens);
}

#[test]
fn slow_host_drops_are_counted_as_no_buffer_and_missed() {
    // A CPU that needs 3 us per frame cannot keep up with 64-byte frames at
    // line rate (67 ns apart): the small ring runs dry (RNBC), then the FIFO
    // overflows (MPC).
    let costs = CpuCosts { per_rx_frame: 3_000, ..CpuCosts::default() };
    let cfg = DriverConfig { rx_ring: 64, ..Default::default() };
    let mut m = machine(cfg, costs, EncoderConfig::default(), NicConfig::default());
    let lens = vec![60usize; 3000];
    offer(&mut m, &lens);
    let t = m.now_ns() + 250_000;
    m.run_until(t);
    m.drain(2_000_000);
    let s = hw_stats(&mut m);
    let offered = m.world.wire.frames_started();
    assert_eq!(offered, 3000);
    assert!(s.rx_no_buffer_count > 0, "{s:?}");
    assert!(s.rx_missed_errors > 0, "{s:?}");
    assert_eq!(offered, m.app.delivered + s.rx_missed_errors, "offered = delivered + missed");
    assert_eq!(s.gprc, offered, "the MAC saw every frame good");
    // what was delivered is in order and intact
    let seqs: Vec<u32> = m.deliveries.iter().map(|d| d.seq.unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    for (d, f) in m.deliveries.iter().zip(&m.delivered_frames) {
        assert_eq!(f.as_ref(), frame(60, d.seq.unwrap()).as_slice());
    }
}

#[test]
fn napi_budget_repoll_and_unmask_only_after_completion() {
    let cfg = DriverConfig { rx_ring: 256, napi_budget: 8, ..Default::default() };
    let mut m =
        machine(cfg, CpuCosts::default(), EncoderConfig::default(), NicConfig { trace: true, ..Default::default() });
    offer(&mut m, &[60; 50]);
    // let all 50 land in host memory before the CPU looks
    for _ in 0..3000 {
        m.world.step();
    }
    assert!(m.world.nic.irq());
    let mark = m.world.nic.cycle();
    let out = m.with_host(|d, h| d.irq(h));
    assert!(matches!(out, verinic_driver::IrqOutcome::Handled { .. }));
    assert!(m.driver.napi_scheduled());
    let mut polls = Vec::new();
    let mut got = 0;
    while m.driver.napi_scheduled() {
        let n = m.with_host(|d, h| d.napi_poll(h, 8, &mut |_: RxPacket| got += 1));
        polls.push(n);
        assert!(polls.len() < 20);
    }
    assert_eq!(polls, [8, 8, 8, 8, 8, 8, 2], "budget respected, repolled while exhausted");
    assert_eq!(got, 50);
    // interrupts were masked by the handler and unmasked once, after the last poll
    let t = m.now_ns() + 2_000;
    m.run_until(t);
    let writes: Vec<(u64, u32)> = m
        .world
        .nic
        .trace()
        .iter()
        .filter(|r| r.cycle >= mark)
        .filter_map(|r| match r.event {
            Event::RegWrite { addr, .. } if addr == regs::IMC || addr == regs::IMS || addr == regs::RDT => {
                Some((r.cycle, addr))
            }
            _ => None,
        })
        .collect();
    let ims: Vec<usize> = writes.iter().enumerate().filter(|(_, w)| w.1 == regs::IMS).map(|(i, _)| i).collect();
    assert_eq!(ims.len(), 1, "{writes:?}");
    assert_eq!(writes[0].1, regs::IMC, "masked first");
    let last_rdt = writes.iter().rposition(|w| w.1 == regs::RDT).unwrap();
    assert!(ims[0] > last_rdt, "unmasked only after the last refill of the last poll: {writes:?}");
}

#[test]
fn tx_queue_stops_when_full_and_wakes_on_cleaning() {
    let cfg = DriverConfig { tx_ring: 8, ..Default::default() };
    let mut m = machine(cfg, CpuCosts::default(), EncoderConfig::default(), NicConfig::default());
    let mut sent = 0u32;
    let mut refused = 0;
    // offer 200 frames as fast as the queue takes them
    while sent < 200 {
        let f = bytes::Bytes::from(frame(1000, sent));
        match m.with_host(|d, h| d.xmit(h, f, false)) {
            Ok(()) => sent += 1,
            Err(verinic_driver::TxError::QueueStopped) => {
                refused += 1;
                let t = m.now_ns() + 2_000;
                m.run_until(t); // the interrupt cleans the ring and wakes the queue
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    let t = m.now_ns() + 200_000;
    m.run_until(t);
    let c = *m.driver.counters();
    assert!(c.tx_queue_stopped > 0 && c.tx_restart_queue > 0, "{c:?}");
    assert!(refused > 0);
    assert_eq!(m.world.tx_good, 200, "every frame left, none lost to the full ring");
    for (seq, f) in m.world.tx_frames.iter().enumerate() {
        assert_eq!(f.bytes, frame(1000, seq as u32), "frame {seq}");
    }
}

#[test]
fn softirq_yields_at_netdev_budget_and_counts_time_squeeze() {
    // 64-byte frames at line rate, a CPU that needs 200 ns per frame and a
    // small netdev_budget: rounds end with NAPI still scheduled.
    let costs = CpuCosts { per_rx_frame: 200, ..CpuCosts::default() };
    let cfg = DriverConfig { rx_ring: 1024, netdev_budget: 64, napi_budget: 32, ..Default::default() };
    let mut m = machine(cfg, costs, EncoderConfig::default(), NicConfig::default());
    offer(&mut m, &[60; 4000]);
    let t = m.now_ns() + 300_000;
    m.run_until(t);
    m.drain(2_000_000);
    let s = hw_stats(&mut m);
    assert!(s.time_squeeze > 0, "{s:?}");
    assert_eq!(m.world.wire.frames_started(), m.app.delivered + s.rx_missed_errors, "conservation");
}
