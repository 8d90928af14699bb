//! `/appraisals/{id}`: the appraisal record of one proposal on one visit, built for a phone at
//! the facility: the score sheet, the verified facts, photos, the proposed amount and the
//! recommendation; drafts saved as often as wanted; the leader finalises; a final record is
//! read-only and corrected by a new revision with a reason; `/appraisals/{id}/minutes` is
//! the printed minutes (biên bản thẩm định).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::routing::{get, post};

use super::{VisitView, visit_view};
use crate::db;
use crate::db::appraisals::{Photo, Record, RecordStatus, ScoreRow};
use crate::db::proposals::{Beneficiary, ProposalDetail};
use crate::db::visits::{DeclarationRow, Member};
use crate::domain::appraisal::{
    self, Declaration, Recommendation, RecordFacts, Scored, ScoringRefusal, Tally,
};
use crate::domain::caps::{self, CostBasis};
use crate::domain::policy::Permission;
use crate::domain::proposal::ProposalState;
use crate::domain::{document, input, money};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::context::{CurrentUser, PageContext};
use crate::web::form::FieldErrors;

mod changes;
mod minutes;
use changes::{correct, finalise, save, upload_photos};
use minutes::minutes;

/// Routes under `/appraisals/{id}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/appraisals/{id}", get(show).post(save))
        .route("/appraisals/{id}/finalise", post(finalise))
        .route("/appraisals/{id}/correct", post(correct))
        .route(
            "/appraisals/{id}/photos",
            // `attach_photos` applies the configured upload limits itself.
            post(upload_photos).layer(DefaultBodyLimit::disable()),
        )
        .route("/appraisals/{id}/minutes", get(minutes))
}

/// A record the user may open, with what its pages need.
struct RecordView {
    record: Record,
    visit: VisitView,
    proposal: ProposalDetail,
    beneficiaries: Vec<Beneficiary>,
    declarations: Vec<DeclarationRow>,
    /// Whether the user may see scores and findings (`appraisal::may_see_scores`).
    show_scores: bool,
}

impl RecordView {
    /// Whether the user may change the draft now, or why not.
    fn may_score(&self) -> Result<(), ScoringRefusal> {
        if self.record.status != RecordStatus::Draft || self.record.visit_cancelled {
            return Err(ScoringRefusal::Finalised);
        }
        appraisal::may_score(
            self.visit
                .my_declaration(&self.declarations, self.record.proposal_id),
            false,
        )
    }

    /// Team members (by name) who have not declared on this proposal.
    fn undeclared(&self) -> Vec<String> {
        self.visit
            .members
            .iter()
            .filter(|m| {
                !self
                    .declarations
                    .iter()
                    .any(|d| d.member_id == m.id && d.proposal_id == self.record.proposal_id)
            })
            .map(|m| m.name.clone())
            .collect()
    }

    /// Whether the user leads the team and declared no conflict on this proposal.
    fn leader_may_sign(&self) -> bool {
        self.visit.is_leader()
            && self
                .visit
                .my_declaration(&self.declarations, self.record.proposal_id)
                == Some(Some(Declaration::NoConflict))
    }

    fn declaration_of(&self, member: &Member) -> Option<&DeclarationRow> {
        self.declarations
            .iter()
            .find(|d| d.member_id == member.id && d.proposal_id == self.record.proposal_id)
    }
}

