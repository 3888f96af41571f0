//! Scenarios parse and validate; a short run end to end accounts for every
//! frame and reports under the documented field names (docs/report.md).

use std::path::Path;

use serde_json::Value;
use verinic::run::scenario::{Scenario, ScenarioError};
use verinic::run::{run_scenario, Report};
use verinic_sim::SimOptions;

fn example(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name)
}

#[test]
fn example_scenarios_parse() {
    for name in ["default.toml", "low_latency.toml", "bulk.toml"] {
        Scenario::from_file(example(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    assert_eq!(
        Scenario::from_file(example("default.toml")).unwrap(),
        Scenario::default(),
        "scenarios/default.toml must spell out the built-in scenario"
    );
}

#[test]
fn empty_toml_is_the_default() {
    let s = Scenario::from_toml_str("").unwrap();
    assert_eq!(s, Scenario::default());
    assert_eq!(s.duration_us, 10_000, "one default duration: the built-in scenario's");
    // A partial section keeps the other fields' defaults.
    let s = Scenario::from_toml_str("[driver]\nrx_ring = 512\n").unwrap();
    assert_eq!(s.driver.rx_ring, 512);
    assert_eq!(s.driver.tx_ring, Scenario::default().driver.tx_ring);
}

#[test]
fn unknown_field_is_named() {
    let e = Scenario::from_toml_str("[rx]\nlod = 0.5\n").unwrap_err();
    assert!(matches!(e, ScenarioError::Parse { .. }), "{e:?}");
    assert!(e.to_string().contains("lod"), "{e}");
    let e = Scenario::from_toml_str("durration_us = 5\n").unwrap_err();
    assert!(e.to_string().contains("durration_us"), "{e}");
    let e = Scenario::from_toml_str("[nic]\n").unwrap_err();
    assert!(e.to_string().contains("nic"), "{e}");
}

#[test]
fn out_of_range_names_field_value_and_range() {
    let e = Scenario::from_toml_str("[driver]\nrx_ring = 100\n").unwrap_err().to_string();
    assert!(e.contains("driver.rx_ring = 100") && e.contains("8..=4096"), "{e}");
    let e = Scenario::from_toml_str("[rx]\nload = 1.5\n").unwrap_err().to_string();
    assert!(e.contains("rx.load = 1.5") && e.contains("0..=1"), "{e}");
    let e = Scenario::from_toml_str("[rx]\nframe_sizes = [64, 20]\n").unwrap_err().to_string();
    assert!(e.contains("rx.frame_sizes[1] = 20") && e.contains("64..=1518"), "{e}");
    let e = Scenario::from_toml_str("[memory]\nmax_reads_in_flight = 0\n").unwrap_err().to_string();
    assert!(e.contains("memory.max_reads_in_flight = 0"), "{e}");
    let e = Scenario::from_toml_str("[driver]\nrx_ring = -8\n").unwrap_err().to_string();
    assert!(e.contains("rx_ring"), "{e}");
}

#[test]
fn missing_file_is_named() {
    let e = Scenario::from_file("no/such/scenario.toml").unwrap_err().to_string();
    assert!(e.contains("no/such/scenario.toml"), "{e}");
    let dir = std::env::temp_dir().join(format!("verinic-scenario-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[tx]\nframe_size = 9000\n").unwrap();
    let e = Scenario::from_file(&bad).unwrap_err().to_string();
    assert!(e.contains("bad.toml") && e.contains("tx.frame_size = 9000"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn short_run(text: &str) -> Report {
    let s = Scenario::from_toml_str(text).unwrap();
    run_scenario(&s, &SimOptions::default(), &mut |_| {}).expect("run")
}

fn assert_conserved(r: &Report) {
    let sum: u64 = r.drops.iter().map(|(_, n)| n).sum();
    assert_eq!(sum, r.drops_total);
    assert_eq!(r.frames_offered, r.frames_delivered + r.drops_total + r.in_flight_at_end, "{r}");
    assert!(r.conserved);
    assert_eq!(r.unaccounted, 0, "{r}");
}

const SHORT: &str = "duration_us = 200\n[rx]\nload = 0.3\n[tx]\nframes_per_sec = 50000\n";

#[test]
fn short_run_accounts_for_every_frame() {
    let r = short_run(SHORT);
    assert!(r.frames_offered > 100, "{r}");
    assert_conserved(&r);
    assert_eq!(r.in_flight_at_end, 0, "{r}");
    assert!(r.drain.is_some_and(|d| d.complete), "{r}");
    let l = r.latency_ns;
    assert_eq!(l.count, r.frames_to_stack);
    assert_eq!(l.unmatched, 0);
    assert!(l.p50 > 0 && l.p50 <= l.p99 && l.p99 <= l.p999 && l.p999 <= l.max, "{l:?}");
    assert!(r.throughput_gbps > 0.0 && r.offered_gbps > 0.0);
    assert!(r.tx.frames_offered >= 9, "{:?}", r.tx);
    assert_eq!(r.tx.frames_on_wire, r.tx.frames_offered);
    assert_eq!(r.tx.bad_on_wire, 0);
    let c = r.cpu;
    assert!(((c.irq + c.softirq + c.ksoftirqd + c.app + c.idle) - 1.0).abs() < 1e-9, "{c:?}");
    assert_eq!(c.irq_ns + c.softirq_ns + c.ksoftirqd_ns + c.app_ns + c.idle_ns, r.measured_ns);
    assert_eq!(c.app_syscall_ns + c.app_stack_ns + c.app_copy_ns + c.app_work_ns + c.app_tx_ns, c.app_ns);
}

#[test]
fn same_seed_same_report() {
    let a = short_run(SHORT);
    let b = short_run(SHORT);
    assert_eq!(a.frames_offered, b.frames_offered);
    assert_eq!(a.latency_ns, b.latency_ns);
    assert_eq!(a.stats, b.stats);
    assert_eq!(a.cpu, b.cpu);
}

#[test]
fn overload_drops_are_counted() {
    // 64-byte frames at line rate: the CPU cannot keep up, the FIFO overflows.
    let r = short_run("duration_us = 200\n[rx]\nload = 1.0\nframe_sizes = [64]\n[tx]\nframes_per_sec = 0\n");
    assert!(r.drop_count("rx_missed_errors") > 0, "{r}");
    assert_conserved(&r);
}

#[test]
fn json_has_the_documented_fields() {
    let r = short_run(SHORT);
    let v: Value = serde_json::from_str(&r.to_json()).unwrap();
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    let sorted = |list: &[&str]| -> Vec<String> {
        let mut k: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&v),
        sorted(&[
            "frames_offered",
            "frames_delivered",
            "frames_to_stack",
            "app_mpps",
            "irqs_per_million_frames",
            "drops",
            "drops_total",
            "in_flight_at_end",
            "conserved",
            "unaccounted",
            "offered_gbps",
            "offered_mpps",
            "throughput_gbps",
            "mpps",
            "latency_ns",
            "irqs",
            "irqs_per_sec",
            "rx_no_buffer_count",
            "time_squeeze",
            "cpu",
            "tx",
            "stats",
            "measured_ns",
            "drain",
            "interrupted",
            "sim_cycles",
            "wall_seconds",
            "sim_cycles_per_sec",
            "scenario",
            "checksums",
        ])
    );
    assert_eq!(
        keys(&v["drops"]),
        sorted(&[
            "rx_missed_errors",
            "rx_discarded",
            "rx_crc_errors",
            "rx_length_errors",
            "rxerrc",
            "rx_errors",
            "backlog_full",
            "socket_rcvbuf_full",
            "rx_reset_lost",
            "ip_hdr_errors",
            "ip_truncated",
            "l4_hdr_errors",
            "l4_csum_errors",
        ])
    );
    assert_eq!(keys(&v["latency_ns"]), sorted(&["p50", "p99", "p999", "max", "mean", "count", "unmatched"]));
    assert_eq!(
        keys(&v["cpu"]),
        sorted(&[
            "irq",
            "softirq",
            "ksoftirqd",
            "app",
            "idle",
            "busy",
            "irq_ns",
            "softirq_ns",
            "ksoftirqd_ns",
            "app_ns",
            "app_syscall_ns",
            "app_stack_ns",
            "app_copy_ns",
            "app_work_ns",
            "app_tx_ns",
            "idle_ns"
        ])
    );
    assert_eq!(
        keys(&v["tx"]),
        sorted(&[
            "frames_offered",
            "not_sent",
            "not_sent_reason",
            "frames_on_wire",
            "bad_on_wire",
            "tx_busy",
            "reset_dropped",
            "reset_lost",
            "tx_timeouts",
            "in_flight_at_end",
            "csum_offloaded"
        ])
    );
    assert_eq!(
        keys(&v["checksums"]),
        sorted(&[
            "rx_ip_good",
            "rx_ip_errors",
            "rx_l4_good",
            "rx_l4_errors",
            "rx_l4_not_checked",
            "tx_offloaded",
            "tx_software"
        ])
    );
    assert_eq!(keys(&v["scenario"]), sorted(&["duration_us", "seed", "rx", "tx", "driver", "cpu", "memory", "mmio"]));
    for name in ["rx_packets", "rx_missed_errors", "rx_no_buffer_count", "time_squeeze", "irqs", "gprc"] {
        assert!(v["stats"].get(name).is_some(), "stats.{name} missing");
    }
    assert_eq!(v["frames_offered"].as_u64(), Some(r.frames_offered));
    assert!(v["latency_ns"]["p50"].as_u64().unwrap() > 0);

    // The echoed scenario reads back as the same scenario.
    let echo: Scenario = serde_json::from_value(v["scenario"].clone()).unwrap();
    assert_eq!(echo, r.scenario);
}

/// DMA errors under receive load: every one resets the device while frames
/// arrive, some of them discarded on admission (`rx_discarded`), some lost
/// in the reset (`rx_reset_lost`). The drain still completes and the MAC's
/// counters still show every frame once (`unaccounted` 0): the sums count
/// VN_RXDISC and the frames lost in resets.
#[test]
fn resets_under_receive_load_keep_the_accounting_closed() {
    let r = short_run(
        "duration_us = 1000\n[rx]\nload = 0.9\n[memory]\nerror_rate = 0.01\nerror_kinds = [\"packet_write\"]\n",
    );
    let resets = r.stats.iter().find(|s| s.0 == "reset_count").map_or(0, |s| s.1);
    assert!(resets > 0, "no DMA error reset the device: {r}");
    assert!(r.drop_count("rx_discarded") + r.drop_count("rx_reset_lost") > 0, "{r}");
    assert!(r.drain.as_ref().is_some_and(|d| d.complete), "{r}");
    assert_conserved(&r);
    assert_eq!(r.in_flight_at_end, 0, "{r}");
}
