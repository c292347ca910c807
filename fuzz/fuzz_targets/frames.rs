//! CSPP Plus frame bodies (PutChunkedFile / GetChunkedFile): the incremental decoder never
//! panics, agrees with the one-shot decoder whatever the split, only reports chunks whose bytes
//! hash to their id, and its MessageJSON goes through both request parsers.
#![no_main]
use folio_wopi::chunked::ChunkId;
use folio_wopi::chunked::frames::{self, FrameDecoder, FrameEvent, FrameLimits};
use folio_wopi::wire::cspp::{GetChunkedFileRequest, PutChunkedFileRequest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&split, body)) = data.split_first() else {
        return;
    };
    let limits = FrameLimits {
        max_message: 1 << 20,
        max_chunk: 1 << 20,
        max_body: 1 << 22,
        ..FrameLimits::default()
    };
    let whole = frames::decode_body(body, limits);
    let mut decoder = FrameDecoder::new(limits);
    let mut current = Vec::new();
    let mut chunks = Vec::new();
    let mut message = None;
    let mut failed = false;
    let step = usize::from(split).max(1);
    'outer: for piece in body.chunks(step) {
        let mut input = piece;
        loop {
            match decoder.next_event(&mut input) {
                Ok(Some(FrameEvent::Message(m))) => message = Some(m),
                Ok(Some(FrameEvent::ChunkStart { .. })) => current.clear(),
                Ok(Some(FrameEvent::Data(d))) => current.extend_from_slice(d),
                Ok(Some(FrameEvent::ChunkEnd { id, length })) => {
                    assert_eq!(ChunkId::of(&current), id, "only verified chunks are reported");
                    assert_eq!(current.len() as u64, length);
                    chunks.push((id, std::mem::take(&mut current)));
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => {
                    failed = true;
                    break 'outer;
                }
            }
        }
    }
    let streamed_ok = !failed && decoder.finish().is_ok();
    match whole {
        Ok(decoded) => {
            assert!(streamed_ok, "the one-shot decoder accepted what the streamed one refused");
            assert_eq!(Some(decoded.message.clone()), message);
            assert_eq!(decoded.chunks, chunks);
            let _ = GetChunkedFileRequest::parse(&decoded.message);
            let _ = PutChunkedFileRequest::parse(&decoded.message);
        }
        Err(_) => assert!(!streamed_ok, "the streamed decoder accepted what the one-shot refused"),
    }
});
