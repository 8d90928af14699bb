//! Registering facilities: found without diacritics, a duplicate tax code, bad input.

use reqwest::StatusCode;
use scraper::Html;
use sqlx::PgPool;

use crate::helpers::{attrs, count, text, texts};
use crate::world::{World, changed, commune_id, facility_form};

#[sqlx::test]
async fn a_local_officer_registers_a_facility_and_finds_it_without_diacritics(pool: PgPool) {
    let world = World::new(pool).await;
    let app = world.as_user("pkt.phubinh").await;
    let unit = commune_id(&app.pool, "05917").await.to_string();
    let response = app
        .post_form(
            "/facilities/new",
            &facility_form(&unit, "4609990001", "Hợp tác xã Chè Tân Khánh Xanh"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.page("/facilities?q=che+tan+khanh+xanh").await;
    assert_eq!(
        texts(&page, "main table tbody tr td:first-child"),
        ["Hợp tác xã Chè Tân Khánh Xanh"]
    );
    // A last word still being typed is completed from the words the records hold, new
    // ones included ("xanh" came with this facility).
    let page = app.page("/facilities?q=tan+khanh+xan").await;
    assert_eq!(
        texts(&page, "main table tbody tr td:first-child"),
        ["Hợp tác xã Chè Tân Khánh Xanh"]
    );
    let facility = app
        .page(&attrs(&page, "main table tbody a", "href")[0])
        .await;
    assert!(text(&facility, ".eligibility h2").contains("Đủ điều kiện"));
}

#[sqlx::test]
async fn a_duplicate_tax_code_shows_the_existing_facility(pool: PgPool) {
    let world = World::new(pool).await;
    let app = world.as_user("pkt.phubinh").await;
    world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    let (existing_id, existing_tax): (i64, String) =
        sqlx::query_as("select id, tax_code from facilities order by id limit 1")
            .fetch_one(&app.pool)
            .await
            .expect("one");
    let unit = commune_id(&app.pool, "05917").await.to_string();
    let response = app
        .post_form(
            "/facilities/new",
            &facility_form(&unit, &existing_tax, "Tên khác"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&response.text().await.expect("body"));
    assert!(attrs(&page, ".flash-info a", "href").contains(&format!("/facilities/{existing_id}")));
    assert_eq!(
        attrs(&page, "input[name='name']", "value"),
        ["Tên khác"],
        "values kept"
    );
}

#[sqlx::test]
async fn bad_facility_input_comes_back_and_nothing_is_saved(pool: PgPool) {
    let world = World::new(pool).await;
    let app = world.as_user("pkt.phubinh").await;
    let before = count(&app.pool, "select count(*) from facilities").await;
    let unit = commune_id(&app.pool, "05917").await.to_string();
    let other_area: i64 = sqlx::query_scalar(
        "select id from admin_units where code = '05767' and valid_from is null",
    )
    .fetch_one(&app.pool)
    .await
    .expect("Đại Từ commune");
    let other_area = other_area.to_string();
    let long = "x".repeat(100_000);
    let cases: Vec<(&str, &str)> = vec![
        ("tax_code", "12345"),
        ("name", "Có\0NUL"),
        ("name", long.as_str()),
        ("annual_revenue", "-5"),
        ("annual_revenue", "999999999999999999999999"),
        ("workers", "nhiều"),
        ("unit_id", other_area.as_str()),
        ("email", "không phải email"),
    ];
    for (field, value) in cases {
        let form = changed(
            facility_form(&unit, "4609990002", "Cơ sở thử"),
            &[(field, value)],
        );
        let response = app.post_form("/facilities/new", &form).await;
        assert!(
            [
                StatusCode::UNPROCESSABLE_ENTITY,
                StatusCode::PAYLOAD_TOO_LARGE
            ]
            .contains(&response.status()),
            "{field}={}: {}",
            value.chars().take(20).collect::<String>(),
            response.status()
        );
        if response.status() == StatusCode::UNPROCESSABLE_ENTITY {
            let page = Html::parse_document(&response.text().await.expect("body"));
            assert!(
                !texts(&page, ".field-error").is_empty(),
                "{field}: a message by the field"
            );
        }
    }
    assert_eq!(
        count(&app.pool, "select count(*) from facilities").await,
        before
    );
}
