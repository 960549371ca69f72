//! Reads a scenario and the files it `extends`, merges them base first, and applies `--set`
//! overrides, giving one TOML table. Knows where each file's text came from so errors can be
//! located in it; knows nothing of what the keys mean.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use toml::{Table, Value};

use super::diagnostic::{Problem, ScenarioError};
use super::keypath::{self, Seg, identity};
use super::limits::{MAX_CHAIN_BYTES, MAX_EXTENDS_DEPTH, MAX_FILE_BYTES, max_entries};
use super::locate;
use super::{DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE};

/// Name shown for the compiled-in default scenario (the `origin` of a `Scenario` loaded from
/// it, as manifests record it).
pub const EMBEDDED_NAME: &str = "<embedded default>";

/// One `--set KEY=VALUE`.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// Dotted path, e.g. `convoy.kidal_column.vehicles`.
    pub path: String,
    /// The value as TOML (`80`, `{ min = 60, max = 90 }`, `"csp"`), or a bare word taken as text.
    pub value: Value,
    /// As the user wrote it, for the manifest.
    pub text: String,
}

impl FromStr for Override {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (path, raw) = s.split_once('=').ok_or_else(|| {
            format!("'{s}' is not KEY=VALUE (e.g. convoy.kidal_column.vehicles=80)")
        })?;
        let path = path.trim();
        if path.is_empty() || path.split('.').any(str::is_empty) {
            return Err(format!(
                "'{path}' is not a dotted scenario path (e.g. convoy.kidal_column.vehicles)"
            ));
        }
        let raw = raw.trim();
        // One value on one line: parsed as `v = VALUE`, a newline would let the rest be read
        // as other keys (and silently dropped), so it is refused.
        if raw.contains(['\n', '\r']) {
            return Err(format!(
                "the value of '{path}' runs over more than one line; a --set value is one TOML \
                 value on one line (e.g. {path}=80 or {path}='{{ min = 60, max = 90 }}')"
            ));
        }
        let value = match format!("v = {raw}").parse::<Table>() {
            Ok(mut t) if t.len() == 1 => t.remove("v").unwrap_or(Value::String(raw.to_string())),
            Ok(_) => {
                return Err(format!(
                    "the value of '{path}' is more than one TOML value; give one (e.g. {path}=80)"
                ));
            }
            Err(_) => Value::String(raw.to_string()),
        };
        Ok(Override {
            path: path.to_string(),
            value,
            text: s.to_string(),
        })
    }
}

/// A scenario file's text, parsed.
#[derive(Debug, Clone)]
struct SourceFile {
    /// Path as shown in messages.
    name: String,
    /// The text, for locating errors.
    text: String,
    /// The parsed table.
    table: Table,
}

/// A scenario and the files it extends, the scenario itself first.
#[derive(Debug, Clone)]
pub(super) struct Chain {
    /// The scenario first, then the file it extends, and so on.
    files: Vec<SourceFile>,
}

impl Chain {
    /// Reads `path` and everything it extends.
    pub(super) fn from_path(path: &Path) -> Result<Chain, ScenarioError> {
        let text = read(path, None)?;
        Chain::from_text(&text, &path.display().to_string(), path.parent())
    }

    /// The compiled-in default scenario.
    pub(super) fn embedded_default() -> Result<Chain, ScenarioError> {
        Chain::from_text(DEFAULT_SCENARIO, EMBEDDED_NAME, None)
    }

    /// Text standing for the file `name` in `dir`.
    pub(super) fn from_text(
        text: &str,
        name: &str,
        dir: Option<&Path>,
    ) -> Result<Chain, ScenarioError> {
        let mut files: Vec<SourceFile> = Vec::new();
        let mut seen = BTreeSet::new();
        let mut chain_bytes = 0u64;
        let mut current: Pending = (
            text.to_string(),
            name.to_string(),
            dir.map(Path::to_path_buf),
        );
        loop {
            let (text, name, dir) = current;
            chain_bytes += text.len() as u64;
            if chain_bytes > MAX_CHAIN_BYTES
                && let Some(child) = files.last()
            {
                return Err(error_at(
                    &child.name,
                    &child.text,
                    &[Seg::key("extends")],
                    &format!(
                        "the scenario and the files it extends come to more than \
                         {MAX_CHAIN_BYTES} bytes ({chain_bytes} so far, with '{name}'); the limit \
                         is {MAX_CHAIN_BYTES}"
                    ),
                ));
            }
            if let Ok(canonical) = Path::new(&name).canonicalize() {
                seen.insert(canonical);
            }
            let table = parse(&text, &name)?;
            check_entries(&table, &name, &text)?;
            let extends = match table.get("extends") {
                None => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => {
                    return Err(error_at(
                        &name,
                        &text,
                        &[Seg::key("extends")],
                        "extends must be a file name in quotes, e.g. extends = \"gao-kidal-2023.toml\"",
                    ));
                }
            };
            files.push(SourceFile {
                name: name.clone(),
                text: text.clone(),
                table,
            });
            let Some(parent) = extends else { break };
            current = read_parent(&files, (&name, &text), &seen, &parent, dir)?;
        }
        Ok(Chain { files })
    }

