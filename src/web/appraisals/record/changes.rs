//! The changes of an appraisal record: the team's draft saved, the leader's finalising, a
//! correction opened, photos attached.

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;

use super::{RecordForm, cap_note, final_check, record_view, render, tally_of};
use crate::db;
use crate::db::appraisals::{DraftInput, RecordStatus, ScoreRow};
use crate::domain::appraisal::{self, Recommendation, ScoringRefusal};
use crate::domain::input;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::context::{CurrentUser, Flash, PageContext};
use crate::web::form::FieldErrors;
use crate::workflow::{self, Act, appraisal::Signed};

/// Checks the typed record against the sheet and the limits; the input to save, or the
/// mistakes (every one, by field).
fn validate(
    form: &RecordForm,
    scores: &[ScoreRow],
    requested: i64,
    cap_limit: Option<i64>,
) -> Result<DraftInput, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut lines = Vec::with_capacity(scores.len());
    for s in scores {
        let id = s.criterion_id;
        let na = form.not_applicable.get(&id).copied().unwrap_or(false);
        let typed = form.points.get(&id).map_or("", |p| p.trim());
        let field = format!("points_{id}");
        let points = if typed.is_empty() {
            None
        } else {
            errors
                .check(&field, input::whole(typed, 0, i64::from(s.max_points)))
                .and_then(|p| i16::try_from(p).ok())
        };
        if na && points.is_some() {
            errors.add(&field, "appraisal.na_with_points");
        }
        let finding = errors.text(
            &format!("finding_{id}"),
            form.findings.get(&id).map_or("", String::as_str),
            5000,
        );
        lines.push((id, points.filter(|_| !na), na, finding));
    }
    let proposed = form.proposed_support.trim();
    let proposed_support = if proposed.is_empty() {
        None
    } else {
        Some(errors.money("proposed_support", proposed))
    };
    if let Some(amount) = proposed_support
        && errors.get("proposed_support").is_none()
        && let Err(problem) = appraisal::check_proposed(amount, requested, cap_limit)
    {
        errors.add("proposed_support", problem.message_key());
    }
    let recommendation = match form.recommendation.trim() {
        "" => None,
        code => {
            let parsed = Recommendation::from_code(code);
            if parsed.is_none() {
                errors.add("recommendation", "input.required");
            }
            parsed
        }
    };
    let input = DraftInput {
        premises: errors.text("premises", &form.premises, 5000),
        machinery: errors.text("machinery", &form.machinery, 5000),
        legal_papers: errors.text("legal_papers", &form.legal_papers, 5000),
        counterpart_capacity: errors.text("counterpart_capacity", &form.counterpart_capacity, 5000),
        other_findings: errors.text("other_findings", &form.other_findings, 10_000),
        proposed_support,
        recommendation,
        conditions: errors.text("conditions", &form.conditions, 5000),
        scores: lines,
    };
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(errors)
    }
}

pub(super) async fn save(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let view = record_view(&state, &user, id).await?;
    if let Err(refusal) = view.may_score() {
        return Err(match refusal {
            ScoringRefusal::Finalised => AppError::Conflict(refusal.message_key()),
            _ => AppError::Forbidden,
        });
    }
    let form = RecordForm::from_pairs(pairs);
    let scores = db::appraisals::scores(&state.db, id).await?;
    let cap = cap_note(&state, &view, ctx.lang).await?;
    let input = match validate(&form, &scores, view.proposal.requested_support, cap.limit) {
        Ok(input) => input,
        Err(errors) => {
            let page = render(&state, ctx, view, Some(form), errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let mut tx = state.db.begin().await?;
    if !db::appraisals::save_draft(&mut tx, id, version, &input, user.0.user_id).await? {
        drop(tx);
        // Someone else saved meanwhile: keep what this user typed, on top of the new draft.
        let fresh = record_view(&state, &user, id).await?;
        let mut form = form;
        form.version = fresh.record.version.to_string();
        let mut page = render(&state, ctx, fresh, Some(form), FieldErrors::default()).await?;
        page.stale = true;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    tx.commit().await?;
    Ok((
        Flash::success("flash.appraisal_saved"),
        Redirect::to(&format!("/appraisals/{id}")),
    )
        .into_response())
}

#[derive(serde::Deserialize)]
pub(super) struct VersionForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    reason: String,
}

pub(super) async fn finalise(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<VersionForm>,
) -> AppResult<Response> {
    let view = record_view(&state, &user, id).await?;
    if view.record.status != RecordStatus::Draft {
        return Ok((
            Flash::info("flash.already_done"),
            Redirect::to(&format!("/appraisals/{id}")),
        )
            .into_response());
    }
    if !view.visit.is_leader() {
        return Err(AppError::Forbidden);
    }
    let scores = db::appraisals::scores(&state.db, id).await?;
    let missing = final_check(&view, &scores);
    let score = tally_of(&scores).score_tenths();
    let (Some(score), true) = (score, missing.is_empty()) else {
        let page = render(&state, ctx, view, None, FieldErrors::default()).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let signed = Signed {
        record_id: id,
        version: form.version.trim().parse().unwrap_or(-1),
        score_tenths: i16::try_from(score).unwrap_or(0),
        recommendation: view.record.recommendation,
        proposed_support: view.record.proposed_support,
        correction: (view.record.corrects_id)
            .map(|_| view.record.correction_reason.as_deref().unwrap_or_default()),
    };
    let actor = user.actor();
    let mut tx = state.db.begin().await?;
    workflow::appraisal::finalise(&mut tx, &Act::now(&actor), view.proposal.id, &signed).await?;
    tx.commit().await?;
    Ok((
        Flash::success("flash.appraisal_finalised"),
        Redirect::to(&format!("/appraisals/{id}")),
    )
        .into_response())
}

pub(super) async fn correct(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<VersionForm>,
) -> AppResult<Response> {
    let view = record_view(&state, &user, id).await?;
    if view.record.status != RecordStatus::Final || !view.leader_may_sign() {
        return Err(AppError::Forbidden);
    }
    let mut errors = FieldErrors::default();
    let reason = errors.required("reason", &form.reason, 2000);
    if !errors.is_empty() {
        let page = render(&state, ctx, view, None, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let actor = user.actor();
    let record = (view.record.visit_id, id);
    let mut tx = state.db.begin().await?;
    let act = Act::now(&actor);
    let new_id =
        workflow::appraisal::open_correction(&mut tx, &act, view.proposal.id, record, &reason)
            .await?;
    tx.commit().await?;
    Ok((
        Flash::success("flash.appraisal_correction"),
        Redirect::to(&format!("/appraisals/{new_id}")),
    )
        .into_response())
}

pub(super) async fn upload_photos(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    request: Request,
) -> AppResult<Response> {
    // Authorise before reading a byte of the body.
    let view = record_view(&state, &user, id).await?;
    if view.may_score().is_err() {
        return Err(AppError::Forbidden);
    }
    let owner = db::documents::Owner {
        id: view.proposal.id,
        code: view.proposal.code.clone(),
        title: view.proposal.title.clone(),
        state: view.proposal.state,
    };
    let added =
        crate::web::documents::attach_photos(&state, &owner, &user.actor(), id, request, ctx.lang)
            .await?;
    match added {
        Ok(count) => Ok((
            Flash::success("flash.photos_added").with(count.to_string()),
            Redirect::to(&format!("/appraisals/{id}#photos")),
        )
            .into_response()),
        Err((status, message)) => {
            let mut page = render(&state, ctx, view, None, FieldErrors::default()).await?;
            page.photo_error = Some(message);
            Ok((status, page).into_response())
        }
    }
}
