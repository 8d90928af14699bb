//! The annual report's arithmetic and its summary paragraph, written from the figures the
//! database adds up (never typed): ratios, the change from the year before, and the
//! sentences in the Centre's reporting style.

use crate::i18n::Lang;

/// What a plan year adds up to, within a scope and (optionally) one funding source.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct YearTotals {
    /// The plan year.
    pub year: i32,
    /// Proposals sent (drafts are not counted).
    pub proposals: i64,
    /// National proposals among them.
    pub national: i64,
    /// Completed (closed after evaluation).
    pub completed: i64,
    /// National proposals among the completed.
    pub completed_national: i64,
    /// Being carried out (contracted, in progress, accepted, settled).
    pub under_way: i64,
    /// Support approved in plan decisions.
    pub approved: i64,
    /// Advanced on contracts.
    pub advanced: i64,
    /// Paid on contracts (advances and final payments, less recoveries).
    pub paid: i64,
    /// Support in signed contracts.
    pub contract_support: i64,
    /// Counterpart funds the facilities put in, by their contracts.
    pub counterpart: i64,
    /// Proposals with at least one evaluation.
    pub evaluated: i64,
    /// Jobs at the latest evaluation above the dossier's baseline.
    pub jobs_created: i64,
    /// Yearly revenue at the latest evaluation above the baseline.
    pub revenue_gain: i64,
}

/// A share in basis points (`9350` = 93,5 %), `None` when there is nothing to divide by.
pub fn share_bp(part: i64, whole: i64) -> Option<u32> {
    if whole <= 0 || part < 0 {
        return None;
    }
    let bp = (i128::from(part) * 10_000 + i128::from(whole) / 2) / i128::from(whole);
    u32::try_from(bp).ok()
}

/// Đồng of counterpart funds per đồng of support, in tenths (`53` = 5,3 đồng).
pub fn counterpart_tenths(counterpart: i64, support: i64) -> Option<u32> {
    if support <= 0 || counterpart < 0 {
        return None;
    }
    let tenths = (i128::from(counterpart) * 10 + i128::from(support) / 2) / i128::from(support);
    u32::try_from(tenths).ok()
}

impl YearTotals {
    /// Paid of what was approved.
    pub fn disbursement_bp(&self) -> Option<u32> {
        share_bp(self.paid, self.approved)
    }

    /// Counterpart funds mobilised per đồng of contracted support.
    pub fn counterpart_per_dong(&self) -> Option<u32> {
        counterpart_tenths(self.counterpart, self.contract_support)
    }
}

/// A figure of a sentence, formatted in the reader's language when the sentence is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    /// A count (`1.234`).
    Count(i64),
    /// A year, as is (`2023`).
    Year(i32),
    /// Money in whole đồng, written in millions (`8.450 triệu đồng`).
    Money(i64),
    /// A share in basis points (`93,5 %`).
    Percent(u32),
    /// Tenths (`5,3`).
    Tenths(u32),
}

impl Figure {
    /// The figure as the reader writes it.
    pub fn render(self, lang: Lang) -> String {
        let vietnamese = lang == Lang::Vi;
        match self {
            Figure::Count(n) => group(n, vietnamese),
            Figure::Year(year) => year.to_string(),
            Figure::Money(amount) => {
                // Reports speak in millions, rounded: 8.450.000.000 đồng is "8.450 triệu".
                let millions = (amount + amount.signum() * 500_000) / 1_000_000;
                let unit = if vietnamese {
                    "triệu đồng"
                } else {
                    "million VND"
                };
                format!("{} {unit}", group(millions, vietnamese))
            }
            Figure::Percent(bp) => format!("{} %", decimal(bp.saturating_add(5) / 10, vietnamese)),
            Figure::Tenths(tenths) => decimal(tenths, vietnamese),
        }
    }
}

/// `1234567` as `1.234.567` (vi) or `1,234,567` (en).
fn group(n: i64, vietnamese: bool) -> String {
    let separator = if vietnamese { '.' } else { ',' };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// Tenths as `5,3` (vi) or `5.3` (en); a whole number without its decimal.
fn decimal(tenths: u32, vietnamese: bool) -> String {
    let whole = group(i64::from(tenths / 10), vietnamese);
    match tenths % 10 {
        0 => whole,
        d if vietnamese => format!("{whole},{d}"),
        d => format!("{whole}.{d}"),
    }
}

/// One sentence of the summary: a catalogue key and its figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sentence {
    /// The sentence's catalogue key (`reports.summary.…`).
    pub key: &'static str,
    /// The `{name}` placeholders and their figures.
    pub figures: Vec<(&'static str, Figure)>,
}

fn sentence(key: &'static str, figures: Vec<(&'static str, Figure)>) -> Sentence {
    Sentence { key, figures }
}

