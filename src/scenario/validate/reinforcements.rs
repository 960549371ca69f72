//! `[[reinforcement]]`: troops joining a site's garrison, a band or a convoy on a given day
//! (`day`, days from the start, may be a range) or date (`date`, a calendar date).

use super::Result;
use super::builder::{Builder, COUNT, closed};
use crate::scenario::diagnostic::problem;
use crate::scenario::keypath::Seg;
use crate::scenario::schema::{ConvoyFile, GroupFile, ReinforcementFile};
use crate::scenario::uncertain::{Dist, NumberSpec, ParamId};
use crate::scenario::{Reinforcement, ReinforcementTarget};

/// Every `[[reinforcement]]` in file order; `to` names a site, group or convoy of the file.
pub(super) fn reinforcements(
    b: &mut Builder,
    file: &[ReinforcementFile],
    groups: &[GroupFile],
    convoys: &[ConvoyFile],
) -> Result<Vec<Reinforcement>> {
    let mut reinforcements = Vec::new();
    for (i, r) in file.iter().enumerate() {
        // An entry without an id is named by its position, as `--set reinforcement.0.troops`.
        let entry = r.id.as_deref().map_or(Seg::Index(i), Seg::id);
        let p = |key: &str| vec![Seg::key("reinforcement"), entry.clone(), Seg::key(key)];
        let to = target(b, r, i, &p("to"), groups, convoys)?;
        let faction = b.faction(&p("faction"), &r.faction)?;
        // The day is registered before the troops: that is its runs.csv column order.
        let day = day(b, r, i, p)?;
        reinforcements.push(Reinforcement {
            to,
            faction,
            troops: b.number(&p("troops"), &r.troops, COUNT)?,
            day,
        });
    }
    Ok(reinforcements)
}

/// Who the reinforcement joins: a site first, then a group, then a convoy of that id (sites,
/// groups and convoys share one namespace of ids, so at most one matches).
fn target(
    b: &Builder,
    r: &ReinforcementFile,
    i: usize,
    at: &[Seg],
    groups: &[GroupFile],
    convoys: &[ConvoyFile],
) -> Result<ReinforcementTarget> {
    if let Some(s) = b.site_ids.iter().position(|s| *s == r.to) {
        Ok(ReinforcementTarget::Site(s))
    } else if let Some(g) = groups.iter().position(|g| g.id == r.to) {
        Ok(ReinforcementTarget::Group(g))
    } else if let Some(c) = convoys.iter().position(|c| c.id == r.to) {
        Ok(ReinforcementTarget::Convoy(c))
    } else {
        Err(problem(
            at,
            format!(
                "reinforcement {} goes to '{}', which is no site, group or convoy",
                i + 1,
                r.to
            ),
        ))
    }
}

/// The arrival day, registered as the number `day` either way: a `date` becomes a fixed day,
/// its source noting the date it was written as.
fn day(
    b: &mut Builder,
    r: &ReinforcementFile,
    i: usize,
    p: impl Fn(&str) -> Vec<Seg>,
) -> Result<ParamId> {
    let horizon_days = b.horizon_days;
    match (&r.day, &r.date) {
        (Some(day), None) => b.number(
            &p("day"),
            day,
            closed(0.0, horizon_days, "a day within the scenario's horizon"),
        ),
        (None, Some(date)) => {
            let hour = b.hour(&p("date"), date)?;
            let source = Some(format!(
                "date {date}{}",
                r.source
                    .as_deref()
                    .map(|s| format!("; {s}"))
                    .unwrap_or_default()
            ));
            b.number(
                &p("day"),
                &NumberSpec {
                    dist: Dist::Fixed { value: hour / 24.0 },
                    source,
                },
                closed(0.0, horizon_days, "a day within the horizon"),
            )
        }
        _ => Err(problem(
            &p("to"),
            format!(
                "reinforcement {} needs exactly one of day = <days from start> or date = YYYY-MM-DD",
                i + 1
            ),
        )),
    }
}
