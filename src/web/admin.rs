//! Administration: user accounts and organisations.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use secrecy::SecretString;
use serde::Deserialize;

use super::context::{CurrentUser, Flash, PageContext};
use super::form::FieldErrors;
use super::pagination::{PageQuery, Pager};
use crate::auth::password::check_new_password;
use crate::db;
use crate::db::organisations::OrganisationSummary;
use crate::db::users::{NewUser, UserDetail, UserSummary};
use crate::domain::organisation::OrganisationKind;
use crate::domain::policy::Permission;
use crate::domain::role::Role;
use crate::domain::username::Username;
use crate::error::{AppError, AppResult, ResultExt as _};
use crate::state::AppState;

/// Routes under `/admin`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list_users))
        .route("/admin/users/new", get(new_user_form).post(create_user))
        .route("/admin/users/{id}", get(show_user))
        .route("/admin/users/{id}/assignment", post(update_assignment))
        .route("/admin/users/{id}/password", post(reset_password))
        .route("/admin/users/{id}/deactivate", post(deactivate))
        .route("/admin/users/{id}/activate", post(activate))
        .route("/admin/organisations", get(list_organisations))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/users.html")]
struct UsersPage {
    ctx: PageContext,
    rows: Vec<UserSummary>,
    pager: Pager,
}

async fn list_users(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(page): Query<PageQuery>,
) -> AppResult<UsersPage> {
    user.require(Permission::ManageUsers)?;
    let (limit, offset) = page.limit_offset();
    let (rows, total) = db::users::list(&state.db, limit, offset).await?;
    Ok(UsersPage {
        ctx,
        rows,
        pager: Pager::new(&page, total),
    })
}

/// The account form as typed, kept to be shown again when it has mistakes.
#[derive(Clone, Debug, Default, Deserialize)]
struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    facility_tax_code: String,
    #[serde(default)]
    password: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/user_new.html")]
struct NewUserPage {
    ctx: PageContext,
    form: UserForm,
    errors: FieldErrors,
    roles: Vec<Role>,
    organisations: Vec<(i64, String)>,
}

async fn new_user_form(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
) -> AppResult<NewUserPage> {
    user.require(Permission::ManageUsers)?;
    Ok(NewUserPage {
        ctx,
        form: UserForm::default(),
        errors: FieldErrors::default(),
        roles: Role::ALL.to_vec(),
        organisations: db::organisations::options(&state.db).await?,
    })
}

/// A role, organisation and facility that belong together.
struct Assignment {
    role: Role,
    organisation_id: i64,
    facility_id: Option<i64>,
}

/// Checks role, organisation and facility fields against each other and the database.
async fn parse_assignment(
    state: &AppState,
    role: &str,
    organisation_id: &str,
    facility_tax_code: &str,
    errors: &mut FieldErrors,
) -> AppResult<Option<Assignment>> {
    let role = Role::from_code(role.trim());
    if role.is_none() {
        errors.add("role", "admin.role_required");
    }
    let found = match organisation_id.trim().parse::<i64>() {
        Ok(id) => db::organisations::find_kind(&state.db, id)
            .await?
            .map(|(kind, open)| (id, kind, open)),
        Err(_) => None,
    };
    // An account goes only to an organisation that is open: a closed office has no work.
    let organisation = match found {
        Some((id, kind, true)) => Some((id, kind)),
        Some((_, _, false)) => {
            errors.add("organisation_id", "admin.organisation_closed");
            None
        }
        None => {
            errors.add("organisation_id", "admin.organisation_required");
            None
        }
    };
    let mut facility_id = None;
    if role == Some(Role::FacilityOwner) {
        let tax_code: String = facility_tax_code
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        facility_id = db::facilities::find_id_by_tax_code(&state.db, &tax_code).await?;
        if facility_id.is_none() {
            errors.add("facility_tax_code", "admin.facility_required");
        }
    }
    if let (Some(role), Some((_, kind))) = (role, organisation) {
        // Local officers need an office with an area, or they would see nothing.
        if role == Role::LocalOfficer && kind != OrganisationKind::LocalOffice {
            errors.add("organisation_id", "admin.officer_needs_office");
        }
    }
    Ok(match (role, organisation, errors.is_empty()) {
        (Some(role), Some((organisation_id, _)), true) => Some(Assignment {
            role,
            organisation_id,
            facility_id,
        }),
        _ => None,
    })
}

fn clean_text(input: &str, max: usize) -> Option<String> {
    let text = input.trim();
    let ok = !text.is_empty() && text.chars().count() <= max && !text.chars().any(char::is_control);
    ok.then(|| text.to_owned())
}

/// Who a new account is: its name, the person's full name and an e-mail address if any.
struct Identity<'a> {
    username: Username,
    full_name: String,
    email: Option<&'a str>,
}

impl<'a> Identity<'a> {
    /// The identity typed in `form`, its password checked too, or `None` with the mistakes
    /// in `errors`.
    fn check(form: &'a UserForm, errors: &mut FieldErrors) -> Option<Self> {
        let username = Username::parse(&form.username);
        if username.is_none() {
            errors.add("username", "admin.username_invalid");
        }
        let full_name = clean_text(&form.full_name, 200);
        if full_name.is_none() {
            errors.add("full_name", "admin.full_name_invalid");
        }
        let email = form.email.trim();
        let email_ok = email.is_empty()
            || (email.len() <= 254
                && email.contains('@')
                && !email.chars().any(char::is_whitespace));
        if !email_ok {
            errors.add("email", "admin.email_invalid");
        }
        if let Err(key) = check_new_password(&form.password) {
            errors.add("password", key);
        }
        Some(Self {
            username: username?,
            full_name: full_name?,
            email: (!email.is_empty()).then_some(email),
        })
    }
}

