//! Writing the demo's organisations, accounts, facilities and proposals in bulk (the SQL
//! is in `db::demo` and `db::bulk`).

use std::collections::HashMap;

use anyhow::{Context as _, anyhow, ensure};
use time::{Date, Duration, Month, PrimitiveDateTime, Time};

use super::calendar::workday;
use super::story::Story;
use super::{
    ACCOUNTS, CENTRE, CENTRE_STAFF, DEPARTMENT, MINISTRY, OWNER_FACILITY, PEOPLE, PROVINCE,
    Planned, Workplace, data,
};
use crate::db::bulk;
use crate::db::demo as sql;
use crate::domain::format::VIETNAM;
use crate::domain::organisation::OrganisationKind;
use crate::domain::proposal::ProposalState;
use crate::domain::role::Role;
use crate::domain::transition::path::CREATE;

use ProposalState as S;

/// The province's legacy units by code.
pub(super) struct Units(HashMap<String, sql::LegacyUnit>);

impl Units {
    pub(super) async fn load(conn: &mut sqlx::PgConnection) -> anyhow::Result<Self> {
        let units = sql::legacy_units(conn, PROVINCE).await?;
        Ok(Self(
            units
                .into_iter()
                .map(|u| (format!("{}:{}", u.level, u.code), u))
                .collect(),
        ))
    }

    fn get(&self, level: &str, code: &str) -> anyhow::Result<&sql::LegacyUnit> {
        self.0.get(&format!("{level}:{code}")).ok_or_else(|| {
            anyhow!(
                "administrative unit {level} {code} is not loaded: run `khuyencong migrate` first"
            )
        })
    }

    pub(super) fn district(&self, code: &str) -> anyhow::Result<i64> {
        Ok(self.get("district", code)?.id)
    }

    /// The commune's id, checking that it lies in `district`.
    pub(super) fn commune(&self, code: &str, district: &str) -> anyhow::Result<i64> {
        let unit = self.get("commune", code)?;
        ensure!(
            unit.parent_code.as_deref() == Some(district),
            "commune {code} is not in district {district}"
        );
        Ok(unit.id)
    }
}

pub(super) fn lookup(ids: &HashMap<String, i64>, key: &str, what: &str) -> anyhow::Result<i64> {
    ids.get(key)
        .copied()
        .ok_or_else(|| anyhow!("demo {what} {key:?} was not created"))
}

pub(super) async fn insert_organisations(
    conn: &mut sqlx::PgConnection,
    data: &data::Data,
    units: &Units,
) -> anyhow::Result<HashMap<String, i64>> {
    let owner = data.facility(OWNER_FACILITY)?;
    let mut rows = sql::OrganisationColumns::default();
    let mut push = |kind: OrganisationKind, name: &str, unit_id: Option<i64>| {
        rows.kind.push(kind.code().to_owned());
        rows.name.push(name.to_owned());
        rows.unit_id.push(unit_id);
    };
    push(OrganisationKind::Centre, CENTRE, None);
    push(OrganisationKind::Department, DEPARTMENT, None);
    for office in &data.offices {
        let unit = units.district(&office.district)?;
        push(OrganisationKind::LocalOffice, &office.name, Some(unit));
    }
    push(OrganisationKind::Ministry, MINISTRY, None);
    push(OrganisationKind::Facility, &owner.name, None);
    Ok(sql::insert_organisations(conn, PROVINCE, &rows)
        .await?
        .into_iter()
        .collect())
}

/// Creates the staff accounts, or with `owner_facility` the facility owner's.
pub(super) async fn insert_accounts(
    conn: &mut sqlx::PgConnection,
    data: &data::Data,
    hash: &str,
    organisations: &HashMap<String, i64>,
    owner_facility: Option<i64>,
) -> anyhow::Result<HashMap<String, i64>> {
    let owner = data.facility(OWNER_FACILITY)?;
    let mut rows = sql::UserColumns::default();
    for (&(username, role), &(person, full_name, workplace)) in ACCOUNTS.iter().zip(&PEOPLE) {
        ensure!(
            username == person,
            "ACCOUNTS and PEOPLE disagree at {username}"
        );
        if (workplace == Workplace::Facility) != owner_facility.is_some() {
            continue;
        }
        let organisation = match workplace {
            Workplace::Centre => CENTRE,
            Workplace::Department => DEPARTMENT,
            Workplace::Office(district) => &data.office(district)?.name,
            Workplace::Facility => &owner.name,
        };
        rows.username.push(username.to_owned());
        rows.full_name.push(full_name.to_owned());
        rows.role.push(role.code().to_owned());
        rows.organisation_id
            .push(lookup(organisations, organisation, "organisation")?);
        rows.facility_id
            .push(owner_facility.filter(|_| role == Role::FacilityOwner));
    }
    Ok(sql::insert_users(conn, hash, &rows)
        .await?
        .into_iter()
        .collect())
}

