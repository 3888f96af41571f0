//! Hardware statistics accumulation and the ethtool -S list.

use super::{frame, rig, service, small};
use crate::regs;

#[test]
fn hw_stats_accumulate_clear_on_read_registers() {
    let (mut nic, mut drv) = rig(small(8));
    nic.fifo_capacity = 2;
    for s in 0..12 {
        nic.receive_bytes(frame(s, 100));
    }
    // 7 on the ring, 2 waiting (one RNBC: the wait began once), 3 missed.
    nic.bump_stat(regs::CRCERRS, 5);
    nic.bump_stat(regs::RXERRC, 4);
    nic.bump_stat(regs::RUC, 2);
    nic.bump_stat(regs::ROC, 1);
    nic.clear_log();
    drv.update_hw_stats(&mut nic);
    assert_eq!(nic.log().len(), 13, "every statistics register read once");
    assert!(nic.log().iter().all(|a| !a.write));
    let c = *drv.counters();
    assert_eq!(c.rx_missed_errors, 3);
    assert_eq!(c.rx_no_buffer_count, 1);
    assert_eq!(c.rx_crc_errors, 5);
    assert_eq!(c.rxerrc, 4);
    assert_eq!((c.rx_short_length_errors, c.rx_long_length_errors, c.rx_length_errors), (2, 1, 3));
    assert_eq!(c.gprc, 7);
    assert_eq!(c.gorc, 7 * 104);

    // Cleared on read: a second update adds nothing new...
    drv.update_hw_stats(&mut nic);
    assert_eq!(*drv.counters(), c);
    // ...until there is something new.
    service(&mut nic, &mut drv);
    service(&mut nic, &mut drv);
    drv.xmit(&mut nic, frame(0, 30), false).unwrap();
    drv.update_hw_stats(&mut nic);
    let c2 = *drv.counters();
    assert_eq!(c2.gprc, 9);
    assert_eq!(c2.rx_missed_errors, 3);
    assert_eq!(c2.gptc, 1);
    assert_eq!(c2.gotc, 64, "padded to 60, plus FCS");
    assert_eq!(c2.rx_packets, 9);
}

#[test]
fn octet_counters_carry_into_the_high_word() {
    let (mut nic, mut drv) = rig(small(8));
    nic.bump_stat(regs::GORCL, u32::MAX);
    nic.bump_stat(regs::GORCL, u32::MAX);
    nic.bump_stat(regs::GOTCL, 7);
    drv.update_hw_stats(&mut nic);
    assert_eq!(drv.counters().gorc, 2 * u64::from(u32::MAX));
    assert_eq!(drv.counters().gotc, 7);
}

#[test]
fn stats_list_matches_the_typed_counters() {
    let (mut nic, mut drv) = rig(small(8));
    nic.receive_bytes(frame(0, 80));
    service(&mut nic, &mut drv);
    let list = drv.stats();
    let get = |name: &str| list.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
    assert_eq!(get("rx_packets"), Some(1));
    assert_eq!(get("rx_bytes"), Some(80));
    assert_eq!(get("irqs"), Some(1));
    assert_eq!(get("napi_polls"), Some(1));
    assert_eq!(get("napi_complete"), Some(1));
    assert_eq!(get("no_such_counter"), None);
    assert_eq!(list, drv.counters().list());
}
