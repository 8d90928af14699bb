//! Pure generation of the performance data set: facilities and proposals as plain values,
//! from a seed and the setting read from the database (units, offices, staff, the proposal
//! numbers already used). No I/O here; `super::run` writes what this produces.

use std::collections::HashMap;

use anyhow::{Context as _, anyhow, bail, ensure};
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, Weekday};

use super::rng::Rng;
use super::words::{self, LineKind, TRADES, Trade};
use crate::domain::dossier::{self, CostLine};
use crate::domain::format::VIETNAM;
use crate::domain::money::format_vnd;
use crate::domain::proposal::{ProposalLevel, ProposalState, proposal_code};

/// The last plan year of the data set; `--years N` goes back from it.
pub const LAST_PLAN_YEAR: i16 = 2025;

/// Generated tax codes start with these digits (Thái Nguyên's own, and the demo's, start
/// with 46), so they never collide with the demo's and mark the generated facilities.
pub const TAX_CODE_PREFIX: &str = "47";

/// The most facilities or proposals one run makes (tax codes have 8 free digits).
pub const MAX_ROWS: usize = 10_000_000;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params {
    /// Number of facilities.
    pub facilities: usize,
    /// Number of proposals.
    pub proposals: usize,
    /// Number of plan years, ending with [`LAST_PLAN_YEAR`].
    pub years: u16,
    /// Seed of the pseudo-random sequence: the same seed, the same data.
    pub seed: u64,
}

impl Params {
    /// Refuses sizes the generator cannot honour.
    pub fn check(&self) -> anyhow::Result<()> {
        ensure!(
            (1..=MAX_ROWS).contains(&self.facilities),
            "--facilities must be between 1 and {MAX_ROWS}"
        );
        ensure!(
            self.proposals <= MAX_ROWS,
            "--proposals must be at most {MAX_ROWS}"
        );
        ensure!(
            (1..=20).contains(&self.years),
            "--years must be between 1 and 20"
        );
        Ok(())
    }

    /// The first plan year.
    pub fn first_year(&self) -> i16 {
        let years = i16::try_from(self.years).unwrap_or(1);
        LAST_PLAN_YEAR - years.max(1) + 1
    }
}

/// A local office and who writes its proposals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Office {
    /// Organisation id.
    pub id: i64,
    /// Its local officer, or the Centre's staff member when it has none.
    pub creator: i64,
}

/// A commune or ward facilities and proposals can be in.
#[derive(Clone, Debug)]
pub struct Commune {
    /// Unit id.
    pub id: i64,
    /// `xã`, `phường`, `thị trấn`.
    pub kind: String,
    /// Name without its type.
    pub name: String,
    /// Name with its type (`Xã Phúc Xuân`).
    pub full_name: String,
    /// True for the legacy set (before July 2025).
    pub legacy: bool,
    /// What groups communes whose facilities share a proposal: the legacy district's code, or
    /// the commune itself in the 2025 set.
    pub area: String,
    /// The office whose proposals are located here.
    pub office: Office,
}

/// The Centre's people who act on proposals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Staff {
    /// Centre staff (screening, contracts, acceptance).
    pub centre: i64,
    /// Appraisal officer.
    pub appraiser: i64,
    /// Director (decisions).
    pub director: i64,
    /// Accountant (settlement).
    pub accountant: i64,
}

/// What the generator builds on.
#[derive(Clone, Debug)]
pub struct Setting {
    /// Every commune of the province, both sets.
    pub communes: Vec<Commune>,
    /// The Centre's people.
    pub staff: Staff,
}

