//! A column described for people: name, type, unit, meaning, when it is empty. Each writer
//! states its columns with these (and takes its header from them); `dictionary` renders them
//! all into `docs/DATA.md`. A leaf: it knows no writer.

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

/// The names of `columns`, as a CSV header.
pub fn header(columns: &[ColumnDoc]) -> Vec<&'static str> {
    columns.iter().map(|c| c.name).collect()
}

/// Whether `name` is the name `pattern` describes: the same text, where each `<…>` in the
/// pattern stands for one or more characters of an id or a dotted path.
#[cfg(test)]
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
