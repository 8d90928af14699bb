//! A member's declarations on the proposals of a visit (no conflict of interest, DOMAIN.md
//! §3.2).

use axum::extract::{Path, State};
use axum::response::Response;
use axum_extra::extract::Form;

use super::{VisitAction, back, refuse};
use crate::db;
use crate::db::visits::Member;
use crate::domain::appraisal::Declaration;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::appraisals::{VisitView, visit_view};
use crate::web::context::{CurrentUser, PageContext};
use crate::web::form::FieldErrors;

/// A member declares on a proposal of the visit; the leader records an external member's
/// declaration (made on paper). Declarations change only while the proposal's record on
/// this visit is a draft.
pub(super) async fn declare(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<VisitAction>,
) -> AppResult<Response> {
    let view = visit_view(&state, &user, id).await?;
    if view.visit.cancelled {
        return Err(AppError::Conflict("visit.cancelled"));
    }
    let member = declaring_member(&view, &form)?;
    let proposal_id = form
        .proposal_id
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::NotFound)?;
    let proposals = db::visits::proposals(&state.db, id).await?;
    let proposal = proposals
        .iter()
        .find(|p| p.proposal_id == proposal_id)
        .ok_or(AppError::NotFound)?;
    if proposal.record_final {
        return Err(AppError::Conflict("appraisal.refusal.finalised"));
    }
    let mut errors = FieldErrors::default();
    let (declaration, note) = checked_declaration(&form, &mut errors);
    let Some(declaration) = declaration.filter(|_| errors.is_empty()) else {
        return refuse(&state, ctx, &user, view, form, errors, "declare").await;
    };
    let mut tx = state.db.begin().await?;
    db::visits::declare(
        &mut tx,
        member.id,
        proposal_id,
        declaration,
        &note,
        user.0.user_id,
    )
    .await?;
    tx.commit().await?;
    Ok(back(id, "flash.declared"))
}

/// Whose declaration the form records: the user's own, or, by the leader only, that of a
/// member without an account.
fn declaring_member(view: &VisitView, form: &VisitAction) -> AppResult<Member> {
    let me = view.me.clone().ok_or(AppError::Forbidden)?;
    match form.member_id.trim().parse::<i64>() {
        Ok(member_id) if member_id != me.id => {
            let other = view
                .members
                .iter()
                .find(|m| m.id == member_id && m.user_id.is_none());
            match other {
                Some(other) if view.is_leader() => Ok(other.clone()),
                _ => Err(AppError::Forbidden),
            }
        }
        _ => Ok(me),
    }
}

/// The declaration typed and its note (required with a conflict), or `None` with the
/// mistakes in `errors`.
fn checked_declaration(
    form: &VisitAction,
    errors: &mut FieldErrors,
) -> (Option<Declaration>, String) {
    let declaration = match form.conflict.as_str() {
        "no" => Some(Declaration::NoConflict),
        "yes" => Some(Declaration::Conflict),
        _ => None,
    };
    let note = errors.text("note", &form.note, 2000);
    match declaration {
        None => errors.add("conflict", "visit.declaration_required"),
        Some(Declaration::Conflict) if note.is_empty() => {
            errors.add("note", "visit.conflict_note_required")
        }
        _ => {}
    }
    (declaration, note)
}

// ---------------------------------------------------------------- the printed schedule
