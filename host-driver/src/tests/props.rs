//! Property tests: whatever the ring size, buffer size, budgets, batch and
//! traffic, every frame arrives once, intact and in order, and every buffer
//! comes back.

use proptest::prelude::*;

use super::frame;
use crate::mock::MockNic;
use crate::{CpuCosts, Driver, DriverConfig, RxPacket};

fn ring() -> impl Strategy<Value = usize> {
    prop::sample::select(vec![8usize, 16, 64, 256])
}

fn buf_len() -> impl Strategy<Value = usize> {
    prop::sample::select(vec![256usize, 512, 1024, 2048])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn rx_delivers_everything_in_order(
        n in ring(),
        buf in buf_len(),
        budget in 1usize..80,
        batch_pick in 1usize..300,
        netdev_budget in 1usize..400,
        bursts in prop::collection::vec(prop::collection::vec(1usize..3000, 0..20), 1..12),
    ) {
        let cfg = DriverConfig {
            rx_ring: n,
            tx_ring: 8,
            rx_buf_len: buf,
            napi_budget: budget,
            netdev_budget,
            rx_refill_batch: batch_pick,
            ..DriverConfig::default()
        };
        let mut nic = MockNic::new();
        nic.fifo_capacity = 10_000;
        let mut drv = Driver::probe_with_costs(&mut nic, cfg, CpuCosts::zero()).unwrap();
        // A frame needing more descriptors than the ring can own would wait forever.
        let max_len = (n - 1) * buf;
        let mut sent = Vec::new();
        let mut got = Vec::new();
        let mut seq = 0u32;
        for burst in &bursts {
            for &len in burst {
                let len = 1 + (len - 1) % max_len;
                prop_assert!(nic.receive_bytes(frame(seq, len)));
                sent.push((seq, len));
                seq += 1;
            }
            // Service until the device has nothing left to give.
            for _ in 0..10_000 {
                if nic.irq_asserted() {
                    drv.irq(&mut nic);
                }
                if !drv.napi_scheduled() {
                    break;
                }
                drv.softirq(&mut nic, &mut |p| got.push(p));
                let st = drv.ring_state();
                // After every round all taken slots have their buffers back.
                prop_assert_eq!(st.rx_next_to_use, (st.rx_next_to_clean + n - 1) % n);
            }
            prop_assert_eq!(nic.rx_fifo_len(), 0);
        }
        prop_assert_eq!(got.len(), sent.len());
        for (p, &(s, len)) in got.iter().zip(&sent) {
            prop_assert_eq!(&p.data, &frame(s, len));
            prop_assert_eq!(usize::from(p.segments), len.div_ceil(buf));
        }
        let c = drv.counters();
        prop_assert_eq!(c.rx_packets, sent.len() as u64);
        prop_assert_eq!(c.rx_errors, 0);
        prop_assert_eq!(c.alloc_rx_buff_failed, 0);
        prop_assert!(!drv.napi_scheduled());
    }

    #[test]
    fn tx_sends_everything_in_order(
        n in ring(),
        frames in prop::collection::vec((1usize..9019, any::<bool>(), 0usize..4), 1..200),
    ) {
        let cfg = DriverConfig {
            rx_ring: 8,
            tx_ring: n,
            tx_max_frame_len: 9018,
            tx_stop_threshold: 5,
            tx_wake_threshold: 5 + n / 4,
            ..DriverConfig::default()
        };
        let mut nic = MockNic::new();
        nic.auto_tx = false;
        let mut drv = Driver::probe_with_costs(&mut nic, cfg, CpuCosts::zero()).unwrap();
        let mut queued = Vec::new();
        for (seq, &(len, more, device_steps)) in frames.iter().enumerate() {
            let f = frame(seq as u32, len);
            match drv.xmit(&mut nic, f.clone(), more) {
                Ok(()) => queued.push(f),
                Err(crate::TxError::QueueStopped) => {
                    prop_assert!(drv.tx_queue_stopped());
                    // Let the device finish everything announced, then clean.
                    drv.flush_tx(&mut nic);
                    nic.process_tx(usize::MAX);
                    drv.napi_poll(&mut nic, 64, &mut |_: RxPacket| {});
                    prop_assert!(!drv.tx_queue_stopped());
                    drv.xmit(&mut nic, f.clone(), more).unwrap();
                    queued.push(f);
                }
                Err(e) => prop_assert!(false, "unexpected {:?}", e),
            }
            nic.process_tx(device_steps);
            if seq % 5 == 0 {
                drv.napi_poll(&mut nic, 64, &mut |_: RxPacket| {});
            }
        }
        drv.flush_tx(&mut nic);
        nic.process_tx(usize::MAX);
        drv.napi_poll(&mut nic, 64, &mut |_: RxPacket| {});
        let sent: Vec<_> = nic.take_sent().into_iter().map(|s| s.data).collect();
        prop_assert_eq!(sent, queued.clone());
        prop_assert_eq!(drv.counters().tx_packets, queued.len() as u64);
        prop_assert_eq!(drv.ring_state().tx_free, n - 1);
    }
}
