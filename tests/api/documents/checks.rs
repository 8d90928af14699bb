//! What is sent: files back byte for byte, content against name, the size and request limits,
//! file names, a missing kind or file, the same file twice.

use reqwest::StatusCode;
use reqwest::multipart::Part;
use sqlx::PgPool;

use super::{
    Dossier, assert_refused_with_form, docx, file, png, post_upload, returned_dossier, sha256,
    upload_form,
};
use crate::helpers::{attrs, header, pdf, text, texts};
use crate::world::World;

#[sqlx::test]
async fn a_pdf_a_png_and_a_docx_come_back_byte_for_byte(pool: PgPool) {
    let dossier = Dossier::new(pool).await;
    let (app, proposal, before) = (dossier.as_user("canbo").await, dossier.id, &dossier.before);

    let files = [
        ("Thuyết minh đề án.pdf", pdf(), "application/pdf"),
        ("ảnh nhà xưởng.PNG", png(), "image/png"),
        (
            "du-toan \"mau 1\".docx",
            docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ];
    let form = upload_form(
        "proposal_text",
        files
            .iter()
            .map(|(name, bytes, mime)| file(name, bytes.clone(), mime))
            .collect(),
    );
    let response = post_upload(&app, proposal, form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        header(response.headers(), "location"),
        format!("/proposals/{proposal}/documents")
    );

    let page = app.page(&format!("/proposals/{proposal}/documents")).await;
    assert_eq!(text(&page, ".flash"), "Đã đính kèm 3 tệp.");
    let listed: Vec<(String, String)> = attrs(&page, "td.document-name a", "href")
        .into_iter()
        .zip(texts(&page, "td.document-name a"))
        .filter(|(href, _)| before.is_new(href))
        .collect();
    let (links, names): (Vec<String>, Vec<String>) = listed.into_iter().unzip();
    assert_eq!(
        names,
        [
            "Thuyết minh đề án.pdf",
            "ảnh nhà xưởng.PNG",
            "du-toan _mau 1_.docx"
        ],
        "the three documents listed"
    );

    for (href, (name, bytes, mime)) in links.iter().zip(&files) {
        let (content_type, size, hash): (String, i64, Vec<u8>) =
            sqlx::query_as("select content_type, size_bytes, sha256 from documents where id = $1")
                .bind(
                    href.rsplit('/')
                        .next()
                        .and_then(|id| id.parse::<i64>().ok()),
                )
                .fetch_one(&app.pool)
                .await
                .expect("row");
        assert_eq!(content_type, *mime, "{name}");
        assert_eq!(size, bytes.len() as i64);
        assert_eq!(hash, sha256(bytes), "SHA-256 recorded");

        let response = app.get(href).await;
        assert_eq!(response.status(), StatusCode::OK, "{name}");
        let headers = response.headers().clone();
        assert_eq!(header(&headers, "content-type"), *mime);
        let disposition = header(&headers, "content-disposition");
        assert!(
            disposition.starts_with("attachment; filename=\""),
            "{disposition}"
        );
        assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
        assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
        assert!(header(&headers, "cache-control").contains("no-store"));
        let body = response.bytes().await.expect("body");
        assert_eq!(&body[..], &bytes[..], "{name} comes back identical");
    }
    let first = app.get(&links[0]).await;
    assert_eq!(
        header(first.headers(), "content-disposition"),
        "attachment; filename=\"Thuyet minh de an.pdf\"; \
         filename*=UTF-8''Thuy%E1%BA%BFt%20minh%20%C4%91%E1%BB%81%20%C3%A1n.pdf"
    );

    let events: Vec<(String, String, String, serde_json::Value)> = sqlx::query_as(
        "select action, from_state::text, to_state::text, details from proposal_events \
         where proposal_id = $1 and action = 'attach_document' and (details->>'document_id')::int8 > $2 \
         order by id",
    )
    .bind(proposal)
    .bind(before.last_document)
    .fetch_all(&app.pool)
    .await
    .expect("events");
    assert_eq!(events.len(), 3);
    for (_, from, to, details) in &events {
        assert_eq!((from.as_str(), to.as_str()), ("returned", "returned"));
        assert_eq!(details["kind"], "proposal_text");
        assert!(details["document_id"].is_i64());
    }
    assert_eq!(events[0].3["name"], "Thuyết minh đề án.pdf");
    assert_eq!(before.files(&app), 3);
}

#[sqlx::test]
async fn a_file_whose_content_is_not_what_its_name_says_is_refused(pool: PgPool) {
    let dossier = Dossier::new(pool).await;
    let (app, proposal, before) = (dossier.as_user("canbo").await, dossier.id, &dossier.before);
    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00This program cannot be run in DOS mode".to_vec();
    let html =
        b"<!doctype html><html><body><script>alert(document.cookie)</script>%PDF-1.4</body></html>"
            .to_vec();
    for (name, bytes) in [
        ("anh-that.pdf", png()),
        ("setup.pdf", exe),
        ("trang.pdf", html),
        ("bang-tinh.xlsx", docx()),
        ("ghi-chu.txt", b"plain text".to_vec()),
    ] {
        let form = upload_form(
            "quotation",
            vec![
                file("hop-le.pdf", pdf(), "application/pdf"),
                file(name, bytes, "application/pdf"),
            ],
        );
        let response = post_upload(&app, proposal, form).await;
        let page =
            assert_refused_with_form(response, StatusCode::UNSUPPORTED_MEDIA_TYPE, "quotation")
                .await;
        assert!(
            text(&page, "#file-error").contains(name),
            "{name}: named in the message"
        );
    }
    before.nothing_saved(&app).await;
}

#[sqlx::test]
async fn a_file_over_the_size_limit_is_refused_and_nothing_is_saved(pool: PgPool) {
    let world = World::with_settings(
        pool,
        &[("UPLOAD_MAX_FILE_MB", "1"), ("UPLOAD_MAX_REQUEST_MB", "3")],
    )
    .await;
    let dossier = returned_dossier(world).await;
    let (app, proposal, before) = (dossier.as_user("canbo").await, dossier.id, &dossier.before);
    let mut big = pdf();
    big.resize(1024 * 1024 + 1, b' ');
    let form = upload_form(
        "quotation",
        vec![
            file("nho.png", png(), "image/png"),
            file("lon.pdf", big, "application/pdf"),
        ],
    );
    let response = post_upload(&app, proposal, form).await;
    let page = assert_refused_with_form(response, StatusCode::PAYLOAD_TOO_LARGE, "quotation").await;
    assert_eq!(
        text(&page, "#file-error"),
        "Tệp “lon.pdf” lớn hơn 1 MB. Vui lòng nén hoặc chia nhỏ tệp."
    );
    before.nothing_saved(&app).await;

    // Just under the limit is fine.
    let mut fits = pdf();
    fits.resize(1024 * 1024 - 1024, b' ');
    let response = post_upload(
        &app,
        proposal,
        upload_form("quotation", vec![file("vua.pdf", fits, "application/pdf")]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn a_request_over_the_request_limit_is_refused(pool: PgPool) {
    let world = World::with_settings(
        pool,
        &[("UPLOAD_MAX_FILE_MB", "1"), ("UPLOAD_MAX_REQUEST_MB", "2")],
    )
    .await;
    let dossier = returned_dossier(world).await;
    let (app, proposal, before) = (dossier.as_user("canbo").await, dossier.id, &dossier.before);
    let mut part = pdf();
    part.resize(900 * 1024, b' ');
    let form = upload_form(
        "quotation",
        (0..3)
            .map(|i| file(&format!("phan-{i}.pdf"), part.clone(), "application/pdf"))
            .collect(),
    );
    let response = post_upload(&app, proposal, form).await;
    let page = assert_refused_with_form(response, StatusCode::PAYLOAD_TOO_LARGE, "").await;
    assert!(text(&page, "#file-error").contains("2 MB"));
    before.nothing_saved(&app).await;

    // Without a Content-Length (chunked), the limit is met while reading. (The kind may not
    // be kept: the parser reads ahead and meets the limit before handing the kind over.)
    let form = upload_form(
        "quotation",
        (0..3)
            .map(|i| {
                Part::stream(part.clone())
                    .file_name(format!("phan-{i}.pdf"))
                    .mime_str("application/pdf")
                    .expect("mime")
            })
            .collect(),
    );
    let response = post_upload(&app, proposal, form).await;
    let page = assert_refused_with_form(response, StatusCode::PAYLOAD_TOO_LARGE, "").await;
    assert!(text(&page, "#file-error").contains("2 MB"));
    before.nothing_saved(&app).await;
}

#[sqlx::test]
async fn bad_file_names_are_refused_and_absurd_ones_cleaned(pool: PgPool) {
    let dossier = Dossier::new(pool).await;
    let (app, proposal, before) = (dossier.as_user("canbo").await, dossier.id, &dossier.before);

    // A NUL byte makes the part's header unreadable; another control character is read
    // and refused.
    let form = upload_form("photos", vec![file("anh\0.png", png(), "image/png")]);
    let response = post_upload(&app, proposal, form).await;
    let page = assert_refused_with_form(response, StatusCode::BAD_REQUEST, "photos").await;
    assert_eq!(
        text(&page, "#file-error"),
        "Không đọc được dữ liệu gửi lên. Vui lòng chọn lại tệp và gửi lại."
    );
    let form = upload_form("photos", vec![file("anh\u{85}.png", png(), "image/png")]);
    let response = post_upload(&app, proposal, form).await;
    let page = assert_refused_with_form(response, StatusCode::UNPROCESSABLE_ENTITY, "photos").await;
    assert_eq!(
        text(&page, "#file-error"),
        "Tên tệp chứa ký tự không hợp lệ. Vui lòng đổi tên tệp rồi gửi lại."
    );
    before.nothing_saved(&app).await;

    // A 10 kB name and a path are cleaned: kept short, the extension kept, no directories.
    let long = format!("{}.png", "ảnh ".repeat(2500));
    let form = upload_form(
        "photos",
        vec![
            file(&long, png(), "image/png"),
            file("../../../etc/passwd.pdf", pdf(), "application/pdf"),
        ],
    );
    let response = post_upload(&app, proposal, form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let names: Vec<String> =
        sqlx::query_scalar("select file_name from documents where id > $1 order by id")
            .bind(before.last_document)
            .fetch_all(&app.pool)
            .await
            .expect("names");
    assert_eq!(names.len(), 2);
    assert!(
        names[0].len() <= 255 && names[0].ends_with("ảnh.png"),
        "{}",
        names[0]
    );
    assert_eq!(names[1], "passwd.pdf");
}

#[sqlx::test]
async fn an_upload_without_a_kind_or_a_file_gets_the_form_back(pool: PgPool) {
    let dossier = Dossier::new(pool).await;
    let (app, proposal, before) = (dossier.as_user("canbo").await, dossier.id, &dossier.before);
    let response = post_upload(
        &app,
        proposal,
        upload_form("", vec![file("a.pdf", pdf(), "application/pdf")]),
    )
    .await;
    let page = assert_refused_with_form(response, StatusCode::UNPROCESSABLE_ENTITY, "").await;
    assert_eq!(text(&page, "#kind-error"), "Vui lòng chọn loại tài liệu.");
    let response = post_upload(
        &app,
        proposal,
        upload_form(
            "no_such_kind",
            vec![file("a.pdf", pdf(), "application/pdf")],
        ),
    )
    .await;
    assert_refused_with_form(response, StatusCode::UNPROCESSABLE_ENTITY, "").await;
    // No file chosen: the browser sends an empty part.
    let response = post_upload(
        &app,
        proposal,
        upload_form(
            "photos",
            vec![file("", Vec::new(), "application/octet-stream")],
        ),
    )
    .await;
    let page = assert_refused_with_form(response, StatusCode::UNPROCESSABLE_ENTITY, "photos").await;
    assert_eq!(text(&page, "#file-error"), "Vui lòng chọn ít nhất một tệp.");
    // Not multipart at all.
    let response = app
        .post_form(
            &format!("/proposals/{proposal}/documents"),
            &[("kind", "photos")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    before.nothing_saved(&app).await;
}

#[sqlx::test]
async fn sending_the_same_file_twice_records_it_once(pool: PgPool) {
    let dossier = Dossier::new(pool).await;
    let (app, proposal, before) = (dossier.as_user("canbo").await, dossier.id, &dossier.before);
    for _ in 0..2 {
        let form = upload_form("photos", vec![file("anh.png", png(), "image/png")]);
        let response = post_upload(&app, proposal, form).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    let page = app.page(&format!("/proposals/{proposal}/documents")).await;
    assert_eq!(
        text(&page, ".flash"),
        "Tài liệu này đã có trong hồ sơ, không cần gửi lại."
    );
    assert_eq!(before.documents(&app).await, 1);
    assert_eq!(before.files(&app), 1, "the second copy is not kept");
}
