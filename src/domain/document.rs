//! Documents as files: which types we accept and how we recognise them, what a file's name
//! may be, and how a name goes back to the browser on download.
//!
//! A file is accepted only when its content is one of the allowed types **and** its name's
//! extension says the same type: a PNG named `.pdf`, an `.exe` or an HTML page renamed
//! `.pdf`, or a spreadsheet named `.docx` are refused. The content decides: magic bytes
//! (through the `infer` crate, with a strict `%PDF-` at the start for PDF), and for the
//! ZIP-based formats a look at the archive's directory (through the `zip` crate): Office Open
//! XML has `[Content_Types].xml` and `word/` or `xl/` parts; OpenDocument starts with a
//! stored `mimetype` entry naming its type. Nothing is decompressed, so an archive bomb costs
//! nothing. Macro-enabled Office files (`vbaProject.bin`) are refused whatever their name.

use std::io::{Cursor, Read as _};

use unicode_normalization::UnicodeNormalization as _;
use unicode_normalization::char::is_combining_mark;

/// A type of file we accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileType {
    /// PDF.
    Pdf,
    /// JPEG photo.
    Jpeg,
    /// PNG image.
    Png,
    /// Word document (Office Open XML).
    Docx,
    /// Excel workbook (Office Open XML).
    Xlsx,
    /// OpenDocument text.
    Odt,
    /// OpenDocument spreadsheet.
    Ods,
}

impl FileType {
    /// Every accepted type.
    pub const ALL: [FileType; 7] = [
        Self::Pdf,
        Self::Jpeg,
        Self::Png,
        Self::Docx,
        Self::Xlsx,
        Self::Odt,
        Self::Ods,
    ];

    /// The media type we record and send back.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Odt => "application/vnd.oasis.opendocument.text",
            Self::Ods => "application/vnd.oasis.opendocument.spreadsheet",
        }
    }

    /// The extensions (lower case, without the dot) a file of this type may have.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Pdf => &["pdf"],
            Self::Jpeg => &["jpg", "jpeg"],
            Self::Png => &["png"],
            Self::Docx => &["docx"],
            Self::Xlsx => &["xlsx"],
            Self::Odt => &["odt"],
            Self::Ods => &["ods"],
        }
    }

    /// The type an extension (any case, without the dot) stands for.
    pub fn from_extension(extension: &str) -> Option<Self> {
        let extension = extension.to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|t| t.extensions().contains(&extension.as_str()))
    }
}

/// The `accept` attribute of the upload field: every extension and media type we take.
pub const ACCEPT: &str = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,.odt,.ods,application/pdf,image/jpeg,\
image/png,application/vnd.openxmlformats-officedocument.wordprocessingml.document,\
application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,\
application/vnd.oasis.opendocument.text,application/vnd.oasis.opendocument.spreadsheet";

/// The longest file name we keep, in UTF-8 bytes (what file systems allow; it is also at
/// most 255 characters, the column's limit).
pub const MAX_NAME_BYTES: usize = 255;

/// Why a file is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The name is empty, or holds a NUL byte or another control character.
    BadName,
    /// The file is empty.
    Empty,
    /// The name's extension is not one of the allowed types.
    TypeNotAllowed,
    /// The content is not one of the allowed types, or not the type the extension says.
    ContentMismatch,
}

impl Refusal {
    /// The catalogue key of the message the user reads.
    pub fn message_key(self) -> &'static str {
        match self {
            Self::BadName => "document.bad_name",
            Self::Empty => "document.empty",
            Self::TypeNotAllowed => "document.type_not_allowed",
            Self::ContentMismatch => "document.content_mismatch",
        }
    }
}

/// The type `bytes` really are, if it is one we accept (the name plays no part).
pub fn sniff(bytes: &[u8]) -> Option<FileType> {
    if bytes.starts_with(b"PK\x03\x04") {
        return zip_container(bytes);
    }
    match infer::get(bytes)?.mime_type() {
        // infer accepts `%PDF` anywhere in the first kilobyte; a file that starts as
        // something else (an HTML page, say) and carries a PDF later is not taken as a PDF.
        "application/pdf" if bytes.starts_with(b"%PDF-") => Some(FileType::Pdf),
        "image/jpeg" => Some(FileType::Jpeg),
        "image/png" => Some(FileType::Png),
        _ => None,
    }
}

