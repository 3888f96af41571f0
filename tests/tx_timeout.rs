//! The TX watchdog against the Verilated RTL (host-driver/src/watchdog.rs;
//! e1000's `e1000_tx_timeout` called by the netdev watchdog, `dev_watchdog`).
//!
//! - A transmitter that stops: the test clears TCTL.EN behind the driver's
//!   back while the application keeps sending. The watchdog resets the
//!   device after `tx_timeout_us` and no later than one watchdog period
//!   after that (bounds computed from the configuration); `tx_timeout_count`
//!   and `reset_count` are 1; nothing left the wire in between; transmission
//!   resumes, byte-exact and in order; every frame the application handed to
//!   the driver is on the wire or counted in `tx_reset_dropped`; the buffer
//!   pools are whole.
//! - A healthy transmitter kept busy beyond line rate for a hundred timeouts
//!   (the ring full, the queue stopping and waking) never times out: with
//!   interrupts held back (the oldest frame done and not yet cleaned) and
//!   with an interrupt per completion (the oldest frame not done, the
//!   completions just cleaned).

use verinic::cosim::machine::frame_seq;
use verinic::cosim::{AppConfig, Machine, World};
use verinic::frames::Direction;
use verinic::rng::Rng;
use verinic_driver::{regs, Coalesce, CpuCosts, DriverConfig, Platform, TxTimeoutCause, WatchdogOutcome};
use verinic_sim::nic::NicConfig;
use verinic_sim::xgmii::EncoderConfig;
use verinic_sim::SimOptions;

/// Device cycle to ns (156.25 MHz).
fn cycle_ns(cycle: u64) -> u64 {
    verinic::cosim::cycle_ns(cycle)
}

fn machine(driver: DriverConfig, app: AppConfig) -> Machine {
    let world = World::new(&SimOptions::default(), &NicConfig::default(), EncoderConfig::default()).expect("NIC model");
    let mut m = Machine::new(world, driver, CpuCosts::default(), app).expect("driver probe");
    m.world.keep_tx_frames = true;
    m
}

/// The application's frame `seq`, as `Machine::send_one` builds it (raw
/// frames need no checksum, so the stack leaves them as they are).
fn app_frame(app: &AppConfig, seq: u32) -> Vec<u8> {
    let mut rng = Rng::new(u64::from(seq) ^ 0x7478);
    app.tx_frames.build(Direction::FromHost, app.tx_frame_len, seq, &mut rng)
}

fn run_ns(m: &mut Machine, ns: u64) {
    let t = m.now_ns() + ns;
    m.run_until(t);
}

/// Every frame on the wire, good, byte-exact, as sequence numbers.
fn wire_seqs(m: &Machine, app: &AppConfig) -> Vec<u32> {
    m.world
        .tx_frames
        .iter()
        .map(|f| {
            assert!(f.fcs_ok && f.error.is_none(), "a broken frame on the wire: {f:?}");
            let seq = frame_seq(&f.bytes).expect("an application frame");
            assert_eq!(f.bytes, app_frame(app, seq), "frame {seq} is not what the application sent");
            seq
        })
        .collect()
}

const TX_TIMEOUT_US: u64 = 2_000;
const WATCHDOG_US: u64 = 500;
const SEND_PER_SEC: f64 = 20_000.0;

