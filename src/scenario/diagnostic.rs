//! What went wrong in a scenario, in words a student can act on: a [`Problem`] names the value
//! at fault by its key path; a [`ScenarioError`] is that problem placed at file:line:col. Every
//! stage of loading reports through these; this module knows no stage.

use toml::{Table, Value};

use super::keypath::{self, Seg, identity};

/// The keys of a number written as a table, as serde lists them when one is unknown.
const NUMBER_KEYS: [&str; 5] = ["value", "min", "mode", "max", "source"];

/// A scenario error, located in its file where it has a place there.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}", location_prefix(.file, .line, .column))]
pub struct ScenarioError {
    /// The file the error is in (or `--set` for an override, `<embedded default>` for the default).
    pub file: String,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// 1-based column, where known.
    pub column: Option<usize>,
    /// What is wrong and what would be valid.
    pub message: String,
}

/// `file:line:col: `, or as much of it as is known.
fn location_prefix(file: &str, line: &Option<usize>, column: &Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("{file}:{l}:{c}: "),
        (Some(l), None) => format!("{file}:{l}: "),
        _ => format!("{file}: "),
    }
}

/// A failure at a place in the scenario, before that place is found in a file: the merged
/// scenario no longer knows which file wrote each value, so stages report the key path and the
/// chain of files turns it into file:line:col (`resolve::Chain::locate_problem`).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Problem {
    /// Where: `convoy` › `kidal_column` › `to`.
    pub(super) path: Vec<Seg>,
    /// What is wrong and what would be valid.
    pub(super) message: String,
}

/// The problem `message` at `path`.
pub(super) fn problem(path: &[Seg], message: impl Into<String>) -> Problem {
    Problem {
        path: path.to_vec(),
        message: message.into(),
    }
}

/// A shape or type error found by serde in the merged table, said in plain words (what the key
/// must be and what it is) at the path of the value at fault.
pub(super) fn from_serde(
    merged: &Table,
    err: &serde_path_to_error::Error<toml::de::Error>,
) -> Problem {
    let mut path = keypath::path_from_serde(merged, err.path());
    let raw = err.inner().message().trim().to_string();
    let message = if let Some((unknown, expected)) = parse_unknown_field(&raw) {
        // serde's path may or may not end with the unknown key itself.
        if path.last() == Some(&Seg::key(&unknown)) {
            path.pop();
        }
        // A number written as a table ({ min, max }) is no section, whatever its depth.
        let section = if expected.iter().map(String::as_str).eq(NUMBER_KEYS) {
            format!("the number '{}'", keypath::dotted(&path))
        } else {
            keypath::section_name(&path)
        };
        path.push(Seg::key(&unknown));
        match did_you_mean(&unknown, &expected) {
            Some(best) => {
                format!("unknown key '{unknown}' in {section} — did you mean '{best}'?")
            }
            None => format!(
                "unknown key '{unknown}' in {section} (valid keys: {})",
                expected.join(", ")
            ),
        }
    } else {
        // A table where a date belongs: toml's date reader names the table's first key, or
        // says it found no date in it. Either way the table itself is at fault.
        if raw == "expected field with custom name" {
            path.pop();
        }
        if raw == "expected field with custom name" || raw == "datetime key not found" {
            let found = value_at(merged, &path).map_or_else(|| "a table".to_string(), describe);
            format!(
                "{} must be {}, not {found}",
                keypath::dotted(&path),
                expected_in_words("a TOML datetime", "")
            )
        } else {
            plain_message(merged, &path, &raw)
        }
    };
    Problem { path, message }
}

/// Serde's message about a value of the wrong shape, in words a student can act on:
/// `site.gao.lat must be a number, not the text "north"`.
fn plain_message(merged: &Table, path: &[Seg], raw: &str) -> String {
    let dotted = keypath::dotted(path);
    if let Some(rest) = raw.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        let section = match path {
            [] => "the scenario".to_string(),
            _ => keypath::section_name(path),
        };
        return format!("{section} lacks the required key '{field}'");
    }
    if let Some((variant, choices)) = parse_unknown_variant(raw) {
        let hint = did_you_mean(&variant, &choices)
            .map(|best| format!(" — did you mean '{best}'?"))
            .unwrap_or_default();
        return format!(
            "{dotted} is '{variant}'; it must be one of: {}{hint}",
            choices.join(", ")
        );
    }
    if let Some(rest) = raw.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        let found = value_at(merged, path).map_or_else(|| found.to_string(), describe);
        return format!(
            "{dotted} must be {}, not {found}",
            expected_in_words(expected, &dotted)
        );
    }
    if let Some(rest) = raw.strip_prefix("invalid length ")
        && let Some((n, _)) = rest.split_once(',')
    {
        if dotted.starts_with("stances.") {
            return format!(
                "{dotted} has {n} faction ids; each stance is a pair, like [\"fama\", \"csp\"]"
            );
        }
        return format!("{dotted} has {n} elements, which is not what it takes: {raw}");
    }
    if dotted.is_empty() {
        raw.to_string()
    } else {
        format!("{dotted}: {raw}")
    }
}

