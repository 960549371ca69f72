//! `[combat]` and `[ied]`: the rules every engagement and every roadside bomb follow. Both
//! blocks are optional; each number left out takes the default written here.

use super::Result;
use super::builder::{Builder, FACTOR, PROBABILITY, RATE, closed, positive};
use crate::scenario::diagnostic::problem;
use crate::scenario::keypath::{self, Seg};
use crate::scenario::schema::{CombatFile, CombatMode, IedFile};
use crate::scenario::uncertain::ParamId;
use crate::scenario::{Combat, Ied};

/// The shortest round of fire, in hours: one second.
///
/// Why one second: no model of aimed or area fire means anything below it, and it keeps the
/// clock honest. Times are hours in an `f64`; at the longest horizon (3,650 days, 87,600 h,
/// below 2¹⁷) two neighbouring `f64` hours are 2⁻³⁶ h ≈ 5·10⁻⁸ s apart, so a one-second round
/// is 2·10⁷ such steps: every round moves the clock, and the rounding of a fight of
/// [`MAX_ROUNDS_PER_FIGHT`] rounds adds up to less than 0.03 s. The shortest round a shipped
/// scenario uses is 0.01 h (36 s, `scenarios/validation/duel-square.toml`), and the validation
/// tests halve it. A round of 10⁻¹⁴ h would never move the clock: the fight, and the run, would
/// never end.
pub(super) const MIN_ROUND_HOURS: f64 = 1.0 / 3600.0;

/// The most rounds one fight may take: a fight lasts at most `max_engagement_hours` (and never
/// beyond the horizon), so its rounds are bounded by that time over `round_hours`, and a
/// scenario whose bound exceeds this cap is refused before anything runs. At about a
/// microsecond a round, a capped fight costs about a second. The shipped scenarios need at most
/// 72,000 (`duel-square.toml`: 720 h of 0.01 h rounds); the default scenario's fights last at
/// most 8 rounds.
pub(super) const MAX_ROUNDS_PER_FIGHT: f64 = 1_000_000.0;

/// `[combat]`, its numbers registered in the order written here.
pub(super) fn combat(b: &mut Builder, c: &CombatFile) -> Result<Combat> {
    let combat = combat_numbers(b, c)?;
    check_rounds_per_fight(b, &combat)?;
    Ok(combat)
}

/// Refuses a scenario whose longest fight would take more than [`MAX_ROUNDS_PER_FIGHT`]
/// rounds: the longest a fight lasts (the largest `max_engagement_hours`, at most the horizon)
/// over the shortest round. Known before anything runs, so it is an error, not a failed run.
fn check_rounds_per_fight(b: &Builder, combat: &Combat) -> Result<()> {
    let dist = |id: ParamId| b.params[id.0 as usize].dist;
    let round_hours = dist(combat.round_hours).min();
    let longest_hours = dist(combat.max_engagement_hours)
        .max()
        .min(b.horizon_days * 24.0);
    let rounds = (longest_hours / round_hours).ceil();
    if rounds <= MAX_ROUNDS_PER_FIGHT {
        return Ok(());
    }
    let path = [Seg::key("combat"), Seg::key("round_hours")];
    Err(problem(
        &path,
        format!(
            "{} is {round_hours}: a fight of up to {longest_hours} hours (the longest \
             combat.max_engagement_hours, at most the horizon) would take {rounds} rounds; at \
             most {MAX_ROUNDS_PER_FIGHT} are allowed, so make round_hours at least {} or \
             max_engagement_hours shorter",
            keypath::dotted(&path),
            longest_hours / MAX_ROUNDS_PER_FIGHT
        ),
    ))
}

/// The numbers of `[combat]`, each checked against its own range.
fn combat_numbers(b: &mut Builder, c: &CombatFile) -> Result<Combat> {
    let cp = |key: &str| vec![Seg::key("combat"), Seg::key(key)];
    Ok(Combat {
        mode: c.mode.unwrap_or(CombatMode::Stochastic),
        round_hours: b.number_or(
            &cp("round_hours"),
            &c.round_hours,
            1.0,
            closed(
                MIN_ROUND_HOURS,
                24.0,
                "a number of hours from 0.000277… (1/3600: one second) to 24",
            ),
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
