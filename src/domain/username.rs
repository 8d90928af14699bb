//! Usernames: lower-case ASCII, so that `Canbo` and `canbo` are one account.

/// A username that satisfies the rules (2–63 characters of `a-z 0-9 . _ -`, starting with a
/// letter or digit). Input is trimmed and lower-cased first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    /// Checks and normalises `input`; `None` when it cannot be a username.
    pub fn parse(input: &str) -> Option<Username> {
        let name = input.trim().to_ascii_lowercase();
        let valid_char =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-');
        let first_ok = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        (first_ok && (2..=63).contains(&name.len()) && name.chars().all(valid_char))
            .then_some(Username(name))
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Username;

    #[test]
    fn usernames_are_trimmed_and_lower_cased() {
        assert_eq!(
            Username::parse("  PKT.PhuBinh ").map(|u| u.0),
            Some("pkt.phubinh".into())
        );
    }

    #[test]
    fn bad_usernames_are_refused() {
        for bad in ["", "a", ".canbo", "can bo", "cán", "x\0y", &"a".repeat(64)] {
            assert_eq!(Username::parse(bad), None, "{bad:?}");
        }
    }
}
