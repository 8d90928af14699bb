//! The dossier form: its fields as typed, their checks against the rules and the database,
//! and the cap in force as the form shows it.

use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::db;
use crate::db::proposals::{Beneficiary, CostLineRow, ProposalDetail, ProposalInput};
use crate::domain::dossier::{self, CostLine, Totals};
use crate::domain::facility::parse_tax_code;
use crate::domain::proposal::{ProposalForm, ProposalLevel};
use crate::domain::{input, money};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::context::{CurrentUser, PageContext};
use crate::web::form::FieldErrors;
use crate::web::today;
use crate::workflow::intake::{self, CapVerdict, Dossier, Request};

// ---------------------------------------------------------------- the dossier form

/// The dossier form as typed. Budget lines come as parallel lists (`line_item` repeated…),
/// which is how a form without JavaScript sends a table.
#[derive(Clone, Debug, Default, Deserialize)]
pub(super) struct DossierForm {
    #[serde(default)]
    pub(super) plan_year: String,
    #[serde(default)]
    pub(super) level: String,
    #[serde(default)]
    pub(super) form: String,
    #[serde(default)]
    pub(super) activity_type_code: String,
    #[serde(default)]
    pub(super) title: String,
    #[serde(default)]
    pub(super) facility_tax_codes: String,
    #[serde(default)]
    pub(super) objectives: String,
    #[serde(default)]
    pub(super) content: String,
    #[serde(default)]
    pub(super) location_detail: String,
    #[serde(default)]
    pub(super) start_date: String,
    #[serde(default)]
    pub(super) end_date: String,
    #[serde(default)]
    pub(super) line_item: Vec<String>,
    #[serde(default)]
    pub(super) line_unit: Vec<String>,
    #[serde(default)]
    pub(super) line_quantity: Vec<String>,
    #[serde(default)]
    pub(super) line_price: Vec<String>,
    #[serde(default)]
    pub(super) line_support: Vec<String>,
    #[serde(default)]
    pub(super) baseline_output: String,
    #[serde(default)]
    pub(super) expected_output: String,
    #[serde(default)]
    pub(super) baseline_revenue: String,
    #[serde(default)]
    pub(super) expected_revenue: String,
    #[serde(default)]
    pub(super) baseline_jobs: String,
    #[serde(default)]
    pub(super) expected_jobs: String,
    pub(super) no_double_funding: Option<String>,
    pub(super) technology_line: Option<String>,
    #[serde(default)]
    pub(super) version: String,
    /// Pressed "more lines" rather than "save".
    pub(super) add_lines: Option<String>,
}

/// Most budget lines a dossier may have.
const MAX_LINES: usize = 200;
/// Blank lines offered at the end of the table.
const BLANK_LINES: usize = 3;

/// One budget line as typed, for the form's table.
#[derive(Clone, Debug, Default)]
pub(super) struct LineFields {
    item: String,
    unit: String,
    quantity: String,
    price: String,
    support: String,
    total: String,
}

