//! The lists' exports: the same permission, scope, search and filters as the list page (its
//! own query parsing: a malformed filter is the same 400), every matching row up to the cap
//! (not one page), `?format=xlsx` (default) or `csv`.

use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use time::{Date, OffsetDateTime};

use super::{Column, Export, Format, QUERY_LIMIT, Style, Table, Value};
use crate::db;
use crate::db::facilities::FacilityExportRow;
use crate::db::funding::CommitmentRow;
use crate::db::progress::InProgressExportRow;
use crate::db::proposals::{ProposalExportRow, ProposalFilters};
use crate::domain::format as dates;
use crate::domain::policy::Permission;
use crate::domain::role::Role;
use crate::error::AppResult;
use crate::i18n::{self, Lang};
use crate::state::AppState;
use crate::web::context::{CurrentUser, PageContext};
use crate::web::{facilities, proposals, today};

/// `?format=`, beside the list's own parameters.
#[derive(Debug, Default, Deserialize)]
pub(super) struct FormatQuery {
    #[serde(default)]
    format: String,
}

/// "Xuất ngày 05/03/2025 14:05", under every list's title.
fn exported_at(lang: Lang) -> String {
    i18n::t_with(
        lang,
        "export.exported_at",
        &[("value", &dates::date_time(OffsetDateTime::now_utc()))],
    )
}

/// "Điều kiện lọc: …" from the filters' descriptions, or nothing.
fn filters_line(lang: Lang, parts: &[String]) -> Option<String> {
    (!parts.is_empty())
        .then(|| i18n::t_with(lang, "export.filters", &[("value", &parts.join("; "))]))
}

