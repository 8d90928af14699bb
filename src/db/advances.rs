//! Advance requests and a contract's ledger: what was asked, confirmed, refused and paid, and
//! every payment. A request is written under the contract row's lock, after what is advanced
//! or asked already; paying one records the payment (`db::payments::record`) in the same
//! transaction.

use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};
use tracing::instrument;

use super::payments::{self, NewPayment};
use crate::domain::contract::AdvanceTerms;
use crate::domain::payment::{self as rules, PaymentKind, PaymentProblem, RequestProblem};
use crate::error::{AppError, AppResult};

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestStatus {
    /// Waiting for the Centre's confirmation.
    Requested,
    /// Confirmed; waiting for the accountant.
    Confirmed,
    /// Paid (a payment of kind advance).
    Paid,
    /// Refused, with a reason.
    Refused,
}

impl RequestStatus {
    const ALL: [Self; 4] = [Self::Requested, Self::Confirmed, Self::Paid, Self::Refused];

    /// The database code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Confirmed => "confirmed",
            Self::Paid => "paid",
            Self::Refused => "refused",
        }
    }

    /// The status a code names.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Catalogue key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Requested => "advance_status.requested",
            Self::Confirmed => "advance_status.confirmed",
            Self::Paid => "advance_status.paid",
            Self::Refused => "advance_status.refused",
        }
    }
}

/// A request as the payments page lists it.
#[derive(Clone, Debug)]
pub struct RequestRow {
    /// Id.
    pub id: i64,
    /// Amount asked.
    pub amount: i64,
    /// Where it stands.
    pub status: RequestStatus,
    /// The report it relies on: its month and percent done.
    pub report: (Date, i16),
    /// Who asked, and when.
    pub requested: (String, OffsetDateTime),
    /// Who asked, by id.
    pub requested_by_id: i64,
    /// Who decided, if anyone did.
    pub decided_by: Option<String>,
    /// Why it was refused.
    pub refusal_reason: String,
}

/// A payment as the payments page lists it.
#[derive(Clone, Debug)]
pub struct PaymentRow {
    /// Kind.
    pub kind: PaymentKind,
    /// Amount.
    pub amount: i64,
    /// Day of the voucher.
    pub paid_on: Date,
    /// Voucher number.
    pub voucher_number: String,
    /// Who recorded it.
    pub recorded_by: String,
}

/// A contract's money: its totals, requests and payments.
#[derive(Clone, Debug)]
pub struct Ledger {
    /// Advanced so far.
    pub advanced: i64,
    /// Paid so far, net of recoveries.
    pub paid: i64,
    /// Requests, oldest first.
    pub requests: Vec<RequestRow>,
    /// Payments, oldest first.
    pub payments: Vec<PaymentRow>,
}

impl Ledger {
    /// Advanced, or asked and not refused nor paid yet.
    pub fn asked(&self) -> i64 {
        let open: i64 = self
            .requests
            .iter()
            .filter(|r| {
                matches!(
                    r.status,
                    RequestStatus::Requested | RequestStatus::Confirmed
                )
            })
            .map(|r| r.amount)
            .sum();
        self.advanced.saturating_add(open)
    }
}

/// The ledger of contract `contract_id` (three statements).
pub async fn ledger(pool: &PgPool, contract_id: i64) -> AppResult<Ledger> {
    let totals = sqlx::query!(
        "select advanced, paid from contracts where id = $1",
        contract_id
    )
    .fetch_one(pool)
    .await?;
    let requests = sqlx::query!(
        r#"
        select a.id, a.amount, a.status::text as "status!", r.month, r.percent_done,
               u.full_name as requester, a.requested_at, a.requested_by, d.full_name as "decided_by?",
               a.refusal_reason
        from advance_requests a
        join progress_reports r on r.id = a.progress_report_id
        join users u on u.id = a.requested_by
        left join users d on d.id = a.decided_by
        where a.contract_id = $1
        order by a.requested_at, a.id
        "#,
        contract_id
    )
    .fetch_all(pool)
    .await?;
    let payments = sqlx::query!(
        r#"
        select y.kind as "kind: PaymentKind", y.amount, y.paid_on, y.voucher_number,
               u.full_name
        from payments y join users u on u.id = y.recorded_by
        where y.contract_id = $1
        order by y.paid_on, y.id
        "#,
        contract_id
    )
    .fetch_all(pool)
    .await?;
    Ok(Ledger {
        advanced: totals.advanced,
        paid: totals.paid,
        requests: requests
            .into_iter()
            .map(|r| RequestRow {
                id: r.id,
                amount: r.amount,
                status: RequestStatus::from_code(&r.status).unwrap_or(RequestStatus::Requested),
                report: (r.month, r.percent_done),
                requested: (r.requester, r.requested_at),
                requested_by_id: r.requested_by,
                decided_by: r.decided_by,
                refusal_reason: r.refusal_reason,
            })
            .collect(),
        payments: payments
            .into_iter()
            .map(|p| PaymentRow {
                kind: p.kind,
                amount: p.amount,
                paid_on: p.paid_on,
                voucher_number: p.voucher_number,
                recorded_by: p.full_name,
            })
            .collect(),
    })
}

