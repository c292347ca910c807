//! `/api/v1` JSON bodies: arbitrary bytes through the API's JSON extractor (`ApiJson`, which
//! refuses malformed JSON and unknown fields) into every request type it accepts
//! (`POST /sessions`, `PATCH /files/{id}`, `PUT /users/{id}`): accepted or refused, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let accepted = folio_http::fuzzing::api_json_bodies(data);
    assert!(accepted <= 3);
});
