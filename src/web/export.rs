//! Exports to XLSX and CSV, for the staff who work in Excel: the lists (proposals, facilities,
//! the proposals being carried out, the year's commitments), a plan decision's annex, and any
//! table another page needs (the annual report's).
//!
//! A table describes its columns once — each a header (a catalogue key) and what it holds
//! ([`Kind`]: text, integer, money in whole đồng, date, percent) — and its rows are pushed as
//! they come from the database. The same description gives both formats:
//!
//! - **XLSX**: a title (and note lines) above the table, the headers in bold in the user's
//!   language, money as numbers formatted `#,##0`, dates as real Excel dates shown
//!   `dd/mm/yyyy`, percentages as numbers shown `0%`; the header row frozen, an autofilter
//!   over the data, column widths from the content (at most [`MAX_WIDTH`] characters),
//!   landscape A4 fitted to the page's width with the header repeated when printed. The
//!   worksheets are in constant-memory mode: a row goes to a temporary file as soon as the next
//!   one starts, so a list of 100,000 rows is never held as cells.
//! - **CSV**: UTF-8 with a byte-order mark (so Excel reads the Vietnamese letters), comma
//!   separated, CRLF; the header row first; money and integers as plain digits (`1500000`),
//!   dates `dd/mm/yyyy`, percentages as percent points (`45`, `12.5`); a text that starts with
//!   `=`, `+`, `-`, `@` or a tab is prefixed with `'`, so a spreadsheet never reads a record's
//!   text as a formula. Titles are not written (the header is the file's first row); a second
//!   table follows after an empty line and a line with its title.
//!
//! **Cap**: a table keeps at most [`MAX_ROWS`] data rows (100,000). Lists ask their query for
//! [`QUERY_LIMIT`] rows (one more), so a longer list is known to be cut: the rows past the cap
//! are dropped and the table ends with a line saying so (narrow the filters to get the rest).
//! Group headings and totals are not counted.
//!
//! ```ignore
//! const COLUMNS: &[Column] = &[
//!     Column::text("export.col.code"),
//!     Column::text("export.col.title").width(50),
//!     Column::money("export.col.requested"),
//!     Column::date("export.col.start"),
//! ];
//! let export = Export::start(format, ctx.lang);
//! export.table(Table::new("Đề án", "Danh sách đề án năm 2025", COLUMNS)).await?;
//! db::proposals::export(&state.db, &scope, &filters, export::QUERY_LIMIT, |r| {
//!     export.row(vec![r.code.into(), r.title.into(), r.requested_support.into(), r.start_date.into()])
//! })
//! .await?;
//! export.styled(Style::Total, vec!["Tổng cộng".into(), Value::Empty, total.into(), Value::Empty]).await?;
//! export.finish("Danh sách đề án 2025").await // the response: an attachment
//! ```
//!
//! **Memory: one copy.** The workbook is written on the blocking pool (`spawn_blocking`: the
//! temporary files and the zip compression are blocking work, and it owns the workbook, which
//! then never crosses an `.await`). The rows reach it through a bounded channel
//! ([`CHANNEL_ROWS`] rows) straight from the query's stream, so they are never collected: at
//! any time a few hundred rows are in flight, the sheet's XML is in a temporary file, and the
//! only whole copy is the finished file, saved once into a `Vec<u8>` that becomes the response
//! body without being copied. Collecting the rows first would hold them all and the file.
//! The channel's back-pressure keeps the query in step with the writer.

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::{Router, routing::get};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format as CellFormat, FormatAlign, FormatBorder, Workbook,
};
use time::Date;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::app::AppState;
use crate::domain::{document, format as dates};
use crate::error::{AppError, AppResult};
use crate::i18n::{self, Lang};

mod lists;

/// Most data rows a table keeps (see the module's documentation).
pub const MAX_ROWS: usize = 100_000;

/// The `limit` a list's query is given: one row more than [`MAX_ROWS`], so that a list that
/// is longer is known to be cut.
pub const QUERY_LIMIT: i64 = MAX_ROWS as i64 + 1;

/// Widest column, in characters (longer texts overflow or wrap in Excel).
pub const MAX_WIDTH: usize = 60;

/// Rows in flight between the query and the writer.
const CHANNEL_ROWS: usize = 512;

