//! Sweep axes: a dotted scenario path (`driver.rx_usecs`, `rx.load`) and the
//! values it takes.
//!
//! Any field of a scenario can be an axis; its path is the one
//! [`field_types`] lists (the scenario file's section and field names), its
//! values are typed by the field's type in the built-in scenario: an
//! integer field refuses `0.5`, a number field takes `8` (as `8.0`), a
//! string field takes text, a list field (`rx.frame_sizes`) takes lists (in a
//! sweep file only). [`apply`] sets values on a base scenario and validates
//! the result the way a scenario file is validated ([`Scenario::from_value`]).
//!
//! On the command line (`--vary`) an axis is `PATH=VALUES`: values separated
//! by commas, each written as in TOML (strings may be left unquoted), or a
//! range `START:STOP:STEP` (inclusive) for a numeric field; both may be
//! mixed: `driver.rx_usecs=0,8:64:8`. A sweep file gives a TOML array, or a
//! string in the command-line syntax: `vary = { "rx.load" = "0.1:1.0:0.1" }`.

use std::fmt;

use serde::Deserialize;
use serde_json::Value as Json;

use crate::run::scenario::{
    check_field, field_type, field_types, FieldError, FieldType, PathError, PathProblem, Scenario, ScenarioError,
};

/// Most values one axis may take.
pub const MAX_AXIS_VALUES: usize = 100_000;

/// Most decimal places a number range keeps (an f64 holds about 17 digits).
const MAX_DECIMALS: usize = 15;

/// One sweep axis: a dotted scenario path and the values it takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The field, as [`known_paths`] spells it (`driver.rx_ring`).
    pub path: String,
    /// The values in the order given, typed by the field (integers for an
    /// integer field, floats for a number field, strings, booleans, lists).
    /// Never empty, at most [`MAX_AXIS_VALUES`].
    pub values: Vec<Json>,
}

impl Axis {
    /// `--vary` syntax: `driver.rx_ring=64,256,1024` or
    /// `rx.load=0.1:1.0:0.1` (start:stop:step, inclusive, float-safe:
    /// 0.1:1.0:0.1 gives exactly 10 values, printed without float noise, e.g.
    /// 0.3 not 0.30000000000000004). Values are TOML literals (strings may be
    /// unquoted); ranges and single values may be mixed (`0,8:64:8`). A list
    /// field (`rx.frame_sizes`) is refused: its values go in a sweep file.
    pub fn parse(spec: &str) -> Result<Axis, AxisError> {
        let Some((path, text)) = spec.split_once('=') else {
            return Err(AxisError { path: spec.trim().into(), kind: AxisErrorKind::Syntax { spec: spec.into() } });
        };
        let path = path.trim();
        if path.is_empty() {
            return Err(AxisError { path: String::new(), kind: AxisErrorKind::Syntax { spec: spec.into() } });
        }
        let ty = field_type(path).map_err(AxisError::from)?;
        if let FieldType::List(_) = ty {
            return Err(AxisError { path: path.into(), kind: AxisErrorKind::ListOnCommandLine });
        }
        let values = parse_values(path, ty, text)?;
        Ok(Axis { path: path.into(), values })
    }

    /// From a sweep file's `[sweep] vary = { "driver.rx_ring" = [64, 256] }`
    /// entry: a TOML array of values of the field's type (an array of arrays
    /// for a list field), or a string in [`Axis::parse`]'s value syntax
    /// (`"0.1:1.0:0.1"`, `"64,256"`).
    pub fn from_toml(path: &str, values: &toml::Value) -> Result<Axis, AxisError> {
        let ty = field_type(path).map_err(AxisError::from)?;
        let err = |kind| AxisError { path: path.into(), kind };
        let values = match values {
            toml::Value::String(text) if !matches!(ty, FieldType::List(_)) => parse_values(path, ty, text)?,
            toml::Value::Array(items) => {
                if items.is_empty() {
                    return Err(err(AxisErrorKind::Empty));
                }
                if items.len() > MAX_AXIS_VALUES {
                    return Err(err(AxisErrorKind::TooMany { count: items.len() as u64, limit: MAX_AXIS_VALUES }));
                }
                items.iter().map(|v| typed(path, ty, v)).collect::<Result<_, _>>()?
            }
            other => {
                return Err(err(AxisErrorKind::Path(PathProblem::WrongType {
                    expected: match ty {
                        FieldType::List(_) => format!("an array of values, each {}", ty.with_article()),
                        _ => {
                            format!("an array of values, each {} (or a string \"START:STOP:STEP\")", ty.with_article())
                        }
                    },
                    given: other.to_string(),
                })))
            }
        };
        Ok(Axis { path: path.into(), values })
    }
}

