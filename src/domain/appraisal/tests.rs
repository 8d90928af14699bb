//! The appraisal rules, by example.

use super::*;

fn sheet(marks: &[(u16, Mark)]) -> Vec<Scored> {
    marks
        .iter()
        .map(|&(max_points, mark)| Scored { max_points, mark })
        .collect()
}

/// Decree 45's five criteria with the default weights.
const WEIGHTS: [u16; 5] = [20, 30, 25, 10, 15];

#[test]
fn a_full_sheet_scores_its_points_out_of_a_hundred() {
    let marks: Vec<_> = WEIGHTS
        .iter()
        .zip([18, 24, 20, 6, 15])
        .map(|(&w, p)| (w, Mark::Points(p)))
        .collect();
    let t = tally(&sheet(&marks));
    assert_eq!((t.points, t.scored_max), (83, 100));
    assert_eq!(t.score_tenths(), Some(830));
}

#[test]
fn weights_decide_how_much_a_criterion_counts() {
    // Full marks on the heavy criterion, none on the light one, and the reverse.
    let heavy = tally(&sheet(&[(30, Mark::Points(30)), (10, Mark::Points(0))]));
    let light = tally(&sheet(&[(30, Mark::Points(0)), (10, Mark::Points(10))]));
    assert_eq!(heavy.score_tenths(), Some(750));
    assert_eq!(light.score_tenths(), Some(250));
}

#[test]
fn not_applicable_is_left_out_never_counted_as_zero() {
    let mut marks: Vec<_> = WEIGHTS.iter().map(|&w| (w, Mark::Points(w))).collect();
    marks[3].1 = Mark::NotApplicable;
    let t = tally(&sheet(&marks));
    assert_eq!(t.not_applicable, 1);
    assert_eq!((t.points, t.scored_max), (90, 90));
    // Full marks on what applies is 100, not 90.
    assert_eq!(t.score_tenths(), Some(1000));
}

#[test]
fn a_missing_mark_means_no_score_yet() {
    let t = tally(&sheet(&[(20, Mark::Points(10)), (30, Mark::Missing)]));
    assert_eq!(t.missing, 1);
    assert_eq!(t.score_tenths(), None);
    let nothing = tally(&sheet(&[(20, Mark::NotApplicable)]));
    assert_eq!(nothing.score_tenths(), None);
    assert_eq!(tally(&[]).score_tenths(), None);
}

#[test]
fn points_above_the_maximum_are_not_summed() {
    let t = tally(&sheet(&[(20, Mark::Points(21)), (30, Mark::Points(30))]));
    assert_eq!(t.out_of_range, 1);
    assert_eq!(t.score_tenths(), None);
}

#[test]
fn scores_round_half_up_to_a_tenth() {
    // 2/3 of 100 = 66,67 → 66,7; 1/8 = 12,5 exactly; 1/16 = 6,25 → 6,3.
    assert_eq!(
        tally(&sheet(&[(3, Mark::Points(2))])).score_tenths(),
        Some(667)
    );
    assert_eq!(
        tally(&sheet(&[(8, Mark::Points(1))])).score_tenths(),
        Some(125)
    );
    assert_eq!(
        tally(&sheet(&[(16, Mark::Points(1))])).score_tenths(),
        Some(63)
    );
    assert_eq!(format_score(667, true), "66,7");
    assert_eq!(format_score(1000, false), "100.0");
}

#[test]
fn only_a_declared_member_without_conflict_scores_a_draft() {
    use Declaration as D;
    assert_eq!(may_score(None, false), Err(ScoringRefusal::NotOnTeam));
    assert_eq!(
        may_score(Some(None), false),
        Err(ScoringRefusal::NotDeclared)
    );
    assert_eq!(
        may_score(Some(Some(D::Conflict)), false),
        Err(ScoringRefusal::Conflicted)
    );
    assert_eq!(may_score(Some(Some(D::NoConflict)), false), Ok(()));
    assert_eq!(
        may_score(Some(Some(D::NoConflict)), true),
        Err(ScoringRefusal::Finalised)
    );
    assert_eq!(
        may_score(Some(Some(D::Conflict)), true),
        Err(ScoringRefusal::Conflicted)
    );
}

#[test]
fn who_sees_the_scores() {
    for role in Role::ALL {
        assert!(may_see_scores(role, true, false), "{role:?} on the team");
    }
    assert!(!may_see_scores(Role::LocalOfficer, false, false));
    assert!(may_see_scores(Role::LocalOfficer, false, true));
    assert!(!may_see_scores(Role::FacilityOwner, false, true));
    assert!(!may_see_scores(Role::Admin, false, true));
    assert!(may_see_scores(Role::Director, false, false));
}

