//! A replayed run told two ways: `events.csv` (one dated event per row, for programs) and the
//! after-action narrative (one dated line per event, for people). Both are rendered from the
//! event log the simulation kept; neither changes or re-runs anything.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::runs::field_text;
use crate::scenario::Scenario;
use crate::sim::{ColumnKind, Event, OutcomeSchema, Replication};

/// The columns of `events.csv`.
pub const EVENTS_HEADER: [&str; 9] = [
    "time_hours",
    "date",
    "kind",
    "place",
    "factions",
    "killed",
    "wounded",
    "vehicles",
    "detail",
];

/// Writes `events.csv`: one row per event in the order they happened; `date` is the calendar
/// date and time of `time_hours` (`YYYY-MM-DDTHH:MM`).
///
/// # Errors
/// When the writer fails.
pub fn write_events_csv<W: Write>(
    writer: W,
    scenario: &Scenario,
    events: &[Event],
) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(writer);
    csv.write_record(EVENTS_HEADER)?;
    for e in events {
        csv.write_record([
            format!("{}", e.time_hours),
            scenario
                .datetime_at(e.time_hours)
                .strftime("%Y-%m-%dT%H:%M")
                .to_string(),
            e.kind.as_str().to_string(),
            e.place.clone(),
            e.factions.clone(),
            format!("{}", e.killed),
            format!("{}", e.wounded),
            format!("{}", e.vehicles),
            e.detail.clone(),
        ])?;
    }
    csv.flush()?;
    Ok(())
}

/// The after-action narrative of replication `run` of the batch seeded `seed`: a heading, one
/// line per event (date, time, place, what happened), then the run's outcome as `runs.csv`
/// would record it.
pub fn render_narrative(
    scenario: &Scenario,
    seed: u64,
    run: u64,
    replication: &Replication,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", scenario.title);
    let _ = writeln!(
        out,
        "Run {run} of seed {seed}: the same run as row {run} of runs.csv for this seed."
    );
    let _ = writeln!(out);
    let place_width = replication
        .events
        .iter()
        .map(|e| e.place.chars().count())
        .max()
        .unwrap_or(0);
    if replication.events.is_empty() {
        let _ = writeln!(out, "Nothing happened.");
    }
    for e in &replication.events {
        let when = scenario
            .datetime_at(e.time_hours)
            .strftime("%a %Y-%m-%d %H:%M");
        let pad = place_width - e.place.chars().count();
        let _ = writeln!(out, "{when}  {}{}  {}", e.place, " ".repeat(pad), e.detail);
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Outcome");
    let schema = OutcomeSchema::for_scenario(scenario);
    let name_width = schema
        .columns
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(0);
    for (column, value) in schema.columns.iter().zip(&replication.outcome.values) {
        if column.kind == ColumnKind::Parameter {
            continue;
        }
        let field = field_text(value, &column.kind);
        let shown = if field.is_empty() {
            "—".to_string()
        } else {
            field
        };
        let _ = writeln!(out, "  {:name_width$}  {shown}", column.name);
    }
    let drawn = scenario.uncertain_params().count();
    if drawn > 0 {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{drawn} uncertain numbers were drawn for this run; `--out DIR` writes them to outcome.csv."
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::EventKind;

    #[test]
    fn events_csv_bytes() {
        let scenario = crate::scenario::load_default(&[]).unwrap();
        let events = vec![Event {
            time_hours: 510.5,
            kind: EventKind::Ied,
            place: "gao_tarkint road".into(),
            factions: "fama".into(),
            killed: 0.0,
            wounded: 5.0,
            vehicles: 1.0,
            detail: "IED hits kidal_column: 0 killed, 5 wounded".into(),
        }];
        let mut bytes = Vec::new();
        write_events_csv(&mut bytes, &scenario, &events).unwrap();
        // 510.5 h after 11 Sep 2023 00:00 is 2 Oct 2023 06:30.
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "time_hours,date,kind,place,factions,killed,wounded,vehicles,detail\n\
             510.5,2023-10-02T06:30,ied,gao_tarkint road,fama,0,5,1,\"IED hits kidal_column: 0 killed, 5 wounded\"\n"
        );
    }
}
