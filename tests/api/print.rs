//! Printed papers: each official document of a proposal a world took to completed, opened in headless Chromium after
//! signing in, printed to an A4 PDF through WebDriver and read back with poppler (`pdfinfo` for
//! the page count, `pdftotext -layout` for the words). The PDFs stay in target/print/, the
//! screen views in target/screenshots/.

use std::path::Path;
use std::process::Command;

use fantoccini::Client;
use fantoccini::wd::{PrintConfiguration, PrintSize};
use khuyencong::domain::money::{format_plain, format_vnd};
use sqlx::PgPool;

use crate::browser::{browser, screenshot, sign_in, tool};
use khuyencong::domain::proposal::ProposalState;

use crate::helpers::{PASSWORD, TestApp};
use crate::world::World;

/// A printed PDF as poppler reads it: its page count and each page's lines, with the runs of
/// spaces `-layout` puts between columns made single.
struct Pdf {
    pages: usize,
    text: Vec<Vec<String>>,
}

impl Pdf {
    fn read(path: &Path) -> Pdf {
        let file = path.to_str().expect("a UTF-8 path");
        let run = |variable: &str, name: &str, args: &[&str]| {
            let output = Command::new(tool(variable, name))
                .args(args)
                .output()
                .unwrap_or_else(|e| panic!("{name} runs: {e}"));
            assert!(output.status.success(), "{name} {args:?} failed");
            String::from_utf8(output.stdout).expect("UTF-8")
        };
        let pages = run("PDFINFO_PATH", "pdfinfo", &[file])
            .lines()
            .find_map(|line| line.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .expect("pdfinfo gives Pages:");
        let text = run(
            "PDFTOTEXT_PATH",
            "pdftotext",
            &["-layout", "-enc", "UTF-8", file, "-"],
        );
        // pdftotext ends every page with a form feed.
        let text = text
            .split_terminator('\u{c}')
            .map(|page| {
                page.lines()
                    .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
                    .filter(|line| !line.is_empty())
                    .collect()
            })
            .collect();
        Pdf { pages, text }
    }

    fn has(&self, words: &str) -> bool {
        self.text.iter().flatten().any(|line| line.contains(words))
    }
}

/// What one document must print as.
struct Paper {
    name: &'static str,
    path: String,
    /// As measured with Debian's fonts-liberation2 (the same with fonts-liberation): one more
    /// is a blank or orphaned page.
    pages: usize,
    title: &'static str,
    /// The header's number line.
    number: String,
    code: String,
    /// An amount as printed.
    money: String,
    /// Whether it opens with the national motto (an annex goes with its decision, which has it).
    motto: bool,
    signatures: &'static [&'static str],
}

/// Prints the page on A4 as the browser's print dialog would (the margins are the page's
/// `@page` rule, which wins over WebDriver's), after a screenshot of its screen view.
async fn print(client: &Client, app: &TestApp, paper: &Paper) -> Pdf {
    client
        .goto(&app.url(&paper.path))
        .await
        .expect("print page");
    screenshot(client, &format!("print-{}", paper.name)).await;
    let config = PrintConfiguration::builder()
        .size(PrintSize::A4)
        .build()
        .expect("print configuration");
    let bytes = client.print(config).await.expect("printed");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/print");
    std::fs::create_dir_all(&dir).expect("print folder");
    let file = dir.join(format!("{}.pdf", paper.name));
    std::fs::write(&file, bytes).expect("PDF written");
    Pdf::read(&file)
}

/// The world's record of a kind: two ids (or an id and a number), a code, an amount.
async fn row<T>(pool: &PgPool, sql: &str) -> (i64, T, String, i64)
where
    T: Send + Unpin + for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    sqlx::query_as(sql)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("no record for {sql}: {e}"))
}

