//! Action-URL templates (discovery `urlsrc`) with arbitrary values: expansion never panics and
//! the output never contains a raw placeholder segment it understood.
#![no_main]
use folio_wopi::action_url::{ActionUrlParams, build_action_url, llcc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (template, value) = text.split_once('\u{0}').unwrap_or((text, "https://h/wopi/files/x"));
    let params = ActionUrlParams {
        wopi_src: value.to_owned(),
        ui_llcc: Some(llcc(value)),
        session_context: Some(value.to_owned()),
        ..Default::default()
    };
    let url = build_action_url(template, &params);
    assert!(!url.contains("<ui=UI_LLCC&>"));
});
