//! An open fight as data: who is on each side, where, and what it has cost so far. Below both
//! `resources.rs` (which keeps the list of open fights) and `systems/` (which start and fight
//! them), so that neither has to reach into the other for it.

use bevy_ecs::prelude::*;
use rand_chacha::ChaCha8Rng;

use crate::scenario::{RoadIdx, SiteIdx};

/// What kind of fight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EngagementKind {
    /// A band springs on a convoy on the road.
    Ambush,
    /// A band attacks a camp to take it for a few hours.
    Raid,
    /// An attack to take and keep a site.
    Assault,
}

impl EngagementKind {
    /// The word for it in the after-action narrative.
    pub(crate) fn name(self) -> &'static str {
        match self {
            EngagementKind::Ambush => "ambush",
            EngagementKind::Raid => "raid",
            EngagementKind::Assault => "assault",
        }
    }
}

/// Attackers are side 0, defenders side 1.
pub(crate) const ATTACKERS: usize = 0;
/// Index of the defending side.
pub(crate) const DEFENDERS: usize = 1;

/// An open fight.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Engagement {
    /// Ambush, raid or assault.
    pub kind: EngagementKind,
    /// The site fought over or nearest to the fight.
    pub site: SiteIdx,
    /// The road, for ambushes.
    pub road: Option<RoadIdx>,
    /// Units on each side: attackers, defenders.
    pub sides: [Vec<Entity>; 2],
    /// When it began.
    pub start_hour: f64,
    /// When the next round is fired.
    pub next_round_hour: f64,
    /// Rounds fired so far.
    pub rounds: u32,
    /// Troops each side has put into the fight (grows when reinforcements join).
    pub committed: [f64; 2],
    /// Casualties each side has taken in this fight.
    pub lost: [f64; 2],
    /// Killed on each side.
    pub killed: [f64; 2],
    /// Wounded on each side.
    pub wounded: [f64; 2],
    /// Vehicles lost by convoys in this fight.
    pub vehicles_lost: f64,
    /// The attacker fires with surprise in the first round.
    pub surprise: bool,
    /// The fight's own random stream (`Dice::next_fight`): its rounds and its aftermath.
    pub dice: ChaCha8Rng,
}

impl Engagement {
    /// A fight starting now, its first round fired at once.
    #[expect(
        clippy::too_many_arguments,
        reason = "each is a fact of the fight as it starts; a builder would only rename them"
    )]
    pub(crate) fn new(
        kind: EngagementKind,
        site: SiteIdx,
        road: Option<RoadIdx>,
        attackers: Vec<Entity>,
        defenders: Vec<Entity>,
        now: f64,
        surprise: bool,
        dice: ChaCha8Rng,
    ) -> Engagement {
        Engagement {
            kind,
            site,
            road,
            sides: [attackers, defenders],
            start_hour: now,
            next_round_hour: now,
            rounds: 0,
            committed: [0.0; 2],
            lost: [0.0; 2],
            killed: [0.0; 2],
            wounded: [0.0; 2],
            vehicles_lost: 0.0,
            surprise,
            dice,
        }
    }
}
