//! Charts drawn on the server as SVG: readable without JavaScript, printable, and always
//! shown with a text table of the same figures (`templates/partials/chart.html`). This
//! module lays the shapes out; the template only writes them.

/// The drawing's width in SVG units (the page scales it to its column).
const WIDTH: u32 = 640;
/// Room on the left for a bar's label.
const LABEL_WIDTH: u32 = 220;
/// Room on the right for a bar's value.
const VALUE_WIDTH: u32 = 120;
/// A bar's thickness, and the gap to the next one.
const BAR: u32 = 18;
const GAP: u32 = 8;
/// Labels longer than this are shortened in the drawing (the table holds them whole).
const LABEL_CHARS: usize = 30;

/// One figure of a chart: what it is, its value, and the value as the reader writes it.
#[derive(Clone, Debug)]
pub struct Item {
    /// What the bar stands for.
    pub label: String,
    /// Its value (counts or đồng; only its size relative to the others matters).
    pub value: i64,
    /// The value as shown (`1.234`, `8.450.000 ₫`).
    pub shown: String,
}

/// A series of a column chart (one colour, named in the legend).
#[derive(Clone, Debug)]
pub struct Series {
    /// Its name.
    pub name: String,
    /// One value per group, in the groups' order.
    pub values: Vec<(i64, String)>,
}

/// A laid-out bar: its rectangle and where its texts go.
#[derive(Clone, Debug)]
pub struct Bar {
    /// The label, shortened for the drawing.
    pub label: String,
    /// The value as shown.
    pub shown: String,
    /// The rectangle.
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    /// The series' number (its CSS class `chart-series-N`).
    pub series: usize,
    /// Where the label's and the value's baselines go.
    pub label_x: u32,
    pub label_y: u32,
    pub value_x: u32,
    pub value_y: u32,
}

/// A chart ready to draw, with the table beside it.
#[derive(Clone, Debug)]
pub struct Chart {
    /// A unique id in the page (for `aria-labelledby`).
    pub id: String,
    /// The chart's title (also the table's caption).
    pub title: String,
    /// The drawing's size.
    pub width: u32,
    pub height: u32,
    /// The bars.
    pub bars: Vec<Bar>,
    /// Group labels under a column chart (text, x, y).
    pub axis: Vec<(String, u32, u32)>,
    /// The legend (series name and number); empty for a one-series chart.
    pub legend: Vec<(String, usize)>,
    /// The table: its column headers after the first, and its rows (label, values).
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<String>)>,
}

impl Chart {
    /// Whether there is anything to draw.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

fn shorten(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_owned();
    }
    let mut short: String = label.chars().take(LABEL_CHARS - 1).collect();
    short.push('…');
    short
}

/// `value` as a share of `max` over `span` units, at least 1 for a value above zero so
/// that a small group is still seen.
fn scaled(value: i64, max: i64, span: u32) -> u32 {
    if value <= 0 || max <= 0 {
        return 0;
    }
    let length = i128::from(value) * i128::from(span) / i128::from(max);
    u32::try_from(length).unwrap_or(span).clamp(1, span)
}

/// A horizontal bar chart: one bar per item, labels on the left, values on the right.
pub fn bars(id: &str, title: &str, column: &str, items: Vec<Item>) -> Chart {
    let max = items.iter().map(|i| i.value).max().unwrap_or(0);
    let span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    let mut chart_bars = Vec::with_capacity(items.len());
    for (row, item) in (0u32..).zip(&items) {
        let y = row * (BAR + GAP);
        let width = scaled(item.value, max, span);
        chart_bars.push(Bar {
            label: shorten(&item.label),
            shown: item.shown.clone(),
            x: LABEL_WIDTH,
            y,
            width,
            height: BAR,
            series: 0,
            label_x: LABEL_WIDTH - 8,
            label_y: y + BAR - 5,
            value_x: LABEL_WIDTH + width + 6,
            value_y: y + BAR - 5,
        });
    }
    let count = u32::try_from(items.len()).unwrap_or(u32::MAX);
    Chart {
        id: id.to_owned(),
        title: title.to_owned(),
        width: WIDTH,
        height: (count * (BAR + GAP)).max(BAR),
        bars: chart_bars,
        axis: Vec::new(),
        legend: Vec::new(),
        columns: vec![column.to_owned()],
        rows: items
            .into_iter()
            .map(|i| (i.label, vec![i.shown]))
            .collect(),
    }
}

