//! A proposal's page: its dossier, timeline, appraisal, contract and what its user may do.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};

use super::action_form::ActionForm;
use crate::db;
use crate::db::appraisals::Outcome;
use crate::db::post_checks::PostCheckSummary;
use crate::db::proposals::{Beneficiary, CostLineRow, Event, ProposalDetail, ReturnRequest};
use crate::db::visits::ProposalVisit;
use crate::domain::format;
use crate::domain::policy::{self, Permission};
use crate::domain::proposal::ProposalState;
use crate::domain::role::Role;
use crate::domain::transition::{self, Action, Transition};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::context::{CurrentUser, PageContext};
use crate::web::form::FieldErrors;
use crate::workflow::intake::Incomplete;

// ---------------------------------------------------------------- a proposal's page

#[derive(Template, WebTemplate)]
#[template(path = "proposals/show.html")]
pub(super) struct ShowPage {
    ctx: PageContext,
    proposal: ProposalDetail,
    beneficiaries: Vec<Beneficiary>,
    lines: Vec<CostLineRow>,
    events: Vec<Event>,
    return_request: Option<ReturnRequest>,
    actions: Vec<&'static Transition>,
    missing: Vec<&'static str>,
    /// Required documents not yet attached, by name.
    missing_documents: Vec<String>,
    action_errors: FieldErrors,
    action_form: ActionForm,
    may_edit: bool,
    plain: bool,
    /// Appraisal visits the proposal is (or was) planned on.
    visits: Vec<ProposalVisit>,
    /// The appraisal's current result.
    outcome: Option<Outcome>,
    /// Whether the user sees the result's score and amount, and the record (not only the
    /// recommendation, as a facility owner does).
    outcome_detail: bool,
    /// Post-checks of the proposal after its support.
    post_checks: Vec<PostCheckSummary>,
    /// Whether the contract page has something for this user: the contract, or its form.
    contract_link: bool,
}

impl ShowPage {
    /// Whether the proposal has progress reports to show or take: work started on it.
    fn progress_link(&self) -> bool {
        self.proposal.state.work_started()
    }

    /// Acceptance is shown from the work's start (a visit may be planned) on.
    fn acceptance_link(&self) -> bool {
        self.proposal.state.work_started() && self.proposal.state != ProposalState::Stopped
    }

    fn adjustments_link(&self) -> bool {
        self.proposal.state.contract_signed()
    }

    fn settlement_link(&self) -> bool {
        self.proposal.state.result_accepted()
    }

    fn evaluation_link(&self) -> bool {
        self.proposal.state.is_settled()
    }

    /// Shows what the dossier lacks, after a refused submission.
    pub(super) fn show_incomplete(&mut self, lacks: Incomplete) {
        self.missing = lacks.missing;
        self.missing_documents = lacks
            .documents
            .into_iter()
            .map(|(vi, en)| if self.ctx.lang == Lang::En { en } else { vi })
            .collect();
    }

    fn quantity(&self, hundredths: &i64) -> String {
        if hundredths % 100 == 0 {
            (hundredths / 100).to_string()
        } else {
            format!("{},{:02}", hundredths / 100, hundredths % 100)
        }
    }

    fn date(&self, date: &Option<time::Date>) -> String {
        date.map(format::date).unwrap_or_else(|| "—".into())
    }

    fn due(&self, date: &time::Date) -> String {
        format::date(*date)
    }

    fn equipment_key(&self, code: &str) -> &'static str {
        crate::db::post_checks::EquipmentUse::from_code(code).map_or(
            "post_check.open",
            crate::db::post_checks::EquipmentUse::label_key,
        )
    }
}

pub(super) async fn show_page(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    proposal: ProposalDetail,
    action_errors: FieldErrors,
    action_form: ActionForm,
) -> AppResult<ShowPage> {
    let id = proposal.id;
    let role = user.0.role;
    Ok(ShowPage {
        beneficiaries: db::proposals::beneficiaries(&state.db, id).await?,
        lines: db::proposals::cost_lines(&state.db, id).await?,
        events: db::proposals::events(&state.db, id).await?,
        return_request: db::proposals::open_return_request(&state.db, id).await?,
        actions: transition::available(proposal.state, role),
        may_edit: user.require(Permission::CreateProposal).is_ok() && proposal.state.is_editable(),
        plain: role == Role::FacilityOwner,
        visits: db::visits::of_proposal(&state.db, id).await?,
        outcome: db::appraisals::outcome(&state.db, id).await?,
        outcome_detail: policy::allows(role, Permission::ViewVisits)
            && crate::domain::appraisal::may_see_scores(role, false, true),
        post_checks: db::post_checks::of_proposal(&state.db, id).await?,
        contract_link: proposal.state.contract_in_force()
            || transition::transition(proposal.state, Action::SignContract, role).is_ok(),
        ctx,
        proposal,
        missing: Vec::new(),
        missing_documents: Vec::new(),
        action_errors,
        action_form,
    })
}

pub(super) async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<ShowPage> {
    user.require(Permission::ViewProposals)?;
    let proposal = db::proposals::find(&state.db, &user.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    show_page(
        &state,
        ctx,
        &user,
        proposal,
        FieldErrors::default(),
        ActionForm::default(),
    )
    .await
}
