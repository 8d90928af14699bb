//! On-site appraisal (thẩm định tại cơ sở): scoring on the criteria in force, the conflict-of-
//! interest rule, what a record needs before the team leader may finalise it, the proposed
//! amount's limits, and the order in which appraised proposals are ranked (DOMAIN.md §1.3,
//! §4.4).

use super::role::Role;

/// The team's recommendation on a proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Recommendation {
    /// Đề nghị hỗ trợ.
    Approve,
    /// Đề nghị hỗ trợ có điều kiện: the conditions say what must happen first.
    ApproveWithConditions,
    /// Không đề nghị hỗ trợ.
    Reject,
}

impl Recommendation {
    /// Every recommendation, in the form's order.
    pub const ALL: [Recommendation; 3] = [Self::Approve, Self::ApproveWithConditions, Self::Reject];

    /// Database and form code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::ApproveWithConditions => "approve_with_conditions",
            Self::Reject => "reject",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Catalogue key of the label.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Approve => "recommendation.approve",
            Self::ApproveWithConditions => "recommendation.approve_with_conditions",
            Self::Reject => "recommendation.reject",
        }
    }
}

/// What a visit is for: appraising proposals before the plan, or accepting the work of
/// proposals carried out (nghiệm thu). Both have a team, declarations and a leader.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum VisitPurpose {
    /// On-site appraisal (thẩm định).
    #[default]
    Appraisal,
    /// Acceptance of the result (nghiệm thu).
    Acceptance,
}

impl VisitPurpose {
    /// Both purposes.
    pub const ALL: [VisitPurpose; 2] = [Self::Appraisal, Self::Acceptance];

    /// Database and form code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Appraisal => "appraisal",
            Self::Acceptance => "acceptance",
        }
    }

    /// The purpose a code names.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }

    /// Catalogue key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Appraisal => "visit_purpose.appraisal",
            Self::Acceptance => "visit_purpose.acceptance",
        }
    }

    /// The state of the proposals such a visit is planned for.
    pub fn queue_state(self) -> super::proposal::ProposalState {
        match self {
            Self::Appraisal => super::proposal::ProposalState::Accepted,
            Self::Acceptance => super::proposal::ProposalState::InProgress,
        }
    }
}

/// A team member's place in the team.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TeamRole {
    /// Trưởng đoàn: plans the day, finalises the records.
    Leader,
    /// Thành viên.
    Member,
}

impl TeamRole {
    /// Database code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Leader => "leader",
            Self::Member => "member",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Leader, Self::Member]
            .into_iter()
            .find(|r| r.code() == code)
    }

    /// Catalogue key of the label.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Leader => "team.leader",
            Self::Member => "team.member",
        }
    }
}

/// Whether a user of `role` may sit on an appraisal team with their account (others join by
/// name, as external members): the Centre's and the Department's officers and the local
/// economic office, as the province sends them (DOMAIN.md §4.4).
pub fn may_join_team(role: Role) -> bool {
    matches!(
        role,
        Role::CentreStaff | Role::Appraiser | Role::Director | Role::LocalOfficer
    )
}

/// How a member stands towards one proposal of the visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Declaration {
    /// Declared no conflict of interest.
    NoConflict,
    /// Declared a conflict (a relative, a business tie…): does not score this proposal.
    Conflict,
}

/// Why a user may not score a proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScoringRefusal {
    /// Not on the visit's team.
    NotOnTeam,
    /// On the team, but has not declared on this proposal yet.
    NotDeclared,
    /// Declared a conflict of interest on this proposal.
    Conflicted,
    /// The record is final (corrections are a new version).
    Finalised,
}

impl ScoringRefusal {
    /// Catalogue key of the explanation.
    pub fn message_key(self) -> &'static str {
        match self {
            Self::NotOnTeam => "appraisal.refusal.not_on_team",
            Self::NotDeclared => "appraisal.refusal.not_declared",
            Self::Conflicted => "appraisal.refusal.conflicted",
            Self::Finalised => "appraisal.refusal.finalised",
        }
    }
}

/// The conflict rule: only a team member who declared no conflict on this proposal scores
/// it, and only while the record is a draft. `membership` is `None` for a non-member, else
/// the member's declaration on the proposal, if made.
pub fn may_score(
    membership: Option<Option<Declaration>>,
    finalised: bool,
) -> Result<(), ScoringRefusal> {
    match membership {
        None => Err(ScoringRefusal::NotOnTeam),
        Some(None) => Err(ScoringRefusal::NotDeclared),
        Some(Some(Declaration::Conflict)) => Err(ScoringRefusal::Conflicted),
        Some(Some(Declaration::NoConflict)) if finalised => Err(ScoringRefusal::Finalised),
        Some(Some(Declaration::NoConflict)) => Ok(()),
    }
}

