//! Probe, reset, the IRQ handler's bookkeeping, run-time coalescing.

use super::{rig, small};
use crate::driver::{IMC_ALL, IMS_ENABLED, RESET_MAX_POLLS};
use crate::mock::{MockNic, DMA_BASE};
use crate::regs::{self, icr};
use crate::{Coalesce, Driver, DriverConfig, DriverError, IrqOutcome, Platform};

#[test]
fn probe_writes_registers_in_the_documented_order() {
    let cfg = small(64);
    let (nic, drv) = rig(cfg);
    let st = drv.ring_state();
    let writes: Vec<(u32, u32)> = nic.log().iter().filter(|a| a.write).map(|a| (a.offset, a.value)).collect();
    let c = cfg.coalesce.registers();
    let expected = vec![
        (regs::CTRL, regs::CTRL_RST),
        (regs::IMC, IMC_ALL),
        (regs::RDBAL, st.rx_base as u32),
        (regs::RDBAH, (st.rx_base >> 32) as u32),
        (regs::RDLEN, 64 * 16),
        (regs::RDH, 0),
        (regs::RDT, 0),
        (regs::TDBAL, st.tx_base as u32),
        (regs::TDBAH, (st.tx_base >> 32) as u32),
        (regs::TDLEN, 64 * 16),
        (regs::TDH, 0),
        (regs::TDT, 0),
        (regs::RDT, 63),
        (regs::RDTR, c.rdtr),
        (regs::RADV, c.radv),
        (regs::VN_RXFRAMES, c.rx_frames),
        (regs::TIDV, c.tidv),
        (regs::TADV, c.tadv),
        (regs::VN_TXFRAMES, c.tx_frames),
        (regs::ITR, c.itr),
        (regs::RXCSUM, regs::RXCSUM_IPOFLD | regs::RXCSUM_TUOFLD | 14),
        (regs::RCTL, regs::RCTL_EN | regs::RCTL_SECRC),
        (regs::TCTL, regs::TCTL_EN | regs::TCTL_PSP),
        (regs::IMS, IMS_ENABLED),
    ];
    assert_eq!(writes, expected);
    assert!(st.rx_base >= DMA_BASE && st.rx_base % 4096 == 0 && st.tx_base % 4096 == 0);
    assert_eq!((st.rx_base >> 32) as u32, 1, "the mock allocates above 4 GiB");

    let reads: Vec<u32> = nic.log().iter().filter(|a| !a.write).map(|a| a.offset).collect();
    // VN_ID, CTRL until RST clears (the mock holds it for 3 reads), ICR, STATUS.
    assert_eq!(reads, vec![regs::VN_ID, regs::CTRL, regs::CTRL, regs::CTRL, regs::CTRL, regs::ICR, regs::STATUS]);
    assert!(drv.link_up());
    assert!(!drv.napi_scheduled());
    assert_eq!(drv.counters().rx_tail_writes, 1);
}

#[test]
fn probe_fills_all_but_one_rx_descriptor() {
    for n in [8usize, 64, 256, 4096] {
        let (nic, drv) = rig(small(n));
        let mut addrs: Vec<u64> = (0..n - 1).map(|i| nic.rx_desc(i).addr).collect();
        assert!(addrs.iter().all(|&a| a != 0), "ring {n}");
        assert!((0..n - 1).all(|i| nic.rx_desc(i).status == 0));
        assert_eq!(nic.rx_desc(n - 1).addr, 0, "the kept-empty slot has no buffer");
        addrs.sort_unstable();
        addrs.dedup();
        assert_eq!(addrs.len(), n - 1, "distinct buffers");
        assert_eq!(nic.peek(regs::RDT) as usize, n - 1);
        assert_eq!(drv.ring_state().rx_next_to_use, n - 1);
        assert_eq!(drv.ring_state().tx_free, n - 1);
    }
}

#[test]
fn rx_buf_len_sets_bsize() {
    for (len, code) in [(2048usize, 0u32), (1024, 1), (512, 2), (256, 3)] {
        let (nic, _drv) = rig(DriverConfig { rx_buf_len: len, ..small(8) });
        assert_eq!((nic.peek(regs::RCTL) >> 16) & 3, code);
    }
}

#[test]
fn wrong_device_is_an_error_and_nothing_is_written() {
    let mut nic = MockNic::new();
    nic.id = 0x8086_100E;
    let e = Driver::probe(&mut nic, DriverConfig::default()).unwrap_err();
    assert_eq!(e, DriverError::WrongDevice { found: 0x8086_100E });
    assert!(e.to_string().contains("0x8086100e"), "{e}");
    assert!(nic.log().iter().all(|a| !a.write));
}

#[test]
fn a_reset_that_never_completes_is_an_error_not_a_hang() {
    let mut nic = MockNic::new();
    nic.reset_reads = u32::MAX;
    let e = Driver::probe(&mut nic, DriverConfig::default()).unwrap_err();
    let DriverError::ResetTimeout { polls, waited_ns } = e else { panic!("{e:?}") };
    assert_eq!(polls, RESET_MAX_POLLS);
    // 1 us of waiting plus a 0.5 us read per poll.
    assert_eq!(waited_ns, u64::from(RESET_MAX_POLLS) * 1500);
    assert_eq!(nic.writes_to(regs::IMS), Vec::<u32>::new(), "nothing enabled");
}

