//! One byte range of an HTTP `Range` header (RFC 9110 §14.1.2), as Folio's downloads accept it:
//! `bytes=A-B`, `bytes=A-` and `bytes=-N`; several ranges are not served. Pure, never panics.

/// Why a `Range` value cannot be served (the caller answers 416).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsatisfiable;

/// The inclusive `(first, last)` byte positions `value` asks for in a representation of `size`
/// bytes. A last position past the end is clipped to it; a suffix longer than the whole is the
/// whole.
///
/// # Errors
///
/// [`Unsatisfiable`] for anything else: another unit, several ranges, malformed numbers, a first
/// position at or past the end, first > last, an empty representation.
pub fn parse_byte_range(value: &str, size: u64) -> Result<(u64, u64), Unsatisfiable> {
    let spec = value.trim().strip_prefix("bytes=").ok_or(Unsatisfiable)?;
    if spec.contains(',') {
        return Err(Unsatisfiable);
    }
    let (a, b) = spec.split_once('-').ok_or(Unsatisfiable)?;
    let number = |s: &str| -> Result<u64, Unsatisfiable> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Unsatisfiable);
        }
        s.parse().map_err(|_| Unsatisfiable)
    };
    let last_byte = size.checked_sub(1).ok_or(Unsatisfiable)?;
    let (start, end) = match (a.trim(), b.trim()) {
        ("", suffix) => {
            let n = number(suffix)?;
            if n == 0 {
                return Err(Unsatisfiable);
            }
            (size.saturating_sub(n), last_byte)
        }
        (a, "") => (number(a)?, last_byte),
        (a, b) => (number(a)?, number(b)?.min(last_byte)),
    };
    if start > end || start >= size {
        return Err(Unsatisfiable);
    }
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges() {
        let ok = |v: &str, size: u64, want: (u64, u64)| {
            assert_eq!(parse_byte_range(v, size), Ok(want), "{v} of {size}");
        };
        let bad = |v: &str, size: u64| {
            assert_eq!(
                parse_byte_range(v, size),
                Err(Unsatisfiable),
                "{v} of {size}"
            );
        };
        ok("bytes=0-0", 10, (0, 0));
        ok("bytes=0-9", 10, (0, 9));
        ok("bytes=2-100", 10, (2, 9));
        ok("bytes=5-", 10, (5, 9));
        ok("bytes=-3", 10, (7, 9));
        ok("bytes=-30", 10, (0, 9));
        ok(" bytes= 1 - 2 ", 10, (1, 2));
        bad("bytes=10-", 10);
        bad("bytes=3-2", 10);
        bad("bytes=-0", 10);
        bad("bytes=0-0", 0);
        bad("bytes=0-1,3-4", 10);
        bad("items=0-1", 10);
        bad("bytes=+1-2", 10);
        bad("bytes=1", 10);
        bad("bytes=a-b", 10);
        bad("bytes=99999999999999999999-", 10);
        bad("", 10);
    }
}
