//! The sweep's plots and index page (`verinic::explore::plot`), from a
//! synthetic `results.jsonl`: no simulation runs here.
//!
//! Series are counted in the SVGs by what the module documents its SVGs to
//! hold: a solid data line is one `<polyline>` 2 wide with one vertex per
//! load (dashes and legend keys have 2 or 3), p50 markers are `<circle>`s
//! and p99 markers `<polygon>`s (one more of each for the legend), the CPU
//! bars are `<rect>`s in three colours, and each Pareto front point has a
//! `<text>` label containing " @ load ".

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use verinic::explore::plot::{self, PlotError, PlotPoint, PLOT_SIZE};

const USECS: [u64; 3] = [0, 50, 200];
const RINGS: [u64; 2] = [512, 64];
const LOADS: [f64; 5] = [0.1, 0.3, 0.5, 0.7, 0.9];
const SEEDS: [u64; 2] = [1, 2];

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("verinic-plots-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// One results.jsonl line of a made-up but plausible NIC: a coalescing
/// setting caps throughput (the knee), beyond it MPC drops and RNBC; one
/// CRC error at one point so that two reasons are nonzero.
#[allow(clippy::too_many_arguments)]
fn line(point: u64, seed: u64, axes: Value, usecs: u64, ring: u64, load: f64, crc: u64) -> Value {
    let idx = USECS.iter().position(|&u| u == usecs).unwrap_or(0);
    let cap = [3.0, 6.0, 7.5][idx] - if ring == 64 { 0.5 } else { 0.0 };
    let offered = load * 9.4 + 0.01 * seed as f64;
    let delivered = offered.min(cap);
    let frames = (offered * 1000.0) as u64;
    let mpc = if offered > cap { (frames as f64 * (offered - cap) / offered) as u64 } else { 0 };
    let rnbc = if offered > 0.8 * cap { frames / 20 } else { 0 };
    let irqs = [200_000.0 * load, 20_000.0, 5_000.0][idx];
    let p50 = 2000.0 + usecs as f64 * 500.0 + if offered > cap { 50_000.0 } else { 0.0 };
    let p99 = 3.0 * p50 + 100.0 * seed as f64 + 37.0 * point as f64;
    let (irq, softirq, app) = ((irqs / 1e6 * 0.5).min(0.3), delivered / 10.0 * 0.6, 0.02);
    let busy = irq + softirq + app;
    json!({
        "point": point, "key": format!("{point:016x}"), "seed": seed, "axes": axes,
        "report": {
            "frames_offered": frames, "frames_delivered": frames - mpc - crc,
            "drops": {"rx_missed_errors": mpc, "rx_crc_errors": crc, "rx_length_errors": 0, "rxerrc": 0,
                      "rx_errors": 0, "backlog_full": 0, "socket_rcvbuf_full": 0},
            "drops_total": mpc + crc,
            "offered_gbps": offered, "throughput_gbps": delivered, "mpps": delivered / 0.5,
            "latency_ns": {"p50": p50 as u64, "p99": p99 as u64, "p999": (p99 * 1.2) as u64,
                           "max": (p99 * 1.5) as u64, "mean": p50, "count": frames, "unmatched": 0},
            "irqs": (irqs / 100.0) as u64, "irqs_per_sec": irqs, "rx_no_buffer_count": rnbc,
            "cpu": {"irq": irq, "softirq": softirq, "app": app, "idle": 1.0 - busy, "busy": busy},
            "scenario": {"seed": seed, "rx": {"load": load},
                         "driver": {"rx_ring": ring, "rx_usecs": usecs, "rx_frames": 32,
                                    "itr_max_irqs_per_sec": 8000}}
        }
    })
}

/// The standard sweep: rx_usecs x rx_ring x load x seed, axes deliberately
/// not in alphabetical order.
fn sweep_lines() -> Vec<Value> {
    let mut lines = Vec::new();
    for usecs in USECS {
        for ring in RINGS {
            for load in LOADS {
                for seed in SEEDS {
                    let point = lines.len() as u64;
                    let crc = u64::from(usecs == 0 && ring == 64 && load == 0.9 && seed == 1);
                    // Built by hand: `json!` would sort the keys.
                    let axes: Value = serde_json::from_str(&format!(
                        r#"{{"driver.rx_usecs": {usecs}, "driver.rx_ring": {ring}, "rx.load": {load}}}"#
                    ))
                    .unwrap();
                    lines.push((point, seed, axes, usecs, ring, load, crc));
                }
            }
        }
    }
    lines.into_iter().map(|(p, s, a, u, r, l, c)| line(p, s, a, u, r, l, c)).collect()
}

/// Writes `lines` as results.jsonl text with the axes in their given order.
fn write_jsonl(dir: &Path, lines: &[Value]) -> PathBuf {
    let path = dir.join("results.jsonl");
    let text: String = lines.iter().map(|l| ordered_json(l) + "\n").collect();
    fs::write(&path, text).unwrap();
    path
}

/// `v` as JSON with `axes` written in `AXES_ORDER` (serde_json's map sorts).
fn ordered_json(v: &Value) -> String {
    let mut v = v.clone();
    let axes = v.as_object_mut().unwrap().remove("axes").unwrap();
    let order = ["driver.rx_usecs", "driver.rx_ring", "rx.load"];
    let mut parts: Vec<String> =
        order.iter().filter_map(|k| axes.get(*k).map(|val| format!("{}: {}", Value::from(*k), val))).collect();
    for (k, val) in axes.as_object().unwrap() {
        if !order.contains(&k.as_str()) {
            parts.push(format!("{}: {}", Value::from(k.as_str()), val));
        }
    }
    let rest = v.to_string();
    format!("{{\"axes\": {{{}}}, {}", parts.join(", "), &rest[1..])
}

fn parse_svg(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{}: not XML: {e}", path.display()));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("width"), Some(PLOT_SIZE.0.to_string().as_str()));
    assert_eq!(root.attribute("height"), Some(PLOT_SIZE.1.to_string().as_str()));
    text
}

/// Elements named `tag` in the SVG text.
fn elements<'a>(doc: &'a roxmltree::Document<'a>, tag: &str) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants().filter(|n| n.is_element() && n.tag_name().name() == tag).collect()
}

