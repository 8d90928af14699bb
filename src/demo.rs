//! The fixed demo data set (PRODUCT.md §6): Thái Nguyên province as of 2024, on the legacy
//! (pre-July-2025) administrative units.
//!
//! Organisations, ten accounts that cover every role, rural industrial facilities in tea and
//! agro/forestry processing, mechanical engineering, construction materials (non-fired bricks
//! only) and handicrafts, the 2023 proposals (27 completed, 3 of them national, as the Centre
//! reported) and 2024 proposals in every state. The offices, facilities and proposals are
//! written down in `demo/data/*.csv`. Each proposal's timeline is the table's path from its
//! creation to its state (`transition::path`), with dates set by the Centre's calendar
//! (registration in January, appraisal visits in March, the plan decision in April; a
//! supplementary round from August for the 2024 proposals still being screened). Nothing is
//! random: the same data every time, so tests can rely on it.
//!
//! This module plans the timelines; `write` and the stage modules store them, the SQL is in
//! `db::demo`.

use std::collections::HashMap;

use ProposalState as S;
use anyhow::{Context as _, anyhow, ensure};
use secrecy::SecretString;
use sqlx::PgPool;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

use crate::auth::password::Passwords;
use crate::db::demo as sql;
use crate::domain::format::VIETNAM;
use crate::domain::proposal::{ProposalState, proposal_code};
use crate::domain::role::Role;
use crate::domain::transition::Action;
use crate::domain::transition::path::path_to;

mod acceptance;
mod appraisals;
mod calendar;
mod data;
mod funding;
mod story;
mod write;

use calendar::{CREATION, slot_of, step_day};
use story::describe;
use write::{
    Units, insert_accounts, insert_facilities, insert_organisations, insert_proposals, lookup,
};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "khuyencong2024";

/// Demo accounts (username, role) in the order the README lists them.
pub const ACCOUNTS: &[(&str, Role)] = &[
    ("admin", Role::Admin),
    ("canbo", Role::CentreStaff),
    ("thamdinh", Role::Appraiser),
    ("giamdoc", Role::Director),
    ("ketoan", Role::Accountant),
    ("so.congthuong", Role::DepartmentViewer),
    ("pkt.thainguyen", Role::LocalOfficer),
    ("pkt.phubinh", Role::LocalOfficer),
    ("pkt.daitu", Role::LocalOfficer),
    ("coso.phucxuan", Role::FacilityOwner),
];

/// How much the seed created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedSummary {
    /// Organisations (Centre, Department division, local offices, Ministry, facility).
    pub organisations: usize,
    /// Accounts.
    pub users: usize,
    /// Facilities.
    pub facilities: usize,
    /// Proposals.
    pub proposals: usize,
    /// Timeline events.
    pub events: usize,
    /// Appraisal visits.
    pub visits: usize,
}

/// Whether the database has no users yet (the only case in which demo data may be loaded).
pub async fn database_is_empty(pool: &PgPool) -> anyhow::Result<bool> {
    let mut conn = pool.acquire().await?;
    Ok(!sql::has_users(&mut conn).await?)
}

/// Loads the whole demo data set in one transaction (all or nothing). The password is hashed
/// once and the hash shared by every demo account. Refuses a database that already has users;
/// the administrative units must already be loaded (`db::prepare`).
pub async fn seed(pool: &PgPool, passwords: &Passwords) -> anyhow::Result<SeedSummary> {
    let data = data::data()?;
    let proposals = plan_proposals(data)?;
    let hash = passwords
        .hash(SecretString::from(DEMO_PASSWORD.to_owned()))
        .await?;

    let mut tx = pool.begin().await?;
    ensure!(
        !sql::has_users(&mut tx).await?,
        "the database already has users; demo data is only loaded into an empty database"
    );
    let units = Units::load(&mut tx).await?;
    let organisations = insert_organisations(&mut tx, data, &units).await?;
    let mut users = insert_accounts(&mut tx, data, &hash, &organisations, None).await?;
    let facilities = insert_facilities(&mut tx, data, &units, &users).await?;
    let owner_facility = lookup(&facilities, OWNER_FACILITY, "facility")?;
    let owner = insert_accounts(&mut tx, data, &hash, &organisations, Some(owner_facility));
    users.extend(owner.await?);
    let (events, ids) = insert_proposals(
        &mut tx,
        &proposals,
        &units,
        &organisations,
        &users,
        &facilities,
    )
    .await?;
    let districts = data
        .offices
        .iter()
        .map(|o| Ok((o.district.as_str(), units.district(&o.district)?)))
        .collect::<anyhow::Result<HashMap<_, _>>>()?;
    let visits = appraisals::insert(&mut tx, &proposals, &ids, &users, &districts).await?;
    funding::insert(&mut tx, PROVINCE, &proposals, &ids, &users).await?;
    acceptance::insert(&mut tx, PROVINCE, &proposals, &ids, &users).await?;
    // Bulk-loaded rows get their diacritics-insensitive search text here.
    crate::db::search::fill_missing(&mut tx).await?;
    tx.commit().await?;

    Ok(SeedSummary {
        organisations: organisations.len(),
        users: users.len(),
        facilities: facilities.len(),
        proposals: proposals.len(),
        events,
        visits,
    })
}