/// Every leaf path a scenario has (`duration_us`, `rx.load`,
/// `driver.rx_usecs`, `pcap.input`, ...), sorted: the keys of
/// [`field_types`].
pub fn known_paths() -> Vec<String> {
    field_types().keys().cloned().collect()
}

/// `base` with each (path, value) set, deserialized and validated
/// ([`Scenario::from_value`]: the same checks as a scenario file). A number
/// field takes an integer; an integer field refuses a float. Paths in
/// `[pcap]` are taken as given (not relative to any file).
pub fn apply(base: &Scenario, assignments: &[(&str, &Json)]) -> Result<Scenario, AxisError> {
    let whole = |message: String| AxisError { path: String::new(), kind: AxisErrorKind::Scenario { message } };
    let mut doc = toml::Value::try_from(base).map_err(|e| whole(format!("the base scenario: {e}")))?;
    for &(path, value) in assignments {
        let ty = field_type(path).map_err(AxisError::from)?;
        let v = to_toml(path, ty, value)?;
        check_field(path, &v).map_err(AxisError::from)?;
        set(&mut doc, path, v);
    }
    Scenario::from_value(doc, None).map_err(|e| match e {
        ScenarioError::Invalid { error, .. } => {
            let set_here = |p: &str| error.field == p || error.field.starts_with(&format!("{p}["));
            let with = if assignments.iter().any(|(p, _)| set_here(p)) {
                Vec::new()
            } else {
                assignments.iter().map(|(p, v)| format!("{p} = {v}")).collect()
            };
            AxisError { path: error.field.clone(), kind: AxisErrorKind::OutOfRange { error: Box::new(error), with } }
        }
        other => whole(other.to_string()),
    })
}

/// Why an axis could not be read or applied. Its [`fmt::Display`] is a
/// whole sentence naming the path.
#[derive(Debug, Clone, PartialEq)]
pub struct AxisError {
    /// The scenario path concerned (`driver.rx_ring`). For an out-of-range
    /// error, the field [`Scenario::validate`] refused, which may be another
    /// than the one set (`driver.tx_stop_threshold` after
    /// `driver.tx_max_frame_len`). Empty when no path could be read, or for
    /// [`AxisErrorKind::Scenario`].
    pub path: String,
    /// What is wrong.
    pub kind: AxisErrorKind,
}

/// What is wrong, for an [`AxisError`].
#[derive(Debug, Clone, PartialEq)]
pub enum AxisErrorKind {
    /// A `--vary` argument not of the form `PATH=VALUES`.
    Syntax {
        /// The argument as given.
        spec: String,
    },
    /// The path is not a field (unknown, with the nearest known paths; or a
    /// section), or a value is of the wrong type (the expected type and the
    /// value given), or a value the field cannot hold (a negative integer, a
    /// name not among the choices).
    Path(PathProblem),
    /// No values at all.
    Empty,
    /// An empty value between commas (`64,,256`).
    EmptyValue {
        /// The values as given.
        text: String,
    },
    /// A range that is not `START:STOP:STEP`.
    BadRange {
        /// The range as given.
        range: String,
    },
    /// A range whose step is zero or negative.
    BadStep {
        /// The step as given.
        step: String,
    },
    /// A range whose start is above its stop.
    StartAfterStop {
        /// The start as given.
        start: String,
        /// The stop as given.
        stop: String,
    },
    /// More values than one axis may take.
    TooMany {
        /// How many were asked for (at least).
        count: u64,
        /// [`MAX_AXIS_VALUES`].
        limit: usize,
    },
    /// A list field (`rx.frame_sizes`) on the command line.
    ListOnCommandLine,
    /// A value outside what the setting allows, as [`Scenario::validate`]
    /// says it (the field, the value and the accepted range).
    OutOfRange {
        /// The field, value and accepted range (boxed: keeps the error small).
        error: Box<FieldError>,
        /// When the refused field is not one of those set: what was set
        /// (`path = value`), since that made it invalid.
        with: Vec<String>,
    },
    /// The scenario as a whole could not be built (its message).
    Scenario {
        /// What went wrong.
        message: String,
    },
}

