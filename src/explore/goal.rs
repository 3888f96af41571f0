//! What the tuner aims for: an objective to minimise or maximise and
//! constraints, each over a figure of the report.
//!
//! A figure is named by a short alias (`p99_latency_us`, `cpu_busy`,
//! `drops`, ...: [`ALIASES`]) or by its dotted path in the report's JSON
//! (`latency_ns.p999`, `stats.rx_no_buffer_count`, `tx.not_sent`: see
//! docs/report.md). A constraint is `FIGURE OP NUMBER` with OP one of
//! `<=`, `<`, `>=`, `>`, `==`, `!=`.

use std::fmt;

use serde_json::Value;

use crate::run::scenario::edit_distance;

/// Short names for the figures a tuner asks about most: (alias, report
/// path, factor applied to the report's value, unit).
pub const ALIASES: &[(&str, &str, f64, &str)] = &[
    ("p50_latency_us", "latency_ns.p50", 1e-3, "us"),
    ("p99_latency_us", "latency_ns.p99", 1e-3, "us"),
    ("p999_latency_us", "latency_ns.p999", 1e-3, "us"),
    ("max_latency_us", "latency_ns.max", 1e-3, "us"),
    ("cpu_busy", "cpu.busy", 1.0, "share"),
    ("drops", "drops_total", 1.0, "frames"),
    ("throughput_gbps", "throughput_gbps", 1.0, "Gb/s"),
    ("mpps", "mpps", 1.0, "M frames/s"),
    ("irqs_per_sec", "irqs_per_sec", 1.0, "1/s"),
    ("rx_no_buffer_count", "rx_no_buffer_count", 1.0, "events"),
];

/// A figure of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// As the user wrote it.
    pub name: String,
    /// Its dotted path in the report's JSON.
    pub path: String,
    /// Factor from the report's unit to the figure's.
    pub scale: f64,
}

impl Figure {
    /// The figure `name`: an alias or a numeric report field. `sample` is a
    /// report (any run's) to check the path against.
    pub fn parse(name: &str, sample: &Value) -> Result<Figure, GoalError> {
        let name = name.trim();
        if let Some(&(_, path, scale, _)) = ALIASES.iter().find(|(a, ..)| *a == name) {
            return Ok(Figure { name: name.into(), path: path.into(), scale });
        }
        match lookup(sample, name) {
            Some(v) if v.is_number() => Ok(Figure { name: name.into(), path: name.into(), scale: 1.0 }),
            _ => Err(GoalError::UnknownFigure { name: name.into(), nearest: nearest(name, sample) }),
        }
    }

    /// Its value in report `r`.
    pub fn value(&self, r: &Value) -> Option<f64> {
        lookup(r, &self.path).and_then(Value::as_f64).map(|x| x * self.scale)
    }
}

/// The value at dotted `path` (`latency_ns.p99`) inside `v`.
pub fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, part| v.get(part))
}

/// Every numeric leaf path of a report, and the aliases.
fn numeric_paths(v: &Value, prefix: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                if p != "scenario" {
                    numeric_paths(v, &p, out);
                }
            }
        }
        Value::Number(_) => out.push(prefix.to_string()),
        _ => {}
    }
}

/// The three known names closest to `name` (by edit distance).
fn nearest(name: &str, sample: &Value) -> Vec<String> {
    let mut names: Vec<String> = ALIASES.iter().map(|(a, ..)| a.to_string()).collect();
    numeric_paths(sample, "", &mut names);
    let mut scored: Vec<(usize, String)> = names.into_iter().map(|n| (edit_distance(name, &n), n)).collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

/// Whether the objective is to be made small or large.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sense {
    /// Smaller is better.
    Minimize,
    /// Larger is better.
    Maximize,
}

/// A comparison in a constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `<=`
    Le,
    /// `<`
    Lt,
    /// `>=`
    Ge,
    /// `>`
    Gt,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Le => "<=",
            Op::Lt => "<",
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }
}

/// `FIGURE OP NUMBER`.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    /// The figure.
    pub figure: Figure,
    /// The comparison.
    pub op: Op,
    /// The bound.
    pub bound: f64,
}

impl Constraint {
    /// Parses `cpu_busy <= 0.5`.
    pub fn parse(text: &str, sample: &Value) -> Result<Constraint, GoalError> {
        // Two-character operators first, so that `<=` is not read as `<`.
        let ops = [("<=", Op::Le), (">=", Op::Ge), ("==", Op::Eq), ("!=", Op::Ne), ("<", Op::Lt), (">", Op::Gt)];
        let malformed = || GoalError::Malformed { text: text.into() };
        let (at, sym, op) = ops.iter().find_map(|&(s, op)| text.find(s).map(|i| (i, s, op))).ok_or_else(malformed)?;
        let (left, right) = (&text[..at], &text[at + sym.len()..]);
        let bound: f64 = right.trim().parse().map_err(|_| malformed())?;
        let left_ends_in_op = left.trim_end().ends_with(['=', '<', '>', '!']);
        if left.trim().is_empty() || left_ends_in_op || !bound.is_finite() {
            return Err(malformed());
        }
        Ok(Constraint { figure: Figure::parse(left, sample)?, op, bound })
    }

