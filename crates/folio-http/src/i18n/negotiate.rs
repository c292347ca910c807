//! Choosing a locale from `Accept-Language` (RFC 9110 §12.5.4): pure, table-tested.

/// The best of `available` (lowercase tags, the first is the default) for an `Accept-Language`
/// value: ranges by descending q (ties in the order written), each matched exactly or by its
/// primary subtag (`en-GB` → `en`), `*` meaning the default; `q=0` and malformed ranges are
/// skipped; no header, or nothing acceptable, gives the default. `hidden` tags (the
/// pseudo-locale) are matched only when named exactly, never by `*` or a prefix.
pub fn negotiate<'a>(header: Option<&str>, available: &[&'a str], hidden: &[&'a str]) -> &'a str {
    let default = available.first().copied().unwrap_or("en");
    let Some(header) = header else { return default };
    let mut ranges: Vec<(u16, usize, String)> = Vec::new();
    for (i, part) in header.split(',').enumerate().take(32) {
        let mut fields = part.split(';');
        let tag = fields.next().unwrap_or("").trim().to_ascii_lowercase();
        if tag.is_empty()
            || !(tag == "*" || tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        {
            continue;
        }
        let mut q = Some(1000u16);
        for param in fields {
            if let Some(v) = param.trim().strip_prefix("q=") {
                q = qvalue(v.trim());
            }
        }
        match q {
            Some(q) if q > 0 => ranges.push((q, i, tag)),
            _ => {}
        }
    }
    ranges.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, _, tag) in &ranges {
        if tag == "*" {
            return default;
        }
        if let Some(h) = hidden.iter().find(|h| **h == tag.as_str()) {
            return h;
        }
        let primary = tag.split('-').next().unwrap_or("");
        if let Some(a) = available
            .iter()
            .find(|a| **a == tag.as_str() || **a == primary)
        {
            return a;
        }
    }
    default
}

/// `q` as thousandths: `0`–`1` with at most three decimals.
fn qvalue(v: &str) -> Option<u16> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_value = format!("{frac:0<3}").parse::<u16>().ok()?;
    match int {
        "0" => Some(frac_value),
        "1" if frac_value == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_table() {
        let available = ["en", "de", "fr"];
        let hidden = ["qps-ploc"];
        let cases: &[(Option<&str>, &str)] = &[
            (None, "en"),
            (Some(""), "en"),
            (Some("de"), "de"),
            (Some("DE-at"), "de"),
            (Some("en-GB,en;q=0.9"), "en"),
            (Some("it, fr;q=0.5, de;q=0.8"), "de"),
            (Some("fr;q=0.5, de;q=0.5"), "fr"),
            (Some("fr;q=0.4, *;q=0.5"), "en"),
            (Some("*"), "en"),
            (Some("de;q=0, fr;q=0.001"), "fr"),
            (Some("de;q=0"), "en"),
            (Some("de;q=2, fr"), "fr"),
            (Some("de;q=0.1234, fr;q=0.1"), "fr"),
            (Some("de;q=abc, fr;q=0.1"), "fr"),
            (Some("ja, zh-Hant"), "en"),
            (Some("<script>, ;;, ,,=="), "en"),
            (Some("d\u{e9}"), "en"),
            (Some("qps-ploc"), "qps-ploc"),
            (Some("qps"), "en"),
            (Some("qps-ploc;q=0.5, de"), "de"),
        ];
        for (header, want) in cases {
            assert_eq!(negotiate(*header, &available, &hidden), *want, "{header:?}");
        }
    }

    #[test]
    fn qvalues() {
        let cases = [
            ("1", Some(1000)),
            ("1.000", Some(1000)),
            ("1.5", None),
            ("0", Some(0)),
            ("0.5", Some(500)),
            ("0.05", Some(50)),
            ("0.0001", None),
            ("", None),
            ("-1", None),
        ];
        for (v, want) in cases {
            assert_eq!(qvalue(v), want, "{v:?}");
        }
    }
}