/// Creates the facilities; answers their ids by key.
pub(super) async fn insert_facilities(
    conn: &mut sqlx::PgConnection,
    data: &data::Data,
    units: &Units,
    users: &HashMap<String, i64>,
) -> anyhow::Result<HashMap<String, i64>> {
    let mut rows = bulk::FacilityColumns::default();
    let registered_from = Date::from_calendar_date(2022, Month::September, 5)?;
    for (index, facility) in data.facilities.iter().enumerate() {
        let office = data.office(&facility.district)?;
        let registrar = office.officer.as_deref().unwrap_or(CENTRE_STAFF);
        let day =
            workday(registered_from.saturating_add(Duration::days(i64::try_from(index)? * 4)));
        rows.push(bulk::FacilityRow {
            name: facility.name.clone(),
            legal_form: facility.legal_form.clone(),
            tax_code: facility.tax_code.clone(),
            owner_name: facility.owner.clone(),
            phone: Some(facility.phone.clone()),
            address_detail: facility.address.clone(),
            unit_id: units.commune(&facility.commune, &facility.district)?,
            sector_code: facility.sector.clone(),
            main_products: facility.products.clone(),
            workers: facility.workers,
            annual_revenue: facility
                .revenue_million
                .checked_mul(1_000_000)
                .context("revenue overflow")?,
            business_registration: String::new(),
            capital: 0,
            women_owned: false,
            ethnic_minority_owned: false,
            typical_product: false,
            exports: false,
            local_raw_materials: false,
            created_by: lookup(users, registrar, "account")?,
            created_at: PrimitiveDateTime::new(day, Time::from_hms(9, 0, 0)?)
                .assume_offset(VIETNAM),
        });
    }
    let by_tax_code: HashMap<String, i64> = bulk::insert_facilities(conn, PROVINCE, &rows)
        .await?
        .into_iter()
        .collect();
    data.facilities
        .iter()
        .map(|f| {
            Ok((
                f.key.clone(),
                lookup(&by_tax_code, &f.tax_code, "facility")?,
            ))
        })
        .collect()
}

/// Creates the proposals, their beneficiaries and their timelines; answers the number of
/// events.
pub(super) async fn insert_proposals(
    conn: &mut sqlx::PgConnection,
    planned: &[Planned],
    units: &Units,
    organisations: &HashMap<String, i64>,
    users: &HashMap<String, i64>,
    facilities: &HashMap<String, i64>,
) -> anyhow::Result<(usize, Vec<i64>)> {
    let ids = bulk::reserve_proposal_ids(conn, i32::try_from(planned.len())?).await?;
    ensure!(ids.len() == planned.len(), "could not reserve proposal ids");
    let mut rows = bulk::ProposalColumns::default();
    let mut beneficiaries = bulk::BeneficiaryColumns::default();
    let mut lines = bulk::CostLineColumns::default();
    let mut events = bulk::EventColumns::default();
    for (&id, proposal) in ids.iter().zip(planned) {
        let spec = proposal.spec;
        let facility_ids = spec
            .facilities
            .iter()
            .map(|key| lookup(facilities, key, "facility"))
            .collect::<anyhow::Result<Vec<i64>>>()?;
        let author = lookup(users, proposal.creator, "account")?;
        let total_cost = spec
            .total_million
            .checked_mul(1_000_000)
            .context("cost overflow")?;
        rows.push(bulk::ProposalRow {
            id,
            beneficiary_ids: bulk::id_array(&facility_ids),
            code: proposal.code.clone(),
            plan_year: spec.year,
            level: spec.level.code().to_owned(),
            form: if facility_ids.len() > 1 {
                "group"
            } else {
                "normal"
            }
            .to_owned(),
            activity_type_code: spec.activity.code().to_owned(),
            title: spec.title.clone(),
            unit_id: units.commune(&proposal.location.commune, &proposal.location.district)?,
            office_id: lookup(organisations, &proposal.office.name, "organisation")?,
            state: spec.state.code().to_owned(),
            total_cost,
            requested_support: proposal.requested,
            // The rest of the cost is the facility's, as a submitted dossier has it.
            counterpart_funds: total_cost.saturating_sub(proposal.requested).max(0),
            approved_support: proposal.approved(),
            submitted_at: proposal.submitted_at(),
            objectives: String::new(),
            content: String::new(),
            location_detail: String::new(),
            start_date: None,
            end_date: None,
            baseline_output: String::new(),
            expected_output: String::new(),
            baseline_revenue: 0,
            expected_revenue: 0,
            baseline_jobs: 0,
            expected_jobs: 0,
            no_double_funding: false,
            created_by: author,
            created_at: proposal.created,
            updated_at: proposal.updated_at(),
        });
        for facility_id in facility_ids {
            beneficiaries.push(bulk::BeneficiaryRow {
                proposal_id: id,
                facility_id,
            });
        }
        // The demo's budgets are sums; a submitted dossier itemises, so each gets one line.
        if total_cost > 0 {
            lines.push(bulk::CostLineRow {
                proposal_id: id,
                position: 1,
                item: "Máy móc, thiết bị và hạng mục chính của đề án".to_owned(),
                unit: "bộ".to_owned(),
                quantity_hundredths: 100,
                unit_price: total_cost,
                total: total_cost,
                support: proposal.requested,
            });
        }
        events.push(bulk::EventRow {
            proposal_id: id,
            at: proposal.created,
            actor_id: author,
            action: CREATE,
            from: None,
            to: S::Draft,
            note: Story::CREATION_NOTE,
            details: "{}",
        });
        for step in &proposal.steps {
            events.push(bulk::EventRow {
                proposal_id: id,
                at: step.at,
                actor_id: lookup(users, step.actor, "account")?,
                action: step.action.code(),
                from: Some(step.from),
                to: step.to,
                note: &step.note,
                details: &step.details,
            });
        }
    }
    bulk::insert_proposals(conn, PROVINCE, &rows).await?;
    bulk::insert_beneficiaries(conn, &beneficiaries).await?;
    bulk::insert_cost_lines(conn, &lines).await?;
    bulk::insert_events(conn, &events).await?;
    Ok((events.action.len(), ids))
}
