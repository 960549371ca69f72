//! Face validity of the default scenario against the 2023 record, the direction in which each
//! variant moves the outcome, determinism of one replication, and the pure two-force duel.

use sandtable::sim::{Engine, EventKind, simulate};

use crate::support::*;

const SEED: u64 = 20231002;
const RUNS: u64 = 300;
/// 2 October 2023, the column's departure, in days from 11 September.
const DEPART_DAY: f64 = 21.0;
/// 31 October 2023, MINUSMA leaves Kidal.
const UN_LEAVES_KIDAL_DAY: f64 = 50.0;

#[test]
fn column_usually_reaches_anefis_within_a_week_of_leaving_gao() {
    let s = default_scenario();
    let reps = batch(&s, SEED, RUNS, true);
    let within_a_week = reps
        .iter()
        .filter(|r| {
            r.events
                .iter()
                .find(|e| e.kind == EventKind::Halt && e.place == "Anefis")
                .is_some_and(|e| e.time_hours / 24.0 - DEPART_DAY <= 7.0)
        })
        .count();
    let share = within_a_week as f64 / RUNS as f64;
    assert!(
        share >= 0.8,
        "the column reached Anefis within 7 days in only {:.0}% of runs (record: 5 days)",
        share * 100.0
    );
}

#[test]
fn column_never_enters_kidal_while_the_un_is_there() {
    let s = default_scenario();
    let reps = batch(&s, SEED, RUNS, true);
    let mut seen = 0;
    for r in &reps {
        for e in r
            .events
            .iter()
            // The narrative names the column as people do.
            .filter(|e| e.place == "Kidal" && e.detail.contains("FAMa column from Gao"))
        {
            seen += 1;
            assert!(
                e.time_hours / 24.0 >= UN_LEAVES_KIDAL_DAY,
                "{} at Kidal on day {:.2}, before MINUSMA left: {}",
                e.kind.as_str(),
                e.time_hours / 24.0,
                e.detail
            );
        }
    }
    assert!(seen > 0, "the column never reached Kidal in the narrative");
    for day in numbers(&s, &reps, "kidal_column_arrival_day")
        .into_iter()
        .flatten()
    {
        assert!(day >= UN_LEAVES_KIDAL_DAY, "arrived on day {day}");
    }
}

#[test]
fn kidal_is_usually_taken_by_fama_in_the_weeks_after_the_un_leaves() {
    let s = default_scenario();
    let reps = batch(&s, SEED, RUNS, false);
    let fama = share(&s, &reps, "kidal_owner_end", "fama");
    assert!(
        fama >= 0.6,
        "FAMa holds Kidal at the end in {:.0}% of runs (record: taken 14 Nov)",
        fama * 100.0
    );
    let taken: Vec<f64> = numbers(&s, &reps, "kidal_taken_day")
        .into_iter()
        .flatten()
        .collect();
    let within_six_weeks = taken
        .iter()
        .filter(|d| (UN_LEAVES_KIDAL_DAY..=UN_LEAVES_KIDAL_DAY + 42.0).contains(*d))
        .count();
    assert!(
        within_six_weeks as f64 >= 0.9 * taken.len() as f64,
        "Kidal taken outside the six weeks after 31 Oct too often"
    );
    let median = {
        let mut t = taken.clone();
        t.sort_by(f64::total_cmp);
        t[t.len() / 2]
    };
    // 14 November 2023 is day 64; the model should put the median within ten days of it.
    assert!((median - 64.0).abs() <= 10.0, "median capture day {median}");
}

