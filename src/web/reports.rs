//! The annual report (`/reports`): a plan year's proposals by state, level, activity type,
//! sector and area, its funding and effects, the years before it, and a summary paragraph
//! written from those figures (`domain::report::summary`). A local office's report covers
//! its area: every figure comes through the user's scope.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::chart::{self, Chart, Item, Series};
use super::context::{CurrentUser, PageContext};
use super::export::{self as xlsx, Column, Export, Format, Kind, Value};
use crate::db;
use crate::db::reports::{Dimension, EnvelopeTotal, Group, ReportFilter, SourceOption};
use crate::domain::money::format_vnd;
use crate::domain::policy::Permission;
use crate::domain::proposal::{ProposalLevel, ProposalState};
use crate::domain::report::{self, Figure, YearTotals};
use crate::error::{AppError, AppResult};
use crate::i18n::{self, Lang};
use crate::state::AppState;

/// How many years the comparison goes back (the chart stays readable).
const YEARS_COMPARED: usize = 10;

/// Routes: `/reports`, and its tables as a workbook or CSV at `/reports/export`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", get(annual))
        .route("/reports/export", get(export))
}

/// The report's query: a plan year and a funding source, both optional.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReportQuery {
    #[serde(default)]
    year: String,
    #[serde(default)]
    source: String,
    /// `xlsx` or `csv` (the export only).
    #[serde(default)]
    format: String,
}

/// A breakdown's section: its chart of counts, whose table adds the money.
struct Table {
    /// The section's title key.
    title_key: &'static str,
    chart: Chart,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/annual.html")]
struct AnnualPage {
    ctx: PageContext,
    year: i16,
    years: Vec<i16>,
    sources: Vec<SourceOption>,
    source: String,
    /// The generated summary, one sentence after another.
    summary: String,
    totals: YearTotals,
    envelopes: Vec<EnvelopeTotal>,
    tables: Vec<Table>,
    comparison: Chart,
}

/// Everything a report is drawn from, read in four statements.
pub(crate) struct ReportData {
    pub year: i16,
    pub source: Option<String>,
    pub sources: Vec<SourceOption>,
    pub history: Vec<YearTotals>,
    pub groups: Vec<Group>,
    pub envelopes: Vec<EnvelopeTotal>,
}

impl ReportData {
    /// The report's year's totals.
    pub fn totals(&self) -> YearTotals {
        self.history
            .iter()
            .find(|t| t.year == i32::from(self.year))
            .cloned()
            .unwrap_or_default()
    }