/// Vertices of a `<polyline>`.
fn vertices(n: &roxmltree::Node) -> usize {
    n.attribute("points").unwrap_or("").split_whitespace().count()
}

/// `<polyline>`s 2 wide: (stroke colour, vertices) each.
fn wide_lines(doc: &roxmltree::Document) -> Vec<(String, usize)> {
    elements(doc, "polyline")
        .iter()
        .filter(|n| n.attribute("stroke-width") == Some("2"))
        .map(|n| (n.attribute("stroke").unwrap_or("").to_string(), vertices(n)))
        .collect()
}

fn texts(doc: &roxmltree::Document) -> Vec<String> {
    elements(doc, "text").iter().map(|n| n.text().unwrap_or("").trim().to_string()).collect()
}

fn check_png(path: &Path) {
    let decoder = png::Decoder::new(fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!((info.width, info.height), PLOT_SIZE, "{}", path.display());
}

fn by_name(files: &[PathBuf]) -> BTreeMap<String, PathBuf> {
    files.iter().map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p.clone())).collect()
}

#[test]
fn a_sweep_draws_every_plot_and_the_index() {
    let dir = scratch("sweep");
    let lines = sweep_lines();
    let path = write_jsonl(&dir, &lines);
    let points = plot::read_results(&path).unwrap();
    assert_eq!(points.len(), 60);
    // The file's axis order survives (serde_json alone would sort it).
    let names: Vec<&str> = points[0].axes.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["driver.rx_usecs", "driver.rx_ring", "rx.load"]);
    assert_eq!(points[0].setting(), "rx_usecs=0 rx_ring=512");
    // from_json reads the same figures (parsed from the same text: serde_json's
    // float parsing may differ from the value it printed in the last bit).
    let reparsed: Value = serde_json::from_str(&ordered_json(&lines[0])).unwrap();
    assert_eq!(points[0], PlotPoint { axes: points[0].axes.clone(), ..PlotPoint::from_json(&reparsed).unwrap() });

    let out = dir.join("out");
    let files = plot::draw_all(&points, &out).unwrap();
    let files = by_name(&files);
    let stems = ["throughput", "latency_vs_irqs", "cpu", "drops", "pareto"];
    let expected: BTreeSet<String> = stems.iter().flat_map(|s| [format!("{s}.svg"), format!("{s}.png")]).collect();
    assert_eq!(files.keys().cloned().collect::<BTreeSet<_>>(), expected);
    for (name, p) in &files {
        assert!(p.starts_with(&out), "{name} not in the output directory");
        if name.ends_with(".png") {
            check_png(p);
        }
    }
    let settings = USECS.len() * RINGS.len();

    // Throughput: one solid line per setting, a vertex per load; y = x is 1 wide.
    let text = parse_svg(&files["throughput.svg"]);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let solid: Vec<_> = wide_lines(&doc).into_iter().filter(|(_, v)| *v == LOADS.len()).collect();
    assert_eq!(solid.len(), settings, "{solid:?}");
    assert_eq!(solid.iter().map(|(c, _)| c).collect::<BTreeSet<_>>().len(), settings, "a colour per setting");
    assert_eq!(wide_lines(&doc).len(), settings, "nothing else is 2 wide");
    let t = texts(&doc);
    assert!(t.iter().any(|s| s == "rx_usecs=200 rx_ring=64"), "{t:?}");
    assert!(t.iter().any(|s| s.contains("y = x")));

    // Latency: a circle (p50) and a triangle (p99) per point, plus the legend's.
    let text = parse_svg(&files["latency_vs_irqs.svg"]);
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert_eq!(elements(&doc, "circle").len(), points.len() + 1);
    assert_eq!(elements(&doc, "polygon").len(), points.len() + 1);
    let t = texts(&doc);
    assert!(t.iter().any(|s| s.contains("(log)") || s.contains(", log)")), "irqs span decades: {t:?}");

    // CPU: three colours of bars, one bar each per point (+ the legend key).
    let text = parse_svg(&files["cpu.svg"]);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let mut fills: BTreeMap<String, usize> = BTreeMap::new();
    for r in elements(&doc, "rect") {
        *fills.entry(r.attribute("fill").unwrap_or("").to_string()).or_default() += 1;
    }
    assert_eq!(fills.values().filter(|&&n| n == points.len() + 1).count(), 3, "{fills:?}");

    // Drops: a solid line per (ring, nonzero reason) = 2 x 2; RNBC dashed.
    let text = parse_svg(&files["drops.svg"]);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let wide = wide_lines(&doc);
    let solid: Vec<_> = wide.iter().filter(|(_, v)| *v == LOADS.len()).collect();
    assert_eq!(solid.len(), RINGS.len() * 2, "{wide:?}");
    assert_eq!(solid.iter().map(|(c, _)| c).collect::<BTreeSet<_>>().len(), 2, "a colour per reason");
    let dashes: Vec<_> = wide.iter().filter(|(c, v)| *v < LOADS.len() && !solid.iter().any(|(s, _)| s == c)).collect();
    assert!(dashes.len() > 2, "RNBC is dashed: {wide:?}");
    let t = texts(&doc);
    assert!(t.iter().any(|s| s.starts_with("MPC")) && t.iter().any(|s| s.starts_with("CRC")), "{t:?}");
    assert!(!t.iter().any(|s| s.contains("length")), "zero reasons stay out: {t:?}");

    // Pareto: a label per front position, the staircase, every front point's setting named.
    let front = plot::on_pareto_front(&points);
    let front_points: Vec<&PlotPoint> = points.iter().zip(&front).filter(|(_, &f)| f).map(|(p, _)| p).collect();
    assert!(!front_points.is_empty());
    assert!(front_points.iter().all(|p| p.drops_total == 0));
    let positions: BTreeSet<(u64, u64)> =
        front_points.iter().map(|p| (p.cpu.busy.to_bits(), p.latency_ns.p99.to_bits())).collect();
    let text = parse_svg(&files["pareto.svg"]);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let labels: Vec<String> = texts(&doc).into_iter().filter(|s| s.contains(" @ load ")).collect();
    assert_eq!(labels.len(), positions.len(), "{labels:?}");
    for p in &front_points {
        assert!(labels.iter().any(|l| l.starts_with(&p.setting())), "{} unlabelled in {labels:?}", p.setting());
    }
    assert_eq!(wide_lines(&doc).len(), 1, "the front's staircase");

    // index.html: well-formed, every SVG shown, a row per point, the front starred.
    let all: Vec<PathBuf> = files.values().cloned().collect();
    let index = plot::write_index(&points, &out, &all).unwrap();
    assert_eq!(index, out.join("index.html"));
    let html = fs::read_to_string(&index).unwrap();
    for banned in ["http://", "https://", "<script"] {
        assert!(!html.contains(banned), "index.html holds {banned}");
    }
    let opts = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(&html, opts).unwrap();
    let imgs: BTreeSet<&str> = elements(&doc, "img").iter().filter_map(|n| n.attribute("src")).collect();
    let svgs: BTreeSet<&str> = files.keys().filter(|k| k.ends_with(".svg")).map(|k| k.as_str()).collect();
    assert_eq!(imgs, svgs);
    assert_eq!(elements(&doc, "figcaption").len(), svgs.len());
    let tbody = elements(&doc, "tbody");
    assert_eq!(tbody.len(), 1);
    let rows: Vec<_> = tbody[0].children().filter(|n| n.is_element() && n.tag_name().name() == "tr").collect();
    assert_eq!(rows.len(), points.len());
    for (row, (p, &on)) in rows.iter().zip(points.iter().zip(&front)) {
        let cells: Vec<String> =
            row.children().filter(|n| n.is_element()).map(|n| n.text().unwrap_or("").to_string()).collect();
        assert_eq!(cells[1], p.point.to_string());
        assert_eq!(row.attribute("class") == Some("front"), on, "row {}", p.point);
        assert_eq!(cells[0] == "★", on, "row {}", p.point);
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_load_only_sweep_without_drops_and_many_settings_still_draw() {
    // A sweep over the load alone, one seed, nothing dropped.
    let dir = scratch("plain");
    let lines: Vec<Value> = LOADS
        .iter()
        .enumerate()
        .map(|(i, &load)| {
            let load = load / 2.0;
            let mut l = line(i as u64, 1, json!({ "rx.load": load }), 200, 512, load, 0);
            l["report"]["rx_no_buffer_count"] = json!(0);
            l
        })
        .collect();
    let points = plot::read_results(&write_jsonl(&dir, &lines)).unwrap();
    assert!(points.iter().all(|p| p.setting() == "base" && p.drops_total == 0));
    let files = by_name(&plot::draw_all(&points, &dir).unwrap());
    for (name, p) in &files {
        if name.ends_with(".svg") {
            parse_svg(p);
        } else {
            check_png(p);
        }
    }
    let doc_text = fs::read_to_string(&files["drops.svg"]).unwrap();
    let doc = roxmltree::Document::parse(&doc_text).unwrap();
    assert!(wide_lines(&doc).is_empty());
    assert!(texts(&doc).iter().any(|t| t.contains("no drops")));

    // More settings than a legend lists: colours still differ, the legend says so.
    let many: Vec<Value> = (0..26)
        .map(|i| {
            let usecs = 10 * (i / 2) as u64;
            let load = [0.2, 0.6][i % 2];
            line(i as u64, 1, json!({ "driver.rx_usecs": usecs, "rx.load": load }), usecs, 256, load, 0)
        })
        .collect();
    let points: Vec<PlotPoint> = many.iter().map(|l| PlotPoint::from_json(l).unwrap()).collect();
    let out = dir.join("many");
    let files = by_name(&plot::draw_all(&points, &out).unwrap());
    let text = parse_svg(&files["throughput.svg"]);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let lines2 = wide_lines(&doc);
    assert_eq!(lines2.len(), 13);
    assert_eq!(lines2.iter().map(|(c, _)| c).collect::<BTreeSet<_>>().len(), 13, "{lines2:?}");
    assert!(texts(&doc).iter().any(|t| t.starts_with("colour = setting")));
    let all: Vec<PathBuf> = files.values().cloned().collect();
    let html = fs::read_to_string(plot::write_index(&points, &out, &all).unwrap()).unwrap();
    assert!(html.contains("legend does not list them"));

    // One point is enough.
    let one = &points[..1];
    let files = plot::draw_all(one, &dir.join("one")).unwrap();
    assert_eq!(files.len(), 10);
    plot::write_index(one, &dir.join("one"), &files).unwrap();
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_line_is_named_with_its_file_and_line() {
    let dir = scratch("bad");
    let good = ordered_json(&sweep_lines()[0]);
    let path = dir.join("results.jsonl");
    fs::write(&path, format!("{good}\n\n{{\"point\": 1, \"key\": \n")).unwrap();
    let err = plot::read_results(&path).unwrap_err();
    match &err {
        PlotError::Parse { file, line, .. } => assert_eq!((file.as_path(), *line), (path.as_path(), 3)),
        other => panic!("not a parse error: {other:?}"),
    }
    let shown = err.to_string();
    assert!(shown.contains("results.jsonl") && shown.contains("line 3"), "{shown}");

    // Valid JSON with a field missing: the line and the field are named.
    let mut v = sweep_lines()[1].clone();
    v["report"]["cpu"].as_object_mut().unwrap().remove("busy");
    fs::write(&path, format!("{good}\n{}\n", ordered_json(&v))).unwrap();
    let shown = plot::read_results(&path).unwrap_err().to_string();
    assert!(shown.contains("line 2") && shown.contains("report.cpu.busy"), "{shown}");

    // A missing file is an I/O error naming it; an empty one has no points to draw.
    let missing = dir.join("nope.jsonl");
    let err = plot::read_results(&missing).unwrap_err();
    assert!(matches!(err, PlotError::Io { .. }) && err.to_string().contains("nope.jsonl"));
    assert!(std::error::Error::source(&err).is_some());
    fs::write(&path, "\n").unwrap();
    let points = plot::read_results(&path).unwrap();
    assert!(points.is_empty());
    assert!(matches!(plot::draw_all(&points, &dir), Err(PlotError::Empty)));
    assert!(matches!(plot::write_index(&points, &dir, &[]), Err(PlotError::Empty)));
    fs::remove_dir_all(&dir).unwrap();
}
