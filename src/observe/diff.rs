//! `verinic trace-diff A B`: where two traces part. Each side is a scenario
//! file (`.toml`: run and traced, under its `[snapshot]` filter unless the
//! command line gives one) or a saved trace: `verinic trace` text or JSONL
//! output, or an insta `.snap` file.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use verinic_sim::{Profile, SimOptions};

use super::trace::{run_trace, Filter, Format, Only};
use super::view::{Entry, Ring};

/// `verinic trace-diff`'s options.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The first trace: a scenario file (.toml) or a saved trace (text,
    /// .jsonl, or an insta .snap).
    pub a: PathBuf,
    /// The second trace, the same way.
    pub b: PathBuf,
    /// Events of context shown on each side of the divergence.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub context: usize,
    /// For scenario files: show only these kinds (instead of the file's
    /// [snapshot] filter).
    #[arg(long, value_enum)]
    pub only: Vec<Only>,
    /// For scenario files: leave out the other ring's events.
    #[arg(long, value_enum)]
    pub ring: Option<Ring>,
}

/// Where two traces part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    /// Index of the first line that differs (0-based).
    pub line: usize,
    /// The earlier cycle of the two differing lines (or of the one line
    /// left, when a trace ends first).
    pub cycle: Option<u64>,
}

/// The first line at which `a` and `b` differ, if they do.
pub fn first_divergence(a: &[String], b: &[String]) -> Option<Divergence> {
    let n = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if n == a.len() && n == b.len() {
        return None;
    }
    let cycle = [a.get(n), b.get(n)].into_iter().flatten().filter_map(|l| line_cycle(l)).min();
    Some(Divergence { line: n, cycle })
}

/// The cycle stamp of a trace line.
pub fn line_cycle(line: &str) -> Option<u64> {
    line.split_whitespace().next()?.parse().ok()
}

/// The kind column of a trace line.
pub fn line_kind(line: &str) -> &str {
    line.split_whitespace().nth(1).unwrap_or("")
}

/// The lines of a saved trace: text lines as they are, JSONL entries by
/// their `line` field, an insta `.snap` file without its header.
pub fn parse_saved(text: &str) -> anyhow::Result<Vec<String>> {
    let mut body = text;
    if let Some(rest) = text.strip_prefix("---\n") {
        // insta: a YAML header between two `---` lines
        if let Some(end) = rest.find("\n---\n") {
            body = &rest[end + 5..];
        }
    }
    body.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .enumerate()
        .map(|(i, l)| {
            if l.starts_with('{') {
                let e: Entry = serde_json::from_str(l).with_context(|| format!("line {}: not a trace entry", i + 1))?;
                Ok(e.line)
            } else {
                Ok(l.to_string())
            }
        })
        .collect()
}

/// The lines of one side: a scenario file is run, anything else is read.
fn load(path: &Path, args: &DiffArgs) -> anyhow::Result<Vec<String>> {
    if path.extension().is_some_and(|e| e == "toml") {
        let (scenario, mut filter) = crate::snapshot::load(path)?;
        if !args.only.is_empty() {
            filter.only = args.only.clone();
        }
        if args.ring.is_some() {
            filter.ring = args.ring;
        }
        Ok(trace_lines(&scenario, &filter).with_context(|| format!("tracing {}", path.display()))?)
    } else {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        parse_saved(&text).with_context(|| format!("{}", path.display()))
    }
}

fn trace_lines(scenario: &crate::run::Scenario, filter: &Filter) -> anyhow::Result<Vec<String>> {
    let sim = SimOptions { profile: Profile::Fast, ..Default::default() };
    let run = run_trace(scenario, &sim, filter, Format::Text, Vec::new(), &mut [], &AtomicBool::new(false))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(String::from_utf8(run.out)?.lines().map(str::to_string).collect())
}

/// Counts by kind column, in first-seen order.
fn counts(lines: &[String]) -> Vec<(String, u64)> {
    let mut c = super::trace::Counts::default();
    for l in lines {
        c.add(line_kind(l));
    }
    c.by_kind
}

