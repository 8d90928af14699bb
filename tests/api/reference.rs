//! Reference data and rules: the administrator adds, edits and ends rows; bad forms come
//! back; other roles read at most; the rule in force is found on a date.

use khuyencong::db::rules;
use khuyencong::domain::proposal::ProposalLevel;
use reqwest::StatusCode;
use scraper::Html;
use sqlx::PgPool;
use time::macros::date;

use crate::helpers::{PASSWORD, TestApp, assert_redirect, attrs, count, text, texts, user_id};
use crate::world::World;

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

#[sqlx::test]
async fn the_seeded_caps_are_listed_with_their_legal_basis_in_both_languages(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("admin", PASSWORD).await;
    let index = app.page("/admin/reference").await;
    assert_eq!(
        attrs(&index, "main ul a", "href"),
        [
            "/admin/reference/sectors",
            "/admin/reference/activity-types",
            "/admin/reference/caps",
            "/admin/reference/required-documents",
            "/admin/reference/criteria",
            "/admin/reference/advances",
            "/admin/reference/national-deadlines",
            "/admin/reference/evidence",
            "/admin/reference/adjustments",
            "/admin/reference/reporting",
            "/admin/reference/funding-sources",
            "/admin/reference/priority-areas",
        ]
    );
    assert!(
        attrs(&index, "nav.mainnav a", "href").contains(&"/admin/reference".to_owned()),
        "a navigation link"
    );

    let page = app.page("/admin/reference/caps").await;
    let rules = texts(&page, "td.cap-rule");
    assert_eq!(rules.len(), 8, "4 national caps and 4 local defaults");
    assert!(rules.iter().any(|r| r.starts_with(
        "Tối đa 50% chi phí nhưng không quá 300.000.000 ₫/cơ sở (Thông tư 28/2018/TT-BTC, Điều 8.4)"
    )));
    assert!(rules.iter().any(|r| r.contains(
        "Tối đa 50% chi phí nhưng không quá 450.000.000 ₫/cơ sở, tức 1,5 lần mức 300.000.000 ₫ đối với dây chuyền công nghệ"
    )));
    assert!(
        rules
            .iter()
            .any(|r| r.contains("— chờ nghị quyết của HĐND tỉnh"))
    );
    assert!(
        rules
            .iter()
            .any(|r| r == "Tối đa 30% chi phí nhưng không quá 1.000.000.000 ₫/mô hình (Thông tư 28/2018/TT-BTC, Điều 8.2)")
    );

    let english = app.page("/admin/reference/caps?lang=en").await;
    assert!(texts(&english, "td.cap-rule").iter().any(|r| r.starts_with(
        "At most 50% of the cost and no more than 300.000.000 ₫ per establishment (Thông tư 28/2018/TT-BTC, Điều 8.4)"
    )));

    for path in [
        "/admin/reference/sectors",
        "/admin/reference/activity-types",
        "/admin/reference/required-documents",
        "/admin/reference/priority-areas",
    ] {
        app.page(path).await;
    }
    let documents = app.page("/admin/reference/required-documents").await;
    assert!(texts(&documents, "tbody tr").len() > 100);
}

