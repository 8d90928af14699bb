//! The document store: file contents by key, behind one interface.
//!
//! [`Store`] is a trait object (`Arc<dyn Store>` in `AppState`) whose methods return boxed
//! futures, so it needs no `async_trait` and any backend can be plugged in at start-up. The
//! only one today is [`LocalDirStore`], a directory on the server's disk (`STORAGE_DIR`). An
//! S3-compatible store (MinIO, a cloud bucket) implements the same three calls with
//! `PutObject`, `GetObject` and `DeleteObject` on the key: nothing else in the application
//! changes. Contents travel as [`Bytes`]: uploads are held in memory anyway (they are
//! checked before they are stored) and are bounded by `UPLOAD_MAX_FILE_MB`.
//!
//! Keys are made here, never from anything a user sent: [`StorageKey::generate`] gives 128
//! random bits in hex, and [`StorageKey::parse`] accepts nothing else, so a key read back from
//! the database cannot reach outside the store either.
//!
//! The store knows nothing of documents, proposals or users: the `documents` table says
//! which key belongs to what, and who may read it.

use std::fmt;
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use bytes::Bytes;
use rand::RngCore as _;

/// What the store's calls return.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = io::Result<T>> + Send + 'a>>;

/// Where file contents live. Implementations must be safe to call from many requests at once.
pub trait Store: fmt::Debug + Send + Sync {
    /// Stores `content` under `key`, durably: when the future completes the content survives
    /// a crash. A key is written once; writing an existing key is an error.
    fn put<'a>(&'a self, key: &'a StorageKey, content: Bytes) -> StoreFuture<'a, ()>;

    /// The content under `key` (`ErrorKind::NotFound` when there is none).
    fn get<'a>(&'a self, key: &'a StorageKey) -> StoreFuture<'a, Bytes>;

    /// Removes the content under `key`; removing a missing key is not an error.
    fn delete<'a>(&'a self, key: &'a StorageKey) -> StoreFuture<'a, ()>;
}

/// A key in the store: 32 lower-case hex digits (128 random bits).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StorageKey(String);

impl StorageKey {
    /// A new random key.
    pub fn generate() -> Self {
        let mut bits = [0u8; 16];
        rand::rng().fill_bytes(&mut bits);
        Self(bits.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// A key as stored in the database; anything but 32 lower-case hex digits is refused.
    pub fn parse(text: &str) -> Option<Self> {
        let valid =
            text.len() == 32 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        valid.then(|| Self(text.to_owned()))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StorageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A store in a local directory. A key `ab12…` is the file `ROOT/ab/ab12…`, so no directory
/// grows beyond what a file system lists comfortably. A write goes to a temporary file in the
/// same directory, is flushed to disk, then renamed into place (and the directory flushed),
/// so a file under its key is always complete.
#[derive(Clone, Debug)]
pub struct LocalDirStore {
    root: PathBuf,
}

impl LocalDirStore {
    /// A store under `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, key: &StorageKey) -> PathBuf {
        let key = key.as_str();
        self.root.join(&key[..2]).join(key)
    }
}

impl Store for LocalDirStore {
    fn put<'a>(&'a self, key: &'a StorageKey, content: Bytes) -> StoreFuture<'a, ()> {
        let target = self.path(key);
        Box::pin(blocking(move || write_durably(&target, &content)))
    }

    fn get<'a>(&'a self, key: &'a StorageKey) -> StoreFuture<'a, Bytes> {
        let path = self.path(key);
        Box::pin(blocking(move || std::fs::read(path).map(Bytes::from)))
    }

    fn delete<'a>(&'a self, key: &'a StorageKey) -> StoreFuture<'a, ()> {
        let path = self.path(key);
        Box::pin(blocking(move || match std::fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }))
    }
}

/// Runs file-system work on the blocking pool, so it never stalls the request threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(io::Error::other)?
}

fn write_durably(target: &Path, content: &[u8]) -> io::Result<()> {
    use std::io::Write as _;

    let dir = target
        .parent()
        .ok_or_else(|| io::Error::other("a storage path has no directory"))?;
    std::fs::create_dir_all(dir)?;
    if target.exists() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "storage key already used",
        ));
    }
    let mut suffix = [0u8; 8];
    rand::rng().fill_bytes(&mut suffix);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let temp = dir.join(format!(
        ".{name}.{}.part",
        suffix
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    ));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(content)?;
        file.sync_all()?;
        std::fs::rename(&temp, target)
    })();
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(error);
    }
    // The rename itself is durable only once the directory is.
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_root() -> PathBuf {
        std::env::temp_dir().join(format!("kc-store-{}", StorageKey::generate()))
    }

    #[test]
    fn keys_are_random_hex_and_nothing_else_parses() {
        let a = StorageKey::generate();
        let b = StorageKey::generate();
        assert_ne!(a, b);
        assert_eq!(StorageKey::parse(a.as_str()), Some(a));
        for bad in [
            "",
            "../../etc/passwd",
            "0123456789abcdef0123456789ABCDEF",
            "0123456789abcdef0123456789abcde",
            "0123456789abcdef0123456789abcdef0",
            "0123456789abcdef/123456789abcdef",
        ] {
            assert_eq!(StorageKey::parse(bad), None, "{bad}");
        }
    }

    #[tokio::test]
    async fn what_is_put_comes_back_and_is_gone_after_delete() {
        let root = temp_root();
        let store = LocalDirStore::new(&root);
        let key = StorageKey::generate();
        store
            .put(&key, Bytes::from_static(b"noi dung"))
            .await
            .expect("put");
        assert_eq!(store.get(&key).await.expect("get"), &b"noi dung"[..]);
        let again = store.put(&key, Bytes::from_static(b"other")).await;
        assert_eq!(
            again.expect_err("written once").kind(),
            io::ErrorKind::AlreadyExists
        );
        let files: Vec<_> = std::fs::read_dir(root.join(&key.as_str()[..2]))
            .expect("dir")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(
            files,
            [std::ffi::OsString::from(key.as_str())],
            "no temp file left"
        );
        store.delete(&key).await.expect("delete");
        store.delete(&key).await.expect("deleting twice is fine");
        assert_eq!(
            store.get(&key).await.expect_err("gone").kind(),
            io::ErrorKind::NotFound
        );
        let _ = std::fs::remove_dir_all(root);
    }
}
