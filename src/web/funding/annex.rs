//! A plan decision's annex ("Phụ lục: Danh mục đề án khuyến công địa phương năm …"): the
//! proposals it approves in the layout of the approval decision — STT, proposal, implementer
//! or beneficiaries, location, activity, total cost, the support approved, counterpart funds,
//! period, notes — grouped by activity type (`?group=area`: by district or 2025 commune), each
//! group's heading with its subtotals, and the grand total.
//!
//! `/funding/decisions/{id}/annex` prints it (A4 landscape); `/annex.xlsx` and `/annex.csv`
//! are the same table through `web::export`. Read like the decision's page
//! (`Permission::ViewFunding`, a decision of the user's province, else 404). The counterpart
//! funds of a line are its total cost less the support this decision approves, so every row
//! adds up (a support below the request leaves the facility more to fund).

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use crate::db;
use crate::db::funding::{AnnexLine, Decision};
use crate::domain::policy::Permission;
use crate::domain::proposal::ProposalLevel;
use crate::domain::{format as dates, money, search};
use crate::error::{AppError, AppResult};
use crate::i18n::{self, Lang};
use crate::state::AppState;
use crate::web::context::{CurrentUser, PageContext};
use crate::web::export::{Column, Export, Format, Style, Table, Value};

/// Routes of a decision's annex.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/funding/decisions/{id}/annex", get(print))
        .route("/funding/decisions/{id}/annex.xlsx", get(xlsx))
        .route("/funding/decisions/{id}/annex.csv", get(csv))
}

/// `?group=`: `activity` (default) or `area`.
#[derive(Debug, Default, Deserialize)]
struct AnnexQuery {
    #[serde(default)]
    group: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Grouping {
    Activity,
    Area,
}

impl AnnexQuery {
    fn grouping(&self) -> AppResult<Grouping> {
        match self.group.trim() {
            "" | "activity" => Ok(Grouping::Activity),
            "area" => Ok(Grouping::Area),
            _ => Err(AppError::BadRequest("error.bad_filter")),
        }
    }
}

/// The three amounts of a row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Sums {
    total_cost: i64,
    support: i64,
    counterpart: i64,
}

impl Sums {
    fn plus(self, other: Sums) -> Sums {
        Sums {
            total_cost: self.total_cost.saturating_add(other.total_cost),
            support: self.support.saturating_add(other.support),
            counterpart: self.counterpart.saturating_add(other.counterpart),
        }
    }
}

/// A proposal's row.
struct Line {
    /// Its number in its group.
    no: usize,
    title: String,
    implementer: String,
    location: String,
    activity: String,
    sums: Sums,
    period: String,
    /// The dossier's code (kept on one line when printed).
    code: String,
    /// The support it was approved before an amendment, said in words.
    was: Option<String>,
}

impl Line {
    /// The note column: the code, and what an amendment changed.
    fn note(&self) -> String {
        match &self.was {
            Some(was) if !self.code.is_empty() => format!("{}; {was}", self.code),
            Some(was) => was.clone(),
            None => self.code.clone(),
        }
    }
}

/// A group: its numeral (`I`, `II`…), name, rows and subtotals.
struct Group {
    /// What its lines share (an activity type's code, a folded area name).
    key: String,
    numeral: String,
    name: String,
    lines: Vec<Line>,
    sums: Sums,
}

/// The annex's table.
struct Annex {
    groups: Vec<Group>,
    total: Sums,
    count: usize,
}

