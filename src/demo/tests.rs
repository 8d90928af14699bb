//! The demo data set obeys the rules the pages apply, and seeds an empty database once.

use std::collections::{BTreeMap, HashSet};

use time::{Month, Weekday};

use super::*;
use crate::domain::facility::{self, LegalForm};
use crate::domain::proposal::ProposalLevel;
use crate::domain::transition::transition;

fn data() -> &'static data::Data {
    data::data().expect("the demo's CSV files read")
}

fn planned() -> Vec<Planned> {
    plan_proposals(data()).expect("the demo data set plans")
}

fn count(planned: &[Planned], year: i16, state: ProposalState) -> usize {
    planned
        .iter()
        .filter(|p| p.spec.year == year && p.spec.state == state)
        .count()
}

#[test]
fn every_role_has_an_account_with_a_person_behind_it() {
    assert_eq!(ACCOUNTS.len(), 10);
    for role in Role::ALL {
        assert!(ACCOUNTS.iter().any(|(_, r)| *r == role), "{role:?}");
    }
    for ((username, _), (person, full_name, _)) in ACCOUNTS.iter().zip(&PEOPLE) {
        assert_eq!(username, person);
        assert!(!full_name.is_empty());
    }
    let owner = data().facility(OWNER_FACILITY).expect("owner facility");
    assert_eq!(
        owner.owner, PEOPLE[9].1,
        "the owner's account is the facility's owner"
    );
    assert_eq!(
        owner.commune, "05488",
        "the owner's facility is in xã Phúc Xuân"
    );
}

#[test]
fn facilities_are_many_distinct_and_well_formed() {
    let data = data();
    let rows = &data.facilities;
    assert!(rows.len() >= 30, "{} facilities", rows.len());
    let mut keys = HashSet::new();
    let mut names = HashSet::new();
    let mut tax_codes = HashSet::new();
    for row in rows {
        assert!(data.office(&row.district).is_ok(), "{}", row.district);
        assert!(keys.insert(&row.key), "duplicate key {}", row.key);
        assert!(names.insert(&row.name), "duplicate name {}", row.name);
        assert!(
            tax_codes.insert(&row.tax_code),
            "duplicate {}",
            row.tax_code
        );
        // The registration form's own checks.
        assert_eq!(
            facility::parse_tax_code(&row.tax_code).as_ref(),
            Some(&row.tax_code)
        );
        assert!(
            LegalForm::from_code(&row.legal_form).is_some(),
            "{}",
            row.legal_form
        );
        assert!(
            [
                "agro_processing",
                "mechanical_electrical",
                "chemicals_building_materials",
                "handicrafts"
            ]
            .contains(&row.sector.as_str())
        );
        assert!(
            row.phone.chars().all(|c| c.is_ascii_digit() || c == ' ')
                && (6..=20).contains(&row.phone.len())
        );
        assert!(
            row.address.starts_with("Xóm ") || row.address.starts_with("Tổ dân phố "),
            "{}",
            row.address
        );
        assert!(row.workers > 0 && row.revenue_million > 0);
    }
    for district in ["164", "173", "171"] {
        assert!(
            rows.iter().filter(|f| f.district == district).count() >= 5,
            "{district}"
        );
    }
    assert_eq!(data.offices.len(), 9);
    let districts: HashSet<_> = data.offices.iter().map(|o| &o.district).collect();
    assert_eq!(districts.len(), data.offices.len(), "an office twice");
}

#[test]
fn the_years_have_the_promised_states() {
    let planned = planned();
    assert_eq!(count(&planned, 2023, S::Completed), 27);
    let national_2023 = planned
        .iter()
        .filter(|p| {
            p.spec.year == 2023
                && p.spec.state == S::Completed
                && p.spec.level == ProposalLevel::National
        })
        .count();
    assert_eq!(national_2023, 3);
    for state in ProposalState::ALL {
        assert!(
            count(&planned, 2024, state) >= 1,
            "no 2024 proposal in {state:?}"
        );
    }
    for (state, at_least) in [
        (S::Draft, 3),
        (S::Submitted, 4),
        (S::Returned, 2),
        (S::Accepted, 3),
        (S::AppraisalScheduled, 3),
        (S::Appraised, 4),
    ] {
        assert!(count(&planned, 2024, state) >= at_least, "{state:?}");
    }
}

