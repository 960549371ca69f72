//! Every source a scenario cites resolves for a reader of the repository: each `[Sn]` in a
//! shipped scenario is listed in docs/sources/mali-2023-facts.md, the facts sheet in the repo.

use std::collections::BTreeSet;

use super::support::root;

/// The `[Sn]` citations in `text`.
fn citations(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (i, _) in text.match_indices("[S") {
        let digits: String = text[i + 2..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if !digits.is_empty() && text[i + 2 + digits.len()..].starts_with(']') {
            found.insert(format!("S{digits}"));
        }
    }
    found
}

#[test]
fn every_cited_source_is_in_the_facts_sheet_of_the_repository() {
    let facts = std::fs::read_to_string(root().join("docs/sources/mali-2023-facts.md")).unwrap();
    let sources = &facts[facts.find("## Sources").expect("a Sources section")..];
    let listed: BTreeSet<String> = sources
        .lines()
        .filter_map(|l| l.strip_prefix("- S"))
        .map(|l| format!("S{}", l.split_whitespace().next().unwrap_or("")))
        .collect();
    let mut scenarios = vec![root().join("scenarios/gao-kidal-2023.toml")];
    for dir in ["scenarios/variants", "scenarios/validation"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            scenarios.push(entry.unwrap().path());
        }
    }
    let mut cited = 0;
    for path in scenarios {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("shared/data"),
            "{} points outside the repository",
            path.display()
        );
        for s in citations(&text) {
            cited += 1;
            assert!(
                listed.contains(&s),
                "{} cites [{s}], not in the facts sheet",
                path.display()
            );
        }
    }
    assert!(cited > 30, "only {cited} citations found");
}