impl From<PathError> for AxisError {
    fn from(e: PathError) -> Self {
        AxisError { path: e.path, kind: AxisErrorKind::Path(e.problem) }
    }
}

impl std::error::Error for AxisError {}

impl fmt::Display for AxisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = &self.path;
        match &self.kind {
            AxisErrorKind::Syntax { spec } => write!(
                f,
                "cannot read axis {spec:?}: expected PATH=V1,V2,... or PATH=START:STOP:STEP \
                 (driver.rx_ring=64,256,1024 or rx.load=0.1:1.0:0.1)"
            ),
            AxisErrorKind::Path(problem) => {
                write!(f, "{}", PathError { path: path.clone(), problem: problem.clone() })
            }
            AxisErrorKind::Empty => write!(f, "axis {path} has no values"),
            AxisErrorKind::EmptyValue { text } => write!(f, "axis {path}: an empty value in {text:?}"),
            AxisErrorKind::BadRange { range } => {
                write!(f, "axis {path}: {range:?} is not a range START:STOP:STEP (inclusive)")
            }
            AxisErrorKind::BadStep { step } => {
                write!(f, "axis {path}: the range's step is {step}; it must be more than 0")
            }
            AxisErrorKind::StartAfterStop { start, stop } => {
                write!(f, "axis {path}: the range starts at {start}, above its stop {stop}")
            }
            AxisErrorKind::TooMany { count, limit } => {
                write!(f, "axis {path} has {count} values, more than the {limit} one axis may take")
            }
            AxisErrorKind::ListOnCommandLine => write!(
                f,
                "axis {path} is a list field: vary it in a sweep file, each value a list \
                 ([sweep] vary = {{ \"{path}\" = [[64], [64, 1518]] }})"
            ),
            AxisErrorKind::OutOfRange { error, with } => {
                write!(f, "{error}")?;
                if !with.is_empty() {
                    write!(f, " (with {})", with.join(", "))?;
                }
                Ok(())
            }
            AxisErrorKind::Scenario { message } => f.write_str(message),
        }
    }
}

/// The values of `--vary` after `=` (or a sweep file's string): comma
/// separated, each a TOML literal or (numeric fields) a range.
fn parse_values(path: &str, ty: &FieldType, text: &str) -> Result<Vec<Json>, AxisError> {
    let err = |kind| AxisError { path: path.into(), kind };
    if text.trim().is_empty() {
        return Err(err(AxisErrorKind::Empty));
    }
    let numeric = matches!(ty, FieldType::Integer | FieldType::Number);
    let mut values = Vec::new();
    for part in text.split(',').map(str::trim) {
        if part.is_empty() {
            return Err(err(AxisErrorKind::EmptyValue { text: text.into() }));
        }
        if numeric && part.contains(':') {
            let room = MAX_AXIS_VALUES - values.len();
            values.extend(range(path, ty, part, room).map_err(|e| match e.kind {
                // Count what came before too.
                AxisErrorKind::TooMany { count, limit } => {
                    err(AxisErrorKind::TooMany { count: count.saturating_add((MAX_AXIS_VALUES - room) as u64), limit })
                }
                _ => e,
            })?);
        } else {
            if values.len() == MAX_AXIS_VALUES {
                return Err(err(AxisErrorKind::TooMany { count: values.len() as u64 + 1, limit: MAX_AXIS_VALUES }));
            }
            values.push(typed(path, ty, &literal(ty, part))?);
        }
    }
    Ok(values)
}

/// A value as typed on the command line: a TOML literal, or (for a string
/// field) the text itself when it is not one.
fn literal(ty: &FieldType, text: &str) -> toml::Value {
    match toml::Value::deserialize(toml::de::ValueDeserializer::new(text)) {
        Ok(v) if v.is_str() || !matches!(ty, FieldType::String) => v,
        _ => toml::Value::String(text.to_string()),
    }
}

