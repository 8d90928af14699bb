//! Intake: registering facilities, preparing dossiers, submitting, screening, returning.

use khuyencong::domain::proposal::ProposalState;
use reqwest::StatusCode;
use scraper::Html;
use sqlx::PgPool;

use crate::helpers::version;
use crate::helpers::{attach_required_documents, attrs, count, text, texts};
use crate::world::{DAI_TU, World, dossier, draft};

mod facilities;

async fn state_of(pool: &PgPool, id: i64) -> (String, Option<String>) {
    sqlx::query_as("select state::text, code from proposals where id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .expect("state")
}

#[sqlx::test]
async fn a_dossier_goes_from_draft_to_submitted_returned_resubmitted_and_accepted(pool: PgPool) {
    let world = World::new(pool).await;
    let app = world.as_user("pkt.phubinh").await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;

    // A draft without its declaration cannot be submitted: the page says what is missing.
    let mut form = dossier(&tax, "Hỗ trợ ứng dụng máy sao chè tự động");
    form.retain(|(k, _)| *k != "no_double_funding");
    let id = draft(&app, &form).await;
    let (total, requested, counterpart): (i64, i64, i64) = sqlx::query_as(
        "select total_cost, requested_support, counterpart_funds from proposals where id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("sums");
    assert_eq!(
        (total, requested, counterpart),
        (400_000_000, 150_000_000, 250_000_000)
    );
    let v = version(&app.pool, id).await;
    let response = app
        .post_form(&format!("/proposals/{id}/submit"), &[("version", &v)])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&response.text().await.expect("body"));
    assert!(
        texts(&page, ".flash-error li").contains(&"Cam kết không trùng lặp kinh phí".to_owned())
    );
    assert_eq!(state_of(&app.pool, id).await.0, "draft");

    // Completed, with its documents, and submitted: a code is given.
    attach_required_documents(&app, id).await;
    let mut form = dossier(&tax, "Hỗ trợ ứng dụng máy sao chè tự động");
    let v = version(&app.pool, id).await;
    form.push(("version", &v));
    let response = app.post_form(&format!("/proposals/{id}/edit"), &form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let v = version(&app.pool, id).await;
    let response = app
        .post_form(&format!("/proposals/{id}/submit"), &[("version", &v)])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // A second click on "submit" changes nothing.
    let again = app
        .post_form(&format!("/proposals/{id}/submit"), &[("version", &v)])
        .await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let (state, code) = state_of(&app.pool, id).await;
    assert_eq!(state, "submitted");
    let code = code.expect("a code");
    assert!(code.starts_with("ĐP-2026-"), "{code}");
    assert_eq!(count(&app.pool, &format!("select count(*) from proposal_events where proposal_id = {id} and action = 'submit'")).await, 1);

    // The Centre returns it with what is missing and a due date.
    let centre = world.as_user("canbo").await;
    let v = version(&app.pool, id).await;
    let no_date = centre
        .post_form(
            &format!("/proposals/{id}/return"),
            &[("version", &v), ("missing_items", "Báo giá")],
        )
        .await;
    assert_eq!(no_date.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = centre
        .post_form(
            &format!("/proposals/{id}/return"),
            &[
                ("version", &v),
                ("missing_items", "Bổ sung báo giá máy sao chè"),
                ("due_date", "2099-12-31"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(state_of(&app.pool, id).await.0, "returned");
    let page = app.page(&format!("/proposals/{id}")).await;
    assert!(text(&page, ".return-request").contains("Bổ sung báo giá máy sao chè"));

    // The officer resubmits; the Centre accepts. The code stays the same.
    let v = version(&app.pool, id).await;
    assert_eq!(
        app.post_form(&format!("/proposals/{id}/resubmit"), &[("version", &v)])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let v = version(&app.pool, id).await;
    assert_eq!(
        centre
            .post_form(&format!("/proposals/{id}/accept"), &[("version", &v)])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        state_of(&app.pool, id).await,
        ("accepted".to_owned(), Some(code))
    );
    let actions: Vec<String> =
        sqlx::query_scalar("select action from proposal_events where proposal_id = $1 order by id")
            .bind(id)
            .fetch_all(&app.pool)
            .await
            .expect("events");
    let steps: Vec<&str> = actions
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "attach_document")
        .collect();
    assert_eq!(
        steps,
        ["create", "edit", "submit", "return", "resubmit", "accept"]
    );
    // Each step told the people concerned: the Centre of the submissions, the office of
    // the return and the acceptance (never the one who acted).
    let told = |user: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "select n.message_key from notifications n join users u on u.id = n.user_id \
                 where u.username = $1 and n.link = $2 order by n.id",
            )
            .bind(user)
            .bind(format!("/proposals/{id}"))
            .fetch_all(&pool)
            .await
            .expect("notifications")
        }
    };
    assert_eq!(
        told("canbo").await,
        ["notify.submitted", "notify.submitted"]
    );
    assert_eq!(
        told("pkt.phubinh").await,
        ["notify.returned", "notify.accepted"]
    );
}

#[sqlx::test]
async fn a_stale_edit_is_refused(pool: PgPool) {
    let world = World::new(pool).await;
    let app = world.as_user("pkt.phubinh").await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    let id = draft(&app, &dossier(&tax, "Đề án A")).await;
    let v = version(&app.pool, id).await;
    let mut first = dossier(&tax, "Đề án A, sửa lần 1");
    first.push(("version", &v));
    assert_eq!(
        app.post_form(&format!("/proposals/{id}/edit"), &first)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let mut second = dossier(&tax, "Đề án A, sửa lần 2 từ bản cũ");
    second.push(("version", &v));
    let response = app
        .post_form(&format!("/proposals/{id}/edit"), &second)
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let title: String = sqlx::query_scalar("select title from proposals where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("t");
    assert_eq!(title, "Đề án A, sửa lần 1");
}

#[sqlx::test]
async fn bad_budget_lines_come_back_with_their_values(pool: PgPool) {
    let world = World::new(pool).await;
    let app = world.as_user("pkt.phubinh").await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    let before = count(&app.pool, "select count(*) from proposals").await;
    for (field, value) in [
        ("line_price", "9.223.372.036.854.775.807"),
        ("line_support", "999.000.000"),
        ("line_price", "-1"),
        ("line_quantity", "0"),
        ("start_date", "2026-02-30"),
        ("title", "Tên\0lạ"),
        ("facility_tax_codes", "0000000000"),
    ] {
        let mut form = dossier(&tax, "Đề án lỗi");
        let position = form.iter().position(|(k, _)| *k == field).expect("field");
        form[position] = (field, value);
        let response = app.post_form("/proposals/new", &form).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}"
        );
        let page = Html::parse_document(&response.text().await.expect("body"));
        assert!(
            !texts(&page, ".field-error").is_empty(),
            "{field}: a message"
        );
        assert!(
            attrs(&page, "input[name='line_item']", "value")
                .contains(&"Máy sao chè tự động".to_owned()),
            "lines kept"
        );
    }
    assert_eq!(
        count(&app.pool, "select count(*) from proposals").await,
        before
    );
}

#[sqlx::test]
async fn a_dossier_names_only_beneficiaries_in_the_officers_area(pool: PgPool) {
    let world = World::new(pool).await;
    let first = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    let second = world.facility("Cơ sở Mộc Bảo Lý", "4609990098").await;
    let before = count(&world.app.pool, "select count(*) from proposals").await;
    // Đại Từ's officer cannot name a Phú Bình facility, nor a code no one registered.
    let daitu = world.as_user("pkt.daitu").await;
    for codes in [first.clone(), format!("{first}, 4609990097")] {
        let response = daitu
            .post_form("/proposals/new", &dossier(&codes, "Đề án ngoài địa bàn"))
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{codes}"
        );
        let page = Html::parse_document(&response.text().await.expect("body"));
        assert!(
            texts(&page, ".field-error")
                .iter()
                .any(|e| e.contains("không thuộc địa bàn của bạn")),
            "{codes}: the reason"
        );
        assert_eq!(
            attrs(&page, "input[name='facility_tax_codes']", "value"),
            [codes.as_str()],
            "codes kept"
        );
    }
    assert_eq!(
        count(&world.app.pool, "select count(*) from proposals").await,
        before
    );
    // Phú Bình's officer names both, one of them twice: each is a beneficiary once.
    let phubinh = world.as_user("pkt.phubinh").await;
    let codes = format!("{second}; {first}\n{second}");
    let id = draft(&phubinh, &dossier(&codes, "Đề án hai cơ sở")).await;
    let beneficiaries: i64 = sqlx::query_scalar(
        "select cardinality(beneficiary_ids)::int8 from proposals where id = $1",
    )
    .bind(id)
    .fetch_one(&world.app.pool)
    .await
    .expect("the draft");
    assert_eq!(beneficiaries, 2);
}

#[sqlx::test]
async fn only_the_right_roles_move_a_proposal(pool: PgPool) {
    let world = World::new(pool).await;
    let app = world.as_user("pkt.phubinh").await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    let id = draft(&app, &dossier(&tax, "Đề án phân quyền")).await;
    let v = version(&app.pool, id).await;
    for username in ["giamdoc", "thamdinh", "ketoan", "so.congthuong"] {
        let user = world.as_user(username).await;
        let response = user
            .post_form(&format!("/proposals/{id}/submit"), &[("version", &v)])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{username}");
    }
    let other_area = world.as_user("pkt.daitu").await;
    assert_eq!(
        other_area
            .post_form(&format!("/proposals/{id}/submit"), &[("version", &v)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    world.owner("coso.tankhanh", &tax).await;
    let owner = world.as_user("coso.tankhanh").await;
    assert_eq!(
        owner.get("/proposals/new").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(state_of(&app.pool, id).await.0, "draft");
}

#[sqlx::test]
async fn concurrent_submissions_get_distinct_codes(pool: PgPool) {
    let world = World::new(pool).await;
    let app = world.as_user("pkt.phubinh").await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let id = draft(&app, &dossier(&tax, &format!("Đề án song song {i}"))).await;
        attach_required_documents(&app, id).await;
        ids.push(id);
    }
    let mut submissions = Vec::new();
    for &id in &ids {
        let v = version(&app.pool, id).await;
        let client = app.client.clone();
        let url = app.url(&format!("/proposals/{id}/submit"));
        let origin = app.base.clone();
        submissions.push(tokio::spawn(async move {
            client
                .post(url)
                .header("origin", origin)
                .form(&[("version", v)])
                .send()
                .await
                .map(|r| r.status())
        }));
    }
    for submission in submissions {
        assert_eq!(
            submission.await.expect("task").expect("request"),
            StatusCode::SEE_OTHER
        );
    }
    let codes: Vec<String> =
        sqlx::query_scalar("select code from proposals where id = any($1) order by code")
            .bind(&ids)
            .fetch_all(&app.pool)
            .await
            .expect("codes");
    let mut unique = codes.clone();
    unique.dedup();
    assert_eq!(unique.len(), 6, "{codes:?}");
}

#[sqlx::test]
async fn the_list_searches_filters_and_counts(pool: PgPool) {
    let world = World::new(pool).await;
    let tea = world
        .facility("Hợp tác xã Chè Phúc Xuân", "4609990011")
        .await;
    let wood = world.facility("Cơ sở Mộc Bảo Lý", "4609990012").await;
    let far = world
        .facility_in(DAI_TU, "Cơ sở Chè La Bằng", "4609990013")
        .await;
    for (tax, title, state) in [
        (&tea, "Máy sao chè tự động", ProposalState::Submitted),
        (&tea, "Lò sấy chè", ProposalState::Accepted),
        (&wood, "Máy cưa gỗ", ProposalState::Submitted),
        (&far, "Máy vò chè", ProposalState::Submitted),
    ] {
        world.proposal(tax, title, state).await;
    }
    let app = world.as_user("canbo").await;
    let whole = texts(
        &app.page("/proposals?q=che+phuc+xuan").await,
        "main table tbody tr",
    );
    let typing = texts(
        &app.page("/proposals?q=che+phuc+xu").await,
        "main table tbody tr",
    );
    assert_eq!(whole, typing, "the last word is a prefix");
    let page = app.page("/proposals?q=che+phuc+xuan").await;
    let rows = texts(&page, "main table tbody tr");
    assert!(
        rows.iter().any(|r| r.contains("Hợp tác xã Chè Phúc Xuân")),
        "{rows:?}"
    );
    // Every word matches, wherever it is: the title, the beneficiary, the commune.
    assert!(
        rows.iter()
            .all(|r| r.contains("Phúc Xuân") && r.to_lowercase().contains("chè")),
        "{rows:?}"
    );
    assert_eq!(
        rows.len(),
        2,
        "the two proposals of the Phúc Xuân tea cooperative"
    );
    let page = app
        .page("/proposals?year=2026&state=submitted&level=local")
        .await;
    assert_eq!(
        texts(&page, "main table tbody tr").len(),
        3,
        "the three submitted"
    );
    let page = app.page("/proposals?year=2026").await;
    let counts = texts(&page, ".state-counts a");
    assert!(
        counts
            .iter()
            .any(|c| c.starts_with("Đã gửi, chờ kiểm tra") && c.ends_with('3')),
        "{counts:?}"
    );
    assert!(
        counts
            .iter()
            .any(|c| c.starts_with("Hồ sơ hợp lệ, chờ thẩm định") && c.ends_with('1')),
        "{counts:?}"
    );
    for bad in [
        "/proposals?state=nonsense",
        "/proposals?year=abc",
        "/proposals?level=x",
        "/proposals?unit=abc",
    ] {
        assert_eq!(
            app.get(bad).await.status(),
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
}

#[sqlx::test]
async fn a_request_above_the_cap_is_refused_with_the_rule_that_applies(pool: PgPool) {
    let world = World::new(pool).await;
    let app = world.as_user("pkt.phubinh").await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    let before = count(&app.pool, "select count(*) from proposals").await;
    // Machinery: at most 50% of the cost and 300.000.000 ₫ per establishment.
    let mut form = dossier(&tax, "Đề án vượt mức");
    let position = form
        .iter()
        .position(|(k, v)| *k == "line_support" && *v == "150.000.000")
        .expect("line");
    form[position] = ("line_support", "300.000.000");
    let response = app.post_form("/proposals/new", &form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&response.text().await.expect("body"));
    assert!(
        text(&page, ".cap-rule").contains("50%"),
        "{}",
        text(&page, ".cap-rule")
    );
    assert!(!text(&page, "#requested-error").is_empty());
    assert_eq!(
        count(&app.pool, "select count(*) from proposals").await,
        before
    );
    // Within the cap, the rule used is recorded.
    let id = draft(&app, &dossier(&tax, "Đề án trong mức")).await;
    let cap: Option<i64> = sqlx::query_scalar("select support_cap_id from proposals where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("cap");
    assert!(cap.is_some());
}

#[sqlx::test]
async fn the_centre_rejects_with_a_reason_and_the_submitter_may_withdraw(pool: PgPool) {
    let world = World::new(pool).await;
    let app = world.as_user("pkt.phubinh").await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;

    let to_reject = world
        .proposal(&tax, "Đề án bị từ chối", ProposalState::Submitted)
        .await;
    let centre = world.as_user("canbo").await;
    let v = version(&app.pool, to_reject).await;
    let no_reason = centre
        .post_form(
            &format!("/proposals/{to_reject}/reject"),
            &[("version", &v)],
        )
        .await;
    assert_eq!(
        no_reason.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required"
    );
    let response = centre
        .post_form(
            &format!("/proposals/{to_reject}/reject"),
            &[
                ("version", &v),
                ("reason", "Cơ sở sản xuất gạch nung bằng lò vòng"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(state_of(&app.pool, to_reject).await.0, "rejected");
    let page = app.page(&format!("/proposals/{to_reject}")).await;
    assert!(
        text(&page, ".timeline").contains("Cơ sở sản xuất gạch nung bằng lò vòng"),
        "the submitter reads why"
    );
    assert!(
        texts(&page, ".actions form").is_empty(),
        "nothing more can be done"
    );

    let to_withdraw = draft(&app, &dossier(&tax, "Đề án rút lại")).await;
    let v = version(&app.pool, to_withdraw).await;
    let centre_response = centre
        .post_form(
            &format!("/proposals/{to_withdraw}/accept"),
            &[("version", &v)],
        )
        .await;
    assert_eq!(
        centre_response.status(),
        StatusCode::CONFLICT,
        "a draft cannot be accepted"
    );
    assert_eq!(
        app.post_form(
            &format!("/proposals/{to_withdraw}/withdraw"),
            &[("version", &v)]
        )
        .await
        .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        state_of(&app.pool, to_withdraw).await,
        ("withdrawn".to_owned(), None)
    );
    let edit = app.get(&format!("/proposals/{to_withdraw}/edit")).await;
    assert_eq!(
        edit.status(),
        StatusCode::CONFLICT,
        "a withdrawn dossier is closed"
    );
    assert_eq!(
        app.post_form(
            &format!("/proposals/{to_withdraw}/nonsense"),
            &[("version", &v)]
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
}