/// The name of the economic office of a 2025 commune or ward (the level that took over the
/// district offices' work in July 2025).
pub fn commune_office_name(kind: &str, full_name: &str) -> String {
    if kind == "phường" {
        format!(
            "Phòng Kinh tế, Hạ tầng và Đô thị {}",
            lower_first(full_name)
        )
    } else {
        format!("Phòng Kinh tế {}", lower_first(full_name))
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Dates

fn date(year: i32, month: Month, day: u8) -> anyhow::Result<Date> {
    Date::from_calendar_date(year, month, day).with_context(|| format!("{year}-{month}-{day}"))
}

/// The first day of the 2025 administrative units.
fn new_units_from() -> anyhow::Result<Date> {
    date(2025, Month::July, 1)
}

/// The same day, or the next Monday for a weekend day.
fn workday(day: Date) -> Date {
    match day.weekday() {
        Weekday::Saturday => day.saturating_add(Duration::days(2)),
        Weekday::Sunday => day.saturating_add(Duration::days(1)),
        _ => day,
    }
}

/// A day in `from..=to`.
fn day_between(rng: &mut Rng, from: Date, to: Date) -> Date {
    let span = (to - from).whole_days();
    from.saturating_add(Duration::days(rng.range(0, span)))
}

/// Office hours, Vietnam's time.
fn office_time(rng: &mut Rng, day: Date) -> anyhow::Result<OffsetDateTime> {
    let hour = u8::try_from(rng.range(7, 16))?;
    let minute = u8::try_from(rng.range(0, 59))?;
    Ok(PrimitiveDateTime::new(day, Time::from_hms(hour, minute, 0)?).assume_offset(VIETNAM))
}

// ---------------------------------------------------------------------------------------------
// People and places

struct Person {
    name: String,
    female: bool,
    minority: bool,
}

fn person(rng: &mut Rng) -> Person {
    let family = *rng.weighted(words::FAMILY_NAMES);
    let minority_from = words::FAMILY_NAMES.len() - words::MINORITY_FAMILIES;
    let minority = words::FAMILY_NAMES[minority_from..]
        .iter()
        .any(|(name, _)| *name == family);
    let female = rng.chance(400);
    let (middle, given) = if female {
        (
            *rng.weighted(words::FEMALE_MIDDLE),
            *rng.pick(words::FEMALE_GIVEN),
        )
    } else {
        (
            *rng.weighted(words::MALE_MIDDLE),
            *rng.pick(words::MALE_GIVEN),
        )
    };
    Person {
        name: format!("{family} {middle} {given}"),
        female,
        minority,
    }
}

fn hamlet_name(rng: &mut Rng) -> String {
    format!(
        "{} {}",
        rng.pick(words::HAMLET_FIRST),
        rng.pick(words::HAMLET_SECOND)
    )
}

fn address(rng: &mut Rng, commune: &Commune) -> String {
    if matches!(commune.kind.as_str(), "phường" | "thị trấn") {
        format!("Tổ dân phố {}", rng.range(1, 30))
    } else {
        format!("Xóm {}", hamlet_name(rng))
    }
}

const MOBILE_PREFIXES: &[&str] = &[
    "091", "098", "097", "096", "086", "035", "036", "037", "038", "039", "088", "094", "083",
    "084", "033", "034",
];

fn phone(rng: &mut Rng, landline: bool) -> Option<String> {
    if rng.chance(80) {
        None
    } else if landline {
        Some(format!(
            "0208 3{:03} {:03}",
            rng.range(0, 999),
            rng.range(0, 999)
        ))
    } else {
        Some(format!(
            "{}{} {:03} {:03}",
            rng.pick(MOBILE_PREFIXES),
            rng.range(0, 9),
            rng.range(0, 999),
            rng.range(0, 999)
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Facilities

/// A facility to register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facility {
    /// Legal name.
    pub name: String,
    /// Legal form code.
    pub legal_form: &'static str,
    /// Tax code: [`TAX_CODE_PREFIX`] and 8 digits, unique.
    pub tax_code: String,
    /// Owner.
    pub owner_name: String,
    /// Phone.
    pub phone: Option<String>,
    /// Hamlet or street.
    pub address_detail: String,
    /// Index into [`Setting::communes`].
    pub commune: usize,
    /// Index into [`TRADES`].
    pub trade: usize,
    /// Main products.
    pub main_products: String,
    /// Workers.
    pub workers: i32,
    /// Revenue per year, đồng.
    pub annual_revenue: i64,
    /// Capital, đồng.
    pub capital: i64,
    /// Business registration number.
    pub business_registration: String,
    /// Owned by a woman.
    pub women_owned: bool,
    /// Owned by a member of an ethnic minority.
    pub ethnic_minority_owned: bool,
    /// Makes a typical rural-industrial product.
    pub typical_product: bool,
    /// Exports.
    pub exports: bool,
    /// Uses local raw materials.
    pub local_raw_materials: bool,
    /// Registered by.
    pub created_by: i64,
    /// Registered at.
    pub created_at: OffsetDateTime,
}

impl Facility {
    /// The facility's trade.
    pub fn trade(&self) -> &'static Trade {
        &TRADES[self.trade.min(TRADES.len() - 1)].0
    }
}

const LEGAL_FORMS: &[(&str, u32)] = &[
    ("sme", 30),
    ("cooperative", 24),
    ("cooperative_union", 1),
    ("cooperative_group", 15),
    ("household_business", 30),
];

/// The n-th generated tax code: a bijection of `0..10^8` (48,271 is prime to 10^8), so codes
/// are unique yet look scattered.
fn tax_code(seed: u64, n: usize) -> String {
    const SPACE: u64 = 100_000_000;
    let n = u64::try_from(n).unwrap_or(0) % SPACE;
    let digits = (n * 48_271 + seed % SPACE) % SPACE;
    format!("{TAX_CODE_PREFIX}{digits:08}")
}

/// The facilities, oldest registration first. About one in eight is registered after July
/// 2025 in a commune of the 2025 set; the rest from 2010 on, in the legacy communes.
pub fn facilities(params: &Params, setting: &Setting) -> anyhow::Result<Vec<Facility>> {
    let legacy: Vec<usize> = (0..setting.communes.len())
        .filter(|&i| setting.communes[i].legacy)
        .collect();
    let fresh: Vec<usize> = (0..setting.communes.len())
        .filter(|&i| !setting.communes[i].legacy)
        .collect();
    ensure!(
        !legacy.is_empty(),
        "the province has no communes in the legacy set"
    );
    let legacy_from = date(2010, Month::January, 4)?;
    let legacy_to = new_units_from()?.saturating_sub(Duration::days(1));
    let fresh_from = new_units_from()?;
    let fresh_to = date(2025, Month::August, 29)?;

    let mut rng = Rng::new(params.seed, 0);
    let mut rows = Vec::with_capacity(params.facilities);
    for _ in 0..params.facilities {
        let in_new_set = !fresh.is_empty() && rng.chance(120);
        let (commune, day) = if in_new_set {
            (
                *rng.pick(&fresh),
                day_between(&mut rng, fresh_from, fresh_to),
            )
        } else {
            (
                *rng.pick(&legacy),
                day_between(&mut rng, legacy_from, legacy_to),
            )
        };
        let place = &setting.communes[commune];
        let trade_index = rng.weighted_index(TRADES);
        let trade = &TRADES[trade_index].0;
        let owner = person(&mut rng);
        let legal_form = *rng.weighted(LEGAL_FORMS);
        let business_place = if rng.chance(550) {
            place.name.clone()
        } else {
            hamlet_name(&mut rng)
        };
        let name = match legal_form {
            "sme" => {
                let company = if rng.chance(700) {
                    "Công ty TNHH"
                } else {
                    "Công ty cổ phần"
                };
                format!("{company} {} {business_place}", trade.name)
            }
            "cooperative" => format!("Hợp tác xã {} {business_place}", trade.name),
            "cooperative_union" => format!("Liên hiệp hợp tác xã {} {business_place}", trade.name),
            "cooperative_group" => format!("Tổ hợp tác {} {business_place}", trade.name),
            _ => format!("Hộ kinh doanh {}", owner.name),
        };
        let workers = match legal_form {
            "household_business" => rng.range(2, 12),
            "cooperative_group" => rng.range(5, 30),
            "cooperative" => rng.range(7, 60),
            "cooperative_union" => rng.range(20, 120),
            _ => rng.range(10, 250),
        };
        let revenue = workers * rng.range(120, 450) * 1_000_000;
        let capital = revenue * rng.range(30, 80) / 100 / 1_000_000 * 1_000_000;
        let business_registration = match legal_form {
            "sme" => String::new(), // the tax code, set below once it is known
            "cooperative" | "cooperative_union" => format!("{:04}/ĐKHTX", rng.range(1, 9999)),
            "household_business" => format!("17A{:06}", rng.range(1, 999_999)),
            _ => String::new(),
        };
        let raw_local = matches!(
            trade.sector,
            "agro_processing" | "handicrafts" | "chemicals_building_materials"
        );
        rows.push(Facility {
            name,
            legal_form,
            tax_code: String::new(),
            phone: {
                let landline = legal_form == "sme" && rng.chance(400);
                phone(&mut rng, landline)
            },
            owner_name: owner.name,
            address_detail: address(&mut rng, place),
            commune,
            trade: trade_index,
            main_products: (*rng.pick(trade.products)).to_owned(),
            workers: i32::try_from(workers)?,
            annual_revenue: revenue,
            capital,
            business_registration,
            women_owned: owner.female && rng.chance(900),
            ethnic_minority_owned: owner.minority && rng.chance(700),
            typical_product: rng.chance(60),
            exports: rng.chance(if trade.sector == "handicrafts" {
                120
            } else {
                30
            }),
            local_raw_materials: rng.chance(if raw_local { 700 } else { 200 }),
            created_by: place.office.creator,
            created_at: office_time(&mut rng, workday(day))?,
        });
    }
    rows.sort_by_key(|f| f.created_at);
    for (n, row) in rows.iter_mut().enumerate() {
        row.tax_code = tax_code(params.seed, n);
        if row.legal_form == "sme" {
            row.business_registration = row.tax_code.clone();
        }
    }
    Ok(rows)
}

/// The registered facilities, indexed for choosing beneficiaries: a proposal benefits
/// facilities registered before it was created, in the same set of units, and the facilities
/// of a group proposal are in the same area.
#[derive(Debug)]
pub struct Registry<'a> {
    facilities: &'a [Facility],
    communes: &'a [Commune],
    legacy: Vec<usize>,
    fresh: Vec<usize>,
    by_area: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Registry<'a> {
    /// Indexes `facilities` (oldest first, as [`facilities`] returns them).
    pub fn new(setting: &'a Setting, facilities: &'a [Facility]) -> Self {
        let mut legacy = Vec::new();
        let mut fresh = Vec::new();
        let mut by_area: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, facility) in facilities.iter().enumerate() {
            let Some(commune) = setting.communes.get(facility.commune) else {
                continue;
            };
            if commune.legacy {
                legacy.push(i);
            } else {
                fresh.push(i);
            }
            by_area.entry(commune.area.as_str()).or_default().push(i);
        }
        Self {
            facilities,
            communes: &setting.communes,
            legacy,
            fresh,
            by_area,
        }
    }

    /// How many of `list` were registered before `at` (at least one, when there are any: the
    /// oldest stands in when none is old enough).
    fn registered_before(&self, list: &[usize], at: OffsetDateTime) -> usize {
        let n = list.partition_point(|&i| self.facilities[i].created_at < at);
        n.max(1).min(list.len())
    }

    /// The main beneficiary of a proposal created at `at`.
    fn first(&self, rng: &mut Rng, at: OffsetDateTime, new_units: bool) -> Option<usize> {
        let list = match (new_units, self.fresh.is_empty(), self.legacy.is_empty()) {
            (true, false, _) | (false, false, true) => &self.fresh,
            _ => &self.legacy,
        };
        let n = self.registered_before(list, at);
        (n > 0).then(|| list[rng.index(n)])
    }

    /// Up to `more` other facilities of `first`'s area registered before `at`.
    fn others(&self, rng: &mut Rng, first: usize, at: OffsetDateTime, more: usize) -> Vec<usize> {
        let mut chosen = vec![first];
        let area = self
            .communes
            .get(self.facilities[first].commune)
            .map(|c| c.area.as_str())
            .unwrap_or_default();
        if let Some(list) = self.by_area.get(area) {
            let n = self.registered_before(list, at);
            for _ in 0..more * 8 {
                if chosen.len() > more {
                    break;
                }
                let candidate = list[rng.index(n)];
                if !chosen.contains(&candidate) {
                    chosen.push(candidate);
                }
            }
        }
        chosen
    }
}

// ---------------------------------------------------------------------------------------------
// Proposals

/// A step of the lifecycle (PRODUCT.md §3), as its event records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Draft created.
    Create,
    /// First submission.
    Submit,
    /// Returned at screening.
    Return,
    /// Submitted again.
    Resubmit,
    /// Accepted at screening.
    Accept,
    /// Appraisal visit planned.
    ScheduleAppraisal,
    /// Appraised on site.
    RecordAppraisal,
    /// Sent on to the Ministry (national).
    Forward,
    /// In the approved plan.
    Approve,
    /// Contract signed.
    Contract,
    /// Work started.
    Start,
    /// Result accepted.
    AcceptResult,
    /// Paid and settled.
    Settle,
    /// Closed.
    Complete,
    /// Refused or not selected.
    Reject,
    /// Taken back.
    Withdraw,
    /// Stopped under way.
    Stop,
}

impl Step {
    /// The event's `action`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Submit => "submit",
            Self::Return => "return",
            Self::Resubmit => "resubmit",
            Self::Accept => "accept",
            Self::ScheduleAppraisal => "schedule_appraisal",
            Self::RecordAppraisal => "record_appraisal",
            Self::Forward => "forward",
            Self::Approve => "approve",
            Self::Contract => "contract",
            Self::Start => "start",
            Self::AcceptResult => "accept_result",
            Self::Settle => "settle",
            Self::Complete => "complete",
            Self::Reject => "reject",
            Self::Withdraw => "withdraw",
            Self::Stop => "stop",
        }
    }

    /// The state the step leads to.
    pub fn to_state(self) -> ProposalState {
        use ProposalState as S;
        match self {
            Self::Create => S::Draft,
            Self::Submit | Self::Resubmit => S::Submitted,
            Self::Return => S::Returned,
            Self::Accept => S::Accepted,
            Self::ScheduleAppraisal => S::AppraisalScheduled,
            Self::RecordAppraisal => S::Appraised,
            Self::Forward => S::Forwarded,
            Self::Approve => S::Approved,
            Self::Contract => S::Contracted,
            Self::Start => S::InProgress,
            Self::AcceptResult => S::ResultAccepted,
            Self::Settle => S::Settled,
            Self::Complete => S::Completed,
            Self::Reject => S::Rejected,
            Self::Withdraw => S::Withdrawn,
            Self::Stop => S::Stopped,
        }
    }

    /// Days after the previous step (before the office calendar moves it to a workday).
    fn gap(self) -> (i64, i64) {
        match self {
            Self::Create => (0, 0),
            Self::Submit => (3, 20),
            Self::Return | Self::Accept | Self::Reject => (4, 15),
            Self::Resubmit => (7, 25),
            Self::ScheduleAppraisal => (3, 12),
            Self::RecordAppraisal => (5, 20),
            Self::Forward => (3, 10),
            Self::Approve => (1, 5),
            Self::Contract => (10, 30),
            Self::Start => (5, 15),
            Self::AcceptResult => (60, 160),
            Self::Settle => (10, 30),
            Self::Complete => (7, 25),
            Self::Withdraw => (5, 30),
            Self::Stop => (20, 90),
        }
    }
}

