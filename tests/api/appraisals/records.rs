//! The appraisal record: declarations, scores, a stale save, photos, finalising; what each
//! role sees of it; corrections by a new revision.

use khuyencong::domain::proposal::ProposalState;
use reqwest::StatusCode;
use sqlx::PgPool;

use super::{
    SEVENTY_FIVE, appraise, criteria, declare, declared_visit, external_member, finalise,
    plan_visit, record_of, requested, save_record, version_of, world_with_queue,
};
use crate::helpers::{PASSWORD, assert_redirect, count, state_of, text, texts, user_id};
use crate::world::{DAI_TU, World};

#[sqlx::test]
async fn members_declare_score_and_the_leader_finalises(pool: PgPool) {
    let (world, _, queue) = world_with_queue(pool, 1).await;
    let app = world.as_user("canbo").await;
    let proposal = queue[0];
    let visit = plan_visit(
        &app,
        &[proposal],
        "thamdinh",
        &["canbo"],
        "Bùi Thanh Sơn – Sở Công Thương",
    )
    .await;
    let record = record_of(&app.pool, visit, proposal).await;
    let leader = app.with_client(app.login_new_client("thamdinh", PASSWORD).await);

    // Nobody scores before declaring.
    let page = leader.page(&format!("/appraisals/{record}")).await;
    assert!(text(&page, "main").contains("kê khai xung đột lợi ích"));
    let response = save_record(&leader, record, &[Some("18"); 5], "100").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // The Centre officer has a conflict: the officer may not score, the minutes will say so.
    assert_eq!(
        declare(&app, visit, proposal, true, None).await.status(),
        StatusCode::SEE_OTHER
    );
    let response = save_record(&app, record, &[Some("18"); 5], "100").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let page = app.page(&format!("/appraisals/{record}")).await;
    assert!(text(&page, "main").contains("có xung đột lợi ích"));

    assert_eq!(
        declare(&leader, visit, proposal, false, None)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let proposed = (requested(&app.pool, proposal).await / 2).to_string();
    let response = save_record(
        &leader,
        record,
        &[Some("18"), Some("24"), Some("20"), None, Some("15")],
        &proposed,
    )
    .await;
    assert_redirect(&response, &format!("/appraisals/{record}"));
    let page = leader.page(&format!("/appraisals/{record}")).await;
    // 77 points of the 90 that apply: 85,6 on the 100-point scale (n/a is not zero).
    assert!(
        text(&page, ".score-total").contains("85,6/100"),
        "{}",
        text(&page, ".score-total")
    );

    // The external member has not declared yet: the leader cannot finalise.
    let response = finalise(&leader, record).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&response.text().await.expect("body"));
    assert!(text(&page, ".finalise").contains("Bùi Thanh Sơn"));
    // Only the leader records an external member's declaration.
    let external = external_member(&app.pool, visit).await;
    assert_eq!(
        declare(&app, visit, proposal, false, Some(external))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        declare(&leader, visit, proposal, false, Some(external))
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    // A member who is not the leader does not finalise.
    let response = finalise(&app, record).await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "a member who is not the leader"
    );

    let response = finalise(&leader, record).await;
    assert_redirect(&response, &format!("/appraisals/{record}"));
    assert_eq!(state_of(&app.pool, proposal).await, "appraised");
    let (status, score): (String, i16) =
        sqlx::query_as("select status::text, score_tenths from appraisal_records where id = $1")
            .bind(record)
            .fetch_one(&app.pool)
            .await
            .expect("record");
    assert_eq!((status.as_str(), score), ("final", 856));
    let details: serde_json::Value = sqlx::query_scalar(
        "select details from proposal_events where proposal_id = $1 and action = 'record_appraisal'",
    )
    .bind(proposal)
    .fetch_one(&app.pool)
    .await
    .expect("event");
    assert_eq!(details["score_tenths"], 856);
    let director = user_id(&app.pool, "giamdoc").await;
    assert_eq!(
        count(&app.pool, &format!("select count(*) from notifications where user_id = {director} and message_key = 'notify.appraisal_to_rank'")).await,
        1
    );

    // A final record is read-only.
    let response = save_record(&leader, record, &[Some("1"); 5], "1").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let minutes = leader.page(&format!("/appraisals/{record}/minutes")).await;
    assert_eq!(text(&minutes, "h1"), "Biên bản thẩm định tại cơ sở");
    assert!(
        text(&minutes, "main")
            .contains("Cán Bộ Trung Tâm: Con rể của chủ cơ sở — không tham gia chấm điểm")
    );
    assert!(text(&minutes, ".doc-table tfoot").contains("85,6"));
    assert_eq!(texts(&minutes, ".signatures > div").len(), 3);
    // The trip's sheet becomes its summary of results.
    let summary = leader
        .page(&format!("/appraisals/visits/{visit}/schedule"))
        .await;
    assert_eq!(text(&summary, "h1"), "Kết quả chuyến thẩm định tại cơ sở");
    assert!(text(&summary, ".doc-table tbody").contains("85,6 điểm — Đề nghị hỗ trợ"));
}