/// Writes a request for `amount` on contract `contract_id`, relying on the proposal's latest
/// progress report: locks the contract row, then checks the threshold and what is left of
/// the share after what is advanced or asked.
#[instrument(skip_all, fields(contract.id = contract_id, actor.id = requested_by), err)]
pub async fn request(
    conn: &mut PgConnection,
    contract_id: i64,
    amount: i64,
    requested_by: i64,
) -> AppResult<Result<i64, RequestProblem>> {
    let contract = sqlx::query!(
        r#"
        select approved_support, advance_share_bp, advance_threshold_bp, advanced, proposal_id
        from contracts where id = $1 for update
        "#,
        contract_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    // Read after the lock, in a statement of its own: a sub-select of the locking statement
    // would see the requests as they were before it waited for the lock.
    let open = sqlx::query_scalar!(
        r#"
        select coalesce(sum(amount), 0)::bigint as "open!" from advance_requests
        where contract_id = $1 and status in ('requested', 'confirmed')
        "#,
        contract_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let report = sqlx::query!(
        r#"
        select id, percent_done from progress_reports
        where proposal_id = $1 order by month desc limit 1
        "#,
        contract.proposal_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let terms = AdvanceTerms {
        share_bp: u32::try_from(contract.advance_share_bp).unwrap_or(0),
        threshold_bp: u32::try_from(contract.advance_threshold_bp).unwrap_or(0),
    };
    let percent = report
        .as_ref()
        .and_then(|r| u8::try_from(r.percent_done).ok());
    let asked = contract.advanced.saturating_add(open);
    if let Err(problem) =
        rules::check_request(amount, contract.approved_support, terms, percent, asked)
    {
        return Ok(Err(problem));
    }
    let Some(report) = report else {
        return Ok(Err(RequestProblem::BelowThreshold));
    };
    let id = sqlx::query_scalar!(
        r#"
        insert into advance_requests (contract_id, progress_report_id, amount, requested_by)
        values ($1, $2, $3, $4) returning id
        "#,
        contract_id,
        report.id,
        amount,
        requested_by,
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(Ok(id))
}

/// Confirms (`reason` empty) or refuses request `id` of contract `contract_id` while it is
/// `requested`; `false` when it is not (any more).
#[instrument(skip_all, fields(contract.id = contract_id, request.id = id, actor.id = decided_by), err)]
pub async fn decide(
    conn: &mut PgConnection,
    contract_id: i64,
    id: i64,
    refusal_reason: &str,
    decided_by: i64,
) -> AppResult<bool> {
    let done = sqlx::query!(
        r#"
        update advance_requests
        set status = (case when $3 = '' then 'confirmed' else 'refused' end)::advance_request_status,
            refusal_reason = $3, decided_by = $4, decided_at = now()
        where id = $1 and contract_id = $2 and status = 'requested'
        "#,
        id,
        contract_id,
        refusal_reason,
        decided_by,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Pays confirmed request `id` of contract `contract_id` with a voucher: the payment and the
/// request's new status in the caller's transaction. `Ok(None)` when the request is not
/// confirmed (any more); a voucher number the province used already violates
/// `payments_province_code_voucher_number_key`.
#[instrument(skip_all, fields(contract.id = contract_id, request.id = id, actor.id = recorded_by), err)]
pub async fn pay(
    conn: &mut PgConnection,
    contract_id: i64,
    id: i64,
    paid_on: Date,
    voucher_number: &str,
    recorded_by: i64,
) -> AppResult<Option<Result<i64, PaymentProblem>>> {
    let amount = sqlx::query_scalar!(
        r#"
        select amount from advance_requests
        where id = $1 and contract_id = $2 and status = 'confirmed' for update
        "#,
        id,
        contract_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(amount) = amount else {
        return Ok(None);
    };
    let payment = NewPayment {
        contract_id,
        kind: PaymentKind::Advance,
        amount,
        paid_on,
        voucher_number,
        note: "",
        recorded_by,
    };
    let payment_id = match payments::record(conn, &payment).await? {
        Ok(payment_id) => payment_id,
        Err(problem) => return Ok(Some(Err(problem))),
    };
    sqlx::query!(
        "update advance_requests set status = 'paid', payment_id = $2 where id = $1",
        id,
        payment_id
    )
    .execute(&mut *conn)
    .await?;
    Ok(Some(Ok(payment_id)))
}
