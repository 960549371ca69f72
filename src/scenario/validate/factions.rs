//! `[[faction]]` and `[stances]`: the sides, their doctrine numbers, and who is allied with or
//! hostile to whom (every other pair is neutral; a faction is allied with itself).

use super::Result;
use super::builder::{Builder, PROBABILITY, RATE, SHARE, closed, positive};
use crate::scenario::diagnostic::problem;
use crate::scenario::keypath::Seg;
use crate::scenario::schema::{FactionFile, FireKind, StancesFile};
use crate::scenario::{Faction, Stance};

/// Every `[[faction]]` in file order, each one's numbers registered in the order written here.
pub(super) fn factions(b: &mut Builder, file: &[FactionFile]) -> Result<Vec<Faction>> {
    let mut factions = Vec::new();
    for f in file {
        let p = |key: &str| vec![Seg::key("faction"), Seg::id(&f.id), Seg::key(key)];
        factions.push(Faction {
            id: f.id.clone(),
            name: f.name.clone().unwrap_or_else(|| f.id.clone()),
            fire: f.fire.unwrap_or(FireKind::Aimed),
            kill_rate_per_hour: b.number(&p("kill_rate_per_hour"), &f.kill_rate_per_hour, RATE)?,
            break_point: b.number(&p("break_point"), &f.break_point, SHARE)?,
            killed_share: b.number_or(&p("killed_share"), &f.killed_share, 1.0, PROBABILITY)?,
            raid_propensity_per_day: b.number_or(
                &p("raid_propensity_per_day"),
                &f.raid_propensity_per_day,
                0.0,
                PROBABILITY,
            )?,
            raid_hold_hours: b.number_or(
                &p("raid_hold_hours"),
                &f.raid_hold_hours,
                8.0,
                closed(0.0, 24.0 * 365.0, "a number of hours of 0 or more"),
            )?,
            avoid_odds: b.number_or(
                &p("avoid_odds"),
                &f.avoid_odds,
                1.0e9,
                positive(1.0e9, "odds greater than 0"),
            )?,
        });
    }
    Ok(factions)
}

/// The symmetric stance matrix of `n` factions from `[stances]`. A pair may not be listed as
/// both allied and hostile, nor a faction with itself.
pub(super) fn stances(b: &Builder, file: &StancesFile, n: usize) -> Result<Vec<Vec<Stance>>> {
    let mut stances = vec![vec![Stance::Neutral; n]; n];
    for (i, row) in stances.iter_mut().enumerate() {
        row[i] = Stance::Allied;
    }
    for (list, stance, key) in [
        (&file.allied, Stance::Allied, "allied"),
        (&file.hostile, Stance::Hostile, "hostile"),
    ] {
        for (i, [x, y]) in list.iter().enumerate() {
            let p = [Seg::key("stances"), Seg::key(key), Seg::Index(i)];
            let (a, bb) = (b.faction(&p, x)?, b.faction(&p, y)?);
            if a == bb {
                return Err(problem(
                    &p,
                    format!("a faction cannot be {key} with itself ('{x}')"),
                ));
            }
            if stances[a][bb] != Stance::Neutral && stances[a][bb] != stance {
                return Err(problem(
                    &p,
                    format!("'{x}' and '{y}' are listed both as allied and as hostile"),
                ));
            }
            stances[a][bb] = stance;
            stances[bb][a] = stance;
        }
    }
    Ok(stances)
}
