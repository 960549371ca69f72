//! Bad scenarios get a clear error that names the file, line and column and says what would be
//! valid. Each case: the file as a student might write it, the place, the phrase expected.

use sandtable::scenario::{Override, ScenarioError, load};

use crate::support::*;

/// A small valid scenario the cases below break one line at a time.
const BASE: &str = r#"name = "mini"
start = 2023-10-01
horizon_days = 30

[[faction]]
id = "fama"
kill_rate_per_hour = 0.03
break_point = 0.3

[[faction]]
id = "csp"
kill_rate_per_hour = 0.03
break_point = 0.3

[stances]
hostile = [["fama", "csp"]]

[[site]]
id = "gao"
kind = "town"
lat = 16.27
lon = -0.05
owner = "fama"
garrison = { fama = 500 }

[[site]]
id = "kidal"
kind = "town"
lat = 18.44
lon = 1.41
owner = "csp"

[[road]]
from = "gao"
to = "kidal"
length_km = { min = 300, max = 350 }
surface = "track"

[[convoy]]
id = "column"
faction = "fama"
from = "gao"
to = "kidal"
depart = 2023-10-02
vehicles = 100
troops = 600
speed_km_per_day = { track = 80 }
break_point = 0.3
"#;

fn load_text(text: &str) -> Result<sandtable::Scenario, ScenarioError> {
    let dir = files(&[("s.toml", text)]);
    load(&dir.path().join("s.toml"), &[])
}

/// Asserts the error is at `line` (and `column` when given) and contains `phrase`.
fn expect(text: &str, line: usize, column: Option<usize>, phrase: &str) {
    let err = load_text(text).expect_err("the scenario should be rejected");
    assert!(
        err.to_string().contains(phrase),
        "message {:?} lacks {:?}",
        err.to_string(),
        phrase
    );
    assert_eq!(err.line, Some(line), "wrong line in {err}");
    if let Some(c) = column {
        assert_eq!(err.column, Some(c), "wrong column in {err}");
    }
    assert!(err.to_string().contains("s.toml:"), "no file name in {err}");
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle")
        + 1
}

#[test]
fn the_base_scenario_is_valid() {
    load_text(BASE).unwrap();
}

#[test]
fn misspelt_key_suggests_the_right_one() {
    let text = BASE.replace("vehicles = 100", "vehical = 100");
    expect(
        &text,
        line_of(&text, "vehical"),
        Some(1),
        "unknown key 'vehical' in [[convoy]] 'column' — did you mean 'vehicles'?",
    );
}

#[test]
fn dangling_site_reference_lists_the_sites() {
    let text = BASE.replace("to = \"kidal\"\nlength_km", "to = \"kidl\"\nlength_km");
    expect(
        &text,
        line_of(&text, "\"kidl\""),
        Some(1),
        "refers to site 'kidl', which is not defined (sites: gao, kidal)",
    );
}

#[test]
fn dangling_faction_reference_lists_the_factions() {
    let text = BASE.replace("owner = \"csp\"", "owner = \"mnla\"");
    expect(
        &text,
        line_of(&text, "mnla"),
        None,
        "faction 'mnla', which is not defined (factions: fama, csp)",
    );
}

#[test]
fn horizon_out_of_range() {
    let text = BASE.replace("horizon_days = 30", "horizon_days = 5000");
    expect(&text, 3, Some(1), "horizon_days must be between 1 and 3650");
}

#[test]
fn range_with_min_above_max() {
    let text = BASE.replace("{ min = 300, max = 350 }", "{ min = 350, max = 300 }");
    expect(
        &text,
        line_of(&text, "min = 350"),
        None,
        "min (350) is greater than max (300)",
    );
}

#[test]
fn negative_strength() {
    let text = BASE.replace("troops = 600", "troops = -5");
    expect(
        &text,
        line_of(&text, "troops = -5"),
        None,
        "convoy.column.troops is -5",
    );
}

#[test]
fn probability_above_one() {
    let text = BASE
        .replace("break_point = 0.3\n\"#", "break_point = 1.5\n\"#")
        .replace(
            "speed_km_per_day = { track = 80 }\nbreak_point = 0.3",
            "speed_km_per_day = { track = 80 }\nbreak_point = 1.5",
        );
    expect(
        &text,
        line_of(&text, "break_point = 1.5"),
        None,
        "a share greater than 0 and at most 1",
    );
}

#[test]
fn wrong_type() {
    let text = BASE.replace("troops = 600", "troops = \"many\"");
    expect(
        &text,
        line_of(&text, "\"many\""),
        None,
        "convoy.column.troops",
    );
}

#[test]
fn no_road_to_the_destination() {
    let text = BASE.replace("[[road]]\nfrom = \"gao\"\nto = \"kidal\"\nlength_km = { min = 300, max = 350 }\nsurface = \"track\"\n", "");
    expect(
        &text,
        line_of(&text, "to = \"kidal\""),
        None,
        "no road connects gao to kidal for convoy column",
    );
}

#[test]
fn departure_outside_the_scenario() {
    let text = BASE.replace("depart = 2023-10-02", "depart = 2024-03-01");
    expect(
        &text,
        line_of(&text, "depart"),
        None,
        "outside the scenario (2023-10-01 to 2023-10-31)",
    );
}