/// The main line of the lifecycle; only national proposals are forwarded to the Ministry.
const MAIN_LINE: [Step; 12] = [
    Step::Create,
    Step::Submit,
    Step::Accept,
    Step::ScheduleAppraisal,
    Step::RecordAppraisal,
    Step::Forward,
    Step::Approve,
    Step::Contract,
    Step::Start,
    Step::AcceptResult,
    Step::Settle,
    Step::Complete,
];

/// Where a proposal ends up: its state and, for a rejection, withdrawal or stop, the state it
/// ended from.
type Fate = (ProposalState, Option<ProposalState>);

use ProposalState as S;

/// Fates of proposals of plan years two or more years back: nearly all closed.
const PAST: &[(Fate, u32)] = &[
    ((S::Completed, None), 760),
    ((S::Settled, None), 10),
    ((S::Draft, None), 10),
    ((S::Returned, None), 5),
    ((S::Rejected, Some(S::Submitted)), 40),
    ((S::Rejected, Some(S::Appraised)), 70),
    ((S::Rejected, Some(S::Forwarded)), 5),
    ((S::Withdrawn, Some(S::Draft)), 15),
    ((S::Withdrawn, Some(S::Returned)), 30),
    ((S::Withdrawn, Some(S::Submitted)), 10),
    ((S::Stopped, Some(S::Contracted)), 12),
    ((S::Stopped, Some(S::InProgress)), 18),
];

/// Fates of the previous plan year: the last ones are being accepted and settled.
const PREVIOUS: &[(Fate, u32)] = &[
    ((S::Completed, None), 560),
    ((S::Settled, None), 80),
    ((S::ResultAccepted, None), 60),
    ((S::InProgress, None), 40),
    ((S::Draft, None), 10),
    ((S::Returned, None), 10),
    ((S::Rejected, Some(S::Submitted)), 40),
    ((S::Rejected, Some(S::Appraised)), 70),
    ((S::Rejected, Some(S::Forwarded)), 5),
    ((S::Withdrawn, Some(S::Draft)), 15),
    ((S::Withdrawn, Some(S::Returned)), 30),
    ((S::Withdrawn, Some(S::Submitted)), 10),
    ((S::Stopped, Some(S::Contracted)), 15),
    ((S::Stopped, Some(S::InProgress)), 20),
];

/// Fates of the last plan year: every state.
const CURRENT: &[(Fate, u32)] = &[
    ((S::Draft, None), 70),
    ((S::Submitted, None), 90),
    ((S::Returned, None), 50),
    ((S::Accepted, None), 70),
    ((S::AppraisalScheduled, None), 60),
    ((S::Appraised, None), 80),
    ((S::Approved, None), 70),
    ((S::Forwarded, None), 25),
    ((S::Contracted, None), 70),
    ((S::InProgress, None), 110),
    ((S::ResultAccepted, None), 50),
    ((S::Settled, None), 30),
    ((S::Completed, None), 60),
    ((S::Rejected, Some(S::Submitted)), 25),
    ((S::Rejected, Some(S::Appraised)), 35),
    ((S::Rejected, Some(S::Forwarded)), 5),
    ((S::Withdrawn, Some(S::Draft)), 10),
    ((S::Withdrawn, Some(S::Returned)), 15),
    ((S::Withdrawn, Some(S::Submitted)), 5),
    ((S::Stopped, Some(S::Contracted)), 10),
    ((S::Stopped, Some(S::InProgress)), 10),
];

