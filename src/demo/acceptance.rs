//! The demo's acceptances, settlements and evaluations, written through the application's
//! own `db` functions: each proposal the timeline says was accepted had an acceptance visit
//! (the appraiser leading, the Centre's officer on the team) that saw every item of evidence
//! and admitted every line; those settled had their liquidation and final payment; those
//! completed had their effects evaluated at settlement and at the follow-ups due since.

use std::collections::HashMap;

use time::OffsetDateTime;

use super::{CENTRE_STAFF, Planned, lookup};
use crate::db;
use crate::db::acceptance::Checks;
use crate::db::evaluations::NewEvaluation;
use crate::db::settlements::NewSettlement;
use crate::domain::acceptance::{self, AcceptanceResult};
use crate::domain::appraisal::{Declaration, TeamRole, VisitPurpose};
use crate::domain::transition::Action;
use crate::domain::{evaluation, format};

const LEADER: &str = "thamdinh";

/// Writes them; returns how many proposals were accepted.
pub(super) async fn insert(
    conn: &mut sqlx::PgConnection,
    province: &str,
    planned: &[Planned],
    ids: &[i64],
    users: &HashMap<String, i64>,
) -> anyhow::Result<usize> {
    let leader = lookup(users, LEADER, "account")?;
    let staff = lookup(users, CENTRE_STAFF, "account")?;
    let accountant = lookup(users, "ketoan", "account")?;
    let today = OffsetDateTime::now_utc().to_offset(format::VIETNAM).date();
    let mut accepted = 0;
    for (proposal, &id) in planned.iter().zip(ids) {
        let at = |action| proposal.step(action).map(|s| s.at);
        let Some(accepted_at) = at(Action::AcceptResult) else {
            continue;
        };
        accepted += 1;
        let name = proposal.code.as_deref().unwrap_or(&proposal.spec.title);
        let visit = db::visits::insert(
            conn,
            province,
            &format!("Nghiệm thu đề án {name}"),
            accepted_at.date(),
            "",
            VisitPurpose::Acceptance,
            staff,
        )
        .await?;
        db::visits::add_user_member(conn, visit, leader, TeamRole::Leader).await?;
        db::visits::add_user_member(conn, visit, staff, TeamRole::Member).await?;
        let record =
            db::visits::add_proposal(conn, visit, VisitPurpose::Acceptance, id, None).await?;
        for (member, _) in db::visits::members_in(conn, visit).await? {
            db::visits::declare(conn, member, id, Declaration::NoConflict, "", leader).await?;
        }
        let evidence: Vec<(i64, bool, String)> = db::acceptance::evidence(&mut *conn, record)
            .await?
            .into_iter()
            .map(|e| (e.evidence_id, true, "Đã đối chiếu bản gốc.".to_owned()))
            .collect();
        let lines: Vec<(i64, i64, String)> = db::acceptance::lines(&mut *conn, record)
            .await?
            .into_iter()
            .map(|l| {
                (
                    l.cost_line_id,
                    l.support,
                    "Hóa đơn GTGT, biên bản bàn giao.".to_owned(),
                )
            })
            .collect();
        let (contract, support) = db::demo::contract_of(conn, id).await?;
        let admitted = acceptance::admitted_support(lines.iter().map(|l| l.1), support);
        let checks = Checks {
            evidence: &evidence,
            lines: &lines,
            conclusion: "Cơ sở đã thực hiện đúng nội dung đề án; máy móc vận hành ổn định.",
            result: Some(AcceptanceResult::Pass),
        };
        db::acceptance::save(conn, record, 1, &checks, leader).await?;
        db::acceptance::finalise(conn, record, 2, AcceptanceResult::Pass, admitted, leader).await?;
        db::demo::date_acceptance_record(conn, record, accepted_at).await?;

        let Some(settled_at) = at(Action::Settle) else {
            continue;
        };
        let year = settled_at.year();
        let liquidation = format!("TL-{year}-{accepted:03}");
        let voucher = format!("PC-{year}-QT{accepted:03}");
        let settlement = NewSettlement {
            proposal_id: id,
            contract_id: contract,
            acceptance_record_id: record,
            admitted_support: admitted,
            province_code: province,
            liquidation_number: &liquidation,
            liquidated_on: settled_at.date(),
            voucher_number: &voucher,
            paid_on: settled_at.date(),
            recorded_by: accountant,
        };
        db::settlements::settle(conn, &settlement)
            .await?
            .map_err(|problem| anyhow::anyhow!("demo settlement {liquidation}: {problem:?}"))?;

        if at(Action::Close).is_none() {
            continue;
        }
        evaluate(conn, proposal, id, settled_at.date(), today, staff).await?;
    }
    Ok(accepted)
}

/// The evaluations due by `today` of a proposal settled on `settled_on`: its revenue and
/// jobs grow a little at each stage from the dossier's baseline.
async fn evaluate(
    conn: &mut sqlx::PgConnection,
    proposal: &Planned,
    id: i64,
    settled_on: time::Date,
    today: time::Date,
    staff: i64,
) -> anyhow::Result<()> {
    let base_revenue = proposal.spec.total_million.saturating_mul(3_000_000);
    for (step, months) in evaluation::STAGES.into_iter().enumerate() {
        let due = evaluation::due_on(settled_on, months);
        if due > today {
            break;
        }
        let growth = 110 + 5 * i64::try_from(step)?;
        let evaluation = NewEvaluation {
            proposal_id: id,
            months_after: i16::from(months),
            evaluated_on: due,
            output: "Sản lượng tăng, sản phẩm ổn định chất lượng.",
            revenue: base_revenue.saturating_mul(growth) / 100,
            jobs: 8 + i32::try_from(step)?,
            productivity_change: 20 + 5 * i32::try_from(step)?,
            notes: "",
            recorded_by: staff,
        };
        db::evaluations::insert(conn, &evaluation).await?;
    }
    Ok(())
}