#[test]
fn csp_raids_take_government_camps_and_leave_within_hours() {
    let s = default_scenario();
    let csp = s.faction("csp").unwrap();
    let fama = s.faction("fama").unwrap();
    let reps = batch(&s, SEED, 100, false);
    let mut raids_taken = 0;
    for r in &reps {
        for (i, change) in r.control_history.iter().enumerate() {
            let (hour, site, from, to, cause) = (
                change.hour,
                change.site,
                change.from,
                change.to,
                change.cause,
            );
            if cause != sandtable::sim::resources::CaptureCause::Raid || to != Some(csp) {
                continue;
            }
            raids_taken += 1;
            assert_eq!(from, Some(fama), "CSP raided a camp FAMa did not hold");
            let Some(back) = r.control_history[i + 1..].iter().find(|h| h.site == site) else {
                assert!(
                    hour + 12.0 >= s.horizon_days * 24.0,
                    "CSP never left {} after raiding it",
                    s.sites[site].id
                );
                continue;
            };
            assert_eq!(back.to, Some(fama), "the camp did not return to FAMa");
            assert!(
                back.hour - hour <= 12.0 + 1e-9,
                "CSP held {} for {:.1} h",
                s.sites[site].id,
                back.hour - hour
            );
        }
    }
    assert!(
        raids_taken >= 50,
        "only {raids_taken} camps taken by CSP raids in 100 runs"
    );
}

#[test]
fn outcomes_differ_between_replications() {
    let s = default_scenario();
    let reps = batch(&s, SEED, 100, false);
    let days: std::collections::BTreeSet<String> = column(&s, &reps, "kidal_column_arrival_day")
        .into_iter()
        .collect();
    let killed: std::collections::BTreeSet<String> =
        column(&s, &reps, "fama_killed").into_iter().collect();
    assert!(
        days.len() > 50,
        "only {} distinct arrival days in 100 runs",
        days.len()
    );
    assert!(
        killed.len() > 30,
        "only {} distinct FAMa death tolls in 100 runs",
        killed.len()
    );
    assert!(
        share(&s, &reps, "kidal_column_status", "arrived") < 1.0,
        "the column always arrives"
    );
}

#[test]
fn the_same_replication_gives_the_same_outcome_and_story() {
    let s = default_scenario();
    for run in [0, 7, 12345] {
        let a = simulate(&s, SEED, run, true);
        let b = simulate(&s, SEED, run, true);
        assert_eq!(a.outcome, b.outcome);
        assert_eq!(a.events, b.events);
    }
    assert_ne!(
        simulate(&s, SEED, 0, false).outcome,
        simulate(&s, SEED, 1, false).outcome
    );
    assert_ne!(
        simulate(&s, SEED, 0, false).outcome,
        simulate(&s, SEED + 1, 0, false).outcome
    );
}

#[test]
fn without_drones_fama_loses_more_and_takes_kidal_less_often() {
    let base = default_scenario();
    let no_drones = scenario("variants/no-drones.toml");
    let a = batch(&base, SEED, RUNS, false);
    let b = batch(&no_drones, SEED, RUNS, false);
    let taken = (
        share(&base, &a, "kidal_owner_end", "fama"),
        share(&no_drones, &b, "kidal_owner_end", "fama"),
    );
    assert!(
        taken.1 < taken.0 - 0.1,
        "Kidal taken in {:.0}% with drones, {:.0}% without",
        taken.0 * 100.0,
        taken.1 * 100.0
    );
    let losses =
        |s, reps| mean(&numbers(s, reps, "fama_killed")) + mean(&numbers(s, reps, "fama_wounded"));
    assert!(
        losses(&no_drones, &b) > losses(&base, &a),
        "FAMa casualties should rise without drones"
    );
    assert!(
        mean(&numbers(&no_drones, &b, "civilians_killed"))
            < mean(&numbers(&base, &a, "civilians_killed")),
        "no drone strikes, fewer civilian deaths"
    );
}

#[test]
fn when_the_un_stays_in_kidal_the_column_waits() {
    let s = scenario("variants/un-stays-in-kidal.toml");
    let reps = batch(&s, SEED, 200, false);
    assert!(share(&s, &reps, "kidal_column_status", "halted") >= 0.95);
    assert_eq!(share(&s, &reps, "kidal_owner_end", "fama"), 0.0);
    assert!(
        numbers(&s, &reps, "kidal_column_arrival_day")
            .iter()
            .all(Option::is_none)
    );
}

