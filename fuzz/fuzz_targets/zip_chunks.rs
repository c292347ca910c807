//! CSPP Plus zip chunking of content that arrived by PutFile: the sans-IO directory scan never
//! panics or reads outside the stream, and the chunker's chunks always partition the stream
//! exactly (lengths add up, each id is the hash of its bytes).
#![no_main]
use folio_wopi::chunked::ChunkId;
use folio_wopi::chunked::chunker::{ChunkerEvent, StreamChunker};
use folio_wopi::chunked::zip::{ScanStep, ZipScan};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut scan = ZipScan::new(data.len() as u64);
    let mut step = scan.start();
    let dir = loop {
        match step {
            ScanStep::Read { offset, len } => {
                let start = usize::try_from(offset).unwrap_or(usize::MAX);
                assert!(start <= data.len() && len <= data.len() - start, "reads stay inside");
                step = scan.resume(&data[start..start + len]);
            }
            ScanStep::Done(outcome) => break outcome.ok(),
        }
    };
    let mut chunker = match &dir {
        Some(d) => StreamChunker::zip(d),
        None => StreamChunker::full_file(),
    };
    let mut sigs = Vec::new();
    let mut bytes = Vec::new();
    let mut current = Vec::new();
    for piece in data.chunks(97) {
        let mut input = piece;
        while let Ok(Some(event)) = chunker.next_event(&mut input) {
            match event {
                ChunkerEvent::Data(d) => current.extend_from_slice(d),
                ChunkerEvent::Chunk(sig) => {
                    assert_eq!(sig.id, ChunkId::of(&current));
                    bytes.append(&mut current);
                    sigs.push(sig);
                }
            }
        }
    }
    if let Ok(Some(last)) = chunker.finish() {
        assert_eq!(last.id, ChunkId::of(&current));
        bytes.append(&mut current);
        sigs.push(last);
    }
    assert_eq!(bytes, data, "the chunks are the stream, in order");
    assert_eq!(sigs.iter().map(|s| s.length).sum::<u64>(), data.len() as u64);
});
