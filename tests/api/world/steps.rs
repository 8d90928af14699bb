//! The steps of a world's proposal past screening, each taken by the one whose step it is,
//! through the pages (the start of the work excepted: see [`World::start`]): the visit and the
//! appraisal, the plan decision, the contract, the acceptance, the settlement and the
//! closing.

use khuyencong::domain::format::VIETNAM;
use khuyencong::domain::policy::Actor;
use khuyencong::domain::proposal::ProposalState;
use khuyencong::domain::role::Role;
use khuyencong::domain::transition::Action;
use khuyencong::workflow::intake::{self, ButtonInput};
use khuyencong::workflow::{Act, Subject};
use reqwest::StatusCode;
use sqlx::PgPool;

use super::{DECIDED, PROVINCE, SIGNED, World, before_this_month};
use crate::helpers::{PASSWORD, TestApp, attrs, state_of, text, user_id, version};

impl World {
    /// The Centre plans a visit to the accepted proposal `id` on `day` (the appraiser
    /// `thamdinh` leads it, alone); answers the proposal's appraisal record.
    pub async fn visit(&self, id: i64, day: time::Date) -> i64 {
        let centre = self.as_user("canbo").await;
        let leader = user_id(&self.app.pool, "thamdinh").await;
        let (leader, proposal) = (leader.to_string(), id.to_string());
        let day = day.to_string();
        let form = [
            ("title", "Thẩm định đề án tại huyện"),
            ("visit_date", day.as_str()),
            ("notes", ""),
            ("leader_id", leader.as_str()),
            ("externals", ""),
            ("proposal_ids", proposal.as_str()),
        ];
        let response = centre.post_form("/appraisals/visits/new", &form).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "visit planned");
        sqlx::query_scalar("select id from appraisal_records where proposal_id = $1")
            .bind(id)
            .fetch_one(&self.app.pool)
            .await
            .expect("the appraisal record")
    }

    /// The leader declares no conflict, scores every criterion at its maximum, proposes
    /// the support requested and finalises `record`.
    pub(super) async fn appraise(&self, record: i64) {
        let leader = self.as_user("thamdinh").await;
        let (visit, proposal, requested): (i64, i64, i64) = sqlx::query_as(
            "select r.visit_id, r.proposal_id, p.requested_support from appraisal_records r \
             join proposals p on p.id = r.proposal_id where r.id = $1",
        )
        .bind(record)
        .fetch_one(&self.app.pool)
        .await
        .expect("the record");
        let proposal = proposal.to_string();
        let declaration = [
            ("proposal_id", proposal.as_str()),
            ("conflict", "no"),
            ("note", ""),
            ("member_id", ""),
        ];
        let response = leader
            .post_form(&format!("/appraisals/visits/{visit}/declare"), &declaration)
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "declared");
        let path = format!("/appraisals/{record}");
        let page = leader.page(&path).await;
        let names = attrs(&page, "input[name^='points_']", "name");
        let maxima = attrs(&page, "input[name^='points_']", "max");
        let version = attrs(&page, "form input[name='version']", "value")
            .into_iter()
            .next()
            .expect("the record's version");
        let proposed = requested.to_string();
        let mut form: Vec<(String, String)> = vec![
            ("version".into(), version),
            ("premises".into(), "Nhà xưởng 250 m², nền bê tông".into()),
            ("machinery".into(), "Máy sao chè cũ, 50 kg/mẻ".into()),
            ("legal_papers".into(), "Đã đối chiếu giấy đăng ký".into()),
            ("counterpart_capacity".into(), "Có vốn đối ứng".into()),
            ("proposed_support".into(), proposed),
            ("recommendation".into(), "approve".into()),
            ("conditions".into(), String::new()),
        ];
        for (name, max) in names.into_iter().zip(maxima) {
            let finding = name.replace("points_", "finding_");
            form.push((name, max));
            form.push((finding, "Đạt".into()));
        }
        let response = post(&leader, &path, &form).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "record saved");
        let page = leader.page(&path).await;
        let version = attrs(
            &page,
            "form[action$='/finalise'] input[name='version']",
            "value",
        );
        let version = version.first().map(String::as_str).unwrap_or_default();
        let response = leader
            .post_form(&format!("{path}/finalise"), &[("version", version)])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "record finalised");
    }

    /// The accountant allocates their year what they need, and the director approves the
    /// appraised proposals `ids` (of one year) together in a plan decision of [`DECIDED`] days
    /// before this month, each at the amount its appraisal proposed; answers the decision.
    pub async fn approve(&self, ids: &[i64]) -> i64 {
        let proposed: Vec<(i16, i64)> = sqlx::query_as(
            "select p.plan_year, r.proposed_support from proposals p \
             join appraisal_records r on r.proposal_id = p.id and r.status = 'final' \
             where p.id = any($1) order by array_position($1, p.id)",
        )
        .bind(ids)
        .fetch_all(&self.app.pool)
        .await
        .expect("the appraised proposals");
        assert_eq!(proposed.len(), ids.len(), "every proposal appraised");
        let year = proposed[0].0.to_string();
        let total = proposed
            .iter()
            .map(|(_, amount)| amount)
            .sum::<i64>()
            .to_string();
        let day = before_this_month(DECIDED).to_string();
        let accountant = self.as_user("ketoan").await;
        let round = [
            ("year", year.as_str()),
            ("source", "local"),
            ("direction", "allocate"),
            ("amount", total.as_str()),
            ("decided_on", day.as_str()),
            ("reference", "Quyết định giao dự toán"),
            ("note", ""),
        ];
        let response = accountant.post_form("/funding/rounds", &round).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "round recorded");
        let director = self.as_user("giamdoc").await;
        let mut form = reqwest::multipart::Form::new()
            .text("year", year)
            .text("source", "local")
            .text("number", format!("{}/QĐ-UBND", ids[0]))
            .text("decided_on", day)
            .text("signer", "Nguyễn Văn Hùng, Phó Chủ tịch UBND tỉnh");
        for (id, (_, amount)) in ids.iter().zip(proposed) {
            form = form
                .text(format!("pick_{id}"), "on")
                .text(format!("amount_{id}"), amount.to_string());
        }
        let form = form.part(
            "file",
            reqwest::multipart::Part::bytes(crate::helpers::pdf())
                .file_name("quyet-dinh.pdf")
                .mime_str("application/pdf")
                .expect("mime"),
        );
        let response = director.post_multipart("/funding/plan", form).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "plan approved");
        sqlx::query_scalar("select plan_decision_id from proposals where id = $1")
            .bind(ids[0])
            .fetch_one(&self.app.pool)
            .await
            .expect("the decision")
    }

    /// The Centre signs the contract the signing form suggests, [`SIGNED`] days before this
    /// month.
    pub(super) async fn contract(&self, id: i64) {
        let centre = self.as_user("canbo").await;
        let path = format!("/proposals/{id}/contract");
        let signed_on = before_this_month(SIGNED).to_string();
        let form = signing_form(&centre, id, &[("signed_on", &signed_on)]).await;
        let response = post(&centre, &path, &form).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "contract signed");
    }

    /// The acceptance of `id` today: the Centre plans the visit, `thamdinh` leads it, finds
    /// every piece of evidence, admits every line in full and finalises a pass.
    pub async fn accept_result(&self, id: i64) {
        let (_, record) = plan_acceptance(&self.app, id, "thamdinh").await;
        let leader = self.as_user("thamdinh").await;
        let mut pass = record_form(&leader, id, "yes", |support| support).await;
        pass.push(("result".into(), "pass".into()));
        pass.push(("finalise".into(), "1".into()));
        let response = post(
            &leader,
            &format!("/proposals/{id}/acceptance/{record}"),
            &pass,
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "result accepted");
    }

    /// The accountant settles `id` today: the liquidation minutes and the final payment.
    pub(super) async fn settle(&self, id: i64) {
        let accountant = self.as_user("ketoan").await;
        let day = crate::helpers::today().to_string();
        let (number, voucher) = (format!("TL-{id}/2026"), format!("PC-TL-{id}"));
        let v = version(&self.app.pool, id).await;
        let form = [
            ("liquidation_number", number.as_str()),
            ("liquidated_on", day.as_str()),
            ("voucher_number", voucher.as_str()),
            ("paid_on", day.as_str()),
            ("version", v.as_str()),
        ];
        let response = accountant
            .post_form(&format!("/proposals/{id}/settlement"), &form)
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "settled");
    }

    /// The Centre records the effects of `id` at its settlement, today, and closes it.
    pub(super) async fn complete(&self, id: i64) {
        let centre = self.as_user("canbo").await;
        let day = crate::helpers::today().to_string();
        let eval = format!("/proposals/{id}/evaluation");
        let figures = [
            ("months_after", "0"),
            ("evaluated_on", day.as_str()),
            ("output", "30 tấn chè khô/năm"),
            ("revenue", "2.800.000.000"),
            ("jobs", "14"),
            ("productivity_change", "30"),
        ];
        let response = centre.post_form(&eval, &figures).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "evaluated");
        let response = centre.post_form(&format!("{eval}/close"), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "closed");
    }

    /// The Centre records that the work on `id` started the day its contract was signed
    /// ([`SIGNED`] days before this month). A page's step is dated now, so this one is taken
    /// through the workflow layer, dated that day: work started last month owes last month's
    /// report, as it would in the province.
    pub(super) async fn start(&self, id: i64) {
        let pool = &self.app.pool;
        let (user_id, organisation_id): (i64, i64) =
            sqlx::query_as("select id, organisation_id from users where username = 'canbo'")
                .fetch_one(pool)
                .await
                .expect("the Centre's officer");
        let actor = Actor {
            user_id,
            role: Role::CentreStaff,
            province_code: PROVINCE.to_owned(),
            organisation_id,
            area_unit_id: None,
            facility_id: None,
        };
        let (version, code, title) =
            sqlx::query_as("select version, code, title from proposals where id = $1")
                .bind(id)
                .fetch_one(pool)
                .await
                .expect("the proposal");
        let subject = Subject {
            id,
            province_code: PROVINCE.to_owned(),
            state: ProposalState::Contracted,
            version,
            code,
            title,
        };
        let at = before_this_month(SIGNED)
            .with_hms(9, 0, 0)
            .expect("nine o'clock")
            .assume_offset(VIETNAM);
        let act = Act { by: &actor, at };
        let mut tx = pool.begin().await.expect("a transaction");
        intake::press(
            &mut tx,
            &act,
            &subject,
            Action::Start,
            &ButtonInput::Nothing,
        )
        .await
        .expect("the work started");
        tx.commit().await.expect("committed");
    }
}