#[sqlx::test]
async fn an_administrator_adds_a_cap_that_takes_over_and_ends_the_default(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("admin", PASSWORD).await;
    let admin = user_id(&app.pool, "admin").await;
    let before = rows_in(&app, "support_caps").await;

    let response = app
        .post_form("/admin/reference/caps/new", &pairs(&cap_form()))
        .await;
    assert_redirect(&response, "/admin/reference/caps");
    assert_eq!(rows_in(&app, "support_caps").await, before + 1);
    let page = app.page("/admin/reference/caps").await;
    assert_eq!(
        text(&page, ".flash"),
        "Đã lưu: Nghị quyết 99/2026/NQ-HĐND tỉnh Thái Nguyên, Điều 3."
    );
    let (percent_bp, max_amount, num, den, created_by): (i32, i64, i32, i32, i64) = sqlx::query_as(
        "select percent_bp, max_amount, multiplier_num, multiplier_den, created_by
             from support_caps where legal_ref like 'Nghị quyết 99/2026%'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("new cap");
    assert_eq!(
        (percent_bp, max_amount, num, den, created_by),
        (4_000, 250_000_000, 3, 2, admin)
    );

    // Before its start the default applies; from its start, the new rule (the later start).
    let in_force = |on| rules::cap_in_force(&app.pool, "machinery", ProposalLevel::Local, "19", on);
    let old = in_force(date!(2026 - 12 - 31))
        .await
        .expect("query")
        .expect("a rule");
    assert!(
        old.legal_ref
            .starts_with("Mặc định theo mức khuyến công quốc gia")
    );
    let new = in_force(date!(2027 - 01 - 01))
        .await
        .expect("query")
        .expect("a rule");
    assert_eq!(new.rule.percent_bp(), 4_000);

    // The default is ended the day the resolution starts.
    let default_rule = format!("/admin/reference/caps/{}", old.id);
    let response = end(&app, &default_rule, "2027-01-01").await;
    assert_redirect(&response, "/admin/reference/caps");
    let page = app.page("/admin/reference/caps").await;
    assert_eq!(
        text(&page, ".flash"),
        "Đã kết thúc hiệu lực từ ngày 01/01/2027."
    );
    assert_eq!(
        cap_valid_to(&app, old.id).await,
        Some(date!(2027 - 01 - 01)),
        "row kept"
    );
    let candidates =
        rules::caps_in_force_at_level(&app.pool, ProposalLevel::Local, "19", date!(2027 - 06 - 01))
            .await
            .expect("query");
    let machinery: Vec<_> = candidates
        .iter()
        .filter(|c| c.activity_type_code == "machinery")
        .collect();
    assert_eq!(machinery.len(), 1, "only the new rule is in force then");

    // Ending it again, later, is refused: the rule already ended.
    let end_again = format!("{default_rule}/end");
    let html = refused(&app, &end_again, &[("end_on", "2027-06-01")], "ended").await;
    assert_eq!(
        text(&html, "#end_on-error"),
        "Dòng này đã hết hiệu lực từ ngày đó hoặc sớm hơn."
    );
    assert_eq!(
        attrs(&html, "input[name='end_on']", "value"),
        ["2027-06-01"]
    );

    // No local rule anywhere else, and none for training.
    assert!(
        rules::cap_in_force(
            &app.pool,
            "machinery",
            ProposalLevel::Local,
            "01",
            date!(2026 - 06 - 01)
        )
        .await
        .expect("query")
        .is_err()
    );
    let no_rule = rules::cap_in_force(
        &app.pool,
        "training",
        ProposalLevel::National,
        "19",
        date!(2026 - 06 - 01),
    )
    .await
    .expect("query");
    assert!(no_rule.is_err());
    let national = rules::cap_in_force(
        &app.pool,
        "machinery",
        ProposalLevel::National,
        "19",
        date!(2026 - 06 - 01),
    )
    .await
    .expect("query")
    .expect("the national cap");
    assert_eq!(national.province_code, None);
    assert_eq!(national.legal_ref, "Thông tư 28/2018/TT-BTC, Điều 8.4");
}

#[sqlx::test]
async fn an_administrator_edits_a_cap_and_the_form_shows_its_values(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("admin", PASSWORD).await;
    let id = cap_id(&app, "demonstration_model", "local").await;
    let page = app.page(&format!("/admin/reference/caps/{id}/edit")).await;
    assert_eq!(attrs(&page, "input[name='percent']", "value"), ["30"]);
    assert_eq!(
        attrs(&page, "input[name='max_amount']", "value"),
        ["1.000.000.000"]
    );
    assert_eq!(
        attrs(&page, "input[name='valid_from']", "value"),
        ["2018-05-11"]
    );
    assert_eq!(
        attrs(
            &page,
            "select[name='province_code'] option[selected]",
            "value"
        ),
        ["19"]
    );
    let machinery = cap_id(&app, "machinery", "national").await;
    let page = app
        .page(&format!("/admin/reference/caps/{machinery}/edit"))
        .await;
    assert_eq!(attrs(&page, "input[name='multiplier']", "value"), ["1,5"]);
    assert_eq!(
        text(&page, "p.lead"),
        "Tối đa 50% chi phí nhưng không quá 300.000.000 ₫/cơ sở (Thông tư 28/2018/TT-BTC, Điều 8.4)"
    );
    let updated_before: time::OffsetDateTime =
        sqlx::query_scalar("select updated_at from support_caps where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .expect("row");
    let mut form = cap_form();
    form = with(&form, "activity_type_code", "demonstration_model");
    form = with(&form, "percent", "30");
    form = with(&form, "max_amount", "800000000");
    form = with(&form, "cap_unit", "model");
    form = with(&form, "multiplier", "");
    form = with(&form, "multiplier_label_vi", "");
    form = with(&form, "multiplier_label_en", "");
    form = with(&form, "valid_from", "2018-05-11");
    let response = app
        .post_form(&format!("/admin/reference/caps/{id}/edit"), &pairs(&form))
        .await;
    assert_redirect(&response, "/admin/reference/caps");
    let (max, updated_after): (i64, time::OffsetDateTime) =
        sqlx::query_as("select max_amount, updated_at from support_caps where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .expect("row");
    assert_eq!(max, 800_000_000);
    assert!(updated_after > updated_before, "updated_at kept");
}

#[sqlx::test]
async fn a_bad_cap_form_comes_back_with_its_values_and_nothing_is_saved(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("admin", PASSWORD).await;
    let before = rows_in(&app, "support_caps").await;
    let long = "x".repeat(100_000);
    let base = cap_form();
    // What is wrong, the field changed from the good form and its value, the field blamed.
    let cases: [(&str, &str, &str, &str); 20] = [
        ("percent over 100", "percent", "101", "percent"),
        ("negative percent", "percent", "-5", "percent"),
        ("three decimals", "percent", "12,345", "percent"),
        ("negative maximum", "max_amount", "-1", "max_amount"),
        (
            "overflowing maximum",
            "max_amount",
            "99999999999999999999",
            "max_amount",
        ),
        (
            "maximum times multiplier overflows",
            "max_amount",
            "9223372036854775807",
            "multiplier",
        ),
        ("end before start", "valid_to", "2026-12-31", "valid_to"),
        ("no start", "valid_from", "", "valid_from"),
        ("bad date", "valid_from", "31/02/2027", "valid_from"),
        (
            "unknown activity type",
            "activity_type_code",
            "alchemy",
            "activity_type_code",
        ),
        ("unknown level", "level", "regional", "level"),
        ("unknown province", "province_code", "99", "province_code"),
        (
            "national rule for one province",
            "level",
            "national",
            "province_code",
        ),
        ("unknown unit", "cap_unit", "bushel", "cap_unit"),
        (
            "multiplier without its case",
            "multiplier_label_en",
            "",
            "multiplier_label_en",
        ),
        ("bad multiplier", "multiplier", "0", "multiplier"),
        (
            "NUL in the legal basis",
            "legal_ref",
            "Điều\u{0}8",
            "legal_ref",
        ),
        ("100 kB legal basis", "legal_ref", &long, "legal_ref"),
        (
            "100 kB case",
            "multiplier_label_vi",
            &long,
            "multiplier_label_vi",
        ),
        (
            "same scope, same start as the seeded default",
            "valid_from",
            "2018-05-11",
            "valid_from",
        ),
    ];
    for (what, changed, value, field) in cases {
        let form = with(&base, changed, value);
        let page = refused(&app, "/admin/reference/caps/new", &pairs(&form), what).await;
        assert!(
            !text(&page, &format!("#{field}-error")).is_empty(),
            "{what}: a message by {field}"
        );
        let sent = |name: &str| sent(&form, name);
        for name in [
            "percent",
            "max_amount",
            "multiplier",
            "valid_from",
            "valid_to",
        ] {
            assert_eq!(
                attrs(&page, &format!("input[name='{name}']"), "value"),
                [sent(name)],
                "{what}: {name} kept"
            );
        }
        assert_eq!(
            attrs(
                &page,
                "select[name='activity_type_code'] option[selected]",
                "value"
            ),
            if sent("activity_type_code") == "alchemy" {
                Vec::<String>::new()
            } else {
                vec![sent("activity_type_code")]
            },
            "{what}: activity type kept"
        );
    }
    assert_eq!(rows_in(&app, "support_caps").await, before, "nothing saved");
}

#[sqlx::test]
async fn an_administrator_adds_and_ends_a_required_document(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("admin", PASSWORD).await;
    let documents = |on| rules::required_documents_in_force(&app.pool, "machinery", on);
    let before = documents(date!(2027 - 06 - 01)).await.expect("query");
    let codes: Vec<&str> = before
        .iter()
        .map(|d| d.document_kind_code.as_str())
        .collect();
    assert_eq!(
        codes,
        [
            "cover_letter",
            "proposal_text",
            "budget_estimate",
            "support_request",
            "business_registration",
            "financial_statement",
            "quotation",
            "premises_papers",
            "counterpart_commitment",
            "no_double_funding",
            "photos",
        ]
    );
    let premises = |docs: &[rules::RequiredDocument]| {
        docs.iter()
            .find(|d| d.document_kind_code == "premises_papers")
            .map(|d| d.required)
    };
    assert_eq!(premises(&before), Some(false), "recommended by default");

    let response = app
        .post_form(
            "/admin/reference/required-documents/new",
            &[
                ("activity_type_code", "machinery"),
                ("document_kind_code", "premises_papers"),
                ("requirement", "required"),
                ("legal_ref", "Quyết định 12/2027/QĐ-UBND, Điều 5"),
                ("valid_from", "2027-01-01"),
                ("valid_to", ""),
            ],
        )
        .await;
    assert_redirect(&response, "/admin/reference/required-documents");
    let after = documents(date!(2027 - 06 - 01)).await.expect("query");
    assert_eq!(after.len(), before.len(), "one row per document kind");
    assert_eq!(premises(&after), Some(true), "the later row wins");
    assert_eq!(
        premises(&documents(date!(2026 - 06 - 01)).await.expect("query")),
        Some(false)
    );

    // The quotation is no longer asked for from 2028.
    let quotation: i64 = sqlx::query_scalar(
        "select id from required_documents
         where activity_type_code = 'machinery' and document_kind_code = 'quotation'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("seeded row");
    let quotation = format!("/admin/reference/required-documents/{quotation}");
    let response = end(&app, &quotation, "2028-01-01").await;
    assert_redirect(&response, "/admin/reference/required-documents");
    let later = documents(date!(2028 - 01 - 01)).await.expect("query");
    assert!(later.iter().all(|d| d.document_kind_code != "quotation"));
    assert!(
        documents(date!(2027 - 12 - 31))
            .await
            .expect("query")
            .iter()
            .any(|d| d.document_kind_code == "quotation"),
        "history kept"
    );

    // Bad forms: nothing saved.
    let rows = rows_in(&app, "required_documents").await;
    let base = fields(&[
        ("activity_type_code", "machinery"),
        ("document_kind_code", "quotation"),
        ("requirement", "required"),
        ("legal_ref", "Điều 5"),
        ("valid_from", ""),
        ("valid_to", ""),
    ]);
    let cases: [(&str, &[(&str, &str)]); 6] = [
        ("unknown kind", &[("document_kind_code", "horoscope")]),
        ("unknown activity", &[("activity_type_code", "alchemy")]),
        ("no requirement", &[("requirement", "maybe")]),
        ("no legal basis", &[("legal_ref", "  ")]),
        (
            "end before start",
            &[("valid_from", "2027-01-01"), ("valid_to", "2026-01-01")],
        ),
        (
            "duplicate of the seeded row",
            &[("document_kind_code", "photos")],
        ),
    ];
    for (what, changes) in cases {
        let form = changes.iter().fold(base.clone(), |form, (field, value)| {
            with(&form, field, value)
        });
        let page = refused(
            &app,
            "/admin/reference/required-documents/new",
            &pairs(&form),
            what,
        )
        .await;
        assert!(!texts(&page, ".field-error").is_empty(), "{what}");
        assert_eq!(
            attrs(&page, "input[name='valid_from']", "value"),
            [sent(&form, "valid_from")],
            "{what}"
        );
    }
    assert_eq!(rows_in(&app, "required_documents").await, rows);
}

#[sqlx::test]
async fn sectors_and_activity_types_are_added_edited_and_ended(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("admin", PASSWORD).await;
    let sector = [
        ("code", "digital_products"),
        ("name_vi", "Sản phẩm số"),
        ("name_en", "Digital products"),
        ("legal_ref", "Nghị định 235/2025/NĐ-CP"),
        ("valid_from", "2025-10-15"),
        ("valid_to", ""),
        ("sort_order", "8"),
    ];
    let response = app.post_form("/admin/reference/sectors/new", &sector).await;
    assert_redirect(&response, "/admin/reference/sectors");
    let page = refused(&app, "/admin/reference/sectors/new", &sector, "taken").await;
    assert_eq!(text(&page, "#code-error"), "Mã này đã có.");

    let edit = app
        .page("/admin/reference/sectors/digital_products/edit")
        .await;
    assert_eq!(
        attrs(&edit, "input[name='name_en']", "value"),
        ["Digital products"]
    );
    let mut renamed = sector.to_vec();
    renamed[2] = ("name_en", "Digital goods");
    let response = app
        .post_form("/admin/reference/sectors/digital_products/edit", &renamed)
        .await;
    assert_redirect(&response, "/admin/reference/sectors");
    let name: String =
        sqlx::query_scalar("select name_en from sectors where code = 'digital_products'")
            .fetch_one(&app.pool)
            .await
            .expect("sector");
    assert_eq!(name, "Digital goods");

    let digital = "/admin/reference/sectors/digital_products";
    refused(
        &app,
        &format!("{digital}/end"),
        &[("end_on", "2025-01-01")],
        "before its start",
    )
    .await;
    let response = end(&app, digital, "2030-01-01").await;
    assert_redirect(&response, "/admin/reference/sectors");

    // Bad forms.
    let sectors = rows_in(&app, "sectors").await;
    for (field, value) in [
        ("code", "Bad Code"),
        ("code", "x".repeat(41).as_str()),
        ("name_vi", ""),
        ("name_en", "a\u{0}b"),
        ("sort_order", "-1"),
        ("valid_to", "2020-01-01"),
    ] {
        let mut form = sector.to_vec();
        form[0] = ("code", "another_sector");
        if let Some(slot) = form.iter_mut().find(|(k, _)| *k == field) {
            slot.1 = value;
        }
        let what = format!("{field}={value:?}");
        let page = refused(&app, "/admin/reference/sectors/new", &form, &what).await;
        assert!(
            !text(&page, &format!("#{field}-error")).is_empty(),
            "{field}"
        );
    }
    assert_eq!(rows_in(&app, "sectors").await, sectors);

    // Activity types have a group 1–9.
    let edit = app
        .page("/admin/reference/activity-types/machinery/edit")
        .await;
    assert_eq!(attrs(&edit, "input[name='group_no']", "value"), ["3"]);
    let form = [
        ("group_no", "10"),
        ("name_vi", "Ứng dụng máy móc tiên tiến"),
        ("name_en", "Advanced machinery"),
        ("legal_ref", "Nghị định 45/2012/NĐ-CP, Điều 4.3"),
        ("valid_from", ""),
        ("valid_to", ""),
        ("sort_order", "32"),
    ];
    let machinery = "/admin/reference/activity-types/machinery/edit";
    refused(&app, machinery, &form, "group 10").await;
    let mut good = form.to_vec();
    good[0] = ("group_no", "3");
    let response = app.post_form(machinery, &good).await;
    assert_redirect(&response, "/admin/reference/activity-types");
    assert_eq!(
        app.get("/admin/reference/activity-types/nothing/edit")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test]
async fn a_priority_area_is_picked_by_province_then_commune(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("admin", PASSWORD).await;
    let page = app.page("/admin/reference/priority-areas/new").await;
    assert_eq!(
        attrs(&page, "select[name='province'] option[selected]", "value"),
        ["19"],
        "the administrator's province first"
    );
    let communes = attrs(&page, "select[name='unit_id'] option", "value");
    assert!(
        communes.len() > 50,
        "Thái Nguyên's communes: {}",
        communes.len()
    );
    let other = app
        .page("/admin/reference/priority-areas/new?province=04")
        .await;
    assert_eq!(
        attrs(&other, "input[type='hidden'][name='province']", "value"),
        ["04"]
    );
    assert_ne!(
        attrs(&other, "select[name='unit_id'] option", "value"),
        communes,
        "Cao Bằng's communes"
    );
    assert_eq!(
        app.get("/admin/reference/priority-areas/new?province=x")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );

    let phong_quang = commune_id(&app, "01849").await.to_string();
    let form = area_form("19", &phong_quang, "ethnic_minority", "2021-06-04");
    let response = app
        .post_form("/admin/reference/priority-areas/new", &form)
        .await;
    assert_redirect(&response, "/admin/reference/priority-areas");
    let list = app.page("/admin/reference/priority-areas").await;
    assert!(
        texts(&list, "tbody tr")
            .iter()
            .any(|row| row.contains("Xã Phong Quang"))
    );
    let areas = rules::priority_areas_in_force(
        &app.pool,
        phong_quang.parse().expect("id"),
        date!(2026 - 06 - 01),
    )
    .await
    .expect("query");
    assert_eq!(areas.len(), 1);
    assert_eq!(areas[0].kind.rank(), 1);

    // A commune of another province, or none at all, is refused.
    let rows = rows_in(&app, "priority_areas").await;
    let cao_bang: i64 = sqlx::query_scalar(
        "select id from admin_units where level = 'commune' and province_code = '04'
         and valid_from = '2025-07-01' order by code limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("commune");
    for (province, unit, kind) in [
        ("19", cao_bang.to_string(), "upland"),
        ("99", String::new(), "upland"),
        ("19", "abc".to_owned(), "upland"),
        ("19", phong_quang.clone(), "volcanic"),
    ] {
        let form = area_form(province, &unit, kind, "");
        let what = format!("{province}/{unit}/{kind}");
        let page = refused(&app, "/admin/reference/priority-areas/new", &form, &what).await;
        assert!(!texts(&page, ".field-error").is_empty());
        assert_eq!(
            text(&page, "textarea[name='legal_ref']"),
            "Quyết định 861/QĐ-TTg"
        );
    }
    assert_eq!(rows_in(&app, "priority_areas").await, rows);
}

#[sqlx::test]
async fn other_roles_cannot_change_rules_and_only_some_may_read_them(pool: PgPool) {
    let world = World::of_every_role(pool).await;
    let app = &world.app;
    let cap = cap_id(app, "machinery", "national").await;
    let caps = rows_in(app, "support_caps").await;
    let sectors = rows_in(app, "sectors").await;
    let readers = ["canbo", "giamdoc", "so.congthuong"];
    for username in crate::world::everyone_but_admin() {
        let user = app.with_client(app.login_new_client(username, PASSWORD).await);
        let expected = if readers.contains(&username) {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        for path in [
            "/admin/reference",
            "/admin/reference/sectors",
            "/admin/reference/activity-types",
            "/admin/reference/caps",
            "/admin/reference/required-documents",
            "/admin/reference/priority-areas",
        ] {
            assert_eq!(user.get(path).await.status(), expected, "{username} {path}");
        }
        for path in [
            "/admin/reference/caps/new".to_owned(),
            format!("/admin/reference/caps/{cap}/edit"),
            "/admin/reference/sectors/new".to_owned(),
            "/admin/reference/sectors/handicrafts/edit".to_owned(),
            "/admin/reference/required-documents/new".to_owned(),
            "/admin/reference/priority-areas/new".to_owned(),
        ] {
            assert_eq!(
                user.get(&path).await.status(),
                StatusCode::FORBIDDEN,
                "{username} GET {path}"
            );
        }
        let create = user
            .post_form("/admin/reference/caps/new", &pairs(&cap_form()))
            .await;
        assert_eq!(create.status(), StatusCode::FORBIDDEN, "{username}");
        let ended = end(&user, &format!("/admin/reference/caps/{cap}"), "2027-01-01").await;
        assert_eq!(ended.status(), StatusCode::FORBIDDEN, "{username}");
        let sector = user
            .post_form(
                "/admin/reference/sectors/new",
                &[
                    ("code", "sneaky"),
                    ("name_vi", "x"),
                    ("name_en", "x"),
                    ("legal_ref", "x"),
                    ("sort_order", "1"),
                ],
            )
            .await;
        assert_eq!(sector.status(), StatusCode::FORBIDDEN, "{username}");
    }
    // A reader sees no way to change anything.
    let staff = app.with_client(app.login_new_client("canbo", PASSWORD).await);
    let page = staff.page("/admin/reference/caps").await;
    assert!(attrs(&page, "a[href*='/edit'], a[href$='/new']", "href").is_empty());
    assert!(attrs(&page, "nav.mainnav a", "href").contains(&"/admin/reference".to_owned()));

    assert_eq!(rows_in(app, "support_caps").await, caps);
    assert_eq!(rows_in(app, "sectors").await, sectors);
    assert_eq!(cap_valid_to(app, cap).await, None);
}

#[sqlx::test]
async fn a_cross_site_post_to_the_rules_is_refused(pool: PgPool) {
    let app = World::new(pool).await.app;
    app.login("admin", PASSWORD).await;
    let caps = rows_in(&app, "support_caps").await;
    let response = app
        .client
        .post(app.url("/admin/reference/caps/new"))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .form(&pairs(&cap_form()))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let cap = cap_id(&app, "machinery", "national").await;
    let response = app
        .client
        .post(app.url(&format!("/admin/reference/caps/{cap}/end")))
        .header("origin", "https://evil.example")
        .form(&[("end_on", "2027-01-01")])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(rows_in(&app, "support_caps").await, caps);
    assert_eq!(cap_valid_to(&app, cap).await, None);
}
