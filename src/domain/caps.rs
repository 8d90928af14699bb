//! Support caps and the other rules that are data (PRODUCT.md §4, DOMAIN.md §3).
//!
//! A cap reads "tối đa X% chi phí nhưng không quá Y đồng/<đơn vị>": at most a share of the
//! eligible cost and at most an amount per unit (model, establishment, …), the amount raised
//! by a multiplier in a named case (1.5× for a technology line). Rules are rows with a scope
//! (activity type, level, province) and validity dates; [`cap_in_force`] picks the one that
//! applies on a date, [`max_support`] computes what it allows, [`check_request`] says why a
//! requested amount is too high and by how much, and [`Message`]s explain all of it in the
//! user's language through catalogue keys and numbers.
//!
//! The value types of the other rule tables live here too: validity periods, priority-area
//! kinds, and the parsers of what an administrator types (percent, amounts, multipliers,
//! dates). Money is whole đồng in an `i64`; every computation is checked or done in `i128`
//! and rounds down, so no input can overflow or panic.

use time::Date;
use time::macros::format_description;

use super::proposal::ProposalLevel;
use crate::i18n::{self, Lang};

/// Basis points in 100%.
pub const FULL_BP: u32 = 10_000;

/// The largest numerator or denominator of a multiplier.
pub const MAX_MULTIPLIER_TERM: u32 = 10_000;

/// What a cap's maximum is counted per.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CapUnit {
    /// A demonstration or pilot model (mô hình).
    Model,
    /// A beneficiary establishment (cơ sở).
    Establishment,
    /// An enterprise founded (doanh nghiệp).
    Enterprise,
    /// An industrial cluster (cụm công nghiệp).
    Cluster,
    /// A training course (khóa đào tạo).
    Course,
    /// A product (sản phẩm), e.g. a typical product.
    Product,
    /// The proposal as a whole (đề án).
    Proposal,
}

impl CapUnit {
    /// Every unit, in the order forms list them.
    pub const ALL: [CapUnit; 7] = [
        Self::Model,
        Self::Establishment,
        Self::Enterprise,
        Self::Cluster,
        Self::Course,
        Self::Product,
        Self::Proposal,
    ];

    /// Database and form code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Model => "model",
            Self::Establishment => "establishment",
            Self::Enterprise => "enterprise",
            Self::Cluster => "cluster",
            Self::Course => "course",
            Self::Product => "product",
            Self::Proposal => "proposal",
        }
    }

    /// Parses a unit code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.code() == code)
    }

    /// Catalogue key of the unit's name ("cơ sở").
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Model => "cap_unit.model",
            Self::Establishment => "cap_unit.establishment",
            Self::Enterprise => "cap_unit.enterprise",
            Self::Cluster => "cap_unit.cluster",
            Self::Course => "cap_unit.course",
            Self::Product => "cap_unit.product",
            Self::Proposal => "cap_unit.proposal",
        }
    }
}

/// An exact factor `numerator / denominator` (3/2 = 1.5×), both terms 1..=10,000.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Multiplier {
    numerator: u32,
    denominator: u32,
}

impl Multiplier {
    /// The factor in lowest terms; `None` if a term is 0 or above [`MAX_MULTIPLIER_TERM`].
    pub fn new(numerator: u32, denominator: u32) -> Option<Self> {
        let in_range = |t: u32| (1..=MAX_MULTIPLIER_TERM).contains(&t);
        if !in_range(numerator) || !in_range(denominator) {
            return None;
        }
        let g = gcd(numerator, denominator);
        Some(Self {
            numerator: numerator / g,
            denominator: denominator / g,
        })
    }

    /// The numerator (in lowest terms).
    pub fn numerator(self) -> u32 {
        self.numerator
    }

    /// The denominator (in lowest terms).
    pub fn denominator(self) -> u32 {
        self.denominator
    }

    /// `amount × self`, rounded down; `None` if it does not fit an `i64` or `amount` < 0.
    pub fn apply(self, amount: i64) -> Option<i64> {
        if amount < 0 {
            return None;
        }
        let product =
            i128::from(amount) * i128::from(self.numerator) / i128::from(self.denominator);
        i64::try_from(product).ok()
    }

    /// The factor as people write it: `1,5` (Vietnamese) or `1.5` (English) when it is a
    /// decimal with at most two places, else `4/3`. [`parse_multiplier`] reads both back.
    pub fn display(self, lang: Lang) -> String {
        if 100 % self.denominator == 0 {
            let hundredths = u64::from(self.numerator) * 100 / u64::from(self.denominator);
            decimal(hundredths, lang)
        } else {
            format!("{}/{}", self.numerator, self.denominator)
        }
    }
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// A multiplier and the case it applies to, named in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseMultiplier {
    /// The factor.
    pub factor: Multiplier,
    /// The case in Vietnamese ("dây chuyền công nghệ").
    pub label_vi: String,
    /// The case in English ("a technology line").
    pub label_en: String,
}

impl CaseMultiplier {
    /// The case in `lang`.
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.label_vi,
            Lang::En => &self.label_en,
        }
    }
}

/// Why a rule's figures cannot form a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleError {
    /// The share is above 100%.
    PercentOutOfRange,
    /// The maximum is negative.
    NegativeMaximum,
    /// The maximum times the multiplier does not fit in an `i64`.
    MaximumTooLarge,
}

/// The figures of a cap: a share of cost, a maximum per unit, and an optional multiplier.
/// Built only through [`CapRule::new`], so every rule in hand is valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapRule {
    percent_bp: u32,
    max_amount: i64,
    unit: CapUnit,
    multiplier: Option<CaseMultiplier>,
}

impl CapRule {
    /// A rule: at most `percent_bp` basis points (5000 = 50%) of the eligible cost and at
    /// most `max_amount` đồng per `unit`, the maximum multiplied by `multiplier` in its case.
    pub fn new(
        percent_bp: u32,
        max_amount: i64,
        unit: CapUnit,
        multiplier: Option<CaseMultiplier>,
    ) -> Result<Self, RuleError> {
        if percent_bp > FULL_BP {
            return Err(RuleError::PercentOutOfRange);
        }
        if max_amount < 0 {
            return Err(RuleError::NegativeMaximum);
        }
        if let Some(m) = &multiplier
            && m.factor.apply(max_amount).is_none()
        {
            return Err(RuleError::MaximumTooLarge);
        }
        Ok(Self {
            percent_bp,
            max_amount,
            unit,
            multiplier,
        })
    }

