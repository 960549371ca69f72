//! `[combat]` and `[ied]`: the rules every engagement and every roadside bomb follow. Both
//! blocks are optional; each number left out takes the default written here.

use super::Result;
use super::builder::{Builder, FACTOR, PROBABILITY, RATE, closed, positive};
use crate::scenario::keypath::Seg;
use crate::scenario::schema::{CombatFile, CombatMode, IedFile};
use crate::scenario::{Combat, Ied};

/// `[combat]`, its numbers registered in the order written here.
pub(super) fn combat(b: &mut Builder, c: &CombatFile) -> Result<Combat> {
    let cp = |key: &str| vec![Seg::key("combat"), Seg::key(key)];
    Ok(Combat {
        mode: c.mode.unwrap_or(CombatMode::Stochastic),
        round_hours: b.number_or(
            &cp("round_hours"),
            &c.round_hours,
            1.0,
            positive(24.0, "a number of hours greater than 0 and at most 24"),
        )?,
        surprise_factor: b.number_or(&cp("surprise_factor"), &c.surprise_factor, 1.0, FACTOR)?,
        air_support_factor: b.number_or(
            &cp("air_support_factor"),
            &c.air_support_factor,
            1.0,
            FACTOR,
        )?,
        night_factor: b.number_or(&cp("night_factor"), &c.night_factor, 1.0, FACTOR)?,
        max_engagement_hours: b.number_or(
            &cp("max_engagement_hours"),
            &c.max_engagement_hours,
            24.0 * 365.0,
            positive(24.0 * 3650.0, "a number of hours greater than 0"),
        )?,
        vehicles_lost_per_casualty: b.number_or(
            &cp("vehicles_lost_per_casualty"),
            &c.vehicles_lost_per_casualty,
            0.0,
            closed(0.0, 10.0, "a number between 0 and 10"),
        )?,
        civilians_killed_per_town_fight: b.number_or(
            &cp("civilians_killed_per_town_fight"),
            &c.civilians_killed_per_town_fight,
            0.0,
            RATE,
        )?,
    })
}

/// `[ied]`, its numbers registered in the order written here.
pub(super) fn ied(b: &mut Builder, ied: &IedFile) -> Result<Ied> {
    let ip = |key: &str| vec![Seg::key("ied"), Seg::key(key)];
    Ok(Ied {
        vehicle_destroyed_chance: b.number_or(
            &ip("vehicle_destroyed_chance"),
            &ied.vehicle_destroyed_chance,
            0.0,
            PROBABILITY,
        )?,
        killed_per_strike: b.number_or(
            &ip("killed_per_strike"),
            &ied.killed_per_strike,
            0.0,
            RATE,
        )?,
        wounded_per_strike: b.number_or(
            &ip("wounded_per_strike"),
            &ied.wounded_per_strike,
            0.0,
            RATE,
        )?,
    })
}