#[test]
fn only_officers_join_a_team_with_their_account() {
    let joining: Vec<_> = Role::ALL
        .into_iter()
        .filter(|r| may_join_team(*r))
        .collect();
    assert_eq!(
        joining,
        [
            Role::CentreStaff,
            Role::Appraiser,
            Role::Director,
            Role::LocalOfficer
        ]
    );
}

#[test]
fn the_proposed_amount_stays_within_the_request_and_the_cap() {
    assert_eq!(check_proposed(100, 100, Some(150)), Ok(()));
    assert_eq!(
        check_proposed(101, 100, Some(150)),
        Err(ProposedProblem::AboveRequest)
    );
    assert_eq!(
        check_proposed(90, 100, Some(80)),
        Err(ProposedProblem::AboveCap)
    );
    assert_eq!(check_proposed(90, 100, None), Ok(()));
}

fn ready() -> RecordFacts {
    let marks: Vec<_> = WEIGHTS.iter().map(|&w| (w, Mark::Points(w / 2))).collect();
    RecordFacts {
        tally: tally(&sheet(&marks)),
        recommendation: Some(Recommendation::Approve),
        has_conditions: false,
        proposed_support: Some(300_000_000),
        undeclared: Vec::new(),
        leader_may_sign: true,
        has_verified_facts: true,
    }
}

#[test]
fn a_complete_record_may_be_finalised_and_each_gap_is_named() {
    assert!(missing_for_final(&ready()).is_empty());
    type Change = fn(&mut RecordFacts);
    let cases: [(Change, &str); 7] = [
        (|f| f.leader_may_sign = false, "appraisal.final.leader_only"),
        (
            |f| f.undeclared = vec!["Lê Văn C".into()],
            "appraisal.final.undeclared",
        ),
        (|f| f.tally.missing = 1, "appraisal.final.scores_missing"),
        (
            |f| f.has_verified_facts = false,
            "appraisal.final.facts_missing",
        ),
        (
            |f| f.recommendation = None,
            "appraisal.final.recommendation_missing",
        ),
        (
            |f| f.recommendation = Some(Recommendation::ApproveWithConditions),
            "appraisal.final.conditions_missing",
        ),
        (
            |f| f.proposed_support = None,
            "appraisal.final.amount_missing",
        ),
    ];
    for (change, key) in cases {
        let mut facts = ready();
        change(&mut facts);
        assert_eq!(missing_for_final(&facts), [key]);
    }
    // A rejection needs no amount.
    let mut reject = ready();
    reject.recommendation = Some(Recommendation::Reject);
    reject.proposed_support = None;
    assert!(missing_for_final(&reject).is_empty());
}

#[test]
fn ranking_goes_by_area_then_sector_then_score() {
    let key = |area_rank, sector, score_tenths| RankingKey {
        area_rank,
        sector,
        score_tenths,
    };
    let mut keys = [
        key(None, SectorPriority::ProductsAndLabour, 990),
        key(Some(2), SectorPriority::None, 500),
        key(Some(1), SectorPriority::None, 400),
        key(Some(1), SectorPriority::PrioritySector, 600),
        key(Some(1), SectorPriority::ProductsAndLabour, 300),
        key(Some(1), SectorPriority::ProductsAndLabour, 800),
    ];
    keys.sort_by_key(RankingKey::sort_key);
    let order: Vec<u16> = keys.iter().map(|k| k.score_tenths).collect();
    assert_eq!(order, [800, 300, 600, 400, 500, 990]);
}

#[test]
fn point_b_comes_from_products_and_labour_point_a_from_the_sector() {
    let tea = BeneficiaryFacts {
        sector_code: "agro_processing",
        workers: 12,
        ..Default::default()
    };
    assert_eq!(sector_priority(&[tea]), SectorPriority::PrioritySector);
    let big = BeneficiaryFacts {
        workers: LABOUR_INTENSIVE_WORKERS,
        sector_code: "handicrafts",
        ..Default::default()
    };
    assert_eq!(sector_priority(&[big]), SectorPriority::ProductsAndLabour);
    let plain = BeneficiaryFacts {
        sector_code: "handicrafts",
        workers: 5,
        ..Default::default()
    };
    assert_eq!(sector_priority(&[plain]), SectorPriority::None);
    // A group proposal takes its best beneficiary.
    let typical = BeneficiaryFacts {
        typical_product: true,
        ..plain
    };
    assert_eq!(
        sector_priority(&[plain, tea, typical]),
        SectorPriority::ProductsAndLabour
    );
    assert_eq!(sector_priority(&[]), SectorPriority::None);
}