/// The summary paragraph's sentences for `year`, compared with the year before when there
/// is one. Only what the data holds is said: no funding sentence without approved support,
/// no effects without evaluations.
pub fn summary(year: &YearTotals, before: Option<&YearTotals>) -> Vec<Sentence> {
    use Figure::{Count, Money, Percent, Tenths, Year};
    let mut sentences = Vec::new();
    let opening = if year.completed_national > 0 {
        "reports.summary.completed_national"
    } else {
        "reports.summary.completed"
    };
    sentences.push(sentence(
        opening,
        vec![
            ("year", Year(year.year)),
            ("proposals", Count(year.proposals)),
            ("completed", Count(year.completed)),
            ("national", Count(year.completed_national)),
        ],
    ));
    if year.under_way > 0 {
        sentences.push(sentence(
            "reports.summary.under_way",
            vec![("count", Count(year.under_way))],
        ));
    }
    if year.approved > 0 {
        let key = match year.disbursement_bp() {
            Some(_) if year.paid > 0 => "reports.summary.funding_paid",
            _ => "reports.summary.funding",
        };
        sentences.push(sentence(
            key,
            vec![
                ("approved", Money(year.approved)),
                ("paid", Money(year.paid)),
                ("rate", Percent(year.disbursement_bp().unwrap_or(0))),
            ],
        ));
    }
    if let Some(ratio) = year.counterpart_per_dong().filter(|_| year.counterpart > 0) {
        sentences.push(sentence(
            "reports.summary.counterpart",
            vec![
                ("counterpart", Money(year.counterpart)),
                ("ratio", Tenths(ratio)),
            ],
        ));
    }
    if year.evaluated > 0 {
        sentences.push(sentence(
            "reports.summary.effects",
            vec![
                ("evaluated", Count(year.evaluated)),
                ("jobs", Count(year.jobs_created.max(0))),
                ("revenue", Money(year.revenue_gain.max(0))),
            ],
        ));
    }
    if let Some(before) = before {
        let key = match year.completed.cmp(&before.completed) {
            std::cmp::Ordering::Greater => "reports.summary.more_than_before",
            std::cmp::Ordering::Less => "reports.summary.fewer_than_before",
            std::cmp::Ordering::Equal => "reports.summary.same_as_before",
        };
        sentences.push(sentence(
            key,
            vec![
                ("before", Year(before.year)),
                (
                    "difference",
                    Count((year.completed - before.completed).abs()),
                ),
                ("completed_before", Count(before.completed)),
            ],
        ));
    }
    sentences
}

#[cfg(test)]
mod tests {
    use super::*;

    fn year_2023() -> YearTotals {
        YearTotals {
            year: 2023,
            proposals: 30,
            national: 3,
            completed: 27,
            completed_national: 3,
            under_way: 2,
            approved: 8_450_000_000,
            advanced: 5_000_000_000,
            paid: 7_900_000_000,
            contract_support: 8_000_000_000,
            counterpart: 42_400_000_000,
            evaluated: 27,
            jobs_created: 320,
            revenue_gain: 12_300_000_000,
        }
    }

    #[test]
    fn shares_and_ratios_round_and_refuse_to_divide_by_nothing() {
        assert_eq!(share_bp(7_900, 8_450), Some(9349));
        assert_eq!(share_bp(1, 3), Some(3333));
        assert_eq!(share_bp(2, 3), Some(6667));
        assert_eq!(share_bp(5, 0), None);
        assert_eq!(counterpart_tenths(42_400, 8_000), Some(53));
        assert_eq!(counterpart_tenths(1, 0), None);
        assert_eq!(year_2023().disbursement_bp(), Some(9349));
        assert_eq!(year_2023().counterpart_per_dong(), Some(53));
    }

    #[test]
    fn figures_are_written_the_readers_way() {
        assert_eq!(Figure::Count(1234).render(Lang::Vi), "1.234");
        assert_eq!(Figure::Count(1234).render(Lang::En), "1,234");
        assert_eq!(
            Figure::Money(8_450_400_000).render(Lang::Vi),
            "8.450 triệu đồng"
        );
        assert_eq!(
            Figure::Money(8_450_600_000).render(Lang::En),
            "8,451 million VND"
        );
        assert_eq!(Figure::Percent(9349).render(Lang::Vi), "93,5 %");
        assert_eq!(Figure::Percent(9344).render(Lang::Vi), "93,4 %");
        assert_eq!(Figure::Percent(10_000).render(Lang::En), "100 %");
        assert_eq!(Figure::Tenths(53).render(Lang::Vi), "5,3");
        assert_eq!(Figure::Year(2023).render(Lang::Vi), "2023");
    }

    #[test]
    fn the_summary_says_what_the_year_holds_and_how_it_compares() {
        let before = YearTotals {
            year: 2022,
            completed: 23,
            ..YearTotals::default()
        };
        let keys: Vec<&str> = summary(&year_2023(), Some(&before))
            .iter()
            .map(|s| s.key)
            .collect();
        assert_eq!(
            keys,
            [
                "reports.summary.completed_national",
                "reports.summary.under_way",
                "reports.summary.funding_paid",
                "reports.summary.counterpart",
                "reports.summary.effects",
                "reports.summary.more_than_before",
            ]
        );
        let last = summary(&year_2023(), Some(&before)).pop();
        assert_eq!(
            last.map(|s| s.figures),
            Some(vec![
                ("before", Figure::Year(2022)),
                ("difference", Figure::Count(4)),
                ("completed_before", Figure::Count(23)),
            ])
        );
    }

    #[test]
    fn an_empty_year_says_only_that() {
        let empty = YearTotals {
            year: 2030,
            ..YearTotals::default()
        };
        let sentences = summary(&empty, None);
        assert_eq!(sentences.len(), 1);
        assert_eq!(sentences[0].key, "reports.summary.completed");
    }
}