/// How an activity's work is budgeted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Work {
    Machines,
    Demonstration,
    Transfer,
    Training,
    Service,
}

/// An activity type: code, how it is budgeted, the share of each line supported (basis
/// points), the cap of the support in đồng, and whether the cap is per beneficiary.
type Activity = (&'static str, Work, i64, i64, bool);

const ACTIVITIES: &[(Activity, u32)] = &[
    (("machinery", Work::Machines, 5000, 300_000_000, true), 44),
    (
        (
            "technology_transfer",
            Work::Transfer,
            5000,
            300_000_000,
            true,
        ),
        9,
    ),
    (
        (
            "demonstration_model",
            Work::Demonstration,
            3000,
            1_000_000_000,
            false,
        ),
        7,
    ),
    (
        (
            "cleaner_production_pilot",
            Work::Transfer,
            3000,
            500_000_000,
            false,
        ),
        3,
    ),
    (("training", Work::Training, 10_000, 150_000_000, false), 12),
    (
        (
            "typical_products_trade",
            Work::Service,
            7000,
            100_000_000,
            true,
        ),
        7,
    ),
    (("advisory", Work::Service, 5000, 100_000_000, true), 5),
    (
        (
            "management_capacity",
            Work::Service,
            5000,
            100_000_000,
            false,
        ),
        4,
    ),
    (
        (
            "enterprise_formation",
            Work::Service,
            10_000,
            10_000_000,
            true,
        ),
        2,
    ),
    (("information", Work::Service, 7000, 150_000_000, false), 3),
    (
        ("linkage_clusters", Work::Service, 5000, 200_000_000, false),
        2,
    ),
    (
        ("international", Work::Service, 5000, 200_000_000, false),
        1,
    ),
    (
        (
            "programme_management",
            Work::Service,
            10_000,
            100_000_000,
            false,
        ),
        1,
    ),
];

/// National funds go to the big activities only (the first three of [`ACTIVITIES`]).
const NATIONAL_ACTIVITIES: usize = 3;

/// One line of a generated budget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// The line as the dossier holds it.
    pub line: CostLine,
    /// quantity × unit price.
    pub total: i64,
}

/// One event of a generated timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The step.
    pub step: Step,
    /// State before (none for the creation).
    pub from: Option<ProposalState>,
    /// State after.
    pub to: ProposalState,
    /// When.
    pub at: OffsetDateTime,
    /// Who (a user id).
    pub actor: i64,
    /// Note.
    pub note: String,
    /// Details, JSON.
    pub details: String,
}

/// A screening return, answered by the resubmission that followed it, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Return {
    /// Who returned it.
    pub requested_by: i64,
    /// When.
    pub requested_at: OffsetDateTime,
    /// What is missing.
    pub missing_items: String,
    /// By when.
    pub due_date: Date,
    /// The resubmission.
    pub answered_at: Option<OffsetDateTime>,
}

/// A generated proposal with its beneficiaries, budget, timeline and returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// Code, once submitted.
    pub code: Option<String>,
    /// Plan year.
    pub plan_year: i16,
    /// Level.
    pub level: ProposalLevel,
    /// Form code.
    pub form: &'static str,
    /// Activity type code.
    pub activity: &'static str,
    /// Title.
    pub title: String,
    /// Location: the first beneficiary's commune (unit id).
    pub unit_id: i64,
    /// Submitting office.
    pub office_id: i64,
    /// Author.
    pub created_by: i64,
    /// State.
    pub state: ProposalState,
    /// Σ line totals.
    pub total_cost: i64,
    /// Σ line support.
    pub requested_support: i64,
    /// total − requested.
    pub counterpart_funds: i64,
    /// Approved support, once approved.
    pub approved_support: Option<i64>,
    /// First submission.
    pub submitted_at: Option<OffsetDateTime>,
    /// First event.
    pub created_at: OffsetDateTime,
    /// Last event.
    pub updated_at: OffsetDateTime,
    /// Objectives.
    pub objectives: String,
    /// Content.
    pub content: String,
    /// Where, below the commune.
    pub location_detail: String,
    /// Planned start.
    pub start_date: Option<Date>,
    /// Planned end.
    pub end_date: Option<Date>,
    /// Output before.
    pub baseline_output: String,
    /// Output expected.
    pub expected_output: String,
    /// Revenue before.
    pub baseline_revenue: i64,
    /// Revenue expected.
    pub expected_revenue: i64,
    /// Jobs before.
    pub baseline_jobs: i32,
    /// Jobs expected.
    pub expected_jobs: i32,
    /// No-double-funding commitment.
    pub no_double_funding: bool,
    /// Beneficiaries: indices into the facilities, the first one the main one.
    pub beneficiaries: Vec<usize>,
    /// Budget lines (1 to 6).
    pub lines: Vec<Line>,
    /// Timeline, oldest first.
    pub events: Vec<Event>,
    /// Screening returns.
    pub returns: Vec<Return>,
}

/// How many proposals each plan year gets: more every year (the programme grew), the
/// rounding left over to the last year.
pub fn year_counts(params: &Params) -> Vec<(i16, usize)> {
    let first = params.first_year();
    let weights: Vec<(i16, usize)> = (first..=LAST_PLAN_YEAR)
        .map(|year| (year, 10 + usize::try_from(year - first).unwrap_or(0)))
        .collect();
    let sum: usize = weights.iter().map(|(_, w)| w).sum();
    let mut counts: Vec<(i16, usize)> = weights
        .iter()
        .map(|&(year, w)| (year, params.proposals * w / sum.max(1)))
        .collect();
    let given: usize = counts.iter().map(|(_, c)| c).sum();
    if let Some(last) = counts.last_mut() {
        last.1 += params.proposals - given;
    }
    counts
}

/// The steps from creation to `fate`. With `detour`, the dossier is returned once after its
/// first submission and submitted again.
pub fn lifecycle(fate: Fate, national: bool, detour: bool) -> anyhow::Result<Vec<Step>> {
    let (state, ended_from) = fate;
    let reached = ended_from.unwrap_or(state);
    let mut steps = Vec::new();
    match reached {
        S::Draft => steps.push(Step::Create),
        S::Returned => steps.extend([Step::Create, Step::Submit, Step::Return]),
        _ => {
            for step in MAIN_LINE
                .into_iter()
                .filter(|s| national || *s != Step::Forward)
            {
                steps.push(step);
                if step == Step::Submit && detour {
                    steps.extend([Step::Return, Step::Resubmit]);
                }
                if step.to_state() == reached {
                    break;
                }
            }
        }
    }
    ensure!(
        steps.last().map(|s| s.to_state()) == Some(reached),
        "the lifecycle does not reach {reached:?}"
    );
    if ended_from.is_some() {
        steps.push(match state {
            S::Rejected => Step::Reject,
            S::Withdrawn => Step::Withdraw,
            S::Stopped => Step::Stop,
            other => bail!("{other:?} is not a state a proposal ends in"),
        });
    }
    Ok(steps)
}

/// Picks `count` distinct items of `items`, in their order.
fn choose<'a, T>(rng: &mut Rng, items: &'a [T], count: usize) -> Vec<&'a T> {
    let mut indices: Vec<usize> = (0..items.len()).collect();
    let count = count.min(items.len());
    for i in 0..count {
        let j = i + rng.index(items.len() - i);
        indices.swap(i, j);
    }
    let mut chosen = indices[..count].to_vec();
    chosen.sort_unstable();
    chosen.into_iter().map(|i| &items[i]).collect()
}

