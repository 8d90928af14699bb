//! The demo's records as written down: the economic offices, facilities and proposals in the
//! CSV files beside this module (`data/*.csv`), read once and checked as they are read. A
//! mistake in a file is an error naming its line, never a panic.

use std::sync::LazyLock;

use anyhow::{Context as _, anyhow, bail};
use serde::Deserialize;

use crate::domain::proposal::{ProposalLevel, ProposalState};

use ProposalState as S;

/// A district's economic office and its demo account, if it has one.
#[derive(Debug, Deserialize)]
pub(super) struct Office {
    /// Legacy district code.
    pub district: String,
    pub name: String,
    pub officer: Option<String>,
}

/// A rural industrial facility.
#[derive(Debug, Deserialize)]
pub(super) struct Facility {
    /// Legacy district code.
    pub district: String,
    /// The key proposals name it by.
    pub key: String,
    /// Legal name.
    pub name: String,
    pub legal_form: String,
    pub tax_code: String,
    pub owner: String,
    pub phone: String,
    /// Hamlet or street.
    pub address: String,
    /// Legacy commune code.
    pub commune: String,
    pub sector: String,
    /// Main products.
    pub products: String,
    pub workers: i32,
    /// Revenue per year, million đồng.
    pub revenue_million: i64,
}

/// The activity types the demo proposals use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Activity {
    Machinery,
    Demonstration,
    TechnologyTransfer,
    Training,
}

impl Activity {
    const ALL: [Self; 4] = [
        Self::Machinery,
        Self::Demonstration,
        Self::TechnologyTransfer,
        Self::Training,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Machinery => "machinery",
            Self::Demonstration => "demonstration_model",
            Self::TechnologyTransfer => "technology_transfer",
            Self::Training => "training",
        }
    }

    /// The share of the cost supported (percent), its cap in million đồng, and whether the cap
    /// is per beneficiary (else per model or course). Machinery and technology transfer: at
    /// most 50% and 300 million per establishment; demonstration models: at most 30% and
    /// 1,000 million per model (DOMAIN.md §3.1). Training courses are funded in full here.
    pub fn cap(self) -> (i64, i64, bool) {
        match self {
            Self::Machinery | Self::TechnologyTransfer => (50, 300, true),
            Self::Demonstration => (30, 1_000, false),
            Self::Training => (100, 150, false),
        }
    }

    /// What the start of the work looks like.
    pub fn start_note(self) -> &'static str {
        match self {
            Self::Machinery => "Cơ sở triển khai mua sắm, lắp đặt thiết bị theo hợp đồng.",
            Self::Demonstration => "Khởi công xây dựng mô hình trình diễn kỹ thuật.",
            Self::TechnologyTransfer => {
                "Đơn vị chuyển giao bắt đầu chuyển giao công nghệ tại cơ sở."
            }
            Self::Training => "Khai giảng lớp đào tạo nghề tại cơ sở.",
        }
    }

    /// What the acceptance (nghiệm thu) found.
    pub fn acceptance_note(self) -> &'static str {
        match self {
            Self::Machinery => {
                "Nghiệm thu cơ sở: thiết bị đã lắp đặt, vận hành ổn định, đạt yêu cầu."
            }
            Self::Demonstration => {
                "Nghiệm thu cơ sở: mô hình hoàn thành, đã tổ chức hội nghị trình diễn cho các cơ sở trong vùng."
            }
            Self::TechnologyTransfer => {
                "Nghiệm thu cơ sở: công nghệ đã chuyển giao, cơ sở làm chủ quy trình sản xuất."
            }
            Self::Training => {
                "Nghiệm thu cơ sở: lớp học kết thúc, học viên được cấp chứng chỉ nghề."
            }
        }
    }
}

/// One proposal of the data set, as written down.
#[derive(Debug)]
pub(super) struct Spec {
    pub year: i16,
    pub level: ProposalLevel,
    pub state: ProposalState,
    pub activity: Activity,
    /// Beneficiary facility keys; the first one's commune is the proposal's location.
    pub facilities: Vec<String>,
    /// Total cost, million đồng.
    pub total_million: i64,
    pub title: String,
    /// For a proposal that ended rejected, withdrawn or stopped: the state it ended from.
    pub ended_from: Option<ProposalState>,
    /// The reason of the last step (a return, rejection, withdrawal or stop); empty: the
    /// default wording.
    pub note: String,
}

