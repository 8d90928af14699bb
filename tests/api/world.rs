//! A test's own world, made without the demo data set: the Centre, the Department, two local
//! offices and their people, and the facilities and proposals a test asks for, made the way
//! users make them (through the pages), so every record a test reads is one it made.

use khuyencong::auth::password::Passwords;
use khuyencong::db::organisations::{self, NewOrganisation};
use khuyencong::db::users::{self, NewUser};
use khuyencong::domain::format::VIETNAM;
use khuyencong::domain::organisation::OrganisationKind;
use khuyencong::domain::policy::Actor;
use khuyencong::domain::proposal::ProposalState;
use khuyencong::domain::role::Role;
use khuyencong::domain::transition::Action;
use khuyencong::workflow::intake::{self, ButtonInput};
use khuyencong::workflow::{Act, Subject};
use reqwest::StatusCode;
use secrecy::SecretString;
use sqlx::PgPool;

use crate::helpers::{
    PASSWORD, TestApp, attach_required_documents, attrs, header, state_of, text, user_id, version,
};

/// Thái Nguyên, the province of every world.
const PROVINCE: &str = "19";

/// The districts (of the map before July 2025) whose economic offices a world has.
pub const PHU_BINH: &str = "173";
/// See [`PHU_BINH`].
pub const DAI_TU: &str = "171";

/// One step on the way to a state: who takes it ("office": the proposal's office), the
/// action, the form's other fields.
type Step = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// Where a member of staff works.
#[derive(Clone, Copy)]
enum Workplace {
    Centre,
    Department,
    Office(&'static str),
}

/// Every world's staff: username, full name, role, workplace.
const STAFF: [(&str, &str, Role, Workplace); 8] = [
    ("admin", "Quản Trị Viên", Role::Admin, Workplace::Centre),
    (
        "canbo",
        "Cán Bộ Trung Tâm",
        Role::CentreStaff,
        Workplace::Centre,
    ),
    (
        "thamdinh",
        "Thẩm Định Viên",
        Role::Appraiser,
        Workplace::Centre,
    ),
    (
        "giamdoc",
        "Giám Đốc Trung Tâm",
        Role::Director,
        Workplace::Centre,
    ),
    (
        "ketoan",
        "Kế Toán Trung Tâm",
        Role::Accountant,
        Workplace::Centre,
    ),
    (
        "so.congthuong",
        "Chuyên Viên Sở",
        Role::DepartmentViewer,
        Workplace::Department,
    ),
    (
        "pkt.phubinh",
        "Cán Bộ Phú Bình",
        Role::LocalOfficer,
        Workplace::Office(PHU_BINH),
    ),
    (
        "pkt.daitu",
        "Cán Bộ Đại Từ",
        Role::LocalOfficer,
        Workplace::Office(DAI_TU),
    ),
];

/// A running application over a database that holds the reference data, the organisations
/// and the staff of [`STAFF`] (password [`PASSWORD`]), and nothing else.
pub struct World {
    /// The application, signed in as nobody.
    pub app: TestApp,
    hash: String,
    facility_owners: i64,
}

impl World {
    /// Starts the application and makes the organisations and the staff.
    pub async fn new(pool: PgPool) -> Self {
        Self::with_settings(pool, &[]).await
    }

    /// Like [`World::new`], with the application's configuration `extra`.
    pub async fn with_settings(pool: PgPool, extra: &[(&str, &str)]) -> Self {
        let app = TestApp::spawn_with(pool.clone(), pool, extra).await;
        let hash = Passwords::new(2)
            .hash(SecretString::from(PASSWORD))
            .await
            .expect("hash");
        let organisation = |kind, name: &'static str, unit_id| NewOrganisation {
            province_code: PROVINCE,
            kind,
            name,
            unit_id,
        };
        let insert = |org| {
            let pool = app.pool.clone();
            async move {
                organisations::insert(&pool, &org)
                    .await
                    .expect("organisation")
            }
        };
        let centre = insert(organisation(
            OrganisationKind::Centre,
            "Trung tâm Khuyến công tỉnh",
            None,
        ))
        .await;
        let department = insert(organisation(
            OrganisationKind::Department,
            "Sở Công Thương",
            None,
        ))
        .await;
        let facility_owners =
            insert(organisation(OrganisationKind::Facility, "Chủ cơ sở", None)).await;
        let mut offices = Vec::new();
        for (district, name) in [
            (PHU_BINH, "Phòng Kinh tế và Hạ tầng huyện Phú Bình"),
            (DAI_TU, "Phòng Kinh tế và Hạ tầng huyện Đại Từ"),
        ] {
            let unit = district_id(&app.pool, district).await;
            let id = insert(organisation(
                OrganisationKind::LocalOffice,
                name,
                Some(unit),
            ))
            .await;
            offices.push((district, id));
        }
        for (username, full_name, role, workplace) in STAFF {
            let organisation_id = match workplace {
                Workplace::Centre => centre,
                Workplace::Department => department,
                Workplace::Office(district) => offices
                    .iter()
                    .find(|(d, _)| *d == district)
                    .map(|(_, id)| *id)
                    .expect("office"),
            };
            let user = NewUser {
                username,
                full_name,
                email: None,
                password_hash: &hash,
                role,
                organisation_id,
                facility_id: None,
            };
            users::insert(&app.pool, &user).await.expect("user");
        }
        Self {
            app,
            hash,
            facility_owners,
        }
    }