fn line_of(rng: &mut Rng, kind: &LineKind) -> CostLine {
    let (item, unit, (q_low, q_high, q_step), (p_low, p_high, p_step)) = *kind;
    CostLine {
        item: item.to_owned(),
        unit: unit.to_owned(),
        quantity_hundredths: rng.stepped(q_low, q_high, q_step).max(1),
        unit_price: rng.stepped(p_low, p_high, p_step),
        support: 0,
    }
}

fn machine_line(rng: &mut Rng, machine: &str) -> CostLine {
    let whole_line = machine.starts_with("dây chuyền") || machine.starts_with("hệ thống");
    let (unit, low, high) = if whole_line {
        ("hệ thống", 300_000_000, 1_500_000_000)
    } else if machine.starts_with("lò") || machine.starts_with("tủ") {
        ("chiếc", 60_000_000, 450_000_000)
    } else {
        ("bộ", 40_000_000, 450_000_000)
    };
    let quantity = match rng.below(20) {
        0 => 300,
        1..=3 => 200,
        _ => 100,
    };
    CostLine {
        item: upper_first(machine),
        unit: unit.to_owned(),
        quantity_hundredths: if whole_line { 100 } else { quantity },
        unit_price: rng.stepped(low, high, 1_000_000),
        support: 0,
    }
}

/// The budget of a proposal and the machines it buys (for its title).
fn budget(
    rng: &mut Rng,
    activity: &Activity,
    trade: &Trade,
    beneficiaries: usize,
) -> anyhow::Result<(Vec<Line>, Vec<&'static str>)> {
    let (_, work, share_bp, cap, per_beneficiary) = *activity;
    let machines_wanted = match work {
        Work::Machines => usize::try_from(rng.range(1, 4))?,
        Work::Demonstration => usize::try_from(rng.range(1, 3))?,
        Work::Transfer => usize::try_from(rng.range(0, 2))?,
        Work::Training | Work::Service => 0,
    };
    let machines: Vec<&'static str> = choose(rng, trade.machines, machines_wanted)
        .into_iter()
        .copied()
        .collect();
    let mut lines: Vec<CostLine> = Vec::new();
    if work == Work::Transfer {
        let extras = usize::try_from(rng.range(1, 2))?;
        for kind in choose(rng, words::TRANSFER_EXTRAS, extras) {
            lines.push(line_of(rng, kind));
        }
    }
    for machine in &machines {
        lines.push(machine_line(rng, machine));
    }
    let extras: Vec<&LineKind> = match work {
        Work::Machines => {
            let n = usize::try_from(rng.range(0, 2))?;
            choose(rng, words::MACHINE_EXTRAS, n)
        }
        Work::Demonstration => {
            let n = usize::try_from(rng.range(1, 2))?;
            choose(rng, words::DEMONSTRATION_EXTRAS, n)
        }
        Work::Transfer => Vec::new(),
        Work::Training => {
            let n = usize::try_from(rng.range(2, 6))?;
            choose(rng, words::TRAINING_LINES, n)
        }
        Work::Service => {
            let n = usize::try_from(rng.range(1, 5))?;
            choose(rng, words::SERVICE_LINES, n)
        }
    };
    for kind in extras {
        lines.push(line_of(rng, kind));
    }
    if lines.is_empty() {
        lines.push(line_of(rng, &words::SERVICE_LINES[0]));
    }
    lines.truncate(6);

    // Support: the activity's share of each line, to the thousand đồng, within the cap.
    let beneficiaries = i64::try_from(beneficiaries.max(1))?;
    let mut left = if per_beneficiary {
        cap.saturating_mul(beneficiaries)
    } else {
        cap
    };
    for line in &mut lines {
        let total = line.total().context("line total overflows")?;
        let share = i64::try_from(i128::from(total) * i128::from(share_bp) / 10_000)?;
        let support = (share / 1_000 * 1_000).min(left);
        left -= support;
        line.support = support;
    }
    let (totals, _) =
        dossier::totals(&lines).map_err(|problems| anyhow!("budget: {problems:?}"))?;
    let lines = lines
        .into_iter()
        .zip(totals)
        .map(|(line, total)| Line { line, total })
        .collect();
    Ok((lines, machines))
}

fn title(
    rng: &mut Rng,
    activity: &str,
    trade: &Trade,
    machines: &[&str],
    commune: &Commune,
    group: bool,
    year: i16,
) -> String {
    let process = trade.process;
    let first = machines.first().copied().unwrap_or("thiết bị tiên tiến");
    let main = match activity {
        "machinery" => match machines {
            [one, two, ..] => format!("Hỗ trợ ứng dụng {one} và {two} trong {process}"),
            _ => format!("Hỗ trợ ứng dụng {first} trong {process}"),
        },
        "technology_transfer" if machines.is_empty() => {
            format!("Chuyển giao công nghệ {process}")
        }
        "technology_transfer" => format!("Chuyển giao công nghệ {process} sử dụng {first}"),
        "demonstration_model" => {
            format!("Xây dựng mô hình trình diễn kỹ thuật {process} bằng {first}")
        }
        "cleaner_production_pilot" => {
            format!("Mô hình thí điểm áp dụng sản xuất sạch hơn trong {process}")
        }
        "training" => format!("Đào tạo nghề {} cho lao động nông thôn", trade.craft),
        "typical_products_trade" if rng.chance(500) => format!(
            "Hỗ trợ phát triển sản phẩm công nghiệp nông thôn tiêu biểu: {}",
            lower_first(rng.pick::<&str>(trade.products))
        ),
        "typical_products_trade" => format!(
            "Hỗ trợ tham gia hội chợ, triển lãm hàng công nghiệp nông thôn tiêu biểu năm {year}"
        ),
        "advisory" => format!("Tư vấn, hỗ trợ lập dự án đầu tư {process}"),
        "management_capacity" => {
            format!("Nâng cao năng lực quản lý, áp dụng sản xuất sạch hơn trong {process}")
        }
        "enterprise_formation" => format!("Hỗ trợ thành lập doanh nghiệp {process}"),
        "information" => format!("Xây dựng phóng sự tuyên truyền về {process}"),
        "linkage_clusters" => format!(
            "Hỗ trợ liên kết sản xuất, tiêu thụ sản phẩm {}",
            lower_first(trade.name)
        ),
        "international" => format!("Học tập kinh nghiệm khuyến công nước ngoài về {process}"),
        _ => format!("Tập huấn nâng cao năng lực cán bộ làm công tác khuyến công năm {year}"),
    };
    let place = lower_first(&commune.full_name);
    if group {
        format!("{main} cho các cơ sở {place}")
    } else if matches!(activity, "training" | "information") && rng.chance(500) {
        format!("{main} tại {place}")
    } else {
        main
    }
}

/// When the plan year's decisions are taken: the province's plan in April (November for the
/// supplementary round), the Ministry's decision on national proposals in June (December).
fn decision_day(year: i32, supplementary: bool, national: bool) -> anyhow::Result<Date> {
    Ok(workday(match (supplementary, national) {
        (false, false) => date(year, Month::April, 19)?,
        (false, true) => date(year, Month::June, 14)?,
        (true, false) => date(year, Month::November, 12)?,
        (true, true) => date(year, Month::December, 10)?,
    }))
}

fn fate_table(year: i16) -> &'static [(Fate, u32)] {
    match LAST_PLAN_YEAR - year {
        0 => CURRENT,
        1 => PREVIOUS,
        _ => PAST,
    }
}

