//! Pagination of lists: `?page=N`, a fixed page size, and the links between pages.

use serde::Deserialize;

/// Rows per page.
pub const PAGE_SIZE: i64 = 50;

/// The `page` query parameter (1-based). Anything unreadable means page 1.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    page: Option<String>,
}

impl PageQuery {
    /// The requested page, at least 1 and at most 100,000.
    pub fn number(&self) -> i64 {
        self.page
            .as_deref()
            .and_then(|p| p.trim().parse::<i64>().ok())
            .unwrap_or(1)
            .clamp(1, 100_000)
    }

    /// `(limit, offset)` for SQL.
    pub fn limit_offset(&self) -> (i64, i64) {
        (PAGE_SIZE, (self.number() - 1) * PAGE_SIZE)
    }
}

/// Where a list page stands, for the template.
#[derive(Clone, Debug)]
pub struct Pager {
    /// Current page.
    pub page: i64,
    /// Number of pages (at least 1).
    pub pages: i64,
    /// Rows in all.
    pub total: i64,
    /// The list's filters as a query-string prefix (`state=draft&`), kept across pages.
    pub keep: String,
}

impl Pager {
    /// The pager for `total` rows at page `query`.
    pub fn new(query: &PageQuery, total: i64) -> Self {
        let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
        Self {
            page: query.number(),
            pages,
            total,
            keep: String::new(),
        }
    }

    /// Keeps `filters` in the links to other pages.
    pub fn keeping(mut self, filters: &[(&str, &str)]) -> Self {
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in filters.iter().filter(|(_, v)| !v.is_empty()) {
            serializer.append_pair(name, value);
        }
        let encoded = serializer.finish();
        self.keep = if encoded.is_empty() {
            encoded
        } else {
            format!("{encoded}&")
        };
        self
    }

    /// Previous page, if any.
    pub fn prev(&self) -> Option<i64> {
        (self.page > 1).then(|| (self.page - 1).min(self.pages))
    }

    /// Next page, if any.
    pub fn next(&self) -> Option<i64> {
        (self.page < self.pages).then_some(self.page + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(page: &str) -> PageQuery {
        PageQuery {
            page: Some(page.into()),
        }
    }

    #[test]
    fn unreadable_pages_mean_the_first() {
        for bad in ["", "abc", "-3", "0", "9999999999999999999999"] {
            assert_eq!(query(bad).number(), 1, "{bad}");
        }
        assert_eq!(query("3").limit_offset(), (PAGE_SIZE, 2 * PAGE_SIZE));
    }

    #[test]
    fn the_pager_links_neighbours() {
        let pager = Pager::new(&query("2"), 120);
        assert_eq!(
            (pager.pages, pager.prev(), pager.next()),
            (3, Some(1), Some(3))
        );
        let kept = pager.keeping(&[("state", "draft"), ("q", "")]);
        assert_eq!(kept.keep, "state=draft&");
        let empty = Pager::new(&query("1"), 0);
        assert_eq!((empty.pages, empty.prev(), empty.next()), (1, None, None));
    }
}
