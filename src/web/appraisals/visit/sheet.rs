//! `/appraisals/visits/{id}/schedule`: the printed schedule of a visit's day.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use time::Date;

use crate::db;
use crate::db::visits::{Member, VisitProposal};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::appraisals::{VisitView, today, visit_view};
use crate::web::context::{CurrentUser, PageContext};

#[derive(Template, WebTemplate)]
#[template(path = "appraisals/schedule.html")]
pub(super) struct SchedulePage {
    ctx: PageContext,
    view: VisitView,
    proposals: Vec<VisitProposal>,
    issuer: db::organisations::Issuer,
    printed_on: Date,
    /// Whether the results of final records are printed (the trip's summary).
    show_results: bool,
}

impl SchedulePage {
    fn leader(&self) -> Option<&Member> {
        self.view.leader()
    }
}

pub(super) async fn schedule_sheet(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<SchedulePage> {
    let view = visit_view(&state, &user, id).await?;
    let proposals = db::visits::proposals(&state.db, id).await?;
    let show_results = proposals.iter().any(|p| p.record_final)
        && crate::domain::appraisal::may_see_scores(user.0.role, view.me.is_some(), true);
    Ok(SchedulePage {
        show_results,
        proposals,
        issuer: db::organisations::issuer(&state.db, &view.visit.province_code).await?,
        printed_on: today(),
        ctx,
        view,
    })
}
