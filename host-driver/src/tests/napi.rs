//! NAPI: budgets, repoll, interrupt masking order, refill batching, softirq limits.

use super::{frame, rig, rig_zero_cost, service, small};
use crate::driver::{IMC_ALL, IMS_ENABLED};
use crate::mock::MockNic;
use crate::regs::{self, icr};
use crate::{CpuCosts, Driver, DriverConfig, RxPacket};

fn inject(nic: &mut MockNic, n: u32) {
    for s in 0..n {
        assert!(nic.receive_bytes(frame(s, 64)), "frame {s} dropped");
    }
}

fn poll(nic: &mut MockNic, drv: &mut Driver, budget: usize, got: &mut Vec<RxPacket>) -> usize {
    drv.napi_poll(nic, budget, &mut |p| got.push(p))
}

#[test]
fn budget_is_respected_and_interrupts_stay_masked_until_completion() {
    let (mut nic, mut drv) = rig(small(256));
    inject(&mut nic, 100);
    assert!(nic.irq_asserted());
    nic.clear_log();
    drv.irq(&mut nic);
    assert!(drv.napi_scheduled());
    assert!(!nic.irq_asserted(), "masked");

    let mut got = Vec::new();
    assert_eq!(poll(&mut nic, &mut drv, 64, &mut got), 64);
    assert_eq!(got.len(), 64);
    assert!(drv.napi_scheduled(), "budget used up: repoll");
    assert_eq!(nic.peek(regs::IMS), 0, "still masked");
    assert!(nic.writes_to(regs::IMS).is_empty());

    // More frames arriving meanwhile raise causes but no interrupt.
    nic.receive_bytes(frame(100, 64));
    assert!(!nic.irq_asserted());

    assert_eq!(poll(&mut nic, &mut drv, 64, &mut got), 37);
    assert!(!drv.napi_scheduled());
    assert_eq!(nic.writes_to(regs::IMS), vec![IMS_ENABLED]);
    for (k, p) in got.iter().enumerate() {
        assert_eq!(p.data, frame(k as u32, 64));
    }

    // Order: ICR read, IMC, all ring work, then IMS last of all.
    let log = nic.log();
    assert_eq!((log[0].write, log[0].offset), (false, regs::ICR));
    assert_eq!((log[1].write, log[1].offset, log[1].value), (true, regs::IMC, IMC_ALL));
    let last = log.last().unwrap();
    assert_eq!((last.write, last.offset), (true, regs::IMS));
    assert_eq!(log.iter().filter(|a| a.write && a.offset == regs::IMS).count(), 1);
    let c = drv.counters();
    assert_eq!((c.napi_polls, c.napi_repoll, c.napi_complete), (2, 1, 1));
    // Causes that arrived while masked show as soon as IMS is written.
    assert!(nic.irq_asserted());
}

#[test]
fn a_poll_that_uses_exactly_its_budget_is_polled_again() {
    let (mut nic, mut drv) = rig(small(256));
    inject(&mut nic, 64);
    drv.irq(&mut nic);
    let mut got = Vec::new();
    let out = drv.softirq(&mut nic, &mut |p| got.push(p));
    assert_eq!((out.polls, out.frames, out.squeezed), (2, 64, false));
    assert!(!drv.napi_scheduled());
    assert_eq!(drv.counters().napi_repoll, 1);
}

#[test]
fn refill_writes_rdt_once_per_batch_and_once_at_the_end() {
    for (frames, batch, writes) in
        [(64u32, 16usize, 4usize), (20, 16, 2), (16, 16, 1), (5, 1, 5), (40, 256, 1), (0, 16, 0)]
    {
        let cfg = DriverConfig { rx_refill_batch: batch, ..small(256) };
        let (mut nic, mut drv) = rig(cfg);
        inject(&mut nic, frames);
        nic.raise(icr::RXT0);
        drv.irq(&mut nic);
        nic.clear_log();
        let mut got = Vec::new();
        assert_eq!(poll(&mut nic, &mut drv, 64, &mut got), frames as usize);
        let rdt = nic.writes_to(regs::RDT);
        assert_eq!(rdt.len(), writes, "{frames} frames, batch {batch}");
        if let Some(&last) = rdt.last() {
            assert_eq!(last as usize, (frames as usize + 255) % 256, "every taken slot refilled");
        }
        // Batches are whole: each write moves the tail by `batch`, but the last.
        let mut prev = 255u32;
        for (k, &t) in rdt.iter().enumerate() {
            let moved = (t + 256 - prev) % 256;
            if k + 1 < rdt.len() {
                assert_eq!(moved as usize, batch);
            }
            prev = t;
        }
    }
}

