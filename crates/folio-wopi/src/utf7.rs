//! UTF-7 (RFC 2152) for the WOPI name headers.
//!
//! `X-WOPI-SuggestedTarget`, `X-WOPI-RelativeTarget`, `X-WOPI-RequestedName` (requests) and
//! `X-WOPI-ValidRelativeTarget` (responses) carry file and container names as UTF-7, because HTTP
//! header values are ASCII (operations.md §1.8). This is plain RFC 2152 UTF-7 with `+` and the
//! standard base64 alphabet, not IMAP "modified UTF-7".
//!
//! [`decode`] accepts everything a conforming encoder may produce (optional-direct characters sent
//! as-is or encoded, runs closed with or without `-`); [`encode`] produces what .NET
//! `Encoding.UTF7` produces for names.

/// A UTF-7 header value could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Utf7Error {
    /// A base64 run decoded to a UTF-16 surrogate that has no partner (the value is the surrogate).
    #[error("invalid UTF-7: unpaired UTF-16 surrogate U+{0:04X}")]
    UnpairedSurrogate(u16),
}

/// The standard base64 alphabet (RFC 2152 uses it without `=` padding).
const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The 6-bit value of a base64 character, or `None` if it ends a run.
fn base64_value(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// The base64 character for the low 6 bits of `v`.
fn base64_char(v: u32) -> char {
    // The index is masked to 0..64, so it is always in bounds.
    char::from(BASE64[(v & 0x3F) as usize])
}

/// Decodes an RFC 2152 UTF-7 string.
///
/// - Any character other than `+` is literal (including the optional-direct characters such as
///   `_`, which some encoders leave alone).
/// - `+-` is a literal `+`.
/// - `+` followed by base64 characters starts a run of big-endian UTF-16 code units, 6 bits per
///   character. The run ends at the first non-base64 character; a `-` there is consumed, any other
///   character is literal. Leftover bits (fewer than 16) are discarded. Surrogate pairs are combined.
/// - A `+` followed by neither `-` nor a base64 character (ill-formed) is kept as a literal `+`.
/// - Robustness: input that contains non-ASCII characters is not UTF-7; it is returned unchanged.
///
/// # Errors
///
/// [`Utf7Error::UnpairedSurrogate`] if the decoded UTF-16 contains an unpaired surrogate.
pub fn decode(input: &str) -> Result<String, Utf7Error> {
    if !input.is_ascii() {
        return Ok(input.to_owned());
    }
    let mut units: Vec<u16> = Vec::with_capacity(input.len());
    let mut bytes = input.bytes().peekable();
    while let Some(b) = bytes.next() {
        if b != b'+' {
            units.push(u16::from(b));
            continue;
        }
        match bytes.peek() {
            Some(b'-') => {
                bytes.next();
                units.push(u16::from(b'+'));
                continue;
            }
            Some(&c) if base64_value(c).is_some() => {}
            _ => {
                units.push(u16::from(b'+'));
                continue;
            }
        }
        // Shifted run. `acc` never holds more than 21 significant bits.
        let mut acc: u32 = 0;
        let mut nbits: u32 = 0;
        while let Some(v) = bytes.peek().and_then(|&c| base64_value(c)) {
            bytes.next();
            acc = (acc << 6) | u32::from(v);
            nbits += 6;
            if nbits >= 16 {
                nbits -= 16;
                units.push(((acc >> nbits) & 0xFFFF) as u16);
                acc &= (1 << nbits) - 1;
            }
        }
        if bytes.peek() == Some(&b'-') {
            bytes.next();
        }
    }
    char::decode_utf16(units)
        .map(|r| r.map_err(|e| Utf7Error::UnpairedSurrogate(e.unpaired_surrogate())))
        .collect()
}

/// Characters that [`encode`] writes directly: .NET `Encoding.UTF7`'s direct set without the
/// optional characters, minus tab/CR/LF (encoded instead, so they never appear raw in a header).
fn is_direct(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '\'' | '(' | ')' | ',' | '-' | '.' | '/' | ':' | '?' | ' '
        )
}

