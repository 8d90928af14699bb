//! The CSV writer: UTF-8 with a byte-order mark, CRLF, plain numbers, and texts a
//! spreadsheet will not take for formulas.

use super::{Column, Kind, Sink, Style, Table, Value};
use crate::domain::format as dates;
use crate::i18n::Lang;

pub(super) struct CsvSink {
    lang: Lang,
    writer: csv::Writer<Vec<u8>>,
    columns: Vec<Column>,
    tables: usize,
}

impl CsvSink {
    pub(super) fn new(lang: Lang) -> Self {
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

    #[test]
    fn percent_points_read_like_numbers() {
        assert_eq!(percent_points(4500), "45");
        assert_eq!(percent_points(1250), "12.5");
        assert_eq!(percent_points(1234), "12.34");
        assert_eq!(percent_points(-50), "-0.5");
    }
}
