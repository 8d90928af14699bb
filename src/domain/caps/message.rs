//! Sentences for the user: a catalogue key and the values of its placeholders, rendered in
//! the reader's language.

use time::Date;

use super::Multiplier;
use crate::domain::format::format_percent;
use crate::i18n::{self, Lang};

/// A value to put in a message, formatted for the reader's language when rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// An amount of money: `300.000.000 ₫`.
    Money(i64),
    /// A share in basis points: `50`, `12,5` (Vietnamese) or `12.5` (English).
    Percent(u32),
    /// A multiplier: `1,5` or `1.5`.
    Factor(Multiplier),
    /// A date: `25/11/2026`.
    Date(Date),
    /// Text shown as it is (a legal reference).
    Text(String),
    /// Text given in both languages (a multiplier's case).
    Localised {
        /// Vietnamese.
        vi: String,
        /// English.
        en: String,
    },
    /// A catalogue key, shown translated (a cap unit's name).
    Key(&'static str),
}

impl Arg {
    fn render(&self, lang: Lang) -> String {
        match self {
            Self::Money(amount) => crate::domain::money::format_vnd(*amount),
            Self::Percent(bp) => format_percent(*bp, lang),
            Self::Factor(m) => m.display(lang),
            Self::Date(d) => crate::domain::format::date(*d),
            Self::Text(text) => text.clone(),
            Self::Localised { vi, en } => match lang {
                Lang::Vi => vi.clone(),
                Lang::En => en.clone(),
            },
            Self::Key(key) => i18n::t(lang, key).to_owned(),
        }
    }
}

/// A sentence for the user: a catalogue key with `{name}` placeholders, and their values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The catalogue key.
    pub key: &'static str,
    /// The placeholders' values.
    pub args: Vec<(&'static str, Arg)>,
}

impl Message {
    /// The sentence in `lang`. Placeholders are replaced in one pass, so a value that
    /// happens to contain `{name}` is shown as it is.
    pub fn render(&self, lang: Lang) -> String {
        let template = i18n::t(lang, self.key);
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            let value = after.find('}').and_then(|end| {
                let name = &after[..end];
                self.args
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, arg)| (arg.render(lang), end))
            });
            match value {
                Some((text, end)) => {
                    out.push_str(&text);
                    rest = &after[end + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::SupportCap;
    use super::super::fixtures::cap;
    use super::*;
    use time::macros::date;

    #[test]
    fn a_value_with_braces_is_shown_as_it_is() {
        let odd = SupportCap {
            legal_ref: "{max} {unknown".into(),
            ..cap(1, None, date!(2018 - 05 - 11), None)
        };
        assert!(
            odd.explain(false)
                .render(Lang::En)
                .ends_with("({max} {unknown)")
        );
    }
}