/// A column chart: groups (years) along the bottom, one column per series in each.
pub fn columns(id: &str, title: &str, groups: Vec<String>, series: Vec<Series>) -> Chart {
    const PLOT_HEIGHT: u32 = 200;
    const AXIS: u32 = 24;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().map(|(v, _)| *v))
        .max()
        .unwrap_or(0);
    let group_count = u32::try_from(groups.len()).unwrap_or(1).max(1);
    let series_count = u32::try_from(series.len()).unwrap_or(1).max(1);
    let group_width = WIDTH / group_count;
    let column_width = (group_width.saturating_sub(12) / series_count).clamp(4, 48);
    let mut bars = Vec::new();
    let mut axis = Vec::with_capacity(groups.len());
    for (g, label) in (0u32..).zip(&groups) {
        let left = g * group_width + (group_width - column_width * series_count) / 2;
        for (s, one) in (0u32..).zip(&series) {
            let Some((value, shown)) = one.values.get(g as usize) else {
                continue;
            };
            let height = scaled(*value, max, PLOT_HEIGHT);
            let x = left + s * column_width;
            bars.push(Bar {
                label: label.clone(),
                shown: shown.clone(),
                x,
                y: PLOT_HEIGHT - height,
                width: column_width.saturating_sub(2),
                height,
                series: s as usize,
                label_x: x,
                label_y: PLOT_HEIGHT,
                value_x: x,
                value_y: PLOT_HEIGHT,
            });
        }
        axis.push((
            label.clone(),
            g * group_width + group_width / 2,
            PLOT_HEIGHT + 16,
        ));
    }
    let rows = groups
        .iter()
        .enumerate()
        .map(|(g, label)| {
            let values = series
                .iter()
                .map(|s| {
                    s.values
                        .get(g)
                        .map(|(_, shown)| shown.clone())
                        .unwrap_or_default()
                })
                .collect();
            (label.clone(), values)
        })
        .collect();
    Chart {
        id: id.to_owned(),
        title: title.to_owned(),
        width: WIDTH,
        height: PLOT_HEIGHT + AXIS,
        bars,
        axis,
        legend: series
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), i))
            .collect(),
        columns: series.into_iter().map(|s| s.name).collect(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(label: &str, value: i64) -> Item {
        Item {
            label: label.into(),
            value,
            shown: value.to_string(),
        }
    }

    #[test]
    fn bars_are_scaled_to_the_largest_and_a_small_one_still_shows() {
        let chart = bars(
            "c",
            "T",
            "n",
            vec![item("a", 300), item("b", 150), item("c", 1), item("d", 0)],
        );
        let widths: Vec<u32> = chart.bars.iter().map(|b| b.width).collect();
        assert_eq!(widths, [300, 150, 1, 0]);
        assert_eq!(chart.rows.len(), 4);
        assert_eq!(chart.height, 4 * (BAR + GAP));
        assert!(
            chart
                .bars
                .iter()
                .all(|b| b.x + b.width <= WIDTH - VALUE_WIDTH)
        );
    }

    #[test]
    fn long_labels_are_shortened_in_the_drawing_but_whole_in_the_table() {
        let long = "Hỗ trợ ứng dụng máy móc thiết bị tiên tiến vào sản xuất";
        let chart = bars("c", "T", "n", vec![item(long, 1)]);
        assert_eq!(chart.bars[0].label.chars().count(), LABEL_CHARS);
        assert!(chart.bars[0].label.ends_with('…'));
        assert_eq!(chart.rows[0].0, long);
    }

    #[test]
    fn columns_stand_on_the_axis_and_keep_every_series_in_the_table() {
        let chart = columns(
            "y",
            "Years",
            vec!["2023".into(), "2024".into()],
            vec![
                Series {
                    name: "approved".into(),
                    values: vec![(100, "100".into()), (50, "50".into())],
                },
                Series {
                    name: "paid".into(),
                    values: vec![(80, "80".into()), (0, "0".into())],
                },
            ],
        );
        assert_eq!(chart.bars.len(), 4);
        assert!(chart.bars.iter().all(|b| b.y + b.height == 200));
        assert_eq!(chart.bars[0].height, 200);
        assert_eq!(chart.bars[3].height, 0);
        assert_eq!(
            chart.rows[1],
            ("2024".into(), vec!["50".into(), "0".into()])
        );
        assert_eq!(chart.legend.len(), 2);
        let empty = bars("e", "E", "n", Vec::new());
        assert!(empty.is_empty());
    }
}