/// What a user may see of an appraisal record: a team member and the province's staff see
/// the work in progress; a local officer not on the team sees the scores once final (the
/// visit's date before); a facility owner only the outcome, on its proposal's page.
pub fn may_see_scores(role: Role, on_team: bool, finalised: bool) -> bool {
    on_team
        || match role {
            Role::CentreStaff
            | Role::Appraiser
            | Role::Director
            | Role::Accountant
            | Role::DepartmentViewer => true,
            Role::LocalOfficer => finalised,
            Role::FacilityOwner | Role::Admin => false,
        }
}

/// The mark given on one criterion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// Not scored yet.
    Missing,
    /// Does not apply to this proposal (say, "combining with other programmes" for a
    /// training course): left out of the total and of its maximum, never counted as zero.
    NotApplicable,
    /// Points out of the criterion's maximum.
    Points(u16),
}

/// One criterion's maximum and the mark it got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scored {
    /// The most points the criterion gives (its weight on the 100-point scale).
    pub max_points: u16,
    /// The mark.
    pub mark: Mark,
}

/// The sum of a score sheet so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Tally {
    /// Points given.
    pub points: u32,
    /// The maximum of the criteria that apply and are scored.
    pub scored_max: u32,
    /// Criteria not scored yet.
    pub missing: usize,
    /// Criteria marked not applicable.
    pub not_applicable: usize,
    /// Criteria whose points exceed their maximum (refused by the form; counted, not summed).
    pub out_of_range: usize,
}

impl Tally {
    /// The score on the 100-point scale, in tenths of a point (785 = 78,5 điểm), once every
    /// criterion is scored or marked not applicable: the points over the maximum of the
    /// criteria that apply. `None` while a mark is missing or when nothing applies.
    pub fn score_tenths(&self) -> Option<u16> {
        if self.missing > 0 || self.out_of_range > 0 || self.scored_max == 0 {
            return None;
        }
        // Rounded half up: (2·1000·points + max) / (2·max).
        let numerator = 2_000 * u64::from(self.points) + u64::from(self.scored_max);
        u16::try_from(numerator / (2 * u64::from(self.scored_max))).ok()
    }
}

/// Adds up a score sheet.
pub fn tally(sheet: &[Scored]) -> Tally {
    let mut tally = Tally::default();
    for s in sheet {
        match s.mark {
            Mark::Missing => tally.missing += 1,
            Mark::NotApplicable => tally.not_applicable += 1,
            Mark::Points(p) if p > s.max_points => tally.out_of_range += 1,
            Mark::Points(p) => {
                tally.points += u32::from(p);
                tally.scored_max += u32::from(s.max_points);
            }
        }
    }
    tally
}

/// `78,5` (vi) or `78.5` (en), from tenths of a point.
pub fn format_score(tenths: u16, decimal_comma: bool) -> String {
    let separator = if decimal_comma { ',' } else { '.' };
    format!("{}{separator}{}", tenths / 10, tenths % 10)
}

/// Why a proposed support amount is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProposedProblem {
    /// More than the dossier asked for.
    AboveRequest,
    /// More than the cap in force allows.
    AboveCap,
}

impl ProposedProblem {
    /// Catalogue key of the message.
    pub fn message_key(self) -> &'static str {
        match self {
            Self::AboveRequest => "appraisal.proposed_above_request",
            Self::AboveCap => "appraisal.proposed_above_cap",
        }
    }
}

/// The proposed support is never above the request nor the cap in force (`cap_limit`, when a
/// rule applies).
pub fn check_proposed(
    proposed: i64,
    requested: i64,
    cap_limit: Option<i64>,
) -> Result<(), ProposedProblem> {
    if proposed > requested {
        Err(ProposedProblem::AboveRequest)
    } else if cap_limit.is_some_and(|limit| proposed > limit) {
        Err(ProposedProblem::AboveCap)
    } else {
        Ok(())
    }
}

/// What the finalisation check needs to know of a record.
#[derive(Clone, Debug, Default)]
pub struct RecordFacts {
    /// The score sheet's tally.
    pub tally: Tally,
    /// The recommendation, if chosen.
    pub recommendation: Option<Recommendation>,
    /// Whether conditions are written.
    pub has_conditions: bool,
    /// The proposed amount, if given.
    pub proposed_support: Option<i64>,
    /// Team members (by name) who have not declared on this proposal.
    pub undeclared: Vec<String>,
    /// Whether the acting user is the leader and declared no conflict.
    pub leader_may_sign: bool,
    /// Whether the verified facts were written.
    pub has_verified_facts: bool,
}

