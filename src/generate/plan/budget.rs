//! Budgets and titles: what each kind of activity buys, the share of it supported within
//! the activity's cap, and the title the dossier is filed under.

use anyhow::{Context as _, anyhow};

use super::super::rng::Rng;
use super::super::words::{self, LineKind, Trade};
use super::Commune;
use super::setting::{lower_first, upper_first};
use crate::domain::dossier::{self, CostLine};

/// How an activity's work is budgeted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Work {
    Machines,
    Demonstration,
    Transfer,
    Training,
    Service,
}

/// An activity type: code, how it is budgeted, the share of each line supported (basis
/// points), the cap of the support in đồng, and whether the cap is per beneficiary.
pub(super) type Activity = (&'static str, Work, i64, i64, bool);

pub(super) const ACTIVITIES: &[(Activity, u32)] = &[
    (("machinery", Work::Machines, 5000, 300_000_000, true), 44),
    (
        (
            "technology_transfer",
            Work::Transfer,
            5000,
            300_000_000,
            true,
        ),
        9,
    ),
    (
        (
            "demonstration_model",
            Work::Demonstration,
            3000,
            1_000_000_000,
            false,
        ),
        7,
    ),
    (
        (
            "cleaner_production_pilot",
            Work::Transfer,
            3000,
            500_000_000,
            false,
        ),
        3,
    ),
    (("training", Work::Training, 10_000, 150_000_000, false), 12),
    (
        (
            "typical_products_trade",
            Work::Service,
            7000,
            100_000_000,
            true,
        ),
        7,
    ),
    (("advisory", Work::Service, 5000, 100_000_000, true), 5),
    (
        (
            "management_capacity",
            Work::Service,
            5000,
            100_000_000,
            false,
        ),
        4,
    ),
    (
        (
            "enterprise_formation",
            Work::Service,
            10_000,
            10_000_000,
            true,
        ),
        2,
    ),
    (("information", Work::Service, 7000, 150_000_000, false), 3),
    (
        ("linkage_clusters", Work::Service, 5000, 200_000_000, false),
        2,
    ),
    (
        ("international", Work::Service, 5000, 200_000_000, false),
        1,
    ),
    (
        (
            "programme_management",
            Work::Service,
            10_000,
            100_000_000,
            false,
        ),
        1,
    ),
];

/// National funds go to the big activities only (the first three of [`ACTIVITIES`]).
pub(super) const NATIONAL_ACTIVITIES: usize = 3;

/// One line of a generated budget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// The line as the dossier holds it.
    pub line: CostLine,
    /// quantity × unit price.
    pub total: i64,
}

/// Picks `count` distinct items of `items`, in their order.
fn choose<'a, T>(rng: &mut Rng, items: &'a [T], count: usize) -> Vec<&'a T> {
    let mut indices: Vec<usize> = (0..items.len()).collect();
    let count = count.min(items.len());
    for i in 0..count {
        let j = i + rng.index(items.len() - i);
        indices.swap(i, j);
    }
    let mut chosen = indices[..count].to_vec();
    chosen.sort_unstable();
    chosen.into_iter().map(|i| &items[i]).collect()
}

/// A budget line of `kind`, its quantity and price drawn within the kind's ranges.
fn line_of(rng: &mut Rng, kind: &LineKind) -> CostLine {
    let (item, unit, (q_low, q_high, q_step), (p_low, p_high, p_step)) = *kind;
    CostLine {
        item: item.to_owned(),
        unit: unit.to_owned(),
        quantity_hundredths: rng.stepped(q_low, q_high, q_step).max(1),
        unit_price: rng.stepped(p_low, p_high, p_step),
        support: 0,
    }
}

/// The budget line of a machine (a whole line or system is one, at a higher price).
fn machine_line(rng: &mut Rng, machine: &str) -> CostLine {
    let whole_line = machine.starts_with("dây chuyền") || machine.starts_with("hệ thống");
    let (unit, low, high) = if whole_line {
        ("hệ thống", 300_000_000, 1_500_000_000)
    } else if machine.starts_with("lò") || machine.starts_with("tủ") {
        ("chiếc", 60_000_000, 450_000_000)
    } else {
        ("bộ", 40_000_000, 450_000_000)
    };
    let quantity = match rng.below(20) {
        0 => 300,
        1..=3 => 200,
        _ => 100,
    };
    CostLine {
        item: upper_first(machine),
        unit: unit.to_owned(),
        quantity_hundredths: if whole_line { 100 } else { quantity },
        unit_price: rng.stepped(low, high, 1_000_000),
        support: 0,
    }
}

