//! What every rule table shares: validity dates on lists, the one trait a table
//! implements (with default bodies), the generic new, edit and end handlers, and the routes.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::de::DeserializeOwned;
use time::Date;

use super::*;
use crate::domain::format;
use crate::domain::policy::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::context::{CurrentUser, PageContext};
use crate::web::form::FieldErrors;

/// A row with validity dates.
pub(super) trait Dated {
    /// First day in force, and first day no longer in force.
    fn dates(&self) -> (Option<Date>, Option<Date>);
}

impl<T: Dated> Dated for &T {
    fn dates(&self) -> (Option<Date>, Option<Date>) {
        (*self).dates()
    }
}

/// A list of rules: the status badge and the period of each row.
pub(super) trait RuleList {
    fn ctx(&self) -> &PageContext;

    fn today(&self) -> Date;

    fn status(&self, row: &impl Dated) -> &'static str {
        let (from, to) = row.dates();
        status_key(from, to, self.today())
    }

    fn period(&self, row: &impl Dated) -> String {
        let (from, to) = row.dates();
        period(self.ctx(), from, to)
    }
}

/// A rule table: its rows, the one form that adds and edits a row (checked against the
/// choices it offers), and the end form. The handlers below serve every table; a table
/// says only what differs.
pub(super) trait RuleTable: Send + Sync + 'static {
    /// The path parameter naming a row: a code or an id.
    type Key: DeserializeOwned + Send + Sync;
    /// A row as read.
    type Row: Dated + Send + Sync;
    /// The form as typed.
    type Form: DeserializeOwned + Default + Send;
    /// What the form offers.
    type Choices: Send;
    /// A row that passed the checks.
    type Valid: Send + Sync;
    /// The form page.
    type Page: RulePage;
    /// The list the table's forms go back to.
    const LIST: &'static str;

    fn get(state: &AppState, key: &Self::Key) -> impl Future<Output = AppResult<Self::Row>> + Send;

    /// The form holding `row`'s values.
    fn form_of(row: &Self::Row, ctx: &PageContext) -> Self::Form;

    /// The form a new row starts from.
    fn blank_form(_user: &CurrentUser) -> Self::Form {
        Self::Form::default()
    }

    fn choices(
        state: &AppState,
        form: &Self::Form,
    ) -> impl Future<Output = AppResult<Self::Choices>> + Send;

    /// Checks the form; `key` names the row being edited.
    fn validate(
        form: &Self::Form,
        choices: &Self::Choices,
        key: Option<&Self::Key>,
    ) -> Result<Self::Valid, FieldErrors>;

    /// The form page; `editing` is the row being edited.
    fn form_page(
        ctx: PageContext,
        form: Self::Form,
        errors: FieldErrors,
        choices: Self::Choices,
        editing: Option<&Self::Row>,
    ) -> Self::Page;

    /// Adds the row (`key` `None`) or changes row `key`, and logs it; a database refusal is
    /// an `AppError::Conflict` with its message.
    fn save(
        state: &AppState,
        key: Option<Self::Key>,
        valid: &Self::Valid,
        by: i64,
    ) -> impl Future<Output = AppResult<()>> + Send;

    /// Ends `row` from `day`, and logs it.
    fn end(
        state: &AppState,
        row: &Self::Row,
        day: Date,
        by: i64,
    ) -> impl Future<Output = AppResult<()>> + Send;

    /// The field a database refusal is shown by.
    fn conflict_field(_key: &str) -> &'static str {
        "valid_from"
    }

    /// What the success message names.
    fn flash_name(valid: Self::Valid) -> String;

    /// The edit page of `row`, with its values and `errors`.
    fn edit_page(
        state: &AppState,
        ctx: PageContext,
        row: &Self::Row,
        errors: FieldErrors,
    ) -> impl Future<Output = AppResult<Self::Page>> + Send {
        async move {
            let form = Self::form_of(row, &ctx);
            let choices = Self::choices(state, &form).await?;
            Ok(Self::form_page(ctx, form, errors, choices, Some(row)))
        }
    }
}

/// A rule table's form page, with the end form when it edits a row.
pub(super) trait RulePage: IntoResponse + Send {
    fn end_box(&mut self) -> Option<&mut EndBox>;
}

/// The id and end form of the row a form under `list` edits (`row`: its id and end).
pub(super) fn editing_row(list: &str, row: Option<(i64, Option<Date>)>) -> Option<(i64, EndBox)> {
    row.map(|(id, valid_to)| (id, EndBox::new(format!("{list}/{id}/end"), valid_to)))
}

/// Where a form under `list` posts: row `id`'s edit path, or the path that adds a row.
pub(super) fn form_action(list: &str, id: Option<i64>) -> String {
    match id {
        Some(id) => format!("{list}/{id}/edit"),
        None => format!("{list}/new"),
    }
}

