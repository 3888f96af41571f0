//! The watchdog against the mock: the TX hang rule's edges, the link-down
//! rule, and what a timeout resets and counts.

use super::{frame, rig, service, small};
use crate::mock::MockNic;
use crate::platform::Platform;
use crate::regs;
use crate::watchdog::{TxTimeoutCause, WatchdogOutcome};
use crate::{CpuCosts, Driver, DriverConfig};

const TIMEOUT_US: u64 = 1_000;

fn cfg() -> DriverConfig {
    DriverConfig { tx_timeout_us: TIMEOUT_US, watchdog_interval_us: 100, ..small(16) }
}

#[test]
fn a_stalled_transmitter_times_out_strictly_after_tx_timeout() {
    // No CPU cost and instant register reads: the clock moves only by spend.
    let mut nic = MockNic::new();
    nic.read_latency_ns = 0;
    let mut drv = Driver::probe_with_costs(&mut nic, cfg(), CpuCosts::zero()).unwrap();
    nic.auto_tx = false;
    nic.spend(12_345);
    let queued_at = nic.now();
    drv.xmit(&mut nic, frame(1, 60), false).unwrap();
    nic.spend(TIMEOUT_US * 500);
    // A second frame on a ring already busy does not restart the clock.
    drv.xmit(&mut nic, frame(2, 60), false).unwrap();
    nic.spend(queued_at + TIMEOUT_US * 1000 - nic.now());
    assert_eq!(drv.watchdog(&mut nic), WatchdogOutcome::Healthy, "exactly tx_timeout is not yet late");
    assert_eq!(drv.counters().tx_timeout_count, 0);
    nic.spend(1);
    match drv.watchdog(&mut nic) {
        WatchdogOutcome::TxTimeout { cause: TxTimeoutCause::Hang { stalled_ns }, reset: Ok(()) } => {
            assert_eq!(stalled_ns, TIMEOUT_US * 1000 + 1)
        }
        other => panic!("{other:?}"),
    }
    let s = *drv.counters();
    assert_eq!((s.tx_timeout_count, s.reset_count, s.tx_reset_dropped), (1, 1, 2), "{s:?}");
    assert!(drv.buffer_census().conserved());
    assert_eq!(drv.ring_state().tx_free, 15, "the ring starts over empty");
    // The device is back: the next frame goes out and completes.
    nic.auto_tx = true;
    drv.xmit(&mut nic, frame(3, 60), false).unwrap();
    service(&mut nic, &mut drv);
    assert_eq!(drv.counters().tx_packets, 1);
    assert_eq!(drv.watchdog(&mut nic), WatchdogOutcome::Healthy);
}

#[test]
fn completions_keep_a_busy_ring_healthy() {
    let (mut nic, mut drv) = rig(cfg());
    nic.auto_tx = false;
    // Always two frames outstanding for ten timeouts, one completing every
    // half timeout: never hung, though the ring never empties.
    drv.xmit(&mut nic, frame(0, 60), false).unwrap();
    for seq in 1..20 {
        drv.xmit(&mut nic, frame(seq, 60), false).unwrap();
        nic.spend(TIMEOUT_US * 500);
        nic.process_tx(1);
        service(&mut nic, &mut drv);
        assert_eq!(drv.watchdog(&mut nic), WatchdogOutcome::Healthy, "frame {seq}");
    }
    assert_eq!(drv.counters().tx_timeout_count, 0);
}

#[test]
fn a_completion_not_yet_cleaned_is_not_a_hang() {
    let (mut nic, mut drv) = rig(cfg());
    nic.auto_tx = false;
    drv.xmit(&mut nic, frame(1, 60), false).unwrap();
    nic.spend(TIMEOUT_US * 2000);
    // The device writes DD back; the CPU has not cleaned it (no interrupt taken).
    nic.process_tx(1);
    assert_eq!(drv.watchdog(&mut nic), WatchdogOutcome::Healthy);
}

#[test]
fn an_idle_ring_never_times_out_and_zero_turns_the_rule_off() {
    let (mut nic, mut drv) = rig(cfg());
    nic.spend(TIMEOUT_US * 10_000);
    assert_eq!(drv.watchdog(&mut nic), WatchdogOutcome::Healthy, "nothing outstanding");
    // A frame queued after a long idle time: the idle time does not count.
    nic.auto_tx = false;
    drv.xmit(&mut nic, frame(1, 60), false).unwrap();
    assert_eq!(drv.watchdog(&mut nic), WatchdogOutcome::Healthy);

    let (mut nic, mut drv) = rig(DriverConfig { tx_timeout_us: 0, ..cfg() });
    nic.auto_tx = false;
    drv.xmit(&mut nic, frame(1, 60), false).unwrap();
    nic.spend(TIMEOUT_US * 10_000);
    assert_eq!(drv.watchdog(&mut nic), WatchdogOutcome::Healthy, "tx_timeout_us = 0: off");
}

#[test]
fn link_down_with_work_outstanding_resets_at_once() {
    let (mut nic, mut drv) = rig(DriverConfig { tx_timeout_us: 0, ..cfg() });
    nic.set_link(false);
    // No work: the link is noted down, nothing reset.
    assert_eq!(drv.watchdog(&mut nic), WatchdogOutcome::Healthy);
    assert!(!drv.link_up());
    nic.auto_tx = false;
    drv.xmit(&mut nic, frame(1, 60), false).unwrap();
    let out = drv.watchdog(&mut nic);
    assert_eq!(out, WatchdogOutcome::TxTimeout { cause: TxTimeoutCause::LinkDown, reset: Ok(()) });
    let s = *drv.counters();
    assert_eq!((s.tx_timeout_count, s.reset_count, s.tx_reset_dropped), (1, 1, 1));
}

#[test]
fn the_watchdog_reads_the_statistics_registers() {
    let (mut nic, mut drv) = rig(cfg());
    let reads = |nic: &MockNic| -> Vec<u32> { nic.log().iter().filter(|a| !a.write).map(|a| a.offset).collect() };
    nic.clear_log();
    drv.update_hw_stats(&mut nic);
    let stats_reads = reads(&nic);
    nic.bump_stat(regs::GPTC, 7);
    nic.clear_log();
    drv.watchdog(&mut nic);
    assert_eq!(drv.counters().gptc, 7);
    let got = reads(&nic);
    assert_eq!(got[0], regs::STATUS, "link first, as e1000_watchdog");
    assert_eq!(got[1..], stats_reads[..], "then the statistics registers, and nothing else");
}

#[test]
fn a_reset_that_fails_still_counts_the_timeout() {
    let (mut nic, mut drv) = rig(cfg());
    nic.auto_tx = false;
    drv.xmit(&mut nic, frame(1, 60), false).unwrap();
    nic.spend(TIMEOUT_US * 2000);
    nic.reset_reads = u32::MAX;
    match drv.watchdog(&mut nic) {
        WatchdogOutcome::TxTimeout { reset: Err(_), .. } => {}
        other => panic!("{other:?}"),
    }
    let s = *drv.counters();
    assert_eq!((s.tx_timeout_count, s.reset_count), (1, 0));
}