/// Routes of the lists' exports: `/proposals/export`, `/facilities/export`,
/// `/progress/export`, `/funding/commitments/export`. A plan decision's annex is
/// `web::funding::annex`'s.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/proposals/export", get(lists::proposals))
        .route("/facilities/export", get(lists::facilities))
        .route("/progress/export", get(lists::progress))
        .route("/funding/commitments/export", get(lists::commitments))
}

// ---------------------------------------------------------------- the description

/// The format of an export.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// An Excel workbook.
    #[default]
    Xlsx,
    /// Comma-separated values, UTF-8 with a byte-order mark.
    Csv,
}

impl Format {
    /// `xlsx` or `csv` (`?format=`); empty means XLSX; anything else is a 400 (no link of
    /// ours sends it).
    pub fn parse(text: &str) -> AppResult<Format> {
        match text.trim() {
            "" | "xlsx" => Ok(Format::Xlsx),
            "csv" => Ok(Format::Csv),
            _ => Err(AppError::BadRequest("error.bad_filter")),
        }
    }

    /// The file name's extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }

    /// The response's content type.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// What a column holds; it decides how its numbers are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Text.
    Text,
    /// A whole number (a count, a year): no thousands separator.
    Integer,
    /// Whole đồng (`i64`): `#,##0` in XLSX, plain digits in CSV.
    Money,
    /// A day (`time::Date`): an Excel date shown `dd/mm/yyyy`; `dd/mm/yyyy` in CSV.
    Date,
    /// A share in basis points (1 % = 100, as `domain::caps` keeps them): a percentage.
    Percent,
}

/// A column: its header and what it holds.
#[derive(Clone, Debug)]
pub struct Column {
    /// Catalogue key of the header.
    pub key: &'static str,
    /// A header that is not in the catalogue (a year, a source's name), shown instead.
    pub label: Option<String>,
    /// What it holds.
    pub kind: Kind,
    /// A fixed width in characters; `None` measures the content.
    pub width: Option<u8>,
}

impl Column {
    const fn new(key: &'static str, kind: Kind) -> Self {
        Self {
            key,
            label: None,
            kind,
            width: None,
        }
    }

    /// A text column headed by catalogue key `key`.
    pub const fn text(key: &'static str) -> Self {
        Self::new(key, Kind::Text)
    }

    /// A whole-number column.
    pub const fn integer(key: &'static str) -> Self {
        Self::new(key, Kind::Integer)
    }

    /// An amount of đồng.
    pub const fn money(key: &'static str) -> Self {
        Self::new(key, Kind::Money)
    }

    /// A day.
    pub const fn date(key: &'static str) -> Self {
        Self::new(key, Kind::Date)
    }

    /// A share in basis points.
    pub const fn percent(key: &'static str) -> Self {
        Self::new(key, Kind::Percent)
    }

    /// A column of `kind` headed by `label` as it is (not a catalogue key).
    pub fn labelled(label: impl Into<String>, kind: Kind) -> Self {
        Self {
            label: Some(label.into()),
            ..Self::new("", kind)
        }
    }

    /// This column with a fixed width of `chars` characters.
    pub const fn width(mut self, chars: u8) -> Self {
        self.width = Some(chars);
        self
    }

    /// The header in `lang`.
    fn header(&self, lang: Lang) -> &str {
        match &self.label {
            Some(label) => label,
            None => i18n::t(lang, self.key),
        }
    }
}

/// A cell's value. The column's [`Kind`] decides how a number is shown; a value of another
/// sort than its column's (a text in a money column, say) is written as what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Nothing.
    Empty,
    /// Text.
    Text(String),
    /// A whole number: a count, đồng, or basis points (by the column).
    Int(i64),
    /// A day.
    Date(Date),
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::Text(text)
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::Text(text.to_owned())
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl From<i32> for Value {
    fn from(n: i32) -> Self {
        Value::Int(i64::from(n))
    }
}

impl From<i16> for Value {
    fn from(n: i16) -> Self {
        Value::Int(i64::from(n))
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Self {
        Value::Int(i64::from(n))
    }
}

impl From<Date> for Value {
    fn from(date: Date) -> Self {
        Value::Date(date)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Value::Empty, Into::into)
    }
}

