//! Rules and reference data as rows (migration `…_rules.sql`): sectors, activity types,
//! support caps, required documents and priority areas. Lists, inserts, edits and ends
//! (setting `valid_to`: rules are history and are not deleted), and the rows in force on a
//! date. Which cap applies is chosen in `domain::caps` from the candidates read here.
//!
//! Nothing here is narrowed by record scope: reference data is the same for every reader;
//! who may read or change it is `domain::policy`'s `ViewReference`/`ManageReference`.
//!
//! One file per rule table: `entries` (sectors, activity types), `support_caps`,
//! `required_documents`, `priority_areas`; ending a row of any of them is here.

use sqlx::PgPool;
use time::Date;

use crate::db::found;
use crate::error::AppResult;
use crate::i18n::Lang;

mod entries;
mod priority_areas;
mod required_documents;
mod support_caps;

pub use entries::{
    CodeOption, EntryInput, ReferenceEntry, activity_type_options, document_kind_options,
    get_activity_type, get_sector, insert_activity_type, insert_sector, list_activity_types,
    list_sectors, update_activity_type, update_sector,
};
pub use priority_areas::{
    PriorityArea, PriorityAreaInput, UnitOption, communes_in_force, get_priority_area,
    insert_priority_area, list_priority_areas, priority_areas_in_force, provinces_in_force,
    update_priority_area,
};
pub use required_documents::{
    RequiredDocument, RequiredDocumentInput, get_required_document, insert_required_document,
    list_required_documents, required_documents_in_force, update_required_document,
};
pub use support_caps::{
    CapInput, CapRow, cap_in_force, caps_in_force_at_level, get_cap, insert_cap, list_caps,
    update_cap,
};

/// A row of rules or reference data. Rows have validity dates and are ended, never deleted.
#[derive(Clone, Copy, Debug)]
pub enum RuleRow<'a> {
    /// A sector, by code.
    Sector(&'a str),
    /// An activity type, by code.
    ActivityType(&'a str),
    /// A support cap, by id.
    SupportCap(i64),
    /// A required-document row, by id.
    RequiredDocument(i64),
    /// A priority area, by id.
    PriorityArea(i64),
    /// An appraisal criterion, by id.
    AppraisalCriterion(i64),
    /// An advance rule, by id.
    AdvanceRule(i64),
    /// A national registration deadline rule, by id.
    NationalDeadline(i64),
    /// A progress reporting rule, by id.
    ProgressRule(i64),
    /// An adjustment rule, by id.
    AdjustmentRule(i64),
    /// An acceptance evidence item, by id.
    AcceptanceEvidence(i64),
}

/// Ends a row: from `on` it is no longer in force. `NotFound` if there is none.
pub async fn end_rule(pool: &PgPool, row: RuleRow<'_>, on: Date) -> AppResult<()> {
    // One literal statement per table (`query!` checks each), run the same way.
    macro_rules! set_valid_to {
        ($sql:tt, $key:expr) => {
            sqlx::query!($sql, $key, on).execute(pool).await?
        };
    }
    let done = match row {
        RuleRow::Sector(code) => {
            set_valid_to!("update sectors set valid_to = $2 where code = $1", code)
        }
        RuleRow::ActivityType(code) => {
            set_valid_to!(
                "update activity_types set valid_to = $2 where code = $1",
                code
            )
        }
        RuleRow::SupportCap(id) => {
            set_valid_to!("update support_caps set valid_to = $2 where id = $1", id)
        }
        RuleRow::RequiredDocument(id) => {
            set_valid_to!(
                "update required_documents set valid_to = $2 where id = $1",
                id
            )
        }
        RuleRow::PriorityArea(id) => {
            set_valid_to!("update priority_areas set valid_to = $2 where id = $1", id)
        }
        RuleRow::AppraisalCriterion(id) => {
            set_valid_to!(
                "update appraisal_criteria set valid_to = $2 where id = $1",
                id
            )
        }
        RuleRow::AdvanceRule(id) => {
            set_valid_to!("update advance_rules set valid_to = $2 where id = $1", id)
        }
        RuleRow::NationalDeadline(id) => {
            set_valid_to!(
                "update national_deadlines set valid_to = $2 where id = $1",
                id
            )
        }
        RuleRow::ProgressRule(id) => {
            set_valid_to!("update progress_rules set valid_to = $2 where id = $1", id)
        }
        RuleRow::AdjustmentRule(id) => {
            set_valid_to!(
                "update adjustment_rules set valid_to = $2 where id = $1",
                id
            )
        }
        RuleRow::AcceptanceEvidence(id) => {
            set_valid_to!(
                "update acceptance_evidence set valid_to = $2 where id = $1",
                id
            )
        }
    };
    found(done.rows_affected())
}

// ---------------------------------------------------------------------------------------------

fn localised<'a>(lang: Lang, vi: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}
