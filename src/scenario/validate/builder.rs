//! The validator's working state: every number registered so far, in the order the validator
//! visits them (which is the `runs.csv` column order), the ids that references resolve against,
//! and the calendar dates are read on. Also the ranges numbers must lie in. It checks values; it
//! knows no block's meaning.

use jiff::civil::Date;
use toml::value::Datetime;

use super::Result;
use crate::scenario::diagnostic::problem;
use crate::scenario::keypath::{self, Seg};
use crate::scenario::schema::ScenarioFile;
use crate::scenario::uncertain::{Dist, NumberSpec, Param, ParamId};
use crate::scenario::{FactionIdx, SiteIdx};

/// The largest horizon a scenario may ask for, in days (ten years).
pub(super) const MAX_HORIZON_DAYS: f64 = 3650.0;
/// Largest number of troops, fighters or vehicles in one unit.
pub(super) const MAX_STRENGTH: f64 = 10_000_000.0;

/// Allowed interval of a number, closed at both ends unless `open_low`.
#[derive(Clone, Copy)]
pub(super) struct Range {
    /// Lowest value allowed (or the bound just below it when `open_low`).
    low: f64,
    /// Highest value allowed.
    high: f64,
    /// Whether `low` itself is refused.
    open_low: bool,
    /// The range in words, for messages: "a probability between 0 and 1".
    what: &'static str,
}

/// Numbers from `low` to `high`, both allowed; `what` says so to the author.
pub(super) const fn closed(low: f64, high: f64, what: &'static str) -> Range {
    Range {
        low,
        high,
        open_low: false,
        what,
    }
}

/// Numbers above 0 up to `high`; `what` says so to the author.
pub(super) const fn positive(high: f64, what: &'static str) -> Range {
    Range {
        low: 0.0,
        high,
        open_low: true,
        what,
    }
}

/// A chance: 0 to 1.
pub(super) const PROBABILITY: Range = closed(0.0, 1.0, "a probability between 0 and 1");
/// A part of a whole that cannot be nothing: above 0, up to 1.
pub(super) const SHARE: Range = positive(1.0, "a share greater than 0 and at most 1");
/// Troops, fighters or vehicles.
pub(super) const COUNT: Range = closed(0.0, MAX_STRENGTH, "a count between 0 and 10,000,000");
/// Something per hour, day or strike.
pub(super) const RATE: Range = closed(0.0, 1.0e6, "a rate of 0 or more");
/// A multiplier on fire.
pub(super) const FACTOR: Range = closed(0.0, 1000.0, "a factor between 0 and 1000");

/// What the blocks are validated against, and what they add to.
pub(super) struct Builder {
    /// Every number so far, in visiting order: a number's index here is its [`ParamId`].
    pub(super) params: Vec<Param>,
    /// Faction ids in file order: a faction's position is its [`FactionIdx`].
    pub(super) faction_ids: Vec<String>,
    /// Site ids in file order: a site's position is its [`SiteIdx`].
    pub(super) site_ids: Vec<String>,
    /// Calendar date of hour 0.
    pub(super) start: Date,
    /// Dates after this many days from `start` are outside the scenario.
    pub(super) horizon_days: f64,
}

impl Builder {
    /// A builder with no numbers yet, resolving references against the file's faction and site
    /// ids, and dates against its calendar.
    pub(super) fn new(file: &ScenarioFile, start: Date, horizon_days: f64) -> Builder {
        Builder {
            params: Vec::new(),
            faction_ids: file.factions.iter().map(|f| f.id.clone()).collect(),
            site_ids: file.sites.iter().map(|s| s.id.clone()).collect(),
            start,
            horizon_days,
        }
    }

    /// Checks a number against its range and registers it as a parameter named by its path.
    ///
    /// The order of these calls is the order of the `runs.csv` columns of uncertain numbers,
    /// and the order in which every replication draws them from its stream: the validator
    /// visits the blocks and their keys in a fixed order (see [`super::validate`]), and
    /// changing that order changes every batch's output.
    pub(super) fn number(
        &mut self,
        path: &[Seg],
        spec: &NumberSpec,
        range: Range,
    ) -> Result<ParamId> {
        check_number(path, spec, range)?;
        // Its index is its ParamId; among uncertain numbers, its place is its runs.csv column.
        // (Its draw does not depend on its place: each number has its own stream.)
        self.params.push(Param::new(keypath::dotted(path), spec));
        Ok(ParamId(self.params.len() as u32 - 1))
    }

    /// A number the author may leave out: registered with `default` (its source "default")
    /// when absent, so that every number the simulation reads has a [`ParamId`].
    pub(super) fn number_or(
        &mut self,
        path: &[Seg],
        spec: &Option<NumberSpec>,
        default: f64,
        range: Range,
    ) -> Result<ParamId> {
        let spec = spec.clone().unwrap_or(NumberSpec {
            dist: Dist::Fixed { value: default },
            source: Some("default".into()),
        });
        self.number(path, &spec, range)
    }

