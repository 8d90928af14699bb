//! The test harness: start the application against the test's database, sign in, read
//! pages.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};

use khuyencong::app;
use khuyencong::config::Config;
use khuyencong::state::AppState;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION};
use scraper::{Html, Selector};
use sqlx::PgPool;
use tokio::sync::oneshot;

/// The password of the demo's accounts and of every world's.
pub const PASSWORD: &str = khuyencong::demo::DEMO_PASSWORD;

static TRACING: Once = Once::new();

/// A running application.
pub struct TestApp {
    /// `http://127.0.0.1:port`.
    pub base: String,
    /// The test's database.
    pub pool: PgPool,
    /// A client that keeps cookies and does not follow redirects.
    pub client: reqwest::Client,
    /// The app's own document store directory (removed when the app stops).
    pub storage_dir: PathBuf,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
            let _ = std::fs::remove_dir_all(&self.storage_dir);
        }
    }
}

/// A directory of its own for each test app's documents, under the system's temporary
/// directory.
fn temp_storage_dir() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir()
        .join(format!("khuyencong-test-{}-{n}", std::process::id()))
        .display()
        .to_string()
}

/// Configuration for tests: defaults (with a fresh storage directory) plus `extra`.
pub fn test_config(extra: &[(&str, &str)]) -> Config {
    let mut pairs: Vec<(String, String)> = vec![
        (
            "DATABASE_URL".into(),
            "postgres://unused@127.0.0.1/unused".into(),
        ),
        ("STORAGE_DIR".into(), temp_storage_dir()),
        // The tests run the daily job themselves, when they mean to.
        ("DAILY_JOB_DISABLED".into(), "true".into()),
    ];
    pairs.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    Config::from_lookup(|name| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    })
    .expect("test configuration is valid")
}

impl TestApp {
    /// Prepares the database (reference data) and starts the server on a random port.
    pub async fn spawn(pool: PgPool) -> Self {
        Self::spawn_with(pool.clone(), pool, &[]).await
    }

    /// Like `spawn`, and loads the demo data set.
    pub async fn spawn_with_demo(pool: PgPool) -> Self {
        let app = Self::spawn(pool).await;
        seed_demo(&app).await;
        app
    }

    /// Starts the server over `server_pool` (which may differ from the test's own `pool`,
    /// e.g. a deliberately tiny pool), with configuration `extra`.
    pub async fn spawn_with(pool: PgPool, server_pool: PgPool, extra: &[(&str, &str)]) -> Self {
        TRACING.call_once(|| {
            if std::env::var_os("TEST_LOG").is_some() {
                khuyencong::telemetry::init(false);
            }
        });
        khuyencong::db::reference::load_admin_units(&pool)
            .await
            .expect("admin units load");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("address");
        let base = format!("http://{addr}");
        let mut settings = vec![("BASE_URL", base.as_str())];
        settings.extend_from_slice(extra);
        let state = AppState::new(test_config(&settings), server_pool);
        let storage_dir = state.config.storage_dir.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(app::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        Self {
            base,
            pool,
            client: client(),
            storage_dir,
            stop: Some(stop),
        }
    }

    /// The same running app seen through another client (another user's browser).
    pub fn with_client(&self, client: reqwest::Client) -> TestApp {
        TestApp {
            base: self.base.clone(),
            pool: self.pool.clone(),
            client,
            storage_dir: self.storage_dir.clone(),
            stop: None,
        }
    }

    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A GET with this app's client.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// A form POST, as a browser on this site sends it (same origin).
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("origin", &self.base)
            .header("sec-fetch-site", "same-origin")
            .form(form)
            .send()
            .await
            .expect("POST")
    }

    /// Posts text `fields` as a multipart form (a form with a file field left empty).
    pub async fn post_multipart_fields(
        &self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let form = fields
            .iter()
            .fold(reqwest::multipart::Form::new(), |form, (k, v)| {
                form.text(k.to_string(), v.to_string())
            });
        self.post_multipart(path, form).await
    }

    /// Posts a multipart form from the app's own origin.
    pub async fn post_multipart(
        &self,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("origin", &self.base)
            .header("sec-fetch-site", "same-origin")
            .multipart(form)
            .send()
            .await
            .expect("POST")
    }

    /// Signs in; panics unless it succeeds.
    pub async fn login(&self, username: &str, password: &str) {
        let response = self
            .post_form("/login", &[("username", username), ("password", password)])
            .await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "sign-in of {username} failed"
        );
    }

    /// A fresh client (no cookies) signed in as `username`.
    pub async fn login_new_client(&self, username: &str, password: &str) -> reqwest::Client {
        let other = client();
        let response = other
            .post(self.url("/login"))
            .header("origin", &self.base)
            .form(&[("username", username), ("password", password)])
            .send()
            .await
            .expect("POST");
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        other
    }

    /// The page at `path`, which must answer 200.
    pub async fn page(&self, path: &str) -> Html {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        Html::parse_document(&response.text().await.expect("body"))
    }
}

/// A cookie-keeping client that does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The text of every element matching `selector`.
pub fn texts(html: &Html, selector: &str) -> Vec<String> {
    let selector = Selector::parse(selector).expect("selector");
    html.select(&selector)
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// The first text matching `selector`, or an empty string.
pub fn text(html: &Html, selector: &str) -> String {
    texts(html, selector).into_iter().next().unwrap_or_default()
}

/// The value of attribute `attr` of every element matching `selector`.
pub fn attrs(html: &Html, selector: &str, attr: &str) -> Vec<String> {
    let selector = Selector::parse(selector).expect("selector");
    html.select(&selector)
        .filter_map(|e| e.value().attr(attr).map(str::to_owned))
        .collect()
}

/// Asserts a 303 to `location`.
#[track_caller]
pub fn assert_redirect(response: &reqwest::Response, location: &str) {
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(response.headers(), LOCATION.as_str()), location);
}