/// Tells the ZIP-based formats apart by what the archive holds.
fn zip_container(bytes: &[u8]) -> Option<FileType> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let names: Vec<&[u8]> = archive.file_names_raw().collect();
    let has = |name: &[u8]| names.contains(&name);
    let any_under = |prefix: &[u8]| names.iter().any(|n| n.starts_with(prefix));

    if has(b"[Content_Types].xml") {
        if names.iter().any(|n| n.ends_with(b"vbaProject.bin")) {
            return None;
        }
        return match (any_under(b"word/"), any_under(b"xl/")) {
            (true, false) => Some(FileType::Docx),
            (false, true) => Some(FileType::Xlsx),
            _ => None,
        };
    }
    // OpenDocument: the first entry is `mimetype`, stored (not compressed), holding the type.
    if archive.index_for_name("mimetype") != Some(0) {
        return None;
    }
    let mut mimetype = String::new();
    archive
        .by_index(0)
        .ok()?
        .take(100)
        .read_to_string(&mut mimetype)
        .ok()?;
    match mimetype.trim() {
        "application/vnd.oasis.opendocument.text" => Some(FileType::Odt),
        "application/vnd.oasis.opendocument.spreadsheet" => Some(FileType::Ods),
        _ => None,
    }
}

/// The extension of `name` (after the last dot), if it has one.
pub fn extension(name: &str) -> Option<&str> {
    name.rsplit_once('.')
        .filter(|(stem, ext)| !stem.is_empty() && !ext.is_empty())
        .map(|(_, ext)| ext)
}

/// Checks a file: its (sanitised) `name` must have an allowed extension, and `bytes` must
/// be of the type that extension says.
pub fn check(name: &str, bytes: &[u8]) -> Result<FileType, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    let claimed = extension(name)
        .and_then(FileType::from_extension)
        .ok_or(Refusal::TypeNotAllowed)?;
    match sniff(bytes) {
        Some(found) if found == claimed => Ok(found),
        _ => Err(Refusal::ContentMismatch),
    }
}

/// Bidirectional and invisible formatting characters: they can make `fdp.exe` display as
/// `exe.pdf`, so they never reach a name we show.
fn is_format_trick(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}'
    )
}

/// The name a user's file is kept under, for showing and for the download: the last part of
/// a path (some browsers send `C:\…\file.pdf`), in NFC, without formatting tricks, with
/// characters Windows refuses replaced by `_`, white space collapsed, no leading or trailing
/// dots or spaces, and at most [`MAX_NAME_BYTES`] bytes (the extension is kept when a long
/// name is shortened). A NUL byte or another control character refuses the name: no honest
/// file is called that.
pub fn sanitize_file_name(raw: &str) -> Result<String, Refusal> {
    if raw.chars().any(char::is_control) {
        return Err(Refusal::BadName);
    }
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .nfc()
        .filter(|c| !is_format_trick(*c))
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .collect();
    let collapsed = cleaned
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let trimmed = collapsed.trim_matches(|c: char| c == '.' || c == ' ');
    if trimmed.is_empty() {
        return Err(Refusal::BadName);
    }
    Ok(shorten(trimmed, MAX_NAME_BYTES))
}

/// Cuts `name` to at most `max` bytes on a character boundary, keeping a short extension.
fn shorten(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_owned();
    }
    let (stem, suffix) = match extension(name) {
        Some(ext) if ext.len() <= 10 => (
            &name[..name.len() - ext.len() - 1],
            &name[name.len() - ext.len() - 1..],
        ),
        _ => (name, ""),
    };
    let room = max - suffix.len();
    let mut cut = String::with_capacity(max);
    for c in stem.chars() {
        if cut.len() + c.len_utf8() > room {
            break;
        }
        cut.push(c);
    }
    format!("{}{suffix}", cut.trim_end_matches([' ', '.']))
}

