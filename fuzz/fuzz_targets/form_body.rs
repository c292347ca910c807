//! Page form bodies: arbitrary bytes through axum's `Form` extractor (serde_urlencoded) into
//! every form type of the pages (sign-in, sign-out, admin, file and folder actions, sharing);
//! the sign-in form's `next` always resolves to a same-origin path. Never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let accepted = folio_http::fuzzing::form_bodies(data);
    assert!(accepted <= 9);
});