    /// The file the user named, for messages and the manifest.
    pub(super) fn origin(&self) -> String {
        self.files[0].name.clone()
    }

    /// Base first, each file merged over the one it extends, then the overrides.
    pub(super) fn merged(&self, overrides: &[Override]) -> Result<Table, ScenarioError> {
        let mut merged = Table::new();
        for file in self.files.iter().rev() {
            let mut table = file.table.clone();
            table.remove("extends");
            merge_table(&mut merged, table)
                .map_err(|(path, message)| self.locate(&path, &message))?;
            // Checked after each file, so that no chain grows a block past its limit.
            check_counts(&merged, &file.name, &file.text)?;
        }
        for o in overrides {
            apply_override(&mut merged, o).map_err(|message| ScenarioError {
                file: "--set".to_string(),
                line: None,
                column: None,
                message: format!("{}: {message}", o.text),
            })?;
        }
        Ok(merged)
    }

    /// Locates a problem found by validation: in the `--set` that wrote the value when one did,
    /// else in the file.
    pub(super) fn locate_problem(&self, problem: Problem, overrides: &[Override]) -> ScenarioError {
        self.locate_or_set(&problem.path, problem.message, overrides)
    }

    /// The error at `path`: blamed on the last `--set` that wrote there or below, if any.
    fn locate_or_set(
        &self,
        path: &[Seg],
        message: String,
        overrides: &[Override],
    ) -> ScenarioError {
        let dotted = keypath::dotted(path);
        let by_set = overrides.iter().rev().find(|o| {
            dotted == o.path
                || dotted.starts_with(&format!("{}.", o.path))
                || o.path.starts_with(&format!("{dotted}."))
        });
        match by_set {
            // Said the same way as a file's error, with the override standing for the place.
            Some(o) => ScenarioError {
                file: "--set".into(),
                line: None,
                column: None,
                message: format!("{}: {message}", o.text),
            },
            None => self.locate(path, &message),
        }
    }

    /// `message` at the place in the chain's files where `path` was written.
    fn locate(&self, path: &[Seg], message: &str) -> ScenarioError {
        let texts: Vec<(&str, &str)> = self
            .files
            .iter()
            .map(|f| (f.name.as_str(), f.text.as_str()))
            .collect();
        let (file, line, column) = locate::find(&texts, path);
        ScenarioError {
            file,
            line,
            column,
            message: message.to_string(),
        }
    }
}

/// A file about to be parsed: its text, its name in messages, and the folder its own `extends`
/// is looked up in (`None`: the current folder, or nowhere for the embedded default).
type Pending = (String, String, Option<PathBuf>);