/// The budget of a proposal and the machines it buys (for its title).
pub(super) fn budget(
    rng: &mut Rng,
    activity: &Activity,
    trade: &Trade,
    beneficiaries: usize,
) -> anyhow::Result<(Vec<Line>, Vec<&'static str>)> {
    let (_, work, share_bp, cap, per_beneficiary) = *activity;
    let machines_wanted = match work {
        Work::Machines => usize::try_from(rng.range(1, 4))?,
        Work::Demonstration => usize::try_from(rng.range(1, 3))?,
        Work::Transfer => usize::try_from(rng.range(0, 2))?,
        Work::Training | Work::Service => 0,
    };
    let machines: Vec<&'static str> = choose(rng, trade.machines, machines_wanted)
        .into_iter()
        .copied()
        .collect();
    let mut lines: Vec<CostLine> = Vec::new();
    if work == Work::Transfer {
        let extras = usize::try_from(rng.range(1, 2))?;
        for kind in choose(rng, words::TRANSFER_EXTRAS, extras) {
            lines.push(line_of(rng, kind));
        }
    }
    for machine in &machines {
        lines.push(machine_line(rng, machine));
    }
    let extras: Vec<&LineKind> = match work {
        Work::Machines => {
            let n = usize::try_from(rng.range(0, 2))?;
            choose(rng, words::MACHINE_EXTRAS, n)
        }
        Work::Demonstration => {
            let n = usize::try_from(rng.range(1, 2))?;
            choose(rng, words::DEMONSTRATION_EXTRAS, n)
        }
        Work::Transfer => Vec::new(),
        Work::Training => {
            let n = usize::try_from(rng.range(2, 6))?;
            choose(rng, words::TRAINING_LINES, n)
        }
        Work::Service => {
            let n = usize::try_from(rng.range(1, 5))?;
            choose(rng, words::SERVICE_LINES, n)
        }
    };
    for kind in extras {
        lines.push(line_of(rng, kind));
    }
    if lines.is_empty() {
        lines.push(line_of(rng, &words::SERVICE_LINES[0]));
    }
    lines.truncate(6);

    // Support: the activity's share of each line, to the thousand đồng, within the cap.
    let beneficiaries = i64::try_from(beneficiaries.max(1))?;
    let mut left = if per_beneficiary {
        cap.saturating_mul(beneficiaries)
    } else {
        cap
    };
    for line in &mut lines {
        let total = line.total().context("line total overflows")?;
        let share = i64::try_from(i128::from(total) * i128::from(share_bp) / 10_000)?;
        let support = (share / 1_000 * 1_000).min(left);
        left -= support;
        line.support = support;
    }
    let (totals, _) =
        dossier::totals(&lines).map_err(|problems| anyhow!("budget: {problems:?}"))?;
    let lines = lines
        .into_iter()
        .zip(totals)
        .map(|(line, total)| Line { line, total })
        .collect();
    Ok((lines, machines))
}

/// The title of a proposal of `activity` in `trade`, buying `machines`, for the facilities
/// of `commune` (several of them for a `group` proposal).
pub(super) fn title(
    rng: &mut Rng,
    activity: &str,
    trade: &Trade,
    machines: &[&str],
    commune: &Commune,
    group: bool,
    year: i16,
) -> String {
    let process = trade.process;
    let first = machines.first().copied().unwrap_or("thiết bị tiên tiến");
    let main = match activity {
        "machinery" => match machines {
            [one, two, ..] => format!("Hỗ trợ ứng dụng {one} và {two} trong {process}"),
            _ => format!("Hỗ trợ ứng dụng {first} trong {process}"),
        },
        "technology_transfer" if machines.is_empty() => {
            format!("Chuyển giao công nghệ {process}")
        }
        "technology_transfer" => format!("Chuyển giao công nghệ {process} sử dụng {first}"),
        "demonstration_model" => {
            format!("Xây dựng mô hình trình diễn kỹ thuật {process} bằng {first}")
        }
        "cleaner_production_pilot" => {
            format!("Mô hình thí điểm áp dụng sản xuất sạch hơn trong {process}")
        }
        "training" => format!("Đào tạo nghề {} cho lao động nông thôn", trade.craft),
        "typical_products_trade" if rng.chance(500) => format!(
            "Hỗ trợ phát triển sản phẩm công nghiệp nông thôn tiêu biểu: {}",
            lower_first(rng.pick::<&str>(trade.products))
        ),
        "typical_products_trade" => format!(
            "Hỗ trợ tham gia hội chợ, triển lãm hàng công nghiệp nông thôn tiêu biểu năm {year}"
        ),
        "advisory" => format!("Tư vấn, hỗ trợ lập dự án đầu tư {process}"),
        "management_capacity" => {
            format!("Nâng cao năng lực quản lý, áp dụng sản xuất sạch hơn trong {process}")
        }
        "enterprise_formation" => format!("Hỗ trợ thành lập doanh nghiệp {process}"),
        "information" => format!("Xây dựng phóng sự tuyên truyền về {process}"),
        "linkage_clusters" => format!(
            "Hỗ trợ liên kết sản xuất, tiêu thụ sản phẩm {}",
            lower_first(trade.name)
        ),
        "international" => format!("Học tập kinh nghiệm khuyến công nước ngoài về {process}"),
        _ => format!("Tập huấn nâng cao năng lực cán bộ làm công tác khuyến công năm {year}"),
    };
    let place = lower_first(&commune.full_name);
    if group {
        format!("{main} cho các cơ sở {place}")
    } else if matches!(activity, "training" | "information") && rng.chance(500) {
        format!("{main} tại {place}")
    } else {
        main
    }
}
