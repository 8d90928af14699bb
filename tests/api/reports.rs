//! The annual report and the dashboards: the report's figures against hand-built years whose
//! totals are known, a local office's report covering its area only, bad inputs answered with
//! 4xx, and what a dashboard shows of a world's work.

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::texts;
use crate::world::World;

mod dashboards;

/// The rows of the table captioned `caption`, each as its cells' texts.
fn table(page: &scraper::Html, caption: &str) -> Vec<Vec<String>> {
    let tables = scraper::Selector::parse("table").expect("selector");
    let captions = scraper::Selector::parse("caption").expect("selector");
    let rows = scraper::Selector::parse("tbody tr").expect("selector");
    let cells = scraper::Selector::parse("th, td").expect("selector");
    let text = |e: scraper::ElementRef| e.text().collect::<String>().trim().to_owned();
    page.select(&tables)
        .find(|t| t.select(&captions).next().map(text).as_deref() == Some(caption))
        .map(|t| {
            t.select(&rows)
                .map(|r| r.select(&cells).map(text).collect())
                .collect()
        })
        .unwrap_or_default()
}

/// What the fixture's proposals are made of.
struct Fixture {
    unit: i64,
    office: i64,
    facility: i64,
    activity: String,
    other_activity: String,
    user: i64,
}

/// The world's facility of the hand-built years, in a commune of Phú Bình, and what else
/// their proposals are made of.
async fn fixture(world: &World) -> Fixture {
    let pool = &world.app.pool;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    let (unit, office): (i64, i64) = sqlx::query_as(
        "select u.id, o.id from organisations o
         join admin_units d on d.id = o.unit_id
         join admin_units u on u.parent_id = d.id
         join users a on a.organisation_id = o.id and a.username = 'pkt.phubinh'
         order by u.id limit 1",
    )
    .fetch_one(pool)
    .await
    .expect("a commune of Phú Bình and its office");
    let facility: i64 = sqlx::query_scalar("select id from facilities where tax_code = $1")
        .bind(&tax)
        .fetch_one(pool)
        .await
        .expect("the facility");
    let activities: Vec<String> =
        sqlx::query_scalar("select code from activity_types order by sort_order limit 2")
            .fetch_all(pool)
            .await
            .expect("activity types");
    let user: i64 = sqlx::query_scalar("select id from users where username = 'canbo'")
        .fetch_one(pool)
        .await
        .expect("canbo");
    Fixture {
        unit,
        office,
        facility,
        activity: activities[0].clone(),
        other_activity: activities[1].clone(),
        user,
    }
}

/// One proposal of the hand-built years, with its contract and evaluations when given.
struct Made<'a> {
    year: i16,
    level: &'a str,
    state: &'a str,
    activity: &'a str,
    requested: i64,
    approved: Option<i64>,
    /// Contract: (counterpart, advanced, paid).
    contract: Option<(i64, i64, i64)>,
    baseline_jobs: i32,
    /// Evaluations: (months after, jobs, revenue).
    evaluations: &'a [(i16, i32, i64)],
}