/// Reads the file `parent` that `child` (the last of `files`, by name and text) extends, looked
/// up in `dir`: a file there, else the embedded default when `parent` names it. Refuses a chain
/// deeper than `MAX_EXTENDS_DEPTH` and a file already in it (`seen`: their canonical paths).
fn read_parent(
    files: &[SourceFile],
    (name, text): (&str, &str),
    seen: &BTreeSet<PathBuf>,
    parent: &str,
    dir: Option<PathBuf>,
) -> Result<Pending, ScenarioError> {
    let fail = |message: &str| error_at(name, text, &[Seg::key("extends")], message);
    if files.len() > MAX_EXTENDS_DEPTH {
        return Err(fail(&format!(
            "extends nests more than {MAX_EXTENDS_DEPTH} files deep"
        )));
    }
    let here = dir.unwrap_or_else(|| PathBuf::from("."));
    let candidate = here.join(parent);
    let key = candidate.canonicalize().unwrap_or(candidate.clone());
    if seen.contains(&key) {
        let chain: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        return Err(fail(&format!(
            "extends cycle: '{parent}' is already part of this chain of files ({} → {parent}); a variant must not extend itself, directly or through others",
            chain.join(" → ")
        )));
    }
    // Anything there is read, so that a folder or a FIFO of that name is named as what it is.
    if candidate.exists() {
        let text = read(&candidate, Some((name, text)))?;
        Ok((
            text,
            candidate.display().to_string(),
            candidate.parent().map(Path::to_path_buf),
        ))
    } else if Path::new(parent)
        .file_name()
        .is_some_and(|f| f == DEFAULT_SCENARIO_FILE)
    {
        if name == EMBEDDED_NAME {
            return Err(fail("the default scenario cannot extend itself"));
        }
        Ok((
            DEFAULT_SCENARIO.to_string(),
            EMBEDDED_NAME.to_string(),
            None,
        ))
    } else {
        Err(fail(&format!(
            "extends '{parent}': no such file (looked for {})",
            candidate.display()
        )))
    }
}

/// Reads a scenario file of at most `MAX_FILE_BYTES` of UTF-8. A failure is blamed on the
/// `extends` of the file `from` (name, text) when it was reached from one. Only a regular file
/// is opened (a FIFO would block the open, a device never end), and never more than the limit
/// and a byte is read, whatever the file claims its size is.
fn read(path: &Path, from: Option<(&str, &str)>) -> Result<String, ScenarioError> {
    let fail = |message: String| match from {
        Some((name, text)) => error_at(name, text, &[Seg::key("extends")], &message),
        None => ScenarioError {
            file: path.display().to_string(),
            line: None,
            column: None,
            message,
        },
    };
    let cannot = |e: std::io::Error| fail(format!("cannot read scenario file: {e}"));
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(fail(not_a_regular_file(path, &meta)));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(fail(format!(
            "scenario file is {} bytes; the limit is {MAX_FILE_BYTES}",
            meta.len()
        )));
    }
    let file = std::fs::File::open(path).map_err(cannot)?;
    // Checked again on what was opened: the path may have been swapped since.
    let meta = file.metadata().map_err(cannot)?;
    if !meta.is_file() {
        return Err(fail(not_a_regular_file(path, &meta)));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(fail(format!(
            "scenario file is more than {MAX_FILE_BYTES} bytes; the limit is {MAX_FILE_BYTES}"
        )));
    }
    String::from_utf8(bytes).map_err(|_| {
        fail(
            "cannot read scenario file: it is not text (UTF-8); a scenario is a TOML text file"
                .to_string(),
        )
    })
}

/// The message for a scenario path that is a folder, a FIFO, a device or a socket.
fn not_a_regular_file(path: &Path, meta: &std::fs::Metadata) -> String {
    let kind = file_kind(&meta.file_type());
    format!(
        "cannot read scenario file: {} is not a regular file (it is {kind}); a scenario is a \
         TOML text file",
        path.display()
    )
}

