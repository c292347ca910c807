//! The Zip chunking rule (spec/cspp-plus.md §6.1) against the WOPI validator's bundled resources
//! (`tests/fixtures/zip-chunking`, copied from the validator): every `ChunkIds.txt` offset list
//! is reproduced, in memory and streamed, and the §12 table of Excel V1 is pinned id by id.

#![expect(
    clippy::unwrap_used,
    reason = "tests: a failed unwrap is a failed test"
)]

use std::collections::HashSet;

use folio_wopi::chunked::chunker::{StreamChunker, chunk_stream};
use folio_wopi::chunked::zip::{ScanStep, ZipDirectory, ZipScan, zip_boundaries};
use folio_wopi::chunked::{ChunkId, ChunkSignature};
use folio_wopi::wire::cspp::ChunkingScheme;

macro_rules! resource {
    ($dir:literal) => {
        (
            $dir,
            include_bytes!(concat!("fixtures/zip-chunking/", $dir, "/FileStream")) as &[u8],
            include_str!(concat!("fixtures/zip-chunking/", $dir, "/ChunkIds.txt")),
        )
    };
}

/// (resource, stream, offsets file) for all 12 resources.
const RESOURCES: [(&str, &[u8], &str); 12] = [
    resource!("NonZeroByteExcel/Version1/MainContent"),
    resource!("NonZeroByteExcel/Version1/AltContent"),
    resource!("NonZeroByteExcel/Version2/MainContent"),
    resource!("NonZeroByteExcel/Version2/AltContent"),
    resource!("NonZeroByteExcel/Version3/MainContent"),
    resource!("NonZeroByteExcel/Version3/AltContent"),
    resource!("NonZeroByteWord/Version1/MainContent"),
    resource!("NonZeroByteWord/Version2/MainContent"),
    resource!("NonZeroByteWord/Version3/MainContent"),
    resource!("NonZeroBytePpt/Version1/MainContent"),
    resource!("NonZeroBytePpt/Version2/MainContent"),
    resource!("NonZeroBytePpt/Version3/MainContent"),
];

fn offsets(text: &str) -> Vec<u64> {
    text.trim_start_matches('\u{feff}')
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim().parse().unwrap())
        .collect()
}

fn resource(name: &str) -> &'static [u8] {
    RESOURCES.iter().find(|r| r.0 == name).unwrap().1
}

fn ids(name: &str) -> Vec<ChunkId> {
    chunk_stream(resource(name))
        .1
        .iter()
        .map(|c| c.id)
        .collect()
}

#[test]
fn every_validator_offset_list_is_reproduced() {
    // (resource, chunks) as spec §6.1 counts them: 2 × entries + 1.
    let counts = [21, 21, 21, 21, 21, 21, 25, 25, 25, 75, 79, 79];
    for ((name, stream, list), count) in RESOURCES.iter().zip(counts) {
        let want = offsets(list);
        assert_eq!(want.len(), count, "{name}");
        assert_eq!(zip_boundaries(stream).as_ref(), Ok(&want), "{name}");

        // The same chunks when the stream arrives in awkward pieces.
        let dir = ZipDirectory::from_bytes(stream).unwrap();
        let mut ends = want[1..].to_vec();
        ends.push(stream.len() as u64);
        let expected: Vec<ChunkSignature> = want
            .iter()
            .zip(&ends)
            .map(|(&a, &b)| {
                let c = &stream[a as usize..b as usize];
                ChunkSignature {
                    id: ChunkId::of(c),
                    length: c.len() as u64,
                }
            })
            .collect();
        for piece in [1, 29, 30, 31, 4096] {
            let got = StreamChunker::zip(&dir)
                .signatures(stream.chunks(piece))
                .unwrap();
            assert_eq!(got, expected, "{name} in pieces of {piece}");
        }
        assert_eq!(
            chunk_stream(stream),
            (ChunkingScheme::Zip, expected),
            "{name}"
        );
    }
}