/// How a row is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Style {
    /// A record (counted against [`MAX_ROWS`]).
    #[default]
    Data,
    /// A group's heading, with its subtotals if any: bold.
    Group,
    /// A total: bold, with a rule above.
    Total,
}

/// A table: the sheet it fills, its title, note lines under the title, its columns.
#[derive(Clone, Debug)]
pub struct Table {
    /// The sheet's name (made valid for Excel: at most 31 characters, none of `[]:*?/\`,
    /// unique in the workbook).
    pub sheet: String,
    /// The title above the table.
    pub title: String,
    /// Lines under the title (the filters, "Đơn vị tính: đồng"…).
    pub notes: Vec<String>,
    /// The columns.
    pub columns: Vec<Column>,
    /// Whether the header gets an autofilter (not for a table of groups and totals).
    pub autofilter: bool,
}

impl Table {
    /// A table on sheet `sheet` titled `title`, with an autofilter.
    pub fn new(sheet: impl Into<String>, title: impl Into<String>, columns: &[Column]) -> Self {
        Self {
            sheet: sheet.into(),
            title: title.into(),
            notes: Vec::new(),
            columns: columns.to_vec(),
            autofilter: true,
        }
    }

    /// Adds a line under the title.
    pub fn note(mut self, line: impl Into<String>) -> Self {
        self.notes.push(line.into());
        self
    }

    /// Leaves the autofilter out.
    pub fn without_filter(mut self) -> Self {
        self.autofilter = false;
        self
    }
}

// ---------------------------------------------------------------- the export

enum Message {
    Table(Table),
    Row(Style, Vec<Value>),
    Finish,
}

/// An export being written: start it, give it a table, push the rows, finish it into the
/// response. Every method takes `&self`, so a query's per-row callback can push rows.
#[derive(Debug)]
pub struct Export {
    format: Format,
    sender: mpsc::Sender<Message>,
    writer: JoinHandle<anyhow::Result<Vec<u8>>>,
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Message::Table(t) => write!(f, "Table({})", t.sheet),
            Message::Row(style, values) => write!(f, "Row({style:?}, {} values)", values.len()),
            Message::Finish => write!(f, "Finish"),
        }
    }
}

impl Export {
    /// Starts an export in `format`, headers in `lang`. Must run inside the Tokio runtime.
    pub fn start(format: Format, lang: Lang) -> Export {
        Self::with_cap(format, lang, MAX_ROWS)
    }

    fn with_cap(format: Format, lang: Lang, cap: usize) -> Export {
        let (sender, receiver) = mpsc::channel(CHANNEL_ROWS);
        let writer = tokio::task::spawn_blocking(move || match format {
            Format::Xlsx => drive(XlsxSink::new(lang), receiver, lang, cap),
            Format::Csv => drive(CsvSink::new(lang), receiver, lang, cap),
        });
        Export {
            format,
            sender,
            writer,
        }
    }

    /// Starts a table: a new sheet in XLSX; in CSV, the first table's header is the file's
    /// first line, a later table follows an empty line and its title.
    pub async fn table(&self, table: Table) -> AppResult<()> {
        self.send(Message::Table(table)).await
    }

    /// A record: one value per column, in the table's order (missing ones are empty).
    pub async fn row(&self, values: Vec<Value>) -> AppResult<()> {
        self.send(Message::Row(Style::Data, values)).await
    }

    /// A row in `style` (a group's heading, a total).
    pub async fn styled(&self, style: Style, values: Vec<Value>) -> AppResult<()> {
        self.send(Message::Row(style, values)).await
    }

    async fn send(&self, message: Message) -> AppResult<()> {
        // The writer stops only on an error, which `finish` reports; until then it waits.
        self.sender
            .send(message)
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("the export's writer stopped")))
    }

    /// Finishes the file and answers with it as an attachment named `name` (without the
    /// extension; Vietnamese letters are kept in `filename*`, an ASCII name is the fallback).
    pub async fn finish(self, name: &str) -> AppResult<Response> {
        let Export {
            format,
            sender,
            writer,
        } = self;
        // A failed send means the writer stopped with an error, which the join reports.
        let _ = sender.send(Message::Finish).await;
        drop(sender);
        let bytes = writer
            .await
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("export writer")))?
            .map_err(|e| AppError::Internal(e.context("writing an export")))?;
        let file_name = format!("{}.{}", name.trim(), format.extension());
        let disposition = HeaderValue::from_str(&document::content_disposition(&file_name))
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("disposition")))?;
        Ok((
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(format.content_type()),
                ),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            // The buffer becomes the body as it is (`Bytes` takes the `Vec` over).
            Body::from(bytes),
        )
            .into_response())
    }
}