async fn make(pool: &PgPool, f: &Fixture, m: Made<'_>) {
    let id: i64 = sqlx::query_scalar(
        "insert into proposals (province_code, plan_year, level, activity_type_code, title,
                                unit_id, office_id, state, total_cost, requested_support,
                                approved_support, baseline_jobs, baseline_revenue)
         values ('19', $1, $2::proposal_level, $3, 'Đề án mẫu của báo cáo', $4, $5,
                 $6::proposal_state, $7 * 2, $7, $8, $9, 1000000000)
         returning id",
    )
    .bind(m.year)
    .bind(m.level)
    .bind(m.activity)
    .bind(f.unit)
    .bind(f.office)
    .bind(m.state)
    .bind(m.requested)
    .bind(m.approved)
    .bind(m.baseline_jobs)
    .fetch_one(pool)
    .await
    .expect("proposal");
    sqlx::query("insert into proposal_facilities (proposal_id, facility_id) values ($1, $2)")
        .bind(id)
        .bind(f.facility)
        .execute(pool)
        .await
        .expect("beneficiary");
    if let (Some((counterpart, advanced, paid)), Some(approved)) = (m.contract, m.approved) {
        sqlx::query(
            "insert into contracts (proposal_id, province_code, number, signed_on, holder_name,
                                    holder_signer, implementer_name, implementer_signer,
                                    approved_support, counterpart_funds, deadline,
                                    advance_share_bp, advance_threshold_bp, created_by,
                                    advanced, paid)
             values ($1, '19', 'HĐ-BC-' || $1, '2031-03-01', 'Trung tâm', 'A', 'Cơ sở', 'B',
                     $2, $3, '2031-12-01', 7000, 7000, $4, $5, $6)",
        )
        .bind(id)
        .bind(approved)
        .bind(counterpart)
        .bind(f.user)
        .bind(advanced)
        .bind(paid)
        .execute(pool)
        .await
        .expect("contract");
    }
    for (months, jobs, revenue) in m.evaluations {
        sqlx::query(
            "insert into evaluations (proposal_id, months_after, evaluated_on, revenue, jobs,
                                      productivity_change, recorded_by)
             values ($1, $2, '2031-12-20', $3, $4, 10, $5)",
        )
        .bind(id)
        .bind(months)
        .bind(revenue)
        .bind(jobs)
        .bind(f.user)
        .execute(pool)
        .await
        .expect("evaluation");
    }
}

const MILLION: i64 = 1_000_000;

/// 2031: four proposals sent (and a draft, which is not counted) whose totals are known;
/// 2030: one completed, for the comparison. Written straight to the tables, as no page
/// dates work five years ahead; answers what they are made of.
async fn known_years(world: &World) -> Fixture {
    let f = fixture(world).await;
    let pool = &world.app.pool;
    let (a, b) = (f.activity.clone(), f.other_activity.clone());
    let base = |year, level, state, activity| Made {
        year,
        level,
        state,
        activity,
        requested: 0,
        approved: None,
        contract: None,
        baseline_jobs: 0,
        evaluations: &[],
    };
    make(
        pool,
        &f,
        Made {
            requested: 300 * MILLION,
            approved: Some(250 * MILLION),
            contract: Some((1000 * MILLION, 175 * MILLION, 250 * MILLION)),
            baseline_jobs: 10,
            // The latest evaluation counts: 18 jobs (8 more), revenue 200 million more.
            evaluations: &[(0, 14, 1050 * MILLION), (6, 18, 1200 * MILLION)],
            ..base(2031, "local", "completed", &a)
        },
    )
    .await;
    make(
        pool,
        &f,
        Made {
            requested: 400 * MILLION,
            approved: Some(400 * MILLION),
            contract: Some((600 * MILLION, 280 * MILLION, 400 * MILLION)),
            baseline_jobs: 5,
            evaluations: &[(0, 9, 1100 * MILLION)],
            ..base(2031, "national", "completed", &b)
        },
    )
    .await;
    make(
        pool,
        &f,
        Made {
            requested: 120 * MILLION,
            approved: Some(100 * MILLION),
            contract: Some((150 * MILLION, 70 * MILLION, 70 * MILLION)),
            ..base(2031, "local", "in_progress", &a)
        },
    )
    .await;
    make(
        pool,
        &f,
        Made {
            requested: 50 * MILLION,
            ..base(2031, "local", "submitted", &a)
        },
    )
    .await;
    make(
        pool,
        &f,
        Made {
            requested: 999 * MILLION,
            ..base(2031, "local", "draft", &a)
        },
    )
    .await;
    make(
        pool,
        &f,
        Made {
            requested: 10 * MILLION,
            approved: Some(10 * MILLION),
            ..base(2030, "local", "completed", &a)
        },
    )
    .await;
    f
}