    /// The totals of the year before the report's, when it had proposals.
    pub fn before(&self) -> Option<&YearTotals> {
        self.history
            .iter()
            .find(|t| t.year == i32::from(self.year) - 1)
    }
}

/// Reads the report `query` asks for, within `user`'s scope: a malformed year or an
/// unknown source is a 400; a year the scope has no proposals in is not found.
pub(crate) async fn load(
    state: &AppState,
    user: &CurrentUser,
    query: &ReportQuery,
) -> AppResult<ReportData> {
    user.require(Permission::ViewReports)?;
    let asked = match query.year.trim() {
        "" => None,
        text => Some(super::form::plan_year(text)?),
    };
    let source = match query.source.trim() {
        "" => None,
        code => Some(code.to_owned()),
    };
    // The history covers every year (`year: None`); the year's statements narrow it.
    let filter = ReportFilter {
        scope: user.scope(),
        year: None,
        source,
    };
    let pool = &state.db;
    // The sources check the filter's; the newest year is the one reported on when none is
    // asked for.
    let (sources, newest) = tokio::try_join!(db::reports::sources(pool), async {
        match asked {
            Some(year) => Ok(Some(year)),
            None => db::reports::newest_year(pool, &filter).await,
        }
    })?;
    if let Some(code) = &filter.source
        && !sources.iter().any(|s| &s.code == code)
    {
        return Err(AppError::BadRequest("error.bad_filter"));
    }
    let year = newest.ok_or(AppError::NotFound)?;
    let this_year = ReportFilter {
        year: Some(year),
        ..filter.clone()
    };
    // The envelopes are the province's: a local office's report leaves them out.
    let province = match (&filter.scope.province_code, filter.scope.area_unit_id) {
        (Some(province), None) if filter.scope.facility_id.is_none() => Some(province.clone()),
        _ => None,
    };
    let envelopes = async {
        match &province {
            Some(province) => {
                db::reports::envelopes(pool, province, year, filter.source.as_deref()).await
            }
            None => Ok(Vec::new()),
        }
    };
    // The statements are independent once the year is known: they run side by side, each on
    // its own connection, so the page waits for the slowest rather than for their sum.
    let (history, groups, envelopes) = tokio::try_join!(
        db::reports::year_totals(pool, &filter),
        db::reports::breakdown(pool, &this_year),
        envelopes,
    )?;
    if !history.iter().any(|t| t.year == i32::from(year)) {
        return Err(AppError::NotFound);
    }
    Ok(ReportData {
        year,
        source: filter.source,
        sources,
        history,
        groups,
        envelopes,
    })
}

/// The summary paragraph in `lang`.
pub(crate) fn summary_text(lang: Lang, data: &ReportData) -> String {
    report::summary(&data.totals(), data.before())
        .iter()
        .map(|sentence| {
            let figures: Vec<(&str, String)> = sentence
                .figures
                .iter()
                .map(|(name, figure)| (*name, figure.render(lang)))
                .collect();
            let args: Vec<(&str, &str)> = figures.iter().map(|(n, v)| (*n, v.as_str())).collect();
            i18n::t_with(lang, sentence.key, &args)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A group's name in `lang`: states and levels from the catalogue, the rest from their rows.
pub(crate) fn group_name(lang: Lang, group: &Group) -> String {
    let named = match group.dimension {
        Dimension::State => ProposalState::from_code(&group.key).map(|s| s.label_key()),
        Dimension::Level => ProposalLevel::from_code(&group.key).map(|l| l.label_key()),
        _ => None,
    };
    match named {
        Some(key) => i18n::t(lang, key).to_owned(),
        None => {
            let name = match lang {
                Lang::Vi => &group.name_vi,
                Lang::En => &group.name_en,
            };
            if name.is_empty() {
                i18n::t(lang, "reports.unknown").to_owned()
            } else {
                name.clone()
            }
        }
    }
}

/// The breakdown sections, in the order the report shows them.
pub(crate) const SECTIONS: [(Dimension, &str, &str); 5] = [
    (Dimension::State, "state", "reports.by_state"),
    (Dimension::Level, "level", "reports.by_level"),
    (Dimension::Activity, "activity", "reports.by_activity"),
    (Dimension::Sector, "sector", "reports.by_sector"),
    (Dimension::Area, "area", "reports.by_area"),
];

fn tables(lang: Lang, groups: &[Group]) -> Vec<Table> {
    SECTIONS
        .iter()
        .map(|&(dimension, id, title_key)| {
            let mut mine: Vec<&Group> =
                groups.iter().filter(|g| g.dimension == dimension).collect();
            if dimension == Dimension::State {
                // States read in the order of a proposal's life, not by size.
                mine.sort_by_key(|g| ProposalState::ALL.iter().position(|s| s.code() == g.key));
            }
            let items = mine
                .iter()
                .map(|g| Item {
                    label: group_name(lang, g),
                    value: g.count,
                    shown: Figure::Count(g.count).render(lang),
                })
                .collect();
            let mut chart = chart::bars(
                &format!("chart-{id}"),
                i18n::t(lang, title_key),
                i18n::t(lang, "reports.proposals"),
                items,
            );
            chart.columns.extend(
                ["reports.requested", "reports.approved"].map(|k| i18n::t(lang, k).to_owned()),
            );
            for ((_, values), g) in chart.rows.iter_mut().zip(&mine) {
                values.extend([format_vnd(g.requested), format_vnd(g.approved)]);
            }
            Table { title_key, chart }
        })
        .collect()
}

/// Approved and paid, year by year, oldest on the left; the table adds the counts.
fn comparison(lang: Lang, history: &[YearTotals]) -> Chart {
    let years: Vec<&YearTotals> = history.iter().take(YEARS_COMPARED).rev().collect();
    let series = |key: &str, value: fn(&YearTotals) -> i64| Series {
        name: i18n::t(lang, key).to_owned(),
        values: years
            .iter()
            .map(|t| (value(t), format_vnd(value(t))))
            .collect(),
    };
    let mut chart = chart::columns(
        "chart-years",
        i18n::t(lang, "reports.years_chart"),
        years.iter().map(|t| t.year.to_string()).collect(),
        vec![
            series("reports.approved", |t| t.approved),
            series("reports.paid", |t| t.paid),
        ],
    );
    chart.columns = [
        "reports.proposals",
        "reports.completed",
        "reports.approved",
        "reports.paid",
        "reports.jobs_created",
    ]
    .map(|k| i18n::t(lang, k).to_owned())
    .into();
    chart.rows = years
        .iter()
        .map(|t| {
            let count = |n: i64| Figure::Count(n).render(lang);
            let values = vec![
                count(t.proposals),
                count(t.completed),
                format_vnd(t.approved),
                format_vnd(t.paid),
                count(t.jobs_created),
            ];
            (t.year.to_string(), values)
        })
        .collect();
    chart
}

async fn annual(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(query): Query<ReportQuery>,
) -> AppResult<AnnualPage> {
    let data = load(&state, &user, &query).await?;
    let lang = ctx.lang;
    Ok(AnnualPage {
        summary: summary_text(lang, &data),
        totals: data.totals(),
        tables: tables(lang, &data.groups),
        comparison: comparison(lang, &data.history),
        year: data.year,
        years: data
            .history
            .iter()
            .filter_map(|t| i16::try_from(t.year).ok())
            .collect(),
        source: data.source.clone().unwrap_or_default(),
        sources: data.sources,
        envelopes: data.envelopes,
        ctx,
    })
}

/// The report's tables, one after another (a sheet each in XLSX): the key figures under
/// the summary, each breakdown, and the years.
async fn export(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(query): Query<ReportQuery>,
) -> AppResult<Response> {
    let format = Format::parse(&query.format)?;
    let data = load(&state, &user, &query).await?;
    let lang = ctx.lang;
    let title = format!("{} {}", i18n::t(lang, "reports.title"), data.year);
    let out = Export::start(format, lang);
    let tables = ReportTables {
        out: &out,
        lang,
        data: &data,
        title: &title,
    };
    tables.key_figures().await?;
    tables.breakdowns().await?;
    tables.years().await?;
    out.finish(&title).await
}

/// The report's tables as an export writes them.
struct ReportTables<'a> {
    out: &'a Export,
    lang: Lang,
    data: &'a ReportData,
    title: &'a str,
}

impl ReportTables<'_> {
    fn t(&self, key: &str) -> String {
        i18n::t(self.lang, key).to_owned()
    }

    /// The key figures' table, under the summary.
    async fn key_figures(&self) -> AppResult<()> {
        let (out, lang, data, title) = (self.out, self.lang, self.data, self.title);
        let t = |key: &str| self.t(key);
        let totals = data.totals();
        out.table(
            xlsx::Table::new(
                t("reports.key_figures"),
                title.to_owned(),
                &[
                    Column::text("reports.figure"),
                    Column::money("reports.value"),
                ],
            )
            .note(summary_text(lang, data))
            .without_filter(),
        )
        .await?;
        let shown = |figure: Option<Figure>| figure.map_or(Value::Empty, |f| f.render(lang).into());
        let figures: [(&str, Value); 13] = [
            ("reports.proposals", totals.proposals.into()),
            ("reports.national", totals.national.into()),
            ("reports.completed", totals.completed.into()),
            ("reports.under_way", totals.under_way.into()),
            ("reports.approved", totals.approved.into()),
            ("reports.advanced", totals.advanced.into()),
            ("reports.paid", totals.paid.into()),
            (
                "reports.disbursement",
                shown(totals.disbursement_bp().map(Figure::Percent)),
            ),
            ("reports.counterpart", totals.counterpart.into()),
            (
                "reports.counterpart_per_dong",
                shown(totals.counterpart_per_dong().map(Figure::Tenths)),
            ),
            ("reports.evaluated", totals.evaluated.into()),
            ("reports.jobs_created", totals.jobs_created.into()),
            ("reports.revenue_gain", totals.revenue_gain.into()),
        ];
        for (key, value) in figures {
            out.row(vec![t(key).into(), value]).await?;
        }
        Ok(())
    }

    /// A table per breakdown (by activity, by area…).
    async fn breakdowns(&self) -> AppResult<()> {
        let (out, lang, data, title) = (self.out, self.lang, self.data, self.title);
        let t = |key: &str| self.t(key);
        for &(dimension, _, title_key) in &SECTIONS {
            let columns = [
                Column::labelled(t(title_key), Kind::Text),
                Column::integer("reports.proposals"),
                Column::money("reports.requested"),
                Column::money("reports.approved"),
            ];
            out.table(xlsx::Table::new(
                t(title_key),
                format!("{title} — {}", t(title_key)),
                &columns,
            ))
            .await?;
            for group in data.groups.iter().filter(|g| g.dimension == dimension) {
                let row = vec![
                    group_name(lang, group).into(),
                    group.count.into(),
                    group.requested.into(),
                    group.approved.into(),
                ];
                out.row(row).await?;
            }
        }
        Ok(())
    }

    /// The years' table.
    async fn years(&self) -> AppResult<()> {
        let (out, data) = (self.out, self.data);
        let years = self.t("reports.years");
        let columns = [
            Column::integer("reports.year"),
            Column::integer("reports.proposals"),
            Column::integer("reports.completed"),
            Column::money("reports.approved"),
            Column::money("reports.advanced"),
            Column::money("reports.paid"),
            Column::money("reports.counterpart"),
        ];
        out.table(xlsx::Table::new(years.clone(), years, &columns))
            .await?;
        for year in &data.history {
            let row = vec![
                i64::from(year.year).into(),
                year.proposals.into(),
                year.completed.into(),
                year.approved.into(),
                year.advanced.into(),
                year.paid.into(),
                year.counterpart.into(),
            ];
            out.row(row).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_summary_sentence_is_in_both_catalogues() {
        let keys = [
            "reports.summary.completed",
            "reports.summary.completed_national",
            "reports.summary.under_way",
            "reports.summary.funding",
            "reports.summary.funding_paid",
            "reports.summary.counterpart",
            "reports.summary.effects",
            "reports.summary.more_than_before",
            "reports.summary.fewer_than_before",
            "reports.summary.same_as_before",
        ];
        for lang in [Lang::Vi, Lang::En] {
            for key in keys {
                assert_ne!(i18n::t(lang, key), key, "{key} in {lang:?}");
            }
        }
    }
}