/// The merged scenario's value at `path`, to say what the user wrote.
fn value_at<'a>(merged: &'a Table, path: &[Seg]) -> Option<&'a Value> {
    let mut here: Option<&Value> = None;
    let mut section = "";
    for seg in path {
        here = match (seg, here) {
            (Seg::Key(k), None) => {
                section = k;
                merged.get(k.as_str())
            }
            (Seg::Key(k), Some(Value::Table(t))) => t.get(k.as_str()),
            (Seg::Index(i), Some(Value::Array(a))) => a.get(*i),
            (Seg::Id(id), Some(Value::Array(a))) => a.iter().find(|e| {
                e.as_table().and_then(|t| identity(section, t)).as_deref() == Some(id.as_str())
            }),
            _ => None,
        };
        here?;
    }
    here
}

/// A value as a student would name it: `the text "north"`, `the number 5`, `a list`.
fn describe(value: &Value) -> String {
    match value {
        Value::String(s) => format!("the text \"{s}\""),
        Value::Integer(i) => format!("the number {i}"),
        Value::Float(f) => format!("the number {f}"),
        Value::Boolean(b) => b.to_string(),
        Value::Datetime(d) => format!("the date {d}"),
        Value::Array(_) => "a list [ … ]".to_string(),
        Value::Table(_) => "a table { … }".to_string(),
    }
}

/// What serde says it expected, in plain words, with an example that fits the key at `dotted`.
fn expected_in_words(expected: &str, dotted: &str) -> String {
    let key = dotted.rsplit('.').next().unwrap_or(dotted);
    match expected {
        "f64" | "f32" | "i64" | "u64" | "i32" | "u32" | "usize" | "a number" => {
            "a number".to_string()
        }
        "a string" => "text in quotes, like \"gao\"".to_string(),
        "a boolean" => "true or false".to_string(),
        "a TOML datetime" => "a date like 2023-10-02 (without quotes)".to_string(),
        "a sequence" if dotted.starts_with("stances.") => {
            "a list of pairs of faction ids, like [[\"fama\", \"csp\"]]".to_string()
        }
        "a sequence" => "a list in brackets, like [\"tarkint\", \"anefis\"]".to_string(),
        "a map" if key == "speed_km_per_day" => {
            "a table of speeds by road surface, like { paved = 250, track = 120 }".to_string()
        }
        "a map" if key == "garrison" || key == "attached" => {
            "a table of troops by faction, like { fama = 500 }".to_string()
        }
        "a map" => "a table of keys and values, like { key = 1 }".to_string(),
        e if e.starts_with("struct ") => "a table of keys and values".to_string(),
        e if e.starts_with("an array of length 2") => {
            "a pair in brackets, like [\"fama\", \"csp\"]".to_string()
        }
        e if e.starts_with("a number, or a range") => {
            "a number, or a range like { min = 60, max = 90 } or { min = 60, mode = 80, max = 90 }"
                .to_string()
        }
        other => other.to_string(),
    }
}

/// Splits serde's "unknown variant `x`, expected one of `a`, `b`" (or "expected `a` or `b`")
/// into x and [a, b].
fn parse_unknown_variant(message: &str) -> Option<(String, Vec<String>)> {
    split_unknown(message.strip_prefix("unknown variant `")?)
}

/// Splits serde's "unknown field `x`, expected one of `a`, `b`" into x and [a, b].
fn parse_unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    split_unknown(message.strip_prefix("unknown field `")?)
}

/// "x`, expected one of `a`, `b`" into x and [a, b]. The user's x may hold backticks itself;
/// the valid names never do, so the split is at the last "`, expected ".
fn split_unknown(rest: &str) -> Option<(String, Vec<String>)> {
    let at = rest.rfind("`, expected ")?;
    let (unknown, expected) = (&rest[..at], &rest[at + "`, expected ".len()..]);
    let valid = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some((unknown.to_string(), valid))
}

/// The valid key closest to a misspelt one, if any is close.
pub(crate) fn did_you_mean(wrong: &str, valid: &[String]) -> Option<String> {
    valid
        .iter()
        .map(|v| (strsim::jaro_winkler(wrong, v), v))
        .filter(|(similarity, _)| *similarity >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, v)| v.clone())
}