// ---------------------------------------------------------------- writing

/// What both formats do with the messages.
trait Sink {
    fn table(&mut self, table: Table) -> anyhow::Result<()>;
    fn row(&mut self, style: Style, values: &[Value]) -> anyhow::Result<()>;
    /// A line after the rows (the cap's notice).
    fn note(&mut self, text: &str) -> anyhow::Result<()>;
    fn finish(self) -> anyhow::Result<Vec<u8>>;
}

/// The writer's loop, on the blocking pool: tables and rows until `Finish`, at most `cap`
/// data rows a table. A channel closed without `Finish` is an export given up (the handler
/// failed, or the client went away): nothing is saved.
fn drive(
    mut sink: impl Sink,
    mut receiver: mpsc::Receiver<Message>,
    lang: Lang,
    cap: usize,
) -> anyhow::Result<Vec<u8>> {
    let notice = || {
        let cap = crate::domain::money::format_plain(i64::try_from(cap).unwrap_or(i64::MAX));
        i18n::t_with(lang, "export.cut", &[("value", &cap)])
    };
    let mut started = false;
    let mut rows = 0_usize;
    let mut cut = false;
    while let Some(message) = receiver.blocking_recv() {
        match message {
            Message::Table(table) => {
                if cut {
                    sink.note(&notice())?;
                }
                sink.table(table)?;
                started = true;
                rows = 0;
                cut = false;
            }
            Message::Row(style, values) => {
                anyhow::ensure!(started, "a row before any table");
                if style == Style::Data {
                    if rows == cap {
                        cut = true;
                        continue;
                    }
                    rows += 1;
                }
                sink.row(style, &values)?;
            }
            Message::Finish => {
                if cut {
                    sink.note(&notice())?;
                }
                return sink.finish();
            }
        }
    }
    anyhow::bail!("the export was given up before it finished")
}

/// Longest text Excel keeps in a cell.
const EXCEL_MAX_CHARS: usize = 32_767;

/// The formats of one style of row.
struct StyleFormats {
    text: CellFormat,
    integer: CellFormat,
    money: CellFormat,
    date: CellFormat,
    percent: CellFormat,
    percent_fraction: CellFormat,
}

impl StyleFormats {
    fn new(base: &CellFormat) -> Self {
        Self {
            text: base.clone(),
            integer: base.clone().set_num_format("0"),
            money: base.clone().set_num_format("#,##0"),
            date: base.clone().set_num_format("dd/mm/yyyy"),
            percent: base.clone().set_num_format("0%"),
            percent_fraction: base.clone().set_num_format("0.00%"),
        }
    }
}

/// The sheet being written.
struct XlsxSheet {
    /// Its index in the workbook.
    index: usize,
    columns: Vec<Column>,
    header_row: u32,
    next_row: u32,
    /// The last record's row: the autofilter ends there (totals after it stay put).
    last_data_row: Option<u32>,
    /// Widest content per column so far, in characters.
    widths: Vec<usize>,
    autofilter: bool,
}

struct XlsxSink {
    lang: Lang,
    workbook: Workbook,
    current: Option<XlsxSheet>,
    names: Vec<String>,
    title: CellFormat,
    notes: CellFormat,
    header: CellFormat,
    data: StyleFormats,
    group: StyleFormats,
    total: StyleFormats,
}

impl XlsxSink {
    fn new(lang: Lang) -> Self {
        let mut workbook = Workbook::new();
        // Excel's own level: about a third faster than the default for a file 5 % larger.
        workbook.set_zip_compression_level(3);
        let plain = CellFormat::new();
        let bold = CellFormat::new().set_bold();
        Self {
            lang,
            workbook,
            current: None,
            names: Vec::new(),
            title: CellFormat::new().set_bold().set_font_size(14),
            notes: CellFormat::new().set_italic(),
            header: CellFormat::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_border(FormatBorder::Thin)
                .set_background_color(0xE2EFDA),
            data: StyleFormats::new(&plain),
            group: StyleFormats::new(&bold),
            total: StyleFormats::new(&bold.clone().set_border_top(FormatBorder::Thin)),
        }
    }