    /// The index of the faction `id` that the value at `path` refers to.
    pub(super) fn faction(&self, path: &[Seg], id: &str) -> Result<FactionIdx> {
        self.faction_ids
            .iter()
            .position(|f| f == id)
            .ok_or_else(|| {
                problem(
                    path,
                    format!(
                        "{} refers to faction '{id}', which is not defined (factions: {})",
                        keypath::dotted(path),
                        self.faction_ids.join(", ")
                    ),
                )
            })
    }

    /// The index of the site `id` that the value at `path` refers to.
    pub(super) fn site(&self, path: &[Seg], id: &str) -> Result<SiteIdx> {
        self.site_ids.iter().position(|s| s == id).ok_or_else(|| {
            problem(
                path,
                format!(
                    "{} refers to site '{id}', which is not defined (sites: {})",
                    keypath::dotted(path),
                    list_some(&self.site_ids)
                ),
            )
        })
    }

    /// A date (and optional time) as hours from the start; it must lie within the horizon.
    pub(super) fn hour(&self, path: &[Seg], dt: &Datetime) -> Result<f64> {
        let date = to_date(path, dt)?;
        let time = dt
            .time
            .map_or(0.0, |t| t.hour as f64 + t.minute as f64 / 60.0);
        let days = (date - self.start).get_days() as f64;
        let hour = days * 24.0 + time;
        if hour < 0.0 || hour > self.horizon_days * 24.0 {
            let end = self
                .start
                .checked_add(jiff::Span::new().days(self.horizon_days as i64))
                .unwrap_or(self.start);
            return Err(problem(
                path,
                format!(
                    "{} is {date}, outside the scenario ({} to {end})",
                    keypath::dotted(path),
                    self.start
                ),
            ));
        }
        Ok(hour)
    }
}

/// Every value a number can take — its value, or its min, max and mode — lies in `range`, and
/// a range is ordered.
fn check_number(path: &[Seg], spec: &NumberSpec, range: Range) -> Result<()> {
    let check = |v: f64, which: &str| -> Result<()> {
        let low_ok = if range.open_low {
            v > range.low
        } else {
            v >= range.low
        };
        if v.is_finite() && low_ok && v <= range.high {
            Ok(())
        } else {
            let shown = keypath::dotted(path);
            Err(problem(
                path,
                format!("{shown}{which} is {v}; it must be {}", range.what),
            ))
        }
    };
    let (min, max) = match spec.dist {
        Dist::Fixed { value } => return check(value, ""),
        Dist::Uniform { min, max } | Dist::Triangular { min, max, .. } => (min, max),
    };
    check(min, ".min")?;
    check(max, ".max")?;
    if min > max {
        return Err(problem(
            path,
            format!(
                "{}: min ({min}) is greater than max ({max})",
                keypath::dotted(path)
            ),
        ));
    }
    if let Dist::Triangular { mode, .. } = spec.dist
        && !(min..=max).contains(&mode)
    {
        return Err(problem(
            path,
            format!(
                "{}: mode ({mode}) must lie between min ({min}) and max ({max})",
                keypath::dotted(path)
            ),
        ));
    }
    Ok(())
}

/// The scenario's start date and its horizon in days: a single number from 1 to
/// [`MAX_HORIZON_DAYS`], never a range, since every date of the file is checked against it.
pub(super) fn calendar(file: &ScenarioFile) -> Result<(Date, f64)> {
    let start = to_date(&[Seg::key("start")], &file.start)?;
    let horizon_days = match file.horizon_days.dist {
        Dist::Fixed { value } if (1.0..=MAX_HORIZON_DAYS).contains(&value) => value,
        Dist::Fixed { value } => {
            return Err(problem(
                &[Seg::key("horizon_days")],
                format!(
                    "horizon_days must be between 1 and {MAX_HORIZON_DAYS} days; it is {value}"
                ),
            ));
        }
        _ => {
            return Err(problem(
                &[Seg::key("horizon_days")],
                "horizon_days must be a single number of days, not a range",
            ));
        }
    };
    Ok((start, horizon_days))
}

/// Up to twelve ids, then how many there are: enough to spot a typo without a wall of text.
fn list_some(ids: &[String]) -> String {
    if ids.len() <= 12 {
        ids.join(", ")
    } else {
        format!("{}, … ({} in all)", ids[..12].join(", "), ids.len())
    }
}

/// A TOML date as a calendar date; a time of day, if any, is the caller's.
pub(super) fn to_date(path: &[Seg], dt: &Datetime) -> Result<Date> {
    let d = dt.date.ok_or_else(|| {
        problem(
            path,
            format!("{} must be a date like 2023-10-02", keypath::dotted(path)),
        )
    })?;
    Date::new(d.year as i16, d.month as i8, d.day as i8).map_err(|e| {
        problem(
            path,
            format!("{} is not a valid date: {e}", keypath::dotted(path)),
        )
    })
}