    /// The share of cost, in basis points.
    pub fn percent_bp(&self) -> u32 {
        self.percent_bp
    }

    /// The maximum per unit, in đồng, without the multiplier.
    pub fn max_amount(&self) -> i64 {
        self.max_amount
    }

    /// What the maximum is counted per.
    pub fn unit(&self) -> CapUnit {
        self.unit
    }

    /// The multiplier and its case, if the rule has one.
    pub fn multiplier(&self) -> Option<&CaseMultiplier> {
        self.multiplier.as_ref()
    }

    /// The maximum per unit, multiplied when `apply_multiplier` and the rule has a
    /// multiplier. Exact: [`CapRule::new`] refused rules where it would not fit.
    pub fn max_per_unit(&self, apply_multiplier: bool) -> i64 {
        match (&self.multiplier, apply_multiplier) {
            (Some(m), true) => m.factor.apply(self.max_amount).unwrap_or(i64::MAX),
            _ => self.max_amount,
        }
    }
}

/// A cap rule as stored: its figures, scope, legal reference and validity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupportCap {
    /// Row id.
    pub id: i64,
    /// The activity type it caps (`activity_types.code`).
    pub activity_type_code: String,
    /// National or local funds.
    pub level: ProposalLevel,
    /// `None`: every province; `Some`: one province's own rule.
    pub province_code: Option<String>,
    /// The figures.
    pub rule: CapRule,
    /// The legal basis, as written ("Thông tư 28/2018/TT-BTC, Điều 8.4").
    pub legal_ref: String,
    /// First day in force.
    pub valid_from: Date,
    /// First day no longer in force; `None`: still in force.
    pub valid_to: Option<Date>,
}

impl SupportCap {
    /// Whether the rule is in force on `on`.
    pub fn covers(&self, on: Date) -> bool {
        covers(Some(self.valid_from), self.valid_to, on)
    }

    /// The rule in a sentence: "Tối đa 50% chi phí nhưng không quá 300.000.000 ₫/cơ sở
    /// (Thông tư 28/2018/TT-BTC, Điều 8.4)"; with the multiplier applied, the raised
    /// maximum and why.
    pub fn explain(&self, apply_multiplier: bool) -> Message {
        let rule = &self.rule;
        let mut args = vec![
            ("percent", Arg::Percent(rule.percent_bp)),
            ("max", Arg::Money(rule.max_per_unit(apply_multiplier))),
            ("unit", Arg::Key(rule.unit.label_key())),
            ("legal_ref", Arg::Text(self.legal_ref.clone())),
        ];
        let multiplied = rule.multiplier.as_ref().filter(|_| apply_multiplier);
        let key = match (multiplied, rule.percent_bp == FULL_BP) {
            (Some(m), _) => {
                args.push(("factor", Arg::Factor(m.factor)));
                args.push(("base", Arg::Money(rule.max_amount)));
                args.push((
                    "case",
                    Arg::Localised {
                        vi: m.label_vi.clone(),
                        en: m.label_en.clone(),
                    },
                ));
                "cap.rule_multiplied"
            }
            (None, true) => "cap.rule_max_only",
            (None, false) => "cap.rule",
        };
        Message { key, args }
    }
}

/// No cap rule is in force for the scope and date asked about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoRule {
    /// The activity type asked about.
    pub activity_type_code: String,
    /// The level asked about.
    pub level: ProposalLevel,
    /// The province asked about.
    pub province_code: String,
    /// The date asked about.
    pub on: Date,
}

impl NoRule {
    /// "No cap is in force for this activity type (local funds) on 25/11/2026."
    pub fn message(&self) -> Message {
        Message {
            key: "cap.no_rule",
            args: vec![
                ("level", Arg::Key(self.level.label_key())),
                ("date", Arg::Date(self.on)),
            ],
        }
    }
}

/// The cap rule in force for `activity_type_code` at `level` in `province_code` on `on`,
/// chosen from `candidates` (which may hold other scopes and periods: they are ignored).
///
/// A rule of the province itself beats a rule for every province, whatever their dates;
/// among rules of the same kind, the latest `valid_from` wins (a new rule supersedes an old
/// one that nobody ended), then the highest id. Nothing in force is [`NoRule`].
pub fn cap_in_force<'a>(
    candidates: &'a [SupportCap],
    activity_type_code: &str,
    level: ProposalLevel,
    province_code: &str,
    on: Date,
) -> Result<&'a SupportCap, NoRule> {
    candidates
        .iter()
        .filter(|c| {
            c.activity_type_code == activity_type_code
                && c.level == level
                && c.province_code
                    .as_deref()
                    .is_none_or(|p| p == province_code)
                && c.covers(on)
        })
        .max_by_key(|c| (c.province_code.is_some(), c.valid_from, c.id))
        .ok_or_else(|| NoRule {
            activity_type_code: activity_type_code.to_owned(),
            level,
            province_code: province_code.to_owned(),
            on,
        })
}

/// What a cap is applied to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CostBasis {
    /// The eligible cost, in đồng.
    pub eligible_cost: i64,
    /// How many cap units it covers (establishments of a group proposal, say); usually 1.
    pub units: u32,
    /// Whether the rule's multiplier applies (a technology line, say).
    pub apply_multiplier: bool,
}

impl CostBasis {
    /// The basis of a proposal under `rule`: a cap per establishment counts each beneficiary
    /// (a group proposal's), any other cap unit counts once.
    pub fn for_proposal(
        rule: &CapRule,
        eligible_cost: i64,
        beneficiaries: usize,
        apply_multiplier: bool,
    ) -> Self {
        let units = if rule.unit() == CapUnit::Establishment {
            beneficiaries.max(1)
        } else {
            1
        };
        Self {
            eligible_cost,
            units: u32::try_from(units).unwrap_or(u32::MAX),
            apply_multiplier,
        }
    }

