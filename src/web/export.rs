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
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::domain::document;
use crate::error::{AppError, AppResult};
use crate::i18n::{self, Lang};
use crate::state::AppState;

mod csv;
mod lists;
mod table;
mod xlsx;

pub use table::{Column, Kind, Style, Table, Value};

use csv::CsvSink;
use xlsx::XlsxSink;

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
    fn formats_are_read_from_the_query() {
        assert_eq!(Format::parse("").ok(), Some(Format::Xlsx));
        assert_eq!(Format::parse("csv").ok(), Some(Format::Csv));
        assert!(Format::parse("pdf").is_err());
    }
}