#[test]
fn excel_v1_main_content_table_of_the_spec() {
    // spec/cspp-plus.md §12: (offset, length, id) of the 21 chunks.
    let table: [(u64, u64, &str); 21] = [
        (0, 569, "DeXAW001MP4l5elGXDn28g=="),
        (569, 350, "NkIk3JE6bWJ9aChBWyhGZA=="),
        (919, 561, "+bha54LaPREchEduxbdVig=="),
        (1480, 244, "zjgOAYdrWacEUGYNiXJ3Ag=="),
        (1724, 45, "xitCs6xQZ/xIwplxs9maSQ=="),
        (1769, 780, "kJwPV66c1oV2ZYBQzBWi8g=="),
        (2549, 320, "ssdDUtkwwHjWwM8ALbaPgg=="),
        (2869, 243, "uf2nQLBMRA5xZZXSoTznHQ=="),
        (3112, 54, "loVnwUiFC+Yk4s9pPYqsMg=="),
        (3166, 680, "NdmUvl6JlO+X1svNg+g5uA=="),
        (3846, 49, "p+UOMG81TbXmEGVgb7k8cA=="),
        (3895, 1683, "Z0xOIrqbn10LPYIYu0G2vQ=="),
        (5578, 43, "ziiks6GXdErgiXvrks03bA=="),
        (5621, 688, "lFFzH0kQri9+N91rGabEAg=="),
        (6309, 50, "6e6jMt1cuhguftZ2FZ1mXw=="),
        (6359, 158, "jf6rBSTYdzZ1yrmjw/sazQ=="),
        (6517, 311, "hNwg9dZEV4L1jWDL+j0FrA=="),
        (6828, 331, "Kll8QHatZgzKIh6k2C6TxQ=="),
        (7159, 310, "yMOHmerUptcNk7g+483QLw=="),
        (7469, 393, "J7NhoLaJ+IUf2rTmtUDbyA=="),
        (7862, 662, "5R2NpDek+YvE4R/a0Lhfpw=="),
    ];
    let stream = resource("NonZeroByteExcel/Version1/MainContent");
    assert_eq!(stream.len(), 8524);
    let (scheme, sigs) = chunk_stream(stream);
    assert_eq!(scheme, ChunkingScheme::Zip);
    assert_eq!(sigs.len(), 21);
    let mut offset = 0;
    for (sig, (at, len, id)) in sigs.iter().zip(table) {
        assert_eq!(offset, at);
        assert_eq!(sig.length, len, "chunk at {at}");
        assert_eq!(sig.id.to_base64(), id, "chunk at {at}");
        offset += sig.length;
    }
}

#[test]
fn excel_versions_share_what_the_spec_says() {
    let main1 = ids("NonZeroByteExcel/Version1/MainContent");
    let main2 = ids("NonZeroByteExcel/Version2/MainContent");
    let alt1 = ids("NonZeroByteExcel/Version1/AltContent");
    let alt2 = ids("NonZeroByteExcel/Version2/AltContent");
    // V1 → V2 MainContent changes chunks 4, 5, 8, 9, 14, 15, 16, 17, 20.
    let changed: Vec<usize> = (0..21).filter(|&i| main1[i] != main2[i]).collect();
    assert_eq!(changed, [4, 5, 8, 9, 14, 15, 16, 17, 20]);
    // V1 main and alt share 12 ids: the first upload of both carries 30 Chunk frames.
    let m1: HashSet<ChunkId> = main1.iter().copied().collect();
    let a1: HashSet<ChunkId> = alt1.iter().copied().collect();
    assert_eq!(m1.intersection(&a1).count(), 12);
    assert_eq!(m1.union(&a1).count(), 30);
    // The V1 → V2 delta upload of both streams carries 18.
    let new_main: HashSet<ChunkId> = main2.iter().filter(|i| !m1.contains(i)).copied().collect();
    let new_alt: HashSet<ChunkId> = alt2.iter().filter(|i| !a1.contains(i)).copied().collect();
    assert_eq!(new_main.union(&new_alt).count(), 18);
    assert_eq!(alt1[20].to_base64(), "6NpkKBZ/D8ehRpwdm88pfw==");
}

#[test]
fn sans_io_scan_of_a_resource() {
    let stream = resource("NonZeroBytePpt/Version1/MainContent");
    let mut scan = ZipScan::new(stream.len() as u64);
    let mut step = scan.start();
    let mut reads = Vec::new();
    let dir = loop {
        match step {
            ScanStep::Read { offset, len } => {
                reads.push((offset, len));
                let at = offset as usize;
                step = scan.resume(&stream[at..at + len]);
            }
            ScanStep::Done(outcome) => break outcome.unwrap(),
        }
    };
    // Signature, tail (the whole 32 KB file here), central directory.
    assert_eq!(reads.len(), 3, "{reads:?}");
    assert_eq!(dir.local_headers.len(), 37);
    // Ppt V1 repeats one data chunk 11 times (slideLayout1–11 .rels): a signature may repeat ids.
    let repeated = ChunkId::parse("yGTyLVckeom5/wzvOSG6jw==").unwrap();
    let n = ids("NonZeroBytePpt/Version1/MainContent")
        .iter()
        .filter(|&&i| i == repeated)
        .count();
    assert_eq!(n, 11);
}