fn localised(lang: Lang, vi: String, en: String) -> String {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// A name of `options` (`(code, vi, en)`) in `lang`, or the code.
fn option_name(lang: Lang, options: &[(String, String, String)], code: &str) -> String {
    options.iter().find(|(c, _, _)| c == code).map_or_else(
        || code.to_owned(),
        |(_, vi, en)| localised(lang, vi.clone(), en.clone()),
    )
}

// ---------------------------------------------------------------- proposals

const PROPOSAL_COLUMNS: &[Column] = &[
    Column::text("export.col.code"),
    Column::text("export.col.title").width(50),
    Column::integer("export.col.plan_year"),
    Column::text("export.col.level"),
    Column::text("export.col.state"),
    Column::text("export.col.activity").width(30),
    Column::text("export.col.beneficiaries").width(40),
    Column::text("export.col.commune"),
    Column::text("export.col.district"),
    Column::text("export.col.office").width(30),
    Column::money("export.col.total_cost"),
    Column::money("export.col.requested"),
    Column::money("export.col.counterpart"),
    Column::money("export.col.approved"),
    Column::date("export.col.start"),
    Column::date("export.col.end"),
    Column::date("export.col.submitted"),
];

fn proposal_values(r: ProposalExportRow, lang: Lang, plain: bool) -> Vec<Value> {
    let state = if plain {
        r.state.plain_key()
    } else {
        r.state.label_key()
    };
    vec![
        r.code.into(),
        r.title.into(),
        r.plan_year.into(),
        i18n::t(lang, r.level.label_key()).into(),
        i18n::t(lang, state).into(),
        localised(lang, r.activity_vi, r.activity_en).into(),
        r.facilities.into(),
        r.unit_name.into(),
        r.district_name.into(),
        r.office_name.into(),
        r.total_cost.into(),
        r.requested_support.into(),
        r.counterpart_funds.into(),
        r.approved_support.into(),
        r.start_date.into(),
        r.end_date.into(),
        r.submitted_on.into(),
    ]
}

/// The filters of a proposals list, as words.
async fn describe_proposal_filters(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    q: &str,
    f: &ProposalFilters,
) -> AppResult<Vec<String>> {
    let mut parts = Vec::new();
    if !q.trim().is_empty() {
        parts.push(format!("“{}”", q.trim()));
    }
    if let Some(year) = f.plan_year {
        parts.push(format!("{} {year}", i18n::t(lang, "export.col.plan_year")));
    }
    if let Some(s) = f.state {
        parts.push(i18n::t(lang, s.label_key()).to_owned());
    }
    if let Some(l) = f.level {
        parts.push(i18n::t(lang, l.label_key()).to_owned());
    }
    if let Some(code) = &f.activity_type_code {
        let options = db::proposals::activity_type_options(&state.db).await?;
        parts.push(option_name(lang, &options, code));
    }
    if let Some(code) = &f.sector_code {
        let options = db::facilities::sector_options(&state.db).await?;
        parts.push(option_name(lang, &options, code));
    }
    if let Some(id) = f.unit_id {
        parts.push(unit_name(state, user, id).await?);
    }
    Ok(parts)
}

/// The name of a unit the user may filter by, or its id.
async fn unit_name(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<String> {
    let units =
        db::facilities::commune_options(&state.db, &user.0.province_code, user.0.area_unit_id)
            .await?;
    Ok(units
        .into_iter()
        .find(|u| u.id == id)
        .map_or_else(|| id.to_string(), |u| u.full_name))
}

/// `GET /proposals/export`: the proposals list (`/proposals`, same query) as a file.
pub(super) async fn proposals(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(format): Query<FormatQuery>,
    Query(query): Query<proposals::ListQuery>,
) -> AppResult<Response> {
    user.require(Permission::ViewProposals)?;
    let format = Format::parse(&format.format)?;
    let filters = query.filters(db::search::tsquery(&state.db, &query.q).await?)?;
    let lang = ctx.lang;
    let scope = user.scope();
    let plain = user.0.role == Role::FacilityOwner;
    let described = describe_proposal_filters(&state, &user, lang, &query.q, &filters).await?;
    let mut table = Table::new(
        i18n::t(lang, "export.proposals_sheet"),
        i18n::t(lang, "export.proposals_title"),
        PROPOSAL_COLUMNS,
    );
    if let Some(line) = filters_line(lang, &described) {
        table = table.note(line);
    }
    let table = table
        .note(exported_at(lang))
        .note(i18n::t(lang, "export.unit_money"));
    let export = Export::start(format, lang);
    export.table(table).await?;
    db::proposals::export(&state.db, &scope, &filters, QUERY_LIMIT, |row| {
        export.row(proposal_values(row, lang, plain))
    })
    .await?;
    let mut name = i18n::t(lang, "export.proposals_file").to_owned();
    if let Some(year) = filters.plan_year {
        name = format!("{name} {year}");
    }
    export.finish(&name).await
}

// ---------------------------------------------------------------- facilities

const FACILITY_COLUMNS: &[Column] = &[
    Column::text("export.col.facility").width(40),
    Column::text("export.col.tax_code"),
    Column::text("export.col.legal_form"),
    Column::text("export.col.owner"),
    Column::text("export.col.phone"),
    Column::text("export.col.address").width(30),
    Column::text("export.col.commune"),
    Column::text("export.col.district"),
    Column::text("export.col.sector").width(30),
    Column::text("export.col.products").width(30),
    Column::integer("export.col.workers"),
    Column::money("export.col.revenue"),
    Column::money("export.col.capital"),
];

fn facility_values(r: FacilityExportRow, lang: Lang) -> Vec<Value> {
    vec![
        r.name.into(),
        r.tax_code.into(),
        i18n::t(lang, r.legal_form.label_key()).into(),
        r.owner_name.into(),
        r.phone.into(),
        r.address_detail.into(),
        r.unit_name.into(),
        r.district_name.into(),
        localised(lang, r.sector_vi, r.sector_en).into(),
        r.main_products.into(),
        r.workers.into(),
        r.annual_revenue.into(),
        r.capital.into(),
    ]
}

/// `GET /facilities/export`: the facilities list (`/facilities`, same query) as a file.
pub(super) async fn facilities(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(format): Query<FormatQuery>,
    Query(query): Query<facilities::ListQuery>,
) -> AppResult<Response> {
    user.require(Permission::ViewFacilities)?;
    let format = Format::parse(&format.format)?;
    let sectors = db::facilities::sector_options(&state.db).await?;
    let filters = query.filters(&state, &sectors).await?;
    let lang = ctx.lang;
    let mut described = Vec::new();
    if !query.q.trim().is_empty() {
        described.push(format!("“{}”", query.q.trim()));
    }
    if let Some(code) = &filters.sector_code {
        described.push(option_name(lang, &sectors, code));
    }
    if let Some(id) = filters.unit_id {
        described.push(unit_name(&state, &user, id).await?);
    }
    let mut table = Table::new(
        i18n::t(lang, "export.facilities_sheet"),
        i18n::t(lang, "export.facilities_title"),
        FACILITY_COLUMNS,
    );
    if let Some(line) = filters_line(lang, &described) {
        table = table.note(line);
    }
    let export = Export::start(format, lang);
    export.table(table.note(exported_at(lang))).await?;
    db::facilities::export(&state.db, &user.scope(), &filters, QUERY_LIMIT, |row| {
        export.row(facility_values(row, lang))
    })
    .await?;
    export.finish(i18n::t(lang, "export.facilities_file")).await
}

// ---------------------------------------------------------------- proposals being carried out

const PROGRESS_COLUMNS: &[Column] = &[
    Column::text("export.col.code"),
    Column::text("export.col.title").width(50),
    Column::text("export.col.beneficiaries").width(40),
    Column::text("export.col.commune"),
    Column::text("export.col.district"),
    Column::money("export.col.approved"),
    Column::date("export.col.started_on"),
    Column::text("export.col.last_month"),
    Column::percent("export.col.percent_done"),
    Column::money("export.col.spending"),
    Column::text("export.col.status"),
];

fn progress_values(r: InProgressExportRow, lang: Lang) -> Vec<Value> {
    let status = if r.overdue {
        "progress.missing"
    } else {
        "progress.on_time"
    };
    vec![
        r.code.into(),
        r.title.into(),
        r.facilities.into(),
        r.unit_name.into(),
        r.district_name.into(),
        r.approved_support.into(),
        r.started_on.into(),
        r.month.map(dates::month).into(),
        r.percent_done.map(|p| i64::from(p) * 100).into(),
        r.spending.into(),
        i18n::t(lang, status).into(),
    ]
}

/// `GET /progress/export`: the proposals being carried out (`/progress`) as a file.
pub(super) async fn progress(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(format): Query<FormatQuery>,
) -> AppResult<Response> {
    user.require(Permission::ViewProposals)?;
    let format = Format::parse(&format.format)?;
    let lang = ctx.lang;
    let rule = db::progress::rule(&state.db, &user.0.province_code, today()).await?;
    // As the page: the month due now is the latest one whose due day has come.
    let month = rule.month_due(today(), Date::MIN);
    let late_from = month.map(|m| rule.late_from(m));
    let mut table = Table::new(
        i18n::t(lang, "export.progress_sheet"),
        i18n::t(lang, "export.progress_title"),
        PROGRESS_COLUMNS,
    );
    if let (Some(month), Some(late_from)) = (month, late_from) {
        table = table.note(format!(
            "{} {} · {} {}",
            i18n::t(lang, "progress.due_month"),
            dates::month(month),
            i18n::t(lang, "progress.late_from"),
            dates::date(late_from)
        ));
    }
    let export = Export::start(format, lang);
    export.table(table.note(exported_at(lang))).await?;
    db::progress::export_in_progress(
        &state.db,
        &user.scope(),
        month,
        late_from,
        QUERY_LIMIT,
        |row| export.row(progress_values(row, lang)),
    )
    .await?;
    export.finish(i18n::t(lang, "export.progress_file")).await
}

// ---------------------------------------------------------------- commitments

const COMMITMENT_COLUMNS: &[Column] = &[
    Column::text("export.col.source").width(30),
    Column::text("export.col.activity").width(40),
    Column::text("export.col.area").width(30),
    Column::integer("export.col.proposals"),
    Column::money("export.col.committed"),
    Column::money("export.col.contracted"),
];

#[derive(Debug, Default, Deserialize)]
pub(super) struct CommitmentsQuery {
    #[serde(default)]
    year: String,
    #[serde(default)]
    format: String,
}

/// `GET /funding/commitments/export?year=`: the year's commitments (`/funding/commitments`)
/// at their finest grain — source, activity type, area — with the total, as a file.
pub(super) async fn commitments(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(query): Query<CommitmentsQuery>,
) -> AppResult<Response> {
    user.require(Permission::ViewFunding)?;
    let format = Format::parse(&query.format)?;
    let year = crate::web::form::plan_year(&query.year)?;
    let lang = ctx.lang;
    let (rows, sources) = tokio::try_join!(
        db::funding::commitments(&state.db, &user.0.province_code, year),
        db::funding::sources(&state.db),
    )?;
    let year_text = year.to_string();
    let table = Table::new(
        i18n::t(lang, "export.commitments_sheet"),
        i18n::t_with(lang, "export.commitments_title", &[("value", &year_text)]),
        COMMITMENT_COLUMNS,
    )
    .note(exported_at(lang))
    .note(i18n::t(lang, "export.unit_money"));
    let export = Export::start(format, lang);
    export.table(table).await?;
    let (mut proposals, mut approved, mut contracted) = (0_i64, 0_i64, 0_i64);
    for r in rows {
        let CommitmentRow {
            source_code,
            activity_vi,
            activity_en,
            area,
            proposals: count,
            approved: amount,
            contracted: signed,
            ..
        } = r;
        proposals = proposals.saturating_add(count);
        approved = approved.saturating_add(amount);
        contracted = contracted.saturating_add(signed);
        let source = sources.iter().find(|s| s.code == source_code).map_or_else(
            || source_code.clone(),
            |s| localised(lang, s.name_vi.clone(), s.name_en.clone()),
        );
        export
            .row(vec![
                source.into(),
                localised(lang, activity_vi, activity_en).into(),
                area.into(),
                count.into(),
                amount.into(),
                signed.into(),
            ])
            .await?;
    }
    export
        .styled(
            Style::Total,
            vec![
                i18n::t(lang, "export.total").into(),
                Value::Empty,
                Value::Empty,
                proposals.into(),
                approved.into(),
                contracted.into(),
            ],
        )
        .await?;
    let name = i18n::t_with(lang, "export.commitments_file", &[("value", &year_text)]);
    export.finish(&name).await
}
