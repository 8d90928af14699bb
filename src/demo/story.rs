//! What each step of a demo timeline says: its note and details, from the proposal's spec
//! and figures.

use anyhow::anyhow;

use super::{DECISIONS, Planned, Step, data};
use crate::domain::format::{self};
use crate::domain::money::format_vnd;
use crate::domain::transition::Action;

const RETURN_NOTES: [&str; 3] = [
    "Đề nghị bổ sung: 03 báo giá thiết bị của các nhà cung cấp khác nhau; bản sao giấy chứng nhận đăng ký \
     kinh doanh; văn bản cam kết bố trí vốn đối ứng.",
    "Đề nghị bổ sung: báo cáo tài chính năm gần nhất; xác nhận của UBND xã về địa điểm sản xuất; thuyết minh \
     hiệu quả đầu tư.",
    "Hồ sơ thiếu: đơn đề nghị hỗ trợ của cơ sở; cam kết chưa nhận hỗ trợ từ nguồn vốn nhà nước khác cho cùng \
     nội dung.",
];

/// Fills in each step's actor, note and details.
pub(super) fn describe(proposal: &mut Planned) -> anyhow::Result<()> {
    let spec = proposal.spec;
    let decision = DECISIONS
        .iter()
        .find(|(year, ..)| *year == spec.year)
        .ok_or_else(|| anyhow!("no plan decision for {}", spec.year))?;
    let code = proposal.code.clone().unwrap_or_default();
    let story = Story {
        spec,
        office: &proposal.office.name,
        code: &code,
        proposed: proposal.proposed,
        visit: proposal.visit.map(format::date).unwrap_or_default(),
        decision: (decision.1, decision.2),
    };
    let last = proposal.steps.len().saturating_sub(1);
    for (index, step) in proposal.steps.iter_mut().enumerate() {
        let (note, details) = story.narrate(step, index == last);
        step.note = note;
        step.details = details.to_string();
    }
    Ok(())
}

/// What the timeline of one proposal tells.
pub(super) struct Story<'a> {
    spec: &'static data::Spec,
    office: &'static str,
    code: &'a str,
    proposed: i64,
    visit: String,
    /// Numbers of the province's and the Ministry's decisions.
    decision: (u32, u32),
}

impl Story<'_> {
    /// The creation's note.
    pub(super) const CREATION_NOTE: &'static str = "Lập hồ sơ đề án.";

    /// The note and details of `step`.
    pub(super) fn narrate(&self, step: &Step, last: bool) -> (String, serde_json::Value) {
        let spec = self.spec;
        let day = format::date(step.at.date());
        let amount = format_vnd(self.proposed);
        let none = serde_json::json!({});
        match step.action {
            Action::Submit => (
                "Gửi hồ sơ đề án về Trung tâm Khuyến công.".into(),
                serde_json::json!({ "code": self.code }),
            ),
            Action::Return if last && !spec.note.is_empty() => (spec.note.clone(), none),
            Action::Return => {
                let note = RETURN_NOTES[spec.title.len() % RETURN_NOTES.len()];
                (note.into(), none)
            }
            Action::Resubmit => (
                "Đã bổ sung hồ sơ theo yêu cầu, gửi lại Trung tâm.".into(),
                none,
            ),
            Action::Accept => (
                "Hồ sơ đầy đủ, hợp lệ; đưa vào kế hoạch thẩm định.".into(),
                none,
            ),
            Action::ScheduleAppraisal => {
                let note = format!(
                    "Đoàn thẩm định gồm Trung tâm Khuyến công, Phòng Quản lý Công nghiệp và Năng \
                     lượng (Sở Công Thương) và {} thẩm định thực tế tại cơ sở ngày {}.",
                    self.office, self.visit
                );
                (note, none)
            }
            Action::RecordAppraisal => (
                format!("Đã thẩm định thực tế tại cơ sở. Đề xuất mức hỗ trợ {amount}."),
                serde_json::json!({ "proposed_support": self.proposed }),
            ),
            Action::Forward => (
                "Trình Bộ Công Thương (Cục Công Thương địa phương) đề nghị hỗ trợ từ kinh phí \
                 khuyến công quốc gia."
                    .into(),
                none,
            ),
            Action::ApproveInPlan => (
                format!(
                    "Phê duyệt tại Quyết định số {}/QĐ-UBND ngày {day} của UBND tỉnh Thái \
                     Nguyên về kế hoạch khuyến công địa phương năm {}; mức hỗ trợ {amount}.",
                    self.decision.0, spec.year
                ),
                serde_json::json!({ "approved_support": self.proposed }),
            ),
            Action::MinistryApprove => (
                format!(
                    "Bộ Công Thương phê duyệt tại Quyết định số {}/QĐ-BCT ngày {day}; mức hỗ \
                     trợ {amount}.",
                    self.decision.1
                ),
                serde_json::json!({ "approved_support": self.proposed }),
            ),
            Action::SignContract => {
                let note = format!(
                    "Ký hợp đồng thực hiện đề án số {}.",
                    crate::domain::contract::suggested_number(Some(self.code), spec.year)
                );
                (note, none)
            }
            Action::Start => (spec.activity.start_note().into(), none),
            Action::AcceptResult => (spec.activity.acceptance_note().into(), none),
            Action::Settle => (
                format!("Thanh lý hợp đồng, quyết toán kinh phí hỗ trợ {amount}."),
                serde_json::json!({ "settled_support": self.proposed }),
            ),
            Action::Close => (
                "Đánh giá hiệu quả sau hỗ trợ: năng suất tăng, chất lượng sản phẩm ổn định; đóng \
                 hồ sơ."
                    .into(),
                none,
            ),
            // A rejection, withdrawal or stop ends the timeline with the spec's reason.
            Action::RejectIneligible
            | Action::NotSelected
            | Action::MinistryReject
            | Action::Withdraw
            | Action::Stop
            | Action::UnscheduleAppraisal
            | Action::Reappraise => (spec.note.clone(), none),
        }
    }
}
