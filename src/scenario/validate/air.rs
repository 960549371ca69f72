//! `[[air]]`: drones and aircraft — their base, sorties, what a strike does, and from which
//! date they fly.

use super::Result;
use super::builder::{Builder, PROBABILITY, RATE, closed};
use crate::scenario::AirWing;
use crate::scenario::keypath::Seg;
use crate::scenario::schema::AirFile;

/// Every `[[air]]` wing in file order.
pub(super) fn air(b: &mut Builder, file: &[AirFile]) -> Result<Vec<AirWing>> {
    file.iter().map(|a| wing(b, a)).collect()
}

/// One air wing, its numbers registered in the order written here. Without `from` it flies
/// from the start.
fn wing(b: &mut Builder, a: &AirFile) -> Result<AirWing> {
    let p = |key: &str| vec![Seg::key("air"), Seg::id(&a.id), Seg::key(key)];
    Ok(AirWing {
        id: a.id.clone(),
        faction: b.faction(&p("faction"), &a.faction)?,
        base: b.site(&p("base"), &a.base)?,
        sorties_per_day: b.number(
            &p("sorties_per_day"),
            &a.sorties_per_day,
            closed(0.0, 1000.0, "sorties per day between 0 and 1000"),
        )?,
        find_chance: b.number(&p("find_chance"), &a.find_chance, PROBABILITY)?,
        kills_per_strike: b.number(&p("kills_per_strike"), &a.kills_per_strike, RATE)?,
        town_strike_chance: b.number_or(
            &p("town_strike_chance"),
            &a.town_strike_chance,
            0.0,
            PROBABILITY,
        )?,
        civilians_killed_per_town_strike: b.number_or(
            &p("civilians_killed_per_town_strike"),
            &a.civilians_killed_per_town_strike,
            0.0,
            RATE,
        )?,
        range_km: b.number_or(
            &p("range_km"),
            &a.range_km,
            1000.0,
            closed(0.0, 20_000.0, "a distance of 0 km or more"),
        )?,
        from_hour: a
            .from
            .as_ref()
            .map(|d| b.hour(&p("from"), d))
            .transpose()?
            .unwrap_or(0.0),
    })
}
