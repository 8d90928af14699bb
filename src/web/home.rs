//! The home page: who you are, your organisation, and what waits for you.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use super::context::{CurrentUser, PageContext};
use crate::app::AppState;
use crate::db;
use crate::db::proposals::ProposalSummary;
use crate::db::visits::VisitSummary;
use crate::domain::policy::{self, Permission};
use crate::domain::proposal::{self, ProposalState};
use crate::domain::role::Role;
use crate::error::AppResult;

/// Route: `/`.
pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

/// A count of proposals in one state.
struct StateCount {
    state: ProposalState,
    count: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageContext,
    role: Role,
    /// Proposals waiting for this role, per state.
    waiting: Vec<StateCount>,
    /// Every state with proposals in the user's scope.
    overview: Vec<StateCount>,
    /// A facility owner's own proposals.
    own_proposals: Vec<ProposalSummary>,
    /// Accounts (admin): total and active.
    user_counts: Option<(i64, i64)>,
    /// The user's coming appraisal visits.
    my_visits: Vec<VisitSummary>,
}

async fn home(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
) -> AppResult<HomePage> {
    let role = user.0.role;
    let sees_proposals = policy::allows(role, Permission::ViewProposals);
    let counts = if sees_proposals {
        db::proposals::count_by_state(&state.db, &user.scope(), &Default::default()).await?
    } else {
        Vec::new()
    };
    let count_of = |s: ProposalState| counts.iter().find(|(c, _)| *c == s).map_or(0, |(_, n)| *n);
    let waiting = proposal::awaiting(role)
        .iter()
        .map(|&s| StateCount {
            state: s,
            count: count_of(s),
        })
        .collect();
    let overview = ProposalState::ALL
        .into_iter()
        .filter(|&s| count_of(s) > 0)
        .map(|s| StateCount {
            state: s,
            count: count_of(s),
        })
        .collect();
    let own_proposals = if role == Role::FacilityOwner {
        db::proposals::list(&state.db, &user.scope(), &Default::default(), 50, 0).await?
    } else {
        Vec::new()
    };
    let user_counts = if policy::allows(role, Permission::ManageUsers) {
        Some(db::users::counts(&state.db).await?)
    } else {
        None
    };
    let my_visits = if crate::domain::appraisal::may_join_team(role) {
        let today = time::OffsetDateTime::now_utc()
            .to_offset(crate::domain::format::VIETNAM)
            .date();
        db::visits::upcoming_for_member(&state.db, user.0.user_id, today, 5).await?
    } else {
        Vec::new()
    };
    Ok(HomePage {
        ctx,
        role,
        waiting,
        overview,
        own_proposals,
        user_counts,
        my_visits,
    })
}
