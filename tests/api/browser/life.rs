//! A proposal's whole life in a browser: from its contract to completed, and from a new
//! draft to completed in one run, every role on its own pages.

use fantoccini::{Client, Locator};
use khuyencong::domain::proposal::ProposalState;
use sqlx::PgPool;

use super::{
    TypedDossier, assert_text, assert_text_starts, browser, choose_all, click,
    record_plan_decision, save_with_documents, screenshot, set_date, sign_in, sign_out, text_when,
    type_dossier, type_into, visit,
};
use crate::helpers::{PASSWORD, TestApp};
use crate::world::World;

/// From the contract to the end, each role on its own page: the Centre starts the work, the
/// local office reports progress, the Centre plans the acceptance visit, the appraiser
/// declares and accepts (evidence, amounts per line, pass), the accountant settles, the
/// Centre records the effects and closes.
#[sqlx::test]
async fn a_proposal_is_carried_from_contracted_to_completed_in_the_browser(pool: PgPool) {
    let world = World::new(pool).await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    let id = world
        .proposal(&tax, "Máy sao chè tự động", ProposalState::Contracted)
        .await;
    let browser = browser(1280, 900).await;
    carry_to_completed(&browser.client, &world.app, id, "pkt.phubinh").await;
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
    let world = World::new(pool).await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    let app = &world.app;
    let browser = browser(1280, 1000).await;
    let client = &browser.client;
    let today = crate::helpers::today().to_string();

    // The local office prepares and submits the dossier.
    sign_in(client, app, "pkt.phubinh", PASSWORD).await;
    let facility: i64 = sqlx::query_scalar("select id from facilities where tax_code = $1")
        .bind(&tax)
        .fetch_one(&app.pool)
        .await
        .expect("the facility");
    visit(client, app, &format!("/proposals/new?facility={facility}")).await;
    type_dossier(
        client,
        &TypedDossier {
            title: "Hỗ trợ máy sấy chè bằng nhiệt khí",
            objectives: "Sấy chè đều, giảm hao hụt.",
            content: "Mua một máy sấy chè.",
            start: "2027-03-01",
            end: "2027-09-30",
            item: "Máy sấy chè nhiệt khí",
            price: "300.000.000",
            support: "150.000.000",
            output: "60 tấn chè khô/năm",
        },
    )
    .await;
    let (proposal_path, id) = save_with_documents(client, app).await;
    visit(client, app, &proposal_path).await;
    click(client, "form.action-submit button").await;
    assert_text(client, ".flash", "Đã gửi hồ sơ tới Trung tâm Khuyến công.").await;
    sign_out(client).await;

    // The Centre accepts it and plans the appraisal visit for today.
    sign_in(client, app, "canbo", PASSWORD).await;
    visit(client, app, &proposal_path).await;
    click(client, "form.action-accept button").await;
    assert_text_starts(client, ".flash", "Hồ sơ đã được tiếp nhận").await;
    visit(client, app, "/appraisals/visits/new").await;
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
    sign_in(client, app, "thamdinh", PASSWORD).await;
    visit(client, app, &format!("/appraisals/visits/{visit_id}")).await;
    click(client, ".declare-form input[name='conflict'][value='no']").await;
    click(client, ".declare-form button[type='submit']").await;
    assert_text(client, ".flash", "Đã ghi kê khai xung đột lợi ích.").await;
    visit(client, app, &format!("/appraisals/{record}")).await;
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
    sign_in(client, app, "ketoan", PASSWORD).await;
    visit(client, app, "/funding?year=2027").await;
    click(client, "select[name='source'] option[value='local']").await;
    type_into(client, "amount", 0, "500.000.000").await;
    set_date(client, "decided_on", &today).await;
    type_into(client, "reference", 0, "Quyết định 15/QĐ-UBND").await;
    click(client, "form[action='/funding/rounds'] button").await;
    text_when(client, ".flash", |t| !t.is_empty()).await;
    sign_out(client).await;
    sign_in(client, app, "giamdoc", PASSWORD).await;
    visit(client, app, "/funding/plan?year=2027&source=local").await;
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
    record_plan_decision(client, "2027/QĐ-UBND", &today, "Phó Chủ tịch UBND tỉnh").await;
    assert_eq!(crate::helpers::state_of(&app.pool, id).await, "approved");
    sign_out(client).await;

    // The Centre signs the contract; then the work is carried to the end.
    sign_in(client, app, "canbo", PASSWORD).await;
    visit(client, app, &format!("/proposals/{id}/contract")).await;
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
    carry_to_completed(client, app, id, "pkt.phubinh").await;
    visit(client, app, &proposal_path).await;
    screenshot(client, "whole-life").await;
}