    /// Ends the sheet being written: widths, autofilter, into the workbook.
    fn close_sheet(&mut self) -> anyhow::Result<()> {
        let Some(s) = self.current.take() else {
            return Ok(());
        };
        let sheet = self.workbook.worksheet_from_index(s.index)?;
        for (col, column) in s.columns.iter().enumerate() {
            let col = u16::try_from(col)?;
            let header = column.header(self.lang);
            // The header wraps: its longest word is what it needs at least.
            let header_word = header
                .split_whitespace()
                .map(|w| w.chars().count())
                .max()
                .unwrap_or(0);
            let chars = match column.width {
                Some(fixed) => usize::from(fixed),
                None => s.widths[usize::from(col)]
                    .max(header_word)
                    .max(header.chars().count().min(16))
                    .clamp(6, MAX_WIDTH),
            };
            // Plus the padding of the cell and the autofilter's button.
            let width = u32::try_from(chars + 3).unwrap_or(12);
            sheet.set_column_width(col, width)?;
        }
        if s.autofilter && !s.columns.is_empty() {
            let last_col = u16::try_from(s.columns.len() - 1)?;
            let last_row = s.last_data_row.unwrap_or(s.header_row);
            sheet.autofilter(s.header_row, 0, last_row, last_col)?;
        }
        Ok(())
    }

    fn unique_name(&mut self, wanted: &str) -> String {
        let cleaned: String = wanted
            .chars()
            .map(|c| match c {
                '[' | ']' | ':' | '*' | '?' | '/' | '\\' => ' ',
                c if c.is_control() => ' ',
                c => c,
            })
            .collect();
        let cleaned = cleaned.trim().trim_matches('\'');
        let base: String = if cleaned.is_empty() {
            "Sheet".to_owned()
        } else {
            cleaned.chars().take(31).collect()
        };
        let mut name = base.clone();
        let mut n = 2;
        while self
            .names
            .iter()
            .any(|used| used.to_lowercase() == name.to_lowercase())
        {
            let suffix = format!(" ({n})");
            let keep = 31 - suffix.chars().count();
            name = format!("{}{suffix}", base.chars().take(keep).collect::<String>());
            n += 1;
        }
        self.names.push(name.clone());
        name
    }
}

/// Characters a value takes when shown in a column of `kind`.
fn shown_width(kind: Kind, value: &Value) -> usize {
    match (value, kind) {
        (Value::Empty, _) => 0,
        (Value::Text(text), _) => text.chars().count(),
        (Value::Date(_), _) | (Value::Int(_), Kind::Date) => 10,
        (Value::Int(n), Kind::Money) => {
            let digits = n.unsigned_abs().to_string().len();
            digits + (digits - 1) / 3 + usize::from(*n < 0)
        }
        (Value::Int(_), Kind::Percent) => 7,
        (Value::Int(n), Kind::Integer | Kind::Text) => n.to_string().len(),
    }
}

fn excel_date(date: Date) -> anyhow::Result<ExcelDateTime> {
    let year = u16::try_from(date.year())?;
    Ok(ExcelDateTime::from_ymd(
        year,
        u8::from(date.month()),
        date.day(),
    )?)
}

impl Sink for XlsxSink {
    fn table(&mut self, table: Table) -> anyhow::Result<()> {
        self.close_sheet()?;
        if self.names.is_empty() {
            self.workbook.set_properties(
                &DocProperties::new()
                    .set_title(&table.title)
                    .set_author(i18n::t(self.lang, "app.name")),
            );
        }
        let name = self.unique_name(&table.sheet);
        let index = self.names.len() - 1;
        let sheet = self.workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(name)?;
        sheet.write_string_with_format(0, 0, &table.title, &self.title)?;
        let mut row = 1_u32;
        for line in &table.notes {
            sheet.write_string_with_format(row, 0, line, &self.notes)?;
            row += 1;
        }
        // An empty line, then the header.
        let header_row = row + 1;
        for (col, column) in table.columns.iter().enumerate() {
            sheet.write_string_with_format(
                header_row,
                u16::try_from(col)?,
                column.header(self.lang),
                &self.header,
            )?;
        }
        sheet.set_freeze_panes(header_row + 1, 0)?;
        sheet.set_landscape();
        sheet.set_paper_size(9); // A4
        sheet.set_print_fit_to_pages(1, 0);
        sheet.set_repeat_rows(header_row, header_row)?;
        self.current = Some(XlsxSheet {
            index,
            widths: vec![0; table.columns.len()],
            columns: table.columns,
            header_row,
            next_row: header_row + 1,
            last_data_row: None,
            autofilter: table.autofilter,
        });
        Ok(())
    }

