//! Exports to XLSX and CSV: the workbooks open in LibreOffice (headless, converting them to
//! CSV), the CSV holds the rows of the filtered list, each export has its page's permission
//! and scope, and a plan decision's annex adds up to its lines.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use sqlx::PgPool;

use khuyencong::domain::proposal::ProposalState as State;

use crate::helpers::{TestApp, attrs, header, texts};
use crate::world::{DAI_TU, World, dossier_of_2027};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// LibreOffice: `SOFFICE_PATH` (scripts/test exports it), else `soffice` on the PATH.
fn soffice() -> PathBuf {
    std::env::var_os("SOFFICE_PATH")
        .filter(|p| !p.is_empty())
        .map_or_else(|| PathBuf::from("soffice"), PathBuf::from)
}

/// A directory of its own under the system's temporary directory.
fn temp_dir(what: &str) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("khuyencong-{what}-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    dir
}

/// Opens `workbook` in LibreOffice and converts its first sheet to CSV (UTF-8); the records.
/// The conversion must succeed (exit status 0) and write the file.
pub(crate) async fn libreoffice_records(workbook: &[u8], name: &str) -> Vec<Vec<String>> {
    let dir = temp_dir("soffice");
    let file = dir.join(format!("{name}.xlsx"));
    std::fs::write(&file, workbook).expect("write the workbook");
    // A profile of its own: LibreOffice refuses to share one between processes.
    let profile = dir.join("profile");
    let mut command = tokio::process::Command::new(soffice());
    command
        .arg("--headless")
        .arg("--norestore")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .arg("--convert-to")
        // Comma, double quote, UTF-8 (76).
        .arg("csv:Text - txt - csv (StarCalc):44,34,76")
        .arg("--outdir")
        .arg(&dir)
        .arg(&file)
        .kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(180), command.output())
        .await
        .expect("LibreOffice finishes within three minutes")
        .expect("LibreOffice runs (set SOFFICE_PATH)");
    assert!(
        output.status.success(),
        "soffice failed ({}): {}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let converted = std::fs::read(dir.join(format!("{name}.csv"))).unwrap_or_else(|e| {
        panic!(
            "LibreOffice wrote no CSV ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    let _ = std::fs::remove_dir_all(&dir);
    csv_records(&converted)
}

/// The records of a CSV file (a byte-order mark skipped), every line one record.
pub(crate) fn csv_records(bytes: &[u8]) -> Vec<Vec<String>> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect())
        .collect()
}

/// The digits of a shown amount (`1.500.000`, `1,500,000` → `1500000`).
fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// The header row's index and the index of each `wanted` header in it.
fn columns(records: &[Vec<String>], first: &str, wanted: &[&str]) -> (usize, Vec<usize>) {
    let row = records
        .iter()
        .position(|r| r.first().is_some_and(|f| f == first))
        .unwrap_or_else(|| panic!("no header row starting with {first}: {records:?}"));
    let found = wanted
        .iter()
        .map(|w| {
            records[row]
                .iter()
                .position(|h| h == w)
                .unwrap_or_else(|| panic!("no column {w} in {:?}", records[row]))
        })
        .collect();
    (row, found)
}

async fn get_ok(app: &TestApp, path: &str, content_type: &str) -> Vec<u8> {
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    assert!(
        header(response.headers(), CONTENT_TYPE.as_str()).starts_with(content_type),
        "{path}: {:?}",
        response.headers()
    );
    let disposition = header(response.headers(), CONTENT_DISPOSITION.as_str());
    assert!(
        disposition.starts_with("attachment; filename=\"")
            && disposition.contains("filename*=UTF-8''"),
        "{path}: {disposition}"
    );
    response.bytes().await.expect("body").to_vec()
}

/// The titles of the proposals [`listed`] makes in Phú Bình, in order.
const PHU_BINH_TITLES: [&str; 2] = ["Máy sao chè tự động", "Máy vò chè"];