/// `value` for the field at `path`, checked ([`check_field`]) and as JSON
/// (a number field's integers as floats).
fn typed(path: &str, ty: &FieldType, value: &toml::Value) -> Result<Json, AxisError> {
    check_field(path, value).map_err(AxisError::from)?;
    to_json(path, ty, value)
}

fn to_json(path: &str, ty: &FieldType, value: &toml::Value) -> Result<Json, AxisError> {
    let item = match ty {
        FieldType::List(t) => t.as_ref(),
        _ => &FieldType::Any,
    };
    Ok(match (ty, value) {
        (FieldType::Number, toml::Value::Integer(i)) => Json::from(*i as f64),
        (_, toml::Value::Integer(i)) => Json::from(*i),
        (_, toml::Value::Float(x)) => match serde_json::Number::from_f64(*x) {
            Some(n) => Json::Number(n),
            None => {
                return Err(AxisError {
                    path: path.into(),
                    kind: AxisErrorKind::Path(PathProblem::WrongType {
                        expected: "a finite number".into(),
                        given: value.to_string(),
                    }),
                })
            }
        },
        (_, toml::Value::Boolean(b)) => Json::from(*b),
        (_, toml::Value::String(s)) => Json::from(s.as_str()),
        (_, toml::Value::Array(a)) => Json::Array(a.iter().map(|v| to_json(path, item, v)).collect::<Result<_, _>>()?),
        (_, other) => Json::from(other.to_string()),
    })
}

/// A JSON value as TOML, for the field at `path`.
fn to_toml(path: &str, ty: &FieldType, value: &Json) -> Result<toml::Value, AxisError> {
    let wrong = || AxisError {
        path: path.into(),
        kind: AxisErrorKind::Path(PathProblem::WrongType {
            expected: ty.with_article(),
            given: crate::run::scenario::shorten(value.to_string()),
        }),
    };
    Ok(match value {
        Json::Null => return Err(wrong()),
        Json::Bool(b) => toml::Value::Boolean(*b),
        Json::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => toml::Value::Integer(i),
            (None, Some(_)) if n.is_u64() => {
                return Err(AxisError {
                    path: path.into(),
                    kind: AxisErrorKind::Path(PathProblem::BadValue {
                        given: n.to_string(),
                        message: format!("larger than the largest integer a scenario holds ({})", i64::MAX),
                    }),
                })
            }
            (None, Some(x)) => toml::Value::Float(x),
            (None, None) => return Err(wrong()),
        },
        Json::String(s) => toml::Value::String(s.clone()),
        Json::Array(a) => {
            let item = match ty {
                FieldType::List(t) => t.as_ref(),
                _ => &FieldType::Any,
            };
            toml::Value::Array(a.iter().map(|v| to_toml(path, item, v)).collect::<Result<_, _>>()?)
        }
        Json::Object(m) => toml::Value::Table(
            m.iter()
                .map(|(k, v)| Ok((k.clone(), to_toml(path, &FieldType::Any, v)?)))
                .collect::<Result<_, AxisError>>()?,
        ),
    })
}

/// Sets `value` at the dotted `path` of `doc`, making sections as needed
/// (`path` is a known field, so the way there is tables).
fn set(doc: &mut toml::Value, path: &str, value: toml::Value) {
    let mut keys: Vec<&str> = path.split('.').collect();
    let last = keys.pop().unwrap_or(path);
    let mut here = doc;
    for key in keys {
        let toml::Value::Table(t) = here else { return };
        here = t.entry(key).or_insert_with(|| toml::Value::Table(toml::Table::new()));
    }
    if let toml::Value::Table(t) = here {
        t.insert(last.to_string(), value);
    }
}

