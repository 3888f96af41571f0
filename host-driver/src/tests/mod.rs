//! Driver tests against the behavioural mock device ([`crate::mock`]).
//! They check the driver's logic (rings, NAPI, batching, queue control);
//! the device's own behaviour is tested against the RTL elsewhere.

mod moderation;
mod napi;
mod probe;
mod props;
mod rx;
mod stats;
mod tx;
mod watchdog;

use bytes::Bytes;

use crate::mock::MockNic;
use crate::{CpuCosts, Driver, DriverConfig, RxPacket};

/// A frame of `len` bytes whose first four bytes carry `seq` and whose rest
/// is a pattern derived from it, so that misplaced or mixed data shows.
pub(crate) fn frame(seq: u32, len: usize) -> Bytes {
    let mut v: Vec<u8> = (0..len).map(|i| (i as u32).wrapping_mul(31).wrapping_add(seq) as u8).collect();
    for (i, b) in seq.to_le_bytes().iter().enumerate().take(len) {
        v[i] = *b;
    }
    Bytes::from(v)
}

/// A probed driver on a fresh mock, with the default cost model.
pub(crate) fn rig(cfg: DriverConfig) -> (MockNic, Driver) {
    let mut nic = MockNic::new();
    let drv = Driver::probe(&mut nic, cfg).expect("probe");
    (nic, drv)
}

/// Same, with CPU costs of zero (only register reads take time).
pub(crate) fn rig_zero_cost(cfg: DriverConfig) -> (MockNic, Driver) {
    let mut nic = MockNic::new();
    let drv = Driver::probe_with_costs(&mut nic, cfg, CpuCosts::zero()).expect("probe");
    (nic, drv)
}

/// Takes the interrupt if the line is up, then runs softirq rounds until
/// NAPI completes. Returns what was delivered.
pub(crate) fn service(nic: &mut MockNic, drv: &mut Driver) -> Vec<RxPacket> {
    let mut got = Vec::new();
    if nic.irq_asserted() {
        drv.irq(nic);
    }
    let mut rounds = 0;
    while drv.napi_scheduled() {
        drv.softirq(nic, &mut |p| got.push(p));
        rounds += 1;
        assert!(rounds < 100_000, "NAPI never completes");
    }
    got
}

pub(crate) fn small(n: usize) -> DriverConfig {
    DriverConfig { rx_ring: n, tx_ring: n, ..DriverConfig::default() }
}
