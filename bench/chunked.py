#!/usr/bin/env python3
"""CSPP Plus incremental-transfer benchmark (issue 11), run by bench/chunked.sh.

"PutChunkedFile of a 100 MB .pptx where one slide changed sends a small fraction of the bytes a
full PutFile sends; print bytes on the wire and wall time for both."

Steps, against a Folio whose token belongs to an editor enrolled in CSPP Plus:
  1. Generate a ~100 MB .pptx-LIKE zip with zipfile: [Content_Types].xml, _rels, presentation.xml,
     many ppt/slides/slideN.xml (+ their .rels; deflated) and a few large ppt/media/*.bin entries of
     random bytes (stored). It has the shape of a PowerPoint package but is NOT a valid
     presentation: it does not open in PowerPoint.
  2. Chunk it by the Zip rule of spec/cspp-plus.md §6.1 (boundaries at every local header, every
     entry's data start and the central directory offset); ChunkId = SpookyHash V2 128, seeds 0/0,
     h1 LE || h2 LE, Base64 (PyPI spookyhash 2.1.1).
  3. Take a coauth lock (GET_COAUTH_LOCK, Coauth) -- or with --lock wopi a WOPI lock (LOCK) --
     and upload version 1 with PutChunkedFile, all chunks. Read the host's signature back with
     GetChunkedFile (ChunksToReturn None) and check it equals the client's.
  4. Change one slide's XML, re-zip in the same order, chunk it, and PutChunkedFile only the chunks
     that are not in the host's previous signature, with the X-WOPI-SequenceNumber of the
     previous response. Measure body bytes, wall time, the growth of the blob directory and the
     server's peak RSS (VmHWM, reset before the upload) during the upload.
  5. Check: GetFile returns exactly the new bytes (SHA-256); GetChunkedFile with the new signature
     as AlreadyKnownChunks returns 0 Chunk frames.
  6. Release the coauth lock, take a WOPI lock, PutFile the same changed document in full;
     measure the same figures; GetFile again.

What is saved is transfer AND storage: when a PutChunkedFile reuses most of the current
MainContent (>= 1 MiB and >= half the document), Folio writes only the chunks that are not
already stored, as one new blob, and records the new version as segments -- byte ranges of that
blob and of the blobs it already had (content_segments). So the blob directory grows by about
the changed chunks. It still reads the whole new content once, through its segments, to compute
its SHA-256 (and to prove every range readable before the commit).

MB means MiB (2^20 bytes). Wall times are measured by this client around one HTTP request (from
sending the first byte to reading the whole response), on the same machine as the server.
Only the Python standard library and spookyhash are used.
"""

import argparse
import base64
import hashlib
import http.client
import io
import json
import os
import random
import struct
import sys
import threading
import time
import urllib.parse
import zipfile

import spookyhash

MiB = 1 << 20

# ----------------------------------------------------------------------------- chunk ids, zip rule


def chunk_id(data):
    """SpookyHash V2 128 (seeds 0, 0): h1 little-endian || h2 little-endian, Base64."""
    # spookyhash.hash128 returns h2 << 64 | h1; 16 little-endian bytes are h1 LE || h2 LE.
    v = spookyhash.hash128(data, 0, 0)
    return base64.b64encode(v.to_bytes(16, "little")).decode("ascii")


def raw_id(b64):
    return base64.b64decode(b64)


assert chunk_id(b"") == "GQn1a/wGJyPHUei0Ze5yiw=="  # spec §12 vectors
assert chunk_id(b"hello") == "yuaC02qCaDdD4BrH0R6UXA=="
assert chunk_id(b"SampleTextVersion-1") == "OpSWhpt12BRkuGX4z7bQPg=="


