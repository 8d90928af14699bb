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
mod tests;