#[sqlx::test]
async fn the_report_adds_up_a_year_whose_totals_are_known(pool: PgPool) {
    let world = World::new(pool).await;
    known_years(&world).await;
    let app = world.as_user("canbo").await;

    let page = app.page("/reports?year=2031").await;
    let figures = texts(&page, "dl.facts dd");
    assert_eq!(
        figures,
        [
            "4",               // proposals sent (the draft is not)
            "1",               // national
            "2",               // completed
            "1",               // being carried out
            "750.000.000 ₫",   // approved
            "525.000.000 ₫",   // advanced
            "720.000.000 ₫",   // paid
            "96 %",            // 720 of 750
            "1.750.000.000 ₫", // counterpart
            "2,3",             // 1.750 per 750
            "2",               // evaluated
            "12",              // 8 + 4 jobs
            "300.000.000 ₫",   // 200 + 100 million
        ]
    );
    let summary = texts(&page, ".report-summary").join(" ");
    for said in [
        "Năm 2031, Trung tâm Khuyến công đã hoàn thành 2 đề án, trong đó 1 đề án khuyến công quốc gia, trong tổng số 4 đề án đã tiếp nhận.",
        "1 đề án đang được triển khai thực hiện.",
        "Tổng kinh phí khuyến công được phê duyệt là 750 triệu đồng, đã giải ngân 720 triệu đồng, đạt 96 % kinh phí được phê duyệt.",
        "mỗi đồng vốn khuyến công thu hút 2,3 đồng vốn đối ứng.",
        "tạo thêm việc làm cho 12 lao động",
        "So với năm 2030, số đề án hoàn thành tăng 1 đề án (năm 2030: 1 đề án).",
    ] {
        assert!(summary.contains(said), "{said:?} not in {summary:?}");
    }
    // The breakdowns, in the tables beside the charts.
    assert_eq!(
        table(&page, "Đề án theo tình trạng"),
        [
            ["Đã gửi, chờ kiểm tra", "1", "50.000.000 ₫", "0 ₫"],
            ["Đang thực hiện", "1", "120.000.000 ₫", "100.000.000 ₫"],
            ["Hoàn thành", "2", "700.000.000 ₫", "650.000.000 ₫"],
        ]
    );
    assert_eq!(
        table(&page, "Đề án theo cấp"),
        [
            [
                "Khuyến công địa phương",
                "3",
                "470.000.000 ₫",
                "350.000.000 ₫"
            ],
            [
                "Khuyến công quốc gia",
                "1",
                "400.000.000 ₫",
                "400.000.000 ₫"
            ],
        ]
    );
    assert_eq!(table(&page, "Đề án theo địa bàn").len(), 1);

    // One source: the local one (before a decision, a proposal's level says its source).
    let local = app.page("/reports?year=2031&source=local").await;
    assert_eq!(texts(&local, "dl.facts dd")[0], "3");
    assert_eq!(texts(&local, "dl.facts dd")[1], "0");

    // In English, the summary is written in English from the same figures.
    let english = app.page("/reports?year=2031&lang=en").await;
    let summary = texts(&english, ".report-summary").join(" ");
    assert!(
        summary.contains(
            "In 2031 the Centre completed 2 proposals, 1 of them national, of the 4 it received."
        ),
        "{summary}"
    );
    assert!(summary.contains("720 million VND"), "{summary}");
}