/// `n` in Roman numerals (the groups of official tables).
fn roman(mut n: usize) -> String {
    const NUMERALS: [(usize, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, numeral) in NUMERALS {
        while n >= value {
            out.push_str(numeral);
            n -= value;
        }
    }
    out
}

/// The period as months: `05/2025 – 10/2025`.
fn period(line: &AnnexLine) -> String {
    match (line.start_date, line.end_date) {
        (Some(start), Some(end)) if dates::month(start) == dates::month(end) => dates::month(start),
        (Some(start), Some(end)) => format!("{} – {}", dates::month(start), dates::month(end)),
        (Some(start), None) => dates::month(start),
        (None, Some(end)) => dates::month(end),
        (None, None) => String::new(),
    }
}

fn localised(lang: Lang, vi: &str, en: &str) -> String {
    match lang {
        Lang::Vi => vi.to_owned(),
        Lang::En => en.to_owned(),
    }
}

/// The area a line is grouped under: its district (legacy units), else its commune.
fn area(line: &AnnexLine) -> &str {
    line.district_name.as_deref().unwrap_or(&line.unit_name)
}

fn build(mut lines: Vec<AnnexLine>, grouping: Grouping, lang: Lang) -> Annex {
    if grouping == Grouping::Area {
        // Stable: within an area, the activity types' order and the codes stay.
        lines.sort_by_cached_key(|l| search::fold(area(l)));
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut total = Sums::default();
    let count = lines.len();
    for line in lines {
        let (key, name) = match grouping {
            Grouping::Activity => (
                line.activity_type_code.clone(),
                localised(lang, &line.activity_vi, &line.activity_en),
            ),
            Grouping::Area => (search::fold(area(&line)), area(&line).to_owned()),
        };
        let sums = Sums {
            total_cost: line.total_cost,
            support: line.approved_support,
            counterpart: line.total_cost.saturating_sub(line.approved_support),
        };
        total = total.plus(sums);
        if groups.last().is_none_or(|g| g.key != key) {
            groups.push(Group {
                key,
                numeral: roman(groups.len() + 1),
                name,
                lines: Vec::new(),
                sums: Sums::default(),
            });
        }
        let Some(group) = groups.last_mut() else {
            continue;
        };
        group.sums = group.sums.plus(sums);
        let was = line.previous_support.map(|previous| {
            i18n::t_with(
                lang,
                "annex.was",
                &[("value", &money::format_plain(previous))],
            )
        });
        group.lines.push(Line {
            no: group.lines.len() + 1,
            implementer: if line.facilities.is_empty() {
                line.office_name.clone()
            } else {
                line.facilities.clone()
            },
            location: match &line.district_name {
                Some(district) => format!("{}, {district}", line.unit_name),
                None => line.unit_name.clone(),
            },
            activity: localised(lang, &line.activity_vi, &line.activity_en),
            period: period(&line),
            title: line.title,
            sums,
            code: line.code.clone().unwrap_or_default(),
            was,
        });
    }
    Annex {
        groups,
        total,
        count,
    }
}

/// What every form of the annex needs.
struct Loaded {
    decision: Decision,
    annex: Annex,
    /// "Danh mục đề án khuyến công địa phương năm 2025".
    list_title: String,
    /// "(Kèm theo Quyết định số … ngày …)".
    attached: String,
}

async fn load(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    id: i64,
    grouping: Grouping,
) -> AppResult<Loaded> {
    user.require(Permission::ViewFunding)?;
    let province = &user.0.province_code;
    let decision = db::funding::decision(&state.db, province, id).await?;
    let db = &state.db;
    let (lines, sources) =
        tokio::try_join!(db::funding::annex_lines(db, id), db::funding::sources(db),)?;
    let national = sources
        .iter()
        .find(|s| s.code == decision.source_code)
        .is_some_and(|s| s.level == ProposalLevel::National);
    let year = decision.plan_year.to_string();
    let list_key = if national {
        "annex.list_national"
    } else {
        "annex.list_local"
    };
    let attached = i18n::t_with(
        lang,
        "annex.attached",
        &[
            ("number", decision.number.as_str()),
            ("date", &dates::date(decision.decided_on)),
        ],
    );
    Ok(Loaded {
        list_title: i18n::t_with(lang, list_key, &[("value", &year)]),
        attached,
        annex: build(lines, grouping, lang),
        decision,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "funding/annex.html")]
struct AnnexPage {
    ctx: PageContext,
    decision: Decision,
    annex: Annex,
    list_title: String,
    attached: String,
}

impl AnnexPage {
    /// An amount as the annex shows it (`1.234.567`; the unit is said above the table).
    fn amount(&self, amount: &i64) -> String {
        money::format_plain(*amount)
    }

    fn total_label(&self) -> String {
        format!(
            "{} ({})",
            self.ctx.t("annex.total"),
            self.ctx
                .t_with("annex.count", &self.annex.count.to_string())
        )
    }
}

/// `GET /funding/decisions/{id}/annex`: the printable annex.
async fn print(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<AnnexQuery>,
) -> AppResult<AnnexPage> {
    let grouping = query.grouping()?;
    let loaded = load(&state, &user, ctx.lang, id, grouping).await?;
    Ok(AnnexPage {
        ctx,
        decision: loaded.decision,
        annex: loaded.annex,
        list_title: loaded.list_title,
        attached: loaded.attached,
    })
}

const COLUMNS: &[Column] = &[
    Column::integer("annex.no").width(5),
    Column::text("annex.name").width(45),
    Column::text("annex.implementer").width(35),
    Column::text("annex.location").width(28),
    Column::text("annex.content").width(28),
    Column::money("annex.total_cost"),
    Column::money("annex.support"),
    Column::money("annex.counterpart"),
    Column::text("annex.period").width(18),
    Column::text("annex.note").width(20),
];

fn amounts(sums: Sums) -> [Value; 3] {
    [
        sums.total_cost.into(),
        sums.support.into(),
        sums.counterpart.into(),
    ]
}

/// The annex's sheet: its title, what it is attached to and, for an amendment, what it
/// amends.
fn titled(lang: i18n::Lang, loaded: &Loaded) -> Table {
    let title = format!("{}: {}", i18n::t(lang, "annex.title"), loaded.list_title);
    let mut table = Table::new(i18n::t(lang, "annex.sheet"), title, COLUMNS)
        .without_filter()
        .note(loaded.attached.clone());
    if let Some((_, number)) = &loaded.decision.amends {
        table = table.note(i18n::t_with(lang, "annex.amends", &[("value", number)]));
    }
    table.note(i18n::t(lang, "export.unit_money"))
}

/// A row that names a group or the total in its first two cells, and its sums.
fn spanning(first: Value, second: Value, sums: Sums) -> Vec<Value> {
    let mut row = vec![first, second, Value::Empty, Value::Empty, Value::Empty];
    row.extend(amounts(sums));
    row
}

async fn export(
    state: AppState,
    ctx: PageContext,
    user: CurrentUser,
    id: i64,
    query: AnnexQuery,
    format: Format,
) -> AppResult<Response> {
    let grouping = query.grouping()?;
    let lang = ctx.lang;
    let loaded = load(&state, &user, lang, id, grouping).await?;
    let table = titled(lang, &loaded);
    let export = Export::start(format, lang);
    export.table(table).await?;
    for group in loaded.annex.groups {
        let heading = spanning(group.numeral.into(), group.name.into(), group.sums);
        export.styled(Style::Group, heading).await?;
        for line in group.lines {
            let note = line.note();
            let mut row = vec![
                i64::try_from(line.no).unwrap_or(0).into(),
                line.title.into(),
                line.implementer.into(),
                line.location.into(),
                line.activity.into(),
            ];
            row.extend(amounts(line.sums));
            row.extend([line.period.into(), note.into()]);
            export.row(row).await?;
        }
    }
    let count = loaded.annex.count.to_string();
    let counted = i18n::t_with(lang, "annex.count", &[("value", &count)]);
    let label = format!("{} ({counted})", i18n::t(lang, "annex.total"));
    let total = spanning(Value::Empty, label.into(), loaded.annex.total);
    export.styled(Style::Total, total).await?;
    let number = loaded.decision.number.replace('/', "-");
    export
        .finish(&i18n::t_with(lang, "annex.file", &[("value", &number)]))
        .await
}

/// `GET /funding/decisions/{id}/annex.xlsx`.
async fn xlsx(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<AnnexQuery>,
) -> AppResult<Response> {
    export(state, ctx, user, id, query, Format::Xlsx).await
}

/// `GET /funding/decisions/{id}/annex.csv`.
async fn csv(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<AnnexQuery>,
) -> AppResult<Response> {
    export(state, ctx, user, id, query, Format::Csv).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(activity: &str, district: Option<&str>, total: i64, support: i64) -> AnnexLine {
        AnnexLine {
            code: Some("ĐP-2025-001".into()),
            title: "Đề án".into(),
            facilities: String::new(),
            office_name: "Trung tâm".into(),
            activity_type_code: activity.into(),
            activity_vi: format!("Hoạt động {activity}"),
            activity_en: format!("Activity {activity}"),
            unit_name: "Xã Úc Kỳ".into(),
            district_name: district.map(str::to_owned),
            total_cost: total,
            approved_support: support,
            previous_support: None,
            start_date: None,
            end_date: None,
        }
    }

    #[test]
    fn groups_add_up_to_the_total() {
        let lines = vec![
            line("training", Some("Huyện Phú Bình"), 100, 70),
            line("training", Some("Huyện Đại Từ"), 50, 30),
            line("equipment", Some("Huyện Phú Bình"), 200, 100),
        ];
        let by_activity = build(lines.clone(), Grouping::Activity, Lang::Vi);
        assert_eq!(by_activity.groups.len(), 2);
        assert_eq!(by_activity.groups[0].numeral, "I");
        assert_eq!(by_activity.groups[0].sums.support, 100);
        assert_eq!(by_activity.groups[1].lines[0].no, 1);
        assert_eq!(
            by_activity.total,
            Sums {
                total_cost: 350,
                support: 200,
                counterpart: 150
            }
        );
        let by_area = build(lines, Grouping::Area, Lang::Vi);
        let names: Vec<&str> = by_area.groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["Huyện Đại Từ", "Huyện Phú Bình"]);
        assert_eq!(by_area.groups[1].sums.total_cost, 300);
        assert_eq!(by_area.total, by_activity.total);
    }

    #[test]
    fn numerals_are_roman() {
        assert_eq!(roman(4), "IV");
        assert_eq!(roman(14), "XIV");
    }
}