/// The signing form's fields as the page offers them, with `changes` applied.
pub async fn signing_form(
    app: &TestApp,
    id: i64,
    changes: &[(&str, &str)],
) -> Vec<(String, String)> {
    let page = app.page(&format!("/proposals/{id}/contract")).await;
    let mut fields: Vec<(String, String)> = [
        "version",
        "number",
        "signed_on",
        "holder_name",
        "implementer_name",
        "counterpart_funds",
        "deadline",
    ]
    .iter()
    .map(|name| {
        let value = attrs(&page, &format!("form input[name='{name}']"), "value")
            .into_iter()
            .next()
            .unwrap_or_default();
        ((*name).to_owned(), value)
    })
    .collect();
    fields.push(("holder_signer".into(), "Lê Văn Hùng, Giám đốc".into()));
    fields.push((
        "implementer_signer".into(),
        "Lương Văn Quý, Giám đốc HTX".into(),
    ));
    fields.push(("payment_terms".into(), text(&page, "#payment_terms")));
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        fields.push(((*name).to_owned(), (*value).to_owned()));
    }
    fields
}

/// The proposal's cost lines: (id, support).
pub async fn lines(pool: &PgPool, proposal: i64) -> Vec<(i64, i64)> {
    sqlx::query_as(
        "select id, support from proposal_cost_lines where proposal_id = $1 order by position",
    )
    .bind(proposal)
    .fetch_all(pool)
    .await
    .expect("lines")
}

