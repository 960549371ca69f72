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
    if !(-90.0..=90.0).contains(&s.lat) || !(-180.0..=180.0).contains(&s.lon) {
        return Err(problem(
            &p("lat"),
            format!(
                "site '{}': lat must be within ±90 and lon within ±180",
                s.id
            ),
        ));
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