/// What a file that is not a regular file is, in a user's words.
fn file_kind(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

/// Parses a file's text as TOML, placing a syntax error at its line and column.
fn parse(text: &str, name: &str) -> Result<Table, ScenarioError> {
    text.parse::<Table>().map_err(|e| {
        let (line, column) = match e.span() {
            Some(span) => {
                let (l, c) = locate::line_col(text, span.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        ScenarioError {
            file: name.to_string(),
            line,
            column,
            message: format!("not valid TOML: {}", e.message().trim()),
        }
    })
}

/// `message` at the place in this one file where `path` was written.
fn error_at(name: &str, text: &str, path: &[Seg], message: &str) -> ScenarioError {
    let (file, line, column) = locate::find(&[(name, text)], path);
    ScenarioError {
        file,
        line,
        column,
        message: message.to_string(),
    }
}

/// A merge failure: the key path at fault and what is wrong.
type MergeError = (Vec<Seg>, String);

/// Merges `over` into `base` key by key: tables merge recursively (except number tables),
/// arrays of tables merge entry by entry, anything else is replaced.
fn merge_table(base: &mut Table, over: Table) -> Result<(), MergeError> {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(Value::Table(b)), Value::Table(o)) if !is_number_table(&o) => {
                merge_table(b, o).map_err(|(mut p, m)| {
                    p.insert(0, Seg::key(&key));
                    (p, m)
                })?;
            }
            (Some(Value::Array(b)), Value::Array(o))
                if o.iter().all(Value::is_table) && b.iter().all(Value::is_table) =>
            {
                merge_entries(&key, b, o)?;
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
    Ok(())
}

/// Entries with the same identity merge key by key; `remove = true` drops one; new ones append.
/// The base's entries are indexed by identity once, so a merge costs time in proportion to the
/// entries, however many there are (a removed entry leaves a hole, closed at the end).
fn merge_entries(section: &str, base: &mut Vec<Value>, over: Vec<Value>) -> Result<(), MergeError> {
    let mut slots: Vec<Option<Value>> = std::mem::take(base).into_iter().map(Some).collect();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for (i, entry) in slots.iter().enumerate() {
        if let Some(id) = entry
            .as_ref()
            .and_then(Value::as_table)
            .and_then(|t| identity(section, t))
        {
            index.entry(id).or_insert(i);
        }
    }
    for entry in over {
        let Value::Table(mut entry) = entry else {
            continue;
        };
        let remove = matches!(entry.remove("remove"), Some(Value::Boolean(true)));
        let id = identity(section, &entry);
        let found = id.as_ref().and_then(|id| index.get(id).copied());
        match (found, remove) {
            (Some(i), true) => {
                slots[i] = None;
                if let Some(id) = &id {
                    index.remove(id);
                }
            }
            (None, true) => {
                let shown = id.unwrap_or_default();
                return Err((
                    vec![Seg::key(section), Seg::id(&shown)],
                    format!(
                        "remove = true: no [[{section}]] '{shown}' in the scenario this extends"
                    ),
                ));
            }
            (Some(i), false) => {
                if let Some(Value::Table(b)) = slots[i].as_mut() {
                    merge_table(b, entry).map_err(|(mut p, m)| {
                        p.splice(
                            0..0,
                            [Seg::key(section), Seg::id(id.as_deref().unwrap_or(""))],
                        );
                        (p, m)
                    })?;
                }
            }
            (None, false) => {
                if let Some(id) = id {
                    index.insert(id, slots.len());
                }
                slots.push(Some(Value::Table(entry)));
            }
        }
    }
    *base = slots.into_iter().flatten().collect();
    Ok(())
}

/// The arrays of tables of one file's `table`, by key.
fn entry_arrays(table: &Table) -> impl Iterator<Item = (&String, &Vec<Value>)> {
    table.iter().filter_map(|(key, value)| match value {
        Value::Array(entries) if entries.iter().all(Value::is_table) => Some((key, entries)),
        _ => None,
    })
}

/// One file on its own, before anything is merged: no block holds more entries than a whole
/// scenario may, and no entry is written twice (two `[[convoy]]` with one id would otherwise
/// merge silently). Either error names the file and, for a duplicate, both places.
fn check_entries(table: &Table, name: &str, text: &str) -> Result<(), ScenarioError> {
    check_counts(table, name, text)?;
    for (section, entries) in entry_arrays(table) {
        let mut seen = BTreeSet::new();
        for entry in entries.iter().filter_map(Value::as_table) {
            let Some(id) = identity(section, entry) else {
                continue;
            };
            if !seen.insert(id.clone()) {
                return Err(duplicate_entry(name, text, section, &id));
            }
        }
    }
    Ok(())
}

/// The error for an entry `id` of `section` that the file `name` writes twice: placed at the
/// second, naming the first.
fn duplicate_entry(name: &str, text: &str, section: &str, id: &str) -> ScenarioError {
    let places = locate::entries_named(text, section, id);
    let (first, second) = match places.as_slice() {
        [first, second, ..] => (Some(*first), Some(*second)),
        _ => (None, None),
    };
    let first_text = first.map_or(String::new(), |(l, c)| {
        format!(" (first at {name}:{l}:{c})")
    });
    ScenarioError {
        file: name.to_string(),
        line: second.map(|p| p.0),
        column: second.map(|p| p.1),
        message: format!(
            "[[{section}]] '{id}' is written twice in this file{first_text}; each entry needs \
             its own id (to change an entry of the file this extends, write it once, with only \
             the keys that change)"
        ),
    }
}

/// No block of `table` (one file's, or the merge so far) holds more entries than its limit.
fn check_counts(table: &Table, name: &str, text: &str) -> Result<(), ScenarioError> {
    for (section, entries) in entry_arrays(table) {
        if let Some((max, what)) = max_entries(section)
            && entries.len() > max
        {
            return Err(error_at(
                name,
                text,
                &[Seg::key(section)],
                &format!("{} {what}; at most {max} are allowed", entries.len()),
            ));
        }
    }
    Ok(())
}

/// A table standing for one number (`{ min, max }`): replaced whole, never merged key by key,
/// so that a variant's `{ value = 3 }` does not inherit the base's `min` and `max`.
fn is_number_table(t: &Table) -> bool {
    t.keys()
        .all(|k| matches!(k.as_str(), "value" | "min" | "mode" | "max" | "source"))
}

/// Writes one `--set` into the merged table. The error is the message after `--set KEY=VALUE: `.
fn apply_override(root: &mut Table, o: &Override) -> Result<(), String> {
    let segs: Vec<&str> = o.path.split('.').collect();
    let mut table = root;
    for (depth, seg) in segs.iter().enumerate() {
        let last = depth + 1 == segs.len();
        if last {
            if let Some(existing @ Value::Table(_)) = table.get(*seg)
                && !existing.as_table().is_some_and(is_number_table)
            {
                return Err(format!(
                    "'{}' is a whole section; set one of its keys instead",
                    segs[..=depth].join(".")
                ));
            }
            table.insert(seg.to_string(), o.value.clone());
            return Ok(());
        }
        let here = segs[..=depth].join(".");
        let keys: Vec<String> = table.keys().cloned().collect();
        table = match table.get_mut(*seg) {
            Some(Value::Table(t)) => t,
            Some(Value::Array(entries)) if !entries.iter().all(Value::is_table) => {
                return Err(format!(
                    "'{here}' is a list; --set replaces it whole, e.g. --set '{here}=[…]'"
                ));
            }
            Some(Value::Array(entries)) => {
                return apply_in_entry(entries, seg, &here, &segs[depth + 1..], o);
            }
            Some(_) => return Err(format!("unknown path: '{here}' is a value, not a section")),
            None => {
                return Err(format!(
                    "unknown path: no '{seg}' here (valid: {})",
                    keys.join(", ")
                ));
            }
        };
    }
    Ok(())
}

/// The rest of an override's path inside an array of tables (`here`, e.g. `convoy`): `rest[0]`
/// names the entry, by identity or by position; the remainder is a key inside it.
fn apply_in_entry(
    entries: &mut [Value],
    section: &str,
    here: &str,
    rest: &[&str],
    o: &Override,
) -> Result<(), String> {
    let next = rest[0];
    let ids: Vec<String> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            e.as_table()
                .and_then(|t| identity(section, t))
                .unwrap_or_else(|| i.to_string())
        })
        .collect();
    let pos = ids
        .iter()
        .position(|id| id == next)
        .or_else(|| next.parse::<usize>().ok().filter(|i| *i < entries.len()));
    let Some(pos) = pos else {
        return Err(format!(
            "unknown path: no [[{section}]] '{next}' (there are: {})",
            ids.join(", ")
        ));
    };
    if rest.len() == 1 {
        return Err(format!(
            "'{here}.{next}' is a whole entry; set one of its keys, e.g. {here}.{next}.<key>"
        ));
    }
    let Some(Value::Table(entry)) = entries.get_mut(pos) else {
        return Err(format!("unknown path: '{here}.{next}' is not a table"));
    };
    apply_override(
        entry,
        &Override {
            path: rest[1..].join("."),
            value: o.value.clone(),
            text: o.text.clone(),
        },
    )
    .map_err(|m| {
        m.replace(
            "unknown path: ",
            &format!("unknown path under {here}.{next}: "),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_over_the_limit_is_refused_and_one_at_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.toml");
        let limit = MAX_FILE_BYTES as usize;
        std::fs::write(&path, "#".repeat(limit + 1)).unwrap();
        let error = read(&path, None).unwrap_err();
        assert!(
            error.message.contains("the limit is 4194304"),
            "{}",
            error.message
        );
        std::fs::write(&path, "#".repeat(limit)).unwrap();
        assert_eq!(read(&path, None).unwrap().len(), limit);
    }
}
