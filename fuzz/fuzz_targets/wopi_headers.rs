//! Lock ids, file ids and X-WOPI-Override dispatch from arbitrary header/path bytes.
#![no_main]
use folio_wopi::operation::{Endpoint, Method, WopiOperation};
use folio_wopi::{FileId, LockId};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(lock) = LockId::parse(text) {
        assert_eq!(lock.as_str(), text);
        assert!(text.len() <= 1024 && text.bytes().all(|b| (0x20..0x7f).contains(&b)));
    }
    if let Ok(id) = FileId::parse(text) {
        assert_eq!(id.as_str(), text);
    }
    let old = data.first().is_some_and(|b| b & 1 == 1);
    for method in [Method::Get, Method::Post, Method::Other] {
        for endpoint in [Endpoint::File, Endpoint::Contents] {
            if let Ok(op) = WopiOperation::parse(method, endpoint, Some(text), old) {
                let _ = op.required_permission();
                assert!(!op.name().is_empty());
            }
        }
    }
});