    /// A world where every role has an account: its staff, and `coso`, the owner of a
    /// facility.
    pub async fn of_every_role(pool: PgPool) -> Self {
        let world = Self::new(pool).await;
        let tax = world
            .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
            .await;
        world.owner("coso", &tax).await;
        world
    }

    /// The application seen by `username`, signed in.
    pub async fn as_user(&self, username: &str) -> TestApp {
        self.app
            .with_client(self.app.login_new_client(username, PASSWORD).await)
    }

    /// Registers a facility in a commune of Phú Bình the way its office does; answers its
    /// tax code.
    pub async fn facility(&self, name: &str, tax_code: &str) -> String {
        self.facility_in(PHU_BINH, name, tax_code).await
    }

    /// Registers a facility in a commune of `district` (one of the world's offices) the way
    /// that office does; answers its tax code.
    pub async fn facility_in(&self, district: &str, name: &str, tax_code: &str) -> String {
        let office = self.as_user(office_of(district)).await;
        let commune = if district == DAI_TU { "05767" } else { "05917" };
        let unit = commune_id(&self.app.pool, commune).await.to_string();
        let response = office
            .post_form("/facilities/new", &facility_form(&unit, tax_code, name))
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "facility {name}");
        tax_code.to_owned()
    }

    /// An account `username` for the owner of the facility with `tax_code`.
    pub async fn owner(&self, username: &str, tax_code: &str) {
        let facility: i64 = sqlx::query_scalar("select id from facilities where tax_code = $1")
            .bind(tax_code)
            .fetch_one(&self.app.pool)
            .await
            .expect("the facility");
        let user = NewUser {
            username,
            full_name: "Chủ Cơ Sở",
            email: None,
            password_hash: &self.hash,
            role: Role::FacilityOwner,
            organisation_id: self.facility_owners,
            facility_id: Some(facility),
        };
        users::insert(&self.app.pool, &user).await.expect("owner");
    }

    /// A proposal for the facility with `tax_code`, drafted by the office of its area and
    /// taken through the pages by the people whose step each is until it is in `state`.
    pub async fn proposal(&self, tax_code: &str, title: &str, state: ProposalState) -> i64 {
        self.proposal_from(&dossier(tax_code, title), state).await
    }

    /// Like [`World::proposal`], drafted from `form` (a [`dossier`], changed as a test needs).
    pub async fn proposal_from(&self, form: &[(&str, &str)], state: ProposalState) -> i64 {
        let tax_code = form
            .iter()
            .find(|(name, _)| *name == "facility_tax_codes")
            .map(|(_, value)| *value)
            .expect("the dossier names its facility");
        let district: String = sqlx::query_scalar(
            "select d.code from facilities f join admin_units c on c.id = f.unit_id \
             join admin_units d on d.id = c.parent_id where f.tax_code = $1",
        )
        .bind(tax_code)
        .fetch_one(&self.app.pool)
        .await
        .expect("the facility's district");
        let office_user = office_of(&district);
        let office = self.as_user(office_user).await;
        let id = draft(&office, form).await;
        let path = intake_path(state);
        if path.iter().any(|(_, action, _)| *action == "submit") {
            attach_required_documents(&office, id).await;
        }
        for (username, action, fields) in path {
            let username = if *username == "office" {
                office_user
            } else {
                username
            };
            self.step(username, id, action, fields).await;
        }
        self.carry_on(id, state).await;
        id
    }

    /// `username` takes the proposal `id` by `action` with the form's other `fields`.
    async fn step(&self, username: &str, id: i64, action: &str, fields: &[(&str, &str)]) {
        let user = self.as_user(username).await;
        let v = version(&self.app.pool, id).await;
        let mut form = vec![("version", v.as_str())];
        form.extend_from_slice(fields);
        let response = user
            .post_form(&format!("/proposals/{id}/{action}"), &form)
            .await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "{action} by {username}"
        );
    }

    /// Takes the accepted proposal `id` on to `state` past screening, if that is where it is
    /// to be: the visit, the appraisal, the plan decision, the contract, the start of the
    /// work, each in turn.
    async fn carry_on(&self, id: i64, state: ProposalState) {
        let Some(last) = LATER.iter().position(|s| *s == state) else {
            return;
        };
        let record = self.visit(id, before_this_month(VISITED)).await;
        if last >= 1 {
            self.appraise(record).await;
        }
        if last >= 2 {
            self.approve(&[id]).await;
        }
        if last >= 3 {
            self.contract(id).await;
        }
        if last >= 4 {
            self.start(id).await;
        }
        if last >= 5 {
            self.accept_result(id).await;
        }
        if last >= 6 {
            self.settle(id).await;
        }
        if last >= 7 {
            self.complete(id).await;
        }
    }

    /// A proposal of Phú Bình being carried out with nothing paid yet: id, contract,
    /// approved support, its office's officer, its envelope.
    pub async fn running(&self) -> (i64, i64, i64, String, i64) {
        let tax = self
            .facility("Hợp tác xã Chè Đồng Liên", "4609990500")
            .await;
        let id = self
            .proposal(&tax, "Máy sao chè tự động", ProposalState::InProgress)
            .await;
        let (contract, support, envelope) = sqlx::query_as(
            "select c.id, c.approved_support, d.envelope_id from proposals p \
             join contracts c on c.proposal_id = p.id \
             join plan_decisions d on d.id = p.plan_decision_id where p.id = $1",
        )
        .bind(id)
        .fetch_one(&self.app.pool)
        .await
        .expect("the contract");
        (
            id,
            contract,
            support,
            office_of(PHU_BINH).to_owned(),
            envelope,
        )
    }

    /// One plan decision of 2026 approving two proposals together, one in each office's
    /// area, each at the 150,000,000 đồng its dossier asks (of 400,000,000; see [`dossier`]);
    /// answers the decision.
    pub async fn decision_of_two(&self) -> i64 {
        let tan_khanh = self
            .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
            .await;
        let la_bang = self
            .facility_in(DAI_TU, "Hợp tác xã Chè La Bằng", "4609990201")
            .await;
        let first = self
            .proposal(&tan_khanh, "Máy sao chè tự động", ProposalState::Appraised)
            .await;
        let second = self
            .proposal(&la_bang, "Lò sấy chè", ProposalState::Appraised)
            .await;
        self.approve(&[first, second]).await
    }

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
    async fn appraise(&self, record: i64) {
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
    async fn contract(&self, id: i64) {
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
    async fn settle(&self, id: i64) {
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
    async fn complete(&self, id: i64) {
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
    async fn start(&self, id: i64) {
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

/// A world's dates count back from the first of this month, so that each step is in the
/// past, in order, and the contract is signed in the month before this one (a report on
/// last month's work may be made): the visits this many days before it,
pub const VISITED: i64 = 50;
/// the plan decisions this many,
pub const DECIDED: i64 = 40;
/// and the contracts, and the start of the work, this many.
pub const SIGNED: i64 = 10;

/// The day `days` before the first of this month.
fn before_this_month(days: i64) -> time::Date {
    let today = crate::helpers::today();
    today.replace_day(1).expect("the first") - time::Duration::days(days)
}

/// The states past screening a world can take an accepted proposal on to, in order.
const LATER: [ProposalState; 8] = [
    ProposalState::AppraisalScheduled,
    ProposalState::Appraised,
    ProposalState::Approved,
    ProposalState::Contracted,
    ProposalState::InProgress,
    ProposalState::ResultAccepted,
    ProposalState::Settled,
    ProposalState::Completed,
];

/// The steps from a draft to `state` at intake; to the states of [`LATER`], to accepted.
fn intake_path(state: ProposalState) -> &'static [Step] {
    match state {
        ProposalState::Draft => &[],
        ProposalState::Withdrawn => &[("office", "withdraw", &[])],
        ProposalState::Submitted => &[("office", "submit", &[])],
        ProposalState::Returned => &[
            ("office", "submit", &[]),
            (
                "canbo",
                "return",
                &[
                    ("missing_items", "Bổ sung báo giá"),
                    ("due_date", "2099-12-31"),
                ],
            ),
        ],
        ProposalState::Rejected => &[
            ("office", "submit", &[]),
            ("canbo", "reject", &[("reason", "Không thuộc đối tượng")]),
        ],
        ProposalState::Accepted => &[("office", "submit", &[]), ("canbo", "accept", &[])],
        later if LATER.contains(&later) => intake_path(ProposalState::Accepted),
        other => panic!("a world cannot make a proposal in {other:?} yet"),
    }
}

/// The usernames of every world's staff (each of its roles but the facility owner's).
pub fn staff() -> impl Iterator<Item = &'static str> {
    STAFF.iter().map(|(username, ..)| *username)
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

/// The accounts of [`World::of_every_role`] but the administrator's.
pub fn everyone_but_admin() -> impl Iterator<Item = &'static str> {
    staff().filter(|u| *u != "admin").chain(["coso"])
}

/// The username of the officer of the world's office for `district`.
fn office_of(district: &str) -> &'static str {
    match district {
        DAI_TU => "pkt.daitu",
        _ => "pkt.phubinh",
    }
}

/// The form of a facility in commune `unit`.
pub fn facility_form<'a>(
    unit: &'a str,
    tax_code: &'a str,
    name: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("legal_form", "cooperative"),
        ("tax_code", tax_code),
        ("owner_name", "Nguyễn Văn Bình"),
        ("phone", "0912 345 678"),
        ("unit_id", unit),
        ("address_detail", "Xóm Trại"),
        ("sector_code", "agro_processing"),
        ("main_products", "Chè xanh"),
        ("workers", "12"),
        ("annual_revenue", "2.500.000.000"),
        ("capital", "800.000.000"),
        ("women_owned", "on"),
    ]
}

