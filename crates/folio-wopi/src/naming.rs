//! File-name rules for the host: what a legal name is, and how `PutRelativeFile` (operations.md §3.8)
//! and `RenameFile` (§3.9) derive the new name from the request.
//!
//! Names are counted in `char`s (Unicode scalar values), never bytes. The functions are pure; making
//! a name unique inside a container is the caller's loop over [`nth_alternative`].

/// Maximum length of a full file name (stem and extension), in characters.
///
/// `CheckFileInfo`'s `FileNameMaxLength` (which excludes the extension) is derived from this by the
/// caller.
pub const MAX_NAME_LEN: usize = 250;

/// Characters that may never appear in a name (besides control characters).
pub const FORBIDDEN_CHARS: &[char] = &['/', '\\', ':', '*', '?', '"', '<', '>', '|'];

/// Stem used by [`sanitize`] when nothing usable is left of the input.
const UNTITLED: &str = "Untitled";

/// Why a file name is not acceptable. `Display` is a short ASCII reason, suitable for the
/// `X-WOPI-InvalidFileNameError` response header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The name is the empty string.
    #[error("name is empty")]
    Empty,
    /// The name consists only of whitespace.
    #[error("name is blank")]
    Blank,
    /// The name is `.` or `..`.
    #[error("name cannot be '.' or '..'")]
    DotName,
    /// The name has more than [`MAX_NAME_LEN`] characters.
    #[error("name is {len} characters long, the maximum is {max}")]
    TooLong {
        /// Length of the rejected name, in characters.
        len: usize,
        /// The maximum, [`MAX_NAME_LEN`].
        max: usize,
    },
    /// The name contains one of [`FORBIDDEN_CHARS`] (always ASCII).
    #[error("name contains the character '{0}', which is not allowed")]
    ForbiddenChar(char),
    /// The name contains a control character (the value is its code point).
    #[error("name contains a control character (U+{0:04X})")]
    ControlChar(u32),
    /// The name begins or ends with whitespace.
    #[error("name begins or ends with whitespace")]
    SurroundingWhitespace,
    /// The name ends with a dot.
    #[error("name ends with a dot")]
    TrailingDot,
}

/// Whether `c` must not appear in a name.
fn is_forbidden(c: char) -> bool {
    c.is_control() || FORBIDDEN_CHARS.contains(&c)
}

/// The first `n` characters of `s`.
fn take_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// `s` without trailing whitespace and dots.
fn trim_end_ws_dots(s: &str) -> &str {
    s.trim_end_matches(|c: char| c == '.' || c.is_whitespace())
}

/// Checks that `name` is a legal file name.
///
/// Rejected: empty or whitespace-only names, `.` and `..`, names longer than [`MAX_NAME_LEN`]
/// characters, names containing [`FORBIDDEN_CHARS`] or control characters (including NUL), names
/// with leading or trailing whitespace, and names ending with `.`.
///
/// # Errors
///
/// The first rule the name breaks, in the order above.
pub fn validate_file_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.trim().is_empty() {
        return Err(NameError::Blank);
    }
    if name == "." || name == ".." {
        return Err(NameError::DotName);
    }
    let len = name.chars().count();
    if len > MAX_NAME_LEN {
        return Err(NameError::TooLong {
            len,
            max: MAX_NAME_LEN,
        });
    }
    if let Some(c) = name.chars().find(|&c| is_forbidden(c)) {
        return Err(if c.is_control() {
            NameError::ControlChar(u32::from(c))
        } else {
            NameError::ForbiddenChar(c)
        });
    }
    if name.trim() != name {
        return Err(NameError::SurroundingWhitespace);
    }
    if name.ends_with('.') {
        return Err(NameError::TrailingDot);
    }
    Ok(())
}

/// Splits a name into stem and extension; the extension includes its dot.
///
/// The extension starts at the last `.`, unless that dot is the first character (a dot-file such
/// as `.bashrc` has no extension) or the last one (`a.` has none either).
///
/// `"a.b.docx"` → `("a.b", ".docx")`, `".bashrc"` → `(".bashrc", "")`, `"noext"` → `("noext", "")`.
#[must_use]
pub fn split_ext(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(i) if i > 0 && i + 1 < name.len() => name.split_at(i),
        _ => (name, ""),
    }
}

