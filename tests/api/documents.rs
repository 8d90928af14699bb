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

use crate::helpers::{TestApp, attrs, text};
use crate::world::World;

mod access;
mod checks;

/// A 1×1 PNG.
const PNG_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

fn png() -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(PNG_BASE64)
        .expect("png")
}

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