/// A world whose Centre lists four proposals: submitted and accepted in Phú Bình, submitted
/// in Đại Từ (all of 2026), and one of 2027 in Đại Từ.
async fn listed(pool: PgPool) -> World {
    let world = World::new(pool).await;
    let tan_khanh = world
        .facility("Hợp tác xã Chè Tân Khánh", "4609990099")
        .await;
    let la_bang = world
        .facility_in(DAI_TU, "Hợp tác xã Chè La Bằng", "4609990201")
        .await;
    let [sao, vo] = PHU_BINH_TITLES;
    world.proposal(&tan_khanh, sao, State::Submitted).await;
    world.proposal(&tan_khanh, vo, State::Accepted).await;
    world
        .proposal(&la_bang, "Lò sấy chè", State::Submitted)
        .await;
    let next_year = dossier_of_2027(&la_bang, "Máy đóng gói chè");
    world.proposal_from(&next_year, State::Submitted).await;
    world
}

/// A world with one plan decision (see [`World::decision_of_two`]).
async fn decided(pool: PgPool) -> (World, i64) {
    let world = World::new(pool).await;
    let decision = world.decision_of_two().await;
    (world, decision)
}

#[sqlx::test]
async fn the_proposals_workbook_opens_in_libreoffice(pool: PgPool) {
    let world = listed(pool).await;
    let app = world.as_user("canbo").await;
    let (title, requested, year) = ("Lò sấy chè", "150000000", 2026);
    let workbook = get_ok(
        &app,
        &format!("/proposals/export?format=xlsx&year={year}"),
        XLSX,
    )
    .await;
    let records = libreoffice_records(&workbook, "de-an").await;
    assert!(
        records[0][0].contains("Danh sách đề án"),
        "the title first: {:?}",
        records[0]
    );
    let (header_row, cols) = columns(
        &records,
        "Mã đề án",
        &[
            "Tên đề án",
            "Kinh phí khuyến công đề nghị hỗ trợ",
            "Năm kế hoạch",
        ],
    );
    let row = records[header_row + 1..]
        .iter()
        .find(|r| r.get(cols[0]).is_some_and(|t| t == title))
        .unwrap_or_else(|| panic!("{title} is in the workbook"));
    assert_eq!(digits(&row[cols[1]]), requested, "{row:?}");
    assert_eq!(row[cols[2]], year.to_string());
    let years: Vec<&str> = records[header_row + 1..]
        .iter()
        .filter_map(|r| r.get(cols[2]).map(String::as_str))
        .filter(|y| !y.is_empty())
        .collect();
    assert_eq!(
        years, ["2026"; 3],
        "the three of {year}, not the one of 2027"
    );
}

/// The titles a list page shows, every page.
async fn listed_titles(app: &TestApp, list: &str) -> Vec<String> {
    let mut titles = Vec::new();
    for page in 1..=50 {
        let html = app.page(&format!("{list}&page={page}")).await;
        let found = texts(&html, "main table tbody tr td:nth-child(2) a");
        if found.is_empty() {
            break;
        }
        titles.extend(found);
    }
    titles
}

