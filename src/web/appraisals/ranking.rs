//! `/appraisals/ranking`: the director's ranking of appraised proposals for one plan year and
//! source of funds, in the order funds are allocated (Thông tư 46/2012/TT-BCT Art. 6.3: area,
//! then sector, then score), with requested and proposed support and the running total.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use serde::Deserialize;

use super::today;
use crate::db;
use crate::db::appraisals::RankingRow;
use crate::domain::appraisal::{self, BeneficiaryFacts, RankingKey, SectorPriority};
use crate::domain::caps::PriorityAreaKind;
use crate::domain::policy::Permission;
use crate::domain::proposal::ProposalLevel;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::context::{CurrentUser, PageContext};

/// Route: `/appraisals/ranking`.
pub fn router() -> Router<AppState> {
    Router::new().route("/appraisals/ranking", get(ranking))
}

#[derive(Debug, Default, Deserialize)]
struct RankingQuery {
    #[serde(default)]
    year: String,
    #[serde(default)]
    level: String,
}

/// A ranked proposal.
pub(crate) struct Ranked {
    pub(crate) rank: usize,
    pub(crate) row: RankingRow,
    pub(crate) area: Option<PriorityAreaKind>,
    pub(crate) sector: SectorPriority,
    /// Proposed support of this and every proposal above it.
    pub(crate) running_total: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "appraisals/ranking.html")]
struct RankingPage {
    ctx: PageContext,
    rows: Vec<Ranked>,
    years: Vec<i16>,
    year: i16,
    level: ProposalLevel,
    levels: [ProposalLevel; 2],
    requested_total: i64,
}

/// Orders appraised proposals for allocation and adds up the proposed support.
pub(crate) fn rank(rows: Vec<RankingRow>) -> Vec<Ranked> {
    let mut keyed: Vec<(RankingKey, Option<PriorityAreaKind>, RankingRow)> = rows
        .into_iter()
        .map(|row| {
            let area = row
                .area_kinds
                .iter()
                .filter_map(|k| PriorityAreaKind::from_code(k))
                .min_by_key(|k| k.rank());
            let facts: Vec<BeneficiaryFacts<'_>> = (0..row.sectors.len())
                .map(|i| BeneficiaryFacts {
                    sector_code: &row.sectors[i],
                    workers: row.workers.get(i).copied().unwrap_or(0),
                    typical_product: row.typical.get(i).copied().unwrap_or(false),
                    exports: row.exports.get(i).copied().unwrap_or(false),
                    local_raw_materials: row.local_raw.get(i).copied().unwrap_or(false),
                })
                .collect();
            let key = RankingKey {
                area_rank: area.map(PriorityAreaKind::rank),
                sector: appraisal::sector_priority(&facts),
                score_tenths: u16::try_from(row.score_tenths).unwrap_or(0),
            };
            (key, area, row)
        })
        .collect();
    // Ties keep a stable order by code.
    keyed.sort_by(|a, b| {
        a.0.sort_key()
            .cmp(&b.0.sort_key())
            .then_with(|| a.2.code.cmp(&b.2.code))
    });
    let mut running_total = 0_i64;
    keyed
        .into_iter()
        .enumerate()
        .map(|(i, (key, area, row))| {
            running_total = running_total.saturating_add(row.proposed_support.unwrap_or(0));
            Ranked {
                rank: i + 1,
                area,
                sector: key.sector,
                running_total,
                row,
            }
        })
        .collect()
}

async fn ranking(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(query): Query<RankingQuery>,
) -> AppResult<RankingPage> {
    user.require(Permission::ViewRanking)?;
    let province = &user.0.province_code;
    let years = db::appraisals::ranking_years(&state.db, province).await?;
    let this_year = i16::try_from(today().year()).unwrap_or(2000);
    let year = match query.year.trim() {
        "" => years.first().copied().unwrap_or(this_year),
        text => text
            .parse::<i16>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or(AppError::BadRequest("error.bad_filter"))?,
    };
    let level = match query.level.trim() {
        "" => ProposalLevel::Local,
        code => ProposalLevel::from_code(code).ok_or(AppError::BadRequest("error.bad_filter"))?,
    };
    let rows = db::appraisals::ranking(
        &state.db,
        province,
        year,
        level,
        crate::domain::proposal::ProposalState::Appraised,
        today(),
    )
    .await?;
    let requested_total = rows
        .iter()
        .fold(0_i64, |sum, r| sum.saturating_add(r.requested_support));
    Ok(RankingPage {
        rows: rank(rows),
        years,
        year,
        level,
        levels: [ProposalLevel::Local, ProposalLevel::National],
        requested_total,
        ctx,
    })
}
