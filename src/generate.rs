//! The performance data set (`khuyencong generate-data`): tens of thousands of facilities and
//! a hundred thousand proposals over ten plan years, added to the demo data set so that list
//! pages, search and reports can be measured on realistic volumes (docs/benchmarks.md).
//!
//! Generation is pure and deterministic ([`plan`]: a seed gives the same data everywhere);
//! this module reads what it builds on (Thái Nguyên's communes in both sets of units, the demo
//! offices and staff, the proposal numbers already used), writes the rows in one transaction,
//! a few thousand rows per statement (`db::generate`), fills the search text and refreshes
//! the planner's statistics.
//!
//! It only ever adds to a database that holds the demo data (or is empty: the demo data is
//! loaded first), because it invents people, companies and money: a database with real
//! accounts is refused.

mod plan;
mod rng;
mod words;

use std::collections::HashMap;
use std::time::Instant;

use anyhow::{Context as _, anyhow, bail};
use sqlx::{PgConnection, PgPool};

use crate::auth::password::Passwords;
use crate::db::demo as demo_sql;
use crate::db::generate as sql;
use crate::domain::proposal::ProposalLevel;

pub use plan::{
    Commune, Facility, LAST_PLAN_YEAR, Office, Params, Proposal, Setting, Staff, TAX_CODE_PREFIX,
    commune_office_name,
};

/// The province the data set is about (Thái Nguyên, as the demo).
pub const PROVINCE: &str = "19";

/// Proposals written per round of statements: their events (about eleven each) make about
/// five thousand rows.
const PROPOSALS_PER_BATCH: usize = 450;

/// Facilities per statement.
const FACILITIES_PER_BATCH: usize = 5_000;

/// The Centre's accounts the timelines are written by (from the demo data set).
const STAFF: [&str; 4] = ["canbo", "thamdinh", "giamdoc", "ketoan"];

/// What a run added.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Whether the demo data had to be loaded first (the database was empty).
    pub demo_loaded: bool,
    /// Economic offices created for the 2025 communes.
    pub offices: usize,
    /// Facilities.
    pub facilities: usize,
    /// Proposals.
    pub proposals: usize,
    /// Beneficiary links.
    pub beneficiaries: u64,
    /// Budget lines.
    pub cost_lines: u64,
    /// Timeline events.
    pub events: u64,
    /// Screening returns.
    pub returns: u64,
    /// Appraisal visits.
    pub visits: i64,
    /// Plan decisions, contracts, payments and evaluations.
    pub funding: sql::funding::Funding,
}

/// What `run` found in the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The data set was added.
    Added,
    /// Generated data was already there and `if_absent` was given: nothing was done.
    AlreadyThere,
}