def zip_boundaries(data):
    """Chunk boundaries of spec §6.1: 0, each entry's local header offset and data start (from
    the LOCAL header's name and extra lengths), and the central directory offset. No Zip64."""
    eocd = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if eocd < 0:
        raise ValueError("no end of central directory record")
    (_, _, _, _, entries, cd_size, cd_offset, _) = struct.unpack_from("<IHHHHIIH", data, eocd)
    bounds = {0, cd_offset}
    pos = cd_offset
    for _ in range(entries):
        sig, = struct.unpack_from("<I", data, pos)
        if sig != 0x02014B50:
            raise ValueError("bad central directory entry at %d" % pos)
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, pos + 28)
        local, = struct.unpack_from("<I", data, pos + 42)
        lsig, = struct.unpack_from("<I", data, local)
        if lsig != 0x04034B50:
            raise ValueError("bad local header at %d" % local)
        lname, lextra = struct.unpack_from("<HH", data, local + 26)
        bounds.add(local)
        bounds.add(local + 30 + lname + lextra)
        pos += 46 + name_len + extra_len + comment_len
    bounds = sorted(b for b in bounds if b < len(data))
    return bounds


def signature(data):
    """[(ChunkId, offset, length)] of the Zip scheme."""
    b = zip_boundaries(data) + [len(data)]
    return [(chunk_id(data[s:e]), s, e - s) for s, e in zip(b, b[1:])]


# ----------------------------------------------------------------------------- frames (spec §5.1)

END_FRAME = struct.pack(">IIQ", 1, 0, 0)


def frame(ftype, ext, payload_len):
    return struct.pack(">IIQ", ftype, len(ext), payload_len) + ext


def message_frame(obj):
    js = json.dumps(obj, separators=(",", ":")).encode("utf-8")
    return frame(2, b"", len(js)) + js


def parse_frames(body):
    """[(type, ext, payload)] up to and including the EndFrame."""
    out, pos = [], 0
    while True:
        if pos + 16 > len(body):
            raise ValueError("truncated frame header at %d (no EndFrame)" % pos)
        ftype, ext_len, size = struct.unpack_from(">IIQ", body, pos)
        pos += 16
        if ftype == 1:
            out.append((1, b"", b""))
            return out
        ext = body[pos:pos + ext_len]
        pos += ext_len
        payload = body[pos:pos + size]
        if len(payload) != size:
            raise ValueError("truncated frame payload")
        pos += size
        out.append((ftype, ext, payload))


# ----------------------------------------------------------------------------- the document


def make_deck(slides, media_mb, media_files, changed_slide=None, seed=11):
    """A .pptx-like zip (not a valid presentation). Deterministic for a seed: entries in one
    order with fixed timestamps, so re-zipping with one slide changed changes only that entry
    (its local header and data) and the central directory."""
    rnd = random.Random(seed)
    ts = (2025, 1, 1, 0, 0, 0)
    buf = io.BytesIO()

    def add(zf, name, data, method):
        zi = zipfile.ZipInfo(name, ts)
        zi.compress_type = method
        zf.writestr(zi, data)

    words = ("alpha beta gamma delta quarterly revenue growth forecast market share customer "
             "segment roadmap milestone risk mitigation budget headcount synergy pipeline").split()
    with zipfile.ZipFile(buf, "w") as zf:
        ct = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="'
              'http://schemas.openxmlformats.org/package/2006/content-types">']
        ct += ['<Override PartName="/ppt/slides/slide%d.xml" ContentType="application/'
               'vnd.openxmlformats-officedocument.presentationml.slide+xml"/>' % i
               for i in range(1, slides + 1)]
        ct.append("</Types>")
        add(zf, "[Content_Types].xml", "".join(ct), zipfile.ZIP_DEFLATED)
        add(zf, "_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Target='
            '"ppt/presentation.xml"/></Relationships>', zipfile.ZIP_DEFLATED)
        add(zf, "ppt/presentation.xml", '<?xml version="1.0"?><p:presentation xmlns:p="http://'
            'schemas.openxmlformats.org/presentationml/2006/main"><p:sldIdLst>%s</p:sldIdLst>'
            '</p:presentation>' % "".join('<p:sldId id="%d" r:id="rId%d"/>' % (255 + i, i)
                                          for i in range(1, slides + 1)), zipfile.ZIP_DEFLATED)
        for i in range(1, slides + 1):
            paras = []
            for p in range(40):
                text = " ".join(rnd.choice(words) for _ in range(12))
                if i == changed_slide and p == 7:
                    text = "EDITED: this paragraph of slide %d changed in version 2" % i
                paras.append('<a:p><a:r><a:rPr lang="en-US" sz="%d"/><a:t>%s</a:t></a:r></a:p>'
                             % (1200 + 100 * (p % 8), text))
            xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<p:sld xmlns:a="'
                   'http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:p="http://'
                   'schemas.openxmlformats.org/presentationml/2006/main"><p:cSld><p:spTree>'
                   '<p:sp><p:txBody>%s</p:txBody></p:sp></p:spTree></p:cSld></p:sld>'
                   % "".join(paras))
            add(zf, "ppt/slides/slide%d.xml" % i, xml, zipfile.ZIP_DEFLATED)
            add(zf, "ppt/slides/_rels/slide%d.xml.rels" % i, '<?xml version="1.0"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                'relationships"><Relationship Id="rId1" Target="../media/image%d.bin"/>'
                '</Relationships>' % (1 + i % media_files), zipfile.ZIP_DEFLATED)
        per = media_mb * MiB // media_files
        mrnd = random.Random(seed + 1)
        for m in range(1, media_files + 1):
            # Random bytes, stored (media in real decks is already compressed).
            add(zf, "ppt/media/image%d.bin" % m, mrnd.randbytes(per), zipfile.ZIP_STORED)
    return buf.getvalue()