    /// One unit, no multiplier.
    pub fn single(eligible_cost: i64) -> Self {
        Self {
            eligible_cost,
            units: 1,
            apply_multiplier: false,
        }
    }
}

/// Why a cap cannot be computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapError {
    /// The eligible cost is negative.
    NegativeCost,
    /// The requested amount is negative.
    NegativeRequest,
}

/// Which of the two limits is the lower.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binding {
    /// The share of cost (ties count as this).
    Percent,
    /// The maximum.
    Maximum,
}

/// The most support a rule allows for a cost, and how it was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SupportLimit {
    /// The eligible cost.
    pub eligible_cost: i64,
    /// The share of cost the rule allows (rounded down to whole đồng).
    pub by_percent: i64,
    /// The maximum: per unit (multiplied if it applies) times the units. Saturates at
    /// `i64::MAX`, where it can never be lower than `by_percent`.
    pub by_maximum: i64,
    /// The lower of the two: the most support allowed.
    pub limit: i64,
    /// Which of the two it is.
    pub binding: Binding,
    /// Whether the multiplier was applied.
    pub multiplier_applied: bool,
}

impl SupportLimit {
    /// "50% của 800.000.000 ₫ là 400.000.000 ₫, vượt mức tối đa 300.000.000 ₫: hỗ trợ tối
    /// đa 300.000.000 ₫."
    pub fn message(&self, rule: &CapRule) -> Message {
        Message {
            key: match self.binding {
                Binding::Percent => "cap.limit_by_percent",
                Binding::Maximum => "cap.limit_by_maximum",
            },
            args: vec![
                ("percent", Arg::Percent(rule.percent_bp)),
                ("cost", Arg::Money(self.eligible_cost)),
                ("by_percent", Arg::Money(self.by_percent)),
                ("by_maximum", Arg::Money(self.by_maximum)),
                ("limit", Arg::Money(self.limit)),
            ],
        }
    }
}

/// The most support `rule` allows for `basis`: min(percent × cost, maximum × units, the
/// maximum multiplied if it applies), rounded down to whole đồng.
pub fn max_support(rule: &CapRule, basis: &CostBasis) -> Result<SupportLimit, CapError> {
    if basis.eligible_cost < 0 {
        return Err(CapError::NegativeCost);
    }
    // percent_bp ≤ 10,000, so the share is at most the cost: it fits an i64.
    let by_percent =
        i128::from(basis.eligible_cost) * i128::from(rule.percent_bp) / i128::from(FULL_BP);
    let by_percent = i64::try_from(by_percent).unwrap_or(basis.eligible_cost);
    let per_unit = rule.max_per_unit(basis.apply_multiplier);
    let by_maximum =
        i64::try_from(i128::from(per_unit) * i128::from(basis.units)).unwrap_or(i64::MAX);
    let (limit, binding) = if by_percent <= by_maximum {
        (by_percent, Binding::Percent)
    } else {
        (by_maximum, Binding::Maximum)
    };
    Ok(SupportLimit {
        eligible_cost: basis.eligible_cost,
        by_percent,
        by_maximum,
        limit,
        binding,
        multiplier_applied: basis.apply_multiplier && rule.multiplier.is_some(),
    })
}

/// One reason a requested amount is too high.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Excess {
    /// Above the share of cost.
    OverPercent {
        /// The share of cost allowed.
        allowed: i64,
        /// How much the request is above it.
        by: i64,
    },
    /// Above the maximum.
    OverMaximum {
        /// The maximum allowed.
        allowed: i64,
        /// How much the request is above it.
        by: i64,
    },
}

/// A requested amount checked against a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapCheck {
    /// The amount asked for.
    pub requested: i64,
    /// What the rule allows.
    pub limit: SupportLimit,
    /// Why the request is too high: empty when it is within the cap; the share of cost
    /// first, then the maximum, when both are exceeded.
    pub excesses: Vec<Excess>,
}

impl CapCheck {
    /// Whether the request is within the cap.
    pub fn is_within(&self) -> bool {
        self.excesses.is_empty()
    }

    /// How much the request is above what the rule allows (0 when within).
    pub fn over_by(&self) -> i64 {
        // Both are non-negative, so the difference cannot overflow.
        (self.requested - self.limit.limit).max(0)
    }

    /// One sentence per reason the request is too high, or one saying it is within the cap.
    pub fn messages(&self, rule: &CapRule) -> Vec<Message> {
        if self.excesses.is_empty() {
            return vec![Message {
                key: "cap.within",
                args: vec![
                    ("requested", Arg::Money(self.requested)),
                    ("limit", Arg::Money(self.limit.limit)),
                ],
            }];
        }
        self.excesses
            .iter()
            .map(|excess| match *excess {
                Excess::OverPercent { allowed, by } => Message {
                    key: "cap.over_percent",
                    args: vec![
                        ("requested", Arg::Money(self.requested)),
                        ("percent", Arg::Percent(rule.percent_bp)),
                        ("cost", Arg::Money(self.limit.eligible_cost)),
                        ("allowed", Arg::Money(allowed)),
                        ("by", Arg::Money(by)),
                    ],
                },
                Excess::OverMaximum { allowed, by } => Message {
                    key: "cap.over_maximum",
                    args: vec![
                        ("requested", Arg::Money(self.requested)),
                        ("allowed", Arg::Money(allowed)),
                        ("by", Arg::Money(by)),
                    ],
                },
            })
            .collect()
    }
}

/// Checks `requested` support against what `rule` allows for `basis`.
pub fn check_request(
    rule: &CapRule,
    basis: &CostBasis,
    requested: i64,
) -> Result<CapCheck, CapError> {
    if requested < 0 {
        return Err(CapError::NegativeRequest);
    }
    let limit = max_support(rule, basis)?;
    let mut excesses = Vec::new();
    // Both sides are non-negative: the subtractions cannot overflow.
    if requested > limit.by_percent {
        excesses.push(Excess::OverPercent {
            allowed: limit.by_percent,
            by: requested - limit.by_percent,
        });
    }
    if requested > limit.by_maximum {
        excesses.push(Excess::OverMaximum {
            allowed: limit.by_maximum,
            by: requested - limit.by_maximum,
        });
    }
    Ok(CapCheck {
        requested,
        limit,
        excesses,
    })
}

