//! The demo's appraisal visits: every demo proposal that reached `appraisal_scheduled` was
//! visited with the other proposals of its district on its visit day, by a team of the
//! Centre (leader `thamdinh`), the Department (by name) and the district's economic office.
//! Proposals past the visit have a final record with scores, facts and the proposed amount
//! the timeline states; those still scheduled have an empty draft. Two upland districts are
//! priority areas, so the ranking has something to order by.
//!
//! The rows are written through the application's own `db` functions, so the demo obeys the
//! same constraints as the pages.

use std::collections::{BTreeMap, HashMap};

use anyhow::Context as _;
use time::{Date, Time};

use super::data::Activity;
use super::{CENTRE_STAFF, Planned, lookup};
use crate::db;
use crate::db::appraisals::DraftInput;
use crate::domain::appraisal::{self, Declaration, Recommendation, Scored, TeamRole, VisitPurpose};
use crate::domain::caps::PriorityAreaKind;
use crate::domain::transition::Action;

/// The leader of every demo visit.
const LEADER: &str = "thamdinh";
/// The Department's officer on the demo teams (without an account).
const DEPARTMENT_MEMBER: (&str, &str) = (
    "Bùi Thanh Sơn",
    "Phòng Quản lý Công nghiệp và Năng lượng – Sở Công Thương Thái Nguyên",
);
/// Upland districts of Thái Nguyên (priority area, point a), by district code.
const UPLAND_DISTRICTS: [&str; 2] = ["167", "170"];
const UPLAND_LEGAL_REF: &str =
    "Thông tư 46/2012/TT-BCT, Điều 6.1.a — huyện miền núi (dữ liệu mẫu của bản trình diễn)";