/// Splits `name` like [`split_ext`] and truncates the stem (by characters) so that stem, extension
/// and `reserve` more characters fit in [`MAX_NAME_LEN`]. An extension too long to leave room for
/// a stem of `Untitled`'s length is not kept apart: the whole name is the stem.
fn fit(name: &str, reserve: usize) -> (&str, &str) {
    let (stem, ext) = split_ext(name);
    let (stem, ext) = if ext.chars().count() + reserve + UNTITLED.len() > MAX_NAME_LEN {
        (name, "")
    } else {
        (stem, ext)
    };
    let budget = MAX_NAME_LEN.saturating_sub(reserve + ext.chars().count());
    (take_chars(stem, budget), ext)
}

/// Turns an arbitrary string into a legal file name (one that [`validate_file_name`] accepts).
///
/// Surrounding whitespace is trimmed, forbidden and control characters become `_`, trailing dots
/// and whitespace are dropped, and the stem is truncated (by characters) so that the whole name
/// fits in [`MAX_NAME_LEN`] with its extension kept. If no stem is left, it becomes `Untitled`
/// (plus the extension, if there was one).
#[must_use]
pub fn sanitize(name: &str) -> String {
    let replaced: String = name
        .trim()
        .chars()
        .map(|c| if is_forbidden(c) { '_' } else { c })
        .collect();
    let cleaned = trim_end_ws_dots(&replaced).trim_start();
    let (cut, ext) = fit(cleaned, 0);
    // A cut stem may now end with whitespace or dots ("a. b" cut to "a. "); the stem of an uncut
    // name is kept as is ("a...docx" is legal).
    let stem = if cut.len() + ext.len() < cleaned.len() {
        trim_end_ws_dots(cut)
    } else {
        cut
    };
    if stem.is_empty() {
        format!("{UNTITLED}{ext}")
    } else {
        format!("{stem}{ext}")
    }
}

/// The name for `PutRelativeFile` in suggested mode (`X-WOPI-SuggestedTarget`, already decoded).
///
/// If `suggested` starts with `.` it is an extension: the result is the stem of `source_name` plus
/// that extension. Otherwise it is a full name. An empty (or blank) suggestion means the source
/// name. The result goes through [`sanitize`], which keeps the extension; the caller still has to
/// make it unique with [`nth_alternative`].
#[must_use]
pub fn suggested_target(source_name: &str, suggested: &str) -> String {
    let suggested = suggested.trim();
    if suggested.is_empty() {
        sanitize(source_name)
    } else if suggested.starts_with('.') {
        let (stem, _) = split_ext(source_name);
        sanitize(&format!("{stem}{suggested}"))
    } else {
        sanitize(suggested)
    }
}

/// The new full name for `RenameFile` (`X-WOPI-RequestedName`, already decoded).
///
/// `requested` is the new name without extension; the current name's extension is appended,
/// unless `requested` already ends with it (compared case-insensitively, and `requested` must be
/// longer than the extension). The result is validated, not sanitized.
///
/// # Errors
///
/// [`NameError::Empty`] / [`NameError::Blank`] if `requested` is empty or blank, otherwise whatever
/// [`validate_file_name`] reports for the resulting name.
pub fn rename_target(current_name: &str, requested: &str) -> Result<String, NameError> {
    if requested.is_empty() {
        return Err(NameError::Empty);
    }
    if requested.trim().is_empty() {
        return Err(NameError::Blank);
    }
    let (_, ext) = split_ext(current_name);
    let has_ext = !ext.is_empty()
        && requested.chars().count() > ext.chars().count()
        && requested.to_lowercase().ends_with(&ext.to_lowercase());
    let name = if has_ext {
        requested.to_owned()
    } else {
        format!("{requested}{ext}")
    };
    validate_file_name(&name)?;
    Ok(name)
}

/// The `n`-th candidate when making `name` unique: `n == 0` is `name` itself, `n >= 1` is
/// `"stem (n).ext"`. The stem is truncated (by characters) so that the result stays within
/// [`MAX_NAME_LEN`]; a legal `name` gives a legal result.
#[must_use]
pub fn nth_alternative(name: &str, n: u32) -> String {
    if n == 0 {
        return name.to_owned();
    }
    let suffix = format!(" ({n})");
    let (stem, ext) = fit(name, suffix.chars().count());
    format!("{stem}{suffix}{ext}")
}

