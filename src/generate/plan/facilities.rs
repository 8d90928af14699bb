//! The facilities of the data set, and the registry a proposal's beneficiaries are chosen
//! from.

use std::collections::HashMap;

use anyhow::ensure;
use time::{Duration, Month, OffsetDateTime};

use super::super::rng::Rng;
use super::super::words::{TRADES, Trade};
use super::calendar::{date, day_between, new_units_from, office_time, workday};
use super::people::{address, hamlet_name, person, phone};
use super::{Commune, Params, Setting, TAX_CODE_PREFIX};

/// A facility to register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facility {
    /// Legal name.
    pub name: String,
    /// Legal form code.
    pub legal_form: &'static str,
    /// Tax code: [`TAX_CODE_PREFIX`] and 8 digits, unique.
    pub tax_code: String,
    /// Owner.
    pub owner_name: String,
    /// Phone.
    pub phone: Option<String>,
    /// Hamlet or street.
    pub address_detail: String,
    /// Index into [`Setting::communes`].
    pub commune: usize,
    /// Index into [`TRADES`].
    pub trade: usize,
    /// Main products.
    pub main_products: String,
    /// Workers.
    pub workers: i32,
    /// Revenue per year, đồng.
    pub annual_revenue: i64,
    /// Capital, đồng.
    pub capital: i64,
    /// Business registration number.
    pub business_registration: String,
    /// Owned by a woman.
    pub women_owned: bool,
    /// Owned by a member of an ethnic minority.
    pub ethnic_minority_owned: bool,
    /// Makes a typical rural-industrial product.
    pub typical_product: bool,
    /// Exports.
    pub exports: bool,
    /// Uses local raw materials.
    pub local_raw_materials: bool,
    /// Registered by.
    pub created_by: i64,
    /// Registered at.
    pub created_at: OffsetDateTime,
}

impl Facility {
    /// The facility's trade.
    pub fn trade(&self) -> &'static Trade {
        &TRADES[self.trade.min(TRADES.len() - 1)].0
    }
}

const LEGAL_FORMS: &[(&str, u32)] = &[
    ("sme", 30),
    ("cooperative", 24),
    ("cooperative_union", 1),
    ("cooperative_group", 15),
    ("household_business", 30),
];

/// The n-th generated tax code: a bijection of `0..10^8` (48,271 is prime to 10^8), so codes
/// are unique yet look scattered.
pub(super) fn tax_code(seed: u64, n: usize) -> String {
    const SPACE: u64 = 100_000_000;
    let n = u64::try_from(n).unwrap_or(0) % SPACE;
    let digits = (n * 48_271 + seed % SPACE) % SPACE;
    format!("{TAX_CODE_PREFIX}{digits:08}")
}

