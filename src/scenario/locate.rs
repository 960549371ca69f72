//! Finds where a scenario value was written: from a logical path (`convoy` › `kidal_column` ›
//! `vehicles`) to file, line and column, searching the file first and then what it extends.

use toml::de::{DeTable, DeValue};
use toml::{Spanned, Table, Value};

use super::resolve::identity;

/// One step of a path into a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A key of a table.
    Key(String),
    /// The entry of an array of tables with this identity (its `id`, or `from_to` for roads).
    Id(String),
    /// The n-th element of an array (0-based).
    Index(usize),
}

impl Seg {
    /// A table key.
    pub fn key(k: &str) -> Seg {
        Seg::Key(k.to_string())
    }

    /// An entry by identity.
    pub fn id(id: &str) -> Seg {
        Seg::Id(id.to_string())
    }
}

/// The path as `--set` would write it.
pub fn dotted(path: &[Seg]) -> String {
    path.iter()
        .map(|s| match s {
            Seg::Key(k) | Seg::Id(k) => k.clone(),
            Seg::Index(i) => i.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// "[[convoy]] 'kidal_column'" or "[combat]" or "the top level": where a key was found.
pub fn section_name(path: &[Seg]) -> String {
    match path {
        [] => "the top level".to_string(),
        [Seg::Key(k)] => format!("[{k}]"),
        [Seg::Key(k), Seg::Id(id)] => format!("[[{k}]] '{id}'"),
        [Seg::Key(k), Seg::Index(i)] => format!("[[{k}]] #{}", i + 1),
        _ => format!("'{}'", dotted(path)),
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Turns serde's path through the merged table into a logical path (array indices become ids).
pub fn path_from_serde(merged: &Table, path: &serde_path_to_error::Path) -> Vec<Seg> {
    use serde_path_to_error::Segment;
    let mut out = Vec::new();
    let mut current: Option<&Value> = None;
    let mut section = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Map { key } => {
                let next = match current {
                    None => merged.get(key.as_str()),
                    Some(Value::Table(t)) => t.get(key.as_str()),
                    _ => None,
                };
                // serde names arrays of tables by their Rust field, not their TOML key.
                let key = toml_key(key);
                section = key.clone();
                out.push(Seg::Key(key.clone()));
                current = next.or_else(|| merged.get(key.as_str()).filter(|_| out.len() == 1));
            }
            Segment::Seq { index } => {
                let entry = match current {
                    Some(Value::Array(a)) => a.get(*index),
                    _ => None,
                };
                match entry
                    .and_then(Value::as_table)
                    .and_then(|t| identity(&section, t))
                {
                    Some(id) => out.push(Seg::Id(id)),
                    None => out.push(Seg::Index(*index)),
                }
                current = entry;
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

fn toml_key(rust_field: &str) -> String {
    match rust_field {
        "factions" => "faction",
        "sites" => "site",
        "roads" => "road",
        "withdrawals" => "withdrawal",
        "convoys" => "convoy",
        "groups" => "group",
        "reinforcements" => "reinforcement",
        other => other,
    }
    .to_string()
}

/// Where `path` was written: the first file (child first) holding all of it, else the deepest
/// partial match. Returns the file name and 1-based line and column.
pub fn find(files: &[(&str, &str)], path: &[Seg]) -> (String, Option<usize>, Option<usize>) {
    let mut best: Option<(usize, &str, usize, &str)> = None; // (depth, file, offset, text)
    for (name, text) in files {
        let Ok(root) = DeTable::parse(text) else {
            continue;
        };
        let (depth, offset) = walk(&root, path);
        if best.is_none_or(|(d, ..)| depth > d) {
            best = Some((depth, name, offset, text));
        }
        if depth == path.len() {
            break;
        }
    }
    match best {
        Some((depth, name, offset, text)) if depth > 0 || path.is_empty() => {
            let (l, c) = line_col(text, offset);
            (name.to_string(), Some(l), Some(c))
        }
        Some((_, name, ..)) => (name.to_string(), None, None),
        None => (
            files.first().map_or(String::new(), |f| f.0.to_string()),
            None,
            None,
        ),
    }
}

/// How many segments of `path` exist in this file, and the offset of the deepest one found.
fn walk(root: &Spanned<DeTable<'_>>, path: &[Seg]) -> (usize, usize) {
    let mut table: &DeTable<'_> = root.get_ref();
    let mut value: Option<&Spanned<DeValue<'_>>> = None;
    let mut offset = 0;
    let mut section = String::new();
    for (depth, seg) in path.iter().enumerate() {
        let next = match (seg, value.map(Spanned::get_ref)) {
            (Seg::Key(k), None) | (Seg::Key(k), Some(DeValue::Table(_))) => {
                let t = match value.map(Spanned::get_ref) {
                    Some(DeValue::Table(t)) => t,
                    _ => table,
                };
                section = k.clone();
                t.iter()
                    .find(|(key, _)| key.get_ref().as_ref() == k.as_str())
                    .map(|(key, v)| (key.span().start, v))
            }
            (Seg::Id(id), Some(DeValue::Array(a))) => a
                .iter()
                .find(|e| entry_identity(&section, e.get_ref()).as_deref() == Some(id.as_str()))
                .map(|e| (e.span().start, e)),
            (Seg::Index(i), Some(DeValue::Array(a))) => a.get(*i).map(|e| (e.span().start, e)),
            _ => None,
        };
        let Some((start, v)) = next else {
            return (depth, offset);
        };
        offset = start;
        value = Some(v);
        if let DeValue::Table(t) = v.get_ref() {
            table = t;
        }
    }
    (path.len(), offset)
}

fn entry_identity(section: &str, v: &DeValue<'_>) -> Option<String> {
    let DeValue::Table(t) = v else { return None };
    let get = |k: &str| {
        t.iter()
            .find(|(key, _)| key.get_ref().as_ref() == k)
            .and_then(|(_, v)| match v.get_ref() {
                DeValue::String(s) => Some(s.to_string()),
                _ => None,
            })
    };
    get("id").or_else(|| match (section, get("from"), get("to"), get("camp")) {
        ("road", Some(a), Some(b), _) => Some(format!("{a}_{b}")),
        ("withdrawal", _, _, Some(c)) => Some(c),
        _ => None,
    })
}
