//! The performance data set (`khuyencong generate-data`): tens of thousands of facilities and
//! a hundred thousand proposals over ten plan years, added to the demo data set so that list
//! pages, search and reports can be measured on realistic volumes (docs/benchmarks.md).
//!
//! Generation is pure and deterministic ([`plan`]: a seed gives the same data everywhere;
//! its timelines walk `domain::transition`'s table, each step taken by a role the table
//! allows); this module reads what it builds on ([`read`]: Thái Nguyên's communes in both sets
//! of units, the demo offices and staff, the proposal numbers already used), writes the rows in
//! one transaction, a few thousand rows per statement ([`write`], `db::generate`), fills the
//! search text and refreshes the planner's statistics.
//!
//! It only ever adds to a database that holds the demo data (or is empty: the demo data is
//! loaded first), because it invents people, companies and money: a database with real
//! accounts is refused.

mod plan;
mod read;
mod rng;
mod words;
mod write;

use std::time::Instant;

use anyhow::bail;
use sqlx::PgPool;

use crate::auth::password::Passwords;
use crate::db::generate as sql;

pub use plan::{
    Actor, Commune, Facility, LAST_PLAN_YEAR, Office, Params, Proposal, Setting, Staff,
    TAX_CODE_PREFIX, commune_office_name,
};

/// The province the data set is about (Thái Nguyên, as the demo).
pub const PROVINCE: &str = "19";

/// Proposals written per round of statements: their events (about eleven each) make about
/// five thousand rows.
const PROPOSALS_PER_BATCH: usize = 450;

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

    let (setting, offices) = read::load_setting(&mut tx).await?;
    summary.offices = offices;
    let mut numbers = read::last_numbers(&mut tx).await?;

    let facilities = plan::facilities(params, &setting)?;
    let facility_ids = write::insert_facilities(&mut tx, &setting, &facilities).await?;
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
            write::write_proposals(&mut tx, batch, &facility_ids, &mut summary).await?;
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
    // Visits are led by the appraisal officer with the Centre's officer, who records the
    // money too.
    let (leader, member) = (setting.staff.appraiser.id, setting.staff.centre.id);
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