    /// Whether report `r` meets it (a missing figure does not).
    pub fn holds(&self, r: &Value) -> bool {
        let Some(x) = self.figure.value(r) else { return false };
        match self.op {
            Op::Le => x <= self.bound,
            Op::Lt => x < self.bound,
            Op::Ge => x >= self.bound,
            Op::Gt => x > self.bound,
            Op::Eq => x == self.bound,
            Op::Ne => x != self.bound,
        }
    }

    /// How far report `r` is from meeting it, in the figure's unit (0 when it does).
    pub fn violation(&self, r: &Value) -> f64 {
        match self.figure.value(r) {
            None => f64::INFINITY,
            Some(_) if self.holds(r) => 0.0,
            Some(x) => (x - self.bound).abs().max(f64::MIN_POSITIVE),
        }
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.figure.name, self.op.symbol(), self.bound)
    }
}

/// An objective and constraints.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    /// What to optimise.
    pub objective: Figure,
    /// Which way.
    pub sense: Sense,
    /// What every acceptable point must meet.
    pub constraints: Vec<Constraint>,
}

impl Goal {
    /// Whether report `r` meets every constraint.
    pub fn feasible(&self, r: &Value) -> bool {
        self.constraints.iter().all(|c| c.holds(r))
    }

    /// Objective values in order of preference, best first (NaN last);
    /// with a stable sort, ties keep their order.
    pub fn order(&self, a: f64, b: f64) -> std::cmp::Ordering {
        let by_value = match self.sense {
            Sense::Minimize => a.total_cmp(&b),
            Sense::Maximize => b.total_cmp(&a),
        };
        a.is_nan().cmp(&b.is_nan()).then(by_value)
    }
}

/// A goal that cannot be understood.
#[derive(Debug, Clone, PartialEq)]
pub enum GoalError {
    /// No alias and no numeric report field has this name.
    UnknownFigure {
        /// The name.
        name: String,
        /// The closest known names.
        nearest: Vec<String>,
    },
    /// Not `FIGURE OP NUMBER`.
    Malformed {
        /// The text.
        text: String,
    },
}

impl fmt::Display for GoalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GoalError::UnknownFigure { name, nearest } => write!(
                f,
                "unknown figure {name:?}: did you mean {}? (an alias such as p99_latency_us, cpu_busy, drops, \
                 or a numeric report field by its path, e.g. latency_ns.p999; docs/report.md)",
                nearest.join(", ")
            ),
            GoalError::Malformed { text } => write!(
                f,
                "cannot read the constraint {text:?}: expected FIGURE OP NUMBER with OP one of <= < >= > == != \
                 (e.g. \"cpu_busy <= 0.5\")"
            ),
        }
    }
}

impl std::error::Error for GoalError {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!({"latency_ns": {"p99": 12000, "p50": 3000}, "cpu": {"busy": 0.4}, "drops_total": 0, "stats": {"irqs": 5}})
    }

    #[test]
    fn aliases_and_paths() {
        let s = sample();
        let f = Figure::parse("p99_latency_us", &s).unwrap();
        assert_eq!(f.value(&s), Some(12.0));
        assert_eq!(Figure::parse("stats.irqs", &s).unwrap().value(&s), Some(5.0));
        let e = Figure::parse("p99_latncy_us", &s).unwrap_err().to_string();
        assert!(e.contains("p99_latncy_us") && e.contains("p99_latency_us"), "{e}");
        assert!(Figure::parse("stats", &s).is_err(), "not a number");
    }

    #[test]
    fn constraints() {
        let s = sample();
        let c = Constraint::parse("cpu_busy <= 0.5", &s).unwrap();
        assert!(c.holds(&s) && c.violation(&s) == 0.0);
        let c = Constraint::parse("cpu_busy<0.3", &s).unwrap();
        assert!(!c.holds(&s) && (c.violation(&s) - 0.1).abs() < 1e-9);
        assert!(Constraint::parse("drops == 0", &s).unwrap().holds(&s));
        for bad in ["cpu_busy", "cpu_busy <= lots", "<= 3", "cpu_busy => 1"] {
            assert!(matches!(Constraint::parse(bad, &s), Err(GoalError::Malformed { .. })), "{bad}");
        }
        assert!(matches!(Constraint::parse("cpu_bsy <= 1", &s), Err(GoalError::UnknownFigure { .. })));
    }

    #[test]
    fn order_puts_the_best_first_and_nan_last() {
        let s = sample();
        let g = |sense| Goal { objective: Figure::parse("cpu_busy", &s).unwrap(), sense, constraints: vec![] };
        let mut v = [3.0, f64::NAN, 1.0, 2.0];
        v.sort_by(|a, b| g(Sense::Minimize).order(*a, *b));
        assert_eq!(&v[..3], &[1.0, 2.0, 3.0]);
        assert!(v[3].is_nan());
        v.sort_by(|a, b| g(Sense::Maximize).order(*a, *b));
        assert_eq!(&v[..3], &[3.0, 2.0, 1.0]);
        assert!(v[3].is_nan());
    }
}
