//! `[[withdrawal]]`: the dates the peacekeepers leave their camps, and to whom (if anyone)
//! they hand each camp over.

use super::Result;
use super::builder::Builder;
use crate::scenario::diagnostic::problem;
use crate::scenario::keypath::Seg;
use crate::scenario::schema::{SiteKind, WithdrawalFile};
use crate::scenario::{Site, Withdrawal};

/// Every `[[withdrawal]]` in file order; each leaves a `un_camp` within the horizon.
pub(super) fn withdrawals(
    b: &Builder,
    file: &[WithdrawalFile],
    sites: &[Site],
) -> Result<Vec<Withdrawal>> {
    let mut withdrawals = Vec::new();
    for w in file {
        let p = |key: &str| vec![Seg::key("withdrawal"), Seg::id(&w.camp), Seg::key(key)];
        let camp = b.site(&p("camp"), &w.camp)?;
        if sites[camp].kind != SiteKind::UnCamp {
            return Err(problem(
                &p("camp"),
                format!("withdrawal from '{}', which is not a un_camp", w.camp),
            ));
        }
        let handover = w
            .handover
            .as_deref()
            .map(|h| b.faction(&p("handover"), h))
            .transpose()?;
        withdrawals.push(Withdrawal {
            camp,
            hour: b.hour(&p("date"), &w.date)?,
            handover,
        });
    }
    Ok(withdrawals)
}
