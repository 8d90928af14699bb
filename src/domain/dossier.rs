//! A proposal dossier (hồ sơ đề án): its itemised budget and what "complete" means before it
//! may be submitted (Circular 36/2013/TT-BCT Art. 5; PRODUCT.md §3).

/// One line of the detailed budget (Mẫu số 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostLine {
    /// What is bought or paid for.
    pub item: String,
    /// Unit of measure (`chiếc`, `bộ`, `m²`…).
    pub unit: String,
    /// Quantity in hundredths (250 = 2,5).
    pub quantity_hundredths: i64,
    /// Price per unit, đồng.
    pub unit_price: i64,
    /// Support requested for this line, đồng.
    pub support: i64,
}

impl CostLine {
    /// quantity × unit price, rounded down to the đồng; `None` on overflow.
    pub fn total(&self) -> Option<i64> {
        let product = i128::from(self.quantity_hundredths) * i128::from(self.unit_price) / 100;
        i64::try_from(product).ok()
    }
}

/// The dossier's sums.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Totals {
    /// Σ line totals.
    pub total_cost: i64,
    /// Σ support requested.
    pub requested_support: i64,
    /// What the beneficiary funds: total cost − requested support.
    pub counterpart_funds: i64,
}

/// What is wrong with a budget line (catalogue keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineProblem {
    /// quantity × price does not fit in the money type.
    TotalOverflows,
    /// More support than the line costs.
    SupportAboveTotal,
}

impl LineProblem {
    /// Catalogue key.
    pub fn key(self) -> &'static str {
        match self {
            Self::TotalOverflows => "dossier.line_overflow",
            Self::SupportAboveTotal => "dossier.support_above_total",
        }
    }
}

/// The problems of a budget, by line index.
pub type LineProblems = Vec<(usize, LineProblem)>;

/// Each line's total, or the first problem of each line; and the sums when every line is
/// sound and they fit.
pub fn totals(lines: &[CostLine]) -> Result<(Vec<i64>, Totals), LineProblems> {
    let mut problems = Vec::new();
    let mut line_totals = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        match line.total() {
            None => problems.push((i, LineProblem::TotalOverflows)),
            Some(total) if line.support > total => {
                problems.push((i, LineProblem::SupportAboveTotal))
            }
            Some(total) => line_totals.push(total),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let total_cost = super::money::checked_sum(line_totals.iter().copied());
    let requested = super::money::checked_sum(lines.iter().map(|l| l.support));
    match (total_cost, requested) {
        (Some(total_cost), Some(requested_support)) => Ok((
            line_totals,
            Totals {
                total_cost,
                requested_support,
                counterpart_funds: total_cost - requested_support,
            },
        )),
        // Every line fits, but their sum does not: blame the last line.
        _ => Err(vec![(
            lines.len().saturating_sub(1),
            LineProblem::TotalOverflows,
        )]),
    }
}

/// What submission needs to know about a dossier.
#[derive(Clone, Debug, Default)]
pub struct DossierFacts {
    /// Title given.
    pub has_title: bool,
    /// Objectives written.
    pub has_objectives: bool,
    /// Content and scale written.
    pub has_content: bool,
    /// Start and end dates given.
    pub has_schedule: bool,
    /// Number of beneficiary facilities.
    pub beneficiaries: usize,
    /// Number of budget lines.
    pub cost_lines: usize,
    /// Support requested, đồng.
    pub requested_support: i64,
    /// Expected effects written.
    pub has_expected_effects: bool,
    /// The no-double-funding commitment is ticked.
    pub no_double_funding: bool,
    /// Names (catalogue keys or names) of required document kinds not yet attached.
    pub missing_documents: Vec<String>,
    /// The request exceeds the support cap in force.
    pub over_cap: bool,
}

/// What is missing before the dossier may be submitted: catalogue keys, plus the names of
/// missing documents. Empty when complete.
pub fn missing_for_submission(facts: &DossierFacts) -> Vec<&'static str> {
    let checks: [(bool, &'static str); 9] = [
        (facts.has_title, "dossier.missing_title"),
        (facts.has_objectives, "dossier.missing_objectives"),
        (facts.has_content, "dossier.missing_content"),
        (facts.has_schedule, "dossier.missing_schedule"),
        (facts.beneficiaries > 0, "dossier.missing_beneficiary"),
        (facts.cost_lines > 0, "dossier.missing_budget"),
        (facts.requested_support > 0, "dossier.missing_support"),
        (facts.has_expected_effects, "dossier.missing_effects"),
        (facts.no_double_funding, "dossier.missing_declaration"),
    ];
    let mut missing: Vec<&'static str> = checks
        .iter()
        .filter(|(ok, _)| !ok)
        .map(|(_, key)| *key)
        .collect();
    if !facts.missing_documents.is_empty() {
        missing.push("dossier.missing_documents");
    }
    if facts.over_cap {
        missing.push("dossier.over_cap");
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(quantity_hundredths: i64, unit_price: i64, support: i64) -> CostLine {
        CostLine {
            item: "Máy sao chè".into(),
            unit: "chiếc".into(),
            quantity_hundredths,
            unit_price,
            support,
        }
    }

    #[test]
    fn totals_add_up_and_counterpart_is_the_rest() {
        let (line_totals, sums) =
            totals(&[line(200, 150_000_000, 150_000_000), line(250, 1_000_001, 0)]).expect("ok");
        assert_eq!(line_totals, [300_000_000, 2_500_002]);
        assert_eq!(
            sums,
            Totals {
                total_cost: 302_500_002,
                requested_support: 150_000_000,
                counterpart_funds: 152_500_002
            }
        );
    }

    #[test]
    fn a_line_whose_total_overflows_is_named() {
        assert_eq!(
            totals(&[line(100, 1, 0), line(i64::MAX, i64::MAX, 0)]),
            Err(vec![(1, LineProblem::TotalOverflows)])
        );
    }

    #[test]
    fn lines_that_fit_but_sum_past_the_limit_are_refused() {
        let big = line(100, i64::MAX / 2 + 1, 0);
        assert_eq!(
            totals(&[big.clone(), big]),
            Err(vec![(1, LineProblem::TotalOverflows)])
        );
    }

    #[test]
    fn support_cannot_exceed_a_lines_cost() {
        assert_eq!(
            totals(&[line(100, 1_000, 1_001)]),
            Err(vec![(0, LineProblem::SupportAboveTotal)])
        );
    }

    #[test]
    fn an_empty_budget_sums_to_zero() {
        assert_eq!(totals(&[]), Ok((vec![], Totals::default())));
    }

    #[test]
    fn a_complete_dossier_misses_nothing_and_an_empty_one_misses_everything() {
        let complete = DossierFacts {
            has_title: true,
            has_objectives: true,
            has_content: true,
            has_schedule: true,
            beneficiaries: 1,
            cost_lines: 2,
            requested_support: 1,
            has_expected_effects: true,
            no_double_funding: true,
            missing_documents: vec![],
            over_cap: false,
        };
        assert!(missing_for_submission(&complete).is_empty());
        assert_eq!(missing_for_submission(&DossierFacts::default()).len(), 9);
        let without_docs = DossierFacts {
            missing_documents: vec!["Báo giá".into()],
            ..complete
        };
        assert_eq!(
            missing_for_submission(&without_docs),
            ["dossier.missing_documents"]
        );
    }
}
