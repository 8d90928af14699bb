//! `/appraisals/{id}/minutes`: the printed minutes of an appraisal record (biên bản thẩm
//! định).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};

use super::{RecordView, record_view, tally_of, tally_score};
use crate::db;
use crate::db::appraisals::ScoreRow;
use crate::db::visits::Member;
use crate::domain::appraisal::{Declaration, Tally};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::context::{CurrentUser, PageContext};

#[derive(Template, WebTemplate)]
#[template(path = "appraisals/minutes.html")]
pub(super) struct MinutesPage {
    ctx: PageContext,
    view: RecordView,
    scores: Vec<ScoreRow>,
    tally: Tally,
    issuer: db::organisations::Issuer,
    lines: Vec<db::proposals::CostLineRow>,
    photos: usize,
}

impl MinutesPage {
    fn score(&self) -> String {
        tally_score(&self.ctx, &self.tally)
    }

    fn leader(&self) -> Option<&Member> {
        self.view.visit.leader()
    }

    /// The members with a conflict on this proposal, who did not score it.
    fn conflicted(&self) -> Vec<(&Member, &str)> {
        self.view
            .visit
            .members
            .iter()
            .filter_map(|m| {
                self.view
                    .declaration_of(m)
                    .filter(|d| d.declaration == Declaration::Conflict)
                    .map(|d| (m, d.note.as_str()))
            })
            .collect()
    }

    fn declared(&self, member: &Member) -> &'static str {
        match self.view.declaration_of(member).map(|d| d.declaration) {
            Some(Declaration::NoConflict) => "minutes.declared_none",
            Some(Declaration::Conflict) => "minutes.declared_conflict",
            None => "minutes.not_declared",
        }
    }
}

pub(super) async fn minutes(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<MinutesPage> {
    let view = record_view(&state, &user, id).await?;
    if !view.show_scores {
        return Err(AppError::Forbidden);
    }
    let scores = db::appraisals::scores(&state.db, id).await?;
    Ok(MinutesPage {
        tally: tally_of(&scores),
        issuer: db::organisations::issuer(&state.db, &view.proposal.province_code).await?,
        lines: db::proposals::cost_lines(&state.db, view.proposal.id).await?,
        photos: db::appraisals::photos(&state.db, id).await?.len(),
        scores,
        ctx,
        view,
    })
}
