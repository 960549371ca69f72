//! The architecture rules of issue 17, checked on the text of `src/` (a port of
//! `shared/tools/archcheck.py`): no import cycles between modules, `sim` and `scenario` import
//! nothing from the layers above them, and no function runs over 80 lines without a reason.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use crate::support::root;

/// Longest function allowed without a written `Long because:` reason.
const MAX_FUNCTION_LINES: usize = 80;

/// What `sim/` must not reference: the layers above it (ARCHITECTURE.md, Invariants).
const ABOVE_SIM: [&str; 6] = ["batch", "output", "cli", "stats", "analysis", "error"];

/// What `scenario/` must not reference (it must not know bevy_ecs either).
const ABOVE_SCENARIO: [&str; 5] = ["sim", "batch", "output", "cli", "analysis"];

/// One source file: its path under `src/` with `/` separators, and its text.
struct Source {
    path: String,
    text: String,
}

/// Every `.rs` file under `dir`, sorted by path.
fn read_sources(dir: &Path) -> Vec<Source> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<Source>) {
        for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                walk(&path, &format!("{prefix}{name}/"), out);
            } else if name.ends_with(".rs") {
                let text = fs::read_to_string(&path).unwrap();
                out.push(Source {
                    path: format!("{prefix}{name}"),
                    text,
                });
            }
        }
    }
    let mut sources = Vec::new();
    walk(dir, "", &mut sources);
    sources.sort_by(|a, b| a.path.cmp(&b.path));
    sources
}

/// A module path a file refers to, cut to its first two segments (`sim`, `systems`), with the
/// line it is on.
struct Reference {
    line: usize,
    top: String,
    second: String,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The longest start of `s` whose characters all pass `keep`.
fn prefix_while(s: &str, keep: impl Fn(char) -> bool) -> &str {
    &s[..s.find(|c: char| !keep(c)).unwrap_or(s.len())]
}

fn is_module_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'
}

/// `[a-z_][a-z0-9_]*` at the start of `s` (archcheck's module-name pattern), or "".
fn module_name(s: &str) -> &str {
    if s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') {
        prefix_while(s, is_module_char)
    } else {
        ""
    }
}

/// Byte offsets of `needle` in `text` where it starts a word (archcheck's `\b`).
fn word_starts<'t>(text: &'t str, needle: &'t str) -> impl Iterator<Item = usize> + 't {
    text.match_indices(needle)
        .map(|(at, _)| at)
        .filter(|&at| !text[..at].chars().next_back().is_some_and(is_word))
}

/// Every `crate::a::b` and `super::…` path in `text`, the latter resolved against the module of
/// the file at `path` (the same patterns as archcheck's regular expressions).
fn references(path: &str, text: &str) -> Vec<Reference> {
    let line_of = |at: usize| text[..at].matches('\n').count() + 1;
    let reference = |at: usize, mut segments: std::vec::IntoIter<&str>| Reference {
        line: line_of(at),
        top: segments.next().unwrap_or("").to_owned(),
        second: segments.next().unwrap_or("").to_owned(),
    };
    let mut found = Vec::new();
    for at in word_starts(text, "crate::") {
        let rest = &text[at + "crate::".len()..];
        let top = module_name(rest);
        let second = rest[top.len()..].strip_prefix("::").map_or("", module_name);
        if !top.is_empty() {
            found.push(reference(at, vec![top, second].into_iter()));
        }
    }
    // `super::` climbs from the file's own module: src/sim/spawn.rs is sim::spawn, so its
    // `super::components` is sim::components; src/sim/mod.rs is sim itself.
    let own: Vec<&str> = path.trim_end_matches(".rs").split('/').collect();
    let base = &own[..own.len() - usize::from(own.last() == Some(&"mod"))];
    let mut cursor = 0;
    while let Some(at) = word_starts(&text[cursor..], "super::").next() {
        let at = at + cursor;
        let supers = (0..)
            .take_while(|k| text[at + 7 * k..].starts_with("super::"))
            .count();
        // As the regex backtracks: with no name after the last `super::`, take one fewer and
        // read `super` as the name.
        let climb = (1..=supers)
            .rev()
            .find(|k| !module_name(&text[at + 7 * k..]).is_empty());
        let Some(climb) = climb else {
            cursor = at + 1;
            continue;
        };
        let tail = prefix_while(&text[at + 7 * climb..], |c| is_module_char(c) || c == ':');
        let up = &base[..base.len().saturating_sub(climb)];
        let named = tail.split("::").filter(|s| !s.is_empty()).take(2);
        let resolved: Vec<&str> = up.iter().copied().chain(named).collect();
        if !resolved.is_empty() {
            found.push(reference(at, resolved.into_iter()));
        }
        cursor = at + 7 * climb + tail.len();
    }
    found
}