impl DossierForm {
    pub(super) fn from_detail(
        p: &ProposalDetail,
        beneficiaries: &[Beneficiary],
        lines: &[CostLineRow],
    ) -> Self {
        let quantity = |h: i64| {
            if h % 100 == 0 {
                (h / 100).to_string()
            } else {
                format!("{},{:02}", h / 100, h % 100)
                    .trim_end_matches('0')
                    .to_owned()
            }
        };
        Self {
            plan_year: p.plan_year.to_string(),
            level: p.level.code().into(),
            form: p.form.code().into(),
            activity_type_code: p.activity_type_code.clone(),
            title: p.title.clone(),
            facility_tax_codes: beneficiaries
                .iter()
                .map(|b| b.tax_code.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            objectives: p.objectives.clone(),
            content: p.content.clone(),
            location_detail: p.location_detail.clone(),
            start_date: p.start_date.map(|d| d.to_string()).unwrap_or_default(),
            end_date: p.end_date.map(|d| d.to_string()).unwrap_or_default(),
            line_item: lines.iter().map(|l| l.item.clone()).collect(),
            line_unit: lines.iter().map(|l| l.unit.clone()).collect(),
            line_quantity: lines
                .iter()
                .map(|l| quantity(l.quantity_hundredths))
                .collect(),
            line_price: lines
                .iter()
                .map(|l| money::format_plain(l.unit_price))
                .collect(),
            line_support: lines
                .iter()
                .map(|l| money::format_plain(l.support))
                .collect(),
            baseline_output: p.baseline_output.clone(),
            expected_output: p.expected_output.clone(),
            baseline_revenue: money::format_plain(p.baseline_revenue),
            expected_revenue: money::format_plain(p.expected_revenue),
            baseline_jobs: p.baseline_jobs.to_string(),
            expected_jobs: p.expected_jobs.to_string(),
            no_double_funding: p.no_double_funding.then(|| "on".into()),
            technology_line: p.technology_line.then(|| "on".into()),
            version: p.version.to_string(),
            add_lines: None,
        }
    }

    /// The typed lines that are not entirely blank, with their row numbers (1-based).
    fn typed_lines(&self) -> Vec<(usize, LineFields)> {
        let get = |list: &Vec<String>, i: usize| list.get(i).cloned().unwrap_or_default();
        let count = [
            &self.line_item,
            &self.line_unit,
            &self.line_quantity,
            &self.line_price,
            &self.line_support,
        ]
        .iter()
        .map(|l| l.len())
        .max()
        .unwrap_or(0)
        .min(MAX_LINES + BLANK_LINES);
        (0..count)
            .map(|i| {
                (
                    i + 1,
                    LineFields {
                        item: get(&self.line_item, i),
                        unit: get(&self.line_unit, i),
                        quantity: get(&self.line_quantity, i),
                        price: get(&self.line_price, i),
                        support: get(&self.line_support, i),
                        total: String::new(),
                    },
                )
            })
            .filter(|(_, l)| {
                [&l.item, &l.unit, &l.quantity, &l.price, &l.support]
                    .iter()
                    .any(|v| !v.trim().is_empty())
            })
            .collect()
    }
}

/// Checks the form against the rules and the database (beneficiaries in scope, codes known).
pub(super) async fn parse_dossier(
    state: &AppState,
    user: &CurrentUser,
    form: &DossierForm,
    errors: &mut FieldErrors,
    cap: &mut CapReport,
    lang: Lang,
) -> AppResult<Option<Dossier>> {
    let plan_year = errors.whole("plan_year", &form.plan_year, 2000, 2100);
    let level = ProposalLevel::from_code(form.level.trim());
    if level.is_none() {
        errors.add("level", "input.required");
    }
    let proposal_form = ProposalForm::from_code(form.form.trim()).unwrap_or(ProposalForm::Normal);
    let activity_types = db::proposals::activity_type_options(&state.db).await?;
    let activity_type_code = form.activity_type_code.trim().to_owned();
    if !activity_types
        .iter()
        .any(|(code, _, _)| *code == activity_type_code)
    {
        errors.add("activity_type_code", "input.required");
    }
    let title = errors.required("title", &form.title, 500);
    let objectives = errors.text("objectives", &form.objectives, 20_000);
    let content = errors.text("content", &form.content, 50_000);
    let location_detail = errors.text("location_detail", &form.location_detail, 500);
    let (start_date, end_date) = work_dates(form, errors);
    let baseline_output = errors.text("baseline_output", &form.baseline_output, 2000);
    let expected_output = errors.text("expected_output", &form.expected_output, 2000);
    let baseline_revenue = errors.money("baseline_revenue", &form.baseline_revenue);
    let expected_revenue = errors.money("expected_revenue", &form.expected_revenue);
    let baseline_jobs = errors.whole("baseline_jobs", &form.baseline_jobs, 0, 1_000_000);
    let expected_jobs = errors.whole("expected_jobs", &form.expected_jobs, 0, 1_000_000);

    let (facility_ids, first_unit) = beneficiaries(state, user, form, errors).await?;
    let (lines, sums) = cost_lines(form, errors);
    let technology_line = input::checked(form.technology_line.as_deref());
    let support_cap_id = match (level, &sums) {
        (Some(level), Some((_, totals))) => {
            let request = Request {
                province_code: &user.0.province_code,
                activity_type_code: &activity_type_code,
                level,
                totals: *totals,
                beneficiaries: facility_ids.len(),
                technology_line,
                on: today(),
            };
            *cap = cap_report(state, &request, lang, errors).await?;
            cap.cap_id
        }
        _ => None,
    };
    let (Some(level), Some(unit_id), Some((line_totals, totals)), true) =
        (level, first_unit, sums, errors.is_empty())
    else {
        return Ok(None);
    };
    Ok(Some(Dossier {
        input: ProposalInput {
            plan_year: i16::try_from(plan_year).unwrap_or(2000),
            level,
            form: proposal_form,
            activity_type_code,
            title,
            objectives,
            content,
            location_detail,
            start_date,
            end_date,
            totals,
            baseline_output,
            expected_output,
            baseline_revenue,
            expected_revenue,
            baseline_jobs: i32::try_from(baseline_jobs).unwrap_or(0),
            expected_jobs: i32::try_from(expected_jobs).unwrap_or(0),
            no_double_funding: input::checked(form.no_double_funding.as_deref()),
            unit_id,
            support_cap_id,
            technology_line,
        },
        facility_ids,
        lines,
        line_totals,
    }))
}

/// The work's start and end dates as typed, the end not before the start.
fn work_dates(
    form: &DossierForm,
    errors: &mut FieldErrors,
) -> (Option<time::Date>, Option<time::Date>) {
    let start = errors
        .check("start_date", input::date(&form.start_date))
        .flatten();
    let end = errors
        .check("end_date", input::date(&form.end_date))
        .flatten();
    if let (Some(start), Some(end)) = (start, end)
        && end < start
    {
        errors.add("end_date", "dossier.end_before_start");
    }
    (start, end)
}

/// The beneficiaries typed as tax codes (1 to 50), each one the user can see: their ids
/// without repeats, and the unit of the first (where the proposal takes place).
async fn beneficiaries(
    state: &AppState,
    user: &CurrentUser,
    form: &DossierForm,
    errors: &mut FieldErrors,
) -> AppResult<(Vec<i64>, Option<i64>)> {
    let typed: Vec<&str> = form
        .facility_tax_codes
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    if typed.is_empty() || typed.len() > 50 {
        errors.add("facility_tax_codes", "dossier.beneficiary_required");
    }
    let codes: Vec<Option<String>> = typed.iter().take(50).map(|c| parse_tax_code(c)).collect();
    let wanted: Vec<String> = codes.iter().flatten().cloned().collect();
    let found =
        db::facilities::beneficiaries_by_tax_code(&state.db, &user.scope(), &wanted).await?;
    if codes.iter().any(|code| {
        code.as_ref()
            .is_none_or(|code| !found.iter().any(|(taken, _, _)| taken == code))
    }) {
        errors.add("facility_tax_codes", "dossier.beneficiary_unknown");
    }
    let mut ids: Vec<i64> = Vec::with_capacity(found.len());
    for &(_, id, _) in &found {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok((ids, found.first().map(|&(_, _, unit)| unit)))
}

/// The budget lines as typed, each field checked by its row's name (a row whose quantity
/// is unreadable is left out: its error names it), and their totals when they add up.
fn cost_lines(
    form: &DossierForm,
    errors: &mut FieldErrors,
) -> (Vec<CostLine>, Option<(Vec<i64>, Totals)>) {
    let mut lines = Vec::new();
    for (row, typed) in form.typed_lines() {
        let item = errors.required(&format!("line_item_{row}"), &typed.item, 500);
        let unit = errors.text(&format!("line_unit_{row}"), &typed.unit, 50);
        let quantity = errors.check(
            &format!("line_quantity_{row}"),
            input::quantity_hundredths(&typed.quantity),
        );
        let unit_price = errors.money(&format!("line_price_{row}"), &typed.price);
        let support = errors.money(&format!("line_support_{row}"), &typed.support);
        if let Some(quantity_hundredths) = quantity {
            lines.push(CostLine {
                item,
                unit,
                quantity_hundredths,
                unit_price,
                support,
            });
        }
    }
    if lines.len() > MAX_LINES {
        errors.add("lines", "dossier.too_many_lines");
    }
    let sums = match dossier::totals(&lines) {
        Ok(sums) => Some(sums),
        Err(problems) => {
            for (index, problem) in problems {
                errors.add(format!("line_support_{}", index + 1), problem.key());
            }
            None
        }
    };
    (lines, sums)
}

/// The cap in force for `request` as the form shows it; a request over it is refused on
/// the requested amount.
async fn cap_report(
    state: &AppState,
    request: &Request<'_>,
    lang: Lang,
    errors: &mut FieldErrors,
) -> AppResult<CapReport> {
    let verdict = intake::cap_verdict(&state.db, request).await?;
    let report = CapReport::of(verdict, request.technology_line, lang);
    if !report.problems.is_empty() {
        errors.add("requested", "dossier.over_cap");
    }
    Ok(report)
}

/// What the cap in force says about a request: the rule in words, and why the amount is
/// too high, already in the page's language.
#[derive(Clone, Debug, Default)]
pub(super) struct CapReport {
    pub(super) cap_id: Option<i64>,
    pub(super) rule: Option<String>,
    pub(super) problems: Vec<String>,
}

impl CapReport {
    /// The cap's verdict on a request, in `lang`.
    pub(super) fn of(verdict: CapVerdict, technology_line: bool, lang: Lang) -> Self {
        let cap = match verdict.cap {
            Ok(cap) => cap,
            Err(no_rule) => {
                return Self {
                    rule: Some(no_rule.message().render(lang)),
                    ..Self::default()
                };
            }
        };
        let problems = match verdict.check {
            Some(Ok(check)) if check.is_within() => Vec::new(),
            Some(Ok(check)) => check
                .messages(&cap.rule)
                .iter()
                .map(|m| m.render(lang))
                .collect(),
            Some(Err(_)) | None => vec![crate::i18n::t(lang, "dossier.cap_unreadable").to_owned()],
        };
        Self {
            cap_id: Some(cap.id),
            rule: Some(cap.explain(technology_line).render(lang)),
            problems,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "proposals/form.html")]
pub(super) struct FormPage {
    pub(super) ctx: PageContext,
    pub(super) id: Option<i64>,
    pub(super) form: DossierForm,
    pub(super) lines: Vec<(usize, LineFields)>,
    pub(super) errors: FieldErrors,
    pub(super) activity_types: Vec<(String, String, String)>,
    pub(super) levels: [ProposalLevel; 2],
    pub(super) forms: [ProposalForm; 3],
    pub(super) stale: bool,
    pub(super) cap: CapReport,
}

impl FormPage {
    pub(super) async fn new(
        state: &AppState,
        ctx: PageContext,
        id: Option<i64>,
        form: DossierForm,
        errors: FieldErrors,
    ) -> AppResult<Self> {
        let mut lines = form.typed_lines();
        let next = lines.last().map_or(1, |(row, _)| row + 1);
        let extra = if form.add_lines.is_some() {
            BLANK_LINES + 5
        } else {
            BLANK_LINES
        };
        lines.extend((next..next + extra).map(|row| (row, LineFields::default())));
        for (_, line) in &mut lines {
            let quantity = input::quantity_hundredths(&line.quantity).ok();
            let price = input::money(&line.price).ok();
            if let (Some(quantity_hundredths), Some(unit_price)) = (quantity, price) {
                let cost = CostLine {
                    item: String::new(),
                    unit: String::new(),
                    quantity_hundredths,
                    unit_price,
                    support: 0,
                };
                line.total = cost.total().map(money::format_vnd).unwrap_or_default();
            }
        }
        Ok(Self {
            ctx,
            id,
            form,
            lines,
            errors,
            activity_types: db::proposals::activity_type_options(&state.db).await?,
            levels: [ProposalLevel::Local, ProposalLevel::National],
            forms: ProposalForm::ALL,
            stale: false,
            cap: CapReport::default(),
        })
    }

    fn line_error(&self, column: &str, row: &usize) -> Option<&'static str> {
        self.errors.get(&format!("{column}_{row}"))
    }

    fn declared(&self) -> bool {
        input::checked(self.form.no_double_funding.as_deref())
    }

    fn technology_line(&self) -> bool {
        input::checked(self.form.technology_line.as_deref())
    }
}
