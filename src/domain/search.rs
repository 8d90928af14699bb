//! Search that ignores Vietnamese diacritics and case: "che phuc xuan" finds "Chè Phúc Xuân".
//!
//! Records keep a folded copy of their searchable text (`search_text`), which PostgreSQL
//! indexes word by word; a query is folded the same way: its words must be words of the
//! record, and the last one may be the start of one (the user may still be typing it).

use unicode_normalization::UnicodeNormalization as _;
use unicode_normalization::char::is_combining_mark;

/// Lower case, without diacritics, `đ` as `d`; runs of anything but letters and digits
/// become one space.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    let mut space = true;
    for c in text.nfd().filter(|c| !is_combining_mark(*c)) {
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if c.is_alphanumeric() {
            folded.extend(c.to_lowercase());
            space = false;
        } else if !space {
            folded.push(' ');
            space = true;
        }
    }
    folded.truncate(folded.trim_end().len());
    folded
}

/// Of `names`, those that look like `typed` (a name mistyped, without its diacritics or with a
/// word short), most alike first, at most `most` of them: compared folded, by Jaro–Winkler,
/// or containing what was typed.
pub fn close_matches<'a>(typed: &str, names: &'a [String], most: usize) -> Vec<&'a str> {
    let typed = fold(typed);
    let mut alike: Vec<(f64, &str)> = names
        .iter()
        .map(|name| {
            let folded = fold(name);
            let score = if !typed.is_empty() && folded.contains(&typed) {
                1.0
            } else {
                strsim::jaro_winkler(&typed, &folded)
            };
            (score, name.as_str())
        })
        .filter(|(score, _)| *score >= 0.8)
        .collect();
    alike.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    alike.into_iter().take(most).map(|(_, name)| name).collect()
}

/// Folded text of several fields, for a record's `search_text`.
pub fn search_text<'a>(fields: impl IntoIterator<Item = &'a str>) -> String {
    let parts: Vec<String> = fields
        .into_iter()
        .map(fold)
        .filter(|f| !f.is_empty())
        .collect();
    parts.join(" ")
}

/// What a user typed, as search words: every word must be a word of the record, the last
/// one only its beginning. At most 8 words of 40 characters each are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terms {
    /// Words that must match whole.
    pub whole: Vec<String>,
    /// The word that may still be being typed.
    pub last: String,
}

/// How many words a last word may complete to before the query asks the index for the
/// prefix itself (`c:*`) instead of listing them.
pub const MAX_COMPLETIONS: usize = 32;

/// The search words of `input`; `None` when nothing searchable was typed.
pub fn terms(input: &str) -> Option<Terms> {
    let mut words: Vec<String> = fold(input)
        .split(' ')
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| w.chars().take(40).collect::<String>())
        .collect();
    let last = words.pop()?;
    Some(Terms { whole: words, last })
}

impl Terms {
    /// The PostgreSQL `tsquery` (simple configuration). `completions` are the indexed words
    /// that start with the last word (`None`: more than [`MAX_COMPLETIONS`]).
    ///
    /// Whole words rather than a prefix because a prefix costs the index the union of every
    /// word it starts, read in full, where whole words let it skip: on 100,000 proposals
    /// `may & sao & che:*` takes about 14 ms, `may & sao & (che | chen)` about 6 ms.
    pub fn tsquery(&self, completions: Option<&[String]>) -> String {
        let last = match completions {
            None => format!("{}:*", self.last),
            // Nothing starts with it: the word itself, which matches nothing, cheaply.
            Some([]) => self.last.clone(),
            Some([one]) => one.clone(),
            Some(many) => format!("({})", many.join(" | ")),
        };
        let mut parts = self.whole.clone();
        parts.push(last);
        parts.join(" & ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_text_folds_to_plain_lower_case() {
        assert_eq!(fold("Hợp tác xã Chè Phúc Xuân"), "hop tac xa che phuc xuan");
        assert_eq!(fold("ĐẠI TỪ, Đồng Hỷ"), "dai tu dong hy");
        assert_eq!(fold("ĐP-2024-017"), "dp 2024 017");
        assert_eq!(fold("  ---  "), "");
        // Decomposed input (as some keyboards send it) folds the same as precomposed.
        assert_eq!(fold("Che\u{300} Phu\u{301}c"), "che phuc");
    }

    fn tsquery(input: &str) -> Option<String> {
        terms(input).map(|t| t.tsquery(None))
    }

    #[test]
    fn queries_match_whole_words_and_the_last_by_prefix() {
        assert_eq!(
            tsquery("che phuc xuan").as_deref(),
            Some("che & phuc & xuan:*")
        );
        assert_eq!(tsquery("Chè Phúc").as_deref(), Some("che & phuc:*"));
        assert_eq!(tsquery("ĐP-2024").as_deref(), Some("dp & 2024:*"));
        assert_eq!(tsquery("47262").as_deref(), Some("47262:*"));
    }

    #[test]
    fn queries_cannot_inject_tsquery_syntax() {
        assert_eq!(tsquery("a & !b | (c:*)").as_deref(), Some("a & b & c:*"));
        assert_eq!(
            tsquery("'; drop table x; --").as_deref(),
            Some("drop & table & x:*")
        );
        assert_eq!(tsquery("!!! ***"), None);
        assert_eq!(tsquery(""), None);
    }

    #[test]
    fn a_last_word_is_completed_to_the_words_it_starts() {
        let terms = terms("Máy sao chè").expect("three words");
        let words = |w: &[&str]| w.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        assert_eq!(
            terms.tsquery(Some(&words(&["che", "chen"]))),
            "may & sao & (che | chen)"
        );
        assert_eq!(terms.tsquery(Some(&words(&["che"]))), "may & sao & che");
        assert_eq!(terms.tsquery(Some(&[])), "may & sao & che");
        assert_eq!(terms.tsquery(None), "may & sao & che:*");
    }

    #[test]
    fn long_queries_are_bounded() {
        let long = "chè ".repeat(1000);
        assert_eq!(tsquery(&long).map(|q| q.matches(" & ").count()), Some(7));
        let word = "a".repeat(10_000);
        assert_eq!(tsquery(&word).map(|q| q.len()), Some(42));
    }

    #[test]
    fn fields_join_into_one_search_text() {
        assert_eq!(
            search_text(["Chè Tân Cương", "", "4600123456"]),
            "che tan cuong 4600123456"
        );
    }

    #[test]
    fn a_mistyped_name_finds_the_names_it_looks_like() {
        let names = [
            "Trung tâm Khuyến công tỉnh Thái Nguyên".to_owned(),
            "Sở Công Thương tỉnh Thái Nguyên".to_owned(),
            "Phòng Kinh tế xã Phú Bình".to_owned(),
        ];
        assert_eq!(
            close_matches("Trung tam Khuyen cong", &names, 3),
            ["Trung tâm Khuyến công tỉnh Thái Nguyên"]
        );
        assert_eq!(
            close_matches("Phong Kinh te xa Phu Binhh", &names, 3),
            ["Phòng Kinh tế xã Phú Bình"]
        );
        assert!(close_matches("Bộ Tài chính", &names, 3).is_empty());
    }
}