/// Adds the data set to `pool`'s database: loads the demo data into an empty database first,
/// refuses a database whose accounts are not the demo's, and refuses (or, with `if_absent`,
/// skips) a database that already holds generated facilities.
pub async fn run(
    pool: &PgPool,
    passwords: &Passwords,
    params: &Params,
    if_absent: bool,
) -> anyhow::Result<(Outcome, Summary)> {
    params.check()?;
    let mut summary = Summary::default();
    if crate::demo::database_is_empty(pool).await? {
        tracing::info!("the database is empty: loading the demo data first");
        crate::demo::seed(pool, passwords).await?;
        summary.demo_loaded = true;
    }

    let started = Instant::now();
    let mut tx = pool.begin().await?;
    let accounts: Vec<String> = crate::demo::ACCOUNTS
        .iter()
        .map(|(username, _)| (*username).to_owned())
        .collect();
    let present = sql::count_users(&mut tx, &accounts).await?;
    if usize::try_from(present)? != accounts.len() {
        bail!(
            "this database has accounts but not the demo data set; generated data is only added \
             to a demo (or empty) database, never to one with real records"
        );
    }
    if sql::has_tax_code_prefix(&mut tx, TAX_CODE_PREFIX).await? {
        if if_absent {
            return Ok((Outcome::AlreadyThere, summary));
        }
        bail!(
            "generated data is already there (facilities with tax codes {TAX_CODE_PREFIX}…); \
             use a fresh database, or --if-absent to skip"
        );
    }

    let (setting, offices) = load_setting(&mut tx).await?;
    summary.offices = offices;
    let mut numbers = last_numbers(&mut tx).await?;

    let facilities = plan::facilities(params, &setting)?;
    let facility_ids = insert_facilities(&mut tx, &setting, &facilities).await?;
    summary.facilities = facilities.len();
    tracing::info!(
        facilities = facilities.len(),
        elapsed_ms = started.elapsed().as_millis(),
        "facilities written"
    );

    let registry = plan::Registry::new(&setting, &facilities);
    for (year, count) in plan::year_counts(params) {
        let proposals =
            plan::proposals_of_year(params, &setting, &registry, year, count, &mut numbers)?;
        for batch in proposals.chunks(PROPOSALS_PER_BATCH) {
            write_proposals(&mut tx, batch, &facility_ids, &mut summary).await?;
        }
        summary.proposals += proposals.len();
        tracing::info!(
            year,
            proposals = proposals.len(),
            elapsed_ms = started.elapsed().as_millis(),
            "plan year written"
        );
    }

    let (years, levels, last): (Vec<i16>, Vec<String>, Vec<i32>) = numbers
        .iter()
        .map(|(&(year, level), &n)| Ok((year, level.code().to_owned(), i32::try_from(n)?)))
        .collect::<anyhow::Result<Vec<_>>>()?
        .into_iter()
        .fold(
            (Vec::new(), Vec::new(), Vec::new()),
            |(mut y, mut l, mut n), (year, level, number)| {
                y.push(year);
                l.push(level);
                n.push(number);
                (y, l, n)
            },
        );
    sql::raise_code_counters(&mut tx, PROVINCE, &years, &levels, &last).await?;
    let team: HashMap<String, i64> =
        sql::user_ids(&mut tx, &["thamdinh".to_owned(), "canbo".to_owned()])
            .await?
            .into_iter()
            .collect();
    let (Some(&leader), Some(&member)) = (team.get("thamdinh"), team.get("canbo")) else {
        bail!("the demo's appraisal officer and Centre officer are missing");
    };
    summary.visits = sql::appraisals::insert_appraisals(&mut tx, PROVINCE, leader, member).await?;
    tracing::info!(
        visits = summary.visits,
        elapsed_ms = started.elapsed().as_millis(),
        "appraisal visits written"
    );

    summary.funding = sql::funding::insert_funding(&mut tx, PROVINCE, member).await?;
    tracing::info!(
        funding = ?summary.funding,
        elapsed_ms = started.elapsed().as_millis(),
        "plan decisions, contracts, payments and evaluations written"
    );

    crate::db::search::fill_missing(&mut tx).await?;
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis(),
        "search text filled"
    );
    tx.commit().await?;
    sql::vacuum_analyze(pool).await?;
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis(),
        "vacuumed and analysed"
    );
    Ok((Outcome::Added, summary))
}

/// The communes of the province with the office whose proposals are located in each (the
/// district's office in the legacy set; in the 2025 set, the commune's own economic office,
/// created when missing), and the Centre's staff. Answers the setting and the number of
/// offices created.
async fn load_setting(conn: &mut PgConnection) -> anyhow::Result<(Setting, usize)> {
    let staff_ids: HashMap<String, i64> = sql::user_ids(
        conn,
        &STAFF.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
    )
    .await?
    .into_iter()
    .collect();
    let staff_id = |name: &str| {
        staff_ids
            .get(name)
            .copied()
            .ok_or_else(|| anyhow!("the demo account {name} is missing"))
    };
    let staff = Staff {
        centre: staff_id("canbo")?,
        appraiser: staff_id("thamdinh")?,
        director: staff_id("giamdoc")?,
        accountant: staff_id("ketoan")?,
    };

    let rows = sql::communes(conn, PROVINCE).await?;
    let before = sql::local_offices(conn, PROVINCE).await?;
    let (names, unit_ids): (Vec<String>, Vec<i64>) = rows
        .iter()
        .filter(|c| !c.legacy && !before.iter().any(|o| o.unit_id == c.id))
        .map(|c| (commune_office_name(&c.kind, &c.full_name), c.id))
        .unzip();
    if !names.is_empty() {
        sql::ensure_local_offices(conn, PROVINCE, &names, &unit_ids).await?;
    }
    let offices = sql::local_offices(conn, PROVINCE).await?;
    let office_of = |o: &sql::OfficeRow| Office {
        id: o.id,
        creator: o.officer_id.unwrap_or(staff.centre),
    };
    let by_district: HashMap<&str, Office> = offices
        .iter()
        .filter(|o| o.legacy)
        .map(|o| (o.unit_code.as_str(), office_of(o)))
        .collect();
    let by_commune: HashMap<i64, Office> = offices
        .iter()
        .filter(|o| !o.legacy)
        .map(|o| (o.unit_id, office_of(o)))
        .collect();

    let mut communes = Vec::with_capacity(rows.len());
    for row in rows {
        let (area, office) = if row.legacy {
            let district = row
                .district_code
                .clone()
                .with_context(|| format!("{} has no district", row.full_name))?;
            let office = by_district
                .get(district.as_str())
                .copied()
                .with_context(|| format!("no local office for district {district}"))?;
            (district, office)
        } else {
            let office = by_commune
                .get(&row.id)
                .copied()
                .with_context(|| format!("no local office for {}", row.full_name))?;
            (format!("c{}", row.id), office)
        };
        communes.push(Commune {
            id: row.id,
            kind: row.kind,
            name: row.name,
            full_name: row.full_name,
            legacy: row.legacy,
            area,
            office,
        });
    }
    Ok((Setting { communes, staff }, names.len()))
}