async fn create_user(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Form(form): Form<UserForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageUsers)?;
    let mut errors = FieldErrors::default();
    let identity = Identity::check(&form, &mut errors);
    let assignment = parse_assignment(
        &state,
        &form.role,
        &form.organisation_id,
        &form.facility_tax_code,
        &mut errors,
    )
    .await?;

    let (
        Some(Identity {
            username,
            full_name,
            email,
        }),
        Some(assignment),
        true,
    ) = (identity, assignment, errors.is_empty())
    else {
        return render_new_user(&state, ctx, form, errors).await;
    };
    let password_hash = state
        .passwords
        .hash(SecretString::from(form.password.clone()))
        .await?;
    let new_user = NewUser {
        username: username.as_str(),
        full_name: &full_name,
        email,
        password_hash: &password_hash,
        role: assignment.role,
        organisation_id: assignment.organisation_id,
        facility_id: assignment.facility_id,
    };
    let created = db::users::insert(&state.db, &new_user)
        .await
        .on_constraint("users_username_key", || {
            AppError::Conflict("admin.username_taken")
        });
    match created {
        Ok(id) => {
            tracing::info!(user.id = id, by = user.0.user_id, "account created");
            let flash = Flash::success("flash.user_created").with(username.as_str());
            Ok((flash, Redirect::to(&format!("/admin/users/{id}"))).into_response())
        }
        Err(AppError::Conflict(key)) => {
            render_new_user(&state, ctx, form, one_error("username", key)).await
        }
        Err(other) => Err(other),
    }
}

async fn render_new_user(
    state: &AppState,
    ctx: PageContext,
    mut form: UserForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    // A password is never sent back to the browser.
    form.password.clear();
    let page = NewUserPage {
        ctx,
        form,
        errors,
        roles: Role::ALL.to_vec(),
        organisations: db::organisations::options(&state.db).await?,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/user_show.html")]
struct UserPage {
    ctx: PageContext,
    account: UserDetail,
    roles: Vec<Role>,
    organisations: Vec<(i64, String)>,
    errors: FieldErrors,
    is_self: bool,
}

async fn show_user(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<UserPage> {
    user.require(Permission::ManageUsers)?;
    user_page(&state, ctx, &user, id, FieldErrors::default()).await
}

async fn user_page(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    id: i64,
    errors: FieldErrors,
) -> AppResult<UserPage> {
    Ok(UserPage {
        ctx,
        account: db::users::get(&state.db, id).await?,
        roles: Role::ALL.to_vec(),
        organisations: db::organisations::options(&state.db).await?,
        errors,
        is_self: user.0.user_id == id,
    })
}

async fn refuse_on_page(
    state: &AppState,
    ctx: PageContext,
    user: &CurrentUser,
    id: i64,
    errors: FieldErrors,
) -> AppResult<Response> {
    let page = user_page(state, ctx, user, id, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn update_assignment(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<UserForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageUsers)?;
    let mut errors = FieldErrors::default();
    if user.0.user_id == id {
        // An administrator who demotes themselves could lock everyone out.
        errors.add("role", "admin.not_yourself");
    }
    let assignment = parse_assignment(
        &state,
        &form.role,
        &form.organisation_id,
        &form.facility_tax_code,
        &mut errors,
    )
    .await?;
    let Some(assignment) = assignment.filter(|_| errors.is_empty()) else {
        return refuse_on_page(&state, ctx, &user, id, errors).await;
    };
    db::users::update_assignment(
        &state.db,
        id,
        assignment.role,
        assignment.organisation_id,
        assignment.facility_id,
    )
    .await?;
    tracing::info!(user.id = id, by = user.0.user_id, "account reassigned");
    Ok(back_to_account(id, "flash.user_updated"))
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageUsers)?;
    if let Err(key) = check_new_password(&form.password) {
        return refuse_on_page(&state, ctx, &user, id, one_error("password", key)).await;
    }
    let hash = state
        .passwords
        .hash(SecretString::from(form.password))
        .await?;
    db::users::set_password(&state.db, id, &hash).await?;
    tracing::info!(user.id = id, by = user.0.user_id, "password reset");
    Ok(back_to_account(id, "flash.password_reset"))
}

async fn deactivate(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Permission::ManageUsers)?;
    if user.0.user_id == id {
        return refuse_on_page(
            &state,
            ctx,
            &user,
            id,
            one_error("active", "admin.not_yourself"),
        )
        .await;
    }
    db::users::set_active(&state.db, id, false).await?;
    tracing::info!(user.id = id, by = user.0.user_id, "account deactivated");
    Ok(back_to_account(id, "flash.user_deactivated"))
}

async fn activate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Permission::ManageUsers)?;
    db::users::set_active(&state.db, id, true).await?;
    tracing::info!(user.id = id, by = user.0.user_id, "account activated");
    Ok(back_to_account(id, "flash.user_activated"))
}

/// Back to the account's page with a success message.
fn back_to_account(id: i64, message_key: &'static str) -> Response {
    (
        Flash::success(message_key),
        Redirect::to(&format!("/admin/users/{id}")),
    )
        .into_response()
}

fn one_error(field: &'static str, key: &'static str) -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add(field, key);
    errors
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/organisations.html")]
struct OrganisationsPage {
    ctx: PageContext,
    rows: Vec<OrganisationSummary>,
}

async fn list_organisations(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
) -> AppResult<OrganisationsPage> {
    user.require(Permission::ViewOrganisations)?;
    Ok(OrganisationsPage {
        ctx,
        rows: db::organisations::list(&state.db).await?,
    })
}
