//! Receive livelock and NAPI against the Verilated RTL (docs/livelock.md):
//! the shape of the published results as assertions on short seeded runs of
//! the scenarios in scenarios/livelock/, conservation with the host's drop
//! points in every mode, the fair scheduler's promise, and bad settings.

use verinic::run::{run_scenario, Report, Scenario};
use verinic_sim::SimOptions;

/// A livelock scenario file without its `[sweep]` table, at `load`, over a
/// window shorter than the files' 60 ms.
fn scenario(file: &str, load: f64, duration_us: u64) -> Scenario {
    let text = std::fs::read_to_string(format!("{}/scenarios/livelock/{file}.toml", env!("CARGO_MANIFEST_DIR")))
        .expect("livelock scenario");
    let body = &text[..text.find("[sweep]").expect("a sweep file")];
    let mut s = Scenario::from_toml_str(body).unwrap();
    s.rx.load = load;
    s.duration_us = duration_us;
    s
}

fn run(s: &Scenario) -> Report {
    let r = run_scenario(s, &SimOptions::default(), &mut |_| {}).expect("run");
    assert!(r.conserved && r.in_flight_at_end == 0, "every offered frame read or counted: {r}");
    r
}

/// Loads in fractions of 10G (64-byte frames: x 14.88 Mpps).
const LOADS: [f64; 6] = [0.005, 0.01, 0.02, 0.04, 0.08, 0.16];

/// (offered Mpps, read by the application Mpps, drops) at each load, over
/// `duration_us` windows (past the MLFRR the shares settle over several
/// 3 ms scheduler slices, after the first 2 ms of inline softirq).
fn curve(file: &str, duration_us: u64) -> Vec<(f64, f64, u64)> {
    LOADS
        .iter()
        .map(|&l| {
            let r = run(&scenario(file, l, duration_us));
            (r.offered_mpps, r.app_mpps, r.drops_total)
        })
        .collect()
}

/// The maximum loss-free receive rate: the highest offered rate of the
/// curve with no drop, and the curve's peak delivered rate.
fn mlfrr_and_peak(c: &[(f64, f64, u64)]) -> (f64, f64) {
    let mlfrr = c.iter().filter(|p| p.2 == 0).map(|p| p.0).fold(0.0, f64::max);
    let peak = c.iter().map(|p| p.1).fold(0.0, f64::max);
    (mlfrr, peak)
}

/// The delivered rate at the first load offering at least `rate`.
fn delivered_at(c: &[(f64, f64, u64)], rate: f64) -> f64 {
    c.iter().find(|p| p.0 >= rate * 0.98).map(|p| p.1).expect("the sweep reaches that rate")
}

/// Mogul and Ramakrishnan's livelock with the legacy path; a plateau with
/// NAPI as e1000 ships it (with its coalescing).
#[test]
fn legacy_collapses_and_napi_holds_a_plateau() {
    let legacy = curve("legacy", 10_000);
    let (mlfrr, peak) = mlfrr_and_peak(&legacy);
    assert!(mlfrr > 0.0 && peak > 0.0, "{legacy:?}");
    let at_twice = delivered_at(&legacy, 2.0 * mlfrr);
    assert!(at_twice < 0.5 * peak, "legacy at twice its MLFRR {mlfrr} Mpps: {at_twice} of peak {peak}: {legacy:?}");

    let napi = curve("napi_coalesce", 40_000);
    let (mlfrr, peak) = mlfrr_and_peak(&napi);
    let at_twice = delivered_at(&napi, 2.0 * mlfrr);
    assert!(at_twice >= 0.9 * peak, "NAPI at twice its MLFRR {mlfrr} Mpps: {at_twice} of peak {peak}: {napi:?}");
}

/// Under saturation a poll always uses its whole budget, interrupts stay
/// masked: far fewer than 0.01 interrupts per frame, in both NAPI modes; the
/// legacy path takes about one per frame at light load.
#[test]
fn napi_under_saturation_takes_almost_no_interrupts() {
    for file in ["napi", "napi_coalesce"] {
        let r = run(&scenario(file, 0.3, 10_000));
        assert!(r.irqs_per_million_frames < 10_000.0, "{file}: {} per million", r.irqs_per_million_frames);
        assert!(r.cpu.ksoftirqd > 0.0, "{file}: the softirq is handed to ksoftirqd under overload: {r}");
    }
    let r = run(&scenario("legacy", 0.005, 5_000));
    assert!((0.9e6..=1.1e6).contains(&r.irqs_per_million_frames), "{}", r.irqs_per_million_frames);
}

/// Every frame put on the wire is read by the application or counted with
/// its reason, in each mode, with the legacy backlog and the socket buffer
/// both overflowing.
#[test]
fn conservation_holds_with_the_host_drop_points() {
    for file in ["legacy", "napi", "napi_coalesce", "dim"] {
        let r = run(&scenario(file, 0.2, 3_000));
        let sum: u64 = r.drops.iter().map(|(_, n)| n).sum();
        assert_eq!(r.frames_offered, r.frames_delivered + sum, "{file}: {r}");
        assert!(r.drops_total > 0, "{file}: overload must drop: {r}");
    }
    let r = run(&scenario("legacy", 0.2, 3_000));
    assert!(r.drop_count("backlog_full") > 0, "{r}");
    let r = run(&scenario("napi_coalesce", 0.2, 3_000));
    assert!(r.drop_count("socket_rcvbuf_full") > 0, "{r}");
}

/// With a saturating load and an application that always has work, the
/// application gets about half of the time the two threads share: the
/// scheduler's promise (two threads at nice 0), less a slice of slack.
#[test]
fn ksoftirqd_and_the_application_share_the_core() {
    let mut s = scenario("napi", 0.3, 20_000);
    s.cpu.app_rx_ns_per_frame = 2_000;
    // Short slices, so that 20 ms hold many of them: the promise is per slice.
    s.cpu.sched_slice_us = 500;
    let r = run(&s);
    let (k, a) = (r.cpu.ksoftirqd_ns as f64, r.cpu.app_ns as f64);
    let share = a / (k + a);
    assert!(share >= 0.45, "application share {share:.3} of ksoftirqd + application: {r}");
    assert!(r.app_mpps > 0.1, "{r}");
}

/// Settings that cannot work are errors naming the field.
#[test]
fn bad_host_settings_are_errors_naming_the_field() {
    for (text, field) in [
        ("[driver]\nnapi = false\nadaptive_rx = true\n", "driver.adaptive_rx"),
        ("[driver]\nnapi = false\nitr_mode = \"dynamic\"\n", "driver.itr_mode"),
        ("[driver]\nnetdev_max_backlog = 0\n", "driver.netdev_max_backlog"),
        ("[cpu]\nsched_slice_us = 0\n", "cpu.sched_slice_us"),
        ("[cpu]\nrmem = 1000\n", "cpu.rmem"),
        ("[cpu]\nrecv_batch = 0\n", "cpu.recv_batch"),
        ("[cpu]\ncopy_ns_per_byte = -1.0\n", "cpu.copy_ns_per_byte"),
    ] {
        let e = Scenario::from_toml_str(text).expect_err(text).to_string();
        assert!(e.contains(field), "{text}: {e}");
    }
}