/// The Centre plans an acceptance visit of `proposal` led by `leader`; the leader declares
/// no conflict. Returns (visit, record).
pub async fn plan_acceptance(app: &TestApp, proposal: i64, leader: &str) -> (i64, i64) {
    let staff = app.with_client(app.login_new_client("canbo", PASSWORD).await);
    let leader_id = user_id(&app.pool, leader).await.to_string();
    let day = crate::helpers::today().to_string();
    let proposal_id = proposal.to_string();
    let page = staff
        .page("/appraisals/visits/new?purpose=acceptance")
        .await;
    assert!(
        attrs(&page, "input[name=proposal_ids]", "value").contains(&proposal_id),
        "a proposal being carried out is offered for acceptance"
    );
    let response = staff
        .post_form(
            "/appraisals/visits/new",
            &[
                ("purpose", "acceptance"),
                ("title", "Nghiệm thu đề án"),
                ("visit_date", &day),
                ("leader_id", &leader_id),
                ("proposal_ids", &proposal_id),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "visit planned");
    let (visit, record): (i64, i64) = sqlx::query_as(
        "select visit_id, id from acceptance_records where proposal_id = $1 order by id desc limit 1",
    )
    .bind(proposal)
    .fetch_one(&app.pool)
    .await
    .expect("an acceptance record");
    assert_eq!(state_of(&app.pool, proposal).await, "in_progress");
    let leader = app.with_client(app.login_new_client(leader, PASSWORD).await);
    let response = leader
        .post_form(
            &format!("/appraisals/visits/{visit}/declare"),
            &[("proposal_id", &proposal_id), ("conflict", "no")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "declared");
    (visit, record)
}

/// The record's form: every evidence item answered `answer`, each line admitted by `admit`.
pub async fn record_form(
    app: &TestApp,
    proposal: i64,
    answer: &str,
    mut admit: impl FnMut(i64) -> i64,
) -> Vec<(String, String)> {
    let leader = app.page(&format!("/proposals/{proposal}/acceptance")).await;
    let version = attrs(&leader, "#record input[name=version]", "value")
        .pop()
        .expect("the record's version");
    let mut form = vec![("version".to_owned(), version)];
    let mut evidence = attrs(&leader, "#record input[type=radio][value=yes]", "name");
    evidence.retain(|n| n.starts_with("ev_"));
    assert!(
        !evidence.is_empty(),
        "the activity type's evidence is listed"
    );
    for name in evidence {
        form.push((name, answer.to_owned()));
    }
    for (line, support) in lines(&app.pool, proposal).await {
        form.push((format!("line_{line}"), admit(support).to_string()));
    }
    form
}

/// Posts the owned fields `form` to `path` as the signed-in user of `app`.
pub async fn post(app: &TestApp, path: &str, form: &[(String, String)]) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.post_form(path, &pairs).await
}
