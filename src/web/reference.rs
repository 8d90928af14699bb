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
use crate::domain::policy::Permission;
use crate::error::{AppResult, ResultExt as _};
use crate::state::AppState;

mod areas;
mod documents;
mod entries;
mod kit;
mod support_caps;
mod table;

use areas::*;
use documents::*;
use entries::*;
use kit::*;
use support_caps::*;
use table::*;
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
    let router = Router::new()
        .route(BASE, get(index))
        .route(Sectors::TABLE.path(), get(list_entries::<Sectors>))
        .route(
            ActivityTypes::TABLE.path(),
            get(list_entries::<ActivityTypes>),
        )
        .route(CAPS, get(list_caps))
        .route(DOCUMENTS, get(list_documents))
        .route(criteria::CRITERIA, get(criteria::list_criteria))
        .route(advances::ADVANCES, get(advances::list_advances))
        .route(deadlines::DEADLINES, get(deadlines::list_deadlines))
        .route(reporting::REPORTING, get(reporting::list_reporting))
        .route(
            adjustments::ADJUSTMENTS,
            get(adjustments::list_adjustment_rules),
        )
        .route(evidence::EVIDENCE, get(evidence::list_evidence))
        .route(sources::SOURCES, get(sources::list_sources))
        .route(
            "/admin/reference/funding-sources/new",
            get(sources::new_source).post(sources::create_source),
        )
        .route(
            "/admin/reference/funding-sources/{code}/edit",
            get(sources::edit_source).post(sources::update_source),
        )
        // Priority areas pick their province first, so their form pages take a query.
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
        );
    let router = rule_routes::<Sectors>(router);
    let router = rule_routes::<ActivityTypes>(router);
    let router = rule_routes::<Caps>(router);
    let router = rule_routes::<Documents>(router);
    let router = rule_routes::<criteria::Criteria>(router);
    let router = rule_routes::<advances::Advances>(router);
    let router = rule_routes::<deadlines::Deadlines>(router);
    let router = rule_routes::<reporting::Reporting>(router);
    let router = rule_routes::<adjustments::Adjustments>(router);
    rule_routes::<evidence::Evidence>(router)
}

rule_pages!(
    DocumentFormPage,
    AreaFormPage,
    criteria::CriterionFormPage,
    advances::AdvanceFormPage,
    deadlines::DeadlineFormPage,
    reporting::ReportingFormPage,
    adjustments::AdjustmentRuleFormPage,
    evidence::EvidenceFormPage
);

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
