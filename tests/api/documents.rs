//! Documents attached to proposals: upload, download, removal, the checks on what is sent,
//! and who may do what.

use std::io::{Cursor, Write as _};
use std::path::Path;

use base64::Engine as _;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use scraper::Html;
use sha2::{Digest as _, Sha256};
use sqlx::PgPool;

use khuyencong::domain::proposal::ProposalState;

use crate::helpers::{TestApp, attrs, header, text, texts};
use crate::world::World;

/// A 1×1 PNG.
const PNG_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

fn png() -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(PNG_BASE64)
        .expect("png")
}

use crate::helpers::pdf;

/// A minimal valid Word document: content types, package relationships, the main part.
fn docx() -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let parts: [(&str, &str); 3] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#,
        ),
        (
            "word/document.xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Thuyết minh đề án</w:t></w:r></w:p></w:body></w:document>"#,
        ),
    ];
    for (name, content) in parts {
        writer.start_file(name, options).expect("entry");
        writer.write_all(content.as_bytes()).expect("write");
    }
    writer.finish().expect("zip").into_inner()
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

/// A file part as a browser sends it.
fn file(name: &str, bytes: Vec<u8>, claimed: &str) -> Part {
    Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str(claimed)
        .expect("mime")
}

/// The upload form with `kind` and `files`; names travel as raw UTF-8, as browsers send them.
fn upload_form(kind: &str, files: Vec<Part>) -> Form {
    let mut form = Form::new()
        .percent_encode_noop()
        .text("kind", kind.to_owned());
    for part in files {
        form = form.part("file", part);
    }
    form
}

async fn post_upload(app: &TestApp, proposal: i64, form: Form) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/proposals/{proposal}/documents")))
        .header("origin", &app.base)
        .header("sec-fetch-site", "same-origin")
        .multipart(form)
        .send()
        .await
        .expect("POST")
}

/// A world where the owner `coso` of a Phú Bình facility has a dossier returned for
/// completion, holding the documents it was submitted with; and that dossier.
async fn returned_dossier(world: World) -> Dossier {
    let tax = world
        .facility("Hợp tác xã Chè Phúc Xuân", "4609990011")
        .await;
    world.owner("coso", &tax).await;
    let id = world
        .proposal(&tax, "Máy sao chè tự động", ProposalState::Returned)
        .await;
    let before = Before::now(&world.app).await;
    Dossier { world, id, before }
}

/// A test's dossier and what was stored before the test sent anything.
struct Dossier {
    world: World,
    id: i64,
    before: Before,
}

impl Dossier {
    async fn new(pool: PgPool) -> Self {
        returned_dossier(World::new(pool).await).await
    }

    /// The application seen by `username`, signed in.
    async fn as_user(&self, username: &str) -> TestApp {
        self.world.as_user(username).await
    }
}

/// The documents and stored files before a test's own uploads.
struct Before {
    last_document: i64,
    files: usize,
    attach_events: i64,
}

impl Before {
    async fn now(app: &TestApp) -> Self {
        Self {
            last_document: sqlx::query_scalar("select coalesce(max(id), 0) from documents")
                .fetch_one(&app.pool)
                .await
                .expect("documents"),
            files: stored_files(&app.storage_dir),
            attach_events: attach_events(app).await,
        }
    }

    /// The document rows the test added.
    async fn documents(&self, app: &TestApp) -> i64 {
        sqlx::query_scalar("select count(*) from documents where id > $1")
            .bind(self.last_document)
            .fetch_one(&app.pool)
            .await
            .expect("count")
    }

    /// The files the test stored.
    fn files(&self, app: &TestApp) -> usize {
        stored_files(&app.storage_dir) - self.files
    }

    /// Whether the document link `href` is to a document the test added.
    fn is_new(&self, href: &str) -> bool {
        href.rsplit('/')
            .next()
            .and_then(|id| id.parse::<i64>().ok())
            .is_some_and(|id| id > self.last_document)
    }

    /// The links of a documents page to the documents the test added.
    fn new_links(&self, page: &Html) -> Vec<String> {
        let links = attrs(page, "td.document-name a", "href");
        links.into_iter().filter(|href| self.is_new(href)).collect()
    }

    /// Nothing was recorded or stored since.
    async fn nothing_saved(&self, app: &TestApp) {
        assert_eq!(self.documents(app).await, 0, "no document row");
        assert_eq!(self.files(app), 0, "no stored file");
        assert_eq!(attach_events(app).await, self.attach_events, "no event");
    }
}

async fn attach_events(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from proposal_events where action = 'attach_document'")
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

/// Regular files under the app's storage directory (complete or not).
fn stored_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                stored_files(&path)
            } else {
                1
            }
        })
        .sum()
}

/// A refusal comes back as the documents page, with the form, the message and the kind kept.
async fn assert_refused_with_form(
    response: reqwest::Response,
    status: StatusCode,
    kind: &str,
) -> Html {
    assert_eq!(response.status(), status);
    let page = Html::parse_document(&response.text().await.expect("body"));
    assert_eq!(
        attrs(&page, "form[enctype='multipart/form-data']", "method"),
        ["post"],
        "the form is back"
    );
    assert!(
        !text(&page, "#file-error").is_empty() || !text(&page, "#kind-error").is_empty(),
        "a message by the form"
    );
    if !kind.is_empty() {
        assert_eq!(
            attrs(&page, "select[name='kind'] option[selected]", "value"),
            [kind],
            "the kind is kept"
        );
    }
    page
}

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
