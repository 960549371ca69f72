//! The logical path of a scenario value — `convoy` › `kidal_column` › `vehicles` — in which
//! every step of loading names the value at fault. It knows the words of a path, not where they
//! were written (`locate`) nor what they mean (`validate`).

use toml::{Table, Value};

/// One step of a path into a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Seg {
    /// A key of a table.
    Key(String),
    /// The entry of an array of tables with this identity (its `id`, or `from_to` for roads).
    Id(String),
    /// The n-th element of an array (0-based).
    Index(usize),
}

impl Seg {
    /// A table key.
    pub(super) fn key(k: &str) -> Seg {
        Seg::Key(k.to_string())
    }

    /// An entry by identity.
    pub(super) fn id(id: &str) -> Seg {
        Seg::Id(id.to_string())
    }
}

/// The path as `--set` would write it.
pub(super) fn dotted(path: &[Seg]) -> String {
    path.iter()
        .map(|s| match s {
            Seg::Key(k) | Seg::Id(k) => k.clone(),
            Seg::Index(i) => i.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Where a key was found, in words: `[[convoy]] 'kidal_column'`, `[combat]` or "the top level".
pub(super) fn section_name(path: &[Seg]) -> String {
    match path {
        [] => "the top level".to_string(),
        [Seg::Key(k)] => format!("[{k}]"),
        [Seg::Key(k), Seg::Id(id)] => format!("[[{k}]] '{id}'"),
        [Seg::Key(k), Seg::Index(i)] => format!("[[{k}]] #{}", i + 1),
        _ => format!("'{}'", dotted(path)),
    }
}

/// The key that identifies an entry of an array of tables across files: its `id`, else
/// `from_to` for a road and `camp` for a withdrawal. Variants merge entries by it, `--set` and
/// [`Seg::Id`] name entries by it.
pub(super) fn identity(section: &str, entry: &Table) -> Option<String> {
    identity_by(section, |key| {
        entry.get(key).and_then(Value::as_str).map(str::to_string)
    })
}

/// The rule behind [`identity`], for any parsed form of an entry: `text(key)` is the entry's
/// value at `key` when that is text. The locator reads the spanned parse with the same rule, so
/// an entry is found under the very name it merged by.
pub(super) fn identity_by(section: &str, text: impl Fn(&str) -> Option<String>) -> Option<String> {
    text("id").or_else(|| match (section, text("from"), text("to"), text("camp")) {
        ("road", Some(a), Some(b), _) => Some(format!("{a}_{b}")),
        ("withdrawal", _, _, Some(c)) => Some(c),
        _ => None,
    })
}

/// Turns serde's path through the merged table into a logical path (array indices become ids).
pub(super) fn path_from_serde(merged: &Table, path: &serde_path_to_error::Path) -> Vec<Seg> {
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

/// The TOML key of a top-level array of tables, from the Rust field serde names it by.
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
