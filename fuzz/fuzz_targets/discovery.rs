//! Discovery XML from an editor (or an attacker controlling its URL): parses or is refused; a
//! parsed document answers lookups without panicking.
#![no_main]
use folio_wopi::discovery;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = discovery::parse(text) {
        assert!(!d.apps.is_empty());
        let _ = d.origins();
        for ext in ["docx", "xlsx", "wopitest", ""] {
            let _ = d.default_action(ext);
            let _ = d.find(ext, "edit");
            let _ = d.actions_for(ext);
        }
    }
});