/// What a run leaves to compare: the driver's counters, the watchdog's
/// log, the frames on the wire and where the CPU's time went.
type Summary = (Vec<(&'static str, u64)>, verinic::cosim::WatchdogLog, Vec<u32>, verinic::cosim::CpuTime);

#[test]
fn a_stopped_transmitter_is_reset_after_tx_timeout_and_resumes() {
    let first = stopped_transmitter();
    assert_eq!(first, stopped_transmitter(), "the same run twice is the same");
}

fn stopped_transmitter() -> Summary {
    let driver = DriverConfig { tx_timeout_us: TX_TIMEOUT_US, watchdog_interval_us: WATCHDOG_US, ..Default::default() };
    let app = AppConfig { tx_frames_per_sec: SEND_PER_SEC, tx_frame_len: 1000, ..AppConfig::default() };
    let send_period_ns = (1e9 / SEND_PER_SEC) as u64;
    let mut m = machine(driver, app);

    // Healthy first: the watchdog runs and finds nothing.
    run_ns(&mut m, 2_000_000);
    assert!(m.watchdog.runs >= 3, "the watchdog ran every {WATCHDOG_US} us: {}", m.watchdog.runs);
    assert_eq!(m.driver.counters().tx_timeout_count, 0);
    assert!(m.app.tx_sent > 30);

    // Stop the transmitter at a moment it is idle: every frame sent is on
    // the wire and cleaned, so the first frame it owes comes after the stop.
    let n = m.driver.config().tx_ring;
    while !(m.driver.ring_state().tx_free == n - 1 && m.world.tx_good == m.app.tx_sent) {
        run_ns(&mut m, 1_000);
    }
    m.with_host(|_, h| h.write_reg(regs::TCTL, 0));
    let stop_ns = m.now_ns();
    let sent_before_stop = m.app.tx_sent;

    // Find the reset in 10 us steps.
    let (timeout_ns, period_ns) = (TX_TIMEOUT_US * 1000, WATCHDOG_US * 1000);
    let give_up = stop_ns + timeout_ns + 3 * period_ns;
    let mut before = m.now_ns();
    while m.driver.counters().reset_count == 0 {
        assert!(m.now_ns() < give_up, "no reset {} us after the transmitter stopped", (m.now_ns() - stop_ns) / 1000);
        before = m.now_ns();
        run_ns(&mut m, 10_000);
    }
    let after = m.now_ns();
    let [(reset_at, outcome)] =
        m.watchdog.timeouts.clone().try_into().unwrap_or_else(|t: Vec<_>| panic!("one TX timeout expected: {t:?}"));
    assert!(matches!(outcome, WatchdogOutcome::TxTimeout { cause: TxTimeoutCause::Hang { .. }, reset: Ok(()) }));
    assert!((before..after).contains(&reset_at), "the log's time {reset_at} outside the step {before}..{after}");
    // The frames owed came after the stop, so strictly more than tx_timeout
    // after it; at the latest the first tick after the first of them
    // (queued within one send period) went stale, and the run of the tick
    // itself (its register reads and the reset) is well within 50 us.
    let (lo, hi) = (stop_ns + timeout_ns, stop_ns + send_period_ns + timeout_ns + period_ns + 50_000);
    let since = |t: u64| (t - stop_ns) as f64 / 1000.0;
    assert!(
        reset_at > lo && after <= hi + 10_000 && reset_at <= hi,
        "reset {:.1} us after the stop, outside ({:.1}, {:.1}]",
        since(reset_at),
        since(lo),
        since(hi)
    );
    let s = *m.driver.counters();
    assert_eq!((s.tx_timeout_count, s.reset_count, s.dma_errors), (1, 1, 0), "{s:?}");
    assert!(s.tx_reset_dropped > 0, "the frames sent while stopped were dropped in the reset: {s:?}");
    let stopped_ns = reset_at - stop_ns;
    let owed = m.app.tx_sent - sent_before_stop;
    assert!(owed >= stopped_ns / send_period_ns - 2, "the application kept sending: {owed} frames");
    // Nothing left the wire while stopped.
    let quiet = m.world.tx_frames.iter().filter(|f| (stop_ns..reset_at).contains(&cycle_ns(f.start_cycle))).count();
    assert_eq!(quiet, 0, "frames left a stopped transmitter");

    // It resumes: more traffic, then sending stops and the machine drains.
    run_ns(&mut m, 2_000_000);
    m.drain(1_000_000);
    let s = *m.driver.counters();
    assert_eq!((s.tx_timeout_count, s.reset_count), (1, 1), "a healthy transmitter again: {s:?}");

    let wire = wire_seqs(&m, &app);
    if let Some(w) = wire.windows(2).find(|w| w[0] >= w[1]) {
        panic!("frame {} after {}: twice or out of order", w[1], w[0]);
    }
    let sent = m.app.tx_sent;
    assert_eq!(sent, wire.len() as u64 + s.tx_reset_dropped, "sent = on the wire + dropped in the reset: {s:?}");
    assert_eq!(s.tx_packets + s.tx_reset_dropped, sent, "every frame completed or dropped: {s:?}");
    // The frames missing from the wire are exactly those queued after the
    // stop and before the reset: a block right after the last one that left.
    let first_lost = sent_before_stop as u32;
    let lost: Vec<u32> = (0..sent as u32).filter(|q| wire.binary_search(q).is_err()).collect();
    assert_eq!(lost, (first_lost..first_lost + s.tx_reset_dropped as u32).collect::<Vec<_>>());
    let resumed = wire.iter().filter(|&&q| q >= first_lost).count();
    assert!(resumed > 30, "transmission resumed: {resumed} frames after the reset");
    assert!(m.driver.buffer_census().conserved(), "{:?}", m.driver.buffer_census());
    let mem = m.world.nic.memory().stats();
    assert_eq!((mem.decerr, mem.slverr, mem.protocol_errors), (0, 0, 0), "{mem:?}");
    eprintln!(
        "stopped at {:.1} us, reset {:.1} us later (tx_timeout {TX_TIMEOUT_US} us, watchdog every {WATCHDOG_US} us); \
         sent {sent}, on the wire {}, dropped in the reset {}",
        stop_ns as f64 / 1000.0,
        since(reset_at),
        wire.len(),
        s.tx_reset_dropped
    );
    (m.driver.stats(), m.watchdog.clone(), wire, m.cpu)
}

#[test]
fn a_busy_transmitter_at_line_rate_never_times_out() {
    let (timeout_us, period_us) = (200, 100);
    let base = DriverConfig { tx_timeout_us: timeout_us, watchdog_interval_us: period_us, ..Default::default() };
    // 1514-byte frames at 900,000/s, more than the 812,744/s a 10 Gb/s wire
    // carries, under the default coalescing: interrupts at most 8000/s, so
    // the watchdog mostly finds the oldest frame done (DD) and not cleaned.
    busy(base, 1514, 900_000.0, 100 * timeout_us);
    // 9000-byte frames at 150,000/s (the wire carries 138,427/s) with an
    // interrupt for every completion: the oldest frame left is never done
    // when the watchdog looks, and only the completions cleaned a moment
    // before tell it the transmitter moves.
    let every_frame = Coalesce { tx_usecs: 0, tx_frames: 1, tx_usecs_abs: 0, itr_max_irqs_per_sec: 0, ..base.coalesce };
    let jumbo = DriverConfig {
        coalesce: every_frame,
        tx_max_frame_len: 9018,
        tx_stop_threshold: 5,
        tx_wake_threshold: 10,
        ..base
    };
    busy(jumbo, 9000, 150_000.0, 100 * timeout_us);
}

/// Sends `len`-byte frames at `per_sec` (beyond line rate) for `run_us`: the
/// ring full, the queue stopping and waking, the wire at line rate, and no
/// TX timeout ever.
fn busy(driver: DriverConfig, len: usize, per_sec: f64, run_us: u64) {
    let app = AppConfig { tx_frames_per_sec: per_sec, tx_frame_len: len, tx_batch: 8, ..AppConfig::default() };
    let mut m = machine(driver, app);
    run_ns(&mut m, run_us * 1000);
    let s = *m.driver.counters();
    assert_eq!((s.tx_timeout_count, s.reset_count, s.tx_reset_dropped), (0, 0, 0), "{len} bytes: {s:?}");
    // Re-armed a period after each run ends (as e1000_watchdog re-arms
    // itself), a run taking its register reads (STATUS, the statistics):
    // under 20 us.
    let period_us = driver.watchdog_interval_us;
    assert!(m.watchdog.runs >= run_us / (period_us + 20) - 1, "the watchdog ran: {}", m.watchdog.runs);
    assert!(s.tx_queue_stopped > 0 && s.tx_restart_queue > 0, "the ring filled: {s:?}");
    // Line rate: the frame, its FCS, preamble and the minimum gap (12).
    let line_rate = 10e9 / ((len as f64 + 24.0) * 8.0);
    let expected = line_rate * run_us as f64 / 1e6;
    let wire = m.world.tx_good as f64;
    assert!(wire > 0.95 * expected, "{len} bytes: {wire} frames on the wire, line rate would be {expected:.0}");
    wire_seqs(&m, &app);
}

#[test]
fn bad_watchdog_settings_are_errors_naming_the_field() {
    use verinic::run::Scenario;
    for (text, field, says) in [
        ("[driver]\ntx_timeout_us = 1000\n", "driver.tx_timeout_us", "watchdog_interval_us (2000000)"),
        ("[driver]\ntx_timeout_us = 3600000001\n", "driver.tx_timeout_us", "0 (off)"),
        ("[driver]\nwatchdog_interval_us = 50\n", "driver.watchdog_interval_us", "100..=60000000"),
        ("[driver]\nwatchdog_interval_us = 0\ntx_timeout_us = 0\n", "driver.watchdog_interval_us", "100.."),
    ] {
        let e = Scenario::from_toml_str(text).expect_err(text).to_string();
        assert!(e.contains(field) && e.contains(says), "{text}: {e}");
    }
    let s = Scenario::from_toml_str("[driver]\ntx_timeout_us = 1000\nwatchdog_interval_us = 250\n").unwrap();
    assert_eq!((s.driver.tx_timeout_us, s.driver.watchdog_interval_us), (1000, 250));
    let s = Scenario::from_toml_str("[driver]\ntx_timeout_us = 0\n").unwrap();
    assert_eq!(s.driver.tx_timeout_us, 0, "0 turns the TX timeout off");
}
