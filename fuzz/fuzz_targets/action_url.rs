//! Action-URL templates (discovery `urlsrc`) with arbitrary values: expansion never panics, and
//! a placeholder segment it understands is filled, not left raw. (The output may still contain
//! text that looks like a segment when the template's own fixed text forms one around a removed
//! segment: `<ui=UI_L<x=Y>LCC&>` → `<ui=UI_LLCC&>`; that is the template's text, not a segment.)
#![no_main]
use folio_wopi::action_url::{ActionUrlParams, build_action_url, encode_component, llcc};
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
    let _ = build_action_url(template, &params);
    // A segment after any template text is always understood and filled.
    let url = build_action_url(&format!("{template}<ui=UI_LLCC&>"), &params);
    let filled = format!("ui={}&", encode_component(&llcc(value)));
    assert!(url.contains(&filled), "{url:?} lacks {filled:?}");
    assert!(!url.ends_with("<ui=UI_LLCC&>"));
});
