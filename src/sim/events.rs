//! The event log's record: one dated line of the after-action story. Built only when a run is
//! replayed; batches never pay for it.

use serde::Serialize;

/// What kind of thing happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A convoy set out.
    Depart,
    /// A convoy stopped: waiting, regrouping or pausing.
    Halt,
    /// A convoy moved on.
    Resume,
    /// A convoy reached its destination.
    Arrive,
    /// A convoy broke off and headed home.
    TurnBack,
    /// A convoy was destroyed.
    Destroyed,
    /// A roadside bomb hit a convoy.
    Ied,
    /// A band ambushed a convoy.
    Ambush,
    /// A band raided a camp.
    Raid,
    /// An attack on a held site.
    Assault,
    /// A fight ended.
    FightEnd,
    /// A site changed hands.
    Control,
    /// Peacekeepers left a camp.
    Withdrawal,
    /// A drone or aircraft struck.
    AirStrike,
    /// Troops arrived.
    Reinforcement,
    /// A band gave ground without a fight.
    Withdraw,
}

impl EventKind {
    /// The snake_case name used in `events.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Depart => "depart",
            EventKind::Halt => "halt",
            EventKind::Resume => "resume",
            EventKind::Arrive => "arrive",
            EventKind::TurnBack => "turn_back",
            EventKind::Destroyed => "destroyed",
            EventKind::Ied => "ied",
            EventKind::Ambush => "ambush",
            EventKind::Raid => "raid",
            EventKind::Assault => "assault",
            EventKind::FightEnd => "fight_end",
            EventKind::Control => "control",
            EventKind::Withdrawal => "withdrawal",
            EventKind::AirStrike => "air_strike",
            EventKind::Reinforcement => "reinforcement",
            EventKind::Withdraw => "withdraw",
        }
    }
}

/// One event of a replayed run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Hours since the scenario start.
    pub time_hours: f64,
    /// What kind.
    pub kind: EventKind,
    /// Site or road where it happened (name for people).
    pub place: String,
    /// Faction ids involved, `;`-separated.
    pub factions: String,
    /// Killed in this event.
    pub killed: f64,
    /// Wounded in this event.
    pub wounded: f64,
    /// Vehicles lost in this event.
    pub vehicles: f64,
    /// The sentence told in the narrative.
    pub detail: String,
}
