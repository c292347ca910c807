//! `Range` headers of API downloads: an accepted range always lies inside the file.
#![no_main]
use folio_wopi::range::parse_byte_range;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let size = u64::from(first) * 997;
    if let Ok((a, b)) = parse_byte_range(text, size) {
        assert!(a <= b && b < size);
    }
});