    fn row(&mut self, style: Style, values: &[Value]) -> anyhow::Result<()> {
        let formats = match style {
            Style::Data => &self.data,
            Style::Group => &self.group,
            Style::Total => &self.total,
        };
        let s = self
            .current
            .as_mut()
            .ok_or_else(|| anyhow::anyhow!("a row before any table"))?;
        let sheet = self.workbook.worksheet_from_index(s.index)?;
        let row = s.next_row;
        for (col, column) in s.columns.iter().enumerate() {
            let value = values.get(col).unwrap_or(&Value::Empty);
            let c = u16::try_from(col)?;
            s.widths[col] = s.widths[col].max(shown_width(column.kind, value));
            match (value, column.kind) {
                (Value::Empty, _) if style == Style::Data => {}
                (Value::Empty, _) => {
                    sheet.write_blank(row, c, &formats.text)?;
                }
                (Value::Text(text), _) => {
                    let text = if text.chars().count() > EXCEL_MAX_CHARS {
                        text.chars().take(EXCEL_MAX_CHARS).collect()
                    } else {
                        text.clone()
                    };
                    sheet.write_string_with_format(row, c, text, &formats.text)?;
                }
                (Value::Date(date), _) => {
                    sheet.write_datetime_with_format(row, c, excel_date(*date)?, &formats.date)?;
                }
                (Value::Int(n), Kind::Money) => {
                    // Exact: amounts of đồng stay far below 2^53.
                    sheet.write_number_with_format(row, c, *n as f64, &formats.money)?;
                }
                (Value::Int(bp), Kind::Percent) => {
                    let format = if bp % 100 == 0 {
                        &formats.percent
                    } else {
                        &formats.percent_fraction
                    };
                    sheet.write_number_with_format(row, c, *bp as f64 / 10_000.0, format)?;
                }
                (Value::Int(n), Kind::Integer | Kind::Date) => {
                    sheet.write_number_with_format(row, c, *n as f64, &formats.integer)?;
                }
                (Value::Int(n), Kind::Text) => {
                    sheet.write_string_with_format(row, c, n.to_string(), &formats.text)?;
                }
            }
        }
        if style == Style::Data {
            s.last_data_row = Some(row);
        }
        s.next_row += 1;
        Ok(())
    }

    fn note(&mut self, text: &str) -> anyhow::Result<()> {
        let s = self
            .current
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("a note before any table"))?;
        // After an empty line, outside the autofilter's range.
        let row = s.next_row + 1;
        self.workbook
            .worksheet_from_index(s.index)?
            .write_string_with_format(row, 0, text, &self.notes)?;
        Ok(())
    }

    fn finish(mut self) -> anyhow::Result<Vec<u8>> {
        self.close_sheet()?;
        Ok(self.workbook.save_to_buffer()?)
    }
}

struct CsvSink {
    lang: Lang,
    writer: csv::Writer<Vec<u8>>,
    columns: Vec<Column>,
    tables: usize,
}

impl CsvSink {
    fn new(lang: Lang) -> Self {
        // The byte-order mark: without it Excel reads UTF-8 as the machine's code page.
        let buffer = b"\xEF\xBB\xBF".to_vec();
        let writer = csv::WriterBuilder::new()
            .flexible(true)
            .terminator(csv::Terminator::CRLF)
            .from_writer(buffer);
        Self {
            lang,
            writer,
            columns: Vec::new(),
            tables: 0,
        }
    }
}

/// A text as a spreadsheet will not take for a formula (OWASP's advice on CSV injection).
fn inert(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// Basis points as percent points: `4500` → `45`, `1250` → `12.5`.
fn percent_points(bp: i64) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let bp = bp.unsigned_abs();
    let (whole, fraction) = (bp / 100, bp % 100);
    match fraction {
        0 => format!("{sign}{whole}"),
        f if f % 10 == 0 => format!("{sign}{whole}.{}", f / 10),
        f => format!("{sign}{whole}.{f:02}"),
    }
}