/// The module of the file at `path`, cut to `depth` segments: `sim/systems/combat.rs` is `sim`
/// at depth 1 and `sim::systems` at depth 2.
fn module_of(path: &str, depth: usize) -> String {
    let parts: Vec<&str> = path
        .trim_end_matches(".rs")
        .split('/')
        .filter(|p| *p != "mod")
        .collect();
    if parts.is_empty() {
        return "lib".to_owned();
    }
    parts[..depth.min(parts.len())].join("::")
}

/// Module → module it refers to → where ("batch/mod.rs:12"). Nodes are the top-level modules,
/// plus the second level inside each top-level module for references within it (so
/// `sim::systems → sim::resources` is an edge, `sim::spawn → scenario::uncertain` is not).
type Graph = BTreeMap<String, BTreeMap<String, Vec<String>>>;

fn module_graph(sources: &[Source]) -> Graph {
    let mut graph = Graph::new();
    for source in sources {
        for reference in references(&source.path, &source.text) {
            for depth in [1, 2] {
                let from = module_of(&source.path, depth);
                let to = if depth == 2 && !reference.second.is_empty() {
                    format!("{}::{}", reference.top, reference.second)
                } else {
                    reference.top.clone()
                };
                let inside_top = from.split("::").next() == Some(reference.top.as_str());
                if depth == 2 && !(from.contains("::") && inside_top) {
                    continue;
                }
                let related = to == from
                    || from.starts_with(&format!("{to}::"))
                    || to.starts_with(&format!("{from}::"));
                if !related {
                    let at = format!("{}:{}", source.path, reference.line);
                    graph
                        .entry(from)
                        .or_default()
                        .entry(to)
                        .or_default()
                        .push(at);
                }
            }
        }
    }
    graph
}

/// Strongly connected components of more than one module (modules that reach each other), each
/// sorted; every import cycle lies inside one. The graph has a few dozen nodes, so plain
/// reachability from every node is fast enough and plainly right.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    let reachable_from = |start: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![start.to_owned()];
        while let Some(v) = stack.pop() {
            for w in graph.get(&v).into_iter().flat_map(BTreeMap::keys) {
                if seen.insert(w.clone()) {
                    stack.push(w.clone());
                }
            }
        }
        seen
    };
    let reach: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|v| (v, reachable_from(v))).collect();
    let mut found = BTreeSet::new();
    for (v, from_v) in &reach {
        let mut component: Vec<String> = from_v
            .iter()
            .filter(|w| reach.get(w).is_some_and(|from_w| from_w.contains(*v)))
            .cloned()
            .collect();
        if component.len() > 1 {
            component.sort();
            found.insert(component);
        }
    }
    found.into_iter().collect()
}

/// What to do about a cycle, after the list of references that close it.
const BREAK_A_CYCLE: &str = "  Break it: move what both sides need into the lower module, or pass \
     it in from the caller, so that dependencies point one way (ARCHITECTURE.md, Invariants).";

/// One message per cycle: its modules and the references that close it.
fn cycle_messages(graph: &Graph) -> Vec<String> {
    let mut messages = Vec::new();
    for component in cycles(graph) {
        let mut message = format!("import cycle between {}:\n", component.join(", "));
        for from in &component {
            for (to, places) in graph[from].iter().filter(|(to, _)| component.contains(to)) {
                message += &format!("    {from} → {to}  ({})\n", some_places(places));
            }
        }
        messages.push(message + BREAK_A_CYCLE);
    }
    messages
}