/// What stops a record from being finalised, as catalogue keys (empty: it may be).
pub fn missing_for_final(facts: &RecordFacts) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if !facts.leader_may_sign {
        missing.push("appraisal.final.leader_only");
    }
    if !facts.undeclared.is_empty() {
        missing.push("appraisal.final.undeclared");
    }
    if facts.tally.missing > 0 || facts.tally.out_of_range > 0 {
        missing.push("appraisal.final.scores_missing");
    } else if facts.tally.scored_max == 0 {
        missing.push("appraisal.final.nothing_scored");
    }
    if !facts.has_verified_facts {
        missing.push("appraisal.final.facts_missing");
    }
    match facts.recommendation {
        None => missing.push("appraisal.final.recommendation_missing"),
        Some(Recommendation::ApproveWithConditions) if !facts.has_conditions => {
            missing.push("appraisal.final.conditions_missing")
        }
        Some(Recommendation::Reject) => {}
        Some(_) if facts.proposed_support.is_none_or(|p| p <= 0) => {
            missing.push("appraisal.final.amount_missing")
        }
        Some(_) => {}
    }
    missing
}

/// Where a proposal stands in the priority order of Thông tư 46/2012/TT-BCT Art. 6.3: by
/// area first (a–d, then none), then by sector (point b before point a, then neither), then
/// by score (highest first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RankingKey {
    /// The best priority-area rank of the location (1 = point a … 4 = point d), if any.
    pub area_rank: Option<u8>,
    /// The sector priority of the beneficiaries.
    pub sector: SectorPriority,
    /// The appraisal score in tenths.
    pub score_tenths: u16,
}

impl RankingKey {
    /// The order of allocation: smaller comes first.
    pub fn sort_key(&self) -> (u8, u8, std::cmp::Reverse<u16>) {
        (
            self.area_rank.unwrap_or(u8::MAX),
            self.sector.rank(),
            std::cmp::Reverse(self.score_tenths),
        )
    }
}

/// The priority sectors of Decree 45 Art. 6.2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SectorPriority {
    /// Point b: a recognised typical product, export goods, local raw materials, or
    /// labour-intensive (≥ 50 workers).
    ProductsAndLabour,
    /// Point a: mechanical engineering and chemicals for agriculture, agro-forestry-fishery
    /// processing, supporting industry, cleaner production.
    PrioritySector,
    /// Neither.
    None,
}

impl SectorPriority {
    /// Order of allocation (TT 46 Art. 6.3: point b before point a).
    pub fn rank(self) -> u8 {
        match self {
            Self::ProductsAndLabour => 1,
            Self::PrioritySector => 2,
            Self::None => 3,
        }
    }

    /// Catalogue key of the label.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::ProductsAndLabour => "ranking.sector_b",
            Self::PrioritySector => "ranking.sector_a",
            Self::None => "ranking.sector_none",
        }
    }
}

/// The sectors of Art. 6.2.a among the programme's sector codes.
const PRIORITY_SECTORS: [&str; 3] = [
    "agro_processing",
    "mechanical_electrical",
    "cleaner_production",
];

/// Workers from which a facility is labour-intensive (TT 46 Art. 6.2).
pub const LABOUR_INTENSIVE_WORKERS: i32 = 50;

/// What the sector priority is read from, for one beneficiary.
#[derive(Clone, Copy, Debug, Default)]
pub struct BeneficiaryFacts<'a> {
    /// Sector code.
    pub sector_code: &'a str,
    /// Workers.
    pub workers: i32,
    /// Holds a typical-product certificate.
    pub typical_product: bool,
    /// Exports, or makes goods for export.
    pub exports: bool,
    /// Over half its main inputs from the province.
    pub local_raw_materials: bool,
}

/// The best sector priority among a proposal's beneficiaries.
pub fn sector_priority(beneficiaries: &[BeneficiaryFacts<'_>]) -> SectorPriority {
    let of = |b: &BeneficiaryFacts<'_>| {
        if b.typical_product
            || b.exports
            || b.local_raw_materials
            || b.workers >= LABOUR_INTENSIVE_WORKERS
        {
            SectorPriority::ProductsAndLabour
        } else if PRIORITY_SECTORS.contains(&b.sector_code) {
            SectorPriority::PrioritySector
        } else {
            SectorPriority::None
        }
    };
    beneficiaries
        .iter()
        .map(of)
        .min_by_key(|p| p.rank())
        .unwrap_or(SectorPriority::None)
}

#[cfg(test)]
mod tests {
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
}