#[test]
fn bad_config_is_refused_before_touching_the_device() {
    let mut nic = MockNic::new();
    let cfg = DriverConfig { rx_ring: 100, ..DriverConfig::default() };
    let e = Driver::probe(&mut nic, cfg).unwrap_err();
    let DriverError::Config(c) = &e else { panic!("{e:?}") };
    assert_eq!(c.param, "rx_ring");
    assert!(e.to_string().contains("rx_ring"), "{e}");
    assert!(nic.log().is_empty());
}

#[test]
fn link_state_is_read_at_probe_and_on_lsc() {
    let mut nic = MockNic::new();
    nic.set_link(false);
    let mut drv = Driver::probe(&mut nic, small(8)).unwrap();
    assert!(!drv.link_up());
    nic.set_link(true);
    assert!(nic.irq_asserted());
    let out = drv.irq(&mut nic);
    assert_eq!(out, IrqOutcome::Handled { causes: icr::LSC });
    assert!(drv.link_up());
    assert_eq!(drv.counters().irq_lsc, 1);
}

#[test]
fn irq_with_no_cause_is_not_ours() {
    let (mut nic, mut drv) = rig(small(8));
    nic.clear_log();
    let t0 = nic.now();
    assert_eq!(drv.irq(&mut nic), IrqOutcome::NotOurs);
    assert!(!drv.napi_scheduled());
    let c = drv.counters();
    assert_eq!((c.irqs, c.irq_not_ours), (1, 1));
    // Only the ICR read: no mask change.
    assert_eq!(nic.log().len(), 1);
    assert_eq!(nic.peek(regs::IMS), IMS_ENABLED);
    // irq_entry + ICR read + irq_exit.
    assert_eq!(nic.now() - t0, 500 + 500 + 500);
}

#[test]
fn irq_masks_counts_causes_and_schedules_napi() {
    let (mut nic, mut drv) = rig(small(8));
    nic.raise(icr::RXT0 | icr::TXDW | icr::RXO | icr::RXDMT0);
    nic.clear_log();
    let out = drv.irq(&mut nic);
    assert_eq!(out, IrqOutcome::Handled { causes: icr::RXT0 | icr::TXDW | icr::RXO | icr::RXDMT0 });
    assert!(drv.napi_scheduled());
    assert_eq!(nic.peek(regs::IMS), 0, "all masked");
    let log: Vec<(bool, u32)> = nic.log().iter().map(|a| (a.write, a.offset)).collect();
    assert_eq!(log, vec![(false, regs::ICR), (true, regs::IMC)]);
    let c = drv.counters();
    assert_eq!((c.irq_rxt0, c.irq_txdw, c.irq_rxo, c.irq_rxdmt0, c.irq_lsc, c.irq_txqe), (1, 1, 1, 1, 0, 0));
}

#[test]
fn set_coalesce_writes_registers_or_nothing() {
    let (mut nic, mut drv) = rig(small(8));
    nic.clear_log();
    let c = Coalesce {
        rx_usecs: 50,
        rx_frames: 32,
        rx_usecs_abs: 100,
        tx_usecs: 0,
        tx_frames: 16,
        tx_usecs_abs: 0,
        itr_max_irqs_per_sec: 20_000,
    };
    drv.set_coalesce(&mut nic, c).unwrap();
    let w: Vec<(u32, u32)> = nic.log().iter().map(|a| (a.offset, a.value)).collect();
    assert_eq!(
        w,
        vec![
            (regs::RDTR, 49), // 50 us = 48.8 units, rounded up
            (regs::RADV, 98),
            (regs::VN_RXFRAMES, 32),
            (regs::TIDV, 0),
            (regs::TADV, 0),
            (regs::VN_TXFRAMES, 16),
            (regs::ITR, 196), // 1e9 / (256 * 20000) = 195.3
        ]
    );
    assert_eq!(drv.config().coalesce, c);

    nic.clear_log();
    let bad = Coalesce { itr_max_irqs_per_sec: 10, ..c };
    assert_eq!(drv.set_coalesce(&mut nic, bad).unwrap_err().param, "itr_max_irqs_per_sec");
    assert!(nic.log().is_empty());
    assert_eq!(drv.config().coalesce, c);
}

#[test]
fn probe_takes_cpu_time_from_the_cost_model() {
    let mut a = MockNic::new();
    Driver::probe_with_costs(&mut a, small(8), crate::CpuCosts::zero()).unwrap();
    let mut b = MockNic::new();
    Driver::probe(&mut b, small(8)).unwrap();
    // Same reads; the default model adds mmio_write per write and per_refill_desc per buffer.
    let writes = b.log().iter().filter(|x| x.write).count() as u64;
    assert_eq!(b.now() - a.now(), writes * 50 + 7 * 10);
    assert_eq!(a.now_ns(), 7 * 500 + 4 * 1000, "7 reads, 4 reset polls of 1 us");
}
