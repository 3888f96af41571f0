//! `verinic trace`, `verinic::snapshot`, `verinic trace-diff` and the
//! timeline, against the Verilated RTL (checksum offload from a scenario:
//! tests/checksum_offload.rs).

use std::process::Command;
use std::sync::atomic::AtomicBool;

use verinic::observe::{run_trace, Entry, Filter, Format, Only, Ring};
use verinic::run::{Chunk, Observer, RunError, Scenario};
use verinic::snapshot;
use verinic_sim::{Profile, SimOptions};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_verinic"))
}

fn scenario_path(name: &str) -> String {
    format!("{}/scenarios/snapshots/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn sim() -> SimOptions {
    SimOptions { profile: Profile::Fast, ..Default::default() }
}

#[test]
fn the_command_prints_the_library_text_and_is_deterministic() {
    let path = scenario_path("one_frame.toml");
    let out = bin().args(["trace", "--config", &path]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text, snapshot::snapshot_file(&path).unwrap());
    assert_eq!(text, snapshot::snapshot_file(&path).unwrap(), "same scenario, same bytes");
    for kind in ["rx-fetch", "rx-data", "rx-wb", "irq", "reg-r", "reg-w"] {
        assert!(text.lines().any(|l| l.split_whitespace().nth(1) == Some(kind)), "no {kind} in\n{text}");
    }
    // -o FILE gets the same bytes
    let dir = std::env::temp_dir().join(format!("verinic-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("t.txt");
    let out = bin().args(["trace", "--config", &path, "-o"]).arg(&file).output().unwrap();
    assert!(out.status.success());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    // the command line's filters override the file's [snapshot] table
    let out = bin()
        .args(["trace", "--config", &path, "--only", "irq", "--only", "rx", "--format", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let lines = String::from_utf8(out.stdout).unwrap();
    let want = snapshot::render(
        &snapshot::load(&path).unwrap().0,
        &Filter { probe: true, ..Filter::all().only(Only::Irq).only(Only::Rx) },
        Format::Jsonl,
    )
    .unwrap();
    assert_eq!(lines, want);
    assert!(lines.lines().all(|l| l.contains(r#""class":"irq""#) || l.contains(r#""class":"rx""#)));
}

#[test]
fn filters_select_exactly_their_kinds() {
    let s = snapshot::load(scenario_path("echo_round_trip.toml")).unwrap().0;
    let all = snapshot::trace(&s, &Filter::all()).unwrap();
    let kind = |l: &str| l.split_whitespace().nth(1).unwrap().to_string();
    let cases: [(Filter, &[&str]); 5] = [
        (Filter::all().only(Only::Irq), &["irq"]),
        (Filter::all().only(Only::Reg), &["reg-r", "reg-w"]),
        (Filter::all().only(Only::Rx), &["rx-fetch", "rx-data", "rx-wb"]),
        (Filter::all().only(Only::Tx), &["tx-fetch", "tx-data", "tx-wb"]),
        (Filter::all().only(Only::Dma), &["rx-fetch", "rx-data", "rx-wb", "tx-fetch", "tx-data", "tx-wb"]),
    ];
    for (filter, kinds) in cases {
        let text = snapshot::trace(&s, &filter).unwrap();
        let want: Vec<&str> = all.lines().filter(|l| kinds.contains(&kind(l).as_str())).collect();
        assert!(!want.is_empty(), "{kinds:?}");
        assert_eq!(text.lines().collect::<Vec<_>>(), want, "{kinds:?}");
    }
    // --ring rx: nothing of the TX ring, everything else
    let rx = snapshot::trace(&s, &Filter::all().ring(Ring::Rx)).unwrap();
    assert!(!rx.lines().any(|l| kind(l).starts_with("tx-") || l.contains(" TDT ")));
    assert!(rx.lines().any(|l| kind(l) == "irq"));
    // a time window in cycles
    let first: u64 = all.lines().nth(3).unwrap().split_whitespace().next().unwrap().parse().unwrap();
    let f = Filter { from: Some(verinic::observe::Bound::Cycle(first)), ..Filter::all() };
    let late = snapshot::trace(&s, &f).unwrap();
    assert!(late.lines().all(|l| l.split_whitespace().next().unwrap().parse::<u64>().unwrap() >= first));
    assert!(all.ends_with(&late));
    let early = snapshot::trace(&s, &Filter::all().until_us(0.001)).unwrap();
    assert!(early.lines().count() < all.lines().count());
}

#[test]
fn jsonl_lines_parse_and_round_trip() {
    let s = snapshot::load(scenario_path("echo_round_trip.toml")).unwrap().0;
    let text = snapshot::trace(&s, &Filter::all()).unwrap();
    let jsonl = snapshot::render(&s, &Filter::all(), Format::Jsonl).unwrap();
    assert_eq!(jsonl.lines().count(), text.lines().count());
    for (j, t) in jsonl.lines().zip(text.lines()) {
        let e: Entry = serde_json::from_str(j).unwrap();
        assert_eq!(e.line, t);
        assert_eq!(serde_json::to_string(&e).unwrap(), j);
        assert_eq!(e.ns, e.cycle * 64 / 10);
    }
}

#[test]
fn trace_diff_finds_the_first_divergence_of_one_register_value() {
    let a = snapshot::load(scenario_path("one_frame.toml")).unwrap().0;
    let mut b = a.clone();
    b.driver.coalesce.rx_usecs = a.driver.coalesce.rx_usecs + 3;
    let probe = Filter { probe: true, ..Filter::all() };
    let lines =
        |s: &Scenario| -> Vec<String> { snapshot::trace(s, &probe).unwrap().lines().map(str::to_string).collect() };
    let (la, lb) = (lines(&a), lines(&b));
    let d = verinic::observe::diff::first_divergence(&la, &lb).expect("they differ");
    assert!(la[d.line].contains("RDTR") && lb[d.line].contains("RDTR"), "{} / {}", la[d.line], lb[d.line]);
    assert_eq!(la[..d.line], lb[..d.line]);
    assert_eq!(d.cycle, verinic::observe::diff::line_cycle(&la[d.line]));

    // the command: scenario files, exit 1, the cycle named
    let dir = std::env::temp_dir().join(format!("verinic-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(scenario_path("ring_wrap.toml")).unwrap();
    let (fa, fb) = (dir.join("a.toml"), dir.join("b.toml"));
    std::fs::write(&fa, &text).unwrap();
    std::fs::write(&fb, text.replace("itr_max_irqs_per_sec = 0", "itr_max_irqs_per_sec = 20000")).unwrap();
    std::fs::copy(scenario_path("spaced_12.pcap"), dir.join("spaced_12.pcap")).unwrap();
    let out = bin().arg("trace-diff").arg(&fa).arg(&fb).output().unwrap();
    let report = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.starts_with("traces diverge at cycle "), "{report}");
    assert!(report.contains("events by kind:"), "{report}");
    let out = bin().arg("trace-diff").arg(&fa).arg(&fa).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    // a saved trace against the scenario it came from: the same
    let saved = dir.join("a.trace");
    std::fs::write(&saved, snapshot::snapshot_file(&fa).unwrap()).unwrap();
    let out = bin().arg("trace-diff").arg(&saved).arg(&fa).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn a_long_run_streams_with_the_trace_taken_out_every_chunk() {
    // 2 ms of the default traffic: the NIC's trace never holds more than a chunk
    struct MaxHeld(usize);
    impl Observer for MaxHeld {
        fn chunk(&mut self, c: &Chunk<'_>) -> Result<(), RunError> {
            self.0 = self.0.max(c.machine.world.nic.trace().len());
            Ok(())
        }
    }
    let s = Scenario { duration_us: 2000, ..Scenario::default() };
    let mut held = MaxHeld(0);
    let run = run_trace(
        &s,
        &sim(),
        &Filter::all().only(Only::Irq),
        Format::Text,
        std::io::sink(),
        &mut [&mut held],
        &AtomicBool::new(false),
    )
    .unwrap();
    assert!(run.counts.get("irq") > 10);
    assert_eq!(held.0, 0, "the trace is emptied before observers run");
    assert_eq!(run.finished.machine.world.nic.trace().dropped(), 0);
}

#[test]
fn timeline_slices_are_well_nested_and_add_up_to_the_cpu_accounting() {
    let s = snapshot::load(scenario_path("itr_spacing.toml")).unwrap().0;
    let mut tl = verinic::observe::timeline::Timeline::new(Vec::new());
    let mut text = Vec::new();
    let all = Filter { probe: true, ..Filter::all() };
    let run = run_trace(&s, &sim(), &all, Format::Text, &mut text, &mut [&mut tl], &AtomicBool::new(false)).unwrap();
    let (json, counts) = tl.finish().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let events = v["traceEvents"].as_array().unwrap();
    let mut by_tid: std::collections::BTreeMap<u64, Vec<(f64, f64, String)>> = Default::default();
    let mut sums: std::collections::BTreeMap<String, f64> = Default::default();
    for e in events.iter().filter(|e| e["ph"] == "X") {
        let (ts, dur) = (e["ts"].as_f64().unwrap(), e["dur"].as_f64().unwrap());
        assert!(dur >= 0.0);
        let name = e["name"].as_str().unwrap().to_string();
        by_tid.entry(e["tid"].as_u64().unwrap()).or_default().push((ts, ts + dur, name.clone()));
        if e["tid"] == 1 {
            *sums.entry(name).or_default() += dur;
        }
    }
    for slices in by_tid.values() {
        for w in slices.windows(2) {
            assert!(w[0].1 <= w[1].0 + 1e-9, "overlap: {w:?}");
        }
    }
    let cpu = run.finished.machine.cpu;
    let close = |name: &str, ns: u64| {
        let got = sums.get(name).copied().unwrap_or(0.0);
        assert!((got - ns as f64 / 1000.0).abs() < 1e-3, "{name}: {got} us against {ns} ns");
    };
    close("hard irq", cpu.irq_ns);
    close("softirq", cpu.softirq_ns);
    close("idle", cpu.idle_ns);
    let m = &run.finished.machine;
    assert_eq!(counts.hard_irq, m.app.irqs + m.app.irqs_not_ours);
    let irq_slices = by_tid.get(&2).map_or(0, Vec::len) as u64;
    assert!(irq_slices >= 3 && irq_slices <= counts.irq_rises);

    // NAPI's frames, DMA and counters against the machine's own counts and
    // the trace's events (counted here from the decoded trace text)
    let sum_args = |name: &str, arg: &str| -> f64 {
        events.iter().filter(|e| e["name"] == name).map(|e| e["args"][arg].as_f64().unwrap()).sum()
    };
    assert_eq!(sum_args("softirq", "frames") as u64, m.app.delivered);
    assert_eq!(counts.softirq_frames, m.app.delivered);
    let n = |name: &str| events.iter().filter(|e| e["name"] == name && e["ph"] == "X").count() as u64;
    let trace = String::from_utf8(text).unwrap();
    let lines = |kind: &str| trace.lines().filter(|l| l.split_whitespace().nth(1) == Some(kind)).count() as u64;
    assert!(m.app.delivered >= 3, "{}", m.app.delivered);
    assert_eq!(n("packet write"), m.app.delivered, "one buffer per frame");
    assert_eq!(n("packet write"), lines("rx-data"));
    assert_eq!(n("packet read"), lines("tx-data"));
    assert_eq!(n("packet read"), m.world.tx_good);
    assert_eq!(n("desc fetch"), lines("rx-fetch") + lines("tx-fetch"));
    assert!(n("desc write-back") >= 1 && n("desc write-back") <= lines("rx-wb") + lines("tx-wb"));
    use verinic::observe::nic_tracks::DmaKind;
    assert_eq!(counts.dma(DmaKind::PacketWrite), n("packet write"));
    for e in events.iter().filter(|e| e["cat"] == "dma") {
        let start_ns = (e["ts"].as_f64().unwrap() * 1000.0).round() as u64;
        assert!(e["args"]["bytes"].as_u64().unwrap() > 0 && start_ns > 0);
    }
    // counters: interrupts per ms over 100 us buckets add up to the line's
    // rises; the ring's free descriptors stay within the ring
    let rate = sum_args("irqs per ms", "irqs") / 10.0;
    assert_eq!(rate as u64, counts.irq_rises);
    assert_eq!(counts.irqs_in_rate, counts.irq_rises);
    let free: Vec<u64> = events
        .iter()
        .filter(|e| e["name"] == "rx ring free" && e["ph"] == "C")
        .map(|e| e["args"]["descriptors"].as_u64().unwrap())
        .collect();
    assert!(free.len() >= 4, "{free:?}");
    assert!(free.iter().all(|&f| f < s.driver.rx_ring as u64), "{free:?}");
    assert_eq!(*free.iter().max().unwrap(), s.driver.rx_ring as u64 - 1, "full after the probe: {free:?}");
    // the RX FIFO (RTL port rx_fifo_frames): every frame passes through it,
    // at most 64 wait, and it is empty at the end
    let fifo: Vec<u64> = events
        .iter()
        .filter(|e| e["name"] == "rx fifo" && e["ph"] == "C")
        .map(|e| e["args"]["frames"].as_u64().unwrap())
        .collect();
    let rises = fifo.windows(2).filter(|w| w[1] > w[0]).count() as u64 + u64::from(fifo.first() > Some(&0));
    assert_eq!(rises, m.app.delivered, "one rise per frame when they arrive spaced: {fifo:?}");
    assert!(fifo.iter().all(|&f| f <= 64) && fifo.last() == Some(&0), "{fifo:?}");
}

#[test]
fn run_writes_a_timeline_that_parses() {
    let dir = std::env::temp_dir().join(format!("verinic-timeline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("t.json");
    let out = bin()
        .args(["run", "--json", "--config", &scenario_path("itr_spacing.toml"), "--timeline"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let events = v["traceEvents"].as_array().unwrap();
    let count = |name: &str| events.iter().filter(|e| e["name"] == name).count() as u64;
    // every interrupt the report counts (the window's) has its handler slice
    assert!(count("hard irq") >= report["irqs"].as_u64().unwrap());
    assert!(count("hard irq") > 0 && count("irq") > 0 && count("softirq") > 0);
    // the whole run's frames: NAPI's, one packet write each; TX frames read
    let frames: u64 =
        events.iter().filter(|e| e["name"] == "softirq").map(|e| e["args"]["frames"].as_u64().unwrap()).sum();
    assert_eq!(frames, report["frames_to_stack"].as_u64().unwrap());
    assert_eq!(count("packet write"), report["frames_to_stack"].as_u64().unwrap());
    assert_eq!(count("packet read"), report["tx"]["frames_on_wire"].as_u64().unwrap());
    let irqs: f64 =
        events.iter().filter(|e| e["name"] == "irqs per ms").map(|e| e["args"]["irqs"].as_f64().unwrap()).sum();
    assert!(irqs / 10.0 >= report["irqs"].as_f64().unwrap(), "the window's interrupts are among the rises");
}

/// The glob snapshot test catches a change of behaviour: with a different
/// refill batch, out_of_buffers' traffic is no longer its snapshot.
#[test]
fn a_changed_refill_batch_changes_the_snapshot() {
    let snap = std::fs::read_to_string(format!(
        "{}/tests/snapshots/scenario_snapshots__trace@out_of_buffers.toml.snap",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let saved = verinic::observe::diff::parse_saved(&snap).unwrap();
    let (mut s, filter) = snapshot::load(scenario_path("out_of_buffers.toml")).unwrap();
    let same: Vec<String> = snapshot::trace(&s, &filter).unwrap().lines().map(str::to_string).collect();
    assert_eq!(same, saved, "the snapshot as committed");
    s.driver.rx_refill_batch = 2;
    let changed: Vec<String> = snapshot::trace(&s, &filter).unwrap().lines().map(str::to_string).collect();
    let d = verinic::observe::diff::first_divergence(&saved, &changed).expect("a different refill batch shows");
    // the first refill: one RDT write per batch of 2 instead of one for all
    assert!(saved[d.line].contains("RDT") || changed[d.line].contains("RDT"), "{}", changed[d.line]);
}
