//! The command line as an operator uses it: `create-user` puts an account in the organisation
//! it names exactly, refuses a mistyped name with the names it looks like and creates nothing,
//! and creates a province's first Centre only when asked to.

use std::process::Output;

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::{PASSWORD, TestApp, count};
use crate::world::World;

/// Runs `khuyencong` with `args` on the test's own database.
async fn khuyencong(pool: &PgPool, args: &[&str]) -> Output {
    let mut url = std::env::var("DATABASE_URL")
        .ok()
        .and_then(|base| reqwest::Url::parse(&base).ok())
        .expect("DATABASE_URL, the test cluster's");
    let database = pool
        .connect_options()
        .get_database()
        .map(str::to_owned)
        .expect("the test's database");
    url.set_path(&format!("/{database}"));
    tokio::process::Command::new(env!("CARGO_BIN_EXE_khuyencong"))
        .args(args)
        .env("DATABASE_URL", url.as_str())
        .env("KHUYENCONG_PASSWORD", PASSWORD)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("the binary runs")
}

/// `create-user` for an accountant named `username` in `organisation`, with `extra` options.
fn accountant<'a>(username: &'a str, organisation: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "create-user",
        "--username",
        username,
        "--full-name",
        "Kế Toán Hai",
        "--role",
        "accountant",
        "--organisation",
        organisation,
    ];
    args.extend_from_slice(extra);
    args
}

#[sqlx::test]
async fn a_mistyped_organisation_is_refused_with_the_names_it_looks_like(pool: PgPool) {
    let world = World::new(pool).await;
    let pool = &world.app.pool;
    let organisations = || count(pool, "select count(*) from organisations");
    let before = organisations().await;

    let refused = khuyencong(pool, &accountant("ketoan2", "Trung tam Khuyen cong", &[])).await;
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains(r#"did you mean "Trung tâm Khuyến công tỉnh"?"#),
        "{said}"
    );
    assert!(said.contains("--create-organisation"), "{said}");
    assert_eq!(organisations().await, before, "nothing created");
    assert_eq!(
        count(
            pool,
            "select count(*) from users where username = 'ketoan2'"
        )
        .await,
        0
    );

    // Named exactly, the account is made there, and its owner signs in.
    let made = khuyencong(
        pool,
        &accountant("ketoan2", "Trung tâm Khuyến công tỉnh", &[]),
    )
    .await;
    assert!(made.status.success(), "{made:?}");
    assert!(String::from_utf8_lossy(&made.stdout).contains("account ketoan2 created"));
    assert_eq!(organisations().await, before);
    let home = world.as_user("ketoan2").await.get("/").await;
    assert_eq!(home.status(), StatusCode::OK);

    // A closed office takes no account.
    sqlx::query("update organisations set active = false where name = 'Sở Công Thương'")
        .execute(pool)
        .await
        .expect("closed");
    let closed = khuyencong(pool, &accountant("ketoan3", "Sở Công Thương", &[])).await;
    assert!(!closed.status.success());
    let said = String::from_utf8_lossy(&closed.stderr);
    assert!(said.contains(r#""Sở Công Thương" is closed"#), "{said}");
}

#[sqlx::test]
async fn the_first_centre_is_created_only_when_asked(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let pool = &app.pool;
    let name = "Trung tâm Khuyến công tỉnh Thái Nguyên";
    let refused = khuyencong(pool, &accountant("admin1", name, &[])).await;
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("(it has none yet)"), "{said}");
    assert_eq!(count(pool, "select count(*) from organisations").await, 0);

    let made = khuyencong(
        pool,
        &accountant("admin1", name, &["--create-organisation"]),
    )
    .await;
    assert!(made.status.success(), "{made:?}");
    let centre: (String, String) =
        sqlx::query_as("select name, kind::text from organisations where province_code = '19'")
            .fetch_one(pool)
            .await
            .expect("the Centre");
    assert_eq!(centre, (name.to_owned(), "centre".to_owned()));
}