/// Appends the last partial base64 character of a run (zero-padded) and the closing `-`.
fn close_run(out: &mut String, acc: u32, nbits: u32) {
    if nbits > 0 {
        out.push(base64_char(acc << (6 - nbits)));
    }
    out.push('-');
}

/// Encodes a string as RFC 2152 UTF-7, the way .NET `Encoding.UTF7` does for names.
///
/// `A–Z a–z 0–9 ' ( ) , - . / : ?` and space are written directly; everything else (including
/// `_` and the other optional-direct characters) goes into base64 runs, each closed with `-`.
/// A `+` outside a run is written as `+-`. `decode(&encode(s)) == Ok(s)` for every string.
#[must_use]
pub fn encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 2);
    let mut in_run = false;
    // Pending bits of the current run; `nbits < 6` between characters.
    let mut acc: u32 = 0;
    let mut nbits: u32 = 0;
    for c in input.chars() {
        if is_direct(c) {
            if in_run {
                close_run(&mut out, acc, nbits);
                in_run = false;
                acc = 0;
                nbits = 0;
            }
            out.push(c);
        } else if c == '+' && !in_run {
            out.push_str("+-");
        } else {
            if !in_run {
                out.push('+');
                in_run = true;
            }
            let mut buf = [0u16; 2];
            for &unit in c.encode_utf16(&mut buf).iter() {
                acc = (acc << 16) | u32::from(unit);
                nbits += 16;
                while nbits >= 6 {
                    nbits -= 6;
                    out.push(base64_char(acc >> nbits));
                }
                acc &= (1 << nbits) - 1;
            }
        }
    }
    if in_run {
        close_run(&mut out, acc, nbits);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLLABORA_ENCODED: &str = "+HjwBoR2JAOsdhg +AgseVQFhHZkeQQ +Hg0e4R49Ae0dcw +AoIB0AFl-";
    const COLLABORA_DECODED: &str = "Ḽơᶉëᶆ ȋṕšᶙṁ ḍỡḽǭᵳ ʂǐť";

    #[test]
    fn decodes_spec_vectors() {
        let table: &[(&str, &str)] = &[
            ("madeup+AF8-name.wopitestx", "madeup_name.wopitestx"),
            ("madeup_name.wopitestx", "madeup_name.wopitestx"),
            ("+ANw-n+AO8-c+APg-d+AOk +IKw.docx", "Ünïcødé €.docx"),
            ("a+-b.docx", "a+b.docx"),
            ("+ZeVnLIqe-.xlsx", "日本語.xlsx"),
            ("+ZeVnLIqe.xlsx", "日本語.xlsx"),
            ("+2D3eAA-.pptx", "😀.pptx"),
            (COLLABORA_ENCODED, COLLABORA_DECODED),
            ("madeup+AF8-renamed", "madeup_renamed"),
            ("container+AF8-name", "container_name"),
        ];
        for &(input, expected) in table {
            assert_eq!(decode(input), Ok(expected.to_owned()), "decode({input:?})");
        }
    }

    #[test]
    fn decodes_edge_cases() {
        let table: &[(&str, &str)] = &[
            ("", ""),
            ("plain.docx", "plain.docx"),
            // Optional-direct characters are literal.
            ("a!\"#$%&*;<=>@[]^_`{|}b", "a!\"#$%&*;<=>@[]^_`{|}b"),
            ("+-", "+"),
            ("+-+-", "++"),
            ("a+--b", "a+-b"),
            // A `-` right after a run is consumed; a second one is literal.
            ("+AF8--x", "_-x"),
            // Run at the very end, with and without `-`.
            ("x+AF8", "x_"),
            ("x+AF8-", "x_"),
            // Two runs back to back.
            ("+AF8-+AF8-", "__"),
            // `+` inside a run is a base64 digit (`+AF8AKw-` is "_+").
            ("+AF8AKw-", "_+"),
            // Ill-formed `+` (not followed by base64 or `-`) stays literal.
            ("a+", "a+"),
            ("a+.b", "a+.b"),
            ("a+ b", "a+ b"),
            // Fewer than 16 bits: the run yields nothing.
            ("a+b.c", "a.c"),
            // Non-ASCII input is taken as UTF-8 text, unchanged (even with `+` in it).
            ("Ünïcødé+AF8-.docx", "Ünïcødé+AF8-.docx"),
            ("日本語.xlsx", "日本語.xlsx"),
        ];
        for &(input, expected) in table {
            assert_eq!(decode(input), Ok(expected.to_owned()), "decode({input:?})");
        }
    }

    #[test]
    fn rejects_unpaired_surrogates() {
        let table: &[(&str, u16)] = &[
            // Lone high surrogate D83D.
            ("+2D0-", 0xD83D),
            ("a+2D0-.docx", 0xD83D),
            // Lone low surrogate DE00.
            ("+3gA-", 0xDE00),
            // High surrogate followed by a non-surrogate unit.
            ("+2D0AQQ-", 0xD83D),
            // High surrogate, then a literal before the low one.
            ("+2D0-x+3gA-", 0xD83D),
            // Low before high.
            ("+3gDYPQ-", 0xDE00),
        ];
        for &(input, surrogate) in table {
            assert_eq!(
                decode(input),
                Err(Utf7Error::UnpairedSurrogate(surrogate)),
                "decode({input:?})"
            );
        }
        assert_eq!(
            Utf7Error::UnpairedSurrogate(0xD83D).to_string(),
            "invalid UTF-7: unpaired UTF-16 surrogate U+D83D"
        );
    }

    #[test]
    fn encodes_like_dotnet() {
        let table: &[(&str, &str)] = &[
            ("", ""),
            ("madeup_name.wopitestx", "madeup+AF8-name.wopitestx"),
            ("madeup_renamed", "madeup+AF8-renamed"),
            ("a+b.docx", "a+-b.docx"),
            ("日本語.xlsx", "+ZeVnLIqe-.xlsx"),
            ("😀.pptx", "+2D3eAA-.pptx"),
            ("Ünïcødé €.docx", "+ANw-n+AO8-c+APg-d+AOk- +IKw-.docx"),
            ("Report (1), v2.docx", "Report (1), v2.docx"),
            ("it's a/b:c?", "it's a/b:c?"),
            ("_+", "+AF8AKw-"),
            ("~", "+AH4-"),
            ("tab\there", "tab+AAk-here"),
        ];
        for &(input, expected) in table {
            assert_eq!(encode(input), expected, "encode({input:?})");
        }
    }

    #[test]
    fn round_trips() {
        let table: &[&str] = &[
            "",
            "+",
            "++",
            "a+b",
            "_",
            "__init__.py",
            "_-",
            "é-",
            "😀-x",
            "-😀-",
            "😀😀😀",
            "a😀b",
            "madeup_name.wopitestx",
            "Ünïcødé €.docx",
            COLLABORA_DECODED,
            "日本語 テスト.xlsx",
            "!\"#$%&*;<=>@[]^_`{|}~\\",
            "\t\r\n\0",
            "+AF8-",
            "ends with run ü",
            "ü",
            "üü",
            "üüü",
            "üüüü",
        ];
        for &s in table {
            let encoded = encode(s);
            assert!(
                encoded.is_ascii(),
                "encode({s:?}) = {encoded:?} is not ASCII"
            );
            assert!(
                !encoded.contains(['\t', '\r', '\n', '\0']),
                "encode({s:?}) = {encoded:?} contains raw control characters"
            );
            assert_eq!(
                decode(&encoded),
                Ok(s.to_owned()),
                "round trip of {s:?} via {encoded:?}"
            );
        }
    }
}