/// Generates the proposals of one plan year, oldest first. Proposal numbers continue from
/// `numbers` (the last number used per plan year and level), which is updated.
pub fn proposals_of_year(
    params: &Params,
    setting: &Setting,
    registry: &Registry<'_>,
    year: i16,
    count: usize,
    numbers: &mut HashMap<(i16, ProposalLevel), u32>,
) -> anyhow::Result<Vec<Proposal>> {
    let mut rng = Rng::new(params.seed, 1_000 + u64::try_from(year)?);
    let staff = setting.staff;
    let y = i32::from(year);
    let new_units = new_units_from()?;
    let mut proposals = Vec::with_capacity(count);
    for _ in 0..count {
        let supplementary = rng.chance(220);
        let created_day = workday(if supplementary {
            date(y, Month::July, 21)?.saturating_add(Duration::days(rng.range(0, 40)))
        } else {
            date(y, Month::January, 2)?.saturating_add(Duration::days(rng.range(0, 45)))
        });
        let created_at = office_time(&mut rng, created_day)?;
        let Some(first) = registry.first(&mut rng, created_at, created_day >= new_units) else {
            bail!("no facility to benefit from a proposal");
        };
        let facility = &registry.facilities[first];
        let commune = setting
            .communes
            .get(facility.commune)
            .context("facility outside the communes")?;
        let trade = facility.trade();

        let fate = *rng.weighted(fate_table(year));
        let forwarded = fate.0 == S::Forwarded || fate.1 == Some(S::Forwarded);
        let national = forwarded || rng.chance(40);
        let level = if national {
            ProposalLevel::National
        } else {
            ProposalLevel::Local
        };
        let activity = if national {
            &ACTIVITIES[rng.index(NATIONAL_ACTIVITIES)].0
        } else {
            rng.weighted(ACTIVITIES)
        };
        let wanted = *rng.weighted(&[(1usize, 80), (2, 13), (3, 7)]);
        let beneficiaries = registry.others(&mut rng, first, created_at, wanted - 1);
        let group = beneficiaries.len() > 1;
        let (lines, machines) = budget(&mut rng, activity, trade, beneficiaries.len())?;
        let title = title(&mut rng, activity.0, trade, &machines, commune, group, year);
        let total_cost = lines.iter().map(|l| l.total).sum::<i64>();
        let requested_support = lines.iter().map(|l| l.line.support).sum::<i64>();

        let steps = lifecycle(fate, national, rng.chance(150))?;
        let approved = {
            let share = requested_support * rng.range(85, 100) / 100;
            let rounded = share / 1_000_000 * 1_000_000;
            if rounded == 0 {
                requested_support
            } else {
                rounded
            }
        };
        let creator = commune.office.creator;
        let mut events: Vec<Event> = Vec::with_capacity(steps.len());
        let mut returns: Vec<Return> = Vec::new();
        let mut day = created_day;
        let mut previous: Option<Step> = None;
        for step in &steps {
            let step = *step;
            if step != Step::Create {
                let (low, high) = step.gap();
                let earliest = day.saturating_add(Duration::days(rng.range(low, high)));
                // Decisions fall on the province's (or the Ministry's) decision day.
                let by_ministry = match (step, previous) {
                    (Step::Approve, _) => Some(national),
                    (Step::Reject, Some(Step::RecordAppraisal)) => Some(false),
                    (Step::Reject, Some(Step::Forward)) => Some(true),
                    _ => None,
                };
                let decided = match by_ministry {
                    Some(ministry) => Some(
                        decision_day(y, supplementary, ministry)?
                            .max(day.saturating_add(Duration::days(1))),
                    ),
                    None => None,
                };
                day = workday(decided.unwrap_or(earliest));
            }
            let at = office_time(&mut rng, day)?;
            let amount = format_vnd(approved);
            let (actor, note, details) = match step {
                Step::Create => (creator, "Lập hồ sơ đề án.".to_owned(), String::from("{}")),
                // The code is known once the year is numbered (below).
                Step::Submit => (
                    creator,
                    "Gửi hồ sơ đề án về Trung tâm Khuyến công.".to_owned(),
                    String::from("{}"),
                ),
                Step::Return => {
                    let note = (*rng.pick(words::RETURN_NOTES)).to_owned();
                    returns.push(Return {
                        requested_by: staff.centre,
                        requested_at: at,
                        missing_items: note.clone(),
                        due_date: day.saturating_add(Duration::days(15)),
                        answered_at: None,
                    });
                    (staff.centre, note, String::from("{}"))
                }
                Step::Resubmit => {
                    if let Some(open) = returns.last_mut() {
                        open.answered_at = Some(at);
                    }
                    (
                        creator,
                        "Đã bổ sung hồ sơ theo yêu cầu, gửi lại Trung tâm.".to_owned(),
                        String::from("{}"),
                    )
                }
                Step::Accept => (
                    staff.centre,
                    "Hồ sơ đầy đủ, hợp lệ; chuyển thẩm định.".to_owned(),
                    String::from("{}"),
                ),
                Step::ScheduleAppraisal => (
                    staff.centre,
                    "Lên lịch thẩm định thực tế tại cơ sở.".to_owned(),
                    String::from("{}"),
                ),
                Step::RecordAppraisal => (
                    staff.appraiser,
                    format!("Đã thẩm định tại cơ sở; đề xuất hỗ trợ {amount}."),
                    serde_json::json!({ "proposed_support": approved }).to_string(),
                ),
                Step::Forward => (
                    staff.centre,
                    "Trình Bộ Công Thương xem xét hỗ trợ từ kinh phí khuyến công quốc gia."
                        .to_owned(),
                    String::from("{}"),
                ),
                Step::Approve => (
                    staff.director,
                    format!(
                        "Phê duyệt trong kế hoạch khuyến công năm {year}; kinh phí hỗ trợ {amount}."
                    ),
                    serde_json::json!({ "approved_support": approved }).to_string(),
                ),
                Step::Contract => (
                    staff.centre,
                    format!(
                        "Ký hợp đồng thực hiện đề án số {}/{year}/HĐ-KC.",
                        rng.range(1, 999)
                    ),
                    String::from("{}"),
                ),
                Step::Start => (
                    staff.centre,
                    "Cơ sở bắt đầu triển khai thực hiện đề án.".to_owned(),
                    String::from("{}"),
                ),
                Step::AcceptResult => (
                    staff.centre,
                    "Nghiệm thu: đề án hoàn thành, đạt yêu cầu.".to_owned(),
                    String::from("{}"),
                ),
                Step::Settle => (
                    staff.accountant,
                    format!("Thanh toán, quyết toán kinh phí hỗ trợ {amount}."),
                    String::from("{}"),
                ),
                Step::Complete => (
                    staff.centre,
                    "Kết thúc đề án; đã đánh giá hiệu quả sau hỗ trợ.".to_owned(),
                    String::from("{}"),
                ),
                Step::Reject => match previous {
                    Some(Step::RecordAppraisal) => (
                        staff.director,
                        (*rng.pick(words::NOT_SELECTED_NOTES)).to_owned(),
                        String::from("{}"),
                    ),
                    Some(Step::Forward) => (
                        staff.director,
                        "Bộ Công Thương không bố trí kinh phí khuyến công quốc gia cho đề án."
                            .to_owned(),
                        String::from("{}"),
                    ),
                    _ => (
                        staff.centre,
                        (*rng.pick(words::INELIGIBLE_NOTES)).to_owned(),
                        String::from("{}"),
                    ),
                },
                Step::Withdraw => (
                    creator,
                    (*rng.pick(words::WITHDRAW_NOTES)).to_owned(),
                    String::from("{}"),
                ),
                Step::Stop => (
                    staff.director,
                    (*rng.pick(words::STOP_NOTES)).to_owned(),
                    String::from("{}"),
                ),
            };
            events.push(Event {
                step,
                from: events.last().map(|e| e.to),
                to: step.to_state(),
                at,
                actor,
                note,
                details,
            });
            previous = Some(step);
        }
        let (Some(first_event), Some(last_event)) = (events.first(), events.last()) else {
            bail!("a proposal without a timeline");
        };
        let approved_support = steps.contains(&Step::Approve).then_some(approved);
        let submitted_at = events.iter().find(|e| e.step == Step::Submit).map(|e| e.at);
        let start = date(y, Month::May, 2)?.saturating_add(Duration::days(rng.range(0, 60)));
        let end = start.saturating_add(Duration::days(rng.range(90, 200)));
        let output = rng.range(20, 2_000);
        let growth = rng.range(110, 160);
        let products = lower_first(&facility.main_products);
        let content = lines
            .iter()
            .map(|l| l.line.item.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        proposals.push(Proposal {
            code: None,
            plan_year: year,
            level,
            form: if group {
                "group"
            } else if national && rng.chance(100) {
                "flagship"
            } else {
                "normal"
            },
            activity: activity.0,
            title,
            unit_id: commune.id,
            office_id: commune.office.id,
            created_by: creator,
            state: fate.0,
            total_cost,
            requested_support,
            counterpart_funds: total_cost - requested_support,
            approved_support,
            submitted_at,
            created_at: first_event.at,
            updated_at: last_event.at,
            objectives: format!(
                "Nâng cao năng suất, chất lượng {products}; giảm chi phí sản xuất, tạo việc làm \
                 ổn định cho người lao động."
            ),
            content: format!("Nội dung đầu tư: {content}."),
            location_detail: format!(
                "{}, {}",
                facility.address_detail,
                lower_first(&commune.full_name)
            ),
            start_date: Some(start),
            end_date: Some(end),
            baseline_output: format!("{output} {}/năm", trade.output_unit),
            expected_output: format!("{} {}/năm", output * growth / 100, trade.output_unit),
            baseline_revenue: facility.annual_revenue,
            expected_revenue: facility.annual_revenue / 100 * growth,
            baseline_jobs: facility.workers,
            expected_jobs: facility.workers + i32::try_from(rng.range(0, 10))?,
            no_double_funding: submitted_at.is_some() || rng.chance(500),
            beneficiaries,
            lines,
            events,
            returns,
        });
    }
    proposals.sort_by_key(|p| p.created_at);
    number(&mut proposals, numbers);
    Ok(proposals)
}

/// Gives each submitted proposal its code, per plan year and level in the order of first
/// submission, after the numbers already used.
fn number(proposals: &mut [Proposal], numbers: &mut HashMap<(i16, ProposalLevel), u32>) {
    let mut submitted: Vec<(OffsetDateTime, usize)> = proposals
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.submitted_at.map(|at| (at, i)))
        .collect();
    submitted.sort();
    for (_, index) in submitted {
        let proposal = &mut proposals[index];
        let last = numbers
            .entry((proposal.plan_year, proposal.level))
            .or_default();
        *last += 1;
        let code = proposal_code(proposal.level, proposal.plan_year.into(), *last);
        if let Some(event) = proposal.events.iter_mut().find(|e| e.step == Step::Submit) {
            event.details = serde_json::json!({ "code": code }).to_string();
        }
        proposal.code = Some(code);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// Two legacy districts of three communes (one a town), three communes of the 2025 set.
    fn setting() -> Setting {
        let office = |id| Office {
            id,
            creator: 100 + id,
        };
        let mut communes = Vec::new();
        for (i, (district, kind, name)) in [
            ("173", "xã", "Tân Khánh"),
            ("173", "xã", "Bàn Đạt"),
            ("173", "thị trấn", "Hương Sơn"),
            ("164", "xã", "Phúc Xuân"),
            ("164", "xã", "Phúc Trìu"),
            ("164", "phường", "Gia Sàng"),
        ]
        .into_iter()
        .enumerate()
        {
            communes.push(Commune {
                id: 1_000 + i64::try_from(i).expect("small"),
                kind: kind.into(),
                name: name.into(),
                full_name: format!("{} {name}", upper_first(kind)),
                legacy: true,
                area: district.into(),
                office: office(if district == "173" { 1 } else { 2 }),
            });
        }
        for (i, (kind, name)) in [
            ("xã", "Phú Bình"),
            ("phường", "Phan Đình Phùng"),
            ("xã", "Đại Phúc"),
        ]
        .into_iter()
        .enumerate()
        {
            let id = 2_000 + i64::try_from(i).expect("small");
            communes.push(Commune {
                id,
                kind: kind.into(),
                name: name.into(),
                full_name: format!("{} {name}", upper_first(kind)),
                legacy: false,
                area: format!("c{id}"),
                office: office(10 + id),
            });
        }
        Setting {
            communes,
            staff: Staff {
                centre: 1,
                appraiser: 2,
                director: 3,
                accountant: 4,
            },
        }
    }

    fn params(seed: u64) -> Params {
        Params {
            facilities: 400,
            proposals: 3_000,
            years: 10,
            seed,
        }
    }

    fn generate(params: &Params) -> (Vec<Facility>, Vec<Proposal>) {
        let setting = setting();
        let facilities = facilities(params, &setting).expect("facilities");
        let registry = Registry::new(&setting, &facilities);
        let mut numbers = HashMap::from([((2024, ProposalLevel::Local), 41)]);
        let mut proposals = Vec::new();
        for (year, count) in year_counts(params) {
            proposals.extend(
                proposals_of_year(params, &setting, &registry, year, count, &mut numbers)
                    .expect("proposals"),
            );
        }
        (facilities, proposals)
    }

    #[test]
    fn parameters_are_checked_and_years_end_in_2025() {
        let ok = params(1);
        assert!(ok.check().is_ok());
        assert_eq!(ok.first_year(), 2016);
        for bad in [
            Params {
                facilities: 0,
                ..ok.clone()
            },
            Params {
                years: 0,
                ..ok.clone()
            },
            Params {
                years: 21,
                ..ok.clone()
            },
            Params {
                proposals: MAX_ROWS + 1,
                ..ok.clone()
            },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
        }
        let counts = year_counts(&ok);
        assert_eq!(counts.len(), 10);
        assert_eq!(counts.first().map(|c| c.0), Some(2016));
        assert_eq!(counts.last().map(|c| c.0), Some(2025));
        assert_eq!(counts.iter().map(|c| c.1).sum::<usize>(), 3_000);
        assert!(counts.windows(2).all(|w| w[0].1 <= w[1].1), "{counts:?}");
    }

    #[test]
    fn the_same_seed_gives_the_same_data() {
        let (f1, p1) = generate(&params(42));
        let (f2, p2) = generate(&params(42));
        assert_eq!(f1, f2);
        assert_eq!(p1, p2);
        let (f3, p3) = generate(&params(43));
        assert_ne!(f1, f3);
        assert_ne!(p1, p3);
    }

    #[test]
    fn facilities_are_well_formed_and_spread_over_both_sets_of_units() {
        let setting = setting();
        let rows = facilities(&params(7), &setting).expect("facilities");
        assert_eq!(rows.len(), 400);
        let mut tax_codes = HashSet::new();
        let mut communes = HashSet::new();
        for f in &rows {
            assert!(tax_codes.insert(f.tax_code.clone()), "{}", f.tax_code);
            assert!(
                f.tax_code.len() == 10
                    && f.tax_code.starts_with(TAX_CODE_PREFIX)
                    && f.tax_code.bytes().all(|b| b.is_ascii_digit())
            );
            communes.insert(f.commune);
            let commune = &setting.communes[f.commune];
            let cutoff = PrimitiveDateTime::new(new_units_from().expect("date"), Time::MIDNIGHT)
                .assume_offset(VIETNAM);
            assert_eq!(commune.legacy, f.created_at < cutoff, "{f:?}");
            assert!(!f.name.is_empty() && f.name.chars().count() <= 300);
            assert!(f.workers > 0 && f.annual_revenue > 0 && f.capital >= 0);
            if let Some(phone) = &f.phone {
                assert!(
                    (6..=20).contains(&phone.len())
                        && phone.chars().all(|c| c.is_ascii_digit() || c == ' '),
                    "{phone}"
                );
            }
            if f.legal_form == "household_business" {
                assert_eq!(f.name, format!("Hộ kinh doanh {}", f.owner_name));
            }
        }
        assert_eq!(communes.len(), setting.communes.len(), "every commune used");
        assert!(rows.windows(2).all(|w| w[0].created_at <= w[1].created_at));
        assert!(rows.iter().any(|f| f.women_owned));
        assert!(rows.iter().any(|f| f.ethnic_minority_owned));
    }

    #[test]
    fn tax_codes_never_repeat() {
        let codes: HashSet<String> = (0..200_000).map(|n| tax_code(12_345, n)).collect();
        assert_eq!(codes.len(), 200_000);
    }

    #[test]
    fn budgets_add_up() {
        let (_, proposals) = generate(&params(5));
        for p in &proposals {
            assert!((1..=6).contains(&p.lines.len()), "{}", p.title);
            for l in &p.lines {
                assert_eq!(l.line.total(), Some(l.total));
                assert!(l.line.support >= 0 && l.line.support <= l.total);
                assert!(l.line.quantity_hundredths > 0 && l.line.unit_price >= 0);
            }
            assert_eq!(p.total_cost, p.lines.iter().map(|l| l.total).sum::<i64>());
            assert_eq!(
                p.requested_support,
                p.lines.iter().map(|l| l.line.support).sum::<i64>()
            );
            assert!(p.requested_support <= p.total_cost);
            assert_eq!(p.counterpart_funds, p.total_cost - p.requested_support);
            if let Some(approved) = p.approved_support {
                assert!(approved > 0 && approved <= p.requested_support);
            }
            assert!((1..=3).contains(&p.beneficiaries.len()));
            let distinct: HashSet<_> = p.beneficiaries.iter().collect();
            assert_eq!(distinct.len(), p.beneficiaries.len());
            assert_eq!(p.form == "group", p.beneficiaries.len() > 1);
            assert!(p.title.chars().count() <= 500);
        }
    }

    #[test]
    fn codes_are_unique_per_year_and_level_and_only_once_submitted() {
        let (_, proposals) = generate(&params(9));
        let mut seen = HashSet::new();
        for p in &proposals {
            assert_eq!(p.code.is_some(), p.submitted_at.is_some(), "{p:?}");
            if let Some(code) = &p.code {
                assert!(seen.insert(code.clone()), "{code} twice");
                let prefix = format!("{}-{}-", p.level.code_prefix(), p.plan_year);
                assert!(code.starts_with(&prefix), "{code}");
            }
            if p.state != S::Draft && p.state != S::Withdrawn {
                assert!(p.code.is_some(), "{:?} without a code", p.state);
            }
        }
        // Numbering continues after the numbers already used.
        assert!(!seen.contains("ĐP-2024-041") && seen.contains("ĐP-2024-042"));
        assert!(seen.contains("ĐP-2016-001"));
    }

    #[test]
    fn every_state_occurs_and_timelines_walk_the_lifecycle() {
        let (facilities, proposals) = generate(&params(11));
        for state in ProposalState::ALL {
            assert!(
                proposals.iter().any(|p| p.state == state),
                "no proposal in {state:?}"
            );
        }
        for p in &proposals {
            let first = p.events.first().expect("events");
            assert_eq!(
                (first.step, first.from, first.to),
                (Step::Create, None, S::Draft)
            );
            assert_eq!(p.events.last().map(|e| e.to), Some(p.state));
            assert_eq!(p.created_at, first.at);
            assert_eq!(p.updated_at, p.events.last().expect("events").at);
            for pair in p.events.windows(2) {
                assert_eq!(pair[1].from, Some(pair[0].to));
                assert!(pair[0].at < pair[1].at, "{pair:?}");
            }
            for e in &p.events {
                assert!(!e.note.is_empty());
                assert!(serde_json::from_str::<serde_json::Value>(&e.details).is_ok());
                assert!(!matches!(
                    e.at.weekday(),
                    Weekday::Saturday | Weekday::Sunday
                ));
            }
            assert_eq!(
                p.approved_support.is_some(),
                p.events.iter().any(|e| e.step == Step::Approve)
            );
            let national_steps = p.events.iter().any(|e| e.step == Step::Forward);
            assert!(!national_steps || p.level == ProposalLevel::National);
            let returns = p.events.iter().filter(|e| e.step == Step::Return).count();
            assert_eq!(p.returns.len(), returns);
            // Beneficiaries were registered before the proposal.
            for &b in &p.beneficiaries {
                assert!(facilities[b].created_at < p.created_at, "{}", p.title);
            }
        }
        let per_year: HashSet<i16> = proposals.iter().map(|p| p.plan_year).collect();
        assert_eq!(per_year.len(), 10);
        assert!(proposals.iter().any(|p| p.level == ProposalLevel::National));
        assert!(
            proposals
                .iter()
                .filter(|p| p.plan_year < 2024)
                .filter(|p| p.state == S::Completed)
                .count()
                * 2
                > proposals.iter().filter(|p| p.plan_year < 2024).count()
        );
    }

    #[test]
    fn proposals_after_july_2025_are_located_in_the_2025_units() {
        let setting = setting();
        let (_, proposals) = generate(&params(3));
        let cutoff = new_units_from().expect("date");
        let located = |p: &Proposal| {
            setting
                .communes
                .iter()
                .find(|c| c.id == p.unit_id)
                .map(|c| c.legacy)
        };
        assert!(proposals.iter().any(|p| located(p) == Some(false)));
        for p in &proposals {
            let legacy = located(p).expect("a known commune");
            let after = p.created_at.to_offset(VIETNAM).date() >= cutoff;
            assert_eq!(legacy, !after, "{}", p.title);
        }
    }

    #[test]
    fn every_fate_has_a_lifecycle() {
        for table in [PAST, PREVIOUS, CURRENT] {
            for (fate, _) in table {
                for national in [false, true] {
                    for detour in [false, true] {
                        let forwarded = fate.1 == Some(S::Forwarded) || fate.0 == S::Forwarded;
                        let steps = lifecycle(*fate, national, detour);
                        if forwarded && !national {
                            assert!(steps.is_err(), "{fate:?}");
                        } else {
                            let steps = steps.expect("a path");
                            assert_eq!(steps.last().map(|s| s.to_state()), Some(fate.0));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn office_names_follow_the_2025_structure() {
        assert_eq!(
            commune_office_name("xã", "Xã Phúc Xuân"),
            "Phòng Kinh tế xã Phúc Xuân"
        );
        assert_eq!(
            commune_office_name("phường", "Phường Phan Đình Phùng"),
            "Phòng Kinh tế, Hạ tầng và Đô thị phường Phan Đình Phùng"
        );
    }
}