// ---------------------------------------------------------------------------------------------
// Messages

/// A value to put in a message, formatted for the reader's language when rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// An amount of money: `300.000.000 ₫`.
    Money(i64),
    /// A share in basis points: `50`, `12,5` (Vietnamese) or `12.5` (English).
    Percent(u32),
    /// A multiplier: `1,5` or `1.5`.
    Factor(Multiplier),
    /// A date: `25/11/2026`.
    Date(Date),
    /// Text shown as it is (a legal reference).
    Text(String),
    /// Text given in both languages (a multiplier's case).
    Localised {
        /// Vietnamese.
        vi: String,
        /// English.
        en: String,
    },
    /// A catalogue key, shown translated (a cap unit's name).
    Key(&'static str),
}

impl Arg {
    fn render(&self, lang: Lang) -> String {
        match self {
            Self::Money(amount) => super::money::format_vnd(*amount),
            Self::Percent(bp) => format_percent(*bp, lang),
            Self::Factor(m) => m.display(lang),
            Self::Date(d) => super::format::date(*d),
            Self::Text(text) => text.clone(),
            Self::Localised { vi, en } => match lang {
                Lang::Vi => vi.clone(),
                Lang::En => en.clone(),
            },
            Self::Key(key) => i18n::t(lang, key).to_owned(),
        }
    }
}

/// A sentence for the user: a catalogue key with `{name}` placeholders, and their values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The catalogue key.
    pub key: &'static str,
    /// The placeholders' values.
    pub args: Vec<(&'static str, Arg)>,
}