/// Characters left as they are in `filename*` (RFC 5987 `attr-char`).
const ATTR_CHAR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// The `Content-Disposition` header value that makes a browser save `name` (RFC 6266): an
/// ASCII fallback for old clients (Vietnamese letters without their marks: `Đề án.pdf` →
/// `De an.pdf`) and the exact name as `filename*=UTF-8''…`.
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            '"' | '\\' => '_',
            c if c.is_ascii() && !c.is_ascii_control() => c,
            _ => '_',
        })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(name, ATTR_CHAR);
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// A size for people: `850 B`, `12 KB`, `1,5 MB` (with a decimal comma when `comma`).
pub fn format_size(bytes: i64, comma: bool) -> String {
    const KB: i64 = 1024;
    const MB: i64 = 1024 * 1024;
    let text = if bytes < KB {
        format!("{bytes} B")
    } else if bytes < MB {
        format!("{} KB", (bytes + KB / 2) / KB)
    } else {
        let tenths = (bytes * 10 + MB / 2) / MB;
        format!("{}.{} MB", tenths / 10, tenths % 10)
    };
    if comma { text.replace('.', ",") } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    const PNG: &[u8] =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    const JPEG: &[u8] = b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0\xff\xd9";
    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";

    fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, content) in entries {
            writer.start_file(*name, stored).expect("entry");
            writer.write_all(content).expect("write");
        }
        writer.finish().expect("finish").into_inner()
    }

    fn docx() -> Vec<u8> {
        zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("_rels/.rels", b"<Relationships/>"),
            ("word/document.xml", b"<w:document/>"),
        ])
    }

    fn xlsx() -> Vec<u8> {
        zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<workbook/>"),
        ])
    }

    fn odf(mimetype: &str) -> Vec<u8> {
        zip(&[
            ("mimetype", mimetype.as_bytes()),
            ("content.xml", b"<office:document-content/>"),
            ("META-INF/manifest.xml", b"<manifest/>"),
        ])
    }

    #[test]
    fn each_allowed_type_is_recognised_by_its_content() {
        assert_eq!(sniff(PDF), Some(FileType::Pdf));
        assert_eq!(sniff(PNG), Some(FileType::Png));
        assert_eq!(sniff(JPEG), Some(FileType::Jpeg));
        assert_eq!(sniff(&docx()), Some(FileType::Docx));
        assert_eq!(sniff(&xlsx()), Some(FileType::Xlsx));
        assert_eq!(
            sniff(&odf("application/vnd.oasis.opendocument.text")),
            Some(FileType::Odt)
        );
        assert_eq!(
            sniff(&odf("application/vnd.oasis.opendocument.spreadsheet")),
            Some(FileType::Ods)
        );
    }

    #[test]
    fn other_content_is_not_recognised() {
        for bytes in [
            &b"<!doctype html><script>alert(1)</script>"[..],
            b"<html>%PDF-1.4 a polyglot</html>",
            b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff",
            b"GIF89a\x01\0\x01\0",
            b"plain text",
            b"PK\x03\x04 not really a zip",
        ] {
            assert_eq!(sniff(bytes), None, "{bytes:?}");
        }
        // A plain ZIP, an EPUB, a presentation, an archive with both word/ and xl/.
        assert_eq!(sniff(&zip(&[("a.txt", b"a")])), None);
        assert_eq!(sniff(&odf("application/epub+zip")), None);
        assert_eq!(
            sniff(&odf("application/vnd.oasis.opendocument.presentation")),
            None
        );
        assert_eq!(
            sniff(&zip(&[
                ("[Content_Types].xml", b""),
                ("word/document.xml", b""),
                ("xl/workbook.xml", b"")
            ])),
            None
        );
        // ODF's mimetype must come first.
        assert_eq!(
            sniff(&zip(&[
                ("content.xml", b""),
                ("mimetype", b"application/vnd.oasis.opendocument.text")
            ])),
            None
        );
    }

    #[test]
    fn macro_enabled_office_files_are_refused_whatever_their_name() {
        let docm = zip(&[
            ("[Content_Types].xml", b""),
            ("word/document.xml", b""),
            ("word/vbaProject.bin", b"\xd0\xcf"),
        ]);
        assert_eq!(sniff(&docm), None);
        assert_eq!(check("dean.docx", &docm), Err(Refusal::ContentMismatch));
    }

    #[test]
    fn the_extension_must_agree_with_the_content() {
        assert_eq!(check("Đề án.pdf", PDF), Ok(FileType::Pdf));
        assert_eq!(check("ANH.JPEG", JPEG), Ok(FileType::Jpeg));
        assert_eq!(check("anh.jpg", JPEG), Ok(FileType::Jpeg));
        assert_eq!(check("du-toan.xlsx", &xlsx()), Ok(FileType::Xlsx));
        assert_eq!(check("anh.pdf", PNG), Err(Refusal::ContentMismatch));
        assert_eq!(
            check("virus.pdf", b"MZ\x90\0"),
            Err(Refusal::ContentMismatch)
        );
        assert_eq!(
            check("trang.pdf", b"<html></html>"),
            Err(Refusal::ContentMismatch)
        );
        assert_eq!(
            check("bang-tinh.docx", &xlsx()),
            Err(Refusal::ContentMismatch)
        );
        assert_eq!(check("anh.png.exe", PNG), Err(Refusal::TypeNotAllowed));
        assert_eq!(check("anh", PNG), Err(Refusal::TypeNotAllowed));
        assert_eq!(check(".png", PNG), Err(Refusal::TypeNotAllowed));
        assert_eq!(check("anh.gif", b"GIF89a"), Err(Refusal::TypeNotAllowed));
        assert_eq!(check("rong.pdf", b""), Err(Refusal::Empty));
    }

    #[test]
    fn names_are_cleaned_and_bad_ones_refused() {
        assert_eq!(sanitize_file_name("Đề án.pdf"), Ok("Đề án.pdf".into()));
        // Decomposed (as macOS sends it) becomes composed.
        assert_eq!(
            sanitize_file_name("De\u{302}\u{300} a\u{301}n.pdf"),
            Ok("D\u{1ec1} \u{e1}n.pdf".into())
        );
        assert_eq!(
            sanitize_file_name("C:\\Users\\Lan\\Desktop\\du toan.xlsx"),
            Ok("du toan.xlsx".into())
        );
        assert_eq!(
            sanitize_file_name("../../etc/passwd.pdf"),
            Ok("passwd.pdf".into())
        );
        assert_eq!(
            sanitize_file_name("  a   b\u{a0}c .pdf.. "),
            Ok("a b c .pdf".into())
        );
        assert_eq!(sanitize_file_name("a<b>:c?.pdf"), Ok("a_b__c_.pdf".into()));
        assert_eq!(
            sanitize_file_name("invoice\u{202e}fdp.exe"),
            Ok("invoicefdp.exe".into())
        );
        for bad in [
            "",
            "   ",
            "...",
            "a/",
            "bad\0name.pdf",
            "line\nbreak.pdf",
            "\u{7f}.pdf",
        ] {
            assert_eq!(sanitize_file_name(bad), Err(Refusal::BadName), "{bad:?}");
        }
    }

    #[test]
    fn long_names_are_shortened_keeping_the_extension() {
        let long = format!("{}.pdf", "ệ".repeat(5000));
        let name = sanitize_file_name(&long).expect("valid");
        assert!(name.len() <= MAX_NAME_BYTES && name.chars().count() <= 255);
        assert!(name.ends_with("ệ.pdf"));
        assert_eq!(check(&name, PDF), Ok(FileType::Pdf));
        let no_ext = sanitize_file_name(&"x".repeat(1000)).expect("valid");
        assert_eq!(no_ext.len(), MAX_NAME_BYTES);
    }

    #[test]
    fn download_names_are_encoded_for_every_browser() {
        assert_eq!(
            content_disposition("Đề án \"mới\".pdf"),
            "attachment; filename=\"De an _moi_.pdf\"; \
             filename*=UTF-8''%C4%90%E1%BB%81%20%C3%A1n%20%22m%E1%BB%9Bi%22.pdf"
        );
        assert_eq!(
            content_disposition("plain-name_1.png"),
            "attachment; filename=\"plain-name_1.png\"; filename*=UTF-8''plain-name_1.png"
        );
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(format_size(850, true), "850 B");
        assert_eq!(format_size(12 * 1024 + 100, true), "12 KB");
        assert_eq!(format_size(1536 * 1024, true), "1,5 MB");
        assert_eq!(format_size(1536 * 1024, false), "1.5 MB");
    }
}
