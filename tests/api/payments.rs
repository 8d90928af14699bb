//! Payments against contracts: the funding page's advanced and paid figures are the sums of
//! the payments recorded, and payments recorded at the same moment never pass the contract's
//! advance share or its approved support (the contract row's totals, checked under its lock
//! and by the database).

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::texts;
use crate::world::World;
use khuyencong::db::payments::{self, NewPayment};
use khuyencong::domain::money;
use khuyencong::domain::payment::{PaymentKind, PaymentProblem};

#[sqlx::test]
async fn the_funding_page_shows_what_the_contracts_of_its_source_had_paid(pool: PgPool) {
    let world = World::new(pool).await;
    let (id, contract, support, office, _) = world.running().await;
    let advance = support / 2;
    crate::helpers::pay_advance(&world.app, id, contract, &office, advance, "PC-01").await;
    let app = world.as_user("ketoan").await;
    let page = app.page("/funding?year=2026").await;
    let rows = texts(&page, "table.envelopes tbody tr");
    let local: String =
        sqlx::query_scalar("select name_vi from funding_sources where code = 'local'")
            .fetch_one(&app.pool)
            .await
            .expect("the local source");
    let row = rows
        .iter()
        .find(|r| r.contains(&local))
        .unwrap_or_else(|| panic!("a row for {local}: {rows:?}"));
    // Advanced and paid: the one advance.
    assert_eq!(row.matches(&money::format_vnd(advance)).count(), 2, "{row}");
    // Each contract's totals are its payments'.
    let off: i64 = sqlx::query_scalar(
        "select count(*) from contracts c where c.paid <> coalesce((select sum(case kind when \
         'recovery' then -amount else amount end) from payments where contract_id = c.id), 0) \
         or c.advanced <> coalesce((select sum(amount) from payments where contract_id = c.id \
         and kind = 'advance'), 0)",
    )
    .fetch_one(&app.pool)
    .await
    .expect("totals");
    assert_eq!(off, 0);
    let anonymous = crate::helpers::client();
    let response = anonymous
        .get(app.url("/funding?year=2026"))
        .send()
        .await
        .expect("GET");
    assert_ne!(response.status(), StatusCode::OK);
}

async fn accountant(pool: &PgPool) -> i64 {
    sqlx::query_scalar("select id from users where username = 'ketoan'")
        .fetch_one(pool)
        .await
        .expect("the accountant")
}

/// Records `count` payments of `amount` at once, each on its own connection; how many were
/// recorded and the problems of the others.
async fn at_once(
    pool: &PgPool,
    contract_id: i64,
    kind: PaymentKind,
    amount: i64,
    count: usize,
    tag: &str,
) -> (usize, Vec<PaymentProblem>) {
    let by = accountant(pool).await;
    let day = crate::helpers::today();
    let tasks: Vec<_> = (0..count)
        .map(|n| {
            let pool = pool.clone();
            let voucher = format!("PC-{tag}-{n}");
            tokio::spawn(async move {
                let mut tx = pool.begin().await.expect("begin");
                let payment = NewPayment {
                    contract_id,
                    kind,
                    amount,
                    paid_on: day,
                    voucher_number: &voucher,
                    note: "",
                    recorded_by: by,
                };
                let outcome = payments::record(&mut tx, &payment).await.expect("record");
                tx.commit().await.expect("commit");
                outcome
            })
        })
        .collect();
    let mut recorded = 0;
    let mut problems = Vec::new();
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => recorded += 1,
            Err(problem) => problems.push(problem),
        }
    }
    (recorded, problems)
}

#[sqlx::test]
async fn payments_recorded_at_once_never_pass_the_share_or_the_support(pool: PgPool) {
    let world = World::new(pool).await;
    let app = &world.app;
    let (_, contract, support, _, _) = world.running().await;
    // Eight advances of 30% at once: two fit under the 70% share.
    let (recorded, problems) = at_once(
        &app.pool,
        contract,
        PaymentKind::Advance,
        support * 3 / 10,
        8,
        "A",
    )
    .await;
    assert_eq!(recorded, 2);
    assert!(
        problems
            .iter()
            .all(|p| *p == PaymentProblem::AboveAdvanceShare)
    );
    // Then final payments of 30% at once: one fits under the support.
    let (recorded, problems) = at_once(
        &app.pool,
        contract,
        PaymentKind::Final,
        support * 3 / 10,
        6,
        "F",
    )
    .await;
    assert_eq!(recorded, 1);
    assert!(problems.iter().all(|p| *p == PaymentProblem::AboveSupport));
    let (advanced, paid, count): (i64, i64, i64) = sqlx::query_as(
        "select c.advanced, c.paid, (select count(*) from payments where contract_id = c.id) \
         from contracts c where c.id = $1",
    )
    .bind(contract)
    .fetch_one(&app.pool)
    .await
    .expect("totals");
    assert_eq!(advanced, support * 3 / 10 * 2);
    assert_eq!(paid, support * 3 / 10 * 3);
    assert_eq!(count, 3);
    // The database holds the line too, whatever writes to it.
    let refused = sqlx::query("update contracts set paid = approved_support + 1 where id = $1")
        .bind(contract)
        .execute(&app.pool)
        .await;
    assert!(refused.is_err());
    let refused = sqlx::query("update contracts set advanced = approved_support where id = $1")
        .bind(contract)
        .execute(&app.pool)
        .await;
    assert!(refused.is_err());
    // A voucher number is used once in the province.
    let used: String =
        sqlx::query_scalar("select voucher_number from payments where contract_id = $1 limit 1")
            .bind(contract)
            .fetch_one(&app.pool)
            .await
            .expect("a voucher");
    let mut tx = app.pool.begin().await.expect("begin");
    let again = NewPayment {
        contract_id: contract,
        kind: PaymentKind::Recovery,
        amount: 1,
        paid_on: crate::helpers::today(),
        voucher_number: &used,
        note: "",
        recorded_by: accountant(&app.pool).await,
    };
    assert!(payments::record(&mut tx, &again).await.is_err());
}