#[test]
fn without_wagner_the_column_succeeds_less_often() {
    let base = default_scenario();
    let no_wagner = scenario("variants/no-wagner.toml");
    let a = batch(&base, SEED, RUNS, false);
    let b = batch(&no_wagner, SEED, RUNS, false);
    assert!(
        numbers(&no_wagner, &b, "wagner_killed")
            .iter()
            .all(|k| *k == Some(0.0))
    );
    let arrived = (
        share(&base, &a, "kidal_column_status", "arrived"),
        share(&no_wagner, &b, "kidal_column_status", "arrived"),
    );
    assert!(
        arrived.1 < arrived.0,
        "arrived {:?} (with, without Wagner)",
        arrived
    );
}

#[test]
fn the_default_file_and_the_embedded_default_are_the_same_scenario() {
    let file = scenario("gao-kidal-2023.toml");
    let embedded = default_scenario();
    assert_eq!(file.sha256(), embedded.sha256());
    assert_eq!(
        simulate(&file, SEED, 3, false).outcome,
        simulate(&embedded, SEED, 3, false).outcome
    );
}

#[test]
fn every_number_of_the_default_scenario_has_a_source() {
    let s = default_scenario();
    let missing: Vec<&str> = s
        .params
        .iter()
        .filter(|p| p.source.is_none())
        .map(|p| p.path.as_str())
        .collect();
    assert!(missing.is_empty(), "numbers without a source: {missing:?}");
    for (_, p) in s.uncertain_params() {
        let src = p.source.as_deref().unwrap_or("");
        assert!(
            src.contains("Assumption") || src.contains("[S") || src.contains("facts"),
            "{} cites nothing: {src}",
            p.path
        );
    }
}

#[test]
fn a_duel_under_the_square_law_leaves_the_analytic_survivors() {
    // B0 = 100, R0 = 80, equal kill rates: Blue keeps sqrt(100² − 80²) = 60. The fight ends
    // when Red is down to half a fighter, so Red's casualties are 79.5.
    let s = scenario("validation/duel-square.toml");
    let r = simulate(&s, 1, 0, false);
    let blue_killed = numbers(&s, std::slice::from_ref(&r), "blue_killed")[0].unwrap();
    let red_killed = numbers(&s, std::slice::from_ref(&r), "red_killed")[0].unwrap();
    // Square law: B² − R² is conserved, so Blue ends at sqrt(100² − 80² + 0.5²).
    let expected_blue = 100.0 - (100.0f64.powi(2) - 80.0f64.powi(2) + 0.5f64.powi(2)).sqrt();
    assert!(
        (blue_killed - expected_blue).abs() / expected_blue < 0.01,
        "Blue lost {blue_killed}, the square law says {expected_blue}"
    );
    assert!((red_killed - 79.5).abs() < 0.01);
}

#[test]
fn a_duel_under_the_linear_law_conserves_the_difference() {
    // Equal rates: B − R stays 20; Red ends at half a fighter, so Blue keeps 20.5.
    let s = scenario("validation/duel-linear.toml");
    let r = simulate(&s, 1, 0, false);
    let blue_killed = numbers(&s, std::slice::from_ref(&r), "blue_killed")[0].unwrap();
    assert!((blue_killed - 79.5).abs() < 0.2, "Blue lost {blue_killed}");
}

#[test]
fn reinforcements_arriving_mid_fight_change_the_duel() {
    let plain = scenario("validation/duel-square.toml");
    let reinforced = scenario("validation/duel-square-reinforced.toml");
    let a = numbers(&plain, &[simulate(&plain, 1, 0, false)], "blue_killed")[0].unwrap();
    let b = numbers(
        &reinforced,
        &[simulate(&reinforced, 1, 0, false)],
        "blue_killed",
    )[0]
    .unwrap();
    assert!(
        b < a,
        "a Blue reinforcement should cut Blue's losses ({b} vs {a})"
    );
}