/// Up to three places in src/, then how many more.
fn some_places(places: &[String]) -> String {
    let shown: Vec<String> = places.iter().take(3).map(|p| format!("src/{p}")).collect();
    match places.len().saturating_sub(3) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// References from `sim/` and `scenario/` to the layers above them, one message each.
fn layer_violations(sources: &[Source]) -> Vec<String> {
    let mut found = Vec::new();
    for source in sources {
        let (layer, forbidden): (&str, &[&str]) = match source.path.split('/').next() {
            Some("sim") => ("sim", &ABOVE_SIM),
            Some("scenario") => ("scenario", &ABOVE_SCENARIO),
            _ => continue,
        };
        for reference in references(&source.path, &source.text) {
            if forbidden.contains(&reference.top.as_str()) {
                found.push(format!(
                    "src/{}:{} refers to crate::{}: `{layer}` must not know {}. Move that code to \
                     the caller, or have the caller pass in what `{layer}` needs as plain data.",
                    source.path,
                    reference.line,
                    reference.top,
                    forbidden.join(", ")
                ));
            }
        }
        if layer == "scenario" {
            for (i, line) in source.text.split('\n').enumerate() {
                let code = line.split("//").next().unwrap_or("");
                if code.contains("bevy_ecs") {
                    found.push(format!(
                        "src/{}:{} uses bevy_ecs: a Scenario is plain data that knows nothing of \
                         the ECS; put ECS types in sim/ (spawn.rs builds the World from it).",
                        source.path,
                        i + 1
                    ));
                }
            }
        }
    }
    found
}

/// A function longer than [`MAX_FUNCTION_LINES`], and the reason written above it, if any.
struct LongFunction {
    path: String,
    line: usize,
    name: String,
    lines: usize,
    reason: Option<String>,
}

/// archcheck's `\s*(pub(\(…\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+(\w+)`: the name of
/// the function a line starts, if it starts one.
fn function_name(line: &str) -> Option<&str> {
    fn keyword<'l>(s: &'l str, word: &str) -> Option<&'l str> {
        let rest = s.strip_prefix(word)?;
        rest.starts_with(char::is_whitespace)
            .then(|| rest.trim_start())
    }
    let mut rest = line.trim_start();
    if let Some(after) = rest.strip_prefix("pub") {
        let after = match after.strip_prefix('(') {
            Some(scope) => &scope[scope.find(')')? + 1..],
            None => after,
        };
        if !after.starts_with(char::is_whitespace) {
            return None;
        }
        rest = after.trim_start();
    }
    for word in ["const", "async", "unsafe"] {
        rest = keyword(rest, word).unwrap_or(rest);
    }
    let rest = keyword(rest, "fn")?;
    let end = rest.find(|c: char| !is_word(c)).unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// The line on which a block opening on `lines[start]` or later closes, by counting braces as
/// archcheck does (braces in strings and comments count too), and whether one opened at all
/// (if not, the end of the file).
fn block_end(lines: &[&str], start: usize) -> (usize, bool) {
    let mut depth = 0_i64;
    let mut opened = false;
    for (j, line) in lines.iter().enumerate().skip(start) {
        depth += line.matches('{').count() as i64 - line.matches('}').count() as i64;
        opened |= line.contains('{');
        if opened && depth <= 0 {
            return (j, true);
        }
    }
    (lines.len(), false)
}

/// The `Long because:` reason in the comments and attributes right above `lines[at]`.
fn written_reason(lines: &[&str], at: usize) -> Option<String> {
    lines[..at]
        .iter()
        .rev()
        .map(|line| line.trim_start())
        .take_while(|line| line.starts_with("//") || line.starts_with("#["))
        .find_map(|line| {
            let reason = line.split_once("Long because:")?.1.trim();
            (!reason.is_empty()).then(|| reason.to_owned())
        })
}

/// Functions over [`MAX_FUNCTION_LINES`] in one file, counted from the `fn` line to its closing
/// brace; files of tests (`…/tests/…`, `…tests.rs`) and inline `mod tests` blocks are skipped.
fn long_functions(path: &str, text: &str) -> Vec<LongFunction> {
    if format!("/{path}").contains("/tests") || path.ends_with("tests.rs") {
        return Vec::new();
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim_start().starts_with("mod tests") && line.contains('{') {
            i = block_end(&lines, i).0 + 1;
            continue;
        }
        let Some(name) = function_name(line).filter(|_| !line.trim_end().ends_with(';')) else {
            i += 1;
            continue;
        };
        let (end, opened) = block_end(&lines, i);
        let length = end - i + 1;
        if length > MAX_FUNCTION_LINES {
            found.push(LongFunction {
                path: path.to_owned(),
                line: i + 1,
                name: name.to_owned(),
                lines: length,
                reason: written_reason(&lines, i),
            });
        }
        i = if opened { end + 1 } else { i + 1 };
    }
    found
}

/// Long functions without a written reason, longest first, one message each.
fn unexplained_long_functions(sources: &[Source]) -> Vec<String> {
    let mut long: Vec<LongFunction> = sources
        .iter()
        .flat_map(|s| long_functions(&s.path, &s.text))
        .filter(|f| f.reason.is_none())
        .collect();
    long.sort_by(|a, b| b.lines.cmp(&a.lines).then_with(|| a.path.cmp(&b.path)));
    long.iter()
        .map(|f| {
            format!(
                "src/{}:{} fn {} is {} lines (limit {MAX_FUNCTION_LINES}): split it into named \
                 steps, or write `// Long because: <reason>` on the line above it (or in its doc \
                 comment).",
                f.path, f.line, f.name, f.lines
            )
        })
        .collect()
}

