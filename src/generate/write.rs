//! The rows of the generated facilities and proposals, column by column, a batch per
//! statement.

use std::collections::HashMap;

use anyhow::{Context as _, anyhow};
use sqlx::PgConnection;

use super::plan::{Facility, Proposal, Setting};
use super::{PROVINCE, Summary};
use crate::db::demo as demo_sql;
use crate::db::generate as sql;

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
        let mut rows = sql::FacilityColumns::default();
        for f in batch {
            let commune = setting
                .communes
                .get(f.commune)
                .context("facility outside the communes")?;
            rows.name.push(f.name.clone());
            rows.legal_form.push(f.legal_form.to_owned());
            rows.tax_code.push(f.tax_code.clone());
            rows.owner_name.push(f.owner_name.clone());
            rows.phone.push(f.phone.clone());
            rows.address_detail.push(f.address_detail.clone());
            rows.unit_id.push(commune.id);
            rows.sector_code.push(f.trade().sector.to_owned());
            rows.main_products.push(f.main_products.clone());
            rows.workers.push(f.workers);
            rows.annual_revenue.push(f.annual_revenue);
            rows.business_registration
                .push(f.business_registration.clone());
            rows.capital.push(f.capital);
            rows.women_owned.push(f.women_owned);
            rows.ethnic_minority_owned.push(f.ethnic_minority_owned);
            rows.typical_product.push(f.typical_product);
            rows.exports.push(f.exports);
            rows.local_raw_materials.push(f.local_raw_materials);
            rows.created_by.push(f.created_by);
            rows.created_at.push(f.created_at);
        }
        ids.extend(sql::insert_facilities(conn, PROVINCE, &rows).await?);
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
    let ids = demo_sql::reserve_proposal_ids(conn, i32::try_from(batch.len())?).await?;
    let mut proposals = sql::proposals::ProposalColumns::default();
    let mut beneficiaries = demo_sql::BeneficiaryColumns::default();
    let mut lines = sql::proposals::CostLineColumns::default();
    let mut events = demo_sql::EventColumns::default();
    let mut returns = sql::proposals::ReturnColumns::default();
    for (&id, p) in ids.iter().zip(batch) {
        proposals.id.push(id);
        proposals.code.push(p.code.clone());
        proposals.plan_year.push(p.plan_year);
        proposals.level.push(p.level.code().to_owned());
        proposals.form.push(p.form.to_owned());
        proposals.activity_type_code.push(p.activity.to_owned());
        proposals.title.push(p.title.clone());
        proposals.unit_id.push(p.unit_id);
        proposals.office_id.push(p.office_id);
        proposals.state.push(p.state.code().to_owned());
        proposals.total_cost.push(p.total_cost);
        proposals.requested_support.push(p.requested_support);
        proposals.counterpart_funds.push(p.counterpart_funds);
        proposals.approved_support.push(p.approved_support);
        proposals.submitted_at.push(p.submitted_at);
        proposals.objectives.push(p.objectives.clone());
        proposals.content.push(p.content.clone());
        proposals.location_detail.push(p.location_detail.clone());
        proposals.start_date.push(p.start_date);
        proposals.end_date.push(p.end_date);
        proposals.baseline_output.push(p.baseline_output.clone());
        proposals.expected_output.push(p.expected_output.clone());
        proposals.baseline_revenue.push(p.baseline_revenue);
        proposals.expected_revenue.push(p.expected_revenue);
        proposals.baseline_jobs.push(p.baseline_jobs);
        proposals.expected_jobs.push(p.expected_jobs);
        proposals.no_double_funding.push(p.no_double_funding);
        proposals.created_by.push(p.created_by);
        proposals.created_at.push(p.created_at);
        proposals.updated_at.push(p.updated_at);
        let mut ids_of_beneficiaries = Vec::with_capacity(p.beneficiaries.len());
        for &facility in &p.beneficiaries {
            let facility_id = *facility_ids
                .get(facility)
                .context("beneficiary outside the facilities")?;
            beneficiaries.proposal_id.push(id);
            beneficiaries.facility_id.push(facility_id);
            ids_of_beneficiaries.push(facility_id);
        }
        ids_of_beneficiaries.sort_unstable();
        proposals.beneficiary_ids.push(format!(
            "{{{}}}",
            ids_of_beneficiaries
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ));
        for (position, l) in p.lines.iter().enumerate() {
            lines.proposal_id.push(id);
            lines.position.push(i16::try_from(position + 1)?);
            lines.item.push(l.line.item.clone());
            lines.unit.push(l.line.unit.clone());
            lines.quantity_hundredths.push(l.line.quantity_hundredths);
            lines.unit_price.push(l.line.unit_price);
            lines.total.push(l.total);
            lines.support.push(l.line.support);
        }
        for e in &p.events {
            events.push(demo_sql::EventRow {
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
            returns.proposal_id.push(id);
            returns.requested_by.push(r.requested_by);
            returns.requested_at.push(r.requested_at);
            returns.missing_items.push(r.missing_items.clone());
            returns.due_date.push(r.due_date);
            returns.answered_at.push(r.answered_at);
        }
    }
    sql::proposals::insert_proposals(conn, PROVINCE, &proposals).await?;
    summary.beneficiaries += demo_sql::insert_beneficiaries(conn, &beneficiaries).await?;
    summary.cost_lines += sql::proposals::insert_cost_lines(conn, &lines).await?;
    summary.events += demo_sql::insert_events(conn, &events).await?;
    summary.returns += sql::proposals::insert_returns(conn, &returns).await?;
    Ok(())
}