async fn record_view(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<RecordView> {
    user.require(Permission::ViewVisits)?;
    let record = db::appraisals::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let visit = visit_view(state, user, record.visit_id).await?;
    let proposal = db::proposals::find(&state.db, &visit.proposal_scope(user), record.proposal_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let show_scores = appraisal::may_see_scores(
        user.0.role,
        visit.me.is_some(),
        record.status != RecordStatus::Draft,
    );
    Ok(RecordView {
        beneficiaries: db::proposals::beneficiaries(&state.db, proposal.id).await?,
        declarations: db::visits::declarations(&state.db, record.visit_id).await?,
        record,
        visit,
        proposal,
        show_scores,
    })
}

/// The record form as typed: fixed fields, and per criterion `points_{id}`, `na_{id}` and
/// `finding_{id}`.
#[derive(Clone, Debug, Default)]
struct RecordForm {
    version: String,
    premises: String,
    machinery: String,
    legal_papers: String,
    counterpart_capacity: String,
    other_findings: String,
    proposed_support: String,
    recommendation: String,
    conditions: String,
    points: HashMap<i64, String>,
    not_applicable: HashMap<i64, bool>,
    findings: HashMap<i64, String>,
}

impl RecordForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (name, value) in pairs {
            let criterion = |prefix: &str| {
                name.strip_prefix(prefix)
                    .and_then(|id| id.parse::<i64>().ok())
            };
            if let Some(id) = criterion("points_") {
                form.points.insert(id, value);
            } else if let Some(id) = criterion("na_") {
                form.not_applicable.insert(id, input::checked(Some(&value)));
            } else if let Some(id) = criterion("finding_") {
                form.findings.insert(id, value);
            } else {
                let field = match name.as_str() {
                    "version" => &mut form.version,
                    "premises" => &mut form.premises,
                    "machinery" => &mut form.machinery,
                    "legal_papers" => &mut form.legal_papers,
                    "counterpart_capacity" => &mut form.counterpart_capacity,
                    "other_findings" => &mut form.other_findings,
                    "proposed_support" => &mut form.proposed_support,
                    "recommendation" => &mut form.recommendation,
                    "conditions" => &mut form.conditions,
                    _ => continue,
                };
                *field = value;
            }
        }
        form
    }

    fn from_record(record: &Record, scores: &[ScoreRow]) -> Self {
        Self {
            version: record.version.to_string(),
            premises: record.premises.clone(),
            machinery: record.machinery.clone(),
            legal_papers: record.legal_papers.clone(),
            counterpart_capacity: record.counterpart_capacity.clone(),
            other_findings: record.other_findings.clone(),
            proposed_support: record
                .proposed_support
                .map(money::format_plain)
                .unwrap_or_default(),
            recommendation: record
                .recommendation
                .map(|r| r.code().to_owned())
                .unwrap_or_default(),
            conditions: record.conditions.clone(),
            points: scores
                .iter()
                .filter_map(|s| s.points.map(|p| (s.criterion_id, p.to_string())))
                .collect(),
            not_applicable: scores
                .iter()
                .map(|s| (s.criterion_id, s.not_applicable))
                .collect(),
            findings: scores
                .iter()
                .map(|s| (s.criterion_id, s.finding.clone()))
                .collect(),
        }
    }
}

/// One line of the score sheet as the form shows it.
struct SheetLine {
    score: ScoreRow,
    points: String,
    not_applicable: bool,
    finding: String,
}

/// What the cap in force on the visit's date allows for this proposal.
#[derive(Clone, Debug, Default)]
struct CapNote {
    limit: Option<i64>,
    rule: Option<String>,
}

async fn cap_note(state: &AppState, view: &RecordView, lang: Lang) -> AppResult<CapNote> {
    let p = &view.proposal;
    let cap = db::rules::cap_in_force(
        &state.db,
        &p.activity_type_code,
        p.level,
        &p.province_code,
        view.record.visit_date,
    )
    .await?;
    let Ok(cap) = cap else {
        return Ok(CapNote::default());
    };
    let basis = CostBasis::for_proposal(
        &cap.rule,
        p.total_cost,
        view.beneficiaries.len(),
        p.technology_line,
    );
    Ok(CapNote {
        limit: caps::max_support(&cap.rule, &basis).ok().map(|l| l.limit),
        rule: Some(cap.explain(p.technology_line).render(lang)),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "appraisals/record.html")]
struct RecordPage {
    ctx: PageContext,
    view: RecordView,
    sheet: Vec<SheetLine>,
    tally: Tally,
    form: RecordForm,
    errors: FieldErrors,
    photos: Vec<Photo>,
    cap: CapNote,
    refusal: Option<&'static str>,
    missing: Vec<&'static str>,
    may_correct: bool,
    revisions: Vec<(i64, i16, RecordStatus)>,
    stale: bool,
    photo_error: Option<String>,
    recommendations: [Recommendation; 3],
}

impl RecordPage {
    fn score(&self) -> String {
        tally_score(&self.ctx, &self.tally)
    }

    fn size(&self, bytes: &i64) -> String {
        document::format_size(*bytes, self.ctx.lang == Lang::Vi)
    }

    fn field_error(&self, prefix: &str, id: &i64) -> Option<&'static str> {
        self.errors.get(&format!("{prefix}_{id}"))
    }

    fn undeclared(&self) -> String {
        self.view.undeclared().join(", ")
    }

    /// "2 criteria not scored yet · 1 not applicable".
    fn tally_hint(&self) -> String {
        let mut hint = if self.tally.missing == 0 {
            self.ctx.t("appraisal.tally_complete").to_owned()
        } else {
            self.ctx
                .t_with("appraisal.tally_hint", &self.tally.missing.to_string())
        };
        if self.tally.not_applicable > 0 {
            hint.push_str(" · ");
            hint.push_str(
                &self
                    .ctx
                    .t_with("appraisal.tally_na", &self.tally.not_applicable.to_string()),
            );
        }
        hint
    }

    fn max_points(&self, max: &i16) -> String {
        self.ctx.t_with("appraisal.max_points", &max.to_string())
    }

    /// The verified-facts fields: name, label key and the value typed.
    fn typed_facts(&self) -> [(&'static str, &'static str, &str); 5] {
        let f = &self.form;
        facts(
            &f.premises,
            &f.machinery,
            &f.legal_papers,
            &f.counterpart_capacity,
            &f.other_findings,
        )
    }

    /// The verified facts as stored.
    fn stored_facts(&self) -> [(&'static str, &'static str, &str); 5] {
        let r = &self.view.record;
        facts(
            &r.premises,
            &r.machinery,
            &r.legal_papers,
            &r.counterpart_capacity,
            &r.other_findings,
        )
    }

    /// A key for the browser's copy of what is being typed: the record and the draft's
    /// version, so a saved draft never brings back older typing.
    fn draft_key(&self) -> String {
        format!(
            "appraisal-{}-v{}",
            self.view.record.id, self.view.record.version
        )
    }
}

