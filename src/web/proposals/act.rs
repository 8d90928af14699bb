//! The steps taken with a button on a proposal's page: `POST /proposals/{id}/{action}`,
//! parsed here and taken by `workflow::intake::press`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;

use super::action_form::ActionForm;
use super::show::show_page;
use crate::db;
use crate::domain::policy::Permission;
use crate::domain::transition::{self, Action};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::context::{CurrentUser, Flash, PageContext};
use crate::web::form::FieldErrors;
use crate::workflow::intake;
use crate::workflow::{Act, StepError, Subject};

pub(super) async fn act(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path((id, action)): Path<(i64, String)>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    let action = Action::from_code(&action).ok_or(AppError::NotFound)?;
    user.require(Permission::ViewProposals)?;
    let proposal = db::proposals::find(&state.db, &user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let step = match transition::transition(proposal.state, action, user.0.role) {
        // A second click on the same button: the first one did it.
        Err(transition::TransitionError::NotFromThisState(_))
            if transition::leads_to(action, proposal.state) =>
        {
            let back = Redirect::to(&format!("/proposals/{id}"));
            return Ok((Flash::info("flash.already_done"), back).into_response());
        }
        other => other?,
    };
    let input = match form.input(step.requires) {
        Ok(input) => input,
        Err(errors) => {
            let page = show_page(&state, ctx, &user, proposal, errors, form).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let subject = Subject::from(&proposal).at_version(version);
    let actor = user.actor();
    let mut tx = state.db.begin().await?;
    match intake::press(&mut tx, &Act::now(&actor), &subject, action, &input).await {
        Ok(_) => tx.commit().await?,
        Err(StepError::Refused { field, key }) => {
            drop(tx);
            let mut errors = FieldErrors::default();
            errors.add(field, key);
            let page = show_page(&state, ctx, &user, proposal, errors, form).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(StepError::Incomplete(lacks)) => {
            drop(tx);
            let mut page =
                show_page(&state, ctx, &user, proposal, FieldErrors::default(), form).await?;
            page.show_incomplete(lacks);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(other) => return Err(other.into()),
    }
    let back = Redirect::to(&format!("/proposals/{id}"));
    Ok((Flash::success(step_message(action)), back).into_response())
}

fn step_message(action: Action) -> &'static str {
    match action {
        Action::Submit | Action::Resubmit => "flash.proposal_submitted",
        Action::Accept => "flash.proposal_accepted",
        Action::Return => "flash.proposal_returned",
        Action::RejectIneligible => "flash.proposal_rejected",
        Action::Withdraw => "flash.proposal_withdrawn",
        Action::Reappraise => "flash.proposal_reappraise",
        Action::Start => "flash.proposal_started",
        // Taken on other pages, which say what happened themselves.
        _ => "flash.proposal_moved",
    }
}