#[test]
fn a_stochastic_duel_scatters_around_the_mean_field() {
    let s = scenario("validation/duel-square.toml");
    let mut toml = s
        .resolved_toml
        .replace("mode = \"mean_field\"", "mode = \"stochastic\"");
    toml = toml.replace("round_hours = 0.01", "round_hours = 0.1");
    let stochastic =
        std::sync::Arc::new(sandtable::scenario::load_str(&toml, "duel.toml", None, &[]).unwrap());
    let reps = batch(&stochastic, 5, 200, false);
    let blue = numbers(&stochastic, &reps, "blue_killed");
    let distinct: std::collections::BTreeSet<u64> =
        blue.iter().map(|b| b.unwrap() as u64).collect();
    assert!(distinct.len() > 5, "stochastic duels should differ");
    assert!(
        blue.iter().all(|b| b.unwrap().fract() == 0.0),
        "casualties are whole people when sampling"
    );
    let m = mean(&blue);
    assert!(
        (m - 40.0).abs() < 6.0,
        "mean Blue losses {m}, mean field 40"
    );
}

#[test]
fn every_assumption_of_the_default_scenario_carries_a_range() {
    let s = default_scenario();
    let fixed: Vec<&str> = s
        .params
        .iter()
        .filter(|p| {
            p.source
                .as_deref()
                .is_some_and(|src| src.starts_with("Assumption"))
                && !p.dist.is_uncertain()
        })
        .map(|p| p.path.as_str())
        .collect();
    assert!(
        fixed.is_empty(),
        "assumptions stated as a single number: {fixed:?}"
    );
}

#[test]
fn a_replication_does_not_depend_on_what_its_engine_ran_before() {
    // A batch's worker reuses one engine (World and Schedule); a replication must not see
    // anything of the last one.
    let s = default_scenario();
    let fresh = Engine::new().simulate(&s, SEED, 5, true);
    let mut engine = Engine::new();
    let duel = scenario("validation/duel-square-reinforced.toml");
    let _ = engine.simulate(&duel, 3, 0, false);
    for run in [9, 1, 77] {
        let _ = engine.simulate(&s, SEED + 1, run, false);
    }
    let _ = engine.simulate(&scenario("variants/no-drones.toml"), SEED, 5, true);
    let after_others = engine.simulate(&s, SEED, 5, true);
    assert_eq!(fresh.outcome, after_others.outcome);
    assert_eq!(fresh.events, after_others.events);
    assert_eq!(fresh.passes, after_others.passes);
    assert_eq!(
        simulate(&s, SEED, 5, true),
        fresh,
        "the free function is a fresh engine"
    );
}

#[test]
fn an_engine_whose_replication_panicked_gives_the_same_results_after() {
    // A batch catches a panicking replication and goes on with the same worker's engine.
    let s = default_scenario();
    let fresh = Engine::new().simulate(&s, SEED, 5, true);
    let mut engine = Engine::new();
    let draws = sandtable::scenario::Draws::sample(&s.params, SEED, 2);
    let mut passes = 0;
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        engine.run(&s, draws, SEED, 2, false, &mut |_| {
            passes += 1;
            assert!(
                passes < 40,
                "stopped on purpose half-way through a replication"
            );
        })
    }));
    assert!(panicked.is_err());
    assert_eq!(engine.simulate(&s, SEED, 5, true), fresh);
}

#[test]
fn a_reused_world_does_not_accumulate_records_of_despawned_entities() {
    // An engine refills one World; bevy records every despawned component for change
    // detection, and those records must not pile up from one replication to the next.
    let s = default_scenario();
    let mut engine = Engine::new();
    let mut counts = Vec::new();
    for run in 0..12 {
        let draws = sandtable::scenario::Draws::sample(&s.params, SEED, run);
        let mut first = true;
        engine.run(&s, draws, SEED, run, false, &mut |w| {
            if std::mem::take(&mut first) {
                counts.push(
                    w.removed_components()
                        .iter()
                        .map(|(_, m)| m.len())
                        .sum::<usize>(),
                );
            }
        });
    }
    assert!(counts[11] <= counts[2], "removal records grow: {counts:?}");
}