/// The report `verinic trace-diff` prints for `a` and `b`, and whether they
/// differ.
pub fn report(a: &[String], b: &[String], names: (&str, &str), context: usize) -> (String, bool) {
    use std::fmt::Write as _;
    let mut out = String::new();
    let Some(d) = first_divergence(a, b) else {
        let _ = writeln!(out, "identical: {} events", a.len());
        return (out, false);
    };
    let at = d.cycle.map_or("the end".to_string(), |c| format!("cycle {c}"));
    let _ = writeln!(out, "traces diverge at {at} (event {}):", d.line + 1);
    let _ = writeln!(out, "--- {}\n+++ {}", names.0, names.1);
    for l in &a[d.line.saturating_sub(context)..d.line] {
        let _ = writeln!(out, "  {l}");
    }
    for l in a.iter().skip(d.line).take(context) {
        let _ = writeln!(out, "- {l}");
    }
    for l in b.iter().skip(d.line).take(context) {
        let _ = writeln!(out, "+ {l}");
    }
    let (ca, cb) = (counts(a), counts(b));
    let mut kinds: Vec<&String> = ca.iter().map(|(k, _)| k).collect();
    for (k, _) in &cb {
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    let get = |c: &[(String, u64)], k: &str| c.iter().find(|(x, _)| x == k).map_or(0, |(_, n)| *n);
    let _ = writeln!(out, "events by kind:     {:>8} {:>8} {:>8}", "A", "B", "B-A");
    for k in kinds {
        let (x, y) = (get(&ca, k), get(&cb, k));
        let mark = if x == y { "" } else { "  *" };
        let _ = writeln!(out, "  {k:<16} {x:>8} {y:>8} {:>+8}{mark}", y as i64 - x as i64);
    }
    let _ = writeln!(out, "  {:<16} {:>8} {:>8} {:>+8}", "total", a.len(), b.len(), b.len() as i64 - a.len() as i64);
    (out, true)
}

/// Runs `verinic trace-diff`: prints the report; `Ok(false)` (exit 1) when
/// the traces differ.
pub fn trace_diff(args: &DiffArgs) -> anyhow::Result<bool> {
    let a = load(&args.a, args)?;
    let b = load(&args.b, args)?;
    let (text, differ) = report(&a, &b, (&args.a.display().to_string(), &args.b.display().to_string()), args.context);
    print!("{text}");
    Ok(!differ)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<String> {
        s.lines().map(str::to_string).collect()
    }

    #[test]
    fn finds_the_first_divergence_and_counts() {
        let a = lines("    10 reg-w    RDT = 0x00000007\n    20 irq      rise\n    30 irq      fall\n");
        let b = lines("    10 reg-w    RDT = 0x00000007\n    25 irq      rise\n");
        assert_eq!(first_divergence(&a, &b), Some(Divergence { line: 1, cycle: Some(20) }));
        assert_eq!(first_divergence(&a, &a), None);
        let (text, differ) = report(&a, &b, ("a", "b"), 2);
        assert!(differ);
        assert!(text.starts_with("traces diverge at cycle 20 (event 2):"), "{text}");
        assert!(text.contains("- ") && text.contains("+     25 irq      rise"));
        assert!(text.contains("irq                     2        1       -1  *"), "{text}");
    }

    #[test]
    fn reads_snap_files_and_jsonl() {
        let snap = "---\nsource: tests/x.rs\nexpression: text\n---\n     10 irq      rise\n";
        assert_eq!(parse_saved(snap).unwrap(), ["     10 irq      rise"]);
        let json = r#"{"cycle":10,"ns":64,"kind":"irq","class":"irq","ring":null,"dma":false,"fields":{"level":true},"line":"     10 irq      rise"}"#;
        assert_eq!(parse_saved(json).unwrap(), ["     10 irq      rise"]);
    }
}