/// The score a sheet adds up to so far, or a dash while a mark is missing.
fn tally_score(ctx: &PageContext, tally: &Tally) -> String {
    match tally.score_tenths() {
        Some(t) => appraisal::format_score(t, ctx.lang == Lang::Vi),
        None => "—".into(),
    }
}

/// The verified facts, in the order of the form and the minutes.
fn facts<'a>(
    premises: &'a str,
    machinery: &'a str,
    legal_papers: &'a str,
    counterpart: &'a str,
    other: &'a str,
) -> [(&'static str, &'static str, &'a str); 5] {
    [
        ("premises", "appraisal.premises", premises),
        ("machinery", "appraisal.machinery", machinery),
        ("legal_papers", "appraisal.legal_papers", legal_papers),
        (
            "counterpart_capacity",
            "appraisal.counterpart_capacity",
            counterpart,
        ),
        ("other_findings", "appraisal.other_findings", other),
    ]
}

/// The score sheet with the typed values of `form`.
fn sheet(scores: Vec<ScoreRow>, form: &RecordForm) -> Vec<SheetLine> {
    scores
        .into_iter()
        .map(|score| SheetLine {
            points: form
                .points
                .get(&score.criterion_id)
                .cloned()
                .unwrap_or_default(),
            not_applicable: form
                .not_applicable
                .get(&score.criterion_id)
                .copied()
                .unwrap_or(false),
            finding: form
                .findings
                .get(&score.criterion_id)
                .cloned()
                .unwrap_or_default(),
            score,
        })
        .collect()
}

fn tally_of(scores: &[ScoreRow]) -> Tally {
    let sheet: Vec<Scored> = scores
        .iter()
        .map(|s| Scored {
            max_points: u16::try_from(s.max_points).unwrap_or(0),
            mark: s.mark(),
        })
        .collect();
    appraisal::tally(&sheet)
}

/// What stops the stored record from being finalised by this user.
fn final_check(view: &RecordView, scores: &[ScoreRow]) -> Vec<&'static str> {
    let r = &view.record;
    appraisal::missing_for_final(&RecordFacts {
        tally: tally_of(scores),
        recommendation: r.recommendation,
        has_conditions: !r.conditions.trim().is_empty(),
        proposed_support: r.proposed_support,
        undeclared: view.undeclared(),
        leader_may_sign: view.leader_may_sign(),
        has_verified_facts: [
            &r.premises,
            &r.machinery,
            &r.legal_papers,
            &r.counterpart_capacity,
        ]
        .iter()
        .any(|t| !t.trim().is_empty()),
    })
}

async fn render(
    state: &AppState,
    ctx: PageContext,
    view: RecordView,
    form: Option<RecordForm>,
    errors: FieldErrors,
) -> AppResult<RecordPage> {
    let scores = db::appraisals::scores(&state.db, view.record.id).await?;
    let tally = tally_of(&scores);
    let missing = if view.record.status == RecordStatus::Draft && view.visit.is_leader() {
        final_check(&view, &scores)
    } else {
        Vec::new()
    };
    let form = form.unwrap_or_else(|| RecordForm::from_record(&view.record, &scores));
    let refusal = view.may_score().err().map(ScoringRefusal::message_key);
    let may_correct = view.record.status == RecordStatus::Final
        && view.leader_may_sign()
        && view.proposal.state == ProposalState::Appraised
        && db::appraisals::open_draft(&state.db, view.proposal.id)
            .await?
            .is_none();
    let cap = cap_note(state, &view, ctx.lang).await?;
    Ok(RecordPage {
        photos: db::appraisals::photos(&state.db, view.record.id).await?,
        revisions: db::appraisals::revisions(&state.db, &view.record).await?,
        sheet: sheet(scores, &form),
        ctx,
        view,
        tally,
        form,
        errors,
        cap,
        refusal,
        missing,
        may_correct,
        stale: false,
        photo_error: None,
        recommendations: Recommendation::ALL,
    })
}

async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<RecordPage> {
    let view = record_view(&state, &user, id).await?;
    render(&state, ctx, view, None, FieldErrors::default()).await
}