#[test]
fn time_squeeze_at_netdev_budget() {
    let cfg = DriverConfig { rx_ring: 1024, ..DriverConfig::default() };
    let (mut nic, mut drv) = rig(cfg);
    nic.fifo_capacity = 1000;
    inject(&mut nic, 1000);
    drv.irq(&mut nic);
    let mut got = Vec::new();
    let out = drv.softirq(&mut nic, &mut |p| got.push(p));
    // 64 x 5 = 320: the first poll that brings the round to 300 or more ends it.
    assert_eq!((out.polls, out.frames, out.squeezed), (5, 320, true));
    assert!(drv.napi_scheduled());
    assert_eq!(nic.peek(regs::IMS), 0, "still masked while squeezed");
    assert_eq!(drv.counters().time_squeeze, 1);

    let mut rounds = vec![out.frames];
    while drv.napi_scheduled() {
        rounds.push(drv.softirq(&mut nic, &mut |p| got.push(p)).frames);
    }
    assert_eq!(rounds, vec![320, 320, 320, 40]);
    assert_eq!(drv.counters().time_squeeze, 3);
    assert_eq!(drv.counters().softirq_rounds, 4);
    assert_eq!(got.len(), 1000);
    assert!(got.iter().enumerate().all(|(k, p)| p.data == frame(k as u32, 64)));
    assert_eq!(nic.peek(regs::IMS), IMS_ENABLED);
}

#[test]
fn time_squeeze_on_netdev_budget_usecs() {
    // 30 us per frame: one poll of 64 frames takes about 1.9 ms, two pass 2 ms.
    let costs = CpuCosts { per_rx_frame: 30_000, ..CpuCosts::default() };
    let mut nic = MockNic::new();
    let mut drv = Driver::probe_with_costs(&mut nic, small(256), costs).unwrap();
    inject(&mut nic, 200);
    drv.irq(&mut nic);
    let t0 = nic.now();
    let out = drv.softirq(&mut nic, &mut |_: RxPacket| {});
    assert_eq!((out.polls, out.frames, out.squeezed), (2, 128, true));
    assert!(nic.now() - t0 >= 2_000_000);
    assert_eq!(drv.counters().time_squeeze, 1);
}

#[test]
fn softirq_without_napi_scheduled_does_nothing() {
    let (mut nic, mut drv) = rig(small(8));
    nic.clear_log();
    let out = drv.softirq(&mut nic, &mut |_: RxPacket| {});
    assert_eq!((out.polls, out.frames, out.squeezed), (0, 0, false));
    assert!(nic.log().is_empty());
}

#[test]
fn budget_zero_cleans_tx_only_and_never_completes() {
    let (mut nic, mut drv) = rig(small(64));
    drv.xmit(&mut nic, frame(1, 100), false).unwrap();
    inject(&mut nic, 3);
    drv.irq(&mut nic);
    let mut got = Vec::new();
    assert_eq!(poll(&mut nic, &mut drv, 0, &mut got), 0);
    assert!(got.is_empty());
    assert_eq!(drv.counters().tx_packets, 1, "TX cleaned");
    assert!(drv.napi_scheduled());
    assert_eq!(nic.peek(regs::IMS), 0);
}

#[test]
fn busy_poll_without_irq_leaves_the_mask_alone() {
    let (mut nic, mut drv) = rig_zero_cost(small(64));
    inject(&mut nic, 3);
    nic.clear_log();
    let mut got = Vec::new();
    assert_eq!(poll(&mut nic, &mut drv, 64, &mut got), 3);
    assert!(nic.writes_to(regs::IMS).is_empty());
    assert_eq!(drv.counters().napi_complete, 0);
}

#[test]
fn interrupt_then_softirq_round_trip_repeats() {
    let (mut nic, mut drv) = rig(small(64));
    for round in 0..10u32 {
        nic.receive_bytes(frame(round, 60));
        assert!(nic.irq_asserted(), "round {round}");
        let got = service(&mut nic, &mut drv);
        assert_eq!(got.len(), 1);
        assert!(!nic.irq_asserted());
    }
    assert_eq!(drv.counters().irqs, 10);
    assert_eq!(drv.counters().napi_complete, 10);
}

#[test]
fn identical_runs_are_identical() {
    let run = || {
        let (mut nic, mut drv) = rig(small(64));
        for s in 0..500u32 {
            nic.receive_bytes(frame(s, 60 + (s as usize % 1400)));
            if s % 7 == 0 {
                drv.xmit(&mut nic, frame(s, 100 + s as usize), s % 3 == 0).unwrap();
            }
            if s % 13 == 0 {
                service(&mut nic, &mut drv);
            }
        }
        drv.flush_tx(&mut nic);
        service(&mut nic, &mut drv);
        (nic.log().to_vec(), nic.now(), drv.stats())
    };
    assert_eq!(run(), run());
}

#[test]
fn rxo_is_counted() {
    let (mut nic, mut drv) = rig(small(8));
    nic.fifo_capacity = 1;
    inject(&mut nic, 8); // 7 on the ring, 1 waiting in the FIFO
    assert!(!nic.receive_bytes(frame(9, 64)), "FIFO full: dropped");
    let mut got = service(&mut nic, &mut drv);
    assert_eq!(drv.counters().irq_rxo, 1);
    assert_eq!(got.len(), 7);
    // The refill made room: the FIFO frame lands and interrupts again.
    got.extend(service(&mut nic, &mut drv));
    assert_eq!(got.len(), 8);
    assert!(got.iter().enumerate().all(|(k, p)| p.data == frame(k as u32, 64)));
}
