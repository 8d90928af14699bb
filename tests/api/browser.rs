//! Browser tests: headless Chromium driven through chromedriver (Debian's `chromium` and
//! `chromium-driver`; scripts/test installs them and sets CHROMIUM_PATH and
//! CHROMEDRIVER_PATH). Screenshots go to target/screenshots/.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use sqlx::PgPool;

use crate::helpers::{PASSWORD, TestApp};

/// A browser session and the chromedriver serving it; both end on drop.
pub(crate) struct Browser {
    pub(crate) client: Client,
    driver: Child,
    _profile: TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A throw-away Chromium profile directory.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(crate) fn tool(variable: &str, fallback: &str) -> String {
    std::env::var(variable)
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| {
            let found = std::env::var_os("PATH")
                .into_iter()
                .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
                .map(|dir| dir.join(fallback))
                .find(|path| path.is_file());
            found.map(|p| p.display().to_string()).unwrap_or_else(|| {
                panic!(
                    "{fallback} not found: run scripts/test, which installs it, or set {variable}"
                )
            })
        })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub(crate) async fn browser(width: u32, height: u32) -> Browser {
    let port = free_port();
    let driver = Command::new(tool("CHROMEDRIVER_PATH", "chromedriver"))
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let profile =
        TempDir(std::env::temp_dir().join(format!("kc-chromium-{port}-{}", std::process::id())));
    let capabilities = serde_json::json!({
        "goog:chromeOptions": {
            "binary": tool("CHROMIUM_PATH", "chromium"),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--lang=vi",
                format!("--window-size={width},{height}"),
                format!("--user-data-dir={}", profile.0.display()),
            ]
        }
    });
    let capabilities = match capabilities {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("a JSON object"),
    };
    let url = format!("http://127.0.0.1:{port}");
    let mut last_error = None;
    for _ in 0..50 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => {
                return Browser {
                    client,
                    driver,
                    _profile: profile,
                };
            }
            Err(error) => {
                last_error = Some(error);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    panic!("cannot start a browser session: {last_error:?}");
}

pub(crate) async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("screenshot");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("screenshot written");
}

