//! The demo's funding: for each plan year, the envelope of each source with its allocation
//! rounds, the plan decision that approved the demo proposals the timeline says were
//! approved (the province's in April, the Ministry's in June), and the contracts of those
//! it says were contracted with the payments of those it says were accepted and settled and
//! the stop decisions of those it says were stopped, so
//! the funding page, the decisions, the contracts and the proposals agree. 2024's local envelope got a second round for the
//! supplementary round, which leaves room for some of the proposals still appraised: the
//! director can build that plan in the demo.
//!
//! Written through the application's own `db` functions, with the same checks as the pages.

use std::collections::BTreeMap;

use anyhow::ensure;
use time::{Date, Month};

use super::{DECISIONS, Planned};
use crate::db;
use crate::db::contracts::NewContract;
use crate::db::funding::{NewDecision, NewLine, NewRound};
use crate::db::payments::NewPayment;
use crate::db::stops::NewStop;
use crate::domain::contract::{self, AdvanceTerms};
use crate::domain::funding;
use crate::domain::payment::PaymentKind;
use crate::domain::proposal::{ProposalLevel, ProposalState};
use crate::domain::transition::Action;

/// The Centre's accountant records the rounds; the director records the decisions.
const ACCOUNTANT: &str = "ketoan";
const DIRECTOR: &str = "giamdoc";
const MILLION: i64 = 1_000_000;
/// What the second round of 2024 adds to the local envelope.
const SUPPLEMENTARY_2024: i64 = 1_200 * MILLION;

/// A year's approvals at one level: the day of the decision and its lines (proposal, amount);
/// keyed by (year, national).
type Plan = (Date, Vec<(i64, i64)>);

/// Writes the rounds, decisions and lines; returns how many decisions.
pub(super) async fn insert(
    conn: &mut sqlx::PgConnection,
    province: &str,
    planned: &[Planned],
    ids: &[i64],
    users: &std::collections::HashMap<String, i64>,
) -> anyhow::Result<usize> {
    let accountant = super::lookup(users, ACCOUNTANT, "user")?;
    let director = super::lookup(users, DIRECTOR, "user")?;
    let mut plans: BTreeMap<(i16, bool), Plan> = BTreeMap::new();
    for (proposal, &id) in planned.iter().zip(ids) {
        let Some(amount) = proposal.approved() else {
            continue;
        };
        let day = proposal
            .steps
            .iter()
            .find(|s| s.to == ProposalState::Approved)
            .map(|s| s.at.date());
        let Some(day) = day else { continue };
        let national = proposal.spec.level == ProposalLevel::National;
        let plan = plans
            .entry((proposal.spec.year, national))
            .or_insert((day, Vec::new()));
        plan.0 = plan.0.max(day);
        plan.1.push((id, amount));
    }
    for (&(year, national), (day, lines)) in &plans {
        let (_, local_number, national_number) = DECISIONS
            .iter()
            .find(|(y, ..)| *y == year)
            .copied()
            .ok_or_else(|| anyhow::anyhow!("no plan decision for {year}"))?;
        let source = if national { "national" } else { "local" };
        let committed = funding::total(lines.iter().map(|l| l.1))
            .ok_or_else(|| anyhow::anyhow!("the {year} plan overflows"))?;
        let (envelope_id, figures) =
            db::funding::lock_envelope(conn, province, year, source).await?;
        // The first round: what the plan needed, rounded up to half a billion, with a margin.
        let step = 500 * MILLION;
        let first = (committed / step + 2) * step;
        let allocated_on = Date::from_calendar_date(i32::from(year) - 1, Month::December, 11)?;
        let mut rounds = vec![(
            first,
            allocated_on,
            if national {
                format!(
                    "Công văn phân bổ kinh phí khuyến công quốc gia năm {year} của Bộ Công Thương"
                )
            } else {
                format!("Quyết định giao dự toán ngân sách tỉnh năm {year} của UBND tỉnh")
            },
        )];
        if year == 2024 && !national {
            rounds.push((
                SUPPLEMENTARY_2024,
                Date::from_calendar_date(2024, Month::August, 1)?,
                "Quyết định bổ sung dự toán cho đợt xét chọn thứ hai năm 2024".to_owned(),
            ));
        }
        let mut figures = figures;
        for (amount, decided_on, reference) in &rounds {
            let new_total = funding::apply_round(figures, *amount)
                .map_err(|p| anyhow::anyhow!("demo round refused: {p:?}"))?;
            db::funding::insert_round(
                conn,
                &NewRound {
                    envelope_id,
                    amount: *amount,
                    new_total,
                    decided_on: *decided_on,
                    reference,
                    note: "",
                    recorded_by: accountant,
                },
            )
            .await?;
            figures.amount = new_total;
        }
        ensure!(
            funding::check_fits(figures, committed).is_ok(),
            "the demo's {year} {source} plan is above its envelope"
        );
        let number = if national {
            format!("{national_number}/QĐ-BCT")
        } else {
            format!("{local_number}/QĐ-UBND")
        };
        let signer = if national {
            "Cục trưởng Cục Công Thương địa phương (thừa lệnh Bộ trưởng Bộ Công Thương)"
        } else {
            "Phó Chủ tịch UBND tỉnh Thái Nguyên (ký thay Chủ tịch)"
        };
        let decision_id = db::funding::insert_decision(
            conn,
            &NewDecision {
                envelope_id,
                province_code: province,
                number: &number,
                decided_on: *day,
                signer,
                amends: None,
                reason: "",
                recorded_by: director,
            },
        )
        .await?;
        let new_lines: Vec<NewLine> = lines
            .iter()
            .map(|&(proposal_id, approved_support)| NewLine {
                proposal_id,
                approved_support,
                support_cap_id: None,
                cap_limit: None,
                previous_support: None,
            })
            .collect();
        db::funding::insert_lines(conn, decision_id, &new_lines).await?;
        db::funding::commit(conn, envelope_id, committed).await?;
    }
    insert_contracts(conn, province, planned, ids, users).await?;
    Ok(plans.len())
}