#[sqlx::test]
async fn bad_scores_come_back_with_the_form_and_nothing_is_saved(pool: PgPool) {
    let (world, _, queue) = world_with_queue(pool, 1).await;
    let app = world.as_user("canbo").await;
    let proposal = queue[0];
    let (_visit, record, leader) = declared_visit(&app, proposal).await;
    let version = version_of(&app.pool, record).await;
    let sheet = criteria(&app.pool, record).await;
    let too_much = (requested(&app.pool, proposal).await + 1).to_string();
    for (points, proposed, field) in [
        ("21", "100", format!("points_{}", sheet[0].0)),
        ("-3", "100", format!("points_{}", sheet[0].0)),
        ("mười", "100", format!("points_{}", sheet[0].0)),
        ("10", too_much.as_str(), "proposed_support".to_owned()),
        ("10", "-5", "proposed_support".to_owned()),
        ("10", "99999999999999999999", "proposed_support".to_owned()),
    ] {
        let response = save_record(
            &leader,
            record,
            &[Some(points), Some("10"), Some("10"), Some("5"), Some("5")],
            proposed,
        )
        .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{points} {proposed}"
        );
        let page = scraper::Html::parse_document(&response.text().await.expect("body"));
        let error = if field.starts_with("points") {
            text(&page, &format!("#{field}-error"))
        } else {
            text(&page, "#proposed_support-error")
        };
        assert!(
            !error.is_empty(),
            "a message for {field} ({points}, {proposed})"
        );
        assert_eq!(
            crate::helpers::attrs(&page, &format!("#points_{}", sheet[0].0), "value"),
            [points.to_owned()],
            "the typed points come back"
        );
    }
    // Not applicable and points at once.
    let mut form = vec![
        ("version".to_owned(), version.to_string()),
        (format!("points_{}", sheet[3].0), "5".to_owned()),
        (format!("na_{}", sheet[3].0), "on".to_owned()),
    ];
    form.push(("premises".into(), "x".repeat(6000)));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = leader
        .post_form(&format!("/appraisals/{record}"), &pairs)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&response.text().await.expect("body"));
    assert!(!text(&page, &format!("#points_{}-error", sheet[3].0)).is_empty());
    assert!(!text(&page, "#premises-error").is_empty());
    assert_eq!(
        version_of(&app.pool, record).await,
        version,
        "nothing saved"
    );
    assert_eq!(
        count(&app.pool, &format!("select count(*) from appraisal_scores where record_id = {record} and (points is not null or not_applicable)")).await,
        0
    );
}

