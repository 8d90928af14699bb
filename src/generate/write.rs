//! The rows of the generated facilities and proposals, column by column, a batch per
//! statement.

use std::collections::HashMap;

use anyhow::{Context as _, anyhow};
use sqlx::PgConnection;

use super::plan::{Facility, Proposal, Setting};
use super::{PROVINCE, Summary};
use crate::db::bulk;

/// Facilities per statement.
const FACILITIES_PER_BATCH: usize = 5_000;

/// Writes the facilities; answers their ids, index for index.
pub(super) async fn insert_facilities(
    conn: &mut PgConnection,
    setting: &Setting,
    facilities: &[Facility],
) -> anyhow::Result<Vec<i64>> {
    let mut ids: HashMap<String, i64> = HashMap::with_capacity(facilities.len());
    for batch in facilities.chunks(FACILITIES_PER_BATCH) {
        let mut rows = bulk::FacilityColumns::default();
        for f in batch {
            let commune = setting
                .communes
                .get(f.commune)
                .context("facility outside the communes")?;
            rows.push(bulk::FacilityRow {
                name: f.name.clone(),
                legal_form: f.legal_form.to_owned(),
                tax_code: f.tax_code.clone(),
                owner_name: f.owner_name.clone(),
                phone: f.phone.clone(),
                address_detail: f.address_detail.clone(),
                unit_id: commune.id,
                sector_code: f.trade().sector.to_owned(),
                main_products: f.main_products.clone(),
                workers: f.workers,
                annual_revenue: f.annual_revenue,
                business_registration: f.business_registration.clone(),
                capital: f.capital,
                women_owned: f.women_owned,
                ethnic_minority_owned: f.ethnic_minority_owned,
                typical_product: f.typical_product,
                exports: f.exports,
                local_raw_materials: f.local_raw_materials,
                created_by: f.created_by,
                created_at: f.created_at,
            });
        }
        ids.extend(bulk::insert_facilities(conn, PROVINCE, &rows).await?);
    }
    facilities
        .iter()
        .map(|f| {
            ids.get(&f.tax_code)
                .copied()
                .ok_or_else(|| anyhow!("facility {} was not written", f.tax_code))
        })
        .collect()
}

/// Writes a batch of proposals with their beneficiaries, budgets, timelines and returns.
pub(super) async fn write_proposals(
    conn: &mut PgConnection,
    batch: &[Proposal],
    facility_ids: &[i64],
    summary: &mut Summary,
) -> anyhow::Result<()> {
    let ids = bulk::reserve_proposal_ids(conn, i32::try_from(batch.len())?).await?;
    let mut proposals = bulk::ProposalColumns::default();
    let mut beneficiaries = bulk::BeneficiaryColumns::default();
    let mut lines = bulk::CostLineColumns::default();
    let mut events = bulk::EventColumns::default();
    let mut returns = bulk::ReturnColumns::default();
    for (&id, p) in ids.iter().zip(batch) {
        let facility_ids = p
            .beneficiaries
            .iter()
            .map(|&f| {
                facility_ids
                    .get(f)
                    .copied()
                    .context("beneficiary outside the facilities")
            })
            .collect::<anyhow::Result<Vec<i64>>>()?;
        proposals.push(bulk::ProposalRow {
            id,
            beneficiary_ids: bulk::id_array(&facility_ids),
            code: p.code.clone(),
            plan_year: p.plan_year,
            level: p.level.code().to_owned(),
            form: p.form.to_owned(),
            activity_type_code: p.activity.to_owned(),
            title: p.title.clone(),
            unit_id: p.unit_id,
            office_id: p.office_id,
            state: p.state.code().to_owned(),
            total_cost: p.total_cost,
            requested_support: p.requested_support,
            counterpart_funds: p.counterpart_funds,
            approved_support: p.approved_support,
            submitted_at: p.submitted_at,
            objectives: p.objectives.clone(),
            content: p.content.clone(),
            location_detail: p.location_detail.clone(),
            start_date: p.start_date,
            end_date: p.end_date,
            baseline_output: p.baseline_output.clone(),
            expected_output: p.expected_output.clone(),
            baseline_revenue: p.baseline_revenue,
            expected_revenue: p.expected_revenue,
            baseline_jobs: p.baseline_jobs,
            expected_jobs: p.expected_jobs,
            no_double_funding: p.no_double_funding,
            created_by: p.created_by,
            created_at: p.created_at,
            updated_at: p.updated_at,
        });
        for facility_id in facility_ids {
            beneficiaries.push(bulk::BeneficiaryRow {
                proposal_id: id,
                facility_id,
            });
        }
        for (position, l) in p.lines.iter().enumerate() {
            lines.push(bulk::CostLineRow {
                proposal_id: id,
                position: i16::try_from(position + 1)?,
                item: l.line.item.clone(),
                unit: l.line.unit.clone(),
                quantity_hundredths: l.line.quantity_hundredths,
                unit_price: l.line.unit_price,
                total: l.total,
                support: l.line.support,
            });
        }
        for e in &p.events {
            events.push(bulk::EventRow {
                proposal_id: id,
                at: e.at,
                actor_id: e.actor.id,
                action: e.code(),
                from: e.from,
                to: e.to,
                note: &e.note,
                details: &e.details,
            });
        }
        for r in &p.returns {
            returns.push(bulk::ReturnRow {
                proposal_id: id,
                requested_by: r.requested_by,
                requested_at: r.requested_at,
                missing_items: r.missing_items.clone(),
                due_date: r.due_date,
                answered_at: r.answered_at,
            });
        }
    }
    bulk::insert_proposals(conn, PROVINCE, &proposals).await?;
    summary.beneficiaries += bulk::insert_beneficiaries(conn, &beneficiaries).await?;
    summary.cost_lines += bulk::insert_cost_lines(conn, &lines).await?;
    summary.events += bulk::insert_events(conn, &events).await?;
    summary.returns += bulk::insert_returns(conn, &returns).await?;
    Ok(())
}
