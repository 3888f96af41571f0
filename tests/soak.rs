//! `verinic soak`, short: every check holds on a seeded mixed-fault run and
//! the exit code says so; each hidden test hook (a mutation: a corrupted
//! delivery, a miscounted stack drop, a refill hold never released, a slow
//! phase that does not slow the application, a TX frame lost, a TX checksum
//! broken) makes its check fail and the exit
//! code 1; a usage error exits 2.

use std::process::{Command, Output};

use verinic::run::soak::{run_soak, SoakOptions};
use verinic_sim::SimOptions;

fn soak(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_verinic")).arg("soak").args(args).output().unwrap()
}

#[test]
fn a_short_soak_holds_every_check_and_exits_0() {
    let out = soak(&["--frames", "20000", "--seed", "7", "--quiet"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    for check in [
        "conservation",
        "drops_by_reason",
        "refill_pauses",
        "slow_app",
        "tx_delivery",
        "tx_checksums",
        "byte_exact",
        "order",
        "buffer_pool",
        "ring_invariants",
    ] {
        assert!(text.lines().any(|l| l.contains("[pass]") && l.contains(check)), "{check} not passed:\n{text}");
    }
    assert!(!text.contains("FAIL"), "{text}");
    assert!(text.contains("result: every check held"), "{text}");
}

#[test]
fn a_corrupted_delivery_fails_the_byte_exact_check_and_exits_1() {
    let out = soak(&["--frames", "5000", "--seed", "7", "--quiet", "--test-corrupt-delivery", "10", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["unmatched"], 1, "{v}");
    let checks = v["checks"].as_array().unwrap();
    let failed: Vec<&str> =
        checks.iter().filter(|c| c["passed"] == false).map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(failed, ["byte_exact"], "only the byte-exact check fails");
}

/// The soak with a hidden hook, as JSON: exit code 1, and the names of the
/// checks that failed.
fn failed_checks(hook: &[&str]) -> Vec<String> {
    let mut args = vec!["--frames", "5000", "--seed", "7", "--quiet", "--json"];
    args.extend_from_slice(hook);
    let out = soak(&args);
    assert_eq!(out.status.code(), Some(1), "{hook:?}: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let checks = v["checks"].as_array().unwrap();
    checks.iter().filter(|c| c["passed"] == false).map(|c| c["name"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_stack_drop_counted_under_the_wrong_reason_fails_drops_by_reason() {
    assert_eq!(failed_checks(&["--test-miscount-stack-drop"]), ["drops_by_reason"]);
}

/// A hold never released: no recovery, and the frames stuck in the device
/// when the run ends also break conservation.
#[test]
fn a_refill_hold_never_released_fails_refill_pauses() {
    let failed = failed_checks(&["--test-never-release-refill"]);
    assert!(failed.contains(&"refill_pauses".to_string()), "{failed:?}");
}

/// 20,000 frames: the first slow phase finds the application starved (it
/// reads nothing, whatever it costs); the second one shows the cost.
#[test]
fn a_slow_phase_that_does_not_slow_the_application_fails_slow_app() {
    let out = soak(&["--frames", "20000", "--seed", "7", "--quiet", "--json", "--test-skip-slow-app"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let checks = v["checks"].as_array().unwrap();
    let failed: Vec<&str> =
        checks.iter().filter(|c| c["passed"] == false).map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(failed, ["slow_app"]);
}

#[test]
fn a_tx_frame_lost_on_the_way_fails_tx_delivery() {
    assert_eq!(failed_checks(&["--test-drop-tx-frame", "5"]), ["tx_delivery"]);
}

#[test]
fn a_wrong_tx_checksum_fails_tx_checksums() {
    assert_eq!(failed_checks(&["--test-corrupt-tx-csum", "5"]), ["tx_checksums"]);
}

#[test]
fn usage_errors_exit_2_and_name_the_fix() {
    let out = soak(&["--frames", "10", "--fault-rate", "1.5"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--fault-rate") && err.contains("between 0 and 1"), "{err}");
    assert_eq!(soak(&["--frames", "0"]).status.code(), Some(2));
}

#[test]
fn the_same_seed_gives_the_same_soak() {
    let run = |seed| {
        let r = run_soak(&SoakOptions::new(3000, seed), &SimOptions::default(), &mut |_, _| {}, &Default::default())
            .unwrap();
        assert!(r.passed(), "{r}");
        (r.frames_to_stack, r.drops.clone(), r.injected)
    };
    assert_eq!(run(11), run(11));
    assert_ne!(run(11), run(12));
}

/// With DMA errors (`[memory] error_rate`) the device halts and the driver
/// resets it again and again under RX and TX load: every check still holds,
/// with frames counted as discarded (`rx_discarded`), lost in resets on
/// receive (`rx_reset_lost`) and on transmit (`tx_reset_lost`, exact against
/// the frames that never came out).
#[test]
fn a_soak_with_dma_errors_and_resets_holds_every_check() {
    let mut opts = SoakOptions::new(30_000, 5);
    opts.base.memory.error_rate = 0.001;
    let r = run_soak(&opts, &SimOptions::default(), &mut |_, _| {}, &Default::default()).unwrap();
    assert!(r.passed(), "{r}");
    let drop = |name: &str| r.drops.iter().find(|d| d.0 == name).map_or(0, |d| d.1);
    assert!(drop("rx_reset_lost") > 0 && drop("rx_discarded") > 0, "{r}");
    let tx = r.checks.iter().find(|c| c.name == "tx_delivery").unwrap();
    assert!(!tx.detail.contains("lost in resets 0 "), "no TX frame lost in a reset: the test does not test: {r}");
}
