//! A replayed run told two ways: `events.csv` (one dated event per row, for programs) and the
//! after-action narrative (one dated line per event, for people). Both are rendered from the
//! event log the simulation kept; neither changes or re-runs anything.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::column_doc::{ColumnDoc, column, header};
use super::labels::outcome_label;
use super::runs::field_text;
use crate::scenario::Scenario;
use crate::sim::{ColumnKind, Event, OutcomeSchema, Replication};

/// The columns of `events.csv`, as the data dictionary describes them.
pub(crate) const EVENTS_COLUMNS: [ColumnDoc; 12] = [
    column(
        "time_hours",
        "number",
        "hours",
        "Time of the event since the scenario start (hour 0 is midnight of the start date).",
        "",
    ),
    column(
        "date",
        "date-time",
        "YYYY-MM-DDTHH:MM",
        "The calendar date and time of `time_hours`, local time of the theatre.",
        "",
    ),
    column(
        "kind",
        "category",
        "",
        "What happened: depart, halt, resume, arrive, turn_back, destroyed, ied, ambush, raid, assault, fight_end, control, withdrawal, air_strike, reinforcement, withdraw.",
        "",
    ),
    column(
        "place",
        "text",
        "",
        "The site or road where it happened, as people name it (`Gao–Tarkint road`).",
        "",
    ),
    column(
        "factions",
        "text",
        "",
        "Ids of the factions involved, `;`-separated, the attacker's first in a fight, a strike or an ambush; for `control`, the new holder; for `withdrawal`, the faction leaving.",
        "no faction is named: a camp left to nobody",
    ),
    column(
        "attacker_killed",
        "number",
        "people",
        "Killed on the attacking side (the band that raids or ambushes, the column that assaults) in this event. Whole numbers, except in mean-field runs.",
        "",
    ),
    column(
        "attacker_wounded",
        "number",
        "people",
        "Wounded on the attacking side.",
        "",
    ),
    column(
        "defender_killed",
        "number",
        "people",
        "Killed on the side attacked: the defenders of a fight, the convoy a roadside bomb hits, the band or town an air strike hits.",
        "",
    ),
    column(
        "defender_wounded",
        "number",
        "people",
        "Wounded on the side attacked.",
        "",
    ),
    column(
        "civilians_killed",
        "number",
        "people",
        "Civilians killed (air strikes on towns, fights in towns).",
        "",
    ),
    column(
        "vehicles_lost",
        "number",
        "vehicles",
        "Convoy vehicles lost.",
        "",
    ),
    column(
        "detail",
        "text",
        "",
        "The sentence the narrative tells.",
        "",
    ),
];

/// Writes `events.csv`: one row per event in the order they happened; `date` is the calendar
/// date and time of `time_hours` (`YYYY-MM-DDTHH:MM`); each side's losses in columns of their
/// own.
///
/// # Errors
/// When the writer fails.
pub(crate) fn write_events_csv<W: Write>(
    writer: W,
    scenario: &Scenario,
    events: &[Event],
) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(writer);
    csv.write_record(header(&EVENTS_COLUMNS))?;
    for e in events {
        let l = &e.losses;
        csv.write_record([
            format!("{}", e.time_hours),
            scenario
                .datetime_at(e.time_hours)
                .strftime("%Y-%m-%dT%H:%M")
                .to_string(),
            e.kind.as_str().to_string(),
            e.place.clone(),
            e.factions.clone(),
            format!("{}", l.attacker_killed),
            format!("{}", l.attacker_wounded),
            format!("{}", l.defender_killed),
            format!("{}", l.defender_wounded),
            format!("{}", l.civilians_killed),
            format!("{}", l.vehicles_lost),
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
        let _ = writeln!(
            out,
            "{when}  {}{}  {}",
            e.place,
            " ".repeat(pad),
            sentence(&e.detail)
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Outcome (the run's row of runs.csv, column by column)");
    let schema = OutcomeSchema::for_scenario(scenario);
    let lines: Vec<(String, String)> = schema
        .columns
        .iter()
        .zip(&replication.outcome.values)
        .filter(|(column, _)| column.kind != ColumnKind::Parameter)
        .map(|(column, value)| outcome_line(scenario, &column.name, &column.kind, value))
        .collect();
    let width = lines
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    for (said, field) in lines {
        let pad = width - said.chars().count();
        let _ = writeln!(out, "  {said}{}  {field}", " ".repeat(pad));
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

/// One outcome of the replayed run, said in words (`FAMa column from Gao: arrival day: 16 Nov
/// 2023 18:03`) and as `runs.csv` holds it (`kidal_column_arrival_day=65.752`).
fn outcome_line(
    scenario: &Scenario,
    name: &str,
    kind: &ColumnKind,
    value: &crate::sim::Value,
) -> (String, String) {
    let field = field_text(value, kind);
    let said = match (kind, value) {
        (ColumnKind::Category { .. }, _) if !field.is_empty() => {
            outcome_label(scenario, name, Some(&field))
        }
        (_, crate::sim::Value::Empty) => format!("{}: never", outcome_label(scenario, name, None)),
        (ColumnKind::Day, crate::sim::Value::Number(day)) => format!(
            "{}: {}",
            outcome_label(scenario, name, None),
            scenario.datetime_at(day * 24.0).strftime("%-d %b %Y %H:%M")
        ),
        _ => format!("{}: {field}", outcome_label(scenario, name, None)),
    };
    (said, format!("{name}={field}"))
}

/// `detail` as a sentence of the narrative: its first letter a capital.
fn sentence(detail: &str) -> String {
    let mut chars = detail.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{EventKind, Losses};

    #[test]
    fn events_csv_bytes_keep_each_sides_losses_apart() {
        let scenario = crate::scenario::load_default(&[]).unwrap();
        let events = vec![
            Event {
                time_hours: 510.5,
                kind: EventKind::Ied,
                place: "Gao–Tarkint road".into(),
                factions: "fama".into(),
                losses: Losses {
                    vehicles_lost: 1.0,
                    ..Losses::of_defender(0.0, 5.0)
                },
                detail: "a roadside bomb (IED) hits the FAMa column from Gao: 0 killed, 5 wounded"
                    .into(),
            },
            Event {
                time_hours: 8.25,
                kind: EventKind::FightEnd,
                place: "Taoussa".into(),
                factions: String::new(),
                losses: Losses {
                    attacker_killed: 17.0,
                    attacker_wounded: 26.0,
                    defender_killed: 14.0,
                    defender_wounded: 48.0,
                    ..Losses::NONE
                },
                detail: "raid over".into(),
            },
        ];
        let mut bytes = Vec::new();
        write_events_csv(&mut bytes, &scenario, &events).unwrap();
        // 510.5 h after 11 Sep 2023 00:00 is 2 Oct 2023 06:30.
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "time_hours,date,kind,place,factions,attacker_killed,attacker_wounded,\
             defender_killed,defender_wounded,civilians_killed,vehicles_lost,detail\n\
             510.5,2023-10-02T06:30,ied,Gao–Tarkint road,fama,0,0,0,5,0,1,\
             \"a roadside bomb (IED) hits the FAMa column from Gao: 0 killed, 5 wounded\"\n\
             8.25,2023-09-11T08:15,fight_end,Taoussa,,17,26,14,48,0,0,raid over\n"
        );
    }
}
