//! The other rule tables (required documents, sectors and activity types, priority areas),
//! and who may change or read the rules.

use khuyencong::db::rules;
use reqwest::StatusCode;
use sqlx::PgPool;
use time::macros::date;

use super::{
    area_form, cap_form, cap_id, cap_valid_to, commune_id, end, fields, pairs, refused, rows_in,
    sent, with,
};
use crate::helpers::{PASSWORD, assert_redirect, attrs, text, texts};
use crate::world::World;

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
