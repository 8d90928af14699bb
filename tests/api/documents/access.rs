//! Who may do what with documents: another area, readers, the facility owner, removal, a
//! refused row, a cross-site upload.

use reqwest::StatusCode;
use sqlx::PgPool;

use khuyencong::domain::proposal::ProposalState;

use super::{Before, Dossier, file, png, post_upload, upload_form};
use crate::helpers::{attrs, pdf};
use crate::world::World;

#[sqlx::test]
async fn a_local_officer_of_another_area_finds_nothing(pool: PgPool) {
    let dossier = Dossier::new(pool).await;
    let (proposal, before) = (dossier.id, &dossier.before);
    let officer = dossier.as_user("pkt.phubinh").await;
    let response = post_upload(
        &officer,
        proposal,
        upload_form("photos", vec![file("anh.png", png(), "image/png")]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "its own area");
    let page = officer
        .page(&format!("/proposals/{proposal}/documents"))
        .await;
    let href = before.new_links(&page).pop().expect("listed");

    let app = dossier.as_user("pkt.daitu").await;
    let documents = format!("/proposals/{proposal}/documents");
    assert_eq!(app.get(&documents).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&href).await.status(), StatusCode::NOT_FOUND);
    let response = post_upload(
        &app,
        proposal,
        upload_form("photos", vec![file("khac.png", png(), "image/png")]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app.post_form(&format!("{href}/remove"), &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(before.documents(&app).await, 1);
}

#[sqlx::test]
async fn readers_download_in_scope_but_cannot_upload(pool: PgPool) {
    let dossier = Dossier::new(pool).await;
    let (app, proposal, before) = (&dossier.world.app, dossier.id, &dossier.before);
    let centre = dossier.as_user("canbo").await;
    let response = post_upload(
        &centre,
        proposal,
        upload_form(
            "quotation",
            vec![file("bao-gia.pdf", pdf(), "application/pdf")],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let documents = format!("/proposals/{proposal}/documents");
    let href = before
        .new_links(&centre.page(&documents).await)
        .pop()
        .expect("listed");

    for username in ["giamdoc", "thamdinh", "ketoan", "so.congthuong"] {
        let reader = dossier.as_user(username).await;
        let page = reader.page(&documents).await;
        assert!(
            attrs(&page, "form[enctype='multipart/form-data']", "action").is_empty(),
            "{username}: no upload form"
        );
        assert!(attrs(&page, "form[action$='/remove']", "action").is_empty());
        let response = reader.get(&href).await;
        assert_eq!(response.status(), StatusCode::OK, "{username} downloads");
        assert_eq!(&response.bytes().await.expect("body")[..], &pdf()[..]);
        let response = post_upload(
            &reader,
            proposal,
            upload_form(
                "quotation",
                vec![file("khac.pdf", pdf(), "application/pdf")],
            ),
        )
        .await;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "{username} uploads"
        );
        let response = reader.post_form(&format!("{href}/remove"), &[]).await;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "{username} removes"
        );
    }
    assert_eq!(before.documents(app).await, 1);
    assert_eq!(before.files(app), 1);
}

#[sqlx::test]
async fn the_facility_owner_completes_its_returned_dossier_but_not_a_closed_one(pool: PgPool) {
    let world = World::new(pool).await;
    let tax = world
        .facility("Hợp tác xã Chè Phúc Xuân", "4609990011")
        .await;
    world.owner("coso", &tax).await;
    let returned = world
        .proposal(&tax, "Máy sao chè", ProposalState::Returned)
        .await;
    let closed = world
        .proposal(&tax, "Máy vò chè", ProposalState::Rejected)
        .await;
    let before = Before::now(&world.app).await;
    let app = world.as_user("coso").await;

    let page = app.page(&format!("/proposals/{returned}/documents")).await;
    assert_eq!(
        attrs(&page, "input[type='file']", "accept"),
        [khuyencong::domain::document::ACCEPT]
    );
    let response = post_upload(
        &app,
        returned,
        upload_form(
            "business_registration",
            vec![file("Giấy chứng nhận HTX.pdf", pdf(), "application/pdf")],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let page = app.page(&format!("/proposals/{closed}/documents")).await;
    assert!(attrs(&page, "input[type='file']", "name").is_empty());
    let response = post_upload(
        &app,
        closed,
        upload_form("photos", vec![file("anh.png", png(), "image/png")]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let owners: Vec<i64> = sqlx::query_scalar("select proposal_id from documents where id > $1")
        .bind(before.last_document)
        .fetch_all(&app.pool)
        .await
        .expect("rows");
    assert_eq!(owners, [returned]);
}

#[sqlx::test]
async fn a_removed_document_is_hidden_and_its_removal_recorded(pool: PgPool) {
    let dossier = Dossier::new(pool).await;
    let (app, proposal, before) = (dossier.as_user("canbo").await, dossier.id, &dossier.before);
    let documents = format!("/proposals/{proposal}/documents");
    let response = post_upload(
        &app,
        proposal,
        upload_form("photos", vec![file("anh.png", png(), "image/png")]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.page(&documents).await;
    let href = before.new_links(&page).pop().expect("listed");
    assert!(
        attrs(&page, "form[action$='/remove']", "action").contains(&format!("{href}/remove")),
        "a remove button by the document"
    );

    let response = app.post_form(&format!("{href}/remove"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.page(&documents).await;
    let listed = attrs(&page, "td.document-name a", "href");
    assert!(!listed.contains(&href), "no longer listed");
    assert!(!listed.is_empty(), "the dossier's other documents are");
    assert_eq!(app.get(&href).await.status(), StatusCode::NOT_FOUND);
    let again = app.post_form(&format!("{href}/remove"), &[]).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);

    let (removed_by, kept): (Option<String>, i64) = sqlx::query_as(
        "select u.username, count(*) over () from documents d left join users u on u.id = d.removed_by \
         where d.id > $1",
    )
    .bind(before.last_document)
    .fetch_one(&app.pool)
    .await
    .expect("row kept");
    assert_eq!((removed_by.as_deref(), kept), (Some("canbo"), 1));
    let details: serde_json::Value = sqlx::query_scalar(
        "select details from proposal_events where proposal_id = $1 and action = 'remove_document'",
    )
    .bind(proposal)
    .fetch_one(&app.pool)
    .await
    .expect("event");
    assert_eq!(details["name"], "anh.png");
    assert_eq!(before.files(&app), 1, "the content is kept for history");
}

#[sqlx::test]
async fn when_the_database_refuses_the_row_the_stored_file_is_deleted(pool: PgPool) {
    let dossier = Dossier::new(pool).await;
    let (app, proposal, before) = (dossier.as_user("canbo").await, dossier.id, &dossier.before);
    sqlx::raw_sql(
        "create function refuse_documents() returns trigger language plpgsql as $$ \
         begin raise exception 'refused for the test'; end $$; \
         create trigger refuse_documents before insert on documents \
         for each row execute function refuse_documents();",
    )
    .execute(&app.pool)
    .await
    .expect("trigger");
    let response = post_upload(
        &app,
        proposal,
        upload_form(
            "photos",
            vec![
                file("anh-1.png", png(), "image/png"),
                file("to-trinh.pdf", pdf(), "application/pdf"),
            ],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    before.nothing_saved(&app).await;
}

#[sqlx::test]
async fn a_cross_site_upload_is_refused(pool: PgPool) {
    let dossier = Dossier::new(pool).await;
    let (app, proposal, before) = (dossier.as_user("canbo").await, dossier.id, &dossier.before);
    let response = app
        .client
        .post(app.url(&format!("/proposals/{proposal}/documents")))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .multipart(upload_form(
            "photos",
            vec![file("anh.png", png(), "image/png")],
        ))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    before.nothing_saved(&app).await;
}