/// Writes the visits, teams, declarations and records; returns how many visits.
pub(super) async fn insert(
    conn: &mut sqlx::PgConnection,
    planned: &[Planned],
    ids: &[i64],
    users: &HashMap<String, i64>,
    district_ids: &HashMap<&'static str, i64>,
) -> anyhow::Result<usize> {
    let leader = lookup(users, LEADER, "account")?;
    let staff = lookup(users, CENTRE_STAFF, "account")?;
    for district in UPLAND_DISTRICTS {
        let unit_id = *district_ids
            .get(district)
            .with_context(|| format!("district {district}"))?;
        let area = db::rules::PriorityAreaInput {
            unit_id,
            kind: PriorityAreaKind::Upland,
            legal_ref: UPLAND_LEGAL_REF,
            valid_from: None,
            valid_to: None,
        };
        db::rules::insert_priority_area(&mut *conn, &area, staff).await?;
    }

    // One visit per district and day, in the order of the day.
    let mut trips: BTreeMap<(Date, &'static str), Vec<(i64, &Planned)>> = BTreeMap::new();
    for (&id, proposal) in ids.iter().zip(planned) {
        let Some(day) = proposal.visit else { continue };
        trips
            .entry((day, proposal.office.district.as_str()))
            .or_default()
            .push((id, proposal));
    }
    for ((day, _), proposals) in &trips {
        let Some((_, first)) = proposals.first() else {
            continue;
        };
        let (office_name, officer) = (first.office.name.as_str(), first.office.officer.as_deref());
        let area = office_name
            .rsplit_once(" huyện ")
            .map(|(_, name)| format!("huyện {name}"))
            .or_else(|| {
                office_name
                    .rsplit_once(" thành phố ")
                    .map(|(_, name)| format!("thành phố {name}"))
            })
            .unwrap_or_else(|| office_name.to_owned());
        let title = format!("Thẩm định đề án khuyến công tại {area}");
        let notes = "Xe Trung tâm đón đoàn tại trụ sở lúc 7 giờ 30.";
        let visit = db::visits::insert(
            conn,
            super::PROVINCE,
            &title,
            *day,
            notes,
            VisitPurpose::Appraisal,
            staff,
        )
        .await?;
        db::visits::add_user_member(conn, visit, leader, TeamRole::Leader).await?;
        db::visits::add_user_member(conn, visit, staff, TeamRole::Member).await?;
        let officer = officer.map(|o| lookup(users, o, "account")).transpose()?;
        if let Some(officer) = officer {
            db::visits::add_user_member(conn, visit, officer, TeamRole::Member).await?;
        }
        db::visits::add_external_member(conn, visit, DEPARTMENT_MEMBER.0, DEPARTMENT_MEMBER.1)
            .await?;
        let members = db::visits::members_in(conn, visit).await?;
        for (position, (proposal_id, proposal)) in proposals.iter().enumerate() {
            let hour = u8::try_from(8 + 2 * position.min(4))?;
            let record = db::visits::add_proposal(
                conn,
                visit,
                VisitPurpose::Appraisal,
                *proposal_id,
                Some(Time::from_hms(hour, 0, 0)?),
            )
            .await?;
            let Some(step) = proposal.step(Action::RecordAppraisal) else {
                continue;
            };
            for (member_id, user) in &members {
                let by = user.unwrap_or(leader);
                db::visits::declare(
                    conn,
                    *member_id,
                    *proposal_id,
                    Declaration::NoConflict,
                    "",
                    by,
                )
                .await?;
            }
            finalise(conn, record, proposal, leader).await?;
            db::demo::date_appraisal_record(conn, record, step.at).await?;
        }
    }
    Ok(trips.len())
}

/// Scores, facts and the recommendation the timeline tells, then the leader's finalisation.
async fn finalise(
    conn: &mut sqlx::PgConnection,
    record: i64,
    proposal: &Planned,
    leader: i64,
) -> anyhow::Result<()> {
    let sheet = db::appraisals::scores(&mut *conn, record).await?;
    let seed = proposal.spec.total_million;
    let scores: Vec<(i64, Option<i16>, bool, String)> = sheet
        .iter()
        .zip(0_i64..)
        .map(|(s, i)| {
            // A training course has nothing to combine with: the criterion does not apply.
            let na = proposal.spec.activity == Activity::Training && s.position == 4;
            let share = 80 + (seed / 10 + i * 7) % 20;
            let points = i16::try_from(i64::from(s.max_points) * share / 100).unwrap_or(0);
            let finding = if na {
                "Không liên quan đến nội dung đào tạo nghề.".to_owned()
            } else {
                FINDINGS[usize::try_from(i).unwrap_or(0) % FINDINGS.len()].to_owned()
            };
            (s.criterion_id, (!na).then_some(points), na, finding)
        })
        .collect();
    let tally = appraisal::tally(
        &sheet
            .iter()
            .zip(&scores)
            .map(|(s, (_, points, na, _))| Scored {
                max_points: u16::try_from(s.max_points).unwrap_or(0),
                mark: match (na, points) {
                    (true, _) => appraisal::Mark::NotApplicable,
                    (false, Some(p)) => appraisal::Mark::Points(u16::try_from(*p).unwrap_or(0)),
                    (false, None) => appraisal::Mark::Missing,
                },
            })
            .collect::<Vec<_>>(),
    );
    let score = tally
        .score_tenths()
        .and_then(|t| i16::try_from(t).ok())
        .context("a demo score sheet is incomplete")?;
    let input = DraftInput {
        premises: "Nhà xưởng kiên cố, đủ mặt bằng lắp đặt và vận hành; điện ba pha sẵn có.".into(),
        machinery: proposal.spec.activity.machinery_seen().into(),
        legal_papers: "Đã đối chiếu bản gốc giấy chứng nhận đăng ký kinh doanh, mã số thuế và \
                       giấy tờ về quyền sử dụng đất nhà xưởng."
            .into(),
        counterpart_capacity: "Cơ sở cam kết bố trí đủ vốn đối ứng; có xác nhận số dư tiền gửi \
                               của ngân hàng."
            .into(),
        other_findings: String::new(),
        proposed_support: Some(proposal.proposed),
        recommendation: Some(Recommendation::Approve),
        conditions: String::new(),
        scores,
    };
    anyhow::ensure!(
        db::appraisals::save_draft(conn, record, 1, &input, leader).await?,
        "a demo record changed while it was written"
    );
    anyhow::ensure!(
        db::appraisals::finalise(conn, record, 2, score, leader).await?,
        "a demo record could not be finalised"
    );
    Ok(())
}

const FINDINGS: [&str; 5] = [
    "Đúng đối tượng, ngành nghề và nội dung được hỗ trợ theo Nghị định 45/2012/NĐ-CP.",
    "Mục tiêu rõ ràng; đơn giá thiết bị phù hợp với báo giá và giá thị trường.",
    "Cơ sở có kinh nghiệm sản xuất, lao động có tay nghề, đủ năng lực tiếp nhận.",
    "Có thể kết hợp với chương trình OCOP và xây dựng nông thôn mới của địa phương.",
    "Hồ sơ đủ thành phần theo quy định.",
];

impl Activity {
    /// What the team found on site before the support.
    fn machinery_seen(self) -> &'static str {
        match self {
            Activity::Machinery => {
                "Cơ sở đang dùng thiết bị cũ, năng suất thấp; chưa có thiết bị đề nghị hỗ trợ."
            }
            Activity::Demonstration => {
                "Mặt bằng đã sẵn sàng cho mô hình; dây chuyền hiện có làm thủ công một phần."
            }
            Activity::TechnologyTransfer => {
                "Quy trình hiện tại thủ công, chất lượng chưa đồng đều; sẵn sàng tiếp nhận công nghệ."
            }
            Activity::Training => "Có phòng học và xưởng thực hành cho học viên.",
        }
    }
}
