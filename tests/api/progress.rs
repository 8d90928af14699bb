//! Monthly progress reports: the implementing side reports a month with its photos; the
//! Centre's list shows who is late; bad reports come back with the form and nothing saved;
//! roles that may not report, cannot.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use sqlx::PgPool;

use khuyencong::domain::proposal::ProposalState;

use crate::helpers::{attrs, count_for, html, pdf, png, text, texts};
use crate::world::World;

fn this_month() -> String {
    let today = crate::helpers::today();
    format!("{}-{:02}", today.year(), u8::from(today.month()))
}

fn report(month: &str, percent: &str, spending: &str, work: &str) -> Form {
    Form::new()
        .percent_encode_noop()
        .text("month", month.to_owned())
        .text("percent_done", percent.to_owned())
        .text("spending", spending.to_owned())
        .text("work_done", work.to_owned())
}

fn with_file(form: Form, bytes: Vec<u8>, name: &str, mime: &str) -> Form {
    form.part(
        "photos",
        Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str(mime)
            .expect("mime"),
    )
}

#[sqlx::test]
async fn the_local_office_reports_a_month_with_photos_and_the_centre_follows_it(pool: PgPool) {
    let world = World::new(pool).await;
    let (id, _, _, office, _) = world.running().await;
    let app = world.as_user("canbo").await;
    // Started last month and never reported: late.
    let list = app.page("/progress").await;
    let late: Vec<String> = texts(&list, "table.in-progress tr.overdue");
    assert!(
        late.iter().any(|row| row.contains("Chưa báo cáo")),
        "{late:?}"
    );
    let before: i64 = text(&list, "#overdue-count").parse().expect("a count");
    assert_eq!(before, 1);
    let page = app.page(&format!("/proposals/{id}/progress")).await;
    assert!(page.root_element().html().contains("overdue"));

    let officer = world.as_user(&office).await;
    let form = with_file(
        report(
            &this_month(),
            "75",
            "150.000.000",
            "Đã lắp đặt xong dây chuyền, đang chạy thử.",
        ),
        png(),
        "day-chuyen.png",
        "image/png",
    );
    let response = officer
        .post_multipart(&format!("/proposals/{id}/progress"), form)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (percent, spending): (i16, i64) = sqlx::query_as(
        "select percent_done, spending from progress_reports where proposal_id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("the report");
    assert_eq!((percent, spending), (75, 150_000_000));
    assert_eq!(
        count_for(
            &app.pool,
            "select count(*) from proposal_events where proposal_id = $1 and action = 'progress_report'",
            id
        )
        .await,
        1
    );

    // The Centre sees it with its photo, downloaded as an attachment.
    let page = app.page(&format!("/proposals/{id}/progress")).await;
    let rows = texts(&page, "table.progress-reports tbody tr");
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].contains("75%") && rows[0].contains("150.000.000"),
        "{rows:?}"
    );
    let links = attrs(&page, "table.progress-reports a", "href");
    assert_eq!(links.len(), 1);
    let photo = app.get(&links[0]).await;
    assert_eq!(photo.status(), StatusCode::OK);
    assert!(
        photo.headers()["content-disposition"]
            .to_str()
            .expect("header")
            .starts_with("attachment")
    );
    let list = app.page("/progress").await;
    let after: i64 = text(&list, "#overdue-count").parse().expect("a count");
    assert_eq!(after, 0);
}