# ----------------------------------------------------------------------------- HTTP


class Wopi:
    def __init__(self, wopi_src, token):
        u = urllib.parse.urlsplit(wopi_src)
        self.host, self.port = u.hostname, u.port or 80
        self.path = u.path
        self.query = "access_token=" + urllib.parse.quote(token, safe="")

    def request(self, method, suffix, headers=None, body=None, length=None, expect=(200,)):
        """One request on a fresh connection. body: bytes, or an iterable of bytes with
        `length` (sent with Content-Length, not chunked). Returns (status, headers, body,
        seconds, request body bytes)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=600)
        h = dict(headers or {})
        if body is None:
            body, length = b"", 0
        if isinstance(body, (bytes, bytearray)):
            length = len(body)
        h["Content-Length"] = str(length)
        start = time.perf_counter()
        conn.putrequest(method, "%s%s?%s" % (self.path, suffix, self.query),
                        skip_accept_encoding=True)
        for k, v in h.items():
            conn.putheader(k, v)
        conn.endheaders()
        if isinstance(body, (bytes, bytearray)):
            if body:
                conn.send(body)
        else:
            for piece in body:
                conn.send(piece)
        resp = conn.getresponse()
        data = resp.read()
        secs = time.perf_counter() - start
        conn.close()
        if resp.status not in expect:
            raise SystemExit("chunked.py: %s %s (%s) -> HTTP %d %s: %s" % (
                method, suffix or "/", h.get("X-WOPI-Override", "GET"), resp.status,
                dict(resp.getheaders()), data[:300]))
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data, secs, length


def put_chunked_body(sig, data, send_ids):
    """(iterator of bytes, length): MessageJSON + one Chunk frame per id in send_ids + EndFrame.
    Chunk bytes are sliced from `data` as the body is sent."""
    msg = message_frame({
        "ContentProperties": [],
        "Signatures": [{
            "ChunkSignatures": [{"ChunkId": cid, "Length": ln} for cid, _, ln in sig],
            "ChunkingScheme": "Zip",
            "StreamId": "MainContent",
        }],
        "UploadSessionTokenToCommit": None,
    })
    first = {}
    for cid, off, ln in sig:
        first.setdefault(cid, (off, ln))
    parts = [(cid,) + first[cid] for cid in send_ids]
    length = len(msg) + sum(16 + 16 + ln for _, _, ln in parts) + len(END_FRAME)
    payload = sum(ln for _, _, ln in parts)

    def gen():
        yield msg
        for cid, off, ln in parts:
            yield frame(3, raw_id(cid), ln)
            view = memoryview(data)[off:off + ln]
            for i in range(0, ln, 1 << 20):
                yield view[i:i + (1 << 20)]
        yield END_FRAME
    return gen(), length, payload


def get_chunked_body(known, to_return="All"):
    return message_frame({
        "ContentFilters": [{
            "AlreadyKnownChunks": known,
            "ChunkingScheme": "Zip",
            "ChunksToReturn": to_return,
            "StreamId": "MainContent",
        }],
        "ContentPropertiesToReturn": [],
    }) + END_FRAME


# ----------------------------------------------------------------------------- measurements


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except FileNotFoundError:
                pass
    return total


def status_kb(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def reset_hwm(pid):
    try:
        with open("/proc/%d/clear_refs" % pid, "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


class Sampler(threading.Thread):
    """Polls a directory's size (the server's spool files) every 10 ms; keeps the peak."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.peak, self.stop = path, 0, threading.Event()

    def run(self):
        while not self.stop.wait(0.01):
            if self.path:
                self.peak = max(self.peak, dir_bytes(self.path))

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.join()


