//! Notifications by e-mail, through a real SMTP server on loopback (aiosmtpd, started by the
//! test): each notification of a user with an address is mailed once, in Vietnamese then
//! English, with its link, even with two server processes mailing at the same time.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use sqlx::PgPool;

use crate::helpers::TestApp;
use crate::world::World;

/// The SMTP server of a test, stopped when dropped.
struct SmtpSink {
    child: Child,
    port: u16,
    file: std::path::PathBuf,
}

impl SmtpSink {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let file =
            std::env::temp_dir().join(format!("kc-mail-{}-{port}.jsonl", std::process::id()));
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");
        let mut child = Command::new(std::env::var("PYTHON").unwrap_or_else(|_| "python3".into()))
            .arg(script)
            .arg(port.to_string())
            .arg(&file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 with aiosmtpd (scripts/test installs it) starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the sink says it is ready");
        assert_eq!(
            line.trim(),
            "ready",
            "the SMTP sink did not start (is aiosmtpd installed?)"
        );
        Self { child, port, file }
    }

    /// The messages received so far.
    fn messages(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.file)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.file);
    }
}

#[sqlx::test]
async fn notifications_are_mailed_once_in_both_languages(pool: PgPool) {
    let sink = SmtpSink::start();
    let port = sink.port.to_string();
    let settings = [
        ("SMTP_HOST", "127.0.0.1"),
        ("SMTP_PORT", port.as_str()),
        ("SMTP_TLS", "none"),
        (
            "MAIL_FROM",
            "Trung tâm Khuyến công <khuyencong@khuyencong.test>",
        ),
        ("MAIL_POLL_SECONDS", "1"),
    ];
    // Made before the mailers start: the world's own notifications would be mailed too, so
    // they are stamped as old news first. Its work started last month, so its office will be
    // reminded of last month's report.
    let world = World::new(pool.clone()).await;
    let (.., office, _) = world.running().await;
    sqlx::query("update notifications set mailed_at = now()")
        .execute(&pool)
        .await
        .expect("stamp");
    let address = format!("{office}@khuyencong.test");
    sqlx::query("update users set email = $1 where username = $2")
        .bind(&address)
        .bind(&office)
        .execute(&pool)
        .await
        .expect("an address");
    // Two server processes mail at once.
    let a = TestApp::spawn_with(pool.clone(), pool.clone(), &settings).await;
    let b = TestApp::spawn_with(pool.clone(), pool.clone(), &settings).await;
    let before: i64 = sqlx::query_scalar("select coalesce(max(id), 0) from notifications")
        .fetch_one(&pool)
        .await
        .expect("last id");
    let today = time::OffsetDateTime::now_utc()
        .to_offset(khuyencong::domain::format::VIETNAM)
        .date();
    khuyencong::jobs::run_daily(&pool, today)
        .await
        .expect("the daily job")
        .expect("ran");
    let expected: i64 = sqlx::query_scalar(
        "select count(*) from notifications n join users u on u.id = n.user_id \
         where u.username = $2 and n.id > $1",
    )
    .bind(before)
    .bind(&office)
    .fetch_one(&pool)
    .await
    .expect("count");
    assert!(expected > 0, "the office has reminders");
    let theirs = |sink: &SmtpSink| -> Vec<serde_json::Value> {
        sink.messages()
            .into_iter()
            .filter(|m| m["to"][0] == address.as_str())
            .collect()
    };
    for _ in 0..100 {
        if theirs(&sink).len() as i64 >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A moment more: a second copy would come now.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let theirs = theirs(&sink);
    assert_eq!(theirs.len() as i64, expected, "each notification once");
    let message = &theirs[0];
    assert!(
        message["subject"]
            .as_str()
            .expect("subject")
            .starts_with("[Khuyến công] Chưa có báo cáo tiến độ"),
        "{message}"
    );
    let body = message["body"].as_str().expect("body");
    assert!(body.contains("The progress report of"), "{body}");
    assert!(
        body.contains(&format!("{}/proposals/", a.base))
            || body.contains(&format!("{}/proposals/", b.base)),
        "{body}"
    );
    assert_eq!(message["from"], "khuyencong@khuyencong.test");
    let unmailed: i64 =
        sqlx::query_scalar("select count(*) from notifications where mailed_at is null")
            .fetch_one(&pool)
            .await
            .expect("count");
    assert_eq!(unmailed, 0, "users without an address are stamped too");
    drop((a, b, world));
}