#[sqlx::test]
async fn a_stale_save_keeps_what_the_member_typed(pool: PgPool) {
    let (world, _, queue) = world_with_queue(pool, 1).await;
    let app = world.as_user("canbo").await;
    let proposal = queue[0];
    let visit = plan_visit(&app, &[proposal], "thamdinh", &["canbo"], "").await;
    let record = record_of(&app.pool, visit, proposal).await;
    let leader = app.with_client(app.login_new_client("thamdinh", PASSWORD).await);
    declare(&leader, visit, proposal, false, None).await;
    declare(&app, visit, proposal, false, None).await;
    let version = version_of(&app.pool, record).await.to_string();
    let path = format!("/appraisals/{record}");
    let response = leader
        .post_form(
            &path,
            &[("version", &version), ("premises", "Nhà xưởng mới")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = app
        .post_form(
            &path,
            &[
                ("version", &version),
                ("premises", "Nhà xưởng cũ, cần sửa mái"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let page = scraper::Html::parse_document(&response.text().await.expect("body"));
    assert_eq!(text(&page, "#premises"), "Nhà xưởng cũ, cần sửa mái");
    let stored: String = sqlx::query_scalar("select premises from appraisal_records where id = $1")
        .bind(record)
        .fetch_one(&app.pool)
        .await
        .expect("premises");
    assert_eq!(
        stored, "Nhà xưởng mới",
        "the first save is not overwritten silently"
    );
}

#[sqlx::test]
async fn photos_must_be_images_and_are_kept_with_the_record(pool: PgPool) {
    let (world, _, queue) = world_with_queue(pool, 1).await;
    let app = world.as_user("canbo").await;
    let proposal = queue[0];
    let (_visit, record, leader) = declared_visit(&app, proposal).await;
    let upload = |bytes: Vec<u8>, name: &'static str, mime: &'static str| {
        let leader = &leader;
        async move {
            let form = reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(bytes)
                    .file_name(name)
                    .mime_str(mime)
                    .expect("mime"),
            );
            leader
                .client
                .post(leader.url(&format!("/appraisals/{record}/photos")))
                .header("origin", &leader.base)
                .header("sec-fetch-site", "same-origin")
                .multipart(form)
                .send()
                .await
                .expect("upload")
        }
    };
    let response = upload(crate::helpers::pdf(), "anh.pdf", "application/pdf").await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let page = scraper::Html::parse_document(&response.text().await.expect("body"));
    assert!(text(&page, "#photo-error").contains("anh.pdf"));
    // A PDF that calls itself a JPEG is refused by its content.
    let response = upload(crate::helpers::pdf(), "anh.jpg", "image/jpeg").await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        count(
            &app.pool,
            &format!("select count(*) from documents where appraisal_record_id = {record}")
        )
        .await,
        0
    );
    let response = upload(crate::helpers::png(), "nha-xuong.png", "image/png").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        count(&app.pool, &format!("select count(*) from documents where appraisal_record_id = {record} and kind_code = 'appraisal_photo'")).await,
        1
    );
    let page = leader.page(&format!("/appraisals/{record}")).await;
    let links = crate::helpers::attrs(&page, "#photos li a", "href");
    assert_eq!(links.len(), 1);
    let download = leader.get(&links[0]).await;
    assert_eq!(download.status(), StatusCode::OK);
    assert!(
        crate::helpers::header(download.headers(), "content-disposition").starts_with("attachment")
    );
    // Someone not on the team cannot add photos.
    let response = app
        .client
        .post(app.url(&format!("/appraisals/{record}/photos")))
        .header("origin", &app.base)
        .header("sec-fetch-site", "same-origin")
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(crate::helpers::png()).file_name("x.png"),
        ))
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test]
async fn each_role_sees_what_it_may_of_an_appraisal(pool: PgPool) {
    let world = World::new(pool).await;
    let app = world.as_user("canbo").await;
    // A Đại Từ proposal waiting for appraisal, for the facility of the owner `coso`.
    let tax = world
        .facility_in(DAI_TU, "Cơ sở Chè La Bằng", "4609990013")
        .await;
    world.owner("coso", &tax).await;
    let proposal = world
        .proposal(&tax, "Máy sao chè", ProposalState::Accepted)
        .await;
    let (visit, record, leader) = declared_visit(&app, proposal).await;
    let response = save_record(&leader, record, &SEVENTY_FIVE, "1000000").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    // The local office of the area sees the date, not the scores, before the result.
    let office = app.with_client(app.login_new_client("pkt.daitu", PASSWORD).await);
    let page = office.page(&format!("/proposals/{proposal}")).await;
    assert!(text(&page, "#appraisal").contains("Lịch thẩm định"));
    let page = office.page(&format!("/appraisals/{record}")).await;
    assert!(text(&page, "main").contains("Điểm và nhận xét sẽ được xem sau"));
    assert!(texts(&page, ".criterion").is_empty() && texts(&page, ".score-total").is_empty());
    assert_eq!(
        office
            .get(&format!("/appraisals/{record}/minutes"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        save_record(&office, record, &[Some("1"); 5], "1")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // Another area's office does not see the visit or the record at all.
    let other = app.with_client(app.login_new_client("pkt.phubinh", PASSWORD).await);
    assert_eq!(
        other
            .get(&format!("/appraisals/visits/{visit}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other.get(&format!("/appraisals/{record}")).await.status(),
        StatusCode::NOT_FOUND
    );

    finalise(&leader, record).await;
    let page = office.page(&format!("/appraisals/{record}")).await;
    assert!(text(&page, ".score-total").contains("75,0/100"));

    // The facility owner reads the outcome on its proposal's page, never the scores.
    let owner = world.as_user("coso").await;
    let page = owner.page(&format!("/proposals/{proposal}")).await;
    let summary = text(&page, "#appraisal");
    assert!(summary.contains("Đề nghị hỗ trợ"), "{summary}");
    assert!(!summary.contains("75,0"), "{summary}");
    assert_eq!(
        owner.get(&format!("/appraisals/{record}")).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        owner
            .get(&format!("/appraisals/visits/{visit}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[sqlx::test]
async fn a_final_record_is_corrected_by_a_new_revision(pool: PgPool) {
    let (world, _, queue) = world_with_queue(pool, 1).await;
    let app = world.as_user("canbo").await;
    let proposal = queue[0];
    let (_, record, leader) = appraise(&app, proposal).await;
    let response = leader
        .post_form(&format!("/appraisals/{record}/correct"), &[("reason", "")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = app
        .post_form(&format!("/appraisals/{record}/correct"), &[("reason", "x")])
        .await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "only the leader corrects"
    );
    let response = leader
        .post_form(
            &format!("/appraisals/{record}/correct"),
            &[("reason", "Nhầm điểm tiêu chí 2")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let revision: i64 = sqlx::query_scalar(
        "select id from appraisal_records where proposal_id = $1 and revision = 2",
    )
    .bind(proposal)
    .fetch_one(&app.pool)
    .await
    .expect("revision 2");
    assert_eq!(criteria(&app.pool, revision).await.len(), 5);
    let proposed = (requested(&app.pool, proposal).await / 2).to_string();
    save_record(
        &leader,
        revision,
        &[Some("20"), Some("30"), Some("25"), Some("10"), Some("15")],
        &proposed,
    )
    .await;
    let response = finalise(&leader, revision).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let statuses: Vec<String> = sqlx::query_scalar(
        "select status::text from appraisal_records where proposal_id = $1 and visit_id is not null order by revision",
    )
    .bind(proposal)
    .fetch_all(&app.pool)
    .await
    .expect("statuses");
    assert_eq!(statuses, ["superseded", "final"]);
    assert_eq!(state_of(&app.pool, proposal).await, "appraised");
    let note: String = sqlx::query_scalar(
        "select note from proposal_events where proposal_id = $1 and action = 'correct_appraisal'",
    )
    .bind(proposal)
    .fetch_one(&app.pool)
    .await
    .expect("correction event");
    assert_eq!(note, "Nhầm điểm tiêu chí 2");
}