/// The form of a complete dossier (machinery, 2026) for the facility with `tax_code`.
pub fn dossier<'a>(tax_code: &'a str, title: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("facility_tax_codes", tax_code),
        ("plan_year", "2026"),
        ("level", "local"),
        ("form", "normal"),
        ("activity_type_code", "machinery"),
        (
            "objectives",
            "Nâng công suất sao chè, giảm lao động thủ công.",
        ),
        ("content", "Đầu tư máy sao chè tự động và máy vò chè."),
        ("start_date", "2026-04-01"),
        ("end_date", "15/10/2026"),
        ("line_item", "Máy sao chè tự động"),
        ("line_unit", "chiếc"),
        ("line_quantity", "2"),
        ("line_price", "150.000.000"),
        ("line_support", "150.000.000"),
        ("line_item", "Máy vò chè"),
        ("line_unit", "chiếc"),
        ("line_quantity", "2,5"),
        ("line_price", "40.000.000"),
        ("line_support", "0"),
        ("expected_output", "30 tấn chè khô/năm"),
        ("baseline_jobs", "10"),
        ("expected_jobs", "14"),
        ("no_double_funding", "on"),
    ]
}

/// Saves a draft from `form` as the signed-in user of `app`; answers its id.
pub async fn draft(app: &TestApp, form: &[(&str, &str)]) -> i64 {
    let response = app.post_form("/proposals/new", form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "draft saved");
    header(response.headers(), "location")
        .rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("proposal id")
}

