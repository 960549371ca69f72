//! Finds where a scenario value was written: from a logical path (`convoy` › `kidal_column` ›
//! `vehicles`) to file, line and column, searching the file first and then what it extends.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::keypath::{self, Seg};

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Where `path` was written: the first file (child first) holding all of it, else the deepest
/// partial match. Returns the file name and 1-based line and column.
pub(super) fn find(files: &[(&str, &str)], path: &[Seg]) -> (String, Option<usize>, Option<usize>) {
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

/// Where each entry of the array of tables `section` whose identity is `id` starts in `text`
/// (1-based line and column), in file order: two or more when the file writes it twice.
pub(super) fn entries_named(text: &str, section: &str, id: &str) -> Vec<(usize, usize)> {
    let Ok(root) = DeTable::parse(text) else {
        return Vec::new();
    };
    let Some(DeValue::Array(entries)) = root
        .get_ref()
        .iter()
        .find(|(key, _)| key.get_ref().as_ref() == section)
        .map(|(_, v)| v.get_ref())
    else {
        return Vec::new();
    };
    entries
        .iter()
        .filter(|e| entry_identity(section, e.get_ref()).as_deref() == Some(id))
        .map(|e| line_col(text, e.span().start))
        .collect()
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

/// The identity of an array entry in the spanned parse ([`keypath::identity_by`]).
fn entry_identity(section: &str, v: &DeValue<'_>) -> Option<String> {
    let DeValue::Table(t) = v else { return None };
    keypath::identity_by(section, |k| {
        t.iter()
            .find(|(key, _)| key.get_ref().as_ref() == k)
            .and_then(|(_, v)| match v.get_ref() {
                DeValue::String(s) => Some(s.to_string()),
                _ => None,
            })
    })
}