// ---------------------------------------------------------------------------------------------
// Organisations and people

/// Thái Nguyên's province code.
const PROVINCE: &str = "19";
const CENTRE: &str = "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp Thái Nguyên";
const DEPARTMENT: &str = "Phòng Quản lý Công nghiệp và Năng lượng – Sở Công Thương Thái Nguyên";
const MINISTRY: &str = "Cục Công Thương địa phương – Bộ Công Thương";
/// The facility of `coso.phucxuan` (a key of `data/facilities.csv`); its name is also the name of
/// the owner's organisation.
const OWNER_FACILITY: &str = "phucxuan";
/// Who creates proposals for the offices that have no demo account.
const CENTRE_STAFF: &str = "canbo";

/// Where an account works.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Workplace {
    Centre,
    Department,
    /// The economic office of this district.
    Office(&'static str),
    /// The organisation of [`OWNER_FACILITY`].
    Facility,
}

/// Username, full name and workplace of each account of [`ACCOUNTS`], in the same order.
const PEOPLE: [(&str, &str, Workplace); 10] = [
    ("admin", "Đỗ Minh Tuấn", Workplace::Centre),
    ("canbo", "Nguyễn Thị Thu Hằng", Workplace::Centre),
    ("thamdinh", "Trần Quốc Việt", Workplace::Centre),
    ("giamdoc", "Lê Văn Hùng", Workplace::Centre),
    ("ketoan", "Phạm Thị Lan Anh", Workplace::Centre),
    ("so.congthuong", "Hoàng Minh Đức", Workplace::Department),
    ("pkt.thainguyen", "Dương Văn Long", Workplace::Office("164")),
    ("pkt.phubinh", "Ngô Thị Hương", Workplace::Office("173")),
    ("pkt.daitu", "Vũ Đình Khang", Workplace::Office("171")),
    ("coso.phucxuan", "Nguyễn Văn Thành", Workplace::Facility),
];

// ---------------------------------------------------------------------------------------------
// Proposals

/// Plan year, number of the province's plan decision (QĐ-UBND), number of the Ministry's
/// decision on national proposals (QĐ-BCT).
const DECISIONS: [(i16, u32, u32); 2] = [(2023, 1126, 1375), (2024, 845, 1452)];