/// The id of a district of the map before July 2025.
async fn district_id(pool: &PgPool, code: &str) -> i64 {
    sqlx::query_scalar(
        "select id from admin_units where code = $1 and level = 'district' and valid_from is null",
    )
    .bind(code)
    .fetch_one(pool)
    .await
    .expect("district")
}

/// The id of a commune of the map before July 2025.
pub async fn commune_id(pool: &PgPool, code: &str) -> i64 {
    sqlx::query_scalar(
        "select id from admin_units where code = $1 and level = 'commune' and valid_from is null",
    )
    .bind(code)
    .fetch_one(pool)
    .await
    .expect("commune")
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

/// A world's proposals are in the state asked for, reached by the pages' own steps, at
/// intake and past it.
#[sqlx::test]
async fn a_world_makes_proposals_in_each_state_it_knows(pool: PgPool) {
    let world = World::new(pool).await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    let intake = [
        ProposalState::Draft,
        ProposalState::Withdrawn,
        ProposalState::Submitted,
        ProposalState::Returned,
        ProposalState::Accepted,
        ProposalState::Rejected,
    ];
    for state in intake.into_iter().chain(LATER) {
        let id = world.proposal(&tax, state.code(), state).await;
        assert_eq!(state_of(&world.app.pool, id).await, state.code());
    }
}