/// The text of the first element matching `css` once it satisfies `wanted`, waiting up to
/// ten seconds (a click's navigation may not have finished; a page being replaced can hand
/// back an element that goes stale). Gives the last text seen when time runs out.
async fn text_when(client: &Client, css: &str, wanted: impl Fn(&str) -> bool) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut last = String::new();
    loop {
        if let Ok(element) = client.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
        {
            if wanted(&text) {
                return text;
            }
            last = text;
        }
        if std::time::Instant::now() >= deadline {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until `css` reads exactly `expected`, and asserts it.
async fn assert_text(client: &Client, css: &str, expected: &str) {
    assert_eq!(
        text_when(client, css, |t| t == expected).await,
        expected,
        "{css}"
    );
}

/// Waits until `css` starts with `prefix`, and asserts it.
async fn assert_text_starts(client: &Client, css: &str, prefix: &str) {
    let text = text_when(client, css, |t| t.starts_with(prefix)).await;
    assert!(
        text.starts_with(prefix),
        "{css}: {text:?} does not start with {prefix:?}"
    );
}

pub(crate) async fn sign_in(client: &Client, app: &TestApp, username: &str, password: &str) {
    client.goto(&app.url("/login")).await.expect("login page");
    let form = client
        .form(Locator::Css("form[action='/login']"))
        .await
        .expect("login form");
    form.set_by_name("username", username)
        .await
        .expect("username");
    form.set_by_name("password", password)
        .await
        .expect("password");
    form.submit().await.expect("submit");
    // The sign-in's answer (the home page, or the form with its error) must have arrived
    // before the caller navigates on, or the late redirect to `/` wins the race.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while client
        .find(Locator::Css(".welcome, #login-error"))
        .await
        .is_err()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "no answer to the sign-in of {username}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[sqlx::test]
async fn every_demo_account_signs_in_and_out_in_a_browser(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    let browser = browser(1280, 900).await;
    let client = &browser.client;
    client.goto(&app.url("/login")).await.expect("login page");
    screenshot(client, "login").await;
    for (username, _) in khuyencong::demo::ACCOUNTS {
        sign_in(client, &app, username, PASSWORD).await;
        assert_text_starts(client, ".welcome h1", "Xin chào").await;
        screenshot(client, &format!("home-{username}")).await;
        client
            .find(Locator::Css("form[action='/logout'] button"))
            .await
            .expect("sign-out button")
            .click()
            .await
            .expect("sign out");
        assert_text(client, ".flash", "Bạn đã đăng xuất.").await;
    }
    client.clone().close().await.expect("close");
}

#[sqlx::test]
async fn a_wrong_password_is_refused_in_the_browser(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    let browser = browser(1280, 900).await;
    sign_in(&browser.client, &app, "canbo", "not-the-password").await;
    assert_text(
        &browser.client,
        "#login-error",
        "Tên đăng nhập hoặc mật khẩu không đúng.",
    )
    .await;
    screenshot(&browser.client, "login-refused").await;
    browser.client.clone().close().await.expect("close");
}

#[sqlx::test]
async fn a_cross_site_form_cannot_act_for_a_signed_in_user(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    // Another site, on another port: a page with a form that posts to our sign-out.
    let evil_page = format!(
        "<!doctype html><title>evil</title><form method=post action='{}/logout'><button id=go>Win a prize</button></form>",
        app.base
    );
    let evil = axum::Router::new().route(
        "/",
        axum::routing::get(move || async move { axum::response::Html(evil_page) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let evil_url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, evil).await });

    let browser = browser(1280, 900).await;
    let client = &browser.client;
    sign_in(client, &app, "canbo", PASSWORD).await;
    assert_text_starts(client, "main h1", "Xin chào").await;
    client.goto(&evil_url).await.expect("evil page");
    client
        .find(Locator::Id("go"))
        .await
        .expect("button")
        .click()
        .await
        .expect("click");
    assert_text(
        client,
        "main .lead",
        "Yêu cầu bị từ chối vì không gửi từ trang của hệ thống.",
    )
    .await;
    client.goto(&app.url("/")).await.expect("home");
    assert_text_starts(client, "main h1", "Xin chào").await;
    client.clone().close().await.expect("close");
}

#[sqlx::test]
async fn a_local_officer_cannot_open_another_areas_facility_by_url(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    let foreign: i64 = sqlx::query_scalar(
        "select f.id from facilities f join admin_units c on c.id = f.unit_id join admin_units d on d.id = c.parent_id \
         where d.level = 'district' and d.code = '171' order by f.id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("a Đại Từ facility");
    let browser = browser(1280, 900).await;
    let client = &browser.client;
    sign_in(client, &app, "pkt.phubinh", PASSWORD).await;
    client
        .goto(&app.url(&format!("/facilities/{foreign}")))
        .await
        .expect("goto");
    assert_text(client, "main h1", "404").await;
    client.clone().close().await.expect("close");
}

#[sqlx::test]
async fn the_english_switch_works_and_is_remembered(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    let browser = browser(1280, 900).await;
    let client = &browser.client;
    client.goto(&app.url("/login")).await.expect("login");
    assert_text(client, "main h1", "Đăng nhập").await;
    client
        .find(Locator::LinkText("EN"))
        .await
        .expect("EN")
        .click()
        .await
        .expect("click");
    assert_text(client, "main h1", "Sign in").await;
    sign_in(client, &app, "giamdoc", PASSWORD).await;
    assert_text_starts(client, "main h1", "Hello").await;
    screenshot(client, "home-english").await;
    client.clone().close().await.expect("close");
}

#[sqlx::test]
async fn pages_fit_a_360_pixel_phone(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    let browser = browser(360, 800).await;
    let client = &browser.client;
    client.goto(&app.url("/login")).await.expect("login");
    screenshot(client, "login-phone").await;
    sign_in(client, &app, "coso.phucxuan", PASSWORD).await;
    screenshot(client, "home-phone-owner").await;
    for path in ["/", "/proposals", "/facilities"] {
        client.goto(&app.url(path)).await.expect("goto");
        text_when(client, "main h1", |t| !t.is_empty()).await;
        let overflow = client
            .execute(
                "return document.documentElement.scrollWidth - window.innerWidth;",
                vec![],
            )
            .await
            .expect("script");
        assert!(
            overflow.as_i64().unwrap_or(i64::MAX) <= 0,
            "{path} scrolls sideways by {overflow}"
        );
    }
    client.clone().close().await.expect("close");
}

/// Opens `path` and waits until the browser shows it (a navigation still finishing from a
/// form can otherwise win over the new one).
async fn visit(client: &Client, app: &TestApp, path: &str) {
    let target = app.url(path);
    for _ in 0..3 {
        client.goto(&target).await.expect("goto");
        for _ in 0..100 {
            if client
                .current_url()
                .await
                .is_ok_and(|u| u.as_str() == target)
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    screenshot(client, "failed-visit").await;
    let at = client
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    panic!("the browser did not open {path}: it shows {at}");
}

/// Uploads `bytes` as a document of `kind` through the proposal's documents page, choosing
/// the file in the file input as a person would.
async fn upload_in_browser(
    client: &Client,
    app: &TestApp,
    proposal_path: &str,
    kind: &str,
    bytes: Vec<u8>,
) {
    // One name per upload: browser tests run at once in this process, and each removes its
    // file when done.
    static UPLOADS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = UPLOADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let pid = std::process::id();
    let file = std::env::temp_dir().join(format!("kc-{kind}-{pid}-{n}.pdf"));
    std::fs::write(&file, bytes).expect("file");
    visit(client, app, &format!("{proposal_path}/documents")).await;
    click(
        client,
        &format!("select[name='kind'] option[value='{kind}']"),
    )
    .await;
    client
        .find(Locator::Css("input[type='file']"))
        .await
        .expect("file input")
        .send_keys(&file.display().to_string())
        .await
        .expect("choose file");
    click(
        client,
        "form[enctype='multipart/form-data'] button[type='submit']",
    )
    .await;
    text_when(client, ".flash", |t| !t.is_empty()).await;
    let _ = std::fs::remove_file(&file);
}

/// Fills the `n`th input named `name` (0-based) by typing into it.
async fn type_into(client: &Client, name: &str, n: usize, value: &str) {
    let css = format!("[name='{name}']");
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    let inputs = client.find_all(Locator::Css(&css)).await.expect("inputs");
    let input = inputs.get(n).unwrap_or_else(|| panic!("no {name} #{n}"));
    input.clear().await.expect("clear");
    input.send_keys(value).await.expect("type");
}

/// Sets a date field through script: typing into a date field depends on the browser's locale.
async fn set_date(client: &Client, id: &str, iso: &str) {
    client
        .execute(
            &format!("document.getElementById('{id}').value = '{iso}';"),
            vec![],
        )
        .await
        .expect("set date");
}

async fn click(client: &Client, css: &str) {
    let element = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await;
    match element {
        Ok(element) => element.click().await.expect("click"),
        Err(e) => {
            screenshot(client, "failed-click").await;
            panic!("{css}: {e}");
        }
    }
}

async fn sign_out(client: &Client) {
    click(client, "form[action='/logout'] button").await;
    assert_text(client, ".flash", "Bạn đã đăng xuất.").await;
}

/// The whole intake in a browser: the local officer prepares and submits a dossier, the
/// Centre returns it, the facility owner answers and resubmits, the Centre accepts.
#[sqlx::test]
async fn a_dossier_travels_from_draft_to_accepted_through_three_roles(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    let browser = browser(1280, 1000).await;
    let client = &browser.client;

    // The local officer of TP. Thái Nguyên starts from the facility's page.
    sign_in(client, &app, "pkt.thainguyen", PASSWORD).await;
    client
        .goto(&app.url("/facilities?q=hop+tac+xa+che+phuc+xuan"))
        .await
        .expect("list");
    click(client, "main table tbody a").await;
    assert_text(client, "main h1", "Hợp tác xã Chè Phúc Xuân").await;
    click(client, "a[href^='/proposals/new?facility=']").await;
    assert_text(client, "main h1", "Lập đề án").await;
    type_into(
        client,
        "title",
        0,
        "Hỗ trợ ứng dụng máy đóng gói chè tự động",
    )
    .await;
    client
        .find(Locator::Css(
            "select[name='activity_type_code'] option[value='machinery']",
        ))
        .await
        .expect("option")
        .click()
        .await
        .expect("select");
    type_into(
        client,
        "objectives",
        0,
        "Đóng gói chè đúng quy cách để bán vào siêu thị.",
    )
    .await;
    type_into(client, "content", 0, "Mua một máy đóng gói chè tự động.").await;
    set_date(client, "start_date", "2026-05-01").await;
    set_date(client, "end_date", "2026-09-30").await;
    type_into(client, "line_item", 0, "Máy đóng gói chè tự động").await;
    type_into(client, "line_unit", 0, "chiếc").await;
    type_into(client, "line_quantity", 0, "1").await;
    type_into(client, "line_price", 0, "320.000.000").await;
    type_into(client, "line_support", 0, "160.000.000").await;
    type_into(client, "expected_output", 0, "40 tấn chè đóng gói/năm").await;
    click(client, "input[name='no_double_funding']").await;
    screenshot(client, "proposal-form").await;
    click(client, "form.wide button.primary").await;
    assert_text(client, ".flash", "Đã lưu hồ sơ đề án.").await;
    // The required documents, uploaded through the documents page one kind at a time.
    let proposal_path = client.current_url().await.expect("url").path().to_owned();
    let id: i64 = proposal_path
        .rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("id");
    let kinds: Vec<String> = sqlx::query_scalar(
        "select document_kind_code from required_documents where activity_type_code = 'machinery' and required",
    )
    .fetch_all(&app.pool)
    .await
    .expect("kinds");
    for kind in &kinds {
        upload_in_browser(client, &app, &proposal_path, kind, crate::helpers::pdf()).await;
    }
    visit(client, &app, &proposal_path).await;
    click(client, "form.action-submit button").await;
    assert_text(client, ".flash", "Đã gửi hồ sơ tới Trung tâm Khuyến công.").await;
    screenshot(client, "proposal-submitted").await;
    sign_out(client).await;

    // The Centre returns it with what is missing.
    sign_in(client, &app, "canbo", PASSWORD).await;
    visit(client, &app, &proposal_path).await;
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
    sign_in(client, &app, "coso.phucxuan", PASSWORD).await;
    visit(client, &app, &proposal_path).await;
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
    upload_in_browser(client, &app, &proposal_path, "quotation", bytes).await;
    let uploaded_by_owner: i64 = sqlx::query_scalar(
        "select count(*) from documents d join users u on u.id = d.uploaded_by where u.username = 'coso.phucxuan'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(uploaded_by_owner, 1, "the owner's answer is on file");
    visit(client, &app, &proposal_path).await;
    click(client, "form.action-resubmit button").await;
    assert_text(client, ".flash", "Đã gửi hồ sơ tới Trung tâm Khuyến công.").await;
    sign_out(client).await;

    // The Centre accepts it for appraisal.
    sign_in(client, &app, "canbo", PASSWORD).await;
    visit(client, &app, &proposal_path).await;
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
    let app = TestApp::spawn_with_demo(pool).await;
    // The Centre plans the trip (from its office PC; the HTTP client stands in for it).
    app.login("canbo", PASSWORD).await;
    let proposal: i64 =
        sqlx::query_scalar("select id from proposals where state = 'accepted' order by id limit 1")
            .fetch_one(&app.pool)
            .await
            .expect("an accepted proposal");
    let leader = crate::helpers::user_id(&app.pool, "thamdinh")
        .await
        .to_string();
    let day = (crate::helpers::today() + time::Duration::days(3)).to_string();
    let response = app
        .post_form(
            "/appraisals/visits/new",
            &[
                ("title", "Thẩm định tại huyện Đại Từ"),
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
    let photo = std::env::temp_dir().join(format!("kc-photo-{}.png", std::process::id()));
    std::fs::write(&photo, crate::helpers::png()).expect("photo");
    client
        .find(Locator::Css("#photo-file"))
        .await
        .expect("photo input")
        .send_keys(&photo.display().to_string())
        .await
        .expect("choose photo");
    click(client, "#photos button[type='submit']").await;
    assert_text(client, ".flash", "Đã tải lên 1 ảnh.").await;
    let _ = std::fs::remove_file(&photo);
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

/// The director builds the year's plan in a browser: the page picks proposals in ranking
/// order within what is left, the live total follows an unticked line and a lowered amount,
/// and the decision is recorded with its scan, approving the set in one step.
#[sqlx::test]
async fn a_director_builds_and_approves_a_plan_of_several_proposals(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    let appraised: Vec<(i64, i64)> = sqlx::query_as(
        "select p.id, r.proposed_support from proposals p \
         join appraisal_records r on r.proposal_id = p.id and r.status = 'final' \
         where p.state = 'appraised' and p.level = 'local' and p.plan_year = 2024 order by p.id",
    )
    .fetch_all(&app.pool)
    .await
    .expect("appraised proposals");
    assert!(appraised.len() >= 3, "the demo has several to choose from");
    // Room for every appraised proposal: the accountant records a round (over HTTP).
    let room: i64 = appraised.iter().map(|(_, p)| p).sum();
    app.login("ketoan", PASSWORD).await;
    let response = app
        .post_form(
            "/funding/rounds",
            &[
                ("year", "2024"),
                ("source", "local"),
                ("direction", "allocate"),
                ("amount", &room.to_string()),
                ("decided_on", "2024-09-02"),
                ("reference", "Quyết định 2001/QĐ-UBND"),
            ],
        )
        .await;
    assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER);

    let browser = browser(1280, 900).await;
    let client = &browser.client;
    sign_in(client, &app, "giamdoc", PASSWORD).await;
    visit(client, &app, "/funding?year=2024").await;
    click(client, "a[href='/funding/plan?year=2024&source=local']").await;
    text_when(client, "h1", |t| t.starts_with("Kế hoạch khuyến công")).await;
    // Every appraised proposal fits, so every one is picked at its most.
    let picked = client
        .find_all(Locator::Css(
            "table.plan-lines input[type=checkbox]:checked",
        ))
        .await
        .expect("checkboxes");
    assert_eq!(picked.len(), appraised.len());
    // Leave the last one out and halve the first: the total follows as typed.
    let (first, first_proposed) = appraised[0];
    let (last, _) = appraised[appraised.len() - 1];
    click(client, &format!("#pick_{last}")).await;
    type_into(
        client,
        &format!("amount_{first}"),
        0,
        &(first_proposed / 2).to_string(),
    )
    .await;
    let expected: i64 = first_proposed / 2
        + appraised[1..appraised.len() - 1]
            .iter()
            .map(|(_, p)| p)
            .sum::<i64>();
    let shown = khuyencong::domain::money::format_vnd(expected);
    text_when(client, "#selected-total", |t| {
        t.replace('\u{a0}', " ") == shown
    })
    .await;
    screenshot(client, "plan-built").await;

    type_into(client, "number", 0, "2024/QĐ-UBND").await;
    set_date(client, "decided_on", "2024-12-16").await;
    type_into(
        client,
        "signer",
        0,
        "Nguyễn Văn Hùng, Phó Chủ tịch UBND tỉnh",
    )
    .await;
    let scan = std::env::temp_dir().join(format!("kc-plan-{}.pdf", std::process::id()));
    std::fs::write(&scan, crate::helpers::pdf()).expect("file");
    client
        .find(Locator::Css("input[type='file']"))
        .await
        .expect("file input")
        .send_keys(&scan.display().to_string())
        .await
        .expect("choose file");
    click(client, "#plan-form button.primary").await;
    assert_text_starts(client, ".flash", "Đã ghi nhận Quyết định 2024/QĐ-UBND").await;
    let _ = std::fs::remove_file(&scan);
    screenshot(client, "plan-recorded").await;

    let approved: Vec<i64> = sqlx::query_scalar(
        "select proposal_id from plan_decision_lines l join plan_decisions d on d.id = l.decision_id \
         where d.number = '2024/QĐ-UBND' order by 1",
    )
    .fetch_all(&app.pool)
    .await
    .expect("lines");
    let wanted: Vec<i64> = appraised[..appraised.len() - 1]
        .iter()
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(approved, wanted);
    let state: String = sqlx::query_scalar("select state::text from proposals where id = $1")
        .bind(last)
        .fetch_one(&app.pool)
        .await
        .expect("state");
    assert_eq!(
        state, "appraised",
        "the one left out waits for another round"
    );
}

/// The Centre's contract in a browser: the signing form prefilled from the approval, the
/// amendment form on the same page, and the button that starts the work.
#[sqlx::test]
async fn the_centre_signs_amends_and_starts_a_contract_in_the_browser(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    let (id, decided_on): (i64, time::Date) = sqlx::query_as(
        "select p.id, d.decided_on from proposals p join plan_decisions d on d.id = p.plan_decision_id \
         where p.state = 'approved' and p.plan_year = 2024 order by p.id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("an approved proposal");
    let browser = browser(1280, 900).await;
    let client = &browser.client;
    sign_in(client, &app, "canbo", PASSWORD).await;
    visit(client, &app, &format!("/proposals/{id}/contract")).await;
    set_date(
        client,
        "signed_on",
        &(decided_on + time::Duration::days(7)).to_string(),
    )
    .await;
    type_into(client, "holder_signer", 0, "Lê Văn Hùng, Giám đốc").await;
    type_into(
        client,
        "implementer_signer",
        0,
        "Lương Văn Quý, Giám đốc HTX",
    )
    .await;
    click(
        client,
        &format!("form[action='/proposals/{id}/contract'] button"),
    )
    .await;
    assert_text_starts(client, ".flash", "Đã ghi nhận hợp đồng").await;
    screenshot(client, "contract-signed").await;

    let today = crate::helpers::today();
    type_into(client, "amend_number", 0, "01/PL-HĐ").await;
    set_date(client, "amended_on", &today.to_string()).await;
    set_date(
        client,
        "amend_deadline",
        &(today + time::Duration::days(90)).to_string(),
    )
    .await;
    type_into(client, "reason", 0, "Thiết bị về chậm do nhà cung cấp.").await;
    click(client, "form[action$='/contract/amend'] button").await;
    assert_text_starts(client, ".flash", "Đã ghi nhận phụ lục 01/PL-HĐ").await;
    let amended: (time::Date, i64) = sqlx::query_as(
        "select c.deadline, (select count(*) from contract_amendments a where a.contract_id = c.id) \
         from contracts c where c.proposal_id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("the contract");
    assert_eq!(amended, (today + time::Duration::days(90), 1));

    visit(client, &app, &format!("/proposals/{id}")).await;
    click(
        client,
        &format!("form[action='/proposals/{id}/start'] button"),
    )
    .await;
    assert_text_starts(client, ".flash", "Đề án đã chuyển sang đang thực hiện").await;
    assert_eq!(crate::helpers::state_of(&app.pool, id).await, "in_progress");
}

/// Clicks every radio button `value` inside `scope` (the evidence checklist).
async fn choose_all(client: &Client, scope: &str, value: &str) {
    let css = format!("{scope} input[type='radio'][value='{value}']");
    let radios = client.find_all(Locator::Css(&css)).await.expect("radios");
    assert!(!radios.is_empty(), "no {css}");
    for radio in radios {
        radio.click().await.expect("click radio");
    }
}

/// From the contract to the end, each role on its own page: the Centre starts the work, the
/// local office reports progress, the Centre plans the acceptance visit, the appraiser
/// declares and accepts (evidence, amounts per line, pass), the accountant settles, the
/// Centre records the effects and closes.
#[sqlx::test]
async fn a_proposal_is_carried_from_contracted_to_completed_in_the_browser(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    let (id, office): (i64, String) = sqlx::query_as(
        "select p.id, u.username from proposals p \
         join users u on u.organisation_id = p.office_id and u.role = 'local_officer' \
         where p.state = 'contracted' order by p.id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("a contracted proposal");
    let browser = browser(1280, 900).await;
    carry_to_completed(&browser.client, &app, id, &office).await;
}

/// Carries contracted proposal `id` of local office `office` to completed, each role on its
/// own page (see the test above).
async fn carry_to_completed(client: &Client, app: &TestApp, id: i64, office: &str) {
    let today = crate::helpers::today();
    let support: i64 =
        sqlx::query_scalar("select approved_support from contracts where proposal_id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .expect("the contract");

    // The Centre starts the work.
    sign_in(client, app, "canbo", PASSWORD).await;
    visit(client, app, &format!("/proposals/{id}")).await;
    click(
        client,
        &format!("form[action='/proposals/{id}/start'] button"),
    )
    .await;
    assert_text_starts(client, ".flash", "Đề án đã chuyển sang đang thực hiện").await;
    sign_out(client).await;

    // The local office reports the month's progress.
    sign_in(client, app, office, PASSWORD).await;
    visit(client, app, &format!("/proposals/{id}/progress")).await;
    let month = format!("{}-{:02}", today.year(), u8::from(today.month()));
    set_date(client, "month", &month).await;
    type_into(client, "percent_done", 0, "100").await;
    type_into(client, "spending", 0, "500000000").await;
    type_into(client, "work_done", 0, "Đã lắp đặt và chạy thử máy.").await;
    click(
        client,
        &format!("form[action='/proposals/{id}/progress'] button"),
    )
    .await;
    assert_text_starts(client, ".flash", "Đã ghi nhận báo cáo tiến độ").await;
    sign_out(client).await;

    // The Centre plans the acceptance visit, the appraiser leading.
    sign_in(client, app, "canbo", PASSWORD).await;
    visit(client, app, "/appraisals").await;
    click(
        client,
        "a[href='/appraisals/visits/new?purpose=acceptance']",
    )
    .await;
    set_date(client, "visit_date", &today.to_string()).await;
    let leader = crate::helpers::user_id(&app.pool, "thamdinh").await;
    click(client, &format!("#leader_id option[value='{leader}']")).await;
    click(client, &format!("input[name='proposal_ids'][value='{id}']")).await;
    click(
        client,
        "form[action='/appraisals/visits/new'] button[type='submit']",
    )
    .await;
    assert_text_starts(client, ".flash", "Đã lập đoàn nghiệm thu").await;
    let visit_id: i64 =
        sqlx::query_scalar("select visit_id from acceptance_records where proposal_id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .expect("the acceptance visit");
    sign_out(client).await;

    // The appraiser declares, checks the evidence, admits the lines and passes the work.
    sign_in(client, app, "thamdinh", PASSWORD).await;
    visit(client, app, &format!("/appraisals/visits/{visit_id}")).await;
    click(client, ".declare-form input[name='conflict'][value='no']").await;
    click(client, ".declare-form button").await;
    assert_text_starts(client, ".flash", "Đã ghi kê khai").await;
    visit(client, app, &format!("/proposals/{id}/acceptance")).await;
    choose_all(client, "#record", "yes").await;
    let lines: Vec<(i64, i64)> = sqlx::query_as(
        "select id, support from proposal_cost_lines where proposal_id = $1 order by position",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .expect("lines");
    for (line, line_support) in &lines {
        type_into(
            client,
            &format!("line_{line}"),
            0,
            &line_support.to_string(),
        )
        .await;
    }
    type_into(
        client,
        "conclusion",
        0,
        "Máy vận hành ổn định, đúng hợp đồng.",
    )
    .await;
    click(client, "input[name='result'][value='pass']").await;
    click(client, "button[name='finalise']").await;
    assert_text_starts(client, ".flash", "Đề án").await;
    screenshot(client, "acceptance-passed").await;
    assert_eq!(
        crate::helpers::state_of(&app.pool, id).await,
        "result_accepted"
    );
    sign_out(client).await;

    // The accountant liquidates the contract and pays the rest.
    sign_in(client, app, "ketoan", PASSWORD).await;
    visit(client, app, &format!("/proposals/{id}/settlement")).await;
    type_into(client, "liquidation_number", 0, "05/TL-HĐ").await;
    type_into(client, "voucher_number", 0, "PC-TL-05").await;
    click(
        client,
        &format!("form[action='/proposals/{id}/settlement'] button"),
    )
    .await;
    assert_text_starts(client, ".flash", "Đã thanh lý hợp đồng").await;
    let paid: i64 = sqlx::query_scalar("select paid from contracts where proposal_id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("paid");
    let admitted: i64 = lines.iter().map(|l| l.1).sum::<i64>().min(support);
    assert_eq!(paid, admitted);
    sign_out(client).await;

    // The Centre records the effects at settlement and closes the proposal.
    sign_in(client, app, "canbo", PASSWORD).await;
    visit(client, app, &format!("/proposals/{id}/evaluation")).await;
    type_into(client, "output", 0, "15.000 sản phẩm/năm").await;
    type_into(client, "revenue", 0, "3.200.000.000").await;
    type_into(client, "jobs", 0, "21").await;
    type_into(client, "productivity_change", 0, "30").await;
    click(
        client,
        &format!("form[action='/proposals/{id}/evaluation'] button"),
    )
    .await;
    assert_text_starts(client, ".flash", "Đã ghi nhận đánh giá").await;
    click(
        client,
        &format!("form[action='/proposals/{id}/evaluation/close'] button"),
    )
    .await;
    assert_text_starts(client, ".flash", "Đề án").await;
    assert_eq!(crate::helpers::state_of(&app.pool, id).await, "completed");
    screenshot(client, "completed").await;
}

/// The whole life in one browser run: a new dossier from draft to completed, every role on
/// its own pages (the local office, the Centre, the appraiser, the accountant, the director).
#[sqlx::test]
async fn a_new_proposal_lives_from_draft_to_completed_in_one_browser_run(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    let browser = browser(1280, 1000).await;
    let client = &browser.client;
    let today = crate::helpers::today().to_string();

    // The local office prepares and submits the dossier.
    sign_in(client, &app, "pkt.thainguyen", PASSWORD).await;
    let facility: i64 =
        sqlx::query_scalar("select id from facilities where name = 'Hợp tác xã Chè Phúc Xuân'")
            .fetch_one(&app.pool)
            .await
            .expect("the facility");
    visit(client, &app, &format!("/proposals/new?facility={facility}")).await;
    type_into(client, "title", 0, "Hỗ trợ máy sấy chè bằng nhiệt khí").await;
    click(
        client,
        "select[name='activity_type_code'] option[value='machinery']",
    )
    .await;
    type_into(client, "objectives", 0, "Sấy chè đều, giảm hao hụt.").await;
    type_into(client, "content", 0, "Mua một máy sấy chè.").await;
    set_date(client, "start_date", "2027-03-01").await;
    set_date(client, "end_date", "2027-09-30").await;
    type_into(client, "line_item", 0, "Máy sấy chè nhiệt khí").await;
    type_into(client, "line_unit", 0, "chiếc").await;
    type_into(client, "line_quantity", 0, "1").await;
    type_into(client, "line_price", 0, "300.000.000").await;
    type_into(client, "line_support", 0, "150.000.000").await;
    type_into(client, "expected_output", 0, "60 tấn chè khô/năm").await;
    click(client, "input[name='no_double_funding']").await;
    click(client, "form.wide button.primary").await;
    assert_text(client, ".flash", "Đã lưu hồ sơ đề án.").await;
    let proposal_path = client.current_url().await.expect("url").path().to_owned();
    let id: i64 = proposal_path
        .rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("id");
    let kinds: Vec<String> = sqlx::query_scalar(
        "select document_kind_code from required_documents where activity_type_code = 'machinery' and required",
    )
    .fetch_all(&app.pool)
    .await
    .expect("kinds");
    for kind in &kinds {
        let mut bytes = crate::helpers::pdf();
        bytes.extend_from_slice(format!("% {kind}\n").as_bytes());
        upload_in_browser(client, &app, &proposal_path, kind, bytes).await;
    }
    visit(client, &app, &proposal_path).await;
    click(client, "form.action-submit button").await;
    assert_text(client, ".flash", "Đã gửi hồ sơ tới Trung tâm Khuyến công.").await;
    sign_out(client).await;

    // The Centre accepts it and plans the appraisal visit for today.
    sign_in(client, &app, "canbo", PASSWORD).await;
    visit(client, &app, &proposal_path).await;
    click(client, "form.action-accept button").await;
    assert_text_starts(client, ".flash", "Hồ sơ đã được tiếp nhận").await;
    visit(client, &app, "/appraisals/visits/new").await;
    set_date(client, "visit_date", &today).await;
    let leader = crate::helpers::user_id(&app.pool, "thamdinh").await;
    click(client, &format!("#leader_id option[value='{leader}']")).await;
    click(client, &format!("input[name='proposal_ids'][value='{id}']")).await;
    click(
        client,
        "form[action='/appraisals/visits/new'] button[type='submit']",
    )
    .await;
    assert_text_starts(client, ".flash", "Đã lập đoàn thẩm định").await;
    sign_out(client).await;

    // The appraiser declares, scores and finalises.
    let (visit_id, record): (i64, i64) = sqlx::query_as(
        "select visit_id, id from appraisal_records where proposal_id = $1 and status = 'draft'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("the draft record");
    let criteria: Vec<(i64, i16)> = sqlx::query_as(
        "select s.criterion_id, c.max_points from appraisal_scores s \
         join appraisal_criteria c on c.id = s.criterion_id where s.record_id = $1 order by c.position",
    )
    .bind(record)
    .fetch_all(&app.pool)
    .await
    .expect("criteria");
    sign_in(client, &app, "thamdinh", PASSWORD).await;
    visit(client, &app, &format!("/appraisals/visits/{visit_id}")).await;
    click(client, ".declare-form input[name='conflict'][value='no']").await;
    click(client, ".declare-form button[type='submit']").await;
    assert_text(client, ".flash", "Đã ghi kê khai xung đột lợi ích.").await;
    visit(client, &app, &format!("/appraisals/{record}")).await;
    for (criterion, max) in &criteria {
        type_into(
            client,
            &format!("points_{criterion}"),
            0,
            &(max - 2).to_string(),
        )
        .await;
        type_into(client, &format!("finding_{criterion}"), 0, "Đạt yêu cầu").await;
    }
    type_into(client, "premises", 0, "Nhà xưởng kiên cố").await;
    type_into(client, "machinery", 0, "Máy sấy cũ đã hỏng").await;
    type_into(client, "counterpart_capacity", 0, "Đủ vốn đối ứng").await;
    type_into(client, "proposed_support", 0, "120.000.000").await;
    click(client, "input[name='recommendation'][value='approve']").await;
    click(client, ".record-form button.primary").await;
    assert_text(client, ".flash", "Đã lưu nháp phiếu thẩm định.").await;
    click(client, ".finalise button.primary").await;
    assert_text(client, ".flash", "Đã hoàn tất phiếu thẩm định.").await;
    sign_out(client).await;

    // The accountant records the year's envelope; the director approves the plan.
    sign_in(client, &app, "ketoan", PASSWORD).await;
    visit(client, &app, "/funding?year=2027").await;
    click(client, "select[name='source'] option[value='local']").await;
    type_into(client, "amount", 0, "500.000.000").await;
    set_date(client, "decided_on", &today).await;
    type_into(client, "reference", 0, "Quyết định 15/QĐ-UBND").await;
    click(client, "form[action='/funding/rounds'] button").await;
    text_when(client, ".flash", |t| !t.is_empty()).await;
    sign_out(client).await;
    sign_in(client, &app, "giamdoc", PASSWORD).await;
    visit(client, &app, "/funding/plan?year=2027&source=local").await;
    let others = client
        .find_all(Locator::Css(
            "table.plan-lines input[type=checkbox]:checked",
        ))
        .await
        .expect("checkboxes");
    for other in others {
        if other.attr("id").await.ok().flatten() != Some(format!("pick_{id}")) {
            other.click().await.expect("untick");
        }
    }
    type_into(client, "number", 0, "2027/QĐ-UBND").await;
    set_date(client, "decided_on", &today).await;
    type_into(client, "signer", 0, "Phó Chủ tịch UBND tỉnh").await;
    let scan = std::env::temp_dir().join(format!("kc-life-{}.pdf", std::process::id()));
    std::fs::write(&scan, crate::helpers::pdf()).expect("file");
    client
        .find(Locator::Css("input[type='file']"))
        .await
        .expect("file input")
        .send_keys(&scan.display().to_string())
        .await
        .expect("choose file");
    click(client, "#plan-form button.primary").await;
    assert_text_starts(client, ".flash", "Đã ghi nhận Quyết định 2027/QĐ-UBND").await;
    let _ = std::fs::remove_file(&scan);
    assert_eq!(crate::helpers::state_of(&app.pool, id).await, "approved");
    sign_out(client).await;

    // The Centre signs the contract; then the work is carried to the end.
    sign_in(client, &app, "canbo", PASSWORD).await;
    visit(client, &app, &format!("/proposals/{id}/contract")).await;
    set_date(client, "signed_on", &today).await;
    type_into(client, "holder_signer", 0, "Lê Văn Hùng, Giám đốc").await;
    type_into(client, "implementer_signer", 0, "Chủ nhiệm HTX").await;
    click(
        client,
        &format!("form[action='/proposals/{id}/contract'] button"),
    )
    .await;
    assert_text_starts(client, ".flash", "Đã ghi nhận hợp đồng").await;
    sign_out(client).await;
    carry_to_completed(client, &app, id, "pkt.thainguyen").await;
    visit(client, &app, &proposal_path).await;
    screenshot(client, "whole-life").await;
}

/// A facility owner without an account looks a dossier up on a phone from the sign-in page;
/// the director reads the year's report, picks another year and finds the export.
#[sqlx::test]
async fn the_public_lookup_and_the_annual_report_work_in_the_browser(pool: PgPool) {
    let app = TestApp::spawn_with_demo(pool).await;
    let (code, tax_code, state): (String, String, String) = sqlx::query_as(
        "select p.code, f.tax_code, p.state::text from proposals p
         join facilities f on f.id = p.beneficiary_ids[1]
         where p.code is not null and p.state = 'in_progress'
         order by p.id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("a dossier being carried out");
    assert_eq!(state, "in_progress");

    let phone = browser(360, 740).await;
    let client = &phone.client;
    visit(client, &app, "/login").await;
    click(client, "a[href='/tra-cuu']").await;
    let form = client
        .form(Locator::Css("form[action='/tra-cuu']"))
        .await
        .expect("lookup form");
    // Typed as a person might: lower case, with spaces around.
    form.set_by_name("code", &format!(" {} ", code.to_lowercase()))
        .await
        .expect("code");
    form.set_by_name("tax_code", &tax_code)
        .await
        .expect("tax code");
    form.submit().await.expect("submit");
    assert_text(client, "#lookup-code", &code).await;
    assert_text(
        client,
        "#lookup-state",
        "Đề án đang được thực hiện. Vui lòng báo cáo tiến độ hằng tháng.",
    )
    .await;
    screenshot(client, "lookup-phone").await;
    drop(phone);

    let desk = browser(1280, 900).await;
    let client = &desk.client;
    sign_in(client, &app, "giamdoc", PASSWORD).await;
    click(client, "a[href='/reports']").await;
    assert_text_starts(client, ".report-summary", "Năm 20").await;
    let form = client
        .form(Locator::Css("form[action='/reports']"))
        .await
        .expect("report form");
    form.set_by_name("year", "2023").await.expect("year");
    form.submit().await.expect("submit");
    assert_text_starts(
        client,
        ".report-summary",
        "Năm 2023, Trung tâm Khuyến công đã hoàn thành 27 đề án, trong đó 3 đề án",
    )
    .await;
    let chart = client
        .find(Locator::Css("svg.chart-drawing rect"))
        .await
        .expect("a chart is drawn");
    assert!(chart.attr("width").await.expect("width").is_some());
    let export = client
        .find(Locator::Css("a[href^='/reports/export?format=xlsx']"))
        .await
        .expect("the export link");
    assert_eq!(
        export.attr("href").await.expect("href").as_deref(),
        Some("/reports/export?format=xlsx&year=2023&source=")
    );
    screenshot(client, "annual-report").await;
    assert_no_sideways_scrolling(client, "the report").await;

    // The director's dashboard: the newest year at a glance, with its chart.
    visit(client, &app, "/").await;
    text_when(client, "section.glance h2", |t| !t.is_empty()).await;
    client
        .find(Locator::Css("section.glance svg.chart-drawing rect"))
        .await
        .expect("the glance's chart is drawn");
    screenshot(client, "dashboard-director").await;
    assert_no_sideways_scrolling(client, "the dashboard").await;
}

/// Reloads the page at 1280 and 360 px and checks that nothing in `main` is wider than the
/// window (names the first elements that are, when some are).
async fn assert_no_sideways_scrolling(client: &Client, what: &str) {
    for width in [1280, 360] {
        client
            .set_window_size(width, 900)
            .await
            .expect("window size");
        client.refresh().await.expect("reload");
        text_when(client, "main h1, main h2", |t| !t.is_empty()).await;
        let overflow = client
            .execute(
                "const wide = [...document.querySelectorAll('main *')]
                 .filter(e => e.getBoundingClientRect().right > window.innerWidth)
                 .map(e => e.tagName + '.' + e.className.baseVal + e.className);
             return [document.documentElement.scrollWidth - window.innerWidth, wide.slice(0, 5)];",
                vec![],
            )
            .await
            .expect("script");
        assert!(
            overflow[0].as_i64().unwrap_or(i64::MAX) <= 0,
            "{what} scrolls sideways at {width} px: {overflow}"
        );
    }
}