impl Spec {
    /// The state the lifecycle walk reaches before a final rejection, withdrawal or stop.
    pub fn reached(&self) -> ProposalState {
        self.ended_from.unwrap_or(self.state)
    }

    /// A 2024 proposal still being screened or appraised belongs to the supplementary round
    /// registered from August.
    pub fn second_round(&self) -> bool {
        self.year == 2024
            && matches!(
                self.reached(),
                S::Draft
                    | S::Submitted
                    | S::Returned
                    | S::Accepted
                    | S::AppraisalScheduled
                    | S::Appraised
            )
            && !matches!(self.state, S::Rejected)
    }

    /// The first beneficiary's key: the proposal's location and office go by it.
    pub fn first_facility(&self) -> anyhow::Result<&str> {
        self.facilities
            .first()
            .map(String::as_str)
            .ok_or_else(|| anyhow!("{:?} has no beneficiary", self.title))
    }
}

/// A line of `proposals.csv`, before its codes are read.
#[derive(Deserialize)]
struct ProposalLine {
    year: i16,
    level: String,
    state: String,
    activity: String,
    /// Facility keys separated by spaces.
    facilities: String,
    total_million: i64,
    title: String,
    ended_from: Option<String>,
    note: Option<String>,
}

impl TryFrom<ProposalLine> for Spec {
    type Error = anyhow::Error;

    fn try_from(line: ProposalLine) -> anyhow::Result<Self> {
        let state =
            |code: &str| ProposalState::from_code(code).ok_or_else(|| anyhow!("no state {code:?}"));
        Ok(Self {
            year: line.year,
            level: ProposalLevel::from_code(&line.level)
                .ok_or_else(|| anyhow!("no level {:?}", line.level))?,
            state: state(&line.state)?,
            activity: Activity::ALL
                .into_iter()
                .find(|a| a.code() == line.activity)
                .ok_or_else(|| anyhow!("no demo activity {:?}", line.activity))?,
            facilities: line
                .facilities
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            total_million: line.total_million,
            title: line.title,
            ended_from: line.ended_from.as_deref().map(state).transpose()?,
            note: line.note.unwrap_or_default(),
        })
    }
}

/// Everything the CSV files hold.
#[derive(Debug)]
pub(super) struct Data {
    pub offices: Vec<Office>,
    pub facilities: Vec<Facility>,
    pub proposals: Vec<Spec>,
}

impl Data {
    /// The office of `district` and its demo account.
    pub fn office(&self, district: &str) -> anyhow::Result<&Office> {
        self.offices
            .iter()
            .find(|o| o.district == district)
            .ok_or_else(|| anyhow!("no economic office for district {district}"))
    }

    /// The facility with `key`.
    pub fn facility(&self, key: &str) -> anyhow::Result<&Facility> {
        self.facilities
            .iter()
            .find(|f| f.key == key)
            .ok_or_else(|| anyhow!("no demo facility {key:?}"))
    }
}

/// Reads the lines of one file, naming the file of a mistake (the error names the line).
fn lines<L: serde::de::DeserializeOwned>(file: &str, text: &str) -> anyhow::Result<Vec<L>> {
    let lines = csv::Reader::from_reader(text.as_bytes())
        .deserialize::<L>()
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("demo/data/{file}"))?;
    if lines.is_empty() {
        bail!("demo/data/{file} is empty");
    }
    Ok(lines)
}

fn load() -> anyhow::Result<Data> {
    let proposals = lines::<ProposalLine>("proposals.csv", include_str!("data/proposals.csv"))?
        .into_iter()
        .enumerate()
        .map(|(index, line)| {
            Spec::try_from(line)
                .with_context(|| format!("demo/data/proposals.csv, line {}", index + 2))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(Data {
        offices: lines("offices.csv", include_str!("data/offices.csv"))?,
        facilities: lines("facilities.csv", include_str!("data/facilities.csv"))?,
        proposals,
    })
}

/// The data set, read on first use.
pub(super) fn data() -> anyhow::Result<&'static Data> {
    static DATA: LazyLock<Result<Data, String>> =
        LazyLock::new(|| load().map_err(|e| format!("{e:#}")));
    DATA.as_ref().map_err(|e| anyhow!("{e}"))
}
