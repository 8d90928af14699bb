//! The message catalogue: every string a user reads comes from `i18n/vi/*.toml` (the
//! default) or `i18n/en/*.toml`, one file per area of the application, listed in [`FILES`].
//! Keys are dotted paths (`login.title`); both languages have the same keys, no key is in two
//! files, and every key the templates and code use exists (tests check all three).

use std::collections::HashMap;
use std::sync::LazyLock;

/// The interface language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// Vietnamese, the default.
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// The code used in `?lang=` and the `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// Parses `vi` or `en`.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

type Catalogue = HashMap<String, String>;

/// Each catalogue file as `(name, Vietnamese, English)`.
macro_rules! catalogue_files {
    ($($name:literal),* $(,)?) => {
        [$((
            $name,
            include_str!(concat!("i18n/vi/", $name, ".toml")),
            include_str!(concat!("i18n/en/", $name, ".toml")),
        )),*]
    };
}

/// The catalogue files, one per area of the application (an area adds its own line).
const FILES: &[(&str, &str, &str)] = &catalogue_files!(
    "core",
    "labels",
    "admin",
    "facility",
    "proposal",
    "reference",
    "document",
    "appraisal",
    "funding",
    "contract",
    "acceptance",
    "lookup",
    "reports",
    "export",
);

static VI: LazyLock<Catalogue> = LazyLock::new(|| load(FILES.iter().map(|(_, vi, _)| *vi)));
static EN: LazyLock<Catalogue> = LazyLock::new(|| load(FILES.iter().map(|(_, _, en)| *en)));

fn catalogue(lang: Lang) -> &'static Catalogue {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

/// Parses catalogue files into flat dotted keys. The files are part of the binary and
/// checked by tests, so a broken one is a build defect: its keys are missing and every
/// lookup of them shows the key.
fn load<'a>(sources: impl Iterator<Item = &'a str>) -> Catalogue {
    let mut flat = Catalogue::new();
    for source in sources {
        match source.parse::<toml::Table>() {
            Ok(table) => flatten("", &table, &mut flat),
            Err(error) => tracing::error!(%error, "message catalogue does not parse"),
        }
    }
    flat
}

fn flatten(prefix: &str, table: &toml::Table, into: &mut Catalogue) {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(inner) => flatten(&path, inner, into),
            toml::Value::String(text) => {
                into.insert(path, text.clone());
            }
            other => {
                into.insert(path, other.to_string());
            }
        }
    }
}

/// The message for `key`. A missing key shows itself, so it is seen and fixed, not hidden.
pub fn t(lang: Lang, key: &str) -> &str {
    catalogue(lang).get(key).map_or(key, String::as_str)
}

/// The message for `key` with `{name}` placeholders replaced.
pub fn t_with(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    args.iter()
        .fold(t(lang, key).to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

/// Every key of a language's catalogue (for tests and tooling).
pub fn keys(lang: Lang) -> impl Iterator<Item = &'static str> {
    catalogue(lang).keys().map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn both_languages_have_the_same_keys() {
        let vi: BTreeSet<_> = keys(Lang::Vi).collect();
        let en: BTreeSet<_> = keys(Lang::En).collect();
        assert!(
            !vi.is_empty(),
            "the Vietnamese catalogue is empty or does not parse"
        );
        let only_vi: Vec<_> = vi.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&vi).collect();
        assert!(
            only_vi.is_empty() && only_en.is_empty(),
            "only in vi: {only_vi:?}; only in en: {only_en:?}"
        );
    }

    #[test]
    fn every_file_parses_and_no_key_is_in_two_files() {
        for lang in [0, 1] {
            let mut seen: BTreeSet<String> = BTreeSet::new();
            for &(name, vi, en) in FILES {
                let source = if lang == 0 { vi } else { en };
                let table: toml::Table = source
                    .parse()
                    .unwrap_or_else(|e| panic!("{name}.toml does not parse: {e}"));
                let mut flat = Catalogue::new();
                flatten("", &table, &mut flat);
                for key in flat.into_keys() {
                    assert!(
                        seen.insert(key.clone()),
                        "{key} is in two files ({name}.toml)"
                    );
                }
            }
        }
    }

    #[test]
    fn no_message_is_empty() {
        for lang in [Lang::Vi, Lang::En] {
            for key in keys(lang) {
                assert!(
                    !t(lang, key).trim().is_empty(),
                    "{key} is empty in {lang:?}"
                );
            }
        }
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            t_with(Lang::En, "flash.user_created", &[("value", "canbo")]),
            "Account canbo created."
        );
    }

    /// Every `t("…")` and every key string in the code must exist in the catalogue.
    #[test]
    fn every_key_used_by_templates_and_code_exists() {
        let known: BTreeSet<_> = keys(Lang::Vi).collect();
        let mut missing = Vec::new();
        for dir in ["templates", "src"] {
            for (path, text) in
                files_under(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
            {
                for key in quoted_keys(&text) {
                    if !known.contains(key.as_str()) {
                        missing.push(format!("{path}: {key}"));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the catalogue:\n{}",
            missing.join("\n")
        );
    }

    fn files_under(dir: std::path::PathBuf) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return out;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(files_under(path));
            } else if path.extension().is_some_and(|e| e == "html" || e == "rs")
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                out.push((path.display().to_string(), text));
            }
        }
        out
    }

    /// Keys are quoted strings of dotted lower-case words whose first word is a catalogue
    /// section, e.g. "nav.home"; other strings are left alone.
    fn quoted_keys(text: &str) -> Vec<String> {
        let sections: BTreeSet<&str> = keys(Lang::Vi).filter_map(|k| k.split('.').next()).collect();
        text.split('"')
            .skip(1)
            .step_by(2)
            .filter(|s| {
                s.contains('.')
                    && !s.ends_with('.')
                    && !s.ends_with(".html")
                    && s.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'
                    })
                    && s.split('.')
                        .next()
                        .is_some_and(|first| sections.contains(first))
            })
            .map(str::to_owned)
            .collect()
    }
}