/// The facilities, oldest registration first. About one in eight is registered after July
/// 2025 in a commune of the 2025 set; the rest from 2010 on, in the legacy communes.
pub fn facilities(params: &Params, setting: &Setting) -> anyhow::Result<Vec<Facility>> {
    let legacy: Vec<usize> = (0..setting.communes.len())
        .filter(|&i| setting.communes[i].legacy)
        .collect();
    let fresh: Vec<usize> = (0..setting.communes.len())
        .filter(|&i| !setting.communes[i].legacy)
        .collect();
    ensure!(
        !legacy.is_empty(),
        "the province has no communes in the legacy set"
    );
    let legacy_from = date(2010, Month::January, 4)?;
    let legacy_to = new_units_from()?.saturating_sub(Duration::days(1));
    let fresh_from = new_units_from()?;
    let fresh_to = date(2025, Month::August, 29)?;

    let mut rng = Rng::new(params.seed, 0);
    let mut rows = Vec::with_capacity(params.facilities);
    for _ in 0..params.facilities {
        let in_new_set = !fresh.is_empty() && rng.chance(120);
        let (commune, day) = if in_new_set {
            (
                *rng.pick(&fresh),
                day_between(&mut rng, fresh_from, fresh_to),
            )
        } else {
            (
                *rng.pick(&legacy),
                day_between(&mut rng, legacy_from, legacy_to),
            )
        };
        let place = &setting.communes[commune];
        let trade_index = rng.weighted_index(TRADES);
        let trade = &TRADES[trade_index].0;
        let owner = person(&mut rng);
        let legal_form = *rng.weighted(LEGAL_FORMS);
        let business_place = if rng.chance(550) {
            place.name.clone()
        } else {
            hamlet_name(&mut rng)
        };
        let name = match legal_form {
            "sme" => {
                let company = if rng.chance(700) {
                    "Công ty TNHH"
                } else {
                    "Công ty cổ phần"
                };
                format!("{company} {} {business_place}", trade.name)
            }
            "cooperative" => format!("Hợp tác xã {} {business_place}", trade.name),
            "cooperative_union" => format!("Liên hiệp hợp tác xã {} {business_place}", trade.name),
            "cooperative_group" => format!("Tổ hợp tác {} {business_place}", trade.name),
            _ => format!("Hộ kinh doanh {}", owner.name),
        };
        let workers = match legal_form {
            "household_business" => rng.range(2, 12),
            "cooperative_group" => rng.range(5, 30),
            "cooperative" => rng.range(7, 60),
            "cooperative_union" => rng.range(20, 120),
            _ => rng.range(10, 250),
        };
        let revenue = workers * rng.range(120, 450) * 1_000_000;
        let capital = revenue * rng.range(30, 80) / 100 / 1_000_000 * 1_000_000;
        let business_registration = match legal_form {
            "sme" => String::new(), // the tax code, set below once it is known
            "cooperative" | "cooperative_union" => format!("{:04}/ĐKHTX", rng.range(1, 9999)),
            "household_business" => format!("17A{:06}", rng.range(1, 999_999)),
            _ => String::new(),
        };
        let raw_local = matches!(
            trade.sector,
            "agro_processing" | "handicrafts" | "chemicals_building_materials"
        );
        rows.push(Facility {
            name,
            legal_form,
            tax_code: String::new(),
            phone: {
                let landline = legal_form == "sme" && rng.chance(400);
                phone(&mut rng, landline)
            },
            owner_name: owner.name,
            address_detail: address(&mut rng, place),
            commune,
            trade: trade_index,
            main_products: (*rng.pick(trade.products)).to_owned(),
            workers: i32::try_from(workers)?,
            annual_revenue: revenue,
            capital,
            business_registration,
            women_owned: owner.female && rng.chance(900),
            ethnic_minority_owned: owner.minority && rng.chance(700),
            typical_product: rng.chance(60),
            exports: rng.chance(if trade.sector == "handicrafts" {
                120
            } else {
                30
            }),
            local_raw_materials: rng.chance(if raw_local { 700 } else { 200 }),
            created_by: place.office.creator.id,
            created_at: office_time(&mut rng, workday(day))?,
        });
    }
    rows.sort_by_key(|f| f.created_at);
    for (n, row) in rows.iter_mut().enumerate() {
        row.tax_code = tax_code(params.seed, n);
        if row.legal_form == "sme" {
            row.business_registration = row.tax_code.clone();
        }
    }
    Ok(rows)
}

/// The registered facilities, indexed for choosing beneficiaries: a proposal benefits
/// facilities registered before it was created, in the same set of units, and the facilities
/// of a group proposal are in the same area.
#[derive(Debug)]
pub struct Registry<'a> {
    pub(super) facilities: &'a [Facility],
    communes: &'a [Commune],
    legacy: Vec<usize>,
    fresh: Vec<usize>,
    by_area: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Registry<'a> {
    /// Indexes `facilities` (oldest first, as [`facilities`] returns them).
    pub fn new(setting: &'a Setting, facilities: &'a [Facility]) -> Self {
        let mut legacy = Vec::new();
        let mut fresh = Vec::new();
        let mut by_area: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, facility) in facilities.iter().enumerate() {
            let Some(commune) = setting.communes.get(facility.commune) else {
                continue;
            };
            if commune.legacy {
                legacy.push(i);
            } else {
                fresh.push(i);
            }
            by_area.entry(commune.area.as_str()).or_default().push(i);
        }
        Self {
            facilities,
            communes: &setting.communes,
            legacy,
            fresh,
            by_area,
        }
    }

    /// How many of `list` were registered before `at` (at least one, when there are any: the
    /// oldest stands in when none is old enough).
    fn registered_before(&self, list: &[usize], at: OffsetDateTime) -> usize {
        let n = list.partition_point(|&i| self.facilities[i].created_at < at);
        n.max(1).min(list.len())
    }

    /// The main beneficiary of a proposal created at `at`.
    pub(super) fn first(
        &self,
        rng: &mut Rng,
        at: OffsetDateTime,
        new_units: bool,
    ) -> Option<usize> {
        let list = match (new_units, self.fresh.is_empty(), self.legacy.is_empty()) {
            (true, false, _) | (false, false, true) => &self.fresh,
            _ => &self.legacy,
        };
        let n = self.registered_before(list, at);
        (n > 0).then(|| list[rng.index(n)])
    }

    /// Up to `more` other facilities of `first`'s area registered before `at`.
    pub(super) fn others(
        &self,
        rng: &mut Rng,
        first: usize,
        at: OffsetDateTime,
        more: usize,
    ) -> Vec<usize> {
        let mut chosen = vec![first];
        let area = self
            .communes
            .get(self.facilities[first].commune)
            .map(|c| c.area.as_str())
            .unwrap_or_default();
        if let Some(list) = self.by_area.get(area) {
            let n = self.registered_before(list, at);
            for _ in 0..more * 8 {
                if chosen.len() > more {
                    break;
                }
                let candidate = list[rng.index(n)];
                if !chosen.contains(&candidate) {
                    chosen.push(candidate);
                }
            }
        }
        chosen
    }
}