/// The papers of the world's one proposal.
async fn papers(pool: &PgPool) -> Vec<Paper> {
    let (record, visit, code, proposed): (_, i64, _, _) = row(
        pool,
        "select r.id, r.visit_id, p.code, r.proposed_support from appraisal_records r
         join proposals p on p.id = r.proposal_id
         where r.status = 'final' and r.proposed_support > 0 order by r.id limit 1",
    )
    .await;
    let requested: i64 =
        sqlx::query_scalar("select requested_support from proposals where code = $1")
            .bind(&code)
            .fetch_one(pool)
            .await
            .expect("requested support");
    let (contract, contract_number, contract_code, support): (_, String, _, _) = row(
        pool,
        "select c.proposal_id, c.number, p.code, c.approved_support from contracts c
         join proposals p on p.id = c.proposal_id order by c.id limit 1",
    )
    .await;
    let (accepted, acceptance, accepted_code, admitted): (_, i64, _, _) = row(
        pool,
        "select a.proposal_id, a.id, p.code, a.admitted_support from acceptance_records a
         join proposals p on p.id = a.proposal_id
         where a.status = 'final' and a.result = 'pass' order by a.id limit 1",
    )
    .await;
    let (settled, liquidation_number, settled_code, settled_admitted): (_, String, _, _) = row(
        pool,
        "select s.proposal_id, s.liquidation_number, p.code, s.admitted_support from settlements s
         join proposals p on p.id = s.proposal_id order by s.id limit 1",
    )
    .await;
    let (decision, decision_number, decided_code, decided_support): (_, String, _, _) = row(
        pool,
        "select d.id, d.number, min(p.code), sum(l.approved_support)::bigint
         from plan_decisions d
         join plan_decision_lines l on l.decision_id = d.id
         join proposals p on p.id = l.proposal_id
         group by d.id order by d.id limit 1",
    )
    .await;
    // Minutes are numbered by the registry when signed: a blank to fill in.
    let blank = || "Số: ……".to_owned();
    vec![
        Paper {
            name: "appraisal-minutes",
            path: format!("/appraisals/{record}/minutes"),
            pages: 2,
            title: "BIÊN BẢN THẨM ĐỊNH TẠI CƠ SỞ",
            number: blank(),
            code: code.clone(),
            money: format_vnd(proposed),
            motto: true,
            signatures: &["ĐẠI DIỆN CƠ SỞ", "THÀNH VIÊN ĐOÀN", "TRƯỞNG ĐOÀN"],
        },
        Paper {
            name: "visit-schedule",
            path: format!("/appraisals/visits/{visit}/schedule"),
            pages: 1,
            title: "KẾT QUẢ CHUYẾN THẨM ĐỊNH TẠI CƠ SỞ",
            number: blank(),
            code,
            money: format_vnd(requested),
            motto: true,
            signatures: &["NGƯỜI LẬP", "TRƯỞNG ĐOÀN"],
        },
        Paper {
            name: "contract",
            path: format!("/proposals/{contract}/contract/print"),
            pages: 1,
            title: "HỢP ĐỒNG THỰC HIỆN ĐỀ ÁN KHUYẾN CÔNG",
            number: format!("Số: {contract_number}"),
            code: contract_code,
            money: format_vnd(support),
            motto: true,
            signatures: &["ĐẠI DIỆN BÊN B", "ĐẠI DIỆN BÊN A"],
        },
        Paper {
            name: "acceptance-minutes",
            path: format!("/proposals/{accepted}/acceptance/{acceptance}/minutes"),
            pages: 1,
            title: "BIÊN BẢN NGHIỆM THU CƠ SỞ",
            number: blank(),
            code: accepted_code,
            money: format_vnd(admitted),
            motto: true,
            signatures: &["ĐẠI DIỆN ĐƠN VỊ THỰC HIỆN", "TRƯỞNG ĐOÀN NGHIỆM THU"],
        },
        Paper {
            name: "liquidation-minutes",
            path: format!("/proposals/{settled}/settlement/print"),
            pages: 1,
            title: "BIÊN BẢN THANH LÝ HỢP ĐỒNG",
            number: format!("Số: {liquidation_number}"),
            code: settled_code,
            money: format_vnd(settled_admitted),
            motto: true,
            signatures: &["ĐẠI DIỆN BÊN B", "ĐẠI DIỆN BÊN A"],
        },
        Paper {
            name: "plan-annex",
            path: format!("/funding/decisions/{decision}/annex"),
            // On A4 landscape: one proposal's line.
            pages: 1,
            title: "PHỤ LỤC",
            number: format!("(Kèm theo Quyết định số {decision_number}"),
            code: decided_code,
            money: format_plain(decided_support),
            motto: false,
            signatures: &["NGƯỜI KÝ QUYẾT ĐỊNH"],
        },
    ]
}

#[sqlx::test]
async fn official_papers_print_on_a4_with_the_motto_header_and_signatures(pool: PgPool) {
    let world = World::new(pool).await;
    let tax = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    world
        .proposal(&tax, "Máy sao chè tự động", ProposalState::Completed)
        .await;
    let app = &world.app;
    let papers = papers(&app.pool).await;
    let browser = browser(1280, 900).await;
    let client = &browser.client;
    sign_in(client, app, "canbo", PASSWORD).await;
    // Every paper is checked before failing, so one run tells all that is wrong.
    let mut wrong = Vec::new();
    for paper in &papers {
        let pdf = print(client, app, paper).await;
        let name = paper.name;
        if pdf.pages != paper.pages {
            wrong.push(format!("{name}: {} pages, not {}", pdf.pages, paper.pages));
        }
        assert!(
            paper.money.contains('.'),
            "{}: a figure in thousands",
            paper.money
        );
        let motto: &[&str] = if paper.motto {
            &[
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "Độc lập - Tự do - Hạnh phúc",
            ]
        } else {
            &[]
        };
        let wanted = [
            paper.number.as_str(),
            paper.title,
            &paper.code,
            &paper.money,
        ];
        let signatures = paper.signatures.iter().copied();
        for words in motto.iter().copied().chain(wanted).chain(signatures) {
            if !pdf.has(words) {
                wrong.push(format!("{name}: {words:?} not printed"));
            }
        }
        // The screen's print bar (its hint is always shown there) stays off paper.
        if pdf.has("Lưu dưới dạng PDF") {
            wrong.push(format!("{name}: the print bar is printed"));
        }
        // The page number heads every page but the first.
        for (index, page) in pdf.text.iter().enumerate() {
            let first = page.first().map(String::as_str).unwrap_or_default();
            if (first == (index + 1).to_string()) != (index > 0) {
                wrong.push(format!("{name}: page {} begins {first:?}", index + 1));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} (the PDFs are in target/print/)",
        wrong.join("\n")
    );
}