/// `GET …/new`.
pub(super) async fn new_rule<R: RuleTable>(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
) -> AppResult<R::Page> {
    user.require(Permission::ManageReference)?;
    let form = R::blank_form(&user);
    let choices = R::choices(&state, &form).await?;
    Ok(R::form_page(
        ctx,
        form,
        FieldErrors::default(),
        choices,
        None,
    ))
}

/// `GET …/{key}/edit`.
pub(super) async fn edit_rule<R: RuleTable>(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(key): Path<R::Key>,
) -> AppResult<R::Page> {
    user.require(Permission::ManageReference)?;
    let row = R::get(&state, &key).await?;
    R::edit_page(&state, ctx, &row, FieldErrors::default()).await
}

/// `POST …/{key}/end`: the row is no longer in force from the day typed.
pub(super) async fn end_rule<R: RuleTable>(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(key): Path<R::Key>,
    Form(end): Form<EndForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageReference)?;
    let row = R::get(&state, &key).await?;
    let (from, to) = row.dates();
    let day = match parse_end(&end, from, to) {
        Ok(day) => day,
        Err(errors) => {
            let mut page = R::edit_page(&state, ctx, &row, errors).await?;
            if let Some(end_box) = page.end_box() {
                end_box.end_on = end.end_on;
            }
            return Ok(unprocessable(page));
        }
    };
    R::end(&state, &row, day, user.0.user_id).await?;
    Ok(saved(R::LIST, "reference.flash_ended", format::date(day)))
}

/// `POST …/new`.
pub(super) async fn create_rule<R: RuleTable>(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Form(form): Form<R::Form>,
) -> AppResult<Response> {
    user.require(Permission::ManageReference)?;
    save_rule::<R>(&state, ctx, &user, None, form).await
}

/// `POST …/{id}/edit`.
pub(super) async fn update_rule<R: RuleTable>(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(key): Path<R::Key>,
    Form(form): Form<R::Form>,
) -> AppResult<Response> {
    user.require(Permission::ManageReference)?;
    let row = R::get(&state, &key).await?;
    save_rule::<R>(&state, ctx, &user, Some((key, row)), form).await
}

/// Checks and saves a rule form: back to the list, or the form again with 422.
pub(super) async fn save_rule<R: RuleTable>(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    editing: Option<(R::Key, R::Row)>,
    form: R::Form,
) -> AppResult<Response> {
    let choices = R::choices(state, &form).await?;
    let (key, row) = match editing {
        Some((key, row)) => (Some(key), Some(row)),
        None => (None, None),
    };
    let valid = match R::validate(&form, &choices, key.as_ref()) {
        Ok(valid) => valid,
        Err(errors) => {
            return Ok(unprocessable(R::form_page(
                ctx,
                form,
                errors,
                choices,
                row.as_ref(),
            )));
        }
    };
    match R::save(state, key, &valid, user.0.user_id).await {
        Ok(()) => Ok(saved(
            R::LIST,
            "reference.flash_saved",
            R::flash_name(valid),
        )),
        Err(AppError::Conflict(key)) => Ok(unprocessable(R::form_page(
            ctx,
            form,
            FieldErrors::one(R::conflict_field(key), key),
            choices,
            row.as_ref(),
        ))),
        Err(other) => Err(other),
    }
}

/// The new, edit and end routes of a rule table under its list.
pub(super) fn rule_routes<R: RuleTable>(router: Router<AppState>) -> Router<AppState> {
    let list = R::LIST;
    router
        .route(
            &format!("{list}/new"),
            get(new_rule::<R>).post(create_rule::<R>),
        )
        .route(
            &format!("{list}/{{key}}/edit"),
            get(edit_rule::<R>).post(update_rule::<R>),
        )
        .route(&format!("{list}/{{key}}/end"), post(end_rule::<R>))
}

/// `RuleList` for list pages with `ctx` and `today` fields.
macro_rules! rule_lists {
    ($($page:ty),*) => {$(
        impl RuleList for $page {
            fn ctx(&self) -> &PageContext {
                &self.ctx
            }

            fn today(&self) -> Date {
                self.today
            }
        }
    )*};
}
pub(super) use rule_lists;

/// `RulePage` for form pages whose `editing` field is `Option<(id, EndBox)>`.
macro_rules! rule_pages {
    ($($page:ty),*) => {$(
        impl RulePage for $page {
            fn end_box(&mut self) -> Option<&mut EndBox> {
                self.editing.as_mut().map(|(_, end_box)| end_box)
            }
        }
    )*};
}
pub(super) use rule_pages;