/// The year-by-year totals are added up ahead of time; every kind of write to a year's
/// proposals, contracts and evaluations shows in the next report.
#[sqlx::test]
async fn the_report_follows_every_change_to_its_years(pool: PgPool) {
    let world = World::new(pool).await;
    let f = known_years(&world).await;
    let app = world.as_user("canbo").await;
    let facts = |page: &scraper::Html| texts(page, "dl.facts dd");
    let before = facts(&app.page("/reports?year=2031").await);
    assert_eq!(
        (before[0].as_str(), before[6].as_str()),
        ("4", "720.000.000 ₫")
    );
    let run = |sql: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query(sql).execute(&pool).await.expect(sql);
        }
    };

    // A payment on a contract, a new dossier, a later evaluation.
    run("update contracts set paid = paid + 30000000 where number like 'HĐ-BC-%' and paid = 70000000").await;
    make(
        &app.pool,
        &f,
        Made {
            year: 2031,
            level: "local",
            state: "submitted",
            activity: &f.activity,
            requested: 5 * MILLION,
            approved: None,
            contract: None,
            baseline_jobs: 0,
            evaluations: &[],
        },
    )
    .await;
    run(
        "insert into evaluations (proposal_id, months_after, evaluated_on, revenue, jobs,
                                  productivity_change, recorded_by)
         select p.id, 12, '2032-12-20', 1100000000, 20, 10, u.id from proposals p, users u
         where p.plan_year = 2031 and p.level = 'national' and u.username = 'canbo'",
    )
    .await;
    let after = facts(&app.page("/reports?year=2031").await);
    assert_eq!(after[0], "5", "the new dossier");
    assert_eq!(after[6], "750.000.000 ₫", "the payment");
    assert_eq!(after[7], "100 %");
    assert_eq!(after[11], "23", "8 + 15 jobs at the latest evaluations");

    // A proposal moved to another year leaves the one it was in; an evaluation removed.
    run("update proposals set plan_year = 2031 where plan_year = 2030").await;
    run("delete from evaluations where evaluated_on = '2032-12-20'").await;
    let moved = facts(&app.page("/reports?year=2031").await);
    assert_eq!((moved[0].as_str(), moved[2].as_str()), ("6", "3"));
    assert_eq!(moved[11], "12");
    let emptied = app.get("/reports?year=2030").await;
    assert_eq!(emptied.status(), StatusCode::NOT_FOUND);
    let marks: i64 = sqlx::query_scalar("select count(*) from report_stale_years")
        .fetch_one(&app.pool)
        .await
        .expect("marks");
    assert_eq!(marks, 0, "a report leaves no year marked");
}

/// Of a plan decision approving one proposal in each office's area, an office's report
/// counts its own.
#[sqlx::test]
async fn a_local_office_reports_on_its_area_only(pool: PgPool) {
    let world = World::new(pool).await;
    world.decision_of_two().await;
    let facts = |page: &scraper::Html| texts(page, "dl.facts dd");
    let centre = world.as_user("canbo").await;
    let province = facts(&centre.page("/reports?year=2026").await);
    assert_eq!(
        (province[0].as_str(), province[4].as_str()),
        ("2", "300.000.000 ₫")
    );
    let office = world.as_user("pkt.phubinh").await;
    let page = office.page("/reports?year=2026").await;
    let area = facts(&page);
    assert_eq!((area[0].as_str(), area[4].as_str()), ("1", "150.000.000 ₫"));
    // The province's envelopes are not the office's to see.
    assert!(
        !texts(&page, "h2")
            .iter()
            .any(|h| h == "Dự toán kinh phí theo nguồn")
    );
}

#[sqlx::test]
async fn bad_inputs_and_roles_without_reports_are_refused(pool: PgPool) {
    let world = World::of_every_role(pool).await;
    world.running().await;
    let anonymous = world.app.get("/reports").await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    let app = world.as_user("canbo").await;
    for (query, status) in [
        ("year=abc", StatusCode::BAD_REQUEST),
        ("year=1999", StatusCode::BAD_REQUEST),
        ("year=2026&source=nope", StatusCode::BAD_REQUEST),
        ("year=2090", StatusCode::NOT_FOUND),
    ] {
        let response = app.get(&format!("/reports?{query}")).await;
        assert_eq!(response.status(), status, "{query}");
    }
    for user in ["thamdinh", "coso", "admin"] {
        let other = world.as_user(user).await;
        let response = other.get("/reports?year=2026").await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{user}");
    }
}

