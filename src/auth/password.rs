//! Password hashing with argon2id and OWASP's parameters (19 MiB, 2 passes, 1 lane).
//!
//! Hashing is slow on purpose, so it runs on the blocking pool, never on an async worker, and
//! a semaphore bounds how many run at once (each needs 19 MiB). An unknown user is verified
//! against a dummy hash so that "no such user" costs the same time as "wrong password".

use std::sync::{Arc, LazyLock};

use anyhow::Context;
use argon2::password_hash::{
    PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

/// Shortest password accepted for a new or reset account.
pub const MIN_LENGTH: usize = 10;
/// Longest password accepted (hashing cost does not depend on it, but forms must end).
pub const MAX_LENGTH: usize = 256;

fn argon2() -> Argon2<'static> {
    // OWASP Password Storage Cheat Sheet: m=19456 KiB, t=2, p=1.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash of a random password nobody knows, used for unknown usernames.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(b"no user has this password", &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// Hashes and verifies passwords on the blocking pool, a bounded number at a time.
#[derive(Clone, Debug)]
pub struct Passwords {
    permits: Arc<Semaphore>,
}

impl Passwords {
    /// At most `concurrency` hashes at once.
    pub fn new(concurrency: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    /// A PHC-format argon2id hash of `password` with a fresh salt.
    pub async fn hash(&self, password: SecretString) -> anyhow::Result<String> {
        let _permit = self
            .permits
            .acquire()
            .await
            .context("password semaphore closed")?;
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon2()
                .hash_password(password.expose_secret().as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
        })
        .await
        .context("hashing task panicked")?
    }

    /// Whether `password` matches `stored`. With no stored hash (unknown user) it still does
    /// the full work against a dummy hash and answers `false`.
    pub async fn verify(
        &self,
        password: SecretString,
        stored: Option<String>,
    ) -> anyhow::Result<bool> {
        let _permit = self
            .permits
            .acquire()
            .await
            .context("password semaphore closed")?;
        tokio::task::spawn_blocking(move || {
            let known = stored.is_some();
            let phc = stored.unwrap_or_else(|| DUMMY_HASH.clone());
            let parsed = PasswordHash::new(&phc)
                .map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
            let matches = argon2()
                .verify_password(password.expose_secret().as_bytes(), &parsed)
                .is_ok();
            Ok(known && matches)
        })
        .await
        .context("verification task panicked")?
    }
}

/// Why a new password is refused (catalogue key).
pub fn check_new_password(password: &str) -> Result<(), &'static str> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        Err("password.too_short")
    } else if length > MAX_LENGTH {
        Err("password.too_long")
    } else if password.contains('\0') {
        Err("password.invalid")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let passwords = Passwords::new(2);
        let hash = passwords
            .hash("khuyencong2024".to_owned().into())
            .await
            .expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            passwords
                .verify("khuyencong2024".to_owned().into(), Some(hash.clone()))
                .await
                .expect("verify")
        );
        assert!(
            !passwords
                .verify("khuyencong2025".to_owned().into(), Some(hash))
                .await
                .expect("verify")
        );
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        let passwords = Passwords::new(1);
        assert!(
            !passwords
                .verify("no user has this password".to_owned().into(), None)
                .await
                .expect("verify")
        );
    }

    #[test]
    fn new_passwords_must_be_long_enough() {
        assert_eq!(check_new_password("short"), Err("password.too_short"));
        assert_eq!(
            check_new_password(&"x".repeat(300)),
            Err("password.too_long")
        );
        assert_eq!(check_new_password("long enough\0"), Err("password.invalid"));
        assert_eq!(check_new_password("đủ dài rồi nhé"), Ok(()));
    }
}
