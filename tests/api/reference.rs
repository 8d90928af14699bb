//! Reference data and rules: the administrator adds, edits and ends rows; bad forms come
//! back; other roles read at most; the rule in force is found on a date.

use reqwest::StatusCode;
use scraper::Html;

use crate::helpers::{TestApp, count};

mod caps;
mod tables;

/// How many rows `table` has.
async fn rows_in(app: &TestApp, table: &str) -> i64 {
    count(&app.pool, &format!("select count(*) from {table}")).await
}

/// The id of a seeded cap rule.
async fn cap_id(app: &TestApp, activity: &str, level: &str) -> i64 {
    sqlx::query_scalar(
        "select id from support_caps where activity_type_code = $1 and level::text = $2
         order by id limit 1",
    )
    .bind(activity)
    .bind(level)
    .fetch_one(&app.pool)
    .await
    .expect("seeded cap")
}

/// The id of a 2025 commune by its code.
async fn commune_id(app: &TestApp, code: &str) -> i64 {
    sqlx::query_scalar(
        "select id from admin_units where level = 'commune' and code = $1
         and valid_from = '2025-07-01'",
    )
    .bind(code)
    .fetch_one(&app.pool)
    .await
    .expect("commune")
}

/// A form's fields and values.
type Fields = Vec<(&'static str, String)>;

/// A complete, valid cap form; tests change one field at a time.
fn cap_form() -> Fields {
    fields(&[
        ("activity_type_code", "machinery"),
        ("level", "local"),
        ("province_code", "19"),
        ("percent", "40"),
        ("max_amount", "250.000.000"),
        ("cap_unit", "establishment"),
        ("multiplier", "1,5"),
        ("multiplier_label_vi", "dây chuyền công nghệ"),
        ("multiplier_label_en", "a technology line"),
        (
            "legal_ref",
            "Nghị quyết 99/2026/NQ-HĐND tỉnh Thái Nguyên, Điều 3",
        ),
        ("valid_from", "2027-01-01"),
        ("valid_to", ""),
    ])
}

/// A priority-area form under Quyết định 861/QĐ-TTg, open-ended.
fn area_form<'a>(
    province: &'a str,
    unit: &'a str,
    kind: &'a str,
    from: &'a str,
) -> [(&'static str, &'a str); 6] {
    [
        ("province", province),
        ("unit_id", unit),
        ("kind", kind),
        ("legal_ref", "Quyết định 861/QĐ-TTg"),
        ("valid_from", from),
        ("valid_to", ""),
    ]
}

/// A form from its fields and values.
fn fields(form: &[(&'static str, &str)]) -> Fields {
    form.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
}

/// The value sent for `name`.
fn sent(form: &[(&'static str, String)], name: &str) -> String {
    form.iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn with(form: &[(&'static str, String)], field: &str, value: &str) -> Fields {
    form.iter()
        .map(|(k, v)| {
            (
                *k,
                if *k == field {
                    value.to_owned()
                } else {
                    v.clone()
                },
            )
        })
        .collect()
}

fn pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Posts a form that must come back with 422 (`what` names the case); the page it shows.
async fn refused(app: &TestApp, path: &str, form: &[(&str, &str)], what: &str) -> Html {
    let response = app.post_form(path, form).await;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "{what}"
    );
    Html::parse_document(&response.text().await.expect("body"))
}

/// Posts an end form (`end_on`) for a rule.
async fn end(app: &TestApp, rule: &str, on: &str) -> reqwest::Response {
    app.post_form(&format!("{rule}/end"), &[("end_on", on)])
        .await
}

/// The last day but one of a cap rule: its `valid_to`.
async fn cap_valid_to(app: &TestApp, id: i64) -> Option<time::Date> {
    sqlx::query_scalar("select valid_to from support_caps where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("cap")
}