/// The `n`-th candidate for a *folder* name: like [`nth_alternative`] but a folder has no
/// extension, so `"Reports 2024.v2"` becomes `"Reports 2024.v2 (1)"`, not `"Reports 2024 (1).v2"`.
#[must_use]
pub fn nth_folder_alternative(name: &str, n: u32) -> String {
    if n == 0 {
        return name.to_owned();
    }
    let suffix = format!(" ({n})");
    let budget = MAX_NAME_LEN.saturating_sub(suffix.chars().count());
    format!("{}{suffix}", take_chars(name, budget).trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_alternatives_keep_dots_and_fit() {
        let long = "d".repeat(MAX_NAME_LEN);
        let cases: [(&str, u32, String); 4] = [
            ("Reports", 0, "Reports".into()),
            ("Reports", 2, "Reports (2)".into()),
            ("Reports 2024.v2", 1, "Reports 2024.v2 (1)".into()),
            (&long, 12, format!("{} (12)", "d".repeat(MAX_NAME_LEN - 5))),
        ];
        for (name, n, expected) in cases {
            let got = nth_folder_alternative(name, n);
            assert_eq!(got, expected, "nth_folder_alternative({name:?}, {n})");
            assert!(validate_file_name(&got).is_ok(), "{got:?}");
        }
    }

    /// The validator's 530-character name (`PutRelativeFile` `FileNameLongerThan512Chars`).
    fn long_validator_name() -> String {
        "longwopitestfilename".repeat(26) + ".wopitestx"
    }

    #[test]
    fn validates_names() {
        let long = long_validator_name();
        let max = "x".repeat(MAX_NAME_LEN - 5) + ".docx";
        let over = "x".repeat(MAX_NAME_LEN - 4) + ".docx";
        let max_multibyte = "é".repeat(MAX_NAME_LEN);
        let table: &[(&str, Result<(), NameError>)] = &[
            ("madeup_name.wopitestx", Ok(())),
            ("ValidatorTestFile.wopitest", Ok(())),
            ("Ünïcødé €.docx", Ok(())),
            ("日本語.xlsx", Ok(())),
            ("😀.pptx", Ok(())),
            ("Report (1), final; v2 & more.docx", Ok(())),
            (".bashrc", Ok(())),
            ("a...docx", Ok(())),
            ("...a", Ok(())),
            ("noext", Ok(())),
            ("a+b#c%d.txt", Ok(())),
            (&max, Ok(())),
            (&max_multibyte, Ok(())),
            ("", Err(NameError::Empty)),
            (" ", Err(NameError::Blank)),
            ("\t \u{3000}", Err(NameError::Blank)),
            (".", Err(NameError::DotName)),
            ("..", Err(NameError::DotName)),
            (
                &long,
                Err(NameError::TooLong {
                    len: 530,
                    max: MAX_NAME_LEN,
                }),
            ),
            (
                &over,
                Err(NameError::TooLong {
                    len: 251,
                    max: MAX_NAME_LEN,
                }),
            ),
            ("a/b.docx", Err(NameError::ForbiddenChar('/'))),
            ("a\\b.docx", Err(NameError::ForbiddenChar('\\'))),
            ("a:b.docx", Err(NameError::ForbiddenChar(':'))),
            ("a*b.docx", Err(NameError::ForbiddenChar('*'))),
            ("a?b.docx", Err(NameError::ForbiddenChar('?'))),
            ("a\"b.docx", Err(NameError::ForbiddenChar('"'))),
            ("a<b.docx", Err(NameError::ForbiddenChar('<'))),
            ("a>b.docx", Err(NameError::ForbiddenChar('>'))),
            ("a|b.docx", Err(NameError::ForbiddenChar('|'))),
            ("a\0b.docx", Err(NameError::ControlChar(0))),
            ("a\nb.docx", Err(NameError::ControlChar(0x0A))),
            ("a\u{7f}b.docx", Err(NameError::ControlChar(0x7F))),
            ("a\u{85}b.docx", Err(NameError::ControlChar(0x85))),
            ("name.docx\t", Err(NameError::ControlChar(0x09))),
            (" name.docx", Err(NameError::SurroundingWhitespace)),
            ("name.docx ", Err(NameError::SurroundingWhitespace)),
            ("name.docx\u{a0}", Err(NameError::SurroundingWhitespace)),
            ("name.", Err(NameError::TrailingDot)),
            ("name...", Err(NameError::TrailingDot)),
            ("...", Err(NameError::TrailingDot)),
        ];
        for (input, expected) in table {
            assert_eq!(
                &validate_file_name(input),
                expected,
                "validate_file_name({input:?})"
            );
        }
    }

    #[test]
    fn error_messages_are_short_ascii() {
        let table: &[(NameError, &str)] = &[
            (NameError::Empty, "name is empty"),
            (NameError::Blank, "name is blank"),
            (NameError::DotName, "name cannot be '.' or '..'"),
            (
                NameError::TooLong { len: 530, max: 250 },
                "name is 530 characters long, the maximum is 250",
            ),
            (
                NameError::ForbiddenChar('|'),
                "name contains the character '|', which is not allowed",
            ),
            (
                NameError::ControlChar(0),
                "name contains a control character (U+0000)",
            ),
            (
                NameError::SurroundingWhitespace,
                "name begins or ends with whitespace",
            ),
            (NameError::TrailingDot, "name ends with a dot"),
        ];
        for (error, expected) in table {
            let message = error.to_string();
            assert_eq!(&message, expected);
            assert!(message.is_ascii() && !message.contains(|c: char| c.is_ascii_control()));
        }
    }

    #[test]
    fn splits_extensions() {
        let table: &[(&str, (&str, &str))] = &[
            ("a.b.docx", ("a.b", ".docx")),
            (".bashrc", (".bashrc", "")),
            ("noext", ("noext", "")),
            ("", ("", "")),
            ("a.", ("a.", "")),
            ("..docx", (".", ".docx")),
            ("Test.wopitest", ("Test", ".wopitest")),
            ("日本語.xlsx", ("日本語", ".xlsx")),
            ("archive.tar.gz", ("archive.tar", ".gz")),
            ("x.Ünï", ("x", ".Ünï")),
        ];
        for &(input, expected) in table {
            assert_eq!(split_ext(input), expected, "split_ext({input:?})");
        }
    }

    #[test]
    fn sanitizes_names() {
        let long = long_validator_name();
        let long_expected = "longwopitestfilename".repeat(12) + ".wopitestx";
        let long_noext = "y".repeat(300);
        let huge_ext = format!("a.{}", "e".repeat(300));
        let cut_at_space = format!("{} tail.docx", "s".repeat(MAX_NAME_LEN - 6));
        let dot_then_spaces = format!(".{}x.docx", " ".repeat(300));
        let table: &[(&str, &str)] = &[
            ("madeup_name.wopitestx", "madeup_name.wopitestx"),
            ("Ünïcødé €.docx", "Ünïcødé €.docx"),
            ("a...docx", "a...docx"),
            (".bashrc", ".bashrc"),
            ("a/b\\c:d*e?f\"g<h>i|j.docx", "a_b_c_d_e_f_g_h_i_j.docx"),
            ("a\0b\nc.txt", "a_b_c.txt"),
            ("  padded.docx \t\n", "padded.docx"),
            ("trailing...", "trailing"),
            ("trailing. . .", "trailing"),
            ("", "Untitled"),
            ("   ", "Untitled"),
            (".", "Untitled"),
            ("..", "Untitled"),
            ("...", "Untitled"),
            ("?", "_"),
            (&long, &long_expected),
            (&long_noext, &long_noext[..MAX_NAME_LEN]),
            (
                &cut_at_space,
                &format!("{}.docx", "s".repeat(MAX_NAME_LEN - 6)),
            ),
            (&dot_then_spaces, "Untitled.docx"),
            (&huge_ext, &huge_ext[..MAX_NAME_LEN]),
        ];
        for &(input, expected) in table {
            let output = sanitize(input);
            assert_eq!(output, expected, "sanitize({input:?})");
            assert_eq!(
                validate_file_name(&output),
                Ok(()),
                "sanitize({input:?}) = {output:?}"
            );
        }
    }

    #[test]
    fn sanitize_keeps_the_extension_and_limit() {
        let output = sanitize(&long_validator_name());
        assert!(validate_file_name(&long_validator_name()).is_err());
        assert_eq!(output.chars().count(), MAX_NAME_LEN);
        assert!(output.ends_with(".wopitestx"));
        let multibyte = format!("{}.文書", "é".repeat(400));
        let output = sanitize(&multibyte);
        assert_eq!(output, format!("{}.文書", "é".repeat(MAX_NAME_LEN - 3)));
        assert_eq!(validate_file_name(&output), Ok(()));
    }

    #[test]
    fn derives_suggested_targets() {
        let long = long_validator_name();
        let long_expected = "longwopitestfilename".repeat(12) + ".wopitestx";
        let table: &[(&str, &str, &str)] = &[
            ("Test.wopitest", ".wopitestx", "Test.wopitestx"),
            ("Test.wopitest", "SuggestedName.xlsx", "SuggestedName.xlsx"),
            (
                "Test.wopitest",
                "madeup_name.wopitestx",
                "madeup_name.wopitestx",
            ),
            ("report.doc", ".docx", "report.docx"),
            ("a.b.doc", ".pdf", "a.b.pdf"),
            ("noext", ".pdf", "noext.pdf"),
            (".bashrc", ".bak", ".bashrc.bak"),
            ("Test.wopitest", " .pdf ", "Test.pdf"),
            ("Test.wopitest", "", "Test.wopitest"),
            ("Test.wopitest", "  ", "Test.wopitest"),
            ("Test.wopitest", "a/b.docx", "a_b.docx"),
            ("Test.wopitest", "name.", "name"),
            ("Test.wopitest", ".", "Test"),
            ("Test.wopitest", &long, &long_expected),
            (&long, ".pdf", &format!("{}.pdf", &long[..MAX_NAME_LEN - 4])),
        ];
        for &(source, suggested, expected) in table {
            let output = suggested_target(source, suggested);
            assert_eq!(
                output, expected,
                "suggested_target({source:?}, {suggested:?})"
            );
            assert_eq!(validate_file_name(&output), Ok(()));
        }
    }

    #[test]
    fn derives_rename_targets() {
        let too_long = "r".repeat(MAX_NAME_LEN);
        let table: &[(&str, &str, Result<&str, NameError>)] = &[
            (
                "ValidatorTestFile.wopitest",
                "ValidatorTestFileRenamed",
                Ok("ValidatorTestFileRenamed.wopitest"),
            ),
            (
                "ValidatorTestFile.wopitest",
                "madeup_renamed",
                Ok("madeup_renamed.wopitest"),
            ),
            ("a.docx", "b.docx", Ok("b.docx")),
            ("a.docx", "b.DOCX", Ok("b.DOCX")),
            ("a.DOCX", "b.docx", Ok("b.docx")),
            ("a.docx", "b.pdf", Ok("b.pdf.docx")),
            ("a.docx", ".docx", Ok(".docx.docx")),
            ("a.docx", "v1.2", Ok("v1.2.docx")),
            ("noext", "other", Ok("other")),
            ("noext", "other.txt", Ok("other.txt")),
            (".bashrc", "profile", Ok("profile")),
            ("a.docx", "Ünïcødé €", Ok("Ünïcødé €.docx")),
            ("a.docx", "", Err(NameError::Empty)),
            ("a.docx", "  ", Err(NameError::Blank)),
            ("a.docx", "b/c", Err(NameError::ForbiddenChar('/'))),
            ("a.docx", "b\0", Err(NameError::ControlChar(0))),
            ("a.docx", " b", Err(NameError::SurroundingWhitespace)),
            ("noext", "b.", Err(NameError::TrailingDot)),
            ("noext", "..", Err(NameError::DotName)),
            (
                "a.docx",
                &too_long,
                Err(NameError::TooLong {
                    len: 255,
                    max: MAX_NAME_LEN,
                }),
            ),
        ];
        for &(current, requested, ref expected) in table {
            assert_eq!(
                rename_target(current, requested),
                expected.clone().map(str::to_owned),
                "rename_target({current:?}, {requested:?})"
            );
        }
    }

    #[test]
    fn makes_alternatives() {
        let long = format!("{}.wopitestx", "z".repeat(MAX_NAME_LEN - 10));
        let noext_long = "n".repeat(MAX_NAME_LEN);
        let table: &[(&str, u32, &str)] = &[
            ("Test.wopitest", 0, "Test.wopitest"),
            ("Test.wopitest", 1, "Test (1).wopitest"),
            ("Test.wopitest", 12, "Test (12).wopitest"),
            ("a.b.docx", 2, "a.b (2).docx"),
            ("noext", 3, "noext (3)"),
            (".bashrc", 1, ".bashrc (1)"),
            (&long, 0, &long),
            (
                &long,
                1,
                &format!("{} (1).wopitestx", "z".repeat(MAX_NAME_LEN - 14)),
            ),
            (
                &long,
                100,
                &format!("{} (100).wopitestx", "z".repeat(MAX_NAME_LEN - 16)),
            ),
            (
                &noext_long,
                7,
                &format!("{} (7)", "n".repeat(MAX_NAME_LEN - 4)),
            ),
        ];
        for &(name, n, expected) in table {
            let output = nth_alternative(name, n);
            assert_eq!(output, expected, "nth_alternative({name:?}, {n})");
            assert_eq!(validate_file_name(&output), Ok(()));
        }
        let max = nth_alternative(&long, u32::MAX);
        assert_eq!(max.chars().count(), MAX_NAME_LEN);
        assert!(max.ends_with(" (4294967295).wopitestx"));
    }
}