/// The last proposal number used per plan year and level.
async fn last_numbers(
    conn: &mut PgConnection,
) -> anyhow::Result<HashMap<(i16, ProposalLevel), u32>> {
    let mut numbers = HashMap::new();
    for row in sql::last_numbers(conn, PROVINCE).await? {
        let level = ProposalLevel::from_code(&row.level)
            .ok_or_else(|| anyhow!("unknown level {}", row.level))?;
        numbers.insert((row.plan_year, level), u32::try_from(row.last_number)?);
    }
    Ok(numbers)
}

/// Writes the facilities; answers their ids, index for index.
async fn insert_facilities(
    conn: &mut PgConnection,
    setting: &Setting,
    facilities: &[Facility],
) -> anyhow::Result<Vec<i64>> {
    let mut ids: HashMap<String, i64> = HashMap::with_capacity(facilities.len());
    for batch in facilities.chunks(FACILITIES_PER_BATCH) {
        let mut rows = sql::FacilityColumns::default();
        for f in batch {
            let commune = setting
                .communes
                .get(f.commune)
                .context("facility outside the communes")?;
            rows.name.push(f.name.clone());
            rows.legal_form.push(f.legal_form.to_owned());
            rows.tax_code.push(f.tax_code.clone());
            rows.owner_name.push(f.owner_name.clone());
            rows.phone.push(f.phone.clone());
            rows.address_detail.push(f.address_detail.clone());
            rows.unit_id.push(commune.id);
            rows.sector_code.push(f.trade().sector.to_owned());
            rows.main_products.push(f.main_products.clone());
            rows.workers.push(f.workers);
            rows.annual_revenue.push(f.annual_revenue);
            rows.business_registration
                .push(f.business_registration.clone());
            rows.capital.push(f.capital);
            rows.women_owned.push(f.women_owned);
            rows.ethnic_minority_owned.push(f.ethnic_minority_owned);
            rows.typical_product.push(f.typical_product);
            rows.exports.push(f.exports);
            rows.local_raw_materials.push(f.local_raw_materials);
            rows.created_by.push(f.created_by);
            rows.created_at.push(f.created_at);
        }
        ids.extend(sql::insert_facilities(conn, PROVINCE, &rows).await?);
    }
    facilities
        .iter()
        .map(|f| {
            ids.get(&f.tax_code)
                .copied()
                .ok_or_else(|| anyhow!("facility {} was not written", f.tax_code))
        })
        .collect()
}

