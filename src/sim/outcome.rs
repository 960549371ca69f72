//! The outcome of one replication: a flat record whose fields are the `runs.csv` columns,
//! named from the scenario's own ids. The schema is fixed by the scenario alone, so every
//! replication (and every shard) has the same columns.

use serde::Serialize;

use crate::scenario::Scenario;

/// What a column holds; decides how it is written and summarised.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ColumnKind {
    /// A count or amount (killed, vehicles, strikes).
    Count,
    /// Days since the scenario start, empty where the event did not happen.
    Day,
    /// One of a fixed list of categories.
    Category {
        /// The categories, in a fixed order.
        categories: Vec<String>,
    },
    /// A scenario number drawn for this replication.
    Parameter,
}

/// One column of `runs.csv` after `run` and `seed`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    /// snake_case name with its unit.
    pub name: String,
    /// What it holds.
    pub kind: ColumnKind,
}

/// The columns of a scenario's outcome record, in `runs.csv` order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeSchema {
    /// The columns.
    pub columns: Vec<Column>,
}

/// The possible end states of a convoy, as written in `<convoy>_status`.
pub const CONVOY_STATUSES: [&str; 5] =
    ["arrived", "halted", "turned_back", "destroyed", "en_route"];

/// One value of the record: plain data; how it is written in a file is the output's business.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// The event did not happen (written as an empty field).
    Empty,
    /// A number.
    Number(f64),
    /// Index into the column's categories.
    Category(usize),
}

/// One replication's outcome, aligned with its [`OutcomeSchema`].
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// One value per schema column.
    pub values: Vec<Value>,
}

impl OutcomeSchema {
    /// The columns a scenario's replications produce.
    pub fn for_scenario(s: &Scenario) -> OutcomeSchema {
        let mut columns = Vec::new();
        let mut push = |name: String, kind: ColumnKind| columns.push(Column { name, kind });
        for c in &s.convoys {
            push(
                format!("{}_status", c.id),
                ColumnKind::Category {
                    categories: CONVOY_STATUSES.iter().map(|s| s.to_string()).collect(),
                },
            );
            push(format!("{}_arrival_day", c.id), ColumnKind::Day);
            push(format!("{}_vehicles_lost", c.id), ColumnKind::Count);
        }
        let mut owners: Vec<String> = s.factions.iter().map(|f| f.id.clone()).collect();
        owners.push("none".to_string());
        for site in reported_sites(s) {
            let id = &s.sites[site].id;
            push(
                format!("{id}_owner_end"),
                ColumnKind::Category {
                    categories: owners.clone(),
                },
            );
            push(format!("{id}_taken_day"), ColumnKind::Day);
        }
        for f in &s.factions {
            push(format!("{}_killed", f.id), ColumnKind::Count);
            push(format!("{}_wounded", f.id), ColumnKind::Count);
        }
        for name in [
            "civilians_killed",
            "ied_strikes",
            "ambushes",
            "camp_raids",
            "engagements",
        ] {
            push(name.to_string(), ColumnKind::Count);
        }
        for f in &s.factions {
            push(format!("{}_sites_end", f.id), ColumnKind::Count);
        }
        for (_, p) in s.uncertain_params() {
            push(p.column.clone(), ColumnKind::Parameter);
        }
        OutcomeSchema { columns }
    }

    /// Column names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|c| c.name.as_str())
    }
}

/// Sites whose end owner and capture day are reported: convoy destinations, then sites marked
/// `report = true`, each once, in that order.
pub fn reported_sites(s: &Scenario) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for c in &s.convoys {
        let d = c.destination();
        if !out.contains(&d) {
            out.push(d);
        }
    }
    for (i, site) in s.sites.iter().enumerate() {
        if site.reported && !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

impl Value {
    /// The number, for statistics (categories and empties give None).
    pub fn number(&self) -> Option<f64> {
        match *self {
            Value::Number(v) => Some(v),
            _ => None,
        }
    }
}
