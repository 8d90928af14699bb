//! A test's own world, made without the demo data set: the Centre, the Department, two local
//! offices and their people, and the facilities and proposals a test asks for, made the way
//! users make them (through the pages), so every record a test reads is one it made.

use khuyencong::auth::password::Passwords;
use khuyencong::db::organisations::{self, NewOrganisation};
use khuyencong::db::users::{self, NewUser};
use khuyencong::domain::organisation::OrganisationKind;
use khuyencong::domain::proposal::ProposalState;
use khuyencong::domain::role::Role;
use reqwest::StatusCode;
use secrecy::SecretString;
use sqlx::PgPool;

use crate::helpers::{PASSWORD, TestApp, attach_required_documents, header, state_of, version};

mod steps;

pub use steps::{lines, plan_acceptance, post, record_form, signing_form};

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

/// The form of [`dossier`] for the plan year 2027, its work in that year.
pub fn dossier_of_2027<'a>(tax_code: &'a str, title: &'a str) -> Vec<(&'a str, &'a str)> {
    changed(
        dossier(tax_code, title),
        &[
            ("plan_year", "2027"),
            ("start_date", "2027-03-01"),
            ("end_date", "30/11/2027"),
        ],
    )
}

/// `form` with each field of `changes` set to its value instead.
pub fn changed<'a>(
    mut form: Vec<(&'a str, &'a str)>,
    changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    for (name, value) in changes {
        form.retain(|(n, _)| n != name);
        form.push((*name, *value));
    }
    form
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
