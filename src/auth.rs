//! Passwords (argon2id, off the async runtime) and session tokens.

pub mod password;
pub mod token;
