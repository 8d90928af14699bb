//! Sectors and activity types: the two code-and-name tables.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use serde::Deserialize;
use time::Date;

use super::*;
use crate::db;
use crate::db::rules::{EntryInput, ReferenceEntry, RuleRow};
use crate::domain::policy::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::context::{CurrentUser, PageContext};
use crate::web::form::FieldErrors;

// ---------------------------------------------------------------------------------------------
// Sectors and activity types

/// Which of the two code-and-name tables a page is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Table {
    Sectors,
    ActivityTypes,
}

impl Table {
    pub(super) const fn path(self) -> &'static str {
        match self {
            Self::Sectors => "/admin/reference/sectors",
            Self::ActivityTypes => "/admin/reference/activity-types",
        }
    }

    /// Where the form that adds a row is.
    fn new_path(self) -> String {
        format!("{}/new", self.path())
    }

    fn title_key(self) -> &'static str {
        match self {
            Self::Sectors => "reference.sectors_title",
            Self::ActivityTypes => "reference.activity_types_title",
        }
    }

    fn new_key(self) -> &'static str {
        match self {
            Self::Sectors => "reference.new_sector",
            Self::ActivityTypes => "reference.new_activity_type",
        }
    }

    fn has_group(self) -> bool {
        self == Self::ActivityTypes
    }

    fn pkey(self) -> &'static str {
        match self {
            Self::Sectors => "sectors_pkey",
            Self::ActivityTypes => "activity_types_pkey",
        }
    }

    async fn list(self, state: &AppState) -> AppResult<Vec<ReferenceEntry>> {
        match self {
            Self::Sectors => db::rules::list_sectors(&state.db).await,
            Self::ActivityTypes => db::rules::list_activity_types(&state.db).await,
        }
    }

    async fn get(self, state: &AppState, code: &str) -> AppResult<ReferenceEntry> {
        match self {
            Self::Sectors => db::rules::get_sector(&state.db, code).await,
            Self::ActivityTypes => db::rules::get_activity_type(&state.db, code).await,
        }
    }
}

/// A code-and-name table as a type, so that one generic handler serves both.
pub(super) trait EntryTable: Send + Sync + 'static {
    const TABLE: Table;
}

/// Sectors.
pub(super) struct Sectors;

impl EntryTable for Sectors {
    const TABLE: Table = Table::Sectors;
}

/// Activity types.
pub(super) struct ActivityTypes;

impl EntryTable for ActivityTypes {
    const TABLE: Table = Table::ActivityTypes;
}

impl Dated for ReferenceEntry {
    fn dates(&self) -> (Option<Date>, Option<Date>) {
        (self.valid_from, self.valid_to)
    }
}

impl<E: EntryTable> RuleTable for E {
    type Key = String;
    type Row = ReferenceEntry;
    type Form = EntryForm;
    type Choices = ();
    type Valid = ValidEntry;
    type Page = EntryFormPage;
    const LIST: &'static str = E::TABLE.path();

    async fn get(state: &AppState, code: &String) -> AppResult<ReferenceEntry> {
        E::TABLE.get(state, code).await
    }

    fn form_of(entry: &ReferenceEntry, _ctx: &PageContext) -> EntryForm {
        EntryForm::of(entry)
    }

    async fn choices(_state: &AppState, _form: &EntryForm) -> AppResult<()> {
        Ok(())
    }

    fn validate(
        form: &EntryForm,
        _choices: &(),
        code: Option<&String>,
    ) -> Result<ValidEntry, FieldErrors> {
        validate_entry(form, E::TABLE, code.map(String::as_str))
    }

    fn form_page(
        ctx: PageContext,
        mut form: EntryForm,
        errors: FieldErrors,
        _choices: (),
        editing: Option<&ReferenceEntry>,
    ) -> EntryFormPage {
        match editing {
            Some(entry) => {
                // A code is never changed: the form shows and posts the row's own.
                form.code = entry.code.clone();
                EntryFormPage::edit(ctx, E::TABLE, form, errors, entry)
            }
            None => EntryFormPage {
                ctx,
                table: E::TABLE,
                form,
                errors,
                editing: None,
            },
        }
    }

    async fn save(
        state: &AppState,
        code: Option<String>,
        valid: &ValidEntry,
        by: i64,
    ) -> AppResult<()> {
        let table = E::TABLE;
        let input = valid.input();
        let edited = code.is_some();
        match (code, table) {
            (Some(_), Table::Sectors) => db::rules::update_sector(&state.db, &input).await?,
            (Some(_), Table::ActivityTypes) => {
                db::rules::update_activity_type(&state.db, &input).await?;
            }
            (None, Table::Sectors) => db::rules::insert_sector(&state.db, &input)
                .await
                .on_constraint(table.pkey(), || AppError::Conflict("reference.code_taken"))?,
            (None, Table::ActivityTypes) => db::rules::insert_activity_type(&state.db, &input)
                .await
                .on_constraint(table.pkey(), || AppError::Conflict("reference.code_taken"))?,
        }
        tracing::info!(code = %valid.code, by, ?table, edited, "reference entry saved");
        Ok(())
    }

