//! Components: what each simulated entity carries. Nouns only; behaviour lives in `systems/`.

use bevy_ecs::prelude::*;

use crate::scenario::{FactionIdx, SiteIdx};

/// Stable order key of an entity: scenario order, never `Entity` bits.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct StableId(pub u32);

/// Troops of one faction in a unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contingent {
    /// Their faction.
    pub faction: FactionIdx,
    /// How many can still fight.
    pub troops: f64,
}

/// The fighting strength of a unit: a site's garrison, a band, a convoy with its attachments.
#[derive(Component, Debug, Clone, PartialEq, Default)]
pub struct Force {
    /// One entry per faction present, the unit's own faction first.
    pub parts: Vec<Contingent>,
}

impl Force {
    /// Everyone who can still fight.
    pub(crate) fn troops(&self) -> f64 {
        self.parts.iter().map(|c| c.troops).sum()
    }

    /// Adds troops of a faction, merging with its contingent if there is one.
    pub(crate) fn add(&mut self, faction: FactionIdx, troops: f64) {
        match self.parts.iter_mut().find(|c| c.faction == faction) {
            Some(c) => c.troops += troops,
            None => self.parts.push(Contingent { faction, troops }),
        }
    }
}

/// A place: town, camp, airport or refuge.
#[derive(Component, Debug, Clone, PartialEq)]
pub struct SiteState {
    /// Its index in the scenario.
    pub site: SiteIdx,
    /// Who holds it now.
    pub owner: Option<FactionIdx>,
    /// Peacekeepers are there: nobody fights over it.
    pub un_present: bool,
    /// When the peacekeepers left, if they did.
    pub vacated_hour: Option<f64>,
    /// A raid holding it, to be undone when the raiders leave.
    pub raid: Option<RaidHold>,
    /// A force on its way to occupy it now that it is vacant.
    pub pending_occupation: Option<Occupation>,
    /// First time it changed hands.
    pub taken_hour: Option<f64>,
}

/// A camp taken in a raid: who held it before and who will come back when the raiders leave.
#[derive(Debug, Clone, PartialEq)]
pub struct RaidHold {
    /// Owner before the raid.
    pub previous_owner: Option<FactionIdx>,
    /// Surviving defenders who fell back and will return.
    pub displaced: Force,
    /// When the raiders leave.
    pub leave_hour: f64,
    /// The raiding band.
    pub band: Entity,
}

/// A force heading for a vacated camp: the first to arrive takes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Occupation {
    /// Who.
    pub faction: FactionIdx,
    /// How many stay there as its garrison.
    pub troops: f64,
    /// When they get there.
    pub arrive_hour: f64,
    /// The band that detaches them.
    pub band: Entity,
}

/// What a convoy is doing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ConvoyStatus {
    /// Before its departure date.
    NotDeparted,
    /// On the road.
    Moving,
    /// Just reached a site: decide what next.
    AtSite(SiteIdx),
    /// At its waiting site until named UN camps are vacated.
    Waiting,
    /// Stopped (regrouping after a fight, or an operational pause) until `resume_hour`.
    Halted,
    /// In a fight.
    Engaged,
    /// Reached its destination and holds it.
    Arrived,
    /// Gave up and returned to where it started.
    TurnedBack,
    /// Lost almost all its troops.
    Destroyed,
}

/// An ambush prepared on a convoy's route.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AmbushPoint {
    /// Route leg.
    pub leg: usize,
    /// Distance from the leg's start.
    pub km: f64,
    /// The band lying in wait.
    pub band: Entity,
}

/// A convoy's state of movement and its losses so far.
#[derive(Component, Debug, Clone, PartialEq)]
pub struct ConvoyState {
    /// Its index in the scenario.
    pub convoy: usize,
    /// What it is doing.
    pub status: ConvoyStatus,
    /// Heading back to its origin after breaking.
    pub returning: bool,
    /// Current route leg.
    pub leg: usize,
    /// Distance covered on the current leg, from its start.
    pub km: f64,
    /// When it last moved (positions are advanced lazily to `now`).
    pub last_move_hour: f64,
    /// When a halt ends.
    pub resume_hour: f64,
    /// IED hazard left before the next strike (exponential, in expected strikes).
    pub ied_hazard_left: f64,
    /// Vehicles still running.
    pub vehicles: f64,
    /// Vehicles at departure.
    pub vehicles_start: f64,
    /// Troops at departure, all factions.
    pub troops_start: f64,
    /// Has it done its wait at `wait_at`?
    pub waited: bool,
    /// When it reached its destination.
    pub arrival_hour: Option<f64>,
    /// An ambush waiting for it.
    pub ambush: Option<AmbushPoint>,
}

/// What a band is doing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Activity {
    /// At a site, free to decide.
    Idle {
        /// Where.
        at: SiteIdx,
    },
    /// Crossing country to a site, with a purpose.
    Travelling {
        /// Destination.
        to: SiteIdx,
        /// Arrival.
        arrive_hour: f64,
        /// What it will do there.
        intent: Intent,
    },
    /// Just arrived; the contact system acts on the intent.
    Arrived {
        /// Where.
        at: SiteIdx,
        /// What it came for.
        intent: Intent,
    },
    /// Lying in wait on a convoy's route.
    InWait {
        /// The site at the start of the road it watches.
        near: SiteIdx,
        /// The convoy entity it waits for.
        convoy: Entity,
    },
    /// Fighting.
    Engaged {
        /// Where (for air strikes and defence).
        at: SiteIdx,
    },
    /// Holding a raided camp until it leaves.
    Holding {
        /// The camp.
        at: SiteIdx,
    },
    /// Recovering after a fight.
    Resting {
        /// Where.
        at: SiteIdx,
        /// Until when.
        until_hour: f64,
    },
}

impl Activity {
    /// The site it is at or nearest to.
    pub(crate) fn site(&self) -> SiteIdx {
        match *self {
            Activity::Idle { at }
            | Activity::Arrived { at, .. }
            | Activity::Engaged { at }
            | Activity::Holding { at }
            | Activity::Resting { at, .. } => at,
            Activity::Travelling { to, .. } => to,
            Activity::InWait { near, .. } => near,
        }
    }

    /// Moving or lying out in the open, where drones can find it.
    pub(crate) fn in_the_open(&self) -> bool {
        matches!(
            self,
            Activity::Travelling { .. } | Activity::InWait { .. } | Activity::Holding { .. }
        )
    }
}

/// Why a band travels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Intent {
    /// Raid the camp at the destination.
    Raid,
    /// Assault the destination and fight until one side breaks.
    Assault,
    /// Lie in wait for a convoy on this leg of its route.
    Ambush {
        /// The convoy.
        convoy: Entity,
        /// The leg of its route.
        leg: usize,
    },
    /// Rest there (home or refuge).
    Rest,
}

/// An armed band.
#[derive(Component, Debug, Clone, PartialEq)]
pub(crate) struct Band {
    /// Its index in the scenario.
    pub group: usize,
    /// Its faction.
    pub faction: FactionIdx,
    /// What it is doing.
    pub activity: Activity,
    /// When it next reconsiders.
    pub next_decision_hour: f64,
    /// Armed pick-ups still running.
    pub technicals: f64,
}

/// A drone or aircraft wing.
#[derive(Component, Debug, Clone, PartialEq)]
pub(crate) struct AirWingState {
    /// Its index in the scenario.
    pub wing: usize,
    /// The dawn at which it next flies its day's sorties.
    pub next_patrol_hour: f64,
}