/// `START:STOP:STEP`, inclusive, for an integer or number field; at most
/// `room` values.
fn range(path: &str, ty: &FieldType, text: &str, room: usize) -> Result<Vec<Json>, AxisError> {
    let err = |kind| AxisError { path: path.into(), kind };
    let parts: Vec<&str> = text.split(':').map(str::trim).collect();
    let [start, stop, step] = parts[..] else {
        return Err(err(AxisErrorKind::BadRange { range: text.into() }));
    };
    let bound = |s: &str| -> Result<toml::Value, AxisError> {
        let v = literal(ty, s);
        if ty.accepts(&v) {
            Ok(v)
        } else {
            Err(err(AxisErrorKind::Path(PathProblem::WrongType { expected: ty.with_article(), given: s.into() })))
        }
    };
    let (a, b, d) = (bound(start)?, bound(stop)?, bound(step)?);
    let too_many = |count: u64| err(AxisErrorKind::TooMany { count, limit: MAX_AXIS_VALUES });
    let mut values = Vec::with_capacity(room.min(1024));
    if let (toml::Value::Integer(a), toml::Value::Integer(b), toml::Value::Integer(d), FieldType::Integer) =
        (&a, &b, &d, ty)
    {
        let (a, b, d) = (*a, *b, *d);
        check_order(d <= 0, a > b, start, stop, step).map_err(err)?;
        let count = (i128::from(b) - i128::from(a)) / i128::from(d) + 1;
        if count > room as i128 {
            return Err(too_many(u64::try_from(count).unwrap_or(u64::MAX)));
        }
        for i in 0..count as i64 {
            values.push(toml::Value::Integer(a + i * d));
        }
    } else {
        let num = |v: &toml::Value| v.as_float().or(v.as_integer().map(|i| i as f64)).unwrap_or(f64::NAN);
        let (a, b, d) = (num(&a), num(&b), num(&d));
        if !(a.is_finite() && b.is_finite() && d.is_finite()) {
            return Err(err(AxisErrorKind::BadRange { range: text.into() }));
        }
        check_order(d <= 0.0, a > b, start, stop, step).map_err(err)?;
        // Steps that fit, allowing for the step's rounding (0.9 / 0.1 is 8.999999999999998).
        let q = (b - a) / d;
        let steps = (q + 1e-9 * q.abs().max(1.0)).floor();
        if steps >= room as f64 {
            return Err(too_many(if steps.is_finite() { steps as u64 + 1 } else { u64::MAX }));
        }
        let places = [start, stop, step].iter().map(|s| decimals(s)).max().unwrap_or(0).min(MAX_DECIMALS);
        for i in 0..=steps as u64 {
            // The nearest double to the decimal, not a + i * d's rounding noise.
            let x: f64 = format!("{:.*}", places, a + i as f64 * d).parse().unwrap_or(a);
            values.push(toml::Value::Float(x));
        }
    }
    // The ends stand for the values between (a negative start, say).
    for end in [values.first(), values.last()].into_iter().flatten() {
        check_field(path, end).map_err(AxisError::from)?;
    }
    values.iter().map(|v| to_json(path, ty, v)).collect()
}

/// A zero or negative step, or start above stop, as its error.
fn check_order(bad_step: bool, backwards: bool, start: &str, stop: &str, step: &str) -> Result<(), AxisErrorKind> {
    if bad_step {
        Err(AxisErrorKind::BadStep { step: step.into() })
    } else if backwards {
        Err(AxisErrorKind::StartAfterStop { start: start.into(), stop: stop.into() })
    } else {
        Ok(())
    }
}