    async fn end(state: &AppState, entry: &ReferenceEntry, day: Date, by: i64) -> AppResult<()> {
        let table = E::TABLE;
        let row = match table {
            Table::Sectors => RuleRow::Sector(&entry.code),
            Table::ActivityTypes => RuleRow::ActivityType(&entry.code),
        };
        db::rules::end_rule(&state.db, row, day).await?;
        tracing::info!(code = %entry.code, by, ?table, "reference entry ended");
        Ok(())
    }

    fn conflict_field(_key: &str) -> &'static str {
        "code"
    }

    fn flash_name(valid: ValidEntry) -> String {
        valid.code
    }
}

impl RulePage for EntryFormPage {
    fn end_box(&mut self) -> Option<&mut EndBox> {
        self.editing.as_mut()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/entries.html")]
pub(super) struct EntriesPage {
    pub(super) ctx: PageContext,
    table: Table,
    rows: Vec<ReferenceEntry>,
    can_manage: bool,
    pub(super) today: Date,
}

impl EntriesPage {
    fn name(&self, row: &ReferenceEntry) -> String {
        row.name(self.ctx.lang).to_owned()
    }
}

pub(super) async fn list_entries<E: EntryTable>(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
) -> AppResult<EntriesPage> {
    user.require(Permission::ViewReference)?;
    Ok(EntriesPage {
        ctx,
        table: E::TABLE,
        rows: E::TABLE.list(&state).await?,
        can_manage: user.require(Permission::ManageReference).is_ok(),
        today: today(),
    })
}

/// The sector or activity-type form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct EntryForm {
    code: String,
    group_no: String,
    name_vi: String,
    name_en: String,
    #[serde(flatten)]
    basis: BasisForm,
    sort_order: String,
}

impl EntryForm {
    fn of(entry: &ReferenceEntry) -> Self {
        Self {
            code: entry.code.clone(),
            group_no: entry.group_no.map(|g| g.to_string()).unwrap_or_default(),
            name_vi: entry.name_vi.clone(),
            name_en: entry.name_en.clone(),
            basis: BasisForm::of(&entry.legal_ref, entry.valid_from, entry.valid_to),
            sort_order: entry.sort_order.to_string(),
        }
    }
}

/// A sector or activity type that passed the checks.
pub(super) struct ValidEntry {
    code: String,
    group_no: i16,
    name_vi: String,
    name_en: String,
    basis: Basis,
    sort_order: i32,
}

impl ValidEntry {
    fn input(&self) -> EntryInput<'_> {
        EntryInput {
            code: &self.code,
            group_no: self.group_no,
            name_vi: &self.name_vi,
            name_en: &self.name_en,
            legal_ref: &self.basis.legal_ref,
            valid_from: self.basis.valid_from,
            valid_to: self.basis.valid_to,
            sort_order: self.sort_order,
        }
    }
}

pub(super) fn validate_entry(
    form: &EntryForm,
    table: Table,
    code: Option<&str>,
) -> Result<ValidEntry, FieldErrors> {
    let mut errors = FieldErrors::default();
    let code = match code {
        Some(code) => Some(code.to_owned()),
        None => {
            let typed = form.code.trim();
            let ok = (1..=40).contains(&typed.len())
                && typed
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            errors.need(
                "code",
                "reference.code_invalid",
                ok.then(|| typed.to_owned()),
            )
        }
    };
    let group_no = if table.has_group() {
        errors.need(
            "group_no",
            "reference.group_invalid",
            form.group_no
                .trim()
                .parse::<i16>()
                .ok()
                .filter(|g| (1..=9).contains(g)),
        )
    } else {
        Some(0)
    };
    let (name_vi, name_en) = names(&form.name_vi, &form.name_en, NAME_MAX, &mut errors);
    let basis = form.basis.check(false, &mut errors);
    let sort_order = errors.need(
        "sort_order",
        "reference.sort_invalid",
        form.sort_order
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|s| (0..=100_000).contains(s)),
    );
    match (code, group_no, name_vi, name_en, basis, sort_order) {
        (
            Some(code),
            Some(group_no),
            Some(name_vi),
            Some(name_en),
            Some(basis),
            Some(sort_order),
        ) if errors.is_empty() => Ok(ValidEntry {
            code,
            group_no,
            name_vi,
            name_en,
            basis,
            sort_order,
        }),
        _ => Err(errors),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/reference/entry_form.html")]
pub(super) struct EntryFormPage {
    ctx: PageContext,
    table: Table,
    form: EntryForm,
    errors: FieldErrors,
    /// Set when editing: the form posts there, and the end form is shown.
    editing: Option<EndBox>,
}

impl EntryFormPage {
    /// The edit page of `entry`, showing `form`.
    fn edit(
        ctx: PageContext,
        table: Table,
        form: EntryForm,
        errors: FieldErrors,
        entry: &ReferenceEntry,
    ) -> Self {
        Self {
            ctx,
            table,
            form,
            errors,
            editing: Some(EndBox::new(
                format!("{}/{}/end", table.path(), entry.code),
                entry.valid_to,
            )),
        }
    }

    fn action(&self) -> String {
        match &self.editing {
            Some(_) => format!("{}/{}/edit", self.table.path(), self.form.code),
            None => self.table.new_path(),
        }
    }
}