#[test]
fn speed_missing_for_a_surface_on_the_route() {
    let text = BASE.replace("{ track = 80 }", "{ paved = 80 }");
    expect(
        &text,
        line_of(&text, "paved"),
        None,
        "gives no speed for track",
    );
}

#[test]
fn not_toml_at_all() {
    let text = BASE.replace("horizon_days = 30", "horizon_days = = 30");
    expect(&text, 3, None, "not valid TOML");
}

#[test]
fn unknown_top_level_section() {
    let text = format!("{BASE}\n[weather]\nrain = true\n");
    expect(
        &text,
        line_of(&text, "[weather]"),
        None,
        "unknown key 'weather'",
    );
}

#[test]
fn extends_a_missing_file() {
    let dir = files(&[("variant.toml", "extends = \"nowhere.toml\"\nname = \"v\"\n")]);
    let err = load(&dir.path().join("variant.toml"), &[]).unwrap_err();
    assert!(
        err.to_string()
            .contains("extends 'nowhere.toml': no such file"),
        "{err}"
    );
    assert_eq!(err.line, Some(1));
}

#[test]
fn extends_cycle() {
    let dir = files(&[
        ("a.toml", "extends = \"b.toml\"\nname = \"a\"\n"),
        ("b.toml", "extends = \"a.toml\"\nname = \"b\"\n"),
    ]);
    let err = load(&dir.path().join("a.toml"), &[]).unwrap_err();
    assert!(err.to_string().contains("extends cycle"), "{err}");
}

#[test]
fn a_variant_error_points_into_the_variant() {
    let dir = files(&[
        ("base.toml", BASE),
        (
            "v.toml",
            "extends = \"base.toml\"\nname = \"v\"\n\n[[convoy]]\nid = \"column\"\ntroops = { min = 9, max = 1 }\n",
        ),
    ]);
    let err = load(&dir.path().join("v.toml"), &[]).unwrap_err();
    assert!(err.file.ends_with("v.toml"), "{err}");
    assert_eq!(err.line, Some(6), "{err}");
}

#[test]
fn removing_what_is_not_there() {
    let dir = files(&[
        ("base.toml", BASE),
        (
            "v.toml",
            "extends = \"base.toml\"\nname = \"v\"\n[[convoy]]\nid = \"colum\"\nremove = true\n",
        ),
    ]);
    let err = load(&dir.path().join("v.toml"), &[]).unwrap_err();
    assert!(err.to_string().contains("no [[convoy]] 'colum'"), "{err}");
}

#[test]
fn set_with_an_unknown_path_names_the_choices() {
    let dir = files(&[("s.toml", BASE)]);
    let bad: Override = "convoy.colum.vehicles=80".parse().unwrap();
    let err = load(&dir.path().join("s.toml"), &[bad]).unwrap_err();
    assert_eq!(err.file, "--set");
    assert!(
        err.to_string()
            .contains("no [[convoy]] 'colum' (there are: column)"),
        "{err}"
    );
}

#[test]
fn set_with_a_value_of_the_wrong_type() {
    let dir = files(&[("s.toml", BASE)]);
    let bad: Override = "convoy.column.vehicles=lots".parse().unwrap();
    let err = load(&dir.path().join("s.toml"), &[bad]).unwrap_err();
    assert_eq!(err.file, "--set");
    assert!(
        err.to_string().contains("convoy.column.vehicles=lots"),
        "{err}"
    );
}

#[test]
fn set_changes_the_value_and_the_hash() {
    let dir = files(&[("s.toml", BASE)]);
    let plain = load(&dir.path().join("s.toml"), &[]).unwrap();
    let set: Override = "convoy.column.vehicles=80".parse().unwrap();
    let changed = load(&dir.path().join("s.toml"), &[set]).unwrap();
    assert_eq!(changed.mean(changed.convoys[0].vehicles), 80.0);
    assert_ne!(plain.sha256(), changed.sha256());
}

#[test]
fn set_accepts_a_range() {
    let dir = files(&[("s.toml", BASE)]);
    let set: Override = "convoy.column.vehicles={ min = 60, max = 90 }"
        .parse()
        .unwrap();
    let s = load(&dir.path().join("s.toml"), &[set]).unwrap();
    let columns: Vec<&str> = s
        .uncertain_params()
        .map(|(_, p)| p.column.as_str())
        .collect();
    assert!(columns.contains(&"convoy_column_vehicles"), "{columns:?}");
}

/// Every file in `tests/fixtures/bad/` opens with `# expect: LINE PHRASE`: loading it must fail
/// at that line with a message containing that phrase.
#[test]
fn every_bad_fixture_fails_at_its_line_with_its_message() {
    let dir = root().join("tests/fixtures/bad");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 30, "only {} fixtures", paths.len());
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let expect = text
            .lines()
            .find_map(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{} has no '# expect:' line", path.display()));
        let (line, phrase) = expect.split_once(' ').unwrap();
        let err = load(&path, &[]).expect_err(&format!("{} should be rejected", path.display()));
        let shown = err.to_string();
        assert!(
            shown.contains(phrase),
            "{}: message {shown:?} lacks {phrase:?}",
            path.display()
        );
        assert_eq!(
            err.line,
            Some(line.parse().unwrap()),
            "{}: {shown}",
            path.display()
        );
        assert!(
            err.column.is_some(),
            "{}: no column in {shown}",
            path.display()
        );
        assert!(
            shown.contains(".toml:"),
            "{}: no file in {shown}",
            path.display()
        );
    }
}
