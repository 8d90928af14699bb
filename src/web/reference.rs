//! Reference data and rules as data (PRODUCT.md §4), under `/admin/reference`: sectors,
//! activity types, support caps, required documents, appraisal criteria, priority areas,
//! advance rules, the national registration deadline, the progress reporting day and
//! funding sources.
//!
//! Whoever has `ViewReference` reads the lists; `ManageReference` (administrators) adds,
//! edits and ends rows. A rule is ended (its `valid_to` set) and a new one added, never
//! deleted, so the rule a past decision used can still be found. Forms come back with 422,
//! their values and a message by each wrong field; nothing is saved then.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::routing::{get, post};
use time::Date;

use super::context::{CurrentUser, PageContext};
use crate::app::AppState;
use crate::domain::policy::Permission;
use crate::error::{AppResult, ResultExt as _};

mod areas;
mod documents;
mod entries;
mod kit;
mod support_caps;

use areas::*;
use documents::*;
use entries::*;
use kit::*;
use support_caps::*;
mod adjustments;
mod advances;
mod criteria;
mod deadlines;
mod evidence;
mod reporting;
mod sources;

const BASE: &str = "/admin/reference";
/// Longest name of a sector or activity type.
const NAME_MAX: usize = 300;
/// Longest legal reference.
const LEGAL_REF_MAX: usize = 500;
/// Longest name of a multiplier's case.
const CASE_MAX: usize = 200;

/// Routes under `/admin/reference`.
pub fn router() -> Router<AppState> {
    let router = Router::new().route(BASE, get(index));
    let router = entry_routes::<Sectors>(router);
    let router = entry_routes::<ActivityTypes>(router);
    router
        .route(CAPS, get(list_caps))
        .route(
            "/admin/reference/caps/new",
            get(new_cap).post(create_rule::<Caps>),
        )
        .route(
            "/admin/reference/caps/{id}/edit",
            get(edit_rule::<Caps>).post(update_rule::<Caps>),
        )
        .route("/admin/reference/caps/{id}/end", post(end_rule::<Caps>))
        .route(DOCUMENTS, get(list_documents))
        .route(
            "/admin/reference/required-documents/new",
            get(new_document).post(create_rule::<Documents>),
        )
        .route(
            "/admin/reference/required-documents/{id}/edit",
            get(edit_rule::<Documents>).post(update_rule::<Documents>),
        )
        .route(
            "/admin/reference/required-documents/{id}/end",
            post(end_rule::<Documents>),
        )
        .route(criteria::CRITERIA, get(criteria::list_criteria))
        .route(
            "/admin/reference/criteria/new",
            get(new_rule::<criteria::Criteria>).post(create_rule::<criteria::Criteria>),
        )
        .route(
            "/admin/reference/criteria/{id}/edit",
            get(edit_rule::<criteria::Criteria>).post(update_rule::<criteria::Criteria>),
        )
        .route(
            "/admin/reference/criteria/{id}/end",
            post(end_rule::<criteria::Criteria>),
        )
        .route(advances::ADVANCES, get(advances::list_advances))
        .route(
            "/admin/reference/advances/new",
            get(new_rule::<advances::Advances>).post(create_rule::<advances::Advances>),
        )
        .route(
            "/admin/reference/advances/{id}/edit",
            get(edit_rule::<advances::Advances>).post(update_rule::<advances::Advances>),
        )
        .route(
            "/admin/reference/advances/{id}/end",
            post(end_rule::<advances::Advances>),
        )
        .route(deadlines::DEADLINES, get(deadlines::list_deadlines))
        .route(
            "/admin/reference/national-deadlines/new",
            get(new_rule::<deadlines::Deadlines>).post(create_rule::<deadlines::Deadlines>),
        )
        .route(
            "/admin/reference/national-deadlines/{id}/edit",
            get(edit_rule::<deadlines::Deadlines>).post(update_rule::<deadlines::Deadlines>),
        )
        .route(
            "/admin/reference/national-deadlines/{id}/end",
            post(end_rule::<deadlines::Deadlines>),
        )
        .route(reporting::REPORTING, get(reporting::list_reporting))
        .route(
            "/admin/reference/reporting/new",
            get(new_rule::<reporting::Reporting>).post(create_rule::<reporting::Reporting>),
        )
        .route(
            "/admin/reference/reporting/{id}/edit",
            get(edit_rule::<reporting::Reporting>).post(update_rule::<reporting::Reporting>),
        )
        .route(
            "/admin/reference/reporting/{id}/end",
            post(end_rule::<reporting::Reporting>),
        )
        .route(
            adjustments::ADJUSTMENTS,
            get(adjustments::list_adjustment_rules),
        )
        .route(
            "/admin/reference/adjustments/new",
            get(new_rule::<adjustments::Adjustments>).post(create_rule::<adjustments::Adjustments>),
        )
        .route(
            "/admin/reference/adjustments/{id}/edit",
            get(edit_rule::<adjustments::Adjustments>)
                .post(update_rule::<adjustments::Adjustments>),
        )
        .route(
            "/admin/reference/adjustments/{id}/end",
            post(end_rule::<adjustments::Adjustments>),
        )
        .route(evidence::EVIDENCE, get(evidence::list_evidence))
        .route(
            "/admin/reference/evidence/new",
            get(new_rule::<evidence::Evidence>).post(create_rule::<evidence::Evidence>),
        )
        .route(
            "/admin/reference/evidence/{id}/edit",
            get(edit_rule::<evidence::Evidence>).post(update_rule::<evidence::Evidence>),
        )
        .route(
            "/admin/reference/evidence/{id}/end",
            post(end_rule::<evidence::Evidence>),
        )
        .route(sources::SOURCES, get(sources::list_sources))
        .route(
            "/admin/reference/funding-sources/new",
            get(sources::new_source).post(sources::create_source),
        )
        .route(
            "/admin/reference/funding-sources/{code}/edit",
            get(sources::edit_source).post(sources::update_source),
        )
        .route(AREAS, get(list_areas))
        .route(
            "/admin/reference/priority-areas/new",
            get(new_area).post(create_rule::<Areas>),
        )
        .route(
            "/admin/reference/priority-areas/{id}/edit",
            get(edit_area).post(update_rule::<Areas>),
        )
        .route(
            "/admin/reference/priority-areas/{id}/end",
            post(end_rule::<Areas>),
        )
}

/// The routes of a code-and-name table (sectors, activity types).
fn entry_routes<E: EntryTable>(router: Router<AppState>) -> Router<AppState> {
    let path = E::TABLE.path();
    router
        .route(path, get(list_entries::<E>))
        .route(
            &format!("{path}/new"),
            get(new_entry::<E>).post(create_entry::<E>),
        )
        .route(
            &format!("{path}/{{code}}/edit"),
            get(edit_rule::<E>).post(update_entry::<E>),
        )
        .route(&format!("{path}/{{code}}/end"), post(end_rule::<E>))
}

rule_lists!(
    EntriesPage,
    CapsPage,
    DocumentsPage,
    AreasPage,
    criteria::CriteriaPage,
    advances::AdvancesPage,
    deadlines::DeadlinesPage,
    reporting::ReportingPage,
    adjustments::AdjustmentRulesPage,
    evidence::EvidencePage
);

// ---------------------------------------------------------------------------------------------
// Index

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/index.html")]
struct IndexPage {
    ctx: PageContext,
}

async fn index(ctx: PageContext, user: CurrentUser) -> AppResult<IndexPage> {
    user.require(Permission::ViewReference)?;
    Ok(IndexPage { ctx })
}
