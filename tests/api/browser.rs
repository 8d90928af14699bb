//! Browser tests: headless Chromium driven through chromedriver (Debian's `chromium` and
//! `chromium-driver`; scripts/test installs them and sets CHROMIUM_PATH and
//! CHROMEDRIVER_PATH). Screenshots go to target/screenshots/. This file is the kit (start a
//! browser, sign in, type, click, wait for a text); each main flow, in a world of its own,
//! is in a file beside it.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

use crate::helpers::TestApp;

mod access;
mod contract;
mod intake;
mod life;
mod lookup;

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
    visit(client, app, &format!("{proposal_path}/documents")).await;
    click(
        client,
        &format!("select[name='kind'] option[value='{kind}']"),
    )
    .await;
    let _file = choose_file(client, "input[type='file']", &format!("{kind}.pdf"), &bytes).await;
    click(
        client,
        "form[enctype='multipart/form-data'] button[type='submit']",
    )
    .await;
    text_when(client, ".flash", |t| !t.is_empty()).await;
}

/// A file written for the browser to choose, removed when dropped.
struct ChosenFile(std::path::PathBuf);

impl Drop for ChosenFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Writes `bytes` to a file of its own ending in `name` (browser tests run at once in this
/// process) and chooses it in the file input `css`. Keep the answer until the form is sent:
/// the file goes with it.
async fn choose_file(client: &Client, css: &str, name: &str, bytes: &[u8]) -> ChosenFile {
    static FILES: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = FILES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("kc-{}-{n}-{name}", std::process::id()));
    std::fs::write(&path, bytes).expect("file");
    let file = ChosenFile(path);
    client
        .find(Locator::Css(css))
        .await
        .expect("file input")
        .send_keys(&file.0.display().to_string())
        .await
        .expect("choose file");
    file
}

/// What a local office types on the new-proposal page: a machinery dossier of one line.
struct TypedDossier<'a> {
    title: &'a str,
    objectives: &'a str,
    content: &'a str,
    start: &'a str,
    end: &'a str,
    item: &'a str,
    price: &'a str,
    support: &'a str,
    output: &'a str,
}

/// Types `dossier` into the new-proposal page, the declaration ticked.
async fn type_dossier(client: &Client, dossier: &TypedDossier<'_>) {
    type_into(client, "title", 0, dossier.title).await;
    click(
        client,
        "select[name='activity_type_code'] option[value='machinery']",
    )
    .await;
    type_into(client, "objectives", 0, dossier.objectives).await;
    type_into(client, "content", 0, dossier.content).await;
    set_date(client, "start_date", dossier.start).await;
    set_date(client, "end_date", dossier.end).await;
    type_into(client, "line_item", 0, dossier.item).await;
    type_into(client, "line_unit", 0, "chiếc").await;
    type_into(client, "line_quantity", 0, "1").await;
    type_into(client, "line_price", 0, dossier.price).await;
    type_into(client, "line_support", 0, dossier.support).await;
    type_into(client, "expected_output", 0, dossier.output).await;
    click(client, "input[name='no_double_funding']").await;
}

/// Saves the dossier typed on the new-proposal page and uploads one file of each kind the
/// activity type requires, through the documents page; answers the proposal's path and id.
async fn save_with_documents(client: &Client, app: &TestApp) -> (String, i64) {
    click(client, "form.wide button.primary").await;
    assert_text(client, ".flash", "Đã lưu hồ sơ đề án.").await;
    let path = client.current_url().await.expect("url").path().to_owned();
    let id: i64 = path
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
        // A file of its own for each kind (the same bytes twice are recorded once).
        let mut bytes = crate::helpers::pdf();
        bytes.extend_from_slice(format!("% {kind}\n").as_bytes());
        upload_in_browser(client, app, &path, kind, bytes).await;
    }
    (path, id)
}

/// Records the plan decision being built on the plan page: its number, day, signer and scan.
async fn record_plan_decision(client: &Client, number: &str, day: &str, signer: &str) {
    type_into(client, "number", 0, number).await;
    set_date(client, "decided_on", day).await;
    type_into(client, "signer", 0, signer).await;
    let pdf = crate::helpers::pdf();
    let _scan = choose_file(client, "input[type='file']", "quyet-dinh.pdf", &pdf).await;
    click(client, "#plan-form button.primary").await;
    let recorded = format!("Đã ghi nhận Quyết định {number}");
    assert_text_starts(client, ".flash", &recorded).await;
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

/// Clicks every radio button `value` inside `scope` (the evidence checklist).
async fn choose_all(client: &Client, scope: &str, value: &str) {
    let css = format!("{scope} input[type='radio'][value='{value}']");
    let radios = client.find_all(Locator::Css(&css)).await.expect("radios");
    assert!(!radios.is_empty(), "no {css}");
    for radio in radios {
        radio.click().await.expect("click radio");
    }
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