fn fail_listing(problems: &[String], what: &str) {
    assert!(
        problems.is_empty(),
        "{} {what}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn no_import_cycles_between_modules() {
    let graph = module_graph(&read_sources(&root().join("src")));
    fail_listing(&cycle_messages(&graph), "import cycles");
}

#[test]
fn inner_layers_import_nothing_from_outer_layers() {
    let sources = read_sources(&root().join("src"));
    fail_listing(
        &layer_violations(&sources),
        "references against the layering",
    );
}

#[test]
fn no_function_over_80_lines_without_a_reason() {
    let problems = unexplained_long_functions(&read_sources(&root().join("src")));
    fail_listing(&problems, "functions too long");
}

/// Sources from (path, text) pairs, for testing the scanner itself.
fn in_memory(files: &[(&str, &str)]) -> Vec<Source> {
    let mut sources: Vec<Source> = files
        .iter()
        .map(|(path, text)| Source {
            path: (*path).to_owned(),
            text: (*text).to_owned(),
        })
        .collect();
    sources.sort_by(|a, b| a.path.cmp(&b.path));
    sources
}

#[test]
fn the_scanner_finds_cycles_layer_breaks_and_unexplained_long_functions() {
    let body = "    step();\n".repeat(MAX_FUNCTION_LINES);
    let reasoned = format!(
        "/// Runs the pass.\n/// Long because: one table of cases.\n#[must_use]\n\
         pub fn reasoned() {{\n{body}}}\n"
    );
    let unexplained = format!("pub(crate) fn unexplained() {{\n{body}}}\n");
    let tests_only =
        format!("#[cfg(test)]\nmod tests {{\n    fn long_test() {{\n{body}    }}\n}}\n");
    let sources = in_memory(&[
        ("alpha/mod.rs", "use crate::beta::Thing;\n"),
        ("beta.rs", "pub fn f() { crate::alpha::g() }\n"),
        ("sim/mod.rs", "mod systems;\n"),
        // Three supers from sim/systems/air.rs reach the crate root: a reference to batch.
        (
            "sim/systems/air.rs",
            "use super::combat::travel;\nuse super::super::super::batch::drive;\n",
        ),
        ("sim/systems/combat.rs", "use super::air::fly;\n"),
        (
            "scenario/mod.rs",
            "//! Knows nothing of bevy_ecs.\nuse bevy_ecs::world::World;\n",
        ),
        (
            "sim/long.rs",
            &format!("{reasoned}{unexplained}{tests_only}"),
        ),
    ]);

    let graph = module_graph(&sources);
    assert_eq!(cycles(&graph), [vec!["alpha", "beta"]]);
    let messages = cycle_messages(&graph);
    assert!(
        messages[0].contains("alpha → beta  (src/alpha/mod.rs:1)"),
        "{}",
        messages[0]
    );
    assert!(
        messages[0].contains("beta → alpha  (src/beta.rs:1)"),
        "{}",
        messages[0]
    );
    // air and combat use each other inside systems/, which is one module at the second level.
    assert!(!graph.contains_key("sim::systems"), "{graph:?}");

    let layers = layer_violations(&sources);
    assert_eq!(layers.len(), 2, "{layers:#?}");
    assert!(
        layers[0].starts_with("src/scenario/mod.rs:2 uses bevy_ecs"),
        "{layers:#?}"
    );
    assert!(
        layers[1].starts_with("src/sim/systems/air.rs:2 refers to crate::batch"),
        "{layers:#?}"
    );

    let long_rs = sources.iter().find(|s| s.path == "sim/long.rs").unwrap();
    let long = long_functions(&long_rs.path, &long_rs.text);
    let named: Vec<_> = long
        .iter()
        .map(|f| (f.name.as_str(), f.lines, f.reason.as_deref()))
        .collect();
    let lines = MAX_FUNCTION_LINES + 2;
    assert_eq!(
        named,
        [
            ("reasoned", lines, Some("one table of cases.")),
            ("unexplained", lines, None)
        ]
    );
    assert_eq!(
        unexplained_long_functions(&sources),
        [format!(
            "src/sim/long.rs:{} fn unexplained is {lines} lines (limit 80): split it into named \
             steps, or write `// Long because: <reason>` on the line above it (or in its doc \
             comment).",
            lines + 4
        )]
    );
}

#[test]
fn function_lines_are_recognised_as_archcheck_does() {
    let cases = [
        ("fn plain() {", Some("plain")),
        (
            "    pub(crate) const unsafe fn both(x: u32) -> u32 {",
            Some("both"),
        ),
        ("pub async fn run<T>(", Some("run")),
        ("    pub(super) fn up()", Some("up")),
        ("    let f: fn(u32) = g;", None),
        ("const LIMIT: usize = 80;", None),
        ("pubfn nothing() {", None),
        ("// fn commented() {", None),
        ("impl Thing {", None),
    ];
    for (line, expected) in cases {
        assert_eq!(function_name(line), expected, "{line}");
    }
}
