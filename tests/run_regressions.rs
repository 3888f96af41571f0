//! Regression tests for the defects found by driving `verinic run` as a new
//! user would: each failed before its fix.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use verinic::pcap::{read_frames, CapturedFrame, PcapWriter};
use verinic::run::scenario::Scenario;
use verinic::run::{run_scenario, Chunk, Observer, Report, RunError, Runner};
use verinic_sim::SimOptions;

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("verinic-regress-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(text: &str) -> Report {
    let s = Scenario::from_toml_str(text).unwrap();
    run_scenario(&s, &SimOptions::default(), &mut |_| {}).expect("run")
}

fn verinic(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_verinic")).args(args).output().expect("verinic runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Defect 1: the traffic offered depends on the scenario only. With a CPU
/// that spends 1 ms on each received frame, the device lagged the CPU's
/// clock by up to a millisecond when the window ended, and that stretch of
/// traffic was never offered (1923 frames instead of about 3540).
#[test]
fn offered_traffic_does_not_depend_on_the_cpu_model() {
    let base = "duration_us = 2000\n[tx]\nframes_per_sec = 0\n";
    let free = run(base);
    for cost in [10_000, 1_000_000] {
        let slow = run(&format!("{base}[cpu]\napp_rx_ns_per_frame = {cost}\n"));
        assert_eq!(slow.frames_offered, free.frames_offered, "app_rx_ns_per_frame = {cost}: {slow}");
        assert!((slow.offered_gbps - free.offered_gbps).abs() < 1e-9, "{} vs {}", slow.offered_gbps, free.offered_gbps);
        assert!(slow.conserved, "{slow}");
    }
    // 0.5 of 10G of the default mix (mean 213 bytes + 20 of preamble and gap)
    // for 2 ms is about 3540 frames and 4.72 Gb/s.
    assert!((3400..=3700).contains(&free.frames_offered), "{free}");
    assert!((4.5..=4.9).contains(&free.offered_gbps), "{free}");
}

/// Defect 2: an output capture named another way than the input (`./`,
/// `..`, a symbolic link) overwrote it.
#[test]
fn an_output_can_never_overwrite_an_input() {
    let dir = temp_dir("same-file");
    let input = dir.join("same.pcap");
    let frames = vec![CapturedFrame { data: vec![0x5A; 60], ts_ns: 0 }];
    let mut w = PcapWriter::create(&input).unwrap();
    for f in &frames {
        w.write(&f.data, f.ts_ns).unwrap();
    }
    w.finish().unwrap();
    let before = std::fs::read(&input).unwrap();
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&input, dir.join("link.pcap")).unwrap();
    let spellings = [
        dir.join(".").join("same.pcap"),
        dir.join("sub").join("..").join("same.pcap"),
        #[cfg(unix)]
        dir.join("link.pcap"),
    ];
    for alias in &spellings {
        for flag in ["--pcap-delivered", "--pcap-out"] {
            let o = verinic(&["run", "--duration-us", "50", "--pcap-in", path(&input), flag, path(alias)]);
            assert_eq!(o.status.code(), Some(2), "{flag} {}: {}", alias.display(), stderr(&o));
            assert!(stderr(&o).contains("overwritten"), "{}", stderr(&o));
            assert_eq!(std::fs::read(&input).unwrap(), before, "{flag} {} changed the input", alias.display());
        }
    }
    // The same rule inside a scenario file, and for the waveform and the scenario file itself.
    let scenario = dir.join("s.toml");
    std::fs::write(&scenario, "duration_us = 50\n[pcap]\ninput = \"same.pcap\"\ndelivered = \"sub/../same.pcap\"\n")
        .unwrap();
    let e = Scenario::from_file(&scenario).unwrap_err().to_string();
    assert!(e.contains("pcap.delivered") && e.contains("overwritten"), "{e}");
    std::fs::write(&scenario, "duration_us = 50\n").unwrap();
    let o = verinic(&["run", "--config", path(&scenario), "--waves", path(&dir.join("sub/../s.toml"))]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--waves") && stderr(&o).contains("--config"), "{}", stderr(&o));
    let o = verinic(&["run", "--pcap-out", path(&dir.join("o.pcap")), "--pcap-delivered", path(&dir.join("./o.pcap"))]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Defect 3: Ctrl-C ended the run at once with no report and capture files
/// cut mid-record. Now the first SIGINT ends it at the next chunk: valid
/// files, a partial report marked as interrupted, exit 130.
#[cfg(unix)]
#[test]
fn ctrl_c_finishes_the_files_and_reports() {
    let dir = temp_dir("sigint");
    let (out, rx) = (dir.join("out.pcap"), dir.join("rx.pcap"));
    // 10 s of simulated time: far longer than the test waits.
    let child = Command::new(env!("CARGO_BIN_EXE_verinic"))
        .args(["run", "--duration-us", "10000000", "--echo", "--pcap-out", path(&out), "--pcap-delivered", path(&rx)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until frames are being written, then interrupt.
    let t0 = Instant::now();
    while std::fs::metadata(&rx).map_or(0, |m| m.len()) < 100_000 {
        assert!(t0.elapsed() < Duration::from_secs(60), "no frames delivered after 60 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let t1 = Instant::now();
    let o = child.wait_with_output().unwrap();
    assert!(t1.elapsed() < Duration::from_secs(20), "took {:?} to stop", t1.elapsed());
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(130), "{text}\n{}", stderr(&o));
    assert!(text.contains("INTERRUPTED"), "{text}");
    assert!(text.contains("check: offered = delivered + drops + in flight") && text.contains("ok"), "{text}");
    // Both captures are whole: verinic's own reader takes them.
    let delivered = read_frames(&rx).expect("delivered capture is valid");
    let transmitted = read_frames(&out).expect("transmitted capture is valid");
    assert!(delivered.len() > 100 && !transmitted.is_empty(), "{} {}", delivered.len(), transmitted.len());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Defect 4: inputs without a bound ran out of memory.
#[test]
fn unbounded_inputs_get_a_clear_error() {
    let o = verinic(&["loopback", "--frames", "100000000000"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("1..=1000000"), "{}", stderr(&o));
    #[cfg(unix)]
    {
        let o = verinic(&["run", "--config", "/dev/zero"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("larger than 1048576 bytes"), "{}", stderr(&o));
        let o = verinic(&["run", "--pcap-in", "/dev/zero"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("not a pcap or pcapng file"), "{}", stderr(&o));
    }
}

/// Watches the per-frame records a run keeps: the wire log and the
/// deliveries handed over per chunk.
#[derive(Default)]
struct Footprint {
    max_wire_log: usize,
    max_chunk_deliveries: usize,
    chunks: usize,
}

impl Observer for Footprint {
    fn chunk(&mut self, c: &Chunk<'_>) -> Result<(), RunError> {
        self.max_wire_log = self.max_wire_log.max(c.machine.world.wire.len());
        self.max_chunk_deliveries = self.max_chunk_deliveries.max(c.deliveries.len());
        self.chunks += 1;
        Ok(())
    }
}

/// Defect 5: a run kept a record of every frame for its whole length. Now
/// what it holds is bounded by what is in flight, not by the run's length:
/// at 64-byte line rate (14.88 Mpps, the CPU saturated, many frames dropped)
/// a run four times longer holds no more per-frame records.
#[test]
fn per_frame_records_stay_bounded() {
    let footprint = |us: u64| {
        let text = format!("duration_us = {us}\n[rx]\nload = 1.0\nframe_sizes = [64]\n[tx]\nframes_per_sec = 0\n");
        let s = Scenario::from_toml_str(&text).unwrap();
        let mut fp = Footprint::default();
        let stop = std::sync::atomic::AtomicBool::new(false);
        let done = Runner::new(&s, &SimOptions::default()).unwrap().run(&mut [&mut fp], &mut |_| {}, &stop).unwrap();
        assert!(done.machine.deliveries.is_empty(), "every delivery was handed over");
        (done.machine.world.wire.frames_started(), fp)
    };
    let (short_offered, short) = footprint(500);
    let (long_offered, long) = footprint(2000);
    assert!(long_offered > 3 * short_offered && short_offered > 7000, "{short_offered} {long_offered}");
    // Deliveries are taken out every chunk: at most what a chunk's softirq
    // rounds deliver (netdev_budget = 300 frames a round).
    assert!(long.max_chunk_deliveries <= 2 * 300, "{}", long.max_chunk_deliveries);
    // The wire log holds the frames since the last delivery: the same for a
    // long run as for a short one, and far from its cap.
    assert!(
        long.max_wire_log <= short.max_wire_log * 3 / 2 + 100,
        "wire log {} after 2 ms, {} after 0.5 ms",
        long.max_wire_log,
        short.max_wire_log
    );
    assert!(long.max_wire_log < verinic::cosim::WIRE_LOG_WINDOW / 16, "{}", long.max_wire_log);
}

/// Defect 6: what a reader needs is in the report.
#[test]
fn the_report_says_what_a_reader_needs() {
    // The mix with its weights.
    let r = run("duration_us = 100\n");
    assert!(r.to_string().contains("64 x7, 576 x3, 1518 x1"), "{r}");

    // Frames the application never got CPU time to send are reported.
    let r = run("duration_us = 500\n[rx]\nload = 1.0\nframe_sizes = [64]\n[tx]\nframes_per_sec = 400000\n");
    // Wanted: one every 2.5 us of the window (which the CPU's last softirq
    // round may stretch past 500 us).
    let wanted = (r.measured_ns as f64 * 400_000.0 / 1e9).ceil() as u64;
    assert!(r.tx.not_sent > 0, "{r}");
    assert_eq!(r.tx.not_sent_reason, Some(verinic::cosim::TxNotSentReason::NoCpuTime), "{r}");
    assert!((r.tx.frames_offered + r.tx.not_sent).abs_diff(wanted) <= 2, "{:?} of {wanted}", r.tx);
    assert!(r.to_string().contains("not sent"), "{r}");

    // Frames still inside when the drain ends are in flight, not drops, and
    // the check says the drain was cut short: with an interrupt only every
    // 64 frames and no timer, the last few frames wait for ever.
    let r = run(
        "duration_us = 200\n[rx]\nload = 0.05\n[driver]\nrx_frames = 64\nrx_usecs = 0\nrx_usecs_abs = 0\nitr_max_irqs_per_sec = 0\n",
    );
    assert!(r.in_flight_at_end > 0, "{r}");
    assert_eq!(r.drops_total, 0, "{r}");
    assert!(r.conserved, "{r}");
    assert!(r.drain.is_some_and(|d| !d.complete), "{r}");
    assert!(r.to_string().contains("CUT SHORT"), "{r}");

    // The drain is bounded by what can be pending, not by the longest timer
    // the settings allow: rx_usecs = 65535 (67 ms) with the 8 us absolute
    // timer. The budget holds the host's full queues (ring, socket) and one
    // scheduler slice, a few ms, far below the 67 ms timer.
    let r = run("duration_us = 200\n[driver]\nrx_usecs = 65535\n");
    let d = r.drain.unwrap();
    assert!(d.complete && d.budget_ns < 10_000_000, "{d:?}");
    assert!(r.sim_cycles < 200_000, "{} cycles for 200 us of window", r.sim_cycles);
}
