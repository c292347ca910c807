//! File names from PutRelativeFile / RenameFile / uploads: sanitize always gives a legal name,
//! alternatives stay legal, rename targets are legal when accepted.
#![no_main]
use folio_wopi::naming;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (a, b) = text.split_once('\u{0}').unwrap_or((text, ".docx"));
    let clean = naming::sanitize(a);
    assert!(naming::validate_file_name(&clean).is_ok(), "{clean:?}");
    let n = u32::from(data.first().copied().unwrap_or(0)) * 1000;
    assert!(naming::validate_file_name(&naming::nth_alternative(&clean, n)).is_ok());
    assert!(naming::validate_file_name(&naming::suggested_target(a, b)).is_ok());
    if let Ok(name) = naming::rename_target(&clean, b) {
        assert!(naming::validate_file_name(&name).is_ok());
    }
});