#[sqlx::test]
async fn bad_reports_come_back_with_the_form_and_nothing_is_saved(pool: PgPool) {
    let world = World::new(pool).await;
    let (id, _, _, office, _) = world.running().await;
    let app = world.as_user(&office).await;
    let path = format!("/proposals/{id}/progress");
    let month = this_month();
    let documents = "select count(*) from documents where proposal_id = $1";
    let before = count_for(&app.pool, documents, id).await;
    let nul = format!("Đã làm{}", '\u{0}');
    let long = "x".repeat(100_000);
    let cases: Vec<(Form, &str)> = vec![
        (report(&month, "120", "0", "Đã làm"), "#percent_done-error"),
        (report(&month, "", "0", "Đã làm"), "#percent_done-error"),
        (report("2099-01", "10", "0", "Đã làm"), "#month-error"),
        (report("2019-01", "10", "0", "Đã làm"), "#month-error"),
        (report("tháng năm", "10", "0", "Đã làm"), "#month-error"),
        (report(&month, "10", "-5", "Đã làm"), "#spending-error"),
        (
            report(&month, "10", "99999999999999999999999", "Đã làm"),
            "#spending-error",
        ),
        (report(&month, "10", "0", ""), "#work_done-error"),
        (report(&month, "10", "0", &nul), "#work_done-error"),
        (report(&month, "10", "0", &long), "#work_done-error"),
        (
            with_file(
                report(&month, "10", "0", "Đã làm"),
                pdf(),
                "anh.png",
                "image/png",
            ),
            "#photos-error",
        ),
    ];
    for (form, error) in cases {
        let response = app.post_multipart(&path, form).await;
        let status = response.status();
        assert!(status.is_client_error(), "{error}: {status}");
        let page = html(response).await;
        assert!(!text(&page, error).is_empty(), "{error} says why");
        assert_eq!(attrs(&page, "input[name='percent_done']", "value").len(), 1);
    }
    assert_eq!(
        count_for(
            &app.pool,
            "select count(*) from progress_reports where proposal_id = $1",
            id
        )
        .await,
        0
    );
    assert_eq!(count_for(&app.pool, documents, id).await, before);
    // The typed values come back.
    let response = app
        .post_multipart(
            &path,
            report(&month, "120", "5.000.000", "Đã đổ móng nhà xưởng"),
        )
        .await;
    let page = html(response).await;
    assert_eq!(attrs(&page, "input[name='percent_done']", "value"), ["120"]);
    assert_eq!(
        attrs(&page, "input[name='spending']", "value"),
        ["5.000.000"]
    );
    assert_eq!(text(&page, "#work_done"), "Đã đổ móng nhà xưởng");

    // Progress only grows: a month before a reported one cannot say more; a month is
    // reported once.
    let response = app
        .post_multipart(&path, report(&month, "60", "100.000.000", "Đã lắp máy"))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let today = crate::helpers::today();
    let earlier = today.replace_day(1).expect("first") - time::Duration::days(1);
    let earlier = format!("{}-{:02}", earlier.year(), u8::from(earlier.month()));
    let page = html(
        app.post_multipart(&path, report(&earlier, "70", "100.000.000", "Đã lắp máy"))
            .await,
    )
    .await;
    assert!(!text(&page, "#percent_done-error").is_empty());
    let page = html(
        app.post_multipart(&path, report(&month, "65", "120.000.000", "Lần nữa"))
            .await,
    )
    .await;
    assert!(!text(&page, "#month-error").is_empty());
    assert_eq!(
        count_for(
            &app.pool,
            "select count(*) from progress_reports where proposal_id = $1",
            id
        )
        .await,
        1
    );
}

#[sqlx::test]
async fn only_the_implementing_side_reports_and_only_while_the_work_goes_on(pool: PgPool) {
    let world = World::new(pool).await;
    let (id, ..) = world.running().await;
    let month = this_month();
    let path = format!("/proposals/{id}/progress");
    for user in ["giamdoc", "ketoan", "so.congthuong", "thamdinh", "admin"] {
        let other = world.as_user(user).await;
        let response = other
            .post_multipart(&path, report(&month, "10", "0", "Đã làm"))
            .await;
        assert!(
            matches!(
                response.status(),
                StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
            ),
            "{user}: {}",
            response.status()
        );
    }
    // The office of another area does not see it at all.
    let other = world.as_user("pkt.daitu").await;
    assert_eq!(other.get(&path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        other
            .post_multipart(&path, report(&month, "10", "0", "Đã làm"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // Work not yet started takes no report.
    let signed = world
        .proposal("4609990500", "Máy vò chè", ProposalState::Contracted)
        .await;
    let app = world.as_user("pkt.phubinh").await;
    let response = app
        .post_multipart(
            &format!("/proposals/{signed}/progress"),
            report(&month, "10", "0", "Đã làm"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let reports = "select count(*) from progress_reports where proposal_id = any($1)";
    assert_eq!(count_for(&app.pool, reports, vec![id, signed]).await, 0);
}
