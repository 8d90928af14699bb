//! `/funding/commitments`: the accountant's view of a plan year — what is approved and
//! contracted per source, per activity type and per area, from the lines in force.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;

use super::YearQuery;
use crate::db;
use crate::db::funding::{CommitmentRow, Source};
use crate::domain::funding::{self, Commitment};
use crate::domain::policy::Permission;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::context::{CurrentUser, PageContext};
use crate::web::form::plan_year;

/// Route: `/funding/commitments`.
pub fn router() -> Router<AppState> {
    Router::new().route("/funding/commitments", get(show))
}

/// A group's name in both languages and its figures.
struct Group {
    name_vi: String,
    name_en: String,
    figures: Commitment,
}

/// One way of adding up: its heading (catalogue key) and groups.
struct Section {
    heading: &'static str,
    groups: Vec<Group>,
}

#[derive(Template, WebTemplate)]
#[template(path = "funding/commitments.html")]
struct CommitmentsPage {
    ctx: PageContext,
    year: i16,
    sections: [Section; 3],
    total: Commitment,
}

fn figures(row: &CommitmentRow) -> Commitment {
    Commitment {
        proposals: row.proposals,
        approved: row.approved,
        contracted: row.contracted,
    }
}

fn source_groups(rows: &[CommitmentRow], sources: &[Source]) -> Vec<Group> {
    funding::totals_by(rows, |r| r.source_code.clone(), figures)
        .into_iter()
        .map(|(code, figures)| {
            let source = sources.iter().find(|s| s.code == code);
            Group {
                name_vi: source.map_or_else(|| code.clone(), |s| s.name_vi.clone()),
                name_en: source.map_or_else(|| code.clone(), |s| s.name_en.clone()),
                figures,
            }
        })
        .collect()
}

async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Query(query): Query<YearQuery>,
) -> AppResult<CommitmentsPage> {
    user.require(Permission::ViewFunding)?;
    let year = plan_year(&query.year)?;
    let (rows, sources) = tokio::try_join!(
        db::funding::commitments(&state.db, &user.0.province_code, year),
        db::funding::sources(&state.db),
    )?;
    let by_activity = funding::totals_by(
        &rows,
        |r| (r.activity_vi.clone(), r.activity_en.clone()),
        figures,
    )
    .into_iter()
    .map(|((name_vi, name_en), figures)| Group {
        name_vi,
        name_en,
        figures,
    })
    .collect();
    let by_area = funding::totals_by(&rows, |r| r.area.clone(), figures)
        .into_iter()
        .map(|(area, figures)| Group {
            name_vi: area.clone(),
            name_en: area,
            figures,
        })
        .collect();
    let total = rows
        .iter()
        .fold(Commitment::default(), |sum, r| sum.plus(figures(r)));
    Ok(CommitmentsPage {
        sections: [
            Section {
                heading: "commitments.by_source",
                groups: source_groups(&rows, &sources),
            },
            Section {
                heading: "commitments.by_activity",
                groups: by_activity,
            },
            Section {
                heading: "commitments.by_area",
                groups: by_area,
            },
        ],
        total,
        ctx,
        year,
    })
}
