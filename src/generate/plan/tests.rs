//! The generator's own tests: pure, on a small setting, no database.

use std::collections::{HashMap, HashSet};

use time::{PrimitiveDateTime, Time, Weekday};

use super::calendar::new_units_from;
use super::facilities::tax_code;
use super::lifecycle::{CREATE, CURRENT, PAST, PREVIOUS, lifecycle};
use super::setting::upper_first;
use super::*;
use crate::domain::format::VIETNAM;
use crate::domain::proposal::{ProposalLevel, ProposalState};
use crate::domain::role::Role;
use crate::domain::transition::{Action, transition};

use ProposalState as S;

/// Two legacy districts of three communes (one a town), three communes of the 2025 set.
/// Every office has its local officer but the second district's, whose proposals the Centre's
/// officer writes.
fn setting() -> Setting {
    let office = |id| Office {
        id,
        creator: if id == 2 {
            staff().centre
        } else {
            Actor {
                id: 100 + id,
                role: Role::LocalOfficer,
            }
        },
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
        staff: staff(),
    }
}

/// The Centre's people of the setting, ids 1 to 4.
fn staff() -> Staff {
    let actor = |id, role| Actor { id, role };
    Staff {
        centre: actor(1, Role::CentreStaff),
        appraiser: actor(2, Role::Appraiser),
        director: actor(3, Role::Director),
        accountant: actor(4, Role::Accountant),
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
            (first.action, first.code(), first.from, first.to),
            (None, CREATE, None, S::Draft)
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
            p.events.iter().any(|e| e.to == S::Approved)
        );
        let national_steps = p.events.iter().any(|e| e.action == Some(Action::Forward));
        assert!(!national_steps || p.level == ProposalLevel::National);
        let returns = p
            .events
            .iter()
            .filter(|e| e.action == Some(Action::Return))
            .count();
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

/// Every generated history is a path the lifecycle's table allows, step by step, for the
/// role of who took each step: the creation first, then each event from the state the one
/// before led to, to the state `transition::transition` gives for its action and its actor's
/// role — which is the role that person has in the setting.
#[test]
fn every_generated_history_is_a_path_the_table_allows() {
    let setting = setting();
    let roles: HashMap<i64, Role> = [
        setting.staff.centre,
        setting.staff.appraiser,
        setting.staff.director,
        setting.staff.accountant,
    ]
    .into_iter()
    .chain(setting.communes.iter().map(|c| c.office.creator))
    .map(|a| (a.id, a.role))
    .collect();
    let mut taken = HashSet::new();
    for seed in [11, 2024, 31_337] {
        let (_, proposals) = generate(&params(seed));
        for p in &proposals {
            let (created, after) = p.events.split_first().expect("a timeline");
            assert_eq!(
                (created.action, created.code(), created.from, created.to),
                (None, CREATE, None, S::Draft)
            );
            assert_eq!(created.actor.id, p.created_by);
            let mut state = created.to;
            for e in &p.events {
                assert_eq!(roles.get(&e.actor.id), Some(&e.actor.role), "{e:?}");
            }
            for e in after {
                let action = e.action.expect("only the first event is not a transition");
                assert_eq!(e.code(), action.code());
                assert_eq!(e.from, Some(state), "{}: {e:?}", p.title);
                let row = transition(state, action, e.actor.role).unwrap_or_else(|error| {
                    panic!(
                        "{:?} may not {action:?} from {state:?}: {error:?}",
                        e.actor.role
                    )
                });
                assert_eq!(row.to, e.to, "{}: {e:?}", p.title);
                taken.insert((action, e.actor.role));
                state = e.to;
            }
            assert_eq!(state, p.state, "{}", p.title);
        }
    }
    // Both kinds of author submit, and the Centre's people each take their steps.
    for expected in [
        (Action::Submit, Role::LocalOfficer),
        (Action::Submit, Role::CentreStaff),
        (Action::Accept, Role::CentreStaff),
        (Action::RecordAppraisal, Role::Appraiser),
        (Action::Forward, Role::Director),
        (Action::ApproveInPlan, Role::Director),
        (Action::MinistryApprove, Role::Director),
        (Action::Settle, Role::Accountant),
    ] {
        assert!(taken.contains(&expected), "nobody took {expected:?}");
    }
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
    let staff = staff();
    let local_officer = Actor {
        id: 100,
        role: Role::LocalOfficer,
    };
    for table in [PAST, PREVIOUS, CURRENT] {
        for (fate, _) in table {
            for level in [ProposalLevel::Local, ProposalLevel::National] {
                for detour in [false, true] {
                    for author in [local_officer, staff.centre] {
                        let forwarded = fate.1 == Some(S::Forwarded) || fate.0 == S::Forwarded;
                        let moves = lifecycle(*fate, level, detour, author, &staff);
                        if forwarded && level == ProposalLevel::Local {
                            assert!(moves.is_err(), "{fate:?}");
                        } else {
                            let moves = moves.expect("a path");
                            let last = moves.last().map_or(S::Draft, |m| m.to);
                            assert_eq!(last, fate.0, "{fate:?} {level:?}");
                        }
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
