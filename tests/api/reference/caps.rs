//! Support caps: the seeded ones with their legal basis, a cap that takes over and ends the
//! default, editing, and a bad cap form.

use khuyencong::db::rules;
use khuyencong::domain::proposal::ProposalLevel;
use sqlx::PgPool;
use time::macros::date;

use super::{cap_form, cap_id, cap_valid_to, end, pairs, refused, rows_in, sent, with};
use crate::helpers::{PASSWORD, assert_redirect, attrs, text, texts, user_id};
use crate::world::World;

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
