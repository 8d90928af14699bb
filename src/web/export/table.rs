//! What an export is described with: a table's columns (a header and the [`Kind`] of what
//! they hold), the [`Value`]s of its cells and the [`Style`] of its rows.

use time::Date;

use crate::i18n::{self, Lang};

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
    pub(super) fn header(&self, lang: Lang) -> &str {
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
