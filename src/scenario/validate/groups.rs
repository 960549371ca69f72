//! `[[group]]`: armed bands — their strength, home, standing orders (posture), refuge, and how
//! far and fast they move.

use super::Result;
use super::builder::{Builder, COUNT, closed, positive};
use crate::scenario::Group;
use crate::scenario::diagnostic::problem;
use crate::scenario::keypath::Seg;
use crate::scenario::schema::{GroupFile, Posture};

/// Every `[[group]]` in file order.
pub(super) fn groups(b: &mut Builder, file: &[GroupFile]) -> Result<Vec<Group>> {
    file.iter().map(|g| group(b, g)).collect()
}

/// One band, its numbers registered in the order written here. A band that assaults needs a
/// target; one without a refuge withdraws to its home.
fn group(b: &mut Builder, g: &GroupFile) -> Result<Group> {
    let p = |key: &str| vec![Seg::key("group"), Seg::id(&g.id), Seg::key(key)];
    let faction = b.faction(&p("faction"), &g.faction)?;
    let home = b.site(&p("home"), &g.home)?;
    let target = g
        .target
        .as_deref()
        .map(|t| b.site(&p("target"), t))
        .transpose()?;
    if g.posture == Posture::Assault && target.is_none() {
        return Err(problem(
            &p("posture"),
            format!(
                "group {} has posture \"assault\" but no target site; add target = \"<site id>\"",
                g.id
            ),
        ));
    }
    let refuge = g
        .refuge
        .as_deref()
        .map(|r| b.site(&p("refuge"), r))
        .transpose()?
        .unwrap_or(home);
    Ok(Group {
        id: g.id.clone(),
        faction,
        fighters: b.number(&p("fighters"), &g.fighters, COUNT)?,
        technicals: b.number_or(&p("technicals"), &g.technicals, 0.0, COUNT)?,
        home,
        posture: g.posture,
        target,
        refuge,
        range_km: b.number_or(
            &p("range_km"),
            &g.range_km,
            300.0,
            closed(0.0, 20_000.0, "a distance of 0 km or more"),
        )?,
        speed_km_per_day: b.number_or(
            &p("speed_km_per_day"),
            &g.speed_km_per_day,
            200.0,
            positive(5_000.0, "a speed in km per day greater than 0"),
        )?,
    })
}
