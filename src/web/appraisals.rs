//! On-site appraisal (thẩm định tại cơ sở) under `/appraisals`: the calendar and the queue
//! of accepted proposals (`planning`), a visit with its team, declarations, rescheduling and
//! printed schedule (`visit`), the appraisal record of each proposal visited with its
//! scores, photos, finalisation, corrections and printed minutes (`record`), the director's
//! ranking (`ranking`) and post-checks of earlier supported facilities (`post_check`).
//!
//! Who may do what: `Permission::ViewVisits` to read, `PlanVisits` to plan; the record's
//! scoring follows `domain::appraisal::may_score` (a team member who declared no conflict),
//! finalising is the leader's, and what is shown of a record follows `may_see_scores`.

use axum::Router;

use super::context::CurrentUser;
use super::today;
use crate::db;
use crate::db::scope::ScopeParams;
use crate::db::visits::{DeclarationRow, Member, Visit};
use crate::domain::appraisal::Declaration;
use crate::domain::policy::{self, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

mod acceptance;
mod planning;
mod post_check;
pub(crate) mod ranking;
mod record;
mod visit;

/// Every route under `/appraisals`.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(acceptance::router())
        .merge(planning::router())
        .merge(visit::router())
        .merge(record::router())
        .merge(ranking::router())
        .merge(post_check::router())
}

/// A visit the user may see, with its team and the user's place on it.
struct VisitView {
    visit: Visit,
    members: Vec<Member>,
    /// The user's own member row, if on the team.
    me: Option<Member>,
}

impl VisitView {
    /// Whether the user leads the team.
    fn is_leader(&self) -> bool {
        self.me
            .as_ref()
            .is_some_and(|m| m.team_role == crate::domain::appraisal::TeamRole::Leader)
    }

    /// The team's leader.
    fn leader(&self) -> Option<&Member> {
        self.members
            .iter()
            .find(|m| m.team_role == crate::domain::appraisal::TeamRole::Leader)
    }

    /// The records of this visit's proposals are read with this scope: the team sees every
    /// proposal it visits, others what their own scope holds.
    fn proposal_scope(&self, user: &CurrentUser) -> ScopeParams {
        (&policy::visit_scope(&user.actor(), self.me.is_some())).into()
    }

    /// The user's declaration on `proposal_id`, if on the team and declared.
    fn my_declaration(
        &self,
        declarations: &[DeclarationRow],
        proposal_id: i64,
    ) -> Option<Option<Declaration>> {
        let me = self.me.as_ref()?;
        Some(
            declarations
                .iter()
                .find(|d| d.member_id == me.id && d.proposal_id == proposal_id)
                .map(|d| d.declaration),
        )
    }
}

/// The visit `id`, if the user may see it.
async fn visit_view(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<VisitView> {
    user.require(Permission::ViewVisits)?;
    let visit = db::visits::find(&state.db, &user.scope(), user.0.user_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let members = db::visits::members(&state.db, id).await?;
    let me = members
        .iter()
        .find(|m| m.user_id == Some(user.0.user_id))
        .cloned();
    Ok(VisitView { visit, members, me })
}
