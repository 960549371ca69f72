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
    /// Site or road where it happened, as people name it.
    pub place: String,
    /// Faction ids involved, `;`-separated: in a fight or a strike the attacker's first.
    pub factions: String,
    /// Who lost what, each side apart.
    pub losses: Losses,
    /// The sentence told in the narrative.
    pub detail: String,
}

/// The losses of one event, each side in its own field: the attacker (the band that raids or
/// ambushes, the column that assaults, the wing that strikes) and the defender (the side
/// attacked, struck, or hit by a roadside bomb). Zero for events that are not fights.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Losses {
    /// The attacker's killed.
    pub attacker_killed: f64,
    /// The attacker's wounded.
    pub attacker_wounded: f64,
    /// The defender's killed.
    pub defender_killed: f64,
    /// The defender's wounded.
    pub defender_wounded: f64,
    /// Civilians killed (air strikes on towns).
    pub civilians_killed: f64,
    /// Convoy vehicles lost.
    pub vehicles_lost: f64,
}

impl Losses {
    /// No losses: an event that is not a fight.
    pub const NONE: Losses = Losses {
        attacker_killed: 0.0,
        attacker_wounded: 0.0,
        defender_killed: 0.0,
        defender_wounded: 0.0,
        civilians_killed: 0.0,
        vehicles_lost: 0.0,
    };

    /// Losses of the defender alone (a roadside bomb, a strike on a band).
    pub fn of_defender(killed: f64, wounded: f64) -> Losses {
        Losses {
            defender_killed: killed,
            defender_wounded: wounded,
            ..Losses::NONE
        }
    }
}