/// Who takes `action` in the demo: the author submits, answers a return and withdraws; the
/// appraisal officer records the appraisal and the acceptance; the director forwards to the
/// Ministry, decides the plan, records the Ministry's answer and stops; the accountant
/// settles; the Centre's officer does the rest. `transition::path::path_to` checks each
/// against the table for the account's role.
fn taker(action: Action, creator: &'static str) -> &'static str {
    match action {
        Action::Submit | Action::Resubmit | Action::Withdraw => creator,
        Action::RecordAppraisal | Action::AcceptResult => "thamdinh",
        Action::Forward
        | Action::Reappraise
        | Action::ApproveInPlan
        | Action::NotSelected
        | Action::MinistryApprove
        | Action::MinistryReject
        | Action::Stop => "giamdoc",
        Action::Settle => "ketoan",
        Action::Accept
        | Action::Return
        | Action::RejectIneligible
        | Action::ScheduleAppraisal
        | Action::UnscheduleAppraisal
        | Action::SignContract
        | Action::Start
        | Action::Close => CENTRE_STAFF,
    }
}

/// The role of a demo account; `None` for a name that is no account.
fn role_of(username: &str) -> Option<Role> {
    ACCOUNTS
        .iter()
        .find(|(name, _)| *name == username)
        .map(|(_, role)| *role)
}

/// A proposal of the data set, worked out: amounts, code, timeline.
#[derive(Debug)]
struct Planned {
    spec: &'static data::Spec,
    /// Where it is carried out: the first beneficiary.
    location: &'static data::Facility,
    /// The submitting office.
    office: &'static data::Office,
    /// Username of the author.
    creator: &'static str,
    code: Option<String>,
    /// The day of the appraisal visit, once one is scheduled.
    visit: Option<Date>,
    /// Requested support, đồng.
    requested: i64,
    /// The amount the appraisal proposes and the plan approves, đồng.
    proposed: i64,
    /// When the draft was written: the timeline's first event.
    created: OffsetDateTime,
    /// The steps after, each a row of the lifecycle's table.
    steps: Vec<Step>,
}

impl Planned {
    /// The first step of `action`, if the timeline takes it.
    fn step(&self, action: Action) -> Option<&Step> {
        self.steps.iter().find(|s| s.action == action)
    }

    fn approved(&self) -> Option<i64> {
        self.steps
            .iter()
            .any(|s| s.to == S::Approved)
            .then_some(self.proposed)
    }

    fn submitted_at(&self) -> Option<OffsetDateTime> {
        self.step(Action::Submit).map(|s| s.at)
    }

    /// When the timeline's last event happened.
    fn updated_at(&self) -> OffsetDateTime {
        self.steps.last().map_or(self.created, |s| s.at)
    }
}

/// One event of a timeline after the creation.
#[derive(Debug)]
struct Step {
    action: Action,
    from: ProposalState,
    to: ProposalState,
    at: OffsetDateTime,
    actor: &'static str,
    note: String,
    details: String,
}

/// Requested support: the activity's share of the cost within its cap, in whole million đồng.
fn requested_million(spec: &data::Spec) -> anyhow::Result<i64> {
    let (percent, cap, per_beneficiary) = spec.activity.cap();
    let beneficiaries = i64::try_from(spec.facilities.len())?;
    let cap = if per_beneficiary {
        cap.checked_mul(beneficiaries)
    } else {
        Some(cap)
    };
    let share = spec.total_million.checked_mul(percent).map(|v| v / 100);
    share
        .zip(cap)
        .map(|(share, cap)| share.min(cap))
        .ok_or_else(|| anyhow!("{:?}: amount overflow", spec.title))
}

/// Works out every proposal of the data set: its timeline, code and amounts.
fn plan_proposals(data: &'static data::Data) -> anyhow::Result<Vec<Planned>> {
    let mut planned = Vec::with_capacity(data.proposals.len());
    let mut ordinal_in_year: HashMap<i16, i64> = HashMap::new();
    for spec in &data.proposals {
        let ordinal = ordinal_in_year.entry(spec.year).or_default();
        let spread = (*ordinal * 7) % 19;
        let detour = *ordinal % 5 == 3;
        *ordinal += 1;

        let location = data.facility(spec.first_facility()?)?;
        let office = data.office(&location.district)?;
        let requested = requested_million(spec)?;
        let creator = office.officer.as_deref().unwrap_or(CENTRE_STAFF);
        let path = path_to(
            (spec.state, spec.ended_from),
            spec.level,
            detour,
            |action| role_of(taker(action, creator)),
        )
        .with_context(|| format!("{:?}", spec.title))?;
        // A stamp in office hours for the timeline's `index`th event on `day`.
        let stamp = |index: usize, day: Date| -> anyhow::Result<OffsetDateTime> {
            let index = i64::try_from(index)?;
            let hour = u8::try_from(8 + (spread + index * 3) % 9)?;
            let minute = u8::try_from((spread * 11 + index * 17) % 60)?;
            Ok(
                PrimitiveDateTime::new(day, Time::from_hms(hour, minute, 0)?)
                    .assume_offset(VIETNAM),
            )
        };
        let mut day = step_day(spec, CREATION, None, spread)?;
        let mut proposal = Planned {
            spec,
            location,
            office,
            creator,
            code: None,
            visit: None,
            requested: requested
                .checked_mul(1_000_000)
                .context("amount overflow")?,
            // The appraisal proposes the request rounded down to ten million đồng.
            proposed: (requested / 10 * 10)
                .checked_mul(1_000_000)
                .context("amount overflow")?,
            created: stamp(0, day)?,
            steps: Vec::with_capacity(path.len()),
        };
        for (index, step) in path.into_iter().enumerate() {
            day = step_day(spec, slot_of(step.action)?, Some(day), spread)?;
            if step.action == Action::ScheduleAppraisal {
                let visit = slot_of(Action::RecordAppraisal)?;
                proposal.visit = Some(step_day(spec, visit, Some(day), spread)?);
            }
            proposal.steps.push(Step {
                action: step.action,
                from: step.from,
                to: step.to,
                at: stamp(index + 1, day)?,
                actor: taker(step.action, creator),
                note: String::new(),
                details: String::new(),
            });
        }
        planned.push(proposal);
    }
    assign_codes(&mut planned);
    for proposal in &mut planned {
        describe(proposal)?;
    }
    Ok(planned)
}

/// Numbers the submitted proposals per plan year and level, in the order of first submission.
fn assign_codes(planned: &mut [Planned]) {
    let mut submitted: Vec<(i16, &'static str, OffsetDateTime, usize)> = planned
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            p.submitted_at()
                .map(|at| (p.spec.year, p.spec.level.code(), at, i))
        })
        .collect();
    submitted.sort();
    let mut numbers: HashMap<(i16, &str), u32> = HashMap::new();
    for (year, level, _, index) in submitted {
        let number = numbers.entry((year, level)).or_default();
        *number += 1;
        let proposal = &mut planned[index];
        proposal.code = Some(proposal_code(proposal.spec.level, year.into(), *number));
    }
}

// ---------------------------------------------------------------------------------------------
// Writing

#[cfg(test)]
mod tests;
