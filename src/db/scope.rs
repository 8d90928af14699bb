//! Turns the policy's `RecordScope` into the parameters every scoped query takes.
//!
//! Each scoped query has the same four parameters and the same predicate shape:
//! nothing is visible when `denied`; otherwise each non-null parameter narrows the rows.

use crate::domain::policy::RecordScope;

/// Query parameters for a `RecordScope`.
#[derive(Clone, Debug, Default)]
pub struct ScopeParams {
    /// The scope grants nothing.
    pub denied: bool,
    /// Only this province.
    pub province_code: Option<String>,
    /// Only records located in this unit or directly below it…
    pub area_unit_id: Option<i64>,
    /// …or (proposals) submitted by this office.
    pub office_id: Option<i64>,
    /// Only this facility (and the proposals it benefits from).
    pub facility_id: Option<i64>,
}

impl From<&RecordScope> for ScopeParams {
    fn from(scope: &RecordScope) -> Self {
        match scope {
            RecordScope::Nothing => Self {
                denied: true,
                ..Self::default()
            },
            RecordScope::Province { province_code } => Self {
                province_code: Some(province_code.clone()),
                ..Self::default()
            },
            RecordScope::Area {
                province_code,
                unit_id,
                office_id,
            } => Self {
                province_code: Some(province_code.clone()),
                area_unit_id: Some(*unit_id),
                office_id: Some(*office_id),
                ..Self::default()
            },
            RecordScope::Facility { facility_id } => Self {
                facility_id: Some(*facility_id),
                ..Self::default()
            },
        }
    }
}