impl Message {
    /// The sentence in `lang`. Placeholders are replaced in one pass, so a value that
    /// happens to contain `{name}` is shown as it is.
    pub fn render(&self, lang: Lang) -> String {
        let template = i18n::t(lang, self.key);
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            let value = after.find('}').and_then(|end| {
                let name = &after[..end];
                self.args
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, arg)| (arg.render(lang), end))
            });
            match value {
                Some((text, end)) => {
                    out.push_str(&text);
                    rest = &after[end + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// A share in basis points as people write it: `50`, `12,5`, `0,25` (or with a point in
/// English).
pub fn format_percent(bp: u32, lang: Lang) -> String {
    decimal(u64::from(bp), lang)
}

/// `hundredths` as a number with at most two decimals, trailing zeros dropped.
fn decimal(hundredths: u64, lang: Lang) -> String {
    let whole = hundredths / 100;
    let fraction = hundredths % 100;
    let separator = match lang {
        Lang::Vi => ',',
        Lang::En => '.',
    };
    match fraction {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole}{separator}{}", f / 10),
        f => format!("{whole}{separator}{f:02}"),
    }
}

// ---------------------------------------------------------------------------------------------
// What administrators type

/// A share typed as a percentage (`50`, `12,5`, `12.25`, `50%`): basis points, 0..=10,000.
/// More than two decimals, a sign, or anything above 100 is `None`.
pub fn parse_percent(input: &str) -> Option<u32> {
    let text = input.trim().trim_end_matches('%').trim_end();
    let hundredths = parse_hundredths(text)?;
    u32::try_from(hundredths).ok().filter(|bp| *bp <= FULL_BP)
}

/// A multiplier typed as a decimal (`1,5`, `1.5`, `2`) or a fraction (`3/2`).
pub fn parse_multiplier(input: &str) -> Option<Multiplier> {
    let text = input.trim().trim_end_matches(['×', 'x']).trim_end();
    if let Some((num, den)) = text.split_once('/') {
        let digits = |s: &str| {
            let s = s.trim();
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u32>().ok())
                .flatten()
        };
        return Multiplier::new(digits(num)?, digits(den)?);
    }
    let hundredths = u32::try_from(parse_hundredths(text)?).ok()?;
    Multiplier::new(hundredths, 100)
}

/// A non-negative decimal with at most two places (`,` or `.` before them), in hundredths.
fn parse_hundredths(text: &str) -> Option<u64> {
    let (whole, fraction) = match text.split_once([',', '.']) {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 6 || !all_digits(whole) {
        return None;
    }
    if fraction.len() > 2
        || !all_digits(fraction)
        || (text.len() > whole.len() && fraction.is_empty())
    {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let fraction: u64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<u64>().ok()? * 10,
        _ => fraction.parse().ok()?,
    };
    whole.checked_mul(100)?.checked_add(fraction)
}

/// An amount of whole đồng as typed: digits, grouped or not (`300.000.000`, `300,000,000`,
/// `300 000 000`), an optional `₫`/`đ`. Negative, empty, fractional-looking or too large
/// for an `i64`: `None`.
pub fn parse_amount(input: &str) -> Option<i64> {
    let text = input.trim().trim_end_matches(['₫', 'đ', 'Đ']).trim_end();
    let mut digits = String::with_capacity(text.len());
    let mut group = 0usize;
    let mut grouped = false;
    for c in text.chars() {
        match c {
            '0'..='9' => {
                digits.push(c);
                group += 1;
            }
            '.' | ',' | ' ' | '\u{a0}' | '\u{202f}' => {
                // A separator groups thousands: "1.5" or "12,50" is not an amount of đồng.
                if digits.is_empty() || (grouped && group != 3) || group > 3 {
                    return None;
                }
                grouped = true;
                group = 0;
            }
            _ => return None,
        }
    }
    if digits.is_empty() || (grouped && group != 3) || digits.len() > 19 {
        return None;
    }
    digits.parse().ok()
}

/// A date from a date field (`2026-11-25`) or typed the Vietnamese way (`25/11/2026`).
pub fn parse_date(input: &str) -> Option<Date> {
    let text = input.trim();
    Date::parse(text, format_description!("[year]-[month]-[day]"))
        .or_else(|_| Date::parse(text, format_description!("[day]/[month]/[year]")))
        .ok()
}

/// A date as a date field wants it: `2026-11-25`.
pub fn date_value(date: Date) -> String {
    date.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Validity

/// Whether a row valid from `from` (inclusive; `None`: always) to `to` (exclusive; `None`:
/// still) is in force on `on`.
pub fn covers(from: Option<Date>, to: Option<Date>, on: Date) -> bool {
    from.is_none_or(|f| f <= on) && to.is_none_or(|t| on < t)
}

/// Why validity dates or an end date do not fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValidityError {
    /// The end is not after the start.
    EndsBeforeStart,
    /// The row already ended on or before that day.
    AlreadyEnded,
}

/// Checks a validity period: the end, if any, after the start, if any.
pub fn check_validity(from: Option<Date>, to: Option<Date>) -> Result<(), ValidityError> {
    match (from, to) {
        (Some(f), Some(t)) if t <= f => Err(ValidityError::EndsBeforeStart),
        _ => Ok(()),
    }
}

/// Checks that a row valid from `from` to `to` may be ended on `end` (the first day it no
/// longer applies): after its start, and earlier than any end it already has. Ending is how
/// a rule is replaced; lengthening one is an edit.
pub fn check_end(from: Option<Date>, to: Option<Date>, end: Date) -> Result<(), ValidityError> {
    check_validity(from, Some(end))?;
    match to {
        Some(t) if t <= end => Err(ValidityError::AlreadyEnded),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Priority areas

/// The kinds of priority area (Thông tư 46/2012/TT-BCT Art. 6.1), ranked a–d.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PriorityAreaKind {
    /// a) Upland (miền núi).
    Upland,
    /// a) Island (hải đảo).
    Island,
    /// a) Land border area (biên giới).
    Border,
    /// a) Ethnic-minority area (vùng đồng bào dân tộc thiểu số).
    EthnicMinority,
    /// b) Poor district under Resolution 30a (huyện nghèo).
    PoorDistrict,
    /// c) Commune in the New Rural Development plan (xã nông thôn mới).
    NewRural,
    /// d) Difficult socio-economic conditions.
    Difficult,
    /// d) Extremely difficult socio-economic conditions.
    ExtremelyDifficult,
}

impl PriorityAreaKind {
    /// Every kind, in rank order.
    pub const ALL: [PriorityAreaKind; 8] = [
        Self::Upland,
        Self::Island,
        Self::Border,
        Self::EthnicMinority,
        Self::PoorDistrict,
        Self::NewRural,
        Self::Difficult,
        Self::ExtremelyDifficult,
    ];

    /// Database and form code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Upland => "upland",
            Self::Island => "island",
            Self::Border => "border",
            Self::EthnicMinority => "ethnic_minority",
            Self::PoorDistrict => "poor_district",
            Self::NewRural => "new_rural",
            Self::Difficult => "difficult",
            Self::ExtremelyDifficult => "extremely_difficult",
        }
    }

    /// Parses a kind code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The point of Art. 6.1 it falls under, as the order of allocation: 1 (a) to 4 (d).
    pub fn rank(self) -> u8 {
        match self {
            Self::Upland | Self::Island | Self::Border | Self::EthnicMinority => 1,
            Self::PoorDistrict => 2,
            Self::NewRural => 3,
            Self::Difficult | Self::ExtremelyDifficult => 4,
        }
    }

    /// Catalogue key of the kind's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Upland => "priority_kind.upland",
            Self::Island => "priority_kind.island",
            Self::Border => "priority_kind.border",
            Self::EthnicMinority => "priority_kind.ethnic_minority",
            Self::PoorDistrict => "priority_kind.poor_district",
            Self::NewRural => "priority_kind.new_rural",
            Self::Difficult => "priority_kind.difficult",
            Self::ExtremelyDifficult => "priority_kind.extremely_difficult",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn technology_line() -> CaseMultiplier {
        CaseMultiplier {
            factor: Multiplier::new(3, 2).expect("3/2"),
            label_vi: "dây chuyền công nghệ".into(),
            label_en: "a technology line".into(),
        }
    }

    /// 50%, at most 300 million per establishment, 1.5× for a technology line.
    fn machinery() -> CapRule {
        CapRule::new(
            5_000,
            300_000_000,
            CapUnit::Establishment,
            Some(technology_line()),
        )
        .expect("valid")
    }

    /// 30%, at most 1,000 million per model.
    fn demonstration() -> CapRule {
        CapRule::new(3_000, 1_000_000_000, CapUnit::Model, None).expect("valid")
    }

    fn cap(id: i64, province: Option<&str>, from: Date, to: Option<Date>) -> SupportCap {
        SupportCap {
            id,
            activity_type_code: "machinery".into(),
            level: ProposalLevel::Local,
            province_code: province.map(str::to_owned),
            rule: machinery(),
            legal_ref: "Thông tư 28/2018/TT-BTC, Điều 8.4".into(),
            valid_from: from,
            valid_to: to,
        }
    }

    fn limit(rule: &CapRule, cost: i64) -> i64 {
        max_support(rule, &CostBasis::single(cost))
            .expect("non-negative cost")
            .limit
    }

    #[test]
    fn the_percent_binds_below_the_maximum_and_the_maximum_above() {
        let rule = machinery();
        // 50% of 400 M = 200 M < 300 M.
        let low = max_support(&rule, &CostBasis::single(400_000_000)).expect("ok");
        assert_eq!(low.by_percent, 200_000_000);
        assert_eq!(low.by_maximum, 300_000_000);
        assert_eq!(low.limit, 200_000_000);
        assert_eq!(low.binding, Binding::Percent);
        // 50% of 800 M = 400 M > 300 M.
        let high = max_support(&rule, &CostBasis::single(800_000_000)).expect("ok");
        assert_eq!(high.limit, 300_000_000);
        assert_eq!(high.binding, Binding::Maximum);
        // Exactly at the turning point both agree; the share of cost is named.
        let even = max_support(&rule, &CostBasis::single(600_000_000)).expect("ok");
        assert_eq!(even.limit, 300_000_000);
        assert_eq!(even.binding, Binding::Percent);
        assert_eq!(limit(&demonstration(), 2_000_000_000), 600_000_000);
        assert_eq!(limit(&demonstration(), 5_000_000_000), 1_000_000_000);
        assert_eq!(limit(&rule, 0), 0);
    }

    #[test]
    fn the_multiplier_raises_only_the_maximum_and_only_when_it_applies() {
        let rule = machinery();
        let line = CostBasis {
            eligible_cost: 1_000_000_000,
            units: 1,
            apply_multiplier: true,
        };
        let raised = max_support(&rule, &line).expect("ok");
        assert_eq!(raised.by_maximum, 450_000_000);
        assert_eq!(raised.limit, 450_000_000);
        assert!(raised.multiplier_applied);
        // The share of cost is not multiplied: 50% of 600 M is still 300 M.
        let small = CostBasis {
            eligible_cost: 600_000_000,
            ..line
        };
        assert_eq!(max_support(&rule, &small).expect("ok").limit, 300_000_000);
        assert_eq!(limit(&rule, 1_000_000_000), 300_000_000);
        // A rule without a multiplier ignores the flag.
        let demo = max_support(
            &demonstration(),
            &CostBasis {
                eligible_cost: 10_000_000_000,
                units: 1,
                apply_multiplier: true,
            },
        )
        .expect("ok");
        assert_eq!(demo.limit, 1_000_000_000);
        assert!(!demo.multiplier_applied);
    }

    #[test]
    fn the_maximum_counts_per_unit() {
        let three = CostBasis {
            eligible_cost: 3_000_000_000,
            units: 3,
            apply_multiplier: false,
        };
        assert_eq!(
            max_support(&machinery(), &three).expect("ok").limit,
            900_000_000
        );
        let none = CostBasis { units: 0, ..three };
        assert_eq!(max_support(&machinery(), &none).expect("ok").limit, 0);
    }

    #[test]
    fn amounts_round_down_to_whole_dong() {
        let rule = CapRule::new(3_333, i64::MAX, CapUnit::Proposal, None).expect("valid");
        // 33.33% of 100 = 33.33 → 33; of 1 = 0.33 → 0.
        assert_eq!(limit(&rule, 100), 33);
        assert_eq!(limit(&rule, 1), 0);
        assert_eq!(limit(&machinery(), 999), 499);
        let odd = CapRule::new(
            10_000,
            7,
            CapUnit::Model,
            Some(CaseMultiplier {
                factor: Multiplier::new(3, 2).expect("3/2"),
                ..technology_line()
            }),
        )
        .expect("valid");
        // 1.5 × 7 = 10.5 → 10.
        assert_eq!(odd.max_per_unit(true), 10);
    }

    #[test]
    fn no_input_overflows() {
        let full = CapRule::new(FULL_BP, i64::MAX, CapUnit::Proposal, None).expect("valid");
        assert_eq!(limit(&full, i64::MAX), i64::MAX);
        assert_eq!(limit(&machinery(), i64::MAX), 300_000_000);
        let huge_units = CostBasis {
            eligible_cost: i64::MAX,
            units: u32::MAX,
            apply_multiplier: true,
        };
        let result = max_support(&machinery(), &huge_units).expect("ok");
        assert_eq!(result.by_percent, i64::MAX / 2);
        // 450 M × 4,294,967,295 units fits; it is below half of i64::MAX, so it binds.
        assert_eq!(result.by_maximum, 450_000_000 * i64::from(u32::MAX));
        assert_eq!(result.limit, result.by_maximum);
        assert_eq!(result.binding, Binding::Maximum);
        let big = CapRule::new(FULL_BP, i64::MAX / 2, CapUnit::Model, None).expect("valid");
        let many = CostBasis {
            units: 4,
            ..huge_units
        };
        let saturated = max_support(&big, &many).expect("ok");
        assert_eq!(saturated.by_maximum, i64::MAX);
        assert_eq!(saturated.limit, i64::MAX);
        assert_eq!(
            max_support(&full, &CostBasis::single(-1)),
            Err(CapError::NegativeCost)
        );
        assert_eq!(
            max_support(&full, &CostBasis::single(i64::MIN)),
            Err(CapError::NegativeCost)
        );
        let check = check_request(&full, &CostBasis::single(0), i64::MAX).expect("ok");
        assert_eq!(check.over_by(), i64::MAX);
        assert_eq!(
            check_request(&full, &CostBasis::single(0), i64::MIN),
            Err(CapError::NegativeRequest)
        );
    }

    #[test]
    fn invalid_rules_cannot_be_made() {
        assert_eq!(
            CapRule::new(10_001, 1, CapUnit::Model, None),
            Err(RuleError::PercentOutOfRange)
        );
        assert_eq!(
            CapRule::new(u32::MAX, 1, CapUnit::Model, None),
            Err(RuleError::PercentOutOfRange)
        );
        assert_eq!(
            CapRule::new(5_000, -1, CapUnit::Model, None),
            Err(RuleError::NegativeMaximum)
        );
        assert_eq!(
            CapRule::new(5_000, i64::MAX, CapUnit::Model, Some(technology_line())),
            Err(RuleError::MaximumTooLarge)
        );
        assert!(CapRule::new(0, 0, CapUnit::Model, None).is_ok());
        assert_eq!(Multiplier::new(0, 1), None);
        assert_eq!(Multiplier::new(1, 0), None);
        assert_eq!(Multiplier::new(10_001, 1), None);
        let m = Multiplier::new(150, 100).expect("1.5");
        assert_eq!((m.numerator(), m.denominator()), (3, 2));
        assert_eq!(m.apply(-1), None);
        assert_eq!(m.apply(i64::MAX), None);
    }

    #[test]
    fn requests_above_the_cap_say_why_and_by_how_much() {
        let rule = machinery();
        let basis = CostBasis::single(800_000_000);
        let within = check_request(&rule, &basis, 300_000_000).expect("ok");
        assert!(within.is_within());
        assert_eq!(within.over_by(), 0);

        // 350 M: within 50% of 800 M (400 M), above the 300 M maximum.
        let over_max = check_request(&rule, &basis, 350_000_000).expect("ok");
        assert_eq!(
            over_max.excesses,
            [Excess::OverMaximum {
                allowed: 300_000_000,
                by: 50_000_000
            }]
        );
        assert_eq!(over_max.over_by(), 50_000_000);

        // 250 M on a 400 M cost: above 50% (200 M), within the maximum.
        let over_percent =
            check_request(&rule, &CostBasis::single(400_000_000), 250_000_000).expect("ok");
        assert_eq!(
            over_percent.excesses,
            [Excess::OverPercent {
                allowed: 200_000_000,
                by: 50_000_000
            }]
        );

        // 500 M on 800 M: above both; the share first.
        let both = check_request(&rule, &basis, 500_000_000).expect("ok");
        assert_eq!(
            both.excesses,
            [
                Excess::OverPercent {
                    allowed: 400_000_000,
                    by: 100_000_000
                },
                Excess::OverMaximum {
                    allowed: 300_000_000,
                    by: 200_000_000
                }
            ]
        );
        assert_eq!(both.over_by(), 200_000_000);
        let texts: Vec<String> = both
            .messages(&rule)
            .iter()
            .map(|m| m.render(Lang::Vi))
            .collect();
        assert_eq!(
            texts,
            [
                "Số tiền đề nghị 500.000.000 ₫ vượt 100.000.000 ₫ so với mức 50% chi phí (50% của 800.000.000 ₫ là 400.000.000 ₫).",
                "Số tiền đề nghị 500.000.000 ₫ vượt 200.000.000 ₫ so với mức tối đa 300.000.000 ₫."
            ]
        );
        assert_eq!(
            within.messages(&rule)[0].render(Lang::En),
            "The requested 300.000.000 ₫ is within the cap (at most 300.000.000 ₫)."
        );
    }

    #[test]
    fn the_rule_is_explained_in_both_languages() {
        let national = cap(1, None, date!(2018 - 05 - 11), None);
        assert_eq!(
            national.explain(false).render(Lang::Vi),
            "Tối đa 50% chi phí nhưng không quá 300.000.000 ₫/cơ sở (Thông tư 28/2018/TT-BTC, Điều 8.4)"
        );
        assert_eq!(
            national.explain(false).render(Lang::En),
            "At most 50% of the cost and no more than 300.000.000 ₫ per establishment (Thông tư 28/2018/TT-BTC, Điều 8.4)"
        );
        assert_eq!(
            national.explain(true).render(Lang::Vi),
            "Tối đa 50% chi phí nhưng không quá 450.000.000 ₫/cơ sở, tức 1,5 lần mức 300.000.000 ₫ đối với dây chuyền công nghệ (Thông tư 28/2018/TT-BTC, Điều 8.4)"
        );
        assert_eq!(
            national.explain(true).render(Lang::En),
            "At most 50% of the cost and no more than 450.000.000 ₫ per establishment, that is 1.5 × 300.000.000 ₫ for a technology line (Thông tư 28/2018/TT-BTC, Điều 8.4)"
        );
        let founding = SupportCap {
            rule: CapRule::new(FULL_BP, 10_000_000, CapUnit::Enterprise, None).expect("valid"),
            legal_ref: "Thông tư 28/2018/TT-BTC, Điều 8".into(),
            ..national.clone()
        };
        assert_eq!(
            founding.explain(false).render(Lang::Vi),
            "Không quá 10.000.000 ₫/doanh nghiệp (Thông tư 28/2018/TT-BTC, Điều 8)"
        );
        let limit = max_support(&national.rule, &CostBasis::single(800_000_000)).expect("ok");
        assert_eq!(
            limit.message(&national.rule).render(Lang::Vi),
            "50% của 800.000.000 ₫ là 400.000.000 ₫, vượt mức tối đa 300.000.000 ₫: hỗ trợ tối đa 300.000.000 ₫."
        );
    }

    #[test]
    fn a_value_with_braces_is_shown_as_it_is() {
        let odd = SupportCap {
            legal_ref: "{max} {unknown".into(),
            ..cap(1, None, date!(2018 - 05 - 11), None)
        };
        assert!(
            odd.explain(false)
                .render(Lang::En)
                .ends_with("({max} {unknown)")
        );
    }

    #[test]
    fn the_rule_in_force_is_the_latest_that_covers_the_date() {
        let old = cap(1, None, date!(2018 - 05 - 11), Some(date!(2026 - 01 - 01)));
        let new = cap(2, None, date!(2026 - 01 - 01), None);
        let rules = [old, new];
        let pick =
            |on| cap_in_force(&rules, "machinery", ProposalLevel::Local, "19", on).map(|c| c.id);
        assert_eq!(
            pick(date!(2018 - 05 - 10)).map_err(|e| e.on),
            Err(date!(2018 - 05 - 10))
        );
        assert_eq!(pick(date!(2018 - 05 - 11)), Ok(1));
        assert_eq!(pick(date!(2025 - 12 - 31)), Ok(1));
        assert_eq!(pick(date!(2026 - 01 - 01)), Ok(2), "valid_to is exclusive");

        // A new rule that nobody ended the old one for still takes over from its start.
        let overlapping = [
            cap(1, None, date!(2018 - 05 - 11), None),
            cap(2, None, date!(2026 - 01 - 01), None),
        ];
        let pick = |on| {
            cap_in_force(&overlapping, "machinery", ProposalLevel::Local, "19", on).map(|c| c.id)
        };
        assert_eq!(pick(date!(2025 - 06 - 01)), Ok(1));
        assert_eq!(pick(date!(2026 - 06 - 01)), Ok(2));
    }

    #[test]
    fn the_province_own_rule_beats_the_all_provinces_rule() {
        let rules = [
            cap(1, None, date!(2025 - 01 - 01), None),
            cap(2, Some("19"), date!(2018 - 05 - 11), None),
            cap(3, Some("01"), date!(2026 - 01 - 01), None),
        ];
        let pick = |province, on| {
            cap_in_force(&rules, "machinery", ProposalLevel::Local, province, on).map(|c| c.id)
        };
        assert_eq!(pick("19", date!(2026 - 06 - 01)), Ok(2));
        assert_eq!(pick("04", date!(2026 - 06 - 01)), Ok(1));
        assert_eq!(pick("01", date!(2026 - 06 - 01)), Ok(3));
        assert_eq!(pick("01", date!(2025 - 06 - 01)), Ok(1));
        assert!(pick("04", date!(2024 - 06 - 01)).is_err());
    }

    #[test]
    fn other_activity_types_and_levels_are_not_chosen() {
        let rules = [cap(1, None, date!(2018 - 05 - 11), None)];
        let on = date!(2026 - 06 - 01);
        let none = cap_in_force(&rules, "training", ProposalLevel::Local, "19", on);
        let Err(no_rule) = none else {
            panic!("training has no rule");
        };
        assert_eq!(no_rule.activity_type_code, "training");
        assert_eq!(
            no_rule.message().render(Lang::Vi),
            "Chưa có quy định mức hỗ trợ tối đa cho nội dung này (Khuyến công địa phương) áp dụng ngày 01/06/2026."
        );
        assert!(cap_in_force(&rules, "machinery", ProposalLevel::National, "19", on).is_err());
        assert!(cap_in_force(&[], "machinery", ProposalLevel::Local, "19", on).is_err());
    }

    #[test]
    fn percentages_parse_and_print_in_both_languages() {
        assert_eq!(parse_percent("50"), Some(5_000));
        assert_eq!(parse_percent(" 50 % "), Some(5_000));
        assert_eq!(parse_percent("12,5"), Some(1_250));
        assert_eq!(parse_percent("12.25"), Some(1_225));
        assert_eq!(parse_percent("0"), Some(0));
        assert_eq!(parse_percent("100"), Some(10_000));
        for bad in [
            "",
            "100.01",
            "101",
            "-1",
            "-0",
            "1.234",
            "5,",
            ",5",
            "1e2",
            "50 50",
            "１０",
            "99999999999999999999",
        ] {
            assert_eq!(parse_percent(bad), None, "{bad:?}");
        }
        assert_eq!(format_percent(5_000, Lang::Vi), "50");
        assert_eq!(format_percent(1_250, Lang::Vi), "12,5");
        assert_eq!(format_percent(1_225, Lang::En), "12.25");
        assert_eq!(format_percent(5, Lang::En), "0.05");
    }

    #[test]
    fn multipliers_parse_and_print() {
        let m = parse_multiplier("1,5").expect("1,5");
        assert_eq!(m, Multiplier::new(3, 2).expect("3/2"));
        assert_eq!(parse_multiplier("1.5"), Some(m));
        assert_eq!(parse_multiplier("3/2"), Some(m));
        assert_eq!(parse_multiplier("1,5×"), Some(m));
        assert_eq!(m.display(Lang::Vi), "1,5");
        assert_eq!(m.display(Lang::En), "1.5");
        let third = parse_multiplier("4/3").expect("4/3");
        assert_eq!(third.display(Lang::Vi), "4/3");
        assert_eq!(parse_multiplier(&third.display(Lang::En)), Some(third));
        assert_eq!(parse_multiplier(&m.display(Lang::Vi)), Some(m));
        assert_eq!(
            parse_multiplier("2").map(|m| m.display(Lang::En)),
            Some("2".into())
        );
        for bad in [
            "", "0", "0/3", "3/0", "-1", "1.234", "x", "3/", "/2", "10001/1", "200",
        ] {
            assert_eq!(parse_multiplier(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn amounts_parse_with_or_without_grouping() {
        assert_eq!(parse_amount("300000000"), Some(300_000_000));
        assert_eq!(parse_amount("300.000.000"), Some(300_000_000));
        assert_eq!(parse_amount("300,000,000 ₫"), Some(300_000_000));
        assert_eq!(parse_amount("1 000 000đ"), Some(1_000_000));
        assert_eq!(parse_amount("0"), Some(0));
        assert_eq!(parse_amount("9223372036854775807"), Some(i64::MAX));
        for bad in [
            "",
            "-1",
            "1.5",
            "12,50",
            "1.0000",
            ".000",
            "1..000",
            "9223372036854775808",
            "99999999999999999999999",
            "3e8",
            "ba trăm",
        ] {
            assert_eq!(parse_amount(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn dates_parse_from_fields_and_as_typed() {
        assert_eq!(parse_date("2026-11-25"), Some(date!(2026 - 11 - 25)));
        assert_eq!(parse_date(" 25/11/2026 "), Some(date!(2026 - 11 - 25)));
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("tomorrow"), None);
        assert_eq!(date_value(date!(2018 - 05 - 11)), "2018-05-11");
    }

    #[test]
    fn validity_is_inclusive_at_the_start_and_exclusive_at_the_end() {
        let (from, to) = (date!(2025 - 07 - 01), date!(2026 - 01 - 01));
        assert!(!covers(Some(from), Some(to), date!(2025 - 06 - 30)));
        assert!(covers(Some(from), Some(to), from));
        assert!(!covers(Some(from), Some(to), to));
        assert!(covers(None, None, date!(1900 - 01 - 01)));
        assert_eq!(check_validity(Some(from), Some(to)), Ok(()));
        assert_eq!(
            check_validity(Some(to), Some(from)),
            Err(ValidityError::EndsBeforeStart)
        );
        assert_eq!(
            check_validity(Some(from), Some(from)),
            Err(ValidityError::EndsBeforeStart)
        );
        assert_eq!(check_validity(None, Some(from)), Ok(()));
        assert_eq!(check_end(Some(from), None, to), Ok(()));
        assert_eq!(
            check_end(Some(from), Some(to), date!(2025 - 12 - 01)),
            Ok(())
        );
        assert_eq!(
            check_end(Some(from), Some(to), to),
            Err(ValidityError::AlreadyEnded)
        );
        assert_eq!(
            check_end(Some(from), None, from),
            Err(ValidityError::EndsBeforeStart)
        );
    }

    #[test]
    fn codes_round_trip_and_priority_ranks_follow_points_a_to_d() {
        for unit in CapUnit::ALL {
            assert_eq!(CapUnit::from_code(unit.code()), Some(unit));
        }
        for kind in PriorityAreaKind::ALL {
            assert_eq!(PriorityAreaKind::from_code(kind.code()), Some(kind));
        }
        let ranks: Vec<u8> = PriorityAreaKind::ALL.iter().map(|k| k.rank()).collect();
        assert_eq!(ranks, [1, 1, 1, 1, 2, 3, 4, 4]);
        assert_eq!(CapUnit::from_code("bushel"), None);
    }
}
