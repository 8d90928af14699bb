//! Adjustments: the implementing side asks, the rule in force says who decides, the director
//! approves (recording the top level's decision when the rule says so) or refuses; a schedule
//! or extension amends the contract's deadline. Bad forms come back with their values; roles
//! that may not decide, cannot.

use reqwest::StatusCode;

use crate::helpers::{PASSWORD, attrs, html, text};
use crate::world::World;

#[sqlx::test]
async fn adjustments_are_asked_decided_by_the_right_level_and_amend_the_contract(
    pool: sqlx::PgPool,
) {
    let world = World::new(pool).await;
    let app = &world.app;
    let (id, contract, _, office, _) = world.running().await;
    let plan_year: i16 = sqlx::query_scalar("select plan_year from proposals where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("year");
    let path = format!("/proposals/{id}/adjustments");
    let officer = app.with_client(app.login_new_client(&office, PASSWORD).await);

    // A change of schedule must stay in the plan year; the form comes back as typed.
    let next_year = format!("{}-02-15", plan_year + 1);
    let response = officer
        .post_multipart_fields(
            &path,
            &[
                ("kind", "schedule"),
                ("reason", "Thiết bị về chậm."),
                ("new_deadline", &next_year),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = html(response).await;
    assert!(!text(&page, "#new_deadline-error").is_empty());
    assert_eq!(attrs(&page, "#new_deadline", "value"), [next_year.as_str()]);
    let in_year = format!("{plan_year}-12-20");
    let schedule = [
        ("kind", "schedule"),
        ("reason", "Thiết bị về chậm."),
        ("new_deadline", in_year.as_str()),
    ];
    assert_eq!(
        officer
            .post_multipart_fields(&path, &schedule)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    // One open request of a kind at a time.
    assert_eq!(
        officer
            .post_multipart_fields(&path, &schedule)
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let request = |kind: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "select id from adjustment_requests where proposal_id = $1 and kind::text = $2",
            )
            .bind(id)
            .bind(kind)
            .fetch_one(&pool)
            .await
            .expect("the request")
        }
    };
    let schedule_id = request("schedule").await;
    let day = crate::helpers::today().to_string();
    let approve = format!("{path}/{schedule_id}/approve");
    for user in ["canbo", "ketoan", office.as_str()] {
        let other = app.with_client(app.login_new_client(user, PASSWORD).await);
        let response = other
            .post_form(
                &approve,
                &[("decision_number", "15/QĐ-SCT"), ("decided_on", &day)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{user}");
    }
    let director = app.with_client(app.login_new_client("giamdoc", PASSWORD).await);
    let response = director.post_form(&approve, &[("decided_on", &day)]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = director
        .post_form(
            &approve,
            &[("decision_number", "15/QĐ-SCT"), ("decided_on", &day)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (deadline, amendments): (time::Date, i64) = sqlx::query_as(
        "select c.deadline, (select count(*) from contract_amendments a where a.contract_id = c.id) \
         from contracts c where c.id = $1",
    )
    .bind(contract)
    .fetch_one(&app.pool)
    .await
    .expect("contract");
    assert_eq!(deadline.to_string(), in_year);
    assert_eq!(amendments, 1);

    // An extension is the top level's: its decision's issuer is required.
    let extension = [
        ("kind", "extension"),
        ("reason", "Mùa mưa kéo dài, chưa lắp đặt được."),
        ("new_deadline", next_year.as_str()),
    ];
    assert_eq!(
        officer
            .post_multipart_fields(&path, &extension)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let level: String =
        sqlx::query_scalar("select level::text from adjustment_requests where kind = 'extension'")
            .fetch_one(&app.pool)
            .await
            .expect("level");
    assert_eq!(level, "top");
    let approve = format!("{path}/{}/approve", request("extension").await);
    let response = director
        .post_form(
            &approve,
            &[("decision_number", "200/QĐ-UBND"), ("decided_on", &day)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = html(response).await;
    assert!(!text(&page, "#decision_issuer-error").is_empty());
    let response = director
        .post_form(
            &approve,
            &[
                ("decision_number", "200/QĐ-UBND"),
                ("decided_on", &day),
                ("decision_issuer", "UBND tỉnh Thái Nguyên"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    // A change of content asked by the Centre, refused with a reason: the Centre's officer,
    // who asked, hears of it, and so does the office, which follows the proposal.
    let content = [
        ("kind", "content"),
        ("reason", "Đổi sang dây chuyền sấy."),
        ("change", "Thay máy sao chè bằng máy sấy."),
    ];
    let centre = world.as_user("canbo").await;
    assert_eq!(
        centre.post_multipart_fields(&path, &content).await.status(),
        StatusCode::SEE_OTHER
    );
    let refuse = format!("{path}/{}/refuse", request("content").await);
    assert_eq!(
        director.post_form(&refuse, &[]).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        director
            .post_form(
                &refuse,
                &[("refusal_reason", "Không phù hợp mục tiêu đề án.")]
            )
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let told = |username: &str| {
        let (pool, username) = (app.pool.clone(), username.to_owned());
        async move {
            sqlx::query_scalar::<_, String>(
                "select n.message_key from notifications n join users u on u.id = n.user_id \
                 where u.username = $1 and n.message_key like 'notify.adjustment%' \
                 order by n.message_key",
            )
            .bind(username)
            .fetch_all(&pool)
            .await
            .expect("told")
        }
    };
    // The office asked for the first two and follows the proposal: told once of each.
    assert_eq!(
        told(&office).await,
        [
            "notify.adjustment_approved",
            "notify.adjustment_approved",
            "notify.adjustment_refused"
        ]
    );
    assert_eq!(told("canbo").await, ["notify.adjustment_refused"]);
    let page = officer.page(&path).await;
    assert!(text(&page, "main").contains("Không phù hợp mục tiêu"));
}

#[sqlx::test]
async fn a_change_of_support_moves_the_contract_and_the_envelope(pool: sqlx::PgPool) {
    let world = World::new(pool).await;
    let app = &world.app;
    let (id, contract, support, office, envelope) = world.running().await;
    let path = format!("/proposals/{id}/adjustments");
    let officer = app.with_client(app.login_new_client(&office, PASSWORD).await);
    let director = app.with_client(app.login_new_client("giamdoc", PASSWORD).await);
    let day = crate::helpers::today().to_string();
    let before = crate::helpers::committed(&app.pool, envelope).await;
    let less = support - 10_000_000;
    let asked = less.to_string();
    let response = officer
        .post_multipart_fields(
            &path,
            &[
                ("kind", "support_decrease"),
                ("reason", "Giá thiết bị giảm."),
                ("new_support", &asked),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let request: i64 =
        sqlx::query_scalar("select id from adjustment_requests where proposal_id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .expect("request");
    let response = director
        .post_form(
            &format!("{path}/{request}/approve"),
            &[("decision_number", "21/QĐ-SCT"), ("decided_on", &day)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (contract_support, proposal_support, was): (i64, Option<i64>, Option<i64>) = sqlx::query_as(
        "select c.approved_support, p.approved_support, a.support_before from contracts c \
         join proposals p on p.id = c.proposal_id join adjustment_requests a on a.proposal_id = p.id \
         where c.id = $1",
    )
    .bind(contract)
    .fetch_one(&app.pool)
    .await
    .expect("supports");
    assert_eq!(
        (contract_support, proposal_support, was),
        (less, Some(less), Some(support))
    );
    assert_eq!(
        crate::helpers::committed(&app.pool, envelope).await,
        before - 10_000_000
    );
    // More than the dossier requested is refused.
    let requested: i64 =
        sqlx::query_scalar("select requested_support from proposals where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .expect("requested");
    let too_much = (requested + 1).to_string();
    let response = officer
        .post_multipart_fields(
            &path,
            &[
                ("kind", "support_increase"),
                ("reason", "Thêm thiết bị."),
                ("new_support", &too_much),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test]
async fn a_request_comes_with_its_papers_and_a_bad_file_is_refused(pool: sqlx::PgPool) {
    let world = World::new(pool).await;
    let app = &world.app;
    let (id, _, _, office, _) = world.running().await;
    let path = format!("/proposals/{id}/adjustments");
    let officer = app.with_client(app.login_new_client(&office, PASSWORD).await);
    let ask = |file: reqwest::multipart::Part| {
        reqwest::multipart::Form::new()
            .text("kind", "location")
            .text("reason", "Chuyển xưởng sang thửa đất bên cạnh.")
            .text("change", "Thửa 112, tờ bản đồ 5, xã Phúc Xuân")
            .part("documents", file)
    };
    // A file whose content is not what its name says: refused, the form back, nothing kept.
    let fake = reqwest::multipart::Part::bytes(b"not a pdf".to_vec()).file_name("cong-van.pdf");
    let response = officer.post_multipart(&path, ask(fake)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = html(response).await;
    assert!(!text(&page, "#documents-error").is_empty());
    assert!(text(&page, "#change").contains("Thửa 112"));
    let requests: i64 =
        sqlx::query_scalar("select count(*) from adjustment_requests where proposal_id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .expect("count");
    assert_eq!(requests, 0);

    let letter =
        reqwest::multipart::Part::bytes(crate::helpers::pdf()).file_name("cong-van-de-nghi.pdf");
    let response = officer.post_multipart(&path, ask(letter)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = officer.page(&path).await;
    let links = attrs(&page, "ul.files a", "href");
    assert_eq!(links.len(), 1, "the request lists its paper");
    let download = officer.get(&links[0]).await;
    assert_eq!(download.status(), StatusCode::OK);
    assert!(
        crate::helpers::header(download.headers(), "content-disposition").starts_with("attachment")
    );
    assert_eq!(
        download.bytes().await.expect("bytes").to_vec(),
        crate::helpers::pdf()
    );
}

#[sqlx::test]
async fn an_approved_beneficiary_or_content_change_amends_the_proposal(pool: sqlx::PgPool) {
    let world = World::new(pool).await;
    let app = &world.app;
    let (id, _, _, office, _) = world.running().await;
    // The facility that is to take over as a beneficiary.
    world.facility("Cơ sở Mộc Bảo Lý", "4609990012").await;
    let path = format!("/proposals/{id}/adjustments");
    let officer = app.with_client(app.login_new_client(&office, PASSWORD).await);
    let director = app.with_client(app.login_new_client("giamdoc", PASSWORD).await);
    let day = crate::helpers::today().to_string();
    let (new_id, new_tax): (i64, String) = sqlx::query_as(
        "select f.id, f.tax_code from facilities f where not exists \
         (select 1 from proposals p where p.id = $1 and f.id = any(p.beneficiary_ids)) \
         order by f.id limit 1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("another facility");
    let (old_id, old_tax): (i64, String) = sqlx::query_as(
        "select f.id, f.tax_code from proposal_facilities pf join facilities f on f.id = pf.facility_id \
         where pf.proposal_id = $1 order by f.id limit 1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("a beneficiary");
    let before: Vec<i64> =
        sqlx::query_scalar("select beneficiary_ids from proposals where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .expect("beneficiaries");
    let ask = |tax: &str| {
        [
            ("kind", "beneficiary"),
            (
                "reason",
                "Cơ sở cũ giải thể, hợp tác xã mới tiếp nhận xưởng.",
            ),
            ("new_tax_code", tax),
            ("replaced_tax_code", old_tax.as_str()),
        ]
        .map(|(k, v)| (k, v.to_owned()))
    };
    let unknown = ask("0000000000");
    let fields: Vec<(&str, &str)> = unknown.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = officer.post_multipart_fields(&path, &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!text(&html(response).await, "#new_tax_code-error").is_empty());
    let known = ask(&new_tax);
    let fields: Vec<(&str, &str)> = known.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = officer.post_multipart_fields(&path, &fields).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&html(response).await, ".field-error")
    );
    let content = [
        ("kind", "content"),
        ("reason", "Bổ sung tập huấn vận hành."),
        (
            "change",
            "Thêm một buổi tập huấn vận hành máy cho công nhân.",
        ),
    ];
    assert_eq!(
        officer
            .post_multipart_fields(&path, &content)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let requests: Vec<(i64, String)> = sqlx::query_as(
        "select id, kind::text from adjustment_requests where proposal_id = $1 order by id",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .expect("requests");
    for (request, kind) in &requests {
        let issuer = if kind == "content" {
            "UBND tỉnh Thái Nguyên"
        } else {
            ""
        };
        let response = director
            .post_form(
                &format!("{path}/{request}/approve"),
                &[
                    ("decision_number", "30/QĐ-SCT"),
                    ("decided_on", &day),
                    ("decision_issuer", issuer),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{kind}");
    }
    let (beneficiaries, content): (Vec<i64>, String) =
        sqlx::query_as("select beneficiary_ids, content from proposals where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .expect("proposal");
    let mut expected: Vec<i64> = before.into_iter().filter(|b| *b != old_id).collect();
    expected.push(new_id);
    expected.sort_unstable();
    let mut beneficiaries = beneficiaries;
    beneficiaries.sort_unstable();
    assert_eq!(beneficiaries, expected);
    assert!(content.ends_with("[30/QĐ-SCT] Thêm một buổi tập huấn vận hành máy cho công nhân."));
}