#[sqlx::test]
async fn the_report_exports_its_tables(pool: PgPool) {
    let world = World::new(pool).await;
    known_years(&world).await;
    let app = world.as_user("canbo").await;
    let response = app.get("/reports/export?format=csv&year=2031").await;
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = crate::helpers::header(response.headers(), "content-disposition");
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let bytes = response.bytes().await.expect("body");
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "a byte-order mark first"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).expect("UTF-8");
    for line in [
        "Kinh phí phê duyệt,750000000",
        "Đã giải ngân,720000000",
        "Việc làm tăng thêm,12",
        "Khuyến công quốc gia,1,400000000,400000000",
        "2031,4,2,750000000,525000000,720000000,1750000000",
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} not in:\n{text}");
    }
    // The workbook opens in LibreOffice; its first sheet holds the key figures as numbers.
    let response = app.get("/reports/export?format=xlsx&year=2031").await;
    assert_eq!(response.status(), StatusCode::OK);
    let workbook = response.bytes().await.expect("body");
    let records = crate::exports::libreoffice_records(&workbook, "report-2031").await;
    let approved = records
        .iter()
        .find(|r| r.first().map(String::as_str) == Some("Kinh phí phê duyệt"))
        .and_then(|r| r.get(1))
        .map(|v| v.chars().filter(char::is_ascii_digit).collect::<String>());
    assert_eq!(approved.as_deref(), Some("750000000"), "{records:?}");

    // The export is the report's: same permission, same bad inputs.
    assert_eq!(
        app.get("/reports/export?format=pdf&year=2031")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/reports/export?year=2090").await.status(),
        StatusCode::NOT_FOUND
    );
    let appraiser = world.as_user("thamdinh").await;
    assert_eq!(
        appraiser.get("/reports/export?year=2031").await.status(),
        StatusCode::FORBIDDEN
    );
}

/// Refreshes running while contracts are paid miss no payment and count no year twice:
/// after them, the rollup holds what the proposals and contracts add up to, year by year.
/// On a generated data set, so that recomputations and writes overlap.
#[sqlx::test]
async fn refreshes_side_by_side_with_writes_keep_the_rollup_exact(pool: PgPool) {
    let passwords = khuyencong::auth::password::Passwords::new(1);
    let params = khuyencong::generate::Params {
        facilities: 400,
        proposals: 3_000,
        years: 2,
        seed: 7,
    };
    khuyencong::db::reference::load_admin_units(&pool)
        .await
        .expect("administrative units");
    khuyencong::generate::run(&pool, &passwords, &params, false)
        .await
        .expect("a generated data set");
    let pool = &pool;
    let refresh = || async {
        khuyencong::db::reports::refresh_rollup(pool)
            .await
            .expect("refresh");
    };
    refresh().await;
    let writes = async {
        for round in 0..40_i64 {
            sqlx::query(
                "update contracts set paid = paid + 1000
                 where id % 40 = $1 and paid + 1000 <= approved_support",
            )
            .bind(round)
            .execute(pool)
            .await
            .expect("payments");
        }
    };
    let refreshes = futures_util::future::join_all((0..6).map(|_| async {
        for _ in 0..15 {
            refresh().await;
        }
    }));
    tokio::join!(writes, refreshes);
    refresh().await;
    let by_year = |sql: &'static str| async move {
        sqlx::query_as::<_, (i16, i64, i64)>(sql)
            .fetch_all(pool)
            .await
            .expect(sql)
    };
    let rollup = by_year(
        "select plan_year, sum(proposals)::bigint, sum(paid)::bigint from report_year_rollup
         group by 1 order by 1",
    )
    .await;
    let live = by_year(
        "select plan_year, count(*), coalesce(sum(paid), 0)::bigint
         from report_proposals(false, null, null, null, null, null, null)
         group by 1 order by 1",
    )
    .await;
    assert_eq!(rollup, live);
}
