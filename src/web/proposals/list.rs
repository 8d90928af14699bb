//! The proposals list: search, filters, counts per state, pages.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::db;
use crate::db::facilities::UnitOption;
use crate::db::proposals::{ProposalFilters, ProposalSummary};
use crate::domain::format;
use crate::domain::policy::Permission;
use crate::domain::proposal::{ProposalLevel, ProposalState};
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::context::{CurrentUser, PageContext};
use crate::web::pagination::{PageQuery, Pager};

// ---------------------------------------------------------------- list

/// The list's query string (its export, `web::export`, reads the same).
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default)]
    pub(crate) q: String,
    #[serde(default)]
    pub(crate) year: String,
    #[serde(default)]
    pub(crate) state: String,
    #[serde(default)]
    pub(crate) level: String,
    #[serde(default)]
    pub(crate) activity: String,
    #[serde(default)]
    pub(crate) sector: String,
    #[serde(default)]
    pub(crate) unit: String,
    #[serde(default)]
    pub(crate) sort: String,
}

impl ListQuery {
    /// The filters around `query` (the search's `tsquery`), or a 400 for a value no form of
    /// ours sends.
    pub(crate) fn filters(&self, query: Option<String>) -> AppResult<ProposalFilters> {
        let bad = || AppError::BadRequest("error.bad_filter");
        let optional = |text: &str| {
            let trimmed = text.trim();
            (!trimmed.is_empty()).then(|| trimmed.to_owned())
        };
        let code_like = |text: String| {
            if text.len() <= 40 && text.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                Ok(text)
            } else {
                Err(bad())
            }
        };
        Ok(ProposalFilters {
            query,
            plan_year: optional(&self.year)
                .map(|y| {
                    y.parse::<i16>()
                        .ok()
                        .filter(|y| (2000..=2100).contains(y))
                        .ok_or_else(bad)
                })
                .transpose()?,
            state: optional(&self.state)
                .map(|s| ProposalState::from_code(&s).ok_or_else(bad))
                .transpose()?,
            level: optional(&self.level)
                .map(|l| ProposalLevel::from_code(&l).ok_or_else(bad))
                .transpose()?,
            activity_type_code: optional(&self.activity).map(code_like).transpose()?,
            sector_code: optional(&self.sector).map(code_like).transpose()?,
            unit_id: optional(&self.unit)
                .map(|u| u.parse::<i64>().map_err(|_| bad()))
                .transpose()?,
            sort: match self.sort.as_str() {
                "code" | "requested" => self.sort.clone(),
                _ => "newest".into(),
            },
        })
    }

    fn pairs(&self) -> [(&'static str, &str); 8] {
        [
            ("q", &self.q),
            ("year", &self.year),
            ("state", &self.state),
            ("level", &self.level),
            ("activity", &self.activity),
            ("sector", &self.sector),
            ("unit", &self.unit),
            ("sort", &self.sort),
        ]
    }

    /// This list with the state filter set to `state` (for the counts).
    fn with_state(&self, state: &str) -> String {
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in self.pairs() {
            let value = if name == "state" { state } else { value };
            if !value.is_empty() {
                serializer.append_pair(name, value);
            }
        }
        format!("/proposals?{}", serializer.finish())
    }
}

/// A state and how many proposals of the list are in it.
struct StateCount {
    state: ProposalState,
    count: i64,
    href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "proposals/list.html")]
pub(super) struct ListPage {
    ctx: PageContext,
    rows: Vec<ProposalSummary>,
    pager: Pager,
    plain: bool,
    query: ListQuery,
    counts: Vec<StateCount>,
    all_href: String,
    activity_types: Vec<(String, String, String)>,
    sectors: Vec<(String, String, String)>,
    units: Vec<UnitOption>,
    years: Vec<i32>,
    may_create: bool,
}

pub(super) async fn list(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(page): Query<PageQuery>,
    axum::extract::Query(query): axum::extract::Query<ListQuery>,
) -> AppResult<ListPage> {
    user.require(Permission::ViewProposals)?;
    let filters = query.filters(db::search::tsquery(&state.db, &query.q).await?)?;
    let scope = user.scope();
    let (limit, offset) = page.limit_offset();
    // Independent statements on their own connections: the page waits for the slowest, not
    // for their sum (a search's index scan is the bulk of each).
    let db = &state.db;
    let (rows, by_state, activity_types, sectors, units) = tokio::try_join!(
        db::proposals::list(db, &scope, &filters, limit, offset),
        db::proposals::count_by_state(db, &scope, &filters),
        db::proposals::activity_type_options(db),
        db::facilities::sector_options(db),
        db::facilities::commune_options(db, &user.0.province_code, user.0.area_unit_id),
    )?;
    let total = by_state
        .iter()
        .filter(|(s, _)| filters.state.is_none_or(|wanted| wanted == *s))
        .map(|(_, count)| count)
        .sum();
    let counts = by_state
        .into_iter()
        .map(|(s, count)| StateCount {
            state: s,
            count,
            href: query.with_state(s.code()),
        })
        .collect::<Vec<_>>();
    let mut counts = counts;
    counts.sort_by_key(|c| ProposalState::ALL.iter().position(|s| *s == c.state));
    let pager = Pager::new(&page, total).keeping(&query.pairs());
    let this_year = OffsetDateTime::now_utc().to_offset(format::VIETNAM).year();
    Ok(ListPage {
        ctx,
        rows,
        pager,
        plain: user.0.role == Role::FacilityOwner,
        all_href: query.with_state(""),
        counts,
        activity_types,
        sectors,
        units,
        years: (2016..=this_year + 1).rev().collect(),
        may_create: user.require(Permission::CreateProposal).is_ok(),
        query,
    })
}
