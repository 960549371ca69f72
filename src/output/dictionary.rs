//! The data dictionary: what every column of every file sandtable writes means. Each writer
//! states its columns as [`ColumnDoc`]s next to the code that writes them (and takes its header
//! from them), and `docs/DATA.md` is rendered from those statements, so the page cannot drift
//! from the files: a test renders it again and compares.

use std::fmt::Write as _;

/// One column of a CSV file, or one key of a JSON file (a dotted path; `[]` for the entries of
/// an array), or a family of columns named by a pattern (`<faction>_killed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnDoc {
    /// The column's name, key path or pattern.
    pub name: &'static str,
    /// `integer`, `number`, `text`, `category`, `boolean`, `date`, …
    pub kind: &'static str,
    /// Unit, or empty for none.
    pub unit: &'static str,
    /// What it means, in a sentence.
    pub meaning: &'static str,
    /// When the field is empty (CSV) or null (JSON); empty when it never is.
    pub empty_when: &'static str,
}

/// A column described in one line: name, kind, unit, meaning, when empty.
pub const fn column(
    name: &'static str,
    kind: &'static str,
    unit: &'static str,
    meaning: &'static str,
    empty_when: &'static str,
) -> ColumnDoc {
    ColumnDoc {
        name,
        kind,
        unit,
        meaning,
        empty_when,
    }
}

/// One file of the dictionary.
#[derive(Debug, Clone)]
pub struct FileDoc {
    /// Its name, e.g. `runs.csv`.
    pub file: &'static str,
    /// Which command writes it, and what a row (or the file) is.
    pub about: &'static str,
    /// Its columns, in file order (for JSON: its keys).
    pub columns: Vec<ColumnDoc>,
}

/// The names of `columns`, as a CSV header.
pub fn header(columns: &[ColumnDoc]) -> Vec<&'static str> {
    columns.iter().map(|c| c.name).collect()
}

/// Whether `name` is the name `pattern` describes: the same text, where each `<…>` in the
/// pattern stands for one or more characters of an id or a dotted path.
pub fn matches_pattern(pattern: &str, name: &str) -> bool {
    match pattern.split_once('<') {
        None => pattern == name,
        Some((literal, rest)) => {
            let Some(tail) = name.strip_prefix(literal) else {
                return false;
            };
            let after = rest.split_once('>').map_or("", |(_, after)| after);
            (1..=tail.len()).any(|i| tail.is_char_boundary(i) && matches_pattern(after, &tail[i..]))
        }
    }
}

/// `docs/DATA.md`: every file's columns as a table, from `files`, under `preamble`.
pub fn render_dictionary(preamble: &str, files: &[FileDoc]) -> String {
    let mut out = String::from(preamble);
    for f in files {
        let _ = write!(out, "\n## `{}`\n\n{}\n\n", f.file, f.about);
        out.push_str("| column | type | unit | meaning | empty when |\n");
        out.push_str("|---|---|---|---|---|\n");
        for c in &f.columns {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                c.name,
                c.kind,
                c.unit,
                c.meaning.replace('|', "\\|"),
                c.empty_when.replace('|', "\\|")
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_stand_for_ids() {
        assert!(matches_pattern("<faction>_killed", "fama_killed"));
        assert!(matches_pattern("<convoy>_status", "kidal_column_status"));
        assert!(matches_pattern("<site>_owner_end", "kidal_owner_end"));
        assert!(matches_pattern("run", "run"));
        assert!(!matches_pattern("<faction>_killed", "_killed"));
        assert!(!matches_pattern("<faction>_killed", "fama_wounded"));
        assert!(!matches_pattern("run", "runs"));
    }
}