/// Writes a batch of proposals with their beneficiaries, budgets, timelines and returns.
async fn write_proposals(
    conn: &mut PgConnection,
    batch: &[Proposal],
    facility_ids: &[i64],
    summary: &mut Summary,
) -> anyhow::Result<()> {
    let ids = demo_sql::reserve_proposal_ids(conn, i32::try_from(batch.len())?).await?;
    let mut proposals = sql::proposals::ProposalColumns::default();
    let mut beneficiaries = demo_sql::BeneficiaryColumns::default();
    let mut lines = sql::proposals::CostLineColumns::default();
    let mut events = demo_sql::EventColumns::default();
    let mut returns = sql::proposals::ReturnColumns::default();
    for (&id, p) in ids.iter().zip(batch) {
        proposals.id.push(id);
        proposals.code.push(p.code.clone());
        proposals.plan_year.push(p.plan_year);
        proposals.level.push(p.level.code().to_owned());
        proposals.form.push(p.form.to_owned());
        proposals.activity_type_code.push(p.activity.to_owned());
        proposals.title.push(p.title.clone());
        proposals.unit_id.push(p.unit_id);
        proposals.office_id.push(p.office_id);
        proposals.state.push(p.state.code().to_owned());
        proposals.total_cost.push(p.total_cost);
        proposals.requested_support.push(p.requested_support);
        proposals.counterpart_funds.push(p.counterpart_funds);
        proposals.approved_support.push(p.approved_support);
        proposals.submitted_at.push(p.submitted_at);
        proposals.objectives.push(p.objectives.clone());
        proposals.content.push(p.content.clone());
        proposals.location_detail.push(p.location_detail.clone());
        proposals.start_date.push(p.start_date);
        proposals.end_date.push(p.end_date);
        proposals.baseline_output.push(p.baseline_output.clone());
        proposals.expected_output.push(p.expected_output.clone());
        proposals.baseline_revenue.push(p.baseline_revenue);
        proposals.expected_revenue.push(p.expected_revenue);
        proposals.baseline_jobs.push(p.baseline_jobs);
        proposals.expected_jobs.push(p.expected_jobs);
        proposals.no_double_funding.push(p.no_double_funding);
        proposals.created_by.push(p.created_by);
        proposals.created_at.push(p.created_at);
        proposals.updated_at.push(p.updated_at);
        let mut ids_of_beneficiaries = Vec::with_capacity(p.beneficiaries.len());
        for &facility in &p.beneficiaries {
            let facility_id = *facility_ids
                .get(facility)
                .context("beneficiary outside the facilities")?;
            beneficiaries.proposal_id.push(id);
            beneficiaries.facility_id.push(facility_id);
            ids_of_beneficiaries.push(facility_id);
        }
        ids_of_beneficiaries.sort_unstable();
        proposals.beneficiary_ids.push(format!(
            "{{{}}}",
            ids_of_beneficiaries
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ));
        for (position, l) in p.lines.iter().enumerate() {
            lines.proposal_id.push(id);
            lines.position.push(i16::try_from(position + 1)?);
            lines.item.push(l.line.item.clone());
            lines.unit.push(l.line.unit.clone());
            lines.quantity_hundredths.push(l.line.quantity_hundredths);
            lines.unit_price.push(l.line.unit_price);
            lines.total.push(l.total);
            lines.support.push(l.line.support);
        }
        for e in &p.events {
            events.proposal_id.push(id);
            events.at.push(e.at);
            events.actor_id.push(e.actor);
            events.action.push(e.step.code().to_owned());
            events.from_state.push(e.from.map(|s| s.code().to_owned()));
            events.to_state.push(e.to.code().to_owned());
            events.note.push(e.note.clone());
            events.details.push(e.details.clone());
        }
        for r in &p.returns {
            returns.proposal_id.push(id);
            returns.requested_by.push(r.requested_by);
            returns.requested_at.push(r.requested_at);
            returns.missing_items.push(r.missing_items.clone());
            returns.due_date.push(r.due_date);
            returns.answered_at.push(r.answered_at);
        }
    }
    sql::proposals::insert_proposals(conn, PROVINCE, &proposals).await?;
    summary.beneficiaries += demo_sql::insert_beneficiaries(conn, &beneficiaries).await?;
    summary.cost_lines += sql::proposals::insert_cost_lines(conn, &lines).await?;
    summary.events += demo_sql::insert_events(conn, &events).await?;
    summary.returns += sql::proposals::insert_returns(conn, &returns).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo data set, then a small generated set; checks the invariants in SQL.
    #[sqlx::test]
    async fn adds_a_consistent_data_set_to_the_demo(pool: PgPool) -> anyhow::Result<()> {
        crate::db::reference::load_admin_units(&pool).await?;
        let passwords = Passwords::new(2);
        let params = Params {
            facilities: 300,
            proposals: 1_000,
            years: 10,
            seed: 2024,
        };
        let (outcome, summary) = run(&pool, &passwords, &params, false).await?;
        assert_eq!(outcome, Outcome::Added);
        assert!(summary.demo_loaded, "an empty database gets the demo first");
        assert_eq!((summary.facilities, summary.proposals), (300, 1_000));
        assert!(summary.events >= 1_000 && summary.cost_lines >= 1_000);

        // A second run is refused, or skipped with --if-absent.
        assert!(run(&pool, &passwords, &params, false).await.is_err());
        assert_eq!(
            run(&pool, &passwords, &params, true).await?.0,
            Outcome::AlreadyThere
        );

        let generated: i64 = sqlx::query_scalar(
            "select count(*) from facilities where tax_code like '47%' and search_text <> ''",
        )
        .fetch_one(&pool)
        .await?;
        assert_eq!(generated, 300);
        // Facilities in both sets of units, every commune of Thái Nguyên reachable.
        let (legacy, fresh): (i64, i64) = sqlx::query_as(
            "select count(*) filter (where u.valid_from is null), count(*) filter (where u.valid_from is not null) \
             from facilities f join admin_units u on u.id = f.unit_id \
             where f.tax_code like '47%' and u.province_code = '19' and u.level = 'commune'",
        )
        .fetch_one(&pool)
        .await?;
        assert_eq!(legacy + fresh, 300);
        assert!(
            legacy > 0 && fresh > 0,
            "{legacy} legacy, {fresh} in the 2025 set"
        );

        // Budgets add up.
        let bad_budgets: i64 = sqlx::query_scalar(
            "select count(*) from proposals p \
             join (select proposal_id, count(*) as n, sum(total) as total, sum(support) as support \
                   from proposal_cost_lines group by proposal_id) l on l.proposal_id = p.id \
             where l.n not between 1 and 6 or p.total_cost <> l.total \
                or p.requested_support <> l.support \
                or p.counterpart_funds <> p.total_cost - p.requested_support",
        )
        .fetch_one(&pool)
        .await?;
        assert_eq!(bad_budgets, 0);
        // Every budget is itemised: the generated ones and the demo's.
        let without_lines: i64 = sqlx::query_scalar(
            "select count(*) from proposals p where p.total_cost > 0 \
             and not exists (select 1 from proposal_cost_lines l where l.proposal_id = p.id)",
        )
        .fetch_one(&pool)
        .await?;
        assert_eq!(without_lines, 0);

        // Codes: unique (the index guarantees it), present once submitted, well formed.
        let (codes, bad_codes): (i64, i64) = sqlx::query_as(
            "select count(code), count(*) filter (where (code is null) <> (submitted_at is null) \
                or code !~ ('^' || case level when 'local' then 'ĐP' else 'QG' end || '-' || plan_year || '-[0-9]{3,}$')) \
             from proposals",
        )
        .fetch_one(&pool)
        .await?;
        assert!(codes > 800);
        assert_eq!(bad_codes, 0);
        // The counters are past every number used.
        let behind: i64 = sqlx::query_scalar(
            "select count(*) from proposals p \
             left join proposal_code_counters c on c.province_code = p.province_code \
                 and c.plan_year = p.plan_year and c.level = p.level \
             where p.code is not null \
               and coalesce(c.last_number, 0) < substring(p.code from '([0-9]+)$')::int",
        )
        .fetch_one(&pool)
        .await?;
        assert_eq!(behind, 0);

        // Every state; each timeline ends in the proposal's state; 1–3 beneficiaries.
        let states: i64 = sqlx::query_scalar("select count(distinct state) from proposals")
            .fetch_one(&pool)
            .await?;
        assert_eq!(states, 16);
        let bad_timelines: i64 = sqlx::query_scalar(
            "select count(*) from proposals p where p.state <> \
             (select e.to_state from proposal_events e where e.proposal_id = p.id order by e.at desc, e.id desc limit 1)",
        )
        .fetch_one(&pool)
        .await?;
        assert_eq!(bad_timelines, 0);
        let bad_beneficiaries: i64 = sqlx::query_scalar(
            "select count(*) from proposals p where (select count(*) from proposal_facilities pf \
             where pf.proposal_id = p.id) not between 1 and 3",
        )
        .fetch_one(&pool)
        .await?;
        assert_eq!(bad_beneficiaries, 0);
        // Search works without diacritics on generated rows.
        let found: i64 = sqlx::query_scalar(
            "select count(*) from proposals where search_vector @@ to_tsquery('simple', 'ho:* & tro:*')",
        )
        .fetch_one(&pool)
        .await?;
        assert!(found > 100);
        let plan_years: i64 = sqlx::query_scalar("select count(distinct plan_year) from proposals")
            .fetch_one(&pool)
            .await?;
        assert_eq!(plan_years, 10);
        // Every proposal that was put on a visit is on one, with its record: final with a
        // score in range once appraised, a draft while scheduled.
        let (unvisited, unrecorded, bad_scores): (i64, i64, i64) = sqlx::query_as(
            "select                count(*) filter (where exists (select 1 from proposal_events e where e.proposal_id = p.id                    and e.action = 'schedule_appraisal')                    and not exists (select 1 from visit_proposals vp where vp.proposal_id = p.id)),                count(*) filter (where p.state = 'appraised' and not exists (select 1 from appraisal_records r                    where r.proposal_id = p.id and r.status = 'final')),                (select count(*) from appraisal_records r where r.status = 'final'                    and (r.score_tenths not between 800 and 1000 or r.proposed_support >                         (select requested_support from proposals q where q.id = r.proposal_id)))              from proposals p",
        )
        .fetch_one(&pool)
        .await?;
        assert_eq!((unvisited, unrecorded, bad_scores), (0, 0, 0));
        // The scope's copy of the beneficiaries is the links themselves.
        let stale: i64 = sqlx::query_scalar(
            "select count(*) from proposals p where p.beneficiary_ids is distinct from \
             array(select facility_id from proposal_facilities f where f.proposal_id = p.id order by 1)",
        )
        .fetch_one(&pool)
        .await?;
        assert_eq!(stale, 0);
        assert!(summary.visits > 0);
        // The money: every approved proposal decided with its line, every proposal that
        // reached a contract has one, the contract's figures are its payments', envelopes
        // are their rounds, completed proposals are evaluated.
        let (undecided, uncontracted, unpaid, over, unevaluated): (i64, i64, i64, i64, i64) =
            sqlx::query_as(
                "select \
                   (select count(*) from proposals p where p.approved_support is not null \
                      and not exists (select 1 from plan_decision_lines l \
                        where l.proposal_id = p.id and l.decision_id = p.plan_decision_id \
                          and l.approved_support = p.approved_support)), \
                   (select count(*) from proposals p where p.state in ('contracted', \
                      'in_progress', 'result_accepted', 'settled', 'completed') \
                      and not exists (select 1 from contracts c where c.proposal_id = p.id)), \
                   (select count(*) from contracts c cross join lateral ( \
                      select coalesce(sum(y.amount) filter (where y.kind = 'advance'), 0) as a, \
                             coalesce(sum(y.amount) filter (where y.kind <> 'recovery'), 0) as t \
                      from payments y where y.contract_id = c.id) s \
                    where c.advanced <> s.a or c.paid <> s.t), \
                   (select count(*) from funding_envelopes e where e.amount <> \
                      (select sum(r.amount) from envelope_rounds r where r.envelope_id = e.id)), \
                   (select count(*) from proposals p where p.state = 'completed' \
                      and not exists (select 1 from evaluations v where v.proposal_id = p.id))",
            )
            .fetch_one(&pool)
            .await?;
        assert_eq!((undecided, uncontracted, unpaid, unevaluated), (0, 0, 0, 0));
        assert_eq!(over, 0, "an envelope's amount is the sum of its rounds");
        assert!(summary.funding.contracts > 100 && summary.funding.evaluations > 100);
        Ok(())
    }

    /// A database with accounts that are not the demo's is never filled with invented data.
    #[sqlx::test]
    async fn refuses_a_database_without_the_demo(pool: PgPool) -> anyhow::Result<()> {
        crate::db::reference::load_admin_units(&pool).await?;
        sqlx::query(
            "insert into organisations (province_code, kind, name) values ('19', 'centre', 'Trung tâm')",
        )
        .execute(&pool)
        .await?;
        sqlx::query(
            "insert into users (username, full_name, password_hash, role, organisation_id) \
             select 'quantri', 'Quản trị', 'x', 'admin', id from organisations",
        )
        .execute(&pool)
        .await?;
        let params = Params {
            facilities: 10,
            proposals: 10,
            years: 1,
            seed: 1,
        };
        let error = run(&pool, &Passwords::new(1), &params, false)
            .await
            .expect_err("refused");
        assert!(error.to_string().contains("not the demo"), "{error}");
        Ok(())
    }
}
