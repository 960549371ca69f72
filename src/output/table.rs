//! The summary a `run` shows on the terminal: headline shares with their intervals, dates as
//! calendar dates, casualties and event counts as medians with 90% ranges — written for a class
//! reading it off a projector. Rendered into a String; the command prints it.

use std::fmt::Write as _;

use crate::batch::{BatchSummary, Plan};
use crate::scenario::{Convoy, Scenario};
use crate::sim::outcome::reported_sites;
use crate::stats::{CategorySummary, NumericSummary};

/// The terminal summary of a batch: scenario title, runs, seed, start date and the `--set`
/// overrides; per convoy the share that reaches its destination (Wilson 95% interval), the
/// share of every end state it reached, arrival dates and vehicles lost; per reported site who
/// holds it at the end and when it first changed hands; killed and wounded by faction,
/// civilians killed; IED strikes, ambushes, camp raids and engagements. Everything is named as
/// people name it (ids are for the files), counts are whole numbers.
pub fn render_batch_table(
    scenario: &Scenario,
    plan: &Plan,
    overrides: &[String],
    summary: &BatchSummary,
) -> String {
    let mut out = Table(String::new());
    heading(&mut out, scenario, plan, overrides, summary);
    for (index, convoy) in scenario.convoys.iter().enumerate() {
        convoy_section(&mut out, scenario, index, convoy, summary);
    }
    holders(&mut out, scenario, summary);
    // The faction names set the width of the casualty and event tables alike.
    let width = scenario
        .factions
        .iter()
        .map(|f| f.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(20);
    casualties(&mut out, scenario, summary, width);
    events(&mut out, summary, width);
    out.0
}

/// The table's text, a line at a time.
struct Table(String);

impl Table {
    fn line(&mut self, text: impl AsRef<str>) {
        self.0.push_str(text.as_ref());
        self.0.push('\n');
    }
}

/// Title; scenario, runs, seed (and shard), start date; the overrides; the failed runs.
fn heading(
    out: &mut Table,
    scenario: &Scenario,
    plan: &Plan,
    overrides: &[String],
    summary: &BatchSummary,
) {
    out.line(&scenario.title);
    let mut heading = format!(
        "scenario {} · {} runs · seed {}",
        scenario.name,
        summary.completed_runs(),
        plan.seed
    );
    if !plan.shard.is_whole() {
        let runs = plan.run_indices();
        let _ = write!(
            heading,
            " · shard {} of a {}-run batch (runs {}–{})",
            plan.shard,
            plan.runs,
            runs.start,
            runs.end.saturating_sub(1)
        );
    }
    let _ = write!(
        heading,
        " · starts {} · {} days",
        date(scenario, 0.0),
        count(scenario.horizon_days)
    );
    out.line(heading);
    if !overrides.is_empty() {
        out.line(format!("changed with --set: {}", overrides.join(", ")));
    }
    if !summary.failed_runs.is_empty() {
        let failed = &summary.failed_runs;
        let mut runs: Vec<String> = failed.iter().take(10).map(u64::to_string).collect();
        if failed.len() > 10 {
            runs.push(format!("… ({} more)", failed.len() - 10));
        }
        out.line(format!(
            "{} of {} runs FAILED (an internal error) and are left out of the figures below: {} {}",
            failed.len(),
            summary.completed_runs(),
            if failed.len() == 1 { "run" } else { "runs" },
            runs.join(", ")
        ));
    }
}

/// How a convoy's end state reads in a sentence.
fn status_words(status: &str) -> &str {
    match status {
        "arrived" => "arrived",
        "halted" => "halted",
        "turned_back" => "turned back",
        "destroyed" => "destroyed",
        "en_route" => "still on the road",
        other => other,
    }
}

/// One convoy: the share that arrives, the share of every end state reached, arrival dates,
/// vehicles lost.
fn convoy_section(
    out: &mut Table,
    scenario: &Scenario,
    index: usize,
    convoy: &Convoy,
    summary: &BatchSummary,
) {
    out.line("");
    let name = scenario.convoy_name(index);
    let destination = &scenario.sites[convoy.destination()].name;
    let statuses = summary
        .categories(&format!("{}_status", convoy.id))
        .unwrap_or_default();
    if let Some(arrived) = statuses.iter().find(|c| c.category == "arrived") {
        out.line(format!(
            "{name} reaches {destination} in {}",
            share_with_interval(arrived, "of runs ")
        ));
    }
    let shares: Vec<String> = statuses
        .iter()
        .filter(|c| c.count > 0)
        .map(|c| format!("{} {}", status_words(&c.category), percent(c.proportion)))
        .collect();
    if !shares.is_empty() {
        out.line(format!("  how it ends: {}", shares.join(" · ")));
    }
    if let Some(arrival) = summary.numeric(&format!("{}_arrival_day", convoy.id)) {
        out.line(format!(
            "  arrival: {}",
            date_spread(scenario, arrival, "of arrivals", "it never arrives")
        ));
    }
    if let Some(lost) = summary.numeric(&format!("{}_vehicles_lost", convoy.id)) {
        out.line(format!("  vehicles lost: {}", count_spread_in_words(lost)));
    }
}

/// What a category of `<site>_owner_end` reads as: a faction's short name, or nobody.
fn holder_name(scenario: &Scenario, category: &str) -> String {
    scenario
        .factions
        .iter()
        .position(|f| f.id == category)
        .map_or_else(
            || "nobody".to_string(),
            |f| scenario.faction_short_name(f).to_string(),
        )
}

/// Who holds each reported site at the end, and when it first changed hands.
fn holders(out: &mut Table, scenario: &Scenario, summary: &BatchSummary) {
    let sites = reported_sites(scenario);
    if sites.is_empty() {
        return;
    }
    out.line("");
    out.line("Who holds each place at the end");
    for site in sites {
        let s = &scenario.sites[site];
        let owners = summary
            .categories(&format!("{}_owner_end", s.id))
            .unwrap_or_default();
        let mut held: Vec<&CategorySummary> = owners.iter().filter(|c| c.count > 0).collect();
        held.sort_by_key(|c| std::cmp::Reverse(c.count));
        let held: Vec<String> = held
            .iter()
            .map(|c| {
                format!(
                    "{} {}",
                    holder_name(scenario, &c.category),
                    percent(c.proportion)
                )
            })
            .collect();
        let at_start = s.owner.map_or("nobody".to_string(), |f| {
            scenario.faction_short_name(f).to_string()
        });
        out.line(format!(
            "  {} (held by {at_start} at the start): {}",
            s.name,
            held.join(", ")
        ));
        if let Some(taken) = summary.numeric(&format!("{}_taken_day", s.id)) {
            out.line(format!("    {}", first_change_of_hands(scenario, taken)));
        }
    }
}

/// `first changes hands in 82.2% of runs, median 12 Nov 2023; …`, from `<site>_taken_day`.
fn first_change_of_hands(scenario: &Scenario, taken: &NumericSummary) -> String {
    if taken.present == 0 {
        return "never changes hands".to_string();
    }
    let share = taken.present as f64 / taken.n as f64;
    format!(
        "first changes hands in {} of runs: {}",
        percent(share),
        date_spread(scenario, taken, "of those runs", "")
    )
}

/// Killed and wounded per run by faction, and civilians killed.
fn casualties(out: &mut Table, scenario: &Scenario, summary: &BatchSummary, width: usize) {
    out.line("");
    out.line(format!(
        "{:width$}    {:<22}  {}",
        "Casualties per run", "killed", "wounded"
    ));
    out.line(format!(
        "{:width$}    {:<22}  {}",
        "", "median (90% of runs)", "median (90% of runs)"
    ));
    for f in &scenario.factions {
        let killed = summary
            .numeric(&format!("{}_killed", f.id))
            .map(count_spread)
            .unwrap_or_default();
        let wounded = summary
            .numeric(&format!("{}_wounded", f.id))
            .map(count_spread)
            .unwrap_or_default();
        out.line(format!(
            "  {}{}  {:<22}  {}",
            f.name,
            " ".repeat(width - f.name.chars().count()),
            killed,
            wounded
        ));
    }
    if let Some(civilians) = summary.numeric("civilians_killed") {
        out.line(format!(
            "  {:width$}  {}",
            "Civilians",
            count_spread(civilians)
        ));
    }
}

/// IED strikes, ambushes, camp raids and engagements per run.
fn events(out: &mut Table, summary: &BatchSummary, width: usize) {
    out.line("");
    out.line(format!(
        "{:width$}    {}",
        "Per run", "median (90% of runs)  mean"
    ));
    for (column, label) in [
        ("ied_strikes", "IED strikes"),
        ("ambushes", "ambushes"),
        ("camp_raids", "camp raids"),
        ("engagements", "engagements"),
    ] {
        if let Some(s) = summary.numeric(column) {
            let mean = s.mean.map(|m| format!("{m:.1}")).unwrap_or_default();
            out.line(format!("  {label:width$}  {:<20}  {mean}", count_spread(s)));
        }
    }
}

/// `71.3% of runs (95% interval 69.3–73.2%)`: a share, `of_what` (with its trailing space),
/// and its Wilson 95% interval.
fn share_with_interval(c: &CategorySummary, of_what: &str) -> String {
    format!(
        "{} {of_what}(95% interval {:.1}–{:.1}%)",
        percent(c.proportion),
        c.ci95_low.clamp(0.0, 1.0) * 100.0,
        c.ci95_high.clamp(0.0, 1.0) * 100.0
    )
}

fn percent(share: f64) -> String {
    if share.is_nan() {
        "–".to_string()
    } else {
        format!("{:.1}%", share * 100.0)
    }
}

/// A count as people say it: a whole number. Quantiles interpolate between runs (a median of
/// 106.5 killed), but no run has half a casualty; halves round up.
fn count(v: f64) -> String {
    let whole = v.round();
    if whole == 0.0 {
        "0".to_string()
    } else {
        format!("{whole:.0}")
    }
}

/// `121 (36–257)`: median and the range of the middle 90% of runs (5th–95th percentiles).
fn count_spread(s: &NumericSummary) -> String {
    match (s.p50, s.p05, s.p95) {
        (Some(p50), Some(p05), Some(p95)) => {
            format!("{} ({}–{})", count(p50), count(p05), count(p95))
        }
        _ => "–".to_string(),
    }
}

/// `median 8; 90% of runs between 1 and 51`.
fn count_spread_in_words(s: &NumericSummary) -> String {
    match (s.p50, s.p05, s.p95) {
        (Some(p50), Some(p05), Some(p95)) => format!(
            "median {}; 90% of runs between {} and {}",
            count(p50),
            count(p05),
            count(p95)
        ),
        _ => "–".to_string(),
    }
}

/// The calendar date of a day since the scenario start, e.g. `11 Nov 2023`.
fn date(scenario: &Scenario, day: f64) -> String {
    scenario
        .datetime_at(day * 24.0)
        .strftime("%-d %b %Y")
        .to_string()
}

/// `median 11 Nov 2023; 90% of arrivals between 6 Nov 2023 and 16 Nov 2023`, or `absent` when
/// no run had a day; `of_what` names the runs the 90% is of.
fn date_spread(scenario: &Scenario, s: &NumericSummary, of_what: &str, absent: &str) -> String {
    match (s.p50, s.p05, s.p95) {
        (Some(p50), Some(p05), Some(p95)) => format!(
            "median {}; 90% {of_what} between {} and {}",
            date(scenario, p50),
            date(scenario, p05),
            date(scenario, p95)
        ),
        _ => absent.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::SummaryBuilder;
    use crate::sim::OutcomeSchema;

    #[test]
    fn counts_and_shares() {
        assert_eq!(count(121.0), "121");
        assert_eq!(count(106.5), "107");
        assert_eq!(count(36.4), "36");
        assert_eq!(count(22.999_999), "23");
        assert_eq!(count(-0.01), "0");
        assert_eq!(percent(0.713), "71.3%");
        let c = CategorySummary {
            category: "arrived".into(),
            n: 1000,
            count: 713,
            proportion: 0.713,
            ci95_low: 0.6933,
            ci95_high: 0.7318,
        };
        assert_eq!(
            share_with_interval(&c, "of runs "),
            "71.3% of runs (95% interval 69.3–73.2%)"
        );
    }

    /// The default scenario's summary over `runs` runs, with `overrides` in its heading.
    fn default_table(runs: u64, overrides: &[String]) -> String {
        let scenario = std::sync::Arc::new(crate::scenario::load_default(&[]).unwrap());
        let schema = OutcomeSchema::for_scenario(&scenario);
        let mut builder = SummaryBuilder::new(&schema, None);
        for run in 0..runs {
            let outcome = crate::sim::simulate(&scenario, 5, run, false).outcome;
            let outcome = super::super::runs::canonical_outcome(&outcome, &schema).unwrap();
            builder.push(&outcome).unwrap();
        }
        let plan = Plan {
            seed: 5,
            runs,
            shard: crate::batch::Shard::WHOLE,
            threads: 1,
        };
        render_batch_table(&scenario, &plan, overrides, &builder.finish().unwrap())
    }

    #[test]
    fn the_summary_reads_aloud_without_ids_or_fractions_of_people() {
        let text = default_table(120, &[]);
        // Names as people say them, never the scenario's ids.
        assert!(
            text.contains("FAMa column from Gao reaches Kidal in "),
            "{text}"
        );
        assert!(
            text.contains("Kidal (held by CMA/CSP at the start): "),
            "{text}"
        );
        assert!(text.contains("starts 11 Sep 2023"), "{text}");
        for id in ["kidal_column", "turned_back", "en_route", "csp ", "fama "] {
            assert!(!text.contains(id), "{id} in\n{text}");
        }
        assert!(!text.contains('_'), "an id in\n{text}");
        // Casualties and event counts are whole numbers; the mean, last on a line of the
        // per-run events, is a mean and keeps its decimal.
        let mut per_run = false;
        let lines = text.lines().skip_while(|l| !l.starts_with("Casualties"));
        for line in lines {
            per_run |= line.starts_with("Per run");
            if !line.starts_with("  ") {
                continue;
            }
            let numbers: Vec<&str> = line
                .split(|c: char| !(c.is_ascii_digit() || c == '.'))
                .filter(|t| t.chars().any(|c| c.is_ascii_digit()))
                .collect();
            let (whole, mean) = if per_run {
                numbers.split_at(numbers.len() - 1)
            } else {
                (&numbers[..], &[][..])
            };
            assert!(whole.iter().all(|n| !n.contains('.')), "{line}");
            assert!(mean.iter().all(|n| n.contains('.')), "{line}");
        }
        assert!(!text.contains("p05"), "{text}");
    }

    #[test]
    fn overrides_are_in_the_heading() {
        let text = default_table(
            3,
            &[
                "convoy.kidal_column.vehicles=60".to_string(),
                "combat.night_factor=0.4".to_string(),
            ],
        );
        let heading: Vec<&str> = text.lines().take(3).collect();
        assert_eq!(
            heading[2],
            "changed with --set: convoy.kidal_column.vehicles=60, combat.night_factor=0.4"
        );
    }
}
