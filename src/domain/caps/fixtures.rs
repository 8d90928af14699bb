//! Rules the caps tests share.

use time::Date;

use super::{CapRule, CapUnit, CaseMultiplier, Multiplier, SupportCap};
use crate::domain::proposal::ProposalLevel;

pub(super) fn technology_line() -> CaseMultiplier {
    CaseMultiplier {
        factor: Multiplier::new(3, 2).expect("3/2"),
        label_vi: "dây chuyền công nghệ".into(),
        label_en: "a technology line".into(),
    }
}

/// 50%, at most 300 million per establishment, 1.5× for a technology line.
pub(super) fn machinery() -> CapRule {
    CapRule::new(
        5_000,
        300_000_000,
        CapUnit::Establishment,
        Some(technology_line()),
    )
    .expect("valid")
}

pub(super) fn cap(id: i64, province: Option<&str>, from: Date, to: Option<Date>) -> SupportCap {
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
