//! UTF-7 name headers (X-WOPI-SuggestedTarget, X-WOPI-RelativeTarget, X-WOPI-RequestedName):
//! decoding arbitrary bytes never panics, and encode/decode round-trips whatever decodes.
#![no_main]
use folio_wopi::utf7;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(decoded) = utf7::decode(text) {
        let again = utf7::encode(&decoded);
        assert!(again.is_ascii());
        assert_eq!(utf7::decode(&again).ok().as_deref(), Some(decoded.as_str()));
    }
});
