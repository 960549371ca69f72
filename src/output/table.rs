//! The summary a `run` shows on the terminal: headline shares with their intervals, dates as
//! calendar dates, casualties and event counts as medians with 90% ranges — written for a class
//! reading it off a projector. Rendered into a String; the command prints it.

use std::fmt::Write as _;

use crate::batch::{BatchSummary, Plan};
use crate::scenario::{Convoy, Scenario};
use crate::sim::outcome::reported_sites;
use crate::stats::{CategorySummary, NumericSummary};

/// The terminal summary of a batch: scenario title, runs and seed; per convoy the share that
/// reaches its destination (Wilson 95% interval), every status share, arrival dates and vehicles
/// lost; per reported site who holds it at the end and when it was taken; killed and wounded by
/// faction, civilians killed; IED strikes, ambushes, camp raids and engagements.
pub fn render_batch_table(scenario: &Scenario, plan: &Plan, summary: &BatchSummary) -> String {
    let mut out = Table(String::new());
    heading(&mut out, scenario, plan, summary);
    for convoy in &scenario.convoys {
        convoy_section(&mut out, scenario, convoy, summary);
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

/// Title; scenario, runs, seed (and shard); the failed runs, when any failed.
fn heading(out: &mut Table, scenario: &Scenario, plan: &Plan, summary: &BatchSummary) {
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
    out.line(heading);
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

/// One convoy: the share that arrives, every status share, arrival dates, vehicles lost.
fn convoy_section(out: &mut Table, scenario: &Scenario, convoy: &Convoy, summary: &BatchSummary) {
    out.line("");
    let destination = &scenario.sites[convoy.destination()].name;
    let statuses = summary
        .categories(&format!("{}_status", convoy.id))
        .unwrap_or_default();
    if let Some(arrived) = statuses.iter().find(|c| c.category == "arrived") {
        out.line(format!(
            "{} reaches {destination}: {}",
            convoy.id,
            share_with_interval(arrived)
        ));
    }
    let shares: Vec<String> = statuses
        .iter()
        .map(|c| format!("{} {}", c.category, percent(c.proportion)))
        .collect();
    out.line(format!("  {}", shares.join("   ")));
    if let Some(arrival) = summary.numeric(&format!("{}_arrival_day", convoy.id)) {
        out.line(format!(
            "  arrival: {}",
            date_spread(scenario, arrival, "never arrives")
        ));
    }
    if let Some(lost) = summary.numeric(&format!("{}_vehicles_lost", convoy.id)) {
        out.line(format!(
            "  vehicles lost: median {}",
            count_spread_labelled(lost)
        ));
    }
}

/// Who holds each reported site at the end, and when it was taken.
fn holders(out: &mut Table, scenario: &Scenario, summary: &BatchSummary) {
    let sites = reported_sites(scenario);
    if sites.is_empty() {
        return;
    }
    out.line("");
    out.line("Who holds it at the end");
    for site in sites {
        let s = &scenario.sites[site];
        let owners = summary
            .categories(&format!("{}_owner_end", s.id))
            .unwrap_or_default();
        let mut held: Vec<&CategorySummary> = owners.iter().filter(|c| c.count > 0).collect();
        held.sort_by_key(|c| std::cmp::Reverse(c.count));
        let held: Vec<String> = held
            .iter()
            .map(|c| format!("{} {}", c.category, percent(c.proportion)))
            .collect();
        out.line(format!("  {}: {}", s.name, held.join(", ")));
        if let Some(taken) = summary.numeric(&format!("{}_taken_day", s.id)) {
            let share = if taken.n == 0 {
                f64::NAN
            } else {
                taken.present as f64 / taken.n as f64
            };
            if taken.present == 0 {
                out.line("    never changes hands");
            } else {
                out.line(format!(
                    "    taken in {} of runs: {}",
                    percent(share),
                    date_spread(scenario, taken, "")
                ));
            }
        }
    }
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
        "", "median (p05–p95)", "median (p05–p95)"
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
        "Per run", "median (p05–p95)    mean"
    ));
    for (column, label) in [
        ("ied_strikes", "IED strikes"),
        ("ambushes", "ambushes"),
        ("camp_raids", "camp raids"),
        ("engagements", "engagements"),
    ] {
        if let Some(s) = summary.numeric(column) {
            let mean = s.mean.map(|m| format!("{m:.1}")).unwrap_or_default();
            out.line(format!("  {label:width$}  {:<18}  {mean}", count_spread(s)));
        }
    }
}

/// `71.3% (69.3–73.2%)`: a share and its Wilson 95% interval.
fn share_with_interval(c: &CategorySummary) -> String {
    format!(
        "{} ({:.1}–{:.1}%)",
        percent(c.proportion),
        c.ci95_low * 100.0,
        c.ci95_high * 100.0
    )
}

fn percent(share: f64) -> String {
    if share.is_nan() {
        "–".to_string()
    } else {
        format!("{:.1}%", share * 100.0)
    }
}

/// A count to show, to one decimal, without a trailing `.0` (quantiles interpolate between
/// whole numbers, and 22.999… reads better as 23).
fn count(v: f64) -> String {
    let text = format!("{v:.1}");
    match text.strip_suffix(".0") {
        Some(whole) if whole != "-0" => whole.to_string(),
        Some(_) => "0".to_string(),
        None => text,
    }
}

/// `121 (36–257)`: median and 5th–95th percentiles.
fn count_spread(s: &NumericSummary) -> String {
    match (s.p50, s.p05, s.p95) {
        (Some(p50), Some(p05), Some(p95)) => {
            format!("{} ({}–{})", count(p50), count(p05), count(p95))
        }
        _ => "–".to_string(),
    }
}

/// `9 (p05–p95 1–50)`.
fn count_spread_labelled(s: &NumericSummary) -> String {
    match (s.p50, s.p05, s.p95) {
        (Some(p50), Some(p05), Some(p95)) => {
            format!("{} (p05–p95 {}–{})", count(p50), count(p05), count(p95))
        }
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

/// `median 11 Nov 2023 (p05–p95 6 Nov 2023 – 16 Nov 2023)`, or `absent` when no run had a day.
fn date_spread(scenario: &Scenario, s: &NumericSummary, absent: &str) -> String {
    match (s.p50, s.p05, s.p95) {
        (Some(p50), Some(p05), Some(p95)) => format!(
            "median {} (p05–p95 {} – {})",
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

    #[test]
    fn counts_and_shares() {
        assert_eq!(count(121.0), "121");
        assert_eq!(count(36.4), "36.4");
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
        assert_eq!(share_with_interval(&c), "71.3% (69.3–73.2%)");
    }
}
