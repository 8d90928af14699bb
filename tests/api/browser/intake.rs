//! Intake and appraisal in a browser: a dossier from draft to accepted through three roles,
//! and an appraisal recorded on a phone at the facility.

use fantoccini::Locator;
use khuyencong::domain::proposal::ProposalState;
use sqlx::PgPool;

use super::{
    TypedDossier, assert_text, assert_text_starts, browser, choose_file, click,
    save_with_documents, screenshot, set_date, sign_in, sign_out, text_when, type_dossier,
    type_into, upload_in_browser, visit,
};
use crate::helpers::PASSWORD;
use crate::world::World;

/// The whole intake in a browser: the local officer prepares and submits a dossier, the
/// Centre returns it, the facility owner answers and resubmits, the Centre accepts.
#[sqlx::test]
async fn a_dossier_travels_from_draft_to_accepted_through_three_roles(pool: PgPool) {
    let world = World::of_every_role(pool).await;
    let app = &world.app;
    let browser = browser(1280, 1000).await;
    let client = &browser.client;

    // The local officer of Phú Bình starts from the facility's page.
    sign_in(client, app, "pkt.phubinh", PASSWORD).await;
    client
        .goto(&app.url("/facilities?q=hop+tac+xa+che+tan+khanh"))
        .await
        .expect("list");
    click(client, "main table tbody a").await;
    assert_text(client, "main h1", "Hợp tác xã Chè Tân Khánh").await;
    click(client, "a[href^='/proposals/new?facility=']").await;
    assert_text(client, "main h1", "Lập đề án").await;
    type_dossier(
        client,
        &TypedDossier {
            title: "Hỗ trợ ứng dụng máy đóng gói chè tự động",
            objectives: "Đóng gói chè đúng quy cách để bán vào siêu thị.",
            content: "Mua một máy đóng gói chè tự động.",
            start: "2026-05-01",
            end: "2026-09-30",
            item: "Máy đóng gói chè tự động",
            price: "320.000.000",
            support: "160.000.000",
            output: "40 tấn chè đóng gói/năm",
        },
    )
    .await;
    screenshot(client, "proposal-form").await;
    // The required documents, uploaded through the documents page one kind at a time.
    let (proposal_path, id) = save_with_documents(client, app).await;
    visit(client, app, &proposal_path).await;
    click(client, "form.action-submit button").await;
    assert_text(client, ".flash", "Đã gửi hồ sơ tới Trung tâm Khuyến công.").await;
    screenshot(client, "proposal-submitted").await;
    sign_out(client).await;

    // The Centre returns it with what is missing.
    sign_in(client, app, "canbo", PASSWORD).await;
    visit(client, app, &proposal_path).await;
    type_into(
        client,
        "missing_items",
        0,
        "Bổ sung báo giá của hai nhà cung cấp",
    )
    .await;
    set_date(client, "due_date", "2099-06-30").await;
    click(client, "form.action-return button").await;
    assert_text(client, ".flash", "Đã trả hồ sơ để bổ sung.").await;
    sign_out(client).await;

    // The owner reads it in plain words and sends it back.
    sign_in(client, app, "coso", PASSWORD).await;
    visit(client, app, &proposal_path).await;
    assert_text_starts(client, ".state-plain", "Hồ sơ cần bổ sung").await;
    assert!(
        text_when(client, ".return-request", |t| t.contains("báo giá"))
            .await
            .contains("hai nhà cung cấp")
    );
    screenshot(client, "proposal-returned-owner").await;
    // The owner answers with the missing quotation, then sends the dossier back.
    // A different file from the officer's (the same bytes twice are recorded once).
    let mut bytes = crate::helpers::pdf();
    bytes.extend_from_slice(b"% bao gia bo sung\n");
    upload_in_browser(client, app, &proposal_path, "quotation", bytes).await;
    let uploaded_by_owner: i64 = sqlx::query_scalar(
        "select count(*) from documents d join users u on u.id = d.uploaded_by where u.username = 'coso'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(uploaded_by_owner, 1, "the owner's answer is on file");
    visit(client, app, &proposal_path).await;
    click(client, "form.action-resubmit button").await;
    assert_text(client, ".flash", "Đã gửi hồ sơ tới Trung tâm Khuyến công.").await;
    sign_out(client).await;

    // The Centre accepts it for appraisal.
    sign_in(client, app, "canbo", PASSWORD).await;
    visit(client, app, &proposal_path).await;
    click(client, "form.action-accept button").await;
    assert_text(
        client,
        ".flash",
        "Hồ sơ đã được tiếp nhận, chuyển sang thẩm định.",
    )
    .await;
    let state = crate::helpers::state_of(&app.pool, id).await;
    assert_eq!(state, "accepted");
    client.clone().close().await.expect("close");
}

/// At the facility, on a phone: the team leader declares, scores the five criteria (one not
/// applicable), loses the page before saving and finds the typing again, takes a photo,
/// saves, finalises, and prints the minutes.
#[sqlx::test]
async fn an_appraisal_is_recorded_on_a_phone_with_a_photo_and_finalised(pool: PgPool) {
    let world = World::new(pool).await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    let proposal = world
        .proposal(&tax, "Máy sao chè tự động", ProposalState::Accepted)
        .await;
    // The Centre plans the trip (from its office PC; the HTTP client stands in for it).
    let app = world.as_user("canbo").await;
    let leader = crate::helpers::user_id(&app.pool, "thamdinh")
        .await
        .to_string();
    let day = (crate::helpers::today() + time::Duration::days(3)).to_string();
    let response = app
        .post_form(
            "/appraisals/visits/new",
            &[
                ("title", "Thẩm định tại huyện Phú Bình"),
                ("visit_date", &day),
                ("leader_id", &leader),
                ("proposal_ids", &proposal.to_string()),
            ],
        )
        .await;
    assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER);
    let (visit_id, record): (i64, i64) = sqlx::query_as(
        "select visit_id, id from appraisal_records where proposal_id = $1 and status = 'draft'",
    )
    .bind(proposal)
    .fetch_one(&app.pool)
    .await
    .expect("the draft record");
    let criteria: Vec<(i64, i16)> = sqlx::query_as(
        "select s.criterion_id, c.max_points from appraisal_scores s join appraisal_criteria c on c.id = s.criterion_id
         where s.record_id = $1 order by c.position",
    )
    .bind(record)
    .fetch_all(&app.pool)
    .await
    .expect("criteria");

    let browser = browser(390, 844).await;
    let client = &browser.client;
    sign_in(client, &app, "thamdinh", PASSWORD).await;
    visit(client, &app, &format!("/appraisals/visits/{visit_id}")).await;
    click(client, ".declare-form input[name='conflict'][value='no']").await;
    click(client, ".declare-form button[type='submit']").await;
    assert_text(client, ".flash", "Đã ghi kê khai xung đột lợi ích.").await;

    let record_path = format!("/appraisals/{record}");
    visit(client, &app, &record_path).await;
    let points = ["18", "24", "20", "", "15"];
    for ((id, _), value) in criteria.iter().zip(points) {
        if value.is_empty() {
            click(client, &format!("input[name='na_{id}']")).await;
        } else {
            type_into(client, &format!("points_{id}"), 0, value).await;
        }
        type_into(client, &format!("finding_{id}"), 0, "Đạt yêu cầu").await;
    }
    type_into(client, "premises", 0, "Nhà xưởng 300 m², kiên cố").await;
    type_into(client, "machinery", 0, "Máy sao chè cũ, 50 kg/mẻ").await;
    type_into(client, "counterpart_capacity", 0, "Đủ vốn đối ứng").await;
    type_into(client, "proposed_support", 0, "100.000.000").await;
    click(client, "input[name='recommendation'][value='approve']").await;
    // The connection drops before the save: leaving and coming back keeps the typing.
    visit(client, &app, "/").await;
    visit(client, &app, &record_path).await;
    assert_text(
        client,
        "[data-draft-restored]",
        "Đã khôi phục nội dung bạn nhập nhưng chưa lưu. Bấm “Lưu nháp” để gửi lên hệ thống.",
    )
    .await;
    let restored = client
        .find(Locator::Css(&format!("[name='points_{}']", criteria[0].0)))
        .await
        .expect("points")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(restored.as_deref(), Some("18"));
    click(client, ".record-form button.primary").await;
    assert_text(client, ".flash", "Đã lưu nháp phiếu thẩm định.").await;
    assert_text_starts(client, ".score-total .lead", "Tổng điểm: 85,6/100").await;

    // A photo from the phone's camera (here, a file chosen in the same input).
    let photo = crate::helpers::png();
    let _photo = choose_file(client, "#photo-file", "anh.png", &photo).await;
    click(client, "#photos button[type='submit']").await;
    assert_text(client, ".flash", "Đã tải lên 1 ảnh.").await;
    screenshot(client, "appraisal-record-phone").await;

    click(client, ".finalise button.primary").await;
    assert_text(client, ".flash", "Đã hoàn tất phiếu thẩm định.").await;
    let state: String = sqlx::query_scalar("select state::text from proposals where id = $1")
        .bind(proposal)
        .fetch_one(&app.pool)
        .await
        .expect("state");
    assert_eq!(state, "appraised");

    visit(client, &app, &format!("{record_path}/minutes")).await;
    assert_text(client, "h1", "BIÊN BẢN THẨM ĐỊNH TẠI CƠ SỞ").await;
    assert!(
        text_when(client, ".doc-header", |t| t.contains("Độc lập"))
            .await
            .contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    );
    screenshot(client, "appraisal-minutes").await;
    client.clone().close().await.expect("close");
}