/// The contracts of the demo proposals the timeline says were contracted, signed on that
/// step's day by the Centre's director and the first beneficiary's owner.
async fn insert_contracts(
    conn: &mut sqlx::PgConnection,
    province: &str,
    planned: &[Planned],
    ids: &[i64],
    users: &std::collections::HashMap<String, i64>,
) -> anyhow::Result<()> {
    let staff = super::lookup(users, super::CENTRE_STAFF, "user")?;
    let accountant = super::lookup(users, ACCOUNTANT, "user")?;
    let director_id = super::lookup(users, DIRECTOR, "user")?;
    let mut vouchers = 0;
    let mut stops = 0;
    let director = super::PEOPLE
        .iter()
        .find(|(username, ..)| *username == DIRECTOR)
        .map(|(_, name, _)| *name)
        .ok_or_else(|| anyhow::anyhow!("no demo director"))?;
    let holder_signer = format!("{director}, Giám đốc Trung tâm");
    for (proposal, &id) in planned.iter().zip(ids) {
        let (Some(support), Some(step)) =
            (proposal.approved(), proposal.step(Action::SignContract))
        else {
            continue;
        };
        let spec = proposal.spec;
        let signed_on = step.at.date();
        let facility = proposal.location;
        let advance =
            db::contracts::advance_terms(&mut *conn, province, spec.activity.code(), signed_on)
                .await?
                .map_or((None, AdvanceTerms::NATIONAL_DEFAULT), |(rule, terms)| {
                    (Some(rule), terms)
                });
        let number = contract::suggested_number(proposal.code.as_deref(), spec.year);
        let implementer_signer = format!("{}, đại diện cơ sở", facility.owner);
        let total = spec.total_million.saturating_mul(MILLION);
        let contract_id = db::contracts::insert(
            conn,
            &NewContract {
                proposal_id: id,
                province_code: province,
                number: &number,
                signed_on,
                holder: (super::CENTRE, &holder_signer),
                implementer: (&facility.name, &implementer_signer),
                approved_support: support,
                counterpart_funds: total.saturating_sub(support).max(0),
                deadline: Date::from_calendar_date(i32::from(spec.year), Month::November, 30)?
                    .max(signed_on),
                advance,
                payment_terms: "",
                recorded_by: staff,
            },
        )
        .await?;
        let paid = Paid {
            support,
            advance: advance.1,
        };
        vouchers +=
            insert_payments(conn, proposal, contract_id, paid, accountant, vouchers).await?;
        if let Some(step) = proposal.step(Action::Stop) {
            stops += 1;
            let number = format!("{}/QĐ-UBND", 300 + stops);
            let stop = NewStop {
                proposal_id: id,
                province_code: province,
                number: &number,
                decided_on: step.at.date(),
                reason: &spec.note,
                recorded_by: director_id,
            };
            db::stops::stop(conn, &stop).await?;
        }
    }
    Ok(())
}

/// A demo contract's support and advance terms.
struct Paid {
    support: i64,
    advance: AdvanceTerms,
}

/// The payments of a demo contract the timeline says was worked on: the largest advance a
/// month after the work started (once the work was accepted: the demo has no progress
/// reports to show it passed the threshold earlier); the rest is paid at settlement. Vouchers are
/// numbered `PC-<year>-<n>` from `first` on; returns how many were written.
async fn insert_payments(
    conn: &mut sqlx::PgConnection,
    proposal: &Planned,
    contract_id: i64,
    paid: Paid,
    accountant: i64,
    first: usize,
) -> anyhow::Result<usize> {
    let day = |action| proposal.step(action).map(|s| s.at.date());
    let (Some(started), Some(_accepted)) = (day(Action::Start), day(Action::AcceptResult)) else {
        return Ok(0);
    };
    let advance = paid.advance.max_advance(paid.support);
    // The final payment is the settlement's (`demo::acceptance`).
    let payments = [(
        PaymentKind::Advance,
        advance,
        started + time::Duration::days(30),
    )];
    let mut written = 0;
    for (kind, amount, paid_on) in payments.into_iter().filter(|(_, amount, _)| *amount > 0) {
        let voucher = format!("PC-{}-{:03}", paid_on.year(), first + written + 1);
        let payment = NewPayment {
            contract_id,
            kind,
            amount,
            paid_on,
            voucher_number: &voucher,
            note: "",
            recorded_by: accountant,
        };
        db::payments::record(conn, &payment)
            .await?
            .map_err(|problem| anyhow::anyhow!("demo payment {voucher}: {problem:?}"))?;
        written += 1;
    }
    Ok(written)
}
