//! The dashboards: what waits and the newest year at a glance, for the province and not for an
//! office or an appraiser.

use khuyencong::domain::proposal::ProposalState;
use reqwest::StatusCode;
use sqlx::PgPool;

use super::table;
use crate::helpers::texts;
use crate::world::World;

/// A world's work of 2026: one proposal carried out past its contract's deadline, and one
/// accepted whose appraisal visit is today.
#[sqlx::test]
async fn dashboards_show_what_waits_and_the_year_at_a_glance(pool: PgPool) {
    let world = World::new(pool).await;
    let (running, ..) = world.running().await;
    // The deadline passes while the work goes on.
    sqlx::query("update contracts set deadline = current_date - 10 where proposal_id = $1")
        .bind(running)
        .execute(&world.app.pool)
        .await
        .expect("a late contract");
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    let accepted = world
        .proposal(&tax, "Lò sấy chè", ProposalState::Accepted)
        .await;
    world.visit(accepted, crate::helpers::today()).await;

    let director = world.as_user("giamdoc").await;
    let home = director.page("/").await;
    let headings = texts(&home, "h2");
    assert!(
        headings.iter().any(|h| h == "Tổng quan năm 2026"),
        "{headings:?}"
    );
    assert!(headings.iter().any(|h| h == "Việc quá hạn"), "{headings:?}");
    let overdue = texts(&home, ".overdue li").join(" ");
    assert!(
        overdue.contains("1 đề án đã quá thời hạn hợp đồng"),
        "{overdue}"
    );
    assert!(
        texts(&home, ".card li a")
            .iter()
            .any(|t| t == "Thẩm định đề án tại huyện"),
        "today's visit"
    );
    // The year's proposals per state, drawn and tabled.
    assert_eq!(
        table(&home, "Đề án theo tình trạng 2026"),
        [["Đã lên lịch thẩm định", "1"], ["Đang thực hiện", "1"]]
    );
    assert!(!table(&home, "Kinh phí phê duyệt so với dự toán").is_empty());

    // A local office sees its queue and what is late in its area, not the province's year;
    // an appraiser has no report.
    for user in ["pkt.phubinh", "thamdinh"] {
        let other = world.as_user(user).await;
        let response = other.get("/").await;
        assert_eq!(response.status(), StatusCode::OK);
        let page = scraper::Html::parse_document(&response.text().await.expect("body"));
        assert!(
            !texts(&page, "h2")
                .iter()
                .any(|h| h.starts_with("Tổng quan năm")),
            "{user}"
        );
    }
}