/// A header's value as text.
pub fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The id of a demo user.
pub async fn user_id(pool: &PgPool, username: &str) -> i64 {
    sqlx::query_scalar("select id from users where username = $1")
        .bind(username)
        .fetch_one(pool)
        .await
        .expect("user exists")
}

/// A page's document, from its response.
pub async fn html(response: reqwest::Response) -> Html {
    Html::parse_document(&response.text().await.expect("body"))
}

/// The number a counting query gives.
pub async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
}

/// The number a counting query with one parameter (`$1`) gives.
pub async fn count_for<T>(pool: &PgPool, sql: &str, value: T) -> i64
where
    T: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send,
{
    sqlx::query_scalar(sql)
        .bind(value)
        .fetch_one(pool)
        .await
        .expect(sql)
}

/// Loads the demo data set into the app's database.
pub async fn seed_demo(app: &TestApp) {
    let passwords = khuyencong::auth::password::Passwords::new(2);
    khuyencong::demo::seed(&app.pool, &passwords)
        .await
        .expect("demo data loads");
}

/// A one-page PDF, for uploads.
pub fn pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A 1×1 PNG.
pub fn png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F,
        0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00,
        0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49,
        0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
}

/// Attaches a PDF of every kind the proposal's activity type requires, through the upload
/// form, as the signed-in user of `app`.
pub async fn attach_required_documents(app: &TestApp, proposal_id: i64) {
    let kinds: Vec<String> = sqlx::query_scalar(
        "select r.document_kind_code from required_documents r join proposals p on p.activity_type_code = r.activity_type_code
         where p.id = $1 and r.required and (r.valid_to is null or r.valid_to > current_date)",
    )
    .bind(proposal_id)
    .fetch_all(&app.pool)
    .await
    .expect("required kinds");
    for kind in kinds {
        let form = reqwest::multipart::Form::new()
            .text("kind", kind.clone())
            .part(
                "file",
                reqwest::multipart::Part::bytes(kind_pdf(&kind))
                    .file_name(format!("{kind}.pdf"))
                    .mime_str("application/pdf")
                    .expect("mime"),
            );
        let response = app
            .client
            .post(app.url(&format!("/proposals/{proposal_id}/documents")))
            .header("origin", &app.base)
            .header("sec-fetch-site", "same-origin")
            .multipart(form)
            .send()
            .await
            .expect("upload");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "upload of {kind}");
    }
}

/// A PDF of its own for each document kind (a comment after the end names it), so a test's
/// own upload of [`pdf`] is never taken for a copy of one of these.
fn kind_pdf(kind: &str) -> Vec<u8> {
    let mut bytes = pdf();
    bytes.extend_from_slice(format!("% {kind}\n").as_bytes());
    bytes
}

/// The version of proposal `id`, as its forms carry it.
pub async fn version(pool: &PgPool, id: i64) -> String {
    let v: i32 = sqlx::query_scalar("select version from proposals where id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .expect("version");
    v.to_string()
}

/// A proposal's state, as its code.
pub async fn state_of(pool: &PgPool, proposal: i64) -> String {
    sqlx::query_scalar("select state::text from proposals where id = $1")
        .bind(proposal)
        .fetch_one(pool)
        .await
        .expect("state")
}

/// Today as the application sees it: in Vietnam (UTC+7), which is tomorrow in UTC from 17:00.
pub fn today() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(khuyencong::domain::format::VIETNAM)
        .date()
}

/// Pays an advance of `amount` on a demo proposal being carried out, the way its users do:
/// the local office `office` reports 80% done this month and asks, the Centre confirms, the
/// accountant pays with voucher `voucher`.
pub async fn pay_advance(
    app: &TestApp,
    proposal: i64,
    contract: i64,
    office: &str,
    amount: i64,
    voucher: &str,
) {
    let today = today();
    let officer = app.with_client(app.login_new_client(office, PASSWORD).await);
    let month = format!("{}-{:02}", today.year(), u8::from(today.month()));
    let report = reqwest::multipart::Form::new()
        .text("month", month)
        .text("percent_done", "80")
        .text("spending", "1000000")
        .text("work_done", "Đã lắp máy.");
    let response = officer
        .post_multipart(&format!("/proposals/{proposal}/progress"), report)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "progress report");
    let amount = khuyencong::domain::money::format_plain(amount);
    let response = officer
        .post_form(
            &format!("/proposals/{proposal}/advances"),
            &[("amount", &amount)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "advance request");
    let request: i64 = sqlx::query_scalar(
        "select id from advance_requests where contract_id = $1 order by id desc limit 1",
    )
    .bind(contract)
    .fetch_one(&app.pool)
    .await
    .expect("the request");
    let staff = app.with_client(app.login_new_client("canbo", PASSWORD).await);
    let confirm = format!("/proposals/{proposal}/advances/{request}/confirm");
    assert_eq!(
        staff.post_form(&confirm, &[]).await.status(),
        StatusCode::SEE_OTHER,
        "confirmed"
    );
    let accountant = app.with_client(app.login_new_client("ketoan", PASSWORD).await);
    let pay = format!("/proposals/{proposal}/advances/{request}/pay");
    let day = today.to_string();
    let response = accountant
        .post_form(&pay, &[("voucher_number", voucher), ("paid_on", &day)])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "advance paid");
}

/// What an envelope has committed.
pub async fn committed(pool: &PgPool, envelope: i64) -> i64 {
    sqlx::query_scalar("select committed from funding_envelopes where id = $1")
        .bind(envelope)
        .fetch_one(pool)
        .await
        .expect("committed")
}