/// Decimal places a number literal shows (`0.25` -> 2, `1e-3` -> 3, `5` -> 0).
fn decimals(literal: &str) -> usize {
    let literal = literal.replace('_', "");
    let (mantissa, exp) = match literal.split_once(['e', 'E']) {
        Some((m, e)) => (m.to_string(), e.parse::<i64>().unwrap_or(0)),
        None => (literal, 0),
    };
    let frac = mantissa.split_once('.').map_or(0, |(_, f)| f.len()) as i64;
    (frac - exp).max(0) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_err(spec: &str) -> AxisError {
        Axis::parse(spec).unwrap_err()
    }

    #[test]
    fn parses_lists() {
        let a = Axis::parse("driver.rx_ring=64,256,1024").unwrap();
        assert_eq!(a.path, "driver.rx_ring");
        assert_eq!(a.values, vec![json!(64), json!(256), json!(1024)]);
        let a = Axis::parse(" rx.load = 0.25, 1 ").unwrap();
        assert_eq!(a.values, vec![json!(0.25), json!(1.0)], "a number field takes an integer, as a float");
        let a = Axis::parse("driver.rx_checksumming=true,false").unwrap();
        assert_eq!(a.values, vec![json!(true), json!(false)]);
        let a = Axis::parse("pcap.timing=recorded,\"rate\"").unwrap();
        assert_eq!(a.values, vec![json!("recorded"), json!("rate")]);
        let a = Axis::parse("cpu.rmem=1_000,4096").unwrap();
        assert_eq!(a.values, vec![json!(1000), json!(4096)]);
        let a = Axis::parse("driver.rx_usecs=0,8:32:8").unwrap();
        assert_eq!(a.values, vec![json!(0), json!(8), json!(16), json!(24), json!(32)]);
    }

    #[test]
    fn float_ranges_are_exact() {
        let a = Axis::parse("rx.load=0.1:1.0:0.1").unwrap();
        assert_eq!(a.values.len(), 10);
        let shown: Vec<String> = a.values.iter().map(|v| v.to_string()).collect();
        assert_eq!(shown, ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"]);
        assert_eq!(a.values[2].as_f64(), Some(0.3));
        let a = Axis::parse("rx.load=0:1:0.25").unwrap();
        assert_eq!(a.values, vec![json!(0.0), json!(0.25), json!(0.5), json!(0.75), json!(1.0)]);
        // A stop between steps is not reached.
        assert_eq!(Axis::parse("rx.load=0.1:0.35:0.1").unwrap().values, vec![json!(0.1), json!(0.2), json!(0.3)]);
        assert_eq!(Axis::parse("tx.frames_per_sec=1e3:3e3:1e3").unwrap().values.len(), 3);
        assert_eq!(Axis::parse("rx.load=0.5:0.5:0.1").unwrap().values, vec![json!(0.5)]);
        assert_eq!(decimals("0.25"), 2);
        assert_eq!(decimals("1e-3"), 3);
        assert_eq!(decimals("2.5E1"), 0);
    }

    #[test]
    fn integer_ranges() {
        let a = Axis::parse("driver.rx_ring=64:256:64").unwrap();
        assert_eq!(a.values, vec![json!(64), json!(128), json!(192), json!(256)]);
        assert_eq!(Axis::parse("driver.rx_ring=8:20:8").unwrap().values, vec![json!(8), json!(16)]);
        let e = parse_err("driver.rx_ring=8:64:0.5");
        assert!(matches!(e.kind, AxisErrorKind::Path(PathProblem::WrongType { .. })), "{e:?}");
        assert_eq!(e.to_string(), "driver.rx_ring = 0.5: wrong type, expected an integer");
    }

    #[test]
    fn unknown_path_names_the_nearest() {
        let e = parse_err("driver.rx_usec=8");
        assert_eq!(e.path, "driver.rx_usec");
        assert_eq!(e.to_string(), "unknown field driver.rx_usec; did you mean driver.rx_usecs?");
        let e = parse_err("driver.coalesce.rx_usecs=8");
        assert!(e.to_string().ends_with("did you mean driver.rx_usecs?"), "{e}");
        let e = parse_err("rx.lod=0.5");
        assert!(e.to_string().contains("did you mean rx.load?"), "{e}");
        let e = parse_err("driver=8");
        assert!(e.to_string().contains("driver is a section") && e.to_string().contains("rx_ring"), "{e}");
        let e = parse_err("nothing.like.it=1");
        assert!(matches!(&e.kind, AxisErrorKind::Path(PathProblem::Unknown { nearest, .. }) if nearest.is_empty()));
        assert!(e.to_string().starts_with("unknown field nothing.like.it"), "{e}");
        let e = Axis::from_toml("driver.rx_rings", &toml::Value::Array(vec![8.into()])).unwrap_err();
        assert!(e.to_string().contains("did you mean driver.rx_ring?"), "{e}");
    }

    #[test]
    fn wrong_type_names_expected_and_given() {
        let e = parse_err("driver.rx_ring=0.5");
        assert_eq!(e.path, "driver.rx_ring");
        assert_eq!(e.to_string(), "driver.rx_ring = 0.5: wrong type, expected an integer");
        let e = parse_err("driver.rx_checksumming=yes");
        assert!(e.to_string().contains("expected a boolean"), "{e}");
        let e = parse_err("rx.load=high");
        assert!(e.to_string().contains("rx.load = \"high\": wrong type, expected a number"), "{e}");
        let e = parse_err("rx.frame_sizes=64");
        assert_eq!(e.kind, AxisErrorKind::ListOnCommandLine);
        assert!(e.to_string().contains("sweep file"), "{e}");
        // A value the type allows but the field cannot hold.
        let e = parse_err("driver.rx_ring=-8");
        assert!(e.to_string().contains("driver.rx_ring = -8") && e.to_string().contains("non-negative"), "{e}");
        let e = parse_err("pcap.timing=fast");
        assert!(e.to_string().contains("`recorded` or `rate`"), "{e}");
        // apply checks JSON values the same way.
        let e = apply(&Scenario::default(), &[("driver.rx_ring", &json!(0.5))]).unwrap_err();
        assert_eq!(e.to_string(), "driver.rx_ring = 0.5: wrong type, expected an integer");
        let e = apply(&Scenario::default(), &[("rx.load", &json!("x"))]).unwrap_err();
        assert!(e.to_string().contains("expected a number"), "{e}");
    }

    #[test]
    fn from_toml_arrays_and_strings() {
        let v: toml::Table =
            toml::from_str("a = [64, 256]\nb = \"0.1:0.3:0.1\"\nc = [[64], [64, 1518]]\nd = 5\n").unwrap();
        assert_eq!(Axis::from_toml("driver.rx_ring", &v["a"]).unwrap().values, vec![json!(64), json!(256)]);
        assert_eq!(Axis::from_toml("rx.load", &v["b"]).unwrap().values, vec![json!(0.1), json!(0.2), json!(0.3)]);
        assert_eq!(Axis::from_toml("rx.frame_sizes", &v["c"]).unwrap().values, vec![json!([64]), json!([64, 1518])]);
        assert_eq!(Axis::from_toml("rx.load", &v["a"]).unwrap().values, vec![json!(64.0), json!(256.0)]);
        let e = Axis::from_toml("rx.frame_sizes", &v["a"]).unwrap_err();
        assert!(e.to_string().contains("rx.frame_sizes = 64: wrong type, expected a list of integers"), "{e}");
        let e = Axis::from_toml("driver.rx_ring", &v["d"]).unwrap_err();
        assert!(e.to_string().contains("expected an array of values"), "{e}");
        let e = Axis::from_toml("driver.rx_ring", &toml::Value::Array(vec![])).unwrap_err();
        assert_eq!(e.kind, AxisErrorKind::Empty);
    }

    #[test]
    fn out_of_range_gives_the_range() {
        let base = Scenario::default();
        let s = apply(&base, &[("driver.rx_ring", &json!(1024)), ("rx.load", &json!(0.25))]).unwrap();
        assert_eq!((s.driver.rx_ring, s.rx.load), (1024, 0.25));
        assert_eq!(apply(&base, &[("rx.load", &json!(1))]).unwrap().rx.load, 1.0, "a number field takes 1");
        assert_eq!(apply(&base, &[]).unwrap(), base);
        let e = apply(&base, &[("driver.rx_ring", &json!(100))]).unwrap_err();
        assert_eq!(e.path, "driver.rx_ring");
        assert!(matches!(e.kind, AxisErrorKind::OutOfRange { .. }));
        assert_eq!(e.to_string(), "invalid driver.rx_ring = 100: expected 8..=4096 and a multiple of 8");
        let e = apply(&base, &[("rx.load", &json!(1.5))]).unwrap_err();
        assert!(e.to_string().contains("rx.load = 1.5") && e.to_string().contains("0..=1"), "{e}");
        // Another field made invalid by the one set.
        let e = apply(&base, &[("driver.tx_max_frame_len", &json!(9018))]).unwrap_err();
        assert_eq!(e.path, "driver.tx_stop_threshold");
        assert_eq!(
            e.to_string(),
            "invalid driver.tx_stop_threshold = 1: expected 5..=255 (with driver.tx_max_frame_len = 9018)"
        );
        let e = apply(&base, &[("rx.frame_sizes", &json!([64, 20]))]).unwrap_err();
        assert!(e.to_string().contains("rx.frame_sizes[1] = 20") && !e.to_string().contains("(with"), "{e}");
        // The application's frames must pass xmit.
        let e = apply(&base, &[("driver.tx_max_frame_len", &json!(100))]).unwrap_err();
        assert_eq!(e.path, "driver.tx_max_frame_len");
        assert!(e.to_string().contains("at least 508"), "{e}");
        // pcap paths are strings, settable though unset by default.
        let s = apply(&base, &[("pcap.output", &json!("out.pcap"))]).unwrap();
        assert_eq!(s.pcap.output.as_deref(), Some(std::path::Path::new("out.pcap")));
    }

    #[test]
    fn empty_and_bad_ranges() {
        assert_eq!(parse_err("driver.rx_ring=").kind, AxisErrorKind::Empty);
        assert_eq!(parse_err("driver.rx_ring=").to_string(), "axis driver.rx_ring has no values");
        assert!(matches!(parse_err("driver.rx_ring=64,,256").kind, AxisErrorKind::EmptyValue { .. }));
        assert!(matches!(parse_err("driver.rx_ring").kind, AxisErrorKind::Syntax { .. }));
        assert!(matches!(parse_err("=5").kind, AxisErrorKind::Syntax { .. }));
        let e = parse_err("rx.load=0.1:1.0:0");
        assert_eq!(e.kind, AxisErrorKind::BadStep { step: "0".into() });
        assert_eq!(e.to_string(), "axis rx.load: the range's step is 0; it must be more than 0");
        assert!(matches!(parse_err("driver.rx_ring=8:64:-8").kind, AxisErrorKind::BadStep { .. }));
        let e = parse_err("rx.load=1.0:0.1:0.1");
        assert_eq!(e.to_string(), "axis rx.load: the range starts at 1.0, above its stop 0.1");
        assert!(matches!(parse_err("rx.load=0.1:1.0").kind, AxisErrorKind::BadRange { .. }));
        assert!(matches!(parse_err("rx.load=0:1:nan").kind, AxisErrorKind::BadRange { .. }));
        let e = parse_err("seed=1:200000:1");
        assert_eq!(e.kind, AxisErrorKind::TooMany { count: 200_000, limit: MAX_AXIS_VALUES });
        assert!(e.to_string().contains("200000 values, more than the 100000"), "{e}");
        assert!(matches!(parse_err("rx.load=0:1:1e-9").kind, AxisErrorKind::TooMany { .. }));
        assert!(matches!(parse_err("seed=0,1:100000:1").kind, AxisErrorKind::TooMany { count: 100_001, .. }));
        assert_eq!(Axis::parse("seed=1:100000:1").unwrap().values.len(), MAX_AXIS_VALUES);
    }

    #[test]
    fn known_paths_cover_the_scenario() {
        let paths = known_paths();
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(paths, sorted);
        for p in ["duration_us", "seed", "rx.load", "rx.frame_sizes", "driver.rx_usecs", "driver.tx_wake_threshold"] {
            assert!(paths.iter().any(|k| k == p), "{p}");
        }
        for p in ["pcap.input", "pcap.timing", "pcap.output", "pcap.delivered"] {
            assert_eq!(field_type(p), Ok(&FieldType::String), "{p}");
        }
        assert!(!paths.iter().any(|k| k.contains("coalesce")), "Coalesce is flattened into [driver]");
        assert_eq!(field_type("rx.load"), Ok(&FieldType::Number));
        assert_eq!(field_type("rx.frame_sizes"), Ok(&FieldType::List(Box::new(FieldType::Integer))));
        assert!(!field_types().values().any(|t| *t == FieldType::Any), "every field's type is known");
    }

    #[test]
    fn default_toml_spells_out_every_field() {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/default.toml");
        let value: toml::Table = toml::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        for path in known_paths().iter().filter(|p| !p.starts_with("pcap.")) {
            let mut here = &value;
            let (sections, field) = path.rsplit_once('.').map_or((None, path.as_str()), |(s, f)| (Some(s), f));
            for s in sections.into_iter().flat_map(|s| s.split('.')) {
                here = here.get(s).and_then(|v| v.as_table()).unwrap_or_else(|| panic!("no [{s}] for {path}"));
            }
            assert!(here.contains_key(field), "scenarios/default.toml lacks {path}");
        }
    }
}