def mb(n):
    return "%.2f MB" % (n / MiB)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wopi-src", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--server-pid", type=int, required=True)
    ap.add_argument("--blob-dir", required=True)
    ap.add_argument("--spool-dir", help="the server's spool directory, to report its peak size")
    ap.add_argument("--work", default=".")
    ap.add_argument("--label", default="")
    ap.add_argument("--slides", type=int, default=400)
    ap.add_argument("--media-files", type=int, default=8)
    ap.add_argument("--size-mb", type=int, default=100, help="about this many MiB of media")
    ap.add_argument("--changed-slide", type=int, default=123)
    ap.add_argument("--lock", choices=("coauth", "wopi"), default="coauth",
                    help="lock the chunked uploads are made under (default coauth)")
    a = ap.parse_args()
    if not 1 <= a.changed_slide <= a.slides:
        ap.error("--changed-slide must be between 1 and --slides")
    w = Wopi(a.wopi_src, a.token)
    pid = a.server_pid
    say = lambda *m: print("chunked.py:", *m, file=sys.stderr, flush=True)

    # CheckFileInfo: the CSPP Plus properties must be there.
    _, _, body, _, _ = w.request("GET", "")
    cfi = json.loads(body)
    if cfi.get("SupportsCoauth") is not True or "SequenceNumber" not in cfi:
        raise SystemExit("chunked.py: CheckFileInfo is not the CSPP Plus one: %s" % cfi)
    say("CheckFileInfo: SupportsCoauth, SequenceNumber %s, Size %s" % (
        cfi["SequenceNumber"], cfi.get("Size")))

    t = time.perf_counter()
    v1 = make_deck(a.slides, a.size_mb, a.media_files)
    v2 = make_deck(a.slides, a.size_mb, a.media_files, changed_slide=a.changed_slide)
    gen_s = time.perf_counter() - t
    t = time.perf_counter()
    sig1 = signature(v1)
    sig2 = signature(v2)
    sig_s = time.perf_counter() - t
    entries = len(zipfile.ZipFile(io.BytesIO(v2)).infolist())
    say("generated v1 %s and v2 %s (%d entries) in %.1f s; chunked both in %.2f s" % (
        mb(len(v1)), mb(len(v2)), entries, gen_s, sig_s))
    assert len(sig2) == 2 * entries + 1

    # Lock.
    coauth_id, wopi_lock = "", ""
    if a.lock == "coauth":
        coauth_id = "bench-client-1"
        w.request("POST", "", {"X-WOPI-Override": "GET_COAUTH_LOCK",
                               "X-WOPI-CoauthLockId": coauth_id,
                               "X-WOPI-CoauthLockType": "Coauth",
                               "X-WOPI-CoauthLockExpirationTimeout": "3600"})
    else:
        wopi_lock = "bench-lock"
        w.request("POST", "", {"X-WOPI-Override": "LOCK", "X-WOPI-Lock": wopi_lock})
    lock_headers = {"X-WOPI-Lock": wopi_lock, "X-WOPI-CoauthLockId": coauth_id,
                    "X-WOPI-Editors": ""}

    def put_chunked(sig, data, send_ids, seq):
        gen, length, payload = put_chunked_body(sig, data, send_ids)
        h = dict(lock_headers, **{"X-WOPI-Override": "PUT_CHUNKED_FILE",
                                  "X-WOPI-SequenceNumber": str(seq)})
        _, rh, _, secs, sent = w.request("POST", "/contents", h, gen, length)
        if "x-wopi-sequencenumber" not in rh or "x-wopi-itemversion" not in rh:
            raise SystemExit("chunked.py: PutChunkedFile 200 without sequence/version headers")
        return rh, secs, sent, payload

    def get_chunked(known, to_return="All"):
        body = get_chunked_body(known, to_return)
        _, rh, data, secs, _ = w.request("POST", "", {"X-WOPI-Override": "GET_CHUNKED_FILE"},
                                         body)
        frames = parse_frames(data)
        if frames[0][0] != 2:
            raise SystemExit("chunked.py: GetChunkedFile response does not start with MessageJSON")
        msg = json.loads(frames[0][2])
        chunks = [f for f in frames if f[0] == 3]
        return rh, msg, chunks, len(data), secs

    # 1. Version 1, all chunks.
    seq = int(cfi["SequenceNumber"])
    ids1 = list(dict.fromkeys(c for c, _, _ in sig1))
    blobs0 = dir_bytes(a.blob_dir)
    rh, secs1, sent1, _ = put_chunked(sig1, v1, ids1, seq)
    blobs1 = dir_bytes(a.blob_dir)
    say("v1 PutChunkedFile (all %d chunks): %s in %.2f s, seq %s -> %s" % (
        len(ids1), mb(sent1), secs1, seq, rh["x-wopi-sequencenumber"]))

    # The host's signature (what a client reads back before its next upload).
    rh, msg, chunks, _, _ = get_chunked([], "None")
    host_sig = msg["Signatures"][0]
    got = [(c["ChunkId"], c["Length"]) for c in host_sig["ChunkSignatures"]]
    if host_sig["ChunkingScheme"] != "Zip" or got != [(c, l) for c, _, l in sig1] or chunks:
        raise SystemExit("chunked.py: the host's v1 signature differs from the client's "
                         "(scheme %s, %d chunks, %d frames)" % (
                             host_sig["ChunkingScheme"], len(got), len(chunks)))
    seq = int(rh["x-wopi-sequencenumber"])
    host_known = {c for c, _ in got}

    # 2. Version 2: only the chunks the host does not have.
    send2 = [c for c in dict.fromkeys(c for c, _, _ in sig2) if c not in host_known]
    hwm_reset = reset_hwm(pid)
    rss_before = status_kb(pid, "VmRSS")
    with Sampler(a.spool_dir) as spool:
        rh, secs2, sent2, payload2 = put_chunked(sig2, v2, send2, seq)
    hwm_chunked = status_kb(pid, "VmHWM")
    blobs2 = dir_bytes(a.blob_dir)
    seq2 = int(rh["x-wopi-sequencenumber"])
    if seq2 <= seq:
        raise SystemExit("chunked.py: the sequence number did not increase (%d -> %d)" % (seq, seq2))
    changed = [i for i, (c1, c2) in enumerate(zip(sig1, sig2)) if c1[0] != c2[0]]
    say("v2 PutChunkedFile (%d of %d chunks, positions %s): %s in %.3f s, seq %d -> %d" % (
        len(send2), len(sig2), changed, mb(sent2), secs2, seq, seq2))

    # 3. Correctness.
    _, _, got_bytes, get_secs, _ = w.request("GET", "/contents")
    sha_want = hashlib.sha256(v2).hexdigest()
    sha_got = hashlib.sha256(got_bytes).hexdigest()
    if sha_got != sha_want:
        raise SystemExit("chunked.py: GetFile after PutChunkedFile: sha256 %s, want %s (%d bytes, "
                         "want %d)" % (sha_got, sha_want, len(got_bytes), len(v2)))
    rh, msg, chunks, resp_len, _ = get_chunked([c for c, _, _ in sig2], "All")
    host2 = [(c["ChunkId"], c["Length"]) for c in msg["Signatures"][0]["ChunkSignatures"]]
    if chunks or host2 != [(c, l) for c, _, l in sig2]:
        raise SystemExit("chunked.py: GetChunkedFile knowing all v2 chunks: %d chunk frames, "
                         "signature %s the client's" % (
                             len(chunks), "equals" if host2 == [(c, l) for c, _, l in sig2]
                             else "differs from"))
    seq_get = int(rh["x-wopi-sequencenumber"])
    # Also: knowing v1's chunks, the host sends exactly the changed ones.
    _, _, chunks_v1, _, _ = get_chunked([c for c, _, _ in sig1], "All")
    delta_ok = sorted(raw_id(c) for c in send2) == sorted(f[1] for f in chunks_v1) and all(
        raw_id(chunk_id(f[2])) == f[1] for f in chunks_v1)
    if not delta_ok:
        raise SystemExit("chunked.py: GetChunkedFile knowing v1 returned %d frames, want %d" % (
            len(chunks_v1), len(send2)))

    # 4. Full PutFile of the same changed document, under a WOPI lock.
    if coauth_id:
        w.request("POST", "", {"X-WOPI-Override": "UNLOCK_COAUTH_LOCK",
                               "X-WOPI-CoauthLockId": coauth_id})
        wopi_lock = "bench-lock"
        w.request("POST", "", {"X-WOPI-Override": "LOCK", "X-WOPI-Lock": wopi_lock})
    hwm_reset2 = reset_hwm(pid)
    rss_before_put = status_kb(pid, "VmRSS")
    blobs3 = dir_bytes(a.blob_dir)
    _, rh, _, secs3, sent3 = w.request("POST", "/contents", {
        "X-WOPI-Override": "PUT", "X-WOPI-Lock": wopi_lock}, v2)
    hwm_put = status_kb(pid, "VmHWM")
    blobs4 = dir_bytes(a.blob_dir)
    w.request("POST", "", {"X-WOPI-Override": "UNLOCK", "X-WOPI-Lock": wopi_lock})
    _, _, got_bytes, _, _ = w.request("GET", "/contents")
    if hashlib.sha256(got_bytes).hexdigest() != sha_want:
        raise SystemExit("chunked.py: GetFile after PutFile returned other bytes")
    # After a PutFile Folio derives the signature from the bytes itself (its own zip chunker):
    # it must equal the client's.
    _, msg, chunks, _, sig_secs = get_chunked([], "None")
    host3 = [(c["ChunkId"], c["Length"]) for c in msg["Signatures"][0]["ChunkSignatures"]]
    if host3 != [(c, l) for c, _, l in sig2] or msg["Signatures"][0]["ChunkingScheme"] != "Zip":
        raise SystemExit("chunked.py: after PutFile the host-computed signature (%s, %d chunks) "
                         "differs from the client's (Zip, %d chunks)" % (
                             msg["Signatures"][0]["ChunkingScheme"], len(host3), len(sig2)))

    # ------------------------------------------------------------------------- report
    stored2 = blobs2 - blobs1
    stored3 = blobs4 - blobs3
    pct = 100.0 * sent2 / sent3
    print("""
== Folio CSPP Plus benchmark: PutChunkedFile vs PutFile ({label}) ==
document: {size} ({n} bytes) .pptx-like zip, {entries} entries ({slides} slides + rels, {mf} stored
  media entries of random bytes); generated with zipfile, NOT a valid presentation.
  Version 2 changes one paragraph of ppt/slides/slide{cs}.xml; chunks: {chunks} (Zip scheme,
  spec 6.1), of which {nchanged} differ from version 1 (local header + data of that slide, and
  the central directory). Lock for the chunked uploads: {lock}.
  Version 1 went up first as a PutChunkedFile of all {n1} distinct chunks: {sent1} in {secs1:.2f} s.

                     request body on the wire   wall time   Folio stored (blob dir growth)
  PutChunkedFile v2  {sent2:>12,d} B ({sent2m:>9})  {secs2:>8.3f} s   {stored2:>12,d} B ({stored2m})
  PutFile v2 (full)  {sent3:>12,d} B ({sent3m:>9})  {secs3:>8.3f} s   {stored3:>12,d} B ({stored3m})
  chunked / full     {pct:.4f} % of the bytes ({ratio:,.0f}x fewer); wall time {tratio:.2f}x the PutFile's

  Server side, Folio stores the {sentn} new chunks as one new blob and the version as segments of
    that blob and the previous ones ({copied} unchanged, not copied); it reads the whole content
    once through its segments for the SHA-256. The saving on the wire, arithmetic, not measured:
    at 100 Mbit/s the request bodies alone take {w2:.3f} s (chunked) vs {w3:.2f} s (full).
  PutChunkedFile v2 body: MessageJSON with the full signature ({chunks} chunk ids) + {sentn} Chunk
    frames carrying {payload2:,d} B of chunk data + EndFrame.
  Stored: {spct:.4f} % of what the full PutFile stored.
  Server peak RSS (VmHWM; reset before each upload: {reset}):
    PutChunkedFile: RSS before {rb:.1f} MB, peak during {hwm2:.1f} MB
    PutFile:        RSS before {rbp:.1f} MB, peak during {hwm3:.1f} MB
    (a {size} document: only the incoming chunks, and stored chunks needed out of order, are
    spooled to disk -- peak spool size seen {spool})
checks: GetFile after PutChunkedFile = the v2 bytes (sha256 {sha}); GetChunkedFile knowing all v2
  chunks -> 0 Chunk frames ({resp_len} B response); knowing v1 -> exactly the {sentn} changed chunks;
  host signature = client signature; sequence number {s1} -> {s2} (GetChunkedFile {sg});
  after PutFile, Folio's own Zip chunker reproduces the client's signature (first GetChunkedFile
  computes it: {sig_secs:.2f} s).
""".format(
        label=a.label, size=mb(len(v2)), n=len(v2), entries=entries, slides=a.slides,
        mf=a.media_files, cs=a.changed_slide, chunks=len(sig2), nchanged=len(changed),
        lock=a.lock + (" (then a WOPI lock for PutFile)" if a.lock == "coauth" else ""),
        n1=len(ids1), sent1=mb(sent1), secs1=secs1,
        sent2=sent2, sent2m=mb(sent2), secs2=secs2, stored2=stored2, stored2m=mb(stored2),
        sent3=sent3, sent3m=mb(sent3), secs3=secs3, stored3=stored3, stored3m=mb(stored3),
        pct=pct, ratio=sent3 / sent2, tratio=secs2 / secs3, spct=100.0 * stored2 / max(stored3, 1),
        sentn=len(send2), payload2=payload2,
        reset="yes" if hwm_reset and hwm_reset2 else "no (peaks include earlier phases)",
        rb=rss_before / 1024, hwm2=hwm_chunked / 1024, rbp=rss_before_put / 1024,
        hwm3=hwm_put / 1024, spool=mb(spool.peak) if a.spool_dir else "n/a", sha=sha_want[:16] + "…", resp_len=resp_len, s1=seq, s2=seq2,
        sg=seq_get, sig_secs=sig_secs, copied=mb(len(v2) - payload2),
        w2=sent2 * 8 / 100e6, w3=sent3 * 8 / 100e6))


if __name__ == "__main__":
    main()
