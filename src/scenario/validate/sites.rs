//! `[[site]]`: towns, camps, airports and refuges — where each lies, who holds it, and who
//! garrisons it (the owner and factions not hostile to it).

use super::Result;
use super::builder::{Builder, COUNT, closed};
use crate::scenario::diagnostic::problem;
use crate::scenario::keypath::Seg;
use crate::scenario::schema::SiteFile;
use crate::scenario::{Site, Stance};

/// Every `[[site]]` in file order.
pub(super) fn sites(
    b: &mut Builder,
    file: &[SiteFile],
    stances: &[Vec<Stance>],
) -> Result<Vec<Site>> {
    file.iter().map(|s| site(b, s, stances)).collect()
}

/// One site: its garrison's numbers (by faction id, alphabetically) are registered before its
/// fortification.
fn site(b: &mut Builder, s: &SiteFile, stances: &[Vec<Stance>]) -> Result<Site> {
    let p = |key: &str| vec![Seg::key("site"), Seg::id(&s.id), Seg::key(key)];
    // Each coordinate is checked at its own key, so that the error points at the line (or the
    // `--set`) that wrote the wrong one.
    for (key, value, limit) in [("lat", s.lat, 90.0), ("lon", s.lon, 180.0)] {
        if !(-limit..=limit).contains(&value) {
            return Err(problem(
                &p(key),
                format!(
                    "site.{}.{key} is {value}; it must be a number of degrees within ±{limit}",
                    s.id
                ),
            ));
        }
    }
    let owner = s
        .owner
        .as_deref()
        .map(|o| b.faction(&p("owner"), o))
        .transpose()?;
    let mut garrison = Vec::new();
    for (fid, troops) in &s.garrison {
        let gp = vec![
            Seg::key("site"),
            Seg::id(&s.id),
            Seg::key("garrison"),
            Seg::key(fid),
        ];
        let f = b.faction(&gp, fid)?;
        if let Some(o) = owner {
            if stances[o][f] == Stance::Hostile {
                return Err(problem(
                    &gp,
                    format!(
                        "site '{}' is held by '{}' but garrisoned by hostile '{fid}'",
                        s.id, b.faction_ids[o]
                    ),
                ));
            }
        } else {
            return Err(problem(
                &gp,
                format!(
                    "site '{}' has a garrison but no owner; add owner = \"{fid}\"",
                    s.id
                ),
            ));
        }
        garrison.push((f, b.number(&gp, troops, COUNT)?));
    }
    Ok(Site {
        id: s.id.clone(),
        name: s.name.clone().unwrap_or_else(|| s.id.clone()),
        kind: s.kind,
        lat: s.lat,
        lon: s.lon,
        owner,
        garrison,
        fortification: b.number_or(
            &p("fortification"),
            &s.fortification,
            1.0,
            closed(0.1, 100.0, "a factor between 0.1 and 100"),
        )?,
        reported: s.report.unwrap_or(false),
    })
}
