//! Adaptive moderation in the driver against the mock: what probe programs,
//! when DIM and dynamic ITR sample, and which registers their decisions write.

use super::{frame, rig, service};
use crate::dim::DimMode;
use crate::itr::{ItrMode, LatencyRange};
use crate::regs;
use crate::{DriverConfig, ModerationSource};

#[test]
fn probe_programs_dims_default_profile_by_mode() {
    // lib/dim/net_dim.c: NET_DIM_DEF_PROFILE_EQE = 1 -> RX EQE {8 us, 256}.
    let cfg = DriverConfig { adaptive_rx: true, adaptive_tx: true, ..DriverConfig::default() };
    let (nic, drv) = rig(cfg);
    assert_eq!(nic.writes_to(regs::RADV), [8], "EQE: usec -> RADV (absolute timer)");
    assert_eq!(nic.writes_to(regs::VN_RXFRAMES), [256]);
    assert_eq!(nic.writes_to(regs::TADV), [8], "TX EQE profile 1 {{8, 128}}");
    assert_eq!(nic.writes_to(regs::VN_TXFRAMES), [128]);
    assert_eq!(nic.writes_to(regs::RDTR), [0], "the packet timer stays as configured");
    let c = drv.config().coalesce;
    assert_eq!((c.rx_usecs_abs, c.rx_frames, c.tx_usecs_abs, c.tx_frames), (8, 256, 8, 128));
    assert_eq!((drv.counters().dim_rx_profile, drv.counters().dim_tx_profile), (1, 1));

    // NET_DIM_DEF_PROFILE_CQE = 1 -> RX CQE {8 us, 128} into RDTR.
    let cfg = DriverConfig { adaptive_rx: true, dim_mode: DimMode::Cqe, ..DriverConfig::default() };
    let (nic, _) = rig(cfg);
    assert_eq!(nic.writes_to(regs::RDTR), [8]);
    assert_eq!(nic.writes_to(regs::VN_RXFRAMES), [128]);
    assert_eq!(nic.writes_to(regs::RADV), [8], "RADV stays as configured (default 8)");
}

#[test]
fn dim_decides_after_64_interrupts_and_writes_the_profile() {
    // net_dim: the first completion starts the measurement; the decision
    // comes when BIT_GAP(event_ctr) reaches DIM_NEVENTS = 64. A zeroed
    // struct dim leaves DIM_PARKING_ON_TOP to the right at once (any
    // traffic beats zero prev_stats): profile 0 -> 1, rewritten.
    let cfg = DriverConfig { adaptive_rx: true, ..DriverConfig::default() };
    let (mut nic, mut drv) = rig(cfg);
    for i in 0..65 {
        assert!(nic.receive_bytes(frame(i, 1000)));
        assert_eq!(service(&mut nic, &mut drv).len(), 1);
        let want = u64::from(i == 64);
        assert_eq!(drv.counters().dim_rx_profile_changes, want, "after {} interrupts", i + 1);
    }
    assert_eq!(nic.writes_to(regs::RADV), [8, 8]);
    assert_eq!(nic.writes_to(regs::VN_RXFRAMES), [256, 256]);
    let log = drv.take_moderation_log();
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].source, log[0].value), (ModerationSource::DimRx, 1));
    let (rx, tx) = drv.dim_state();
    assert_eq!(rx.unwrap().profile_ix, 1);
    assert!(tx.is_none());
}

#[test]
fn dynamic_itr_starts_at_20000_and_moves_at_napi_completion() {
    // e1000_check_options: adapter->itr = 20000 -> ITR = 1e9 / (20000 * 256) = 195.
    let cfg = DriverConfig { itr_mode: ItrMode::Dynamic, ..DriverConfig::default() };
    let (mut nic, mut drv) = rig(cfg);
    assert_eq!(nic.writes_to(regs::ITR), [195]);
    assert_eq!(drv.counters().itr_rate, 20_000);
    // One small frame per interrupt: lowest_latency stays (e1000_update_itr),
    // 70000 wanted, the rise ramps: 20000 + 17500, + 17500, then 70000.
    for want in [37_500u32, 55_000, 70_000] {
        assert!(nic.receive_bytes(frame(1, 60)));
        service(&mut nic, &mut drv);
        assert_eq!(*nic.writes_to(regs::ITR).last().unwrap(), 1_000_000_000 / (want * 256));
        assert_eq!(drv.counters().itr_rate, u64::from(want));
    }
    assert_eq!(drv.counters().itr_changes, 3);
    assert_eq!(drv.itr_class(), Some(LatencyRange::Lowest));
    // One 1514-byte frame: packets < 5 && bytes > 512 -> low_latency, 20000 at once.
    assert!(nic.receive_bytes(frame(2, 1514)));
    service(&mut nic, &mut drv);
    assert_eq!(drv.itr_class(), Some(LatencyRange::Low));
    assert_eq!(*nic.writes_to(regs::ITR).last().unwrap(), 195);
    assert_eq!(drv.config().coalesce.itr_max_irqs_per_sec, 20_000, "config() shows the rate in force");
}
