//! The home page, each role's dashboard: what waits for me (my queue, what is overdue, the
//! visits of this week), and for the Centre, its director and the Department the year at a
//! glance (proposals per state, approved against the envelopes, disbursement, counterpart
//! funds per đồng of support).

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use super::chart::{self, Chart, Item};
use super::context::{CurrentUser, PageContext};
use crate::db;
use crate::db::proposals::{ProposalFilters, ProposalSummary};
use crate::db::reports::{EnvelopeTotal, Overdue, ReportFilter};
use crate::db::visits::VisitSummary;
use crate::domain::policy::{self, Permission};
use crate::domain::proposal::{self, ProposalState};
use crate::domain::report::{Figure, YearTotals};
use crate::domain::role::Role;
use crate::domain::{appraisal, calendar};
use crate::error::AppResult;
use crate::state::AppState;

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
    /// Visits of this week in the user's scope.
    week_visits: Vec<VisitSummary>,
    /// What is late in the user's scope.
    overdue: Option<Overdue>,
    /// The year at a glance (the province's side).
    glance: Option<Glance>,
}

/// The newest plan year in figures.
struct Glance {
    totals: YearTotals,
    states: Chart,
    envelopes: Vec<EnvelopeTotal>,
}

/// The year at a glance for a province-wide scope: the newest year's totals, its
/// proposals per state and its envelopes, read side by side.
async fn glance(
    state: &AppState,
    ctx: &PageContext,
    user: &CurrentUser,
) -> AppResult<Option<Glance>> {
    let scope = user.scope();
    let Some(province) = scope
        .province_code
        .clone()
        .filter(|_| scope.area_unit_id.is_none())
    else {
        return Ok(None);
    };
    let mut filter = ReportFilter {
        scope,
        year: None,
        source: None,
    };
    let Some(year) = db::reports::newest_year(&state.db, &filter).await? else {
        return Ok(None);
    };
    filter.year = Some(year);
    let of_year = db::proposals::ProposalFilters {
        plan_year: Some(year),
        ..Default::default()
    };
    let (totals, counts, envelopes) = tokio::try_join!(
        db::reports::year_totals(&state.db, &filter),
        db::proposals::count_by_state(&state.db, &filter.scope, &of_year),
        db::reports::envelopes(&state.db, &province, year, None),
    )?;
    let lang = ctx.lang;
    let items = ProposalState::ALL
        .into_iter()
        .filter(|&s| s != ProposalState::Draft)
        .filter_map(|s| {
            let count = counts.iter().find(|(c, _)| *c == s).map(|(_, n)| *n)?;
            Some(Item {
                label: crate::i18n::t(lang, s.label_key()).to_owned(),
                value: count,
                shown: Figure::Count(count).render(lang),
            })
        })
        .collect();
    let title = format!("{} {year}", crate::i18n::t(lang, "reports.by_state"));
    Ok(Some(Glance {
        totals: totals.into_iter().next().unwrap_or_default(),
        states: chart::bars(
            "chart-home-states",
            &title,
            crate::i18n::t(lang, "reports.proposals"),
            items,
        ),
        envelopes,
    }))
}

async fn home(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
) -> AppResult<HomePage> {
    let role = user.0.role;
    let sees = |permission| policy::allows(role, permission);
    let sees_proposals = sees(Permission::ViewProposals);
    let (pool, scope, today) = (&state.db, user.scope(), super::today());
    let (all, week) = (ProposalFilters::default(), calendar::week_of(today));
    // Each part is one statement (the glance a few) and none needs another: they run side by
    // side, each on its own connection.
    let (counts, own_proposals, user_counts, my_visits, week_visits, overdue, glance) = tokio::try_join!(
        part(
            sees_proposals,
            db::proposals::count_by_state(pool, &scope, &all)
        ),
        part(
            role == Role::FacilityOwner,
            db::proposals::list(pool, &scope, &all, 50, 0)
        ),
        part(sees(Permission::ManageUsers), async {
            db::users::counts(pool).await.map(Some)
        }),
        part(
            appraisal::may_join_team(role),
            db::visits::upcoming_for_member(pool, user.0.user_id, today, 5)
        ),
        part(
            sees(Permission::ViewVisits),
            db::visits::list(pool, &scope, user.0.user_id, week[0], week[6])
        ),
        part(sees_proposals && role != Role::FacilityOwner, async {
            db::reports::overdue(pool, &scope, today).await.map(Some)
        }),
        part(sees(Permission::ViewReports), glance(&state, &ctx, &user)),
    )?;
    let has_some = ProposalState::ALL
        .into_iter()
        .filter(|&s| count_of(&counts, s) > 0);
    Ok(HomePage {
        waiting: state_counts(&counts, proposal::awaiting(role).iter().copied()),
        overview: state_counts(&counts, has_some),
        ctx,
        role,
        own_proposals,
        user_counts,
        my_visits,
        week_visits,
        overdue,
        glance,
    })
}

/// How many of `counts` are in `state`.
fn count_of(counts: &[(ProposalState, i64)], state: ProposalState) -> i64 {
    counts
        .iter()
        .find(|(s, _)| *s == state)
        .map_or(0, |(_, n)| *n)
}

/// The count of each of `states` in `counts`, in that order.
fn state_counts(
    counts: &[(ProposalState, i64)],
    states: impl Iterator<Item = ProposalState>,
) -> Vec<StateCount> {
    let counted = |state| StateCount {
        state,
        count: count_of(counts, state),
    };
    states.map(counted).collect()
}

/// Runs one part of the dashboard for a role that sees it; another role gets it empty, and
/// no statement runs.
async fn part<T: Default>(shown: bool, part: impl Future<Output = AppResult<T>>) -> AppResult<T> {
    if shown { part.await } else { Ok(T::default()) }
}