#[test]
fn every_acting_role_has_something_waiting() {
    let planned = planned();
    for role in [
        Role::CentreStaff,
        Role::Appraiser,
        Role::Director,
        Role::Accountant,
    ] {
        let waiting = crate::domain::proposal::awaiting(role);
        assert!(
            planned.iter().any(|p| waiting.contains(&p.spec.state)),
            "{role:?}"
        );
    }
    for officer in ["pkt.thainguyen", "pkt.phubinh", "pkt.daitu"] {
        let mine: Vec<_> = planned.iter().filter(|p| p.creator == officer).collect();
        assert!(
            mine.iter().any(|p| p.spec.state == S::Draft),
            "{officer} has no draft"
        );
    }
    let owner: Vec<_> = planned
        .iter()
        .filter(|p| p.spec.facilities.iter().any(|f| f == OWNER_FACILITY))
        .collect();
    assert!(
        owner
            .iter()
            .any(|p| p.spec.year == 2023 && p.spec.state == S::Completed)
    );
    assert!(
        owner
            .iter()
            .any(|p| p.spec.year == 2024 && p.spec.state == S::Returned)
    );
}

#[test]
fn codes_are_numbered_without_gaps_and_only_once_submitted() {
    let planned = planned();
    let mut numbers: BTreeMap<(i16, &str), Vec<String>> = BTreeMap::new();
    for p in &planned {
        assert_eq!(
            p.code.is_some(),
            p.submitted_at().is_some(),
            "{}",
            p.spec.title
        );
        if let Some(code) = &p.code {
            numbers
                .entry((p.spec.year, p.spec.level.code()))
                .or_default()
                .push(code.clone());
        }
    }
    for ((year, level), mut codes) in numbers {
        codes.sort();
        let level = ProposalLevel::from_code(level).expect("level");
        let expected: Vec<_> = (1..=codes.len())
            .map(|n| proposal_code(level, year.into(), u32::try_from(n).expect("small")))
            .collect();
        assert_eq!(codes, expected);
    }
    assert_eq!(
        planned
            .iter()
            .filter(|p| p.code.as_deref() == Some("QG-2023-003"))
            .count(),
        1
    );
    assert!(
        planned
            .iter()
            .all(|p| p.code.as_deref() != Some("QG-2023-004"))
    );
}

#[test]
fn amounts_respect_the_caps() {
    for p in planned() {
        let total = p.spec.total_million * 1_000_000;
        let (percent, cap, per_beneficiary) = p.spec.activity.cap();
        let beneficiaries = if per_beneficiary {
            p.spec.facilities.len() as i64
        } else {
            1
        };
        assert!(
            p.requested > 0 && p.requested <= total * percent / 100,
            "{}",
            p.spec.title
        );
        assert!(
            p.requested <= cap * 1_000_000 * beneficiaries,
            "{}",
            p.spec.title
        );
        assert!(p.proposed <= p.requested);
        let approved_states = [
            S::Approved,
            S::Contracted,
            S::InProgress,
            S::ResultAccepted,
            S::Settled,
            S::Completed,
            S::Stopped,
        ];
        assert_eq!(
            p.approved().is_some(),
            approved_states.contains(&p.spec.state),
            "{}",
            p.spec.title
        );
        assert_eq!(
            p.spec.facilities.len() > 1,
            p.spec.title.contains("các cơ sở"),
            "{}",
            p.spec.title
        );
    }
}

#[test]
fn timelines_walk_the_lifecycle_within_the_plan_year() {
    for p in planned() {
        let steps = &p.steps;
        assert_eq!(steps.first().map_or(S::Draft, |s| s.from), S::Draft);
        assert!(steps.first().is_none_or(|s| p.created < s.at));
        assert_eq!(
            steps.last().map_or(S::Draft, |s| s.to),
            p.spec.state,
            "{}",
            p.spec.title
        );
        for pair in steps.windows(2) {
            assert_eq!(pair[1].from, pair[0].to, "{}", p.spec.title);
            assert!(
                pair[0].at < pair[1].at,
                "{}: {:?} not before {:?}",
                p.spec.title,
                pair[0],
                pair[1]
            );
        }
        for step in steps {
            // Each step is a row of the table its account's role may take.
            let Some(role) = role_of(step.actor) else {
                panic!("{} is no demo account", step.actor);
            };
            let row = transition(step.from, step.action, role);
            assert_eq!(row.map(|r| r.to), Ok(step.to), "{}: {step:?}", p.spec.title);
            assert_eq!(
                step.at.year(),
                i32::from(p.spec.year),
                "{}: {step:?}",
                p.spec.title
            );
            assert!(!matches!(
                step.at.weekday(),
                Weekday::Saturday | Weekday::Sunday
            ));
            assert!(
                !step.note.is_empty(),
                "{}: {:?} has no note",
                p.spec.title,
                step.action
            );
            assert!(serde_json::from_str::<serde_json::Value>(&step.details).is_ok());
            assert!(
                ACCOUNTS.iter().any(|(u, _)| *u == step.actor),
                "{}",
                step.actor
            );
            if step.action == Action::RecordAppraisal && !p.spec.second_round() {
                assert_eq!(step.at.month(), Month::March, "{}", p.spec.title);
            }
        }
    }
}