impl Sink for CsvSink {
    fn table(&mut self, table: Table) -> anyhow::Result<()> {
        if self.tables > 0 {
            self.writer.write_record([""])?;
            self.writer.write_record([inert(&table.title).as_ref()])?;
        }
        self.tables += 1;
        let lang = self.lang;
        self.writer
            .write_record(table.columns.iter().map(|c| c.header(lang)))?;
        self.columns = table.columns;
        Ok(())
    }

    fn row(&mut self, _style: Style, values: &[Value]) -> anyhow::Result<()> {
        let fields = self.columns.iter().enumerate().map(|(i, column)| {
            match (values.get(i).unwrap_or(&Value::Empty), column.kind) {
                (Value::Empty, _) => String::new(),
                (Value::Text(text), _) => inert(text).into_owned(),
                (Value::Date(date), _) => dates::date(*date),
                (Value::Int(bp), Kind::Percent) => percent_points(*bp),
                (Value::Int(n), _) => n.to_string(),
            }
        });
        self.writer.write_record(fields)?;
        Ok(())
    }

    fn note(&mut self, text: &str) -> anyhow::Result<()> {
        self.writer.write_record([inert(text).as_ref()])?;
        Ok(())
    }

    fn finish(self) -> anyhow::Result<Vec<u8>> {
        self.writer
            .into_inner()
            .map_err(|e| anyhow::anyhow!("finishing a CSV file: {}", e.error()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const COLUMNS: &[Column] = &[
        Column::text("export.col.title"),
        Column::money("export.col.requested"),
        Column::date("export.col.start"),
        Column::percent("export.col.percent_done"),
    ];

    async fn written(format: Format, rows: usize) -> Vec<u8> {
        let export = Export::with_cap(format, Lang::Vi, 2);
        export
            .table(Table::new("Đề án", "Danh sách", COLUMNS).note("Đơn vị tính: đồng"))
            .await
            .expect("table");
        for i in 0..rows {
            export
                .row(vec![
                    format!("=Đề án {i}").into(),
                    1_500_000_i64.into(),
                    date!(2025 - 03 - 05).into(),
                    1250_i64.into(),
                ])
                .await
                .expect("row");
        }
        let response = export.finish("Đề án 2025").await.expect("finish");
        let disposition = response.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(
            disposition.starts_with(&format!(
                "attachment; filename=\"De an 2025.{}\"",
                format.extension()
            )),
            "{disposition}"
        );
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body")
            .to_vec()
    }

    #[tokio::test]
    async fn csv_starts_with_the_mark_and_keeps_numbers_plain() {
        let bytes = written(Format::Csv, 2).await;
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(bytes[3..].to_vec()).expect("utf-8");
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            lines[1], "'=Đề án 0,1500000,05/03/2025,12.5",
            "formulas are defused, money plain, dates day first"
        );
        assert_eq!(lines.len(), 4, "header, two rows, the last line's end");
    }

    #[tokio::test]
    async fn a_table_past_the_cap_says_it_was_cut() {
        let bytes = written(Format::Csv, 3).await;
        let text = String::from_utf8(bytes[3..].to_vec()).expect("utf-8");
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines.len(), 5, "header, two rows, the notice: {text}");
        assert!(lines[3].contains("2 dòng"), "{}", lines[3]);
    }

    #[tokio::test]
    async fn xlsx_is_a_zip() {
        let bytes = written(Format::Xlsx, 3).await;
        assert!(bytes.starts_with(b"PK"));
    }

    #[test]
    fn percent_points_read_like_numbers() {
        assert_eq!(percent_points(4500), "45");
        assert_eq!(percent_points(1250), "12.5");
        assert_eq!(percent_points(1234), "12.34");
        assert_eq!(percent_points(-50), "-0.5");
    }

    #[test]
    fn formats_are_read_from_the_query() {
        assert_eq!(Format::parse("").ok(), Some(Format::Xlsx));
        assert_eq!(Format::parse("csv").ok(), Some(Format::Csv));
        assert!(Format::parse("pdf").is_err());
    }
}