#[sqlx::test]
async fn the_csv_holds_the_rows_of_the_filtered_list(pool: PgPool) {
    let world = listed(pool).await;
    let app = world.as_user("canbo").await;
    let year = 2026;
    let filter = format!("year={year}&sort=code");
    let list = app.page(&format!("/proposals?{filter}")).await;
    let links = attrs(&list, "a[href^='/proposals/export']", "href");
    assert!(
        links
            .iter()
            .any(|l| l.contains(&format!("year={year}")) && l.ends_with("format=xlsx")),
        "the list links its export with its filters: {links:?}"
    );
    assert!(links.iter().any(|l| l.ends_with("format=csv")));

    let bytes = get_ok(
        &app,
        &format!("/proposals/export?format=csv&{filter}"),
        "text/csv",
    )
    .await;
    assert!(bytes.starts_with(BOM), "UTF-8 with a byte-order mark");
    let records = csv_records(&bytes);
    assert_eq!(records[0][0], "Mã đề án", "the header first");
    let title = records[0]
        .iter()
        .position(|h| h == "Tên đề án")
        .expect("title");
    let exported: Vec<String> = records[1..]
        .iter()
        .map(|r| r[title].split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let shown = listed_titles(&app, &format!("/proposals?{filter}")).await;
    assert_eq!(shown.len(), 3, "{shown:?}");
    assert_eq!(exported, shown, "the same rows, in the same order");

    // Money as plain digits, dates day first.
    let requested = records[0]
        .iter()
        .position(|h| h == "Kinh phí khuyến công đề nghị hỗ trợ")
        .expect("requested");
    assert!(
        records[1..]
            .iter()
            .all(|r| !r[requested].is_empty() && r[requested].chars().all(|c| c.is_ascii_digit()))
    );
    let submitted = records[0]
        .iter()
        .position(|h| h == "Ngày nộp")
        .expect("submitted");
    assert!(records[1..].iter().any(|r| {
        let d = r[submitted].as_bytes();
        d.len() == 10 && d[2] == b'/' && d[5] == b'/'
    }));
}

#[sqlx::test]
async fn a_local_officer_exports_only_its_area(pool: PgPool) {
    let world = listed(pool).await;
    let app = world.as_user("pkt.phubinh").await;
    let bytes = get_ok(&app, "/proposals/export?format=csv", "text/csv").await;
    let records = csv_records(&bytes);
    let title = records[0]
        .iter()
        .position(|h| h == "Tên đề án")
        .expect("title");
    let mut exported: Vec<String> = records[1..].iter().map(|r| r[title].clone()).collect();
    exported.sort();
    assert_eq!(exported, PHU_BINH_TITLES);

    let bytes = get_ok(&app, "/facilities/export?format=csv", "text/csv").await;
    let records = csv_records(&bytes);
    let tax = records[0]
        .iter()
        .position(|h| h == "Mã số thuế")
        .expect("tax code");
    let exported: Vec<&str> = records[1..].iter().map(|r| r[tax].as_str()).collect();
    assert_eq!(exported, ["4609990099"]);

    // The workbook of the area opens too, and the progress list exports within the scope.
    let workbook = get_ok(&app, "/proposals/export", XLSX).await;
    assert!(workbook.starts_with(b"PK"));
    get_ok(&app, "/progress/export?format=csv", "text/csv").await;
}

#[sqlx::test]
async fn each_export_has_its_pages_permission(pool: PgPool) {
    let (world, decision) = decided(pool).await;
    let anonymous = world.app.get("/proposals/export").await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);

    let app = world.as_user("admin").await;
    for path in [
        "/proposals/export",
        "/facilities/export",
        "/progress/export",
    ] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }

    let officer = world.as_user("pkt.phubinh").await;
    for path in [
        "/funding/commitments/export".to_owned(),
        format!("/funding/decisions/{decision}/annex"),
        format!("/funding/decisions/{decision}/annex.xlsx"),
        format!("/funding/decisions/{decision}/annex.csv"),
    ] {
        assert_eq!(
            officer.get(&path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }

    let accountant = world.as_user("ketoan").await;
    let workbook = get_ok(&accountant, "/funding/commitments/export?year=2026", XLSX).await;
    assert!(workbook.starts_with(b"PK"));
}

#[sqlx::test]
async fn malformed_filters_and_unknown_decisions_are_refused(pool: PgPool) {
    let (world, decision) = decided(pool).await;
    let app = world.as_user("canbo").await;
    for path in [
        "/proposals/export?year=abc",
        "/proposals/export?state=nope",
        "/proposals/export?unit=x",
        "/proposals/export?format=pdf",
        "/facilities/export?sector=nope",
        "/facilities/export?unit=x",
        "/funding/commitments/export?year=abc",
    ] {
        let status = app.get(path).await.status();
        assert!(status.is_client_error(), "{path}: {status}");
        // The list page refuses the same filter the same way.
        if let Some((list, query)) = path.split_once("/export?")
            && !query.starts_with("format=")
        {
            let page = app.get(&format!("{list}?{query}")).await.status();
            assert_eq!(page, status, "{list}?{query}");
        }
    }
    let status = app
        .get(&format!(
            "/funding/decisions/{decision}/annex.xlsx?group=nope"
        ))
        .await
        .status();
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for path in ["annex", "annex.xlsx", "annex.csv"] {
        let status = app
            .get(&format!("/funding/decisions/999999/{path}"))
            .await
            .status();
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[sqlx::test]
async fn the_annex_adds_up_to_the_decisions_lines(pool: PgPool) {
    let (world, decision) = decided(pool).await;
    let app = world.as_user("canbo").await;
    // Each dossier asks 150,000,000 of its 400,000,000 (see `dossier`), as appraised.
    let (lines, support, cost) = (2_i64, 2 * 150_000_000_i64, 2 * 400_000_000_i64);

    let page = app.page(&format!("/funding/decisions/{decision}")).await;
    let links = attrs(&page, "a[href*='/annex']", "href");
    for end in ["/annex", "/annex.xlsx", "/annex.csv"] {
        assert!(links.iter().any(|l| l.ends_with(end)), "{end}: {links:?}");
    }

    let workbook = get_ok(
        &app,
        &format!("/funding/decisions/{decision}/annex.xlsx"),
        XLSX,
    )
    .await;
    let records = libreoffice_records(&workbook, "phu-luc").await;
    assert!(records[0][0].starts_with("Phụ lục"), "{:?}", records[0]);
    let (header_row, cols) = columns(
        &records,
        "STT",
        &[
            "Tên đề án",
            "Tổng kinh phí",
            "Kinh phí khuyến công hỗ trợ",
            "Vốn đối ứng",
        ],
    );
    let total = records[header_row + 1..]
        .iter()
        .find(|r| r.get(cols[0]).is_some_and(|t| t.starts_with("Tổng cộng")))
        .expect("a grand total row");
    assert_eq!(digits(&total[cols[2]]), support.to_string(), "{total:?}");
    assert_eq!(digits(&total[cols[1]]), cost.to_string(), "{total:?}");
    assert_eq!(digits(&total[cols[3]]), (cost - support).to_string());
    assert!(total[cols[0]].contains(&lines.to_string()));
    // Each group's heading carries its subtotal; the subtotals add up to the total.
    let groups: i64 = records[header_row + 1..]
        .iter()
        .filter(|r| {
            r.first()
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| "IVXLC".contains(c)))
        })
        .map(|r| digits(&r[cols[2]]).parse::<i64>().expect("a subtotal"))
        .sum();
    assert_eq!(groups, support);

    let bytes = get_ok(
        &app,
        &format!("/funding/decisions/{decision}/annex.csv?group=area"),
        "text/csv",
    )
    .await;
    assert!(bytes.starts_with(BOM));
    let records = csv_records(&bytes);
    let last = records.last().expect("rows");
    assert!(last[1].starts_with("Tổng cộng"), "{last:?}");
    assert_eq!(last[6], support.to_string());

    let print = app
        .page(&format!("/funding/decisions/{decision}/annex"))
        .await;
    assert_eq!(texts(&print, "h1.doc-title"), ["Phụ lục"]);
    let rows = texts(&print, "table.annex-table tbody tr:not(.annex-group)");
    assert_eq!(i64::try_from(rows.len()).expect("rows"), lines);
    let footer = texts(&print, "table.annex-table tfoot td");
    let shown = khuyencong::domain::money::format_plain(support);
    assert!(footer.contains(&shown), "{footer:?} holds {shown}");
}