#[test]
fn the_owner_is_told_what_is_missing() {
    let planned = planned();
    let returned = planned
        .iter()
        .find(|p| p.spec.facilities == [OWNER_FACILITY] && p.spec.state == S::Returned)
        .expect("the owner's returned proposal");
    let note = &returned.steps.last().expect("steps").note;
    assert!(
        note.contains("báo giá") && note.contains("vốn đối ứng"),
        "{note}"
    );
    assert_eq!(returned.creator, "pkt.thainguyen");
}

/// Seeds a fresh database (with the official units loaded), then checks what it holds.
#[sqlx::test]
async fn seeds_an_empty_database_once(pool: PgPool) -> anyhow::Result<()> {
    crate::db::reference::load_admin_units(&pool).await?;
    assert!(database_is_empty(&pool).await?);
    let passwords = Passwords::new(2);
    let summary = seed(&pool, &passwords).await?;
    assert_eq!(summary.users, ACCOUNTS.len());
    assert_eq!(summary.proposals, data().proposals.len());
    assert!(summary.facilities >= 30);
    assert!(!database_is_empty(&pool).await?);
    assert!(
        seed(&pool, &passwords).await.is_err(),
        "a second seed is refused"
    );

    let hash: String =
        sqlx::query_scalar("select password_hash from users where username = 'coso.phucxuan'")
            .fetch_one(&pool)
            .await?;
    assert!(
        passwords
            .verify(DEMO_PASSWORD.to_owned().into(), Some(hash))
            .await?
    );
    let states: Vec<(i16, String, i64)> = sqlx::query_as(
        "select plan_year, state::text, count(*) from proposals group by 1, 2 order by 1, 2",
    )
    .fetch_all(&pool)
    .await?;
    assert!(states.contains(&(2023, "completed".into(), 27)));
    assert_eq!(
        states.iter().filter(|(year, ..)| *year == 2024).count(),
        ProposalState::ALL.len()
    );
    let (events, inconsistent): (i64, i64) = sqlx::query_as(
        "select count(*), count(*) filter (where e.to_state <> p.state and e.at = (select max(at) \
         from proposal_events l where l.proposal_id = p.id)) \
         from proposal_events e join proposals p on p.id = e.proposal_id",
    )
    .fetch_one(&pool)
    .await?;
    assert_eq!(usize::try_from(events)?, summary.events);
    assert_eq!(inconsistent, 0);
    let owner_facility: Option<String> = sqlx::query_scalar(
        "select f.name from users u join facilities f on f.id = u.facility_id where u.username = 'coso.phucxuan'",
    )
    .fetch_one(&pool)
    .await?;
    assert_eq!(owner_facility.as_deref(), Some("Hợp tác xã Chè Phúc Xuân"));

    // Every proposal that was put on a visit has its record: a draft while scheduled, a
    // final one with a score once appraised; the ranking has priority areas to use.
    assert!(summary.visits > 0);
    let (scheduled_without_draft, appraised_without_final, later_without_final): (
        i64,
        i64,
        i64,
    ) = sqlx::query_as(
        "select count(*) filter (where p.state = 'appraisal_scheduled' and not exists (                 select 1 from appraisal_records r where r.proposal_id = p.id and r.status = 'draft')),              count(*) filter (where p.state = 'appraised' and not exists (                 select 1 from appraisal_records r where r.proposal_id = p.id and r.status = 'final'                  and r.score_tenths > 0)),              count(*) filter (where exists (select 1 from proposal_events e where e.proposal_id = p.id                  and e.action = 'record_appraisal') and not exists (                 select 1 from appraisal_records r where r.proposal_id = p.id and r.status = 'final'))              from proposals p",
    )
    .fetch_one(&pool)
    .await?;
    assert_eq!(
        (
            scheduled_without_draft,
            appraised_without_final,
            later_without_final
        ),
        (0, 0, 0)
    );
    let areas: i64 = sqlx::query_scalar("select count(*) from priority_areas")
        .fetch_one(&pool)
        .await?;
    assert_eq!(areas, 2);
    Ok(())
}
