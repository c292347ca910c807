// Folio uploads: several files at once, by picker or drag-and-drop. Each file is streamed with
// its own XHR (raw body, no multipart; at most three at a time), with a progress bar and a
// clear per-file result. Only a 200 JSON answer from the upload URL itself is a success:
// a redirect, 401, 403, 413, any other status or a network error is a failure on that file.
// Signed out (401): the panel offers sign-in in a new tab and "Retry failed uploads", which
// fetches the new session's CSRF token and sends the failed files again — nothing the person
// chose is lost. When uploads finish the listing (#listing) is refreshed in place.
// A name that is already in the folder (409 "name-taken") is asked about in #conflict-dialog,
// one file at a time: Replace (a new version of the existing file; refused with the server's
// sentence while an editor holds its lock), Keep both (a numbered name) or Skip, for this file
// or, with "Do this for every name that is taken", for every conflict of this batch.
// The words shown are data-* attributes of #upload-words (in the template).
(function () {
  'use strict';
  var zone = document.getElementById('dropzone');
  if (!zone) { return; }
  var input = document.getElementById('upload-input');
  var panel = document.getElementById('uploads-panel');
  var list = document.getElementById('uploads');
  var summary = document.getElementById('uploads-summary');
  var actions = document.getElementById('uploads-actions');
  var signin = document.getElementById('uploads-signin');
  var retryButton = document.getElementById('uploads-retry');
  var words = document.getElementById('upload-words');
  var folder = zone.getAttribute('data-folder');
  var max = Number(zone.getAttribute('data-max')) || 0;
  var PARALLEL = 3;
  var entries = [];
  var queue = [];
  var running = 0;
  var uploadedSinceRefresh = 0;
  var state = window.folioUploads = { refreshes: 0, signedOut: false, maxRunning: 0 };
  var dialog = document.getElementById('conflict-dialog');
  var conflicts = [];     // entries waiting for an answer
  var asking = null;      // the entry the dialog asks about
  var policy = null;      // { batch, choice }: the answer for every conflict of that batch
  var batch = 0;          // files chosen or dropped together

  function word(name, values) {
    var w = words.getAttribute('data-' + name) || name;
    Object.keys(values || {}).forEach(function (k) { w = w.replace('{' + k + '}', values[k]); });
    return w;
  }
  function csrf() { return zone.getAttribute('data-csrf'); }

  function row(file) {
    var li = document.createElement('li');
    li.className = 'upload';
    li.setAttribute('data-name', file.name);
    var label = document.createElement('span');
    label.className = 'upload-name';
    label.textContent = file.name;
    label.title = file.name;
    var bar = document.createElement('progress');
    bar.max = 100; bar.value = 0;
    bar.setAttribute('aria-label', file.name);
    var status = document.createElement('span');
    status.className = 'upload-status';
    li.appendChild(label); li.appendChild(bar); li.appendChild(status);
    list.appendChild(li);
    return { li: li, bar: bar, status: status };
  }

  function setState(e, s, message) {
    e.state = s;
    e.r.li.setAttribute('data-state', s === 'failed' ? 'error' : s);
    e.r.li.classList.toggle('failed', s === 'failed');
    e.r.status.textContent = message;
  }

  function fail(e, message, retry) {
    e.retry = !!retry;
    setState(e, 'failed', message);
  }

  function update() {
    var total = entries.length;
    var done = entries.filter(function (e) { return e.state === 'done'; }).length;
    var failed = entries.filter(function (e) { return e.state === 'failed'; });
    var skipped = entries.filter(function (e) { return e.state === 'skipped'; }).length;
    var left = total - done - failed.length - skipped;
    panel.hidden = total === 0;
    summary.textContent = left > 0 ? word('summary-busy', { left: left, total: total })
      : word('summary', { done: done, total: total, failed: failed.length });
    var retryable = failed.some(function (e) { return e.retry; });
    actions.hidden = !retryable;
    signin.hidden = !state.signedOut;
    if (left === 0 && uploadedSinceRefresh > 0) { refreshListing(); }
  }

  // The listing again, from this page's URL, swapped in place (the upload panel stays).
  function refreshListing() {
    uploadedSinceRefresh = 0;
    fetch(window.location.href, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'text/html' } })
      .then(function (r) {
        if (!r.ok || r.redirected) { return null; }
        return r.text();
      })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('listing');
        var current = document.getElementById('listing');
        if (fresh && current) {
          current.innerHTML = fresh.innerHTML;
          state.refreshes += 1;
        }
      }, function () { /* the list stays as it was; the panel says what happened */ });
  }

  function pump() {
    while (running < PARALLEL && queue.length) { send(queue.shift()); }
    state.maxRunning = Math.max(state.maxRunning, running);
    update();
  }

  // --- Name conflicts ---------------------------------------------------------------------------
  function resolve(e, choice) {
    if (choice === 'replace' || choice === 'keep') {
      e.conflict = choice;
      e.r.bar.value = 0;
      setState(e, 'waiting', word('waiting'));
      queue.push(e);
    } else {
      setState(e, 'skipped', word('skipped'));
    }
  }
  function policyFor(e) { return policy && policy.batch === e.batch ? policy.choice : null; }
  function ask() {
    // Conflicts of a batch answered "for every name that is taken" need no question.
    conflicts = conflicts.filter(function (e) {
      var choice = policyFor(e);
      if (choice) { resolve(e, choice); }
      return !choice;
    });
    if (!asking && conflicts.length && (!dialog || typeof dialog.showModal !== 'function')) {
      while (conflicts.length) { resolve(conflicts.shift(), 'skip'); }
    }
    if (asking || !conflicts.length) { pump(); return; }
    asking = conflicts.shift();
    var text = document.getElementById('conflict-text');
    var more = conflicts.filter(function (e) { return e.batch === asking.batch; }).length;
    text.textContent = (text.getAttribute(more ? 'data-many' : 'data-one') || '')
      .replace('{name}', asking.file.name).replace('{more}', more);
    document.getElementById('conflict-all').checked = false;
    dialog.returnValue = '';
    dialog.showModal();
  }
  if (dialog) {
    dialog.addEventListener('close', function () {
      var e = asking;
      asking = null;
      if (!e) { return; }
      var choice = dialog.returnValue || 'skip';
      if (document.getElementById('conflict-all').checked) { policy = { batch: e.batch, choice: choice }; }
      resolve(e, choice);
      ask();
    });
  }
  function conflicted(e) {
    if (policyFor(e)) { resolve(e, policyFor(e)); return; }
    e.r.bar.value = 0;
    setState(e, 'conflict', word('conflict-wait'));
    conflicts.push(e);
    ask();
  }

  function send(e) {
    running += 1;
    var url = '/folders/' + encodeURIComponent(folder) + '/upload?name=' + encodeURIComponent(e.file.name) +
      (e.conflict ? '&conflict=' + e.conflict : '');
    var xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('X-CSRF-Token', csrf());
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = function (ev) {
      if (ev.lengthComputable) {
        e.r.bar.value = Math.floor((ev.loaded / ev.total) * 100);
        e.r.status.textContent = e.r.bar.value + '%';
      }
    };
    function finish() { running -= 1; pump(); }
    xhr.onload = function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
      var landed = '';
      try { landed = new URL(xhr.responseURL, window.location.href).pathname; } catch (err) { landed = ''; }
      var redirected = landed !== '' && landed !== url.split('?')[0];
      if (xhr.status === 200 && !redirected && body && typeof body.id === 'string') {
        e.r.bar.value = 100;
        setState(e, 'done', e.conflict === 'replace' ? word('replaced')
          : (e.conflict === 'keep' ? word('kept', { name: body.name }) : word('done')));
        uploadedSinceRefresh += 1;
      } else if (xhr.status === 409 && body && body.code === 'name-taken' && !e.conflict) {
        conflicted(e);
      } else if (redirected) {
        fail(e, word('redirected'), true);
      } else if (xhr.status === 401) {
        state.signedOut = true;
        fail(e, word('signed-out'), true);
      } else if (xhr.status === 403 && body && body.error) {
        fail(e, word('expired'), true);
      } else {
        fail(e, (body && body.error) || word('failed', { status: xhr.status }), xhr.status >= 500);
      }
      finish();
    };
    xhr.onerror = function () {
      fail(e, word('network'), true);
      // A server that refuses a request before reading its body (signed out) may reset the
      // connection while a large file is still being sent: ask whether the session is alive.
      fetch('/session/csrf', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } })
        .then(function (r) {
          if (r.status === 401 && e.state === 'failed') {
            state.signedOut = true;
            fail(e, word('signed-out'), true);
            update();
          }
        }, function () { /* still offline: the network message stands */ });
      finish();
    };
    xhr.onabort = xhr.onerror;
    setState(e, 'uploading', '0%');
    xhr.send(e.file);
  }

  function add(file) {
    var e = { file: file, r: row(file), state: 'waiting', retry: false, batch: batch };
    entries.push(e);
    if (max && file.size > max) {
      fail(e, word('too-large', { mb: Math.round(max / 1048576) }), false);
      return;
    }
    setState(e, 'waiting', word('waiting'));
    queue.push(e);
  }

  function handle(files) {
    batch += 1;
    for (var i = 0; i < files.length; i++) { add(files[i]); }
    pump();
  }

  // Retry: the session may be a new one (signed in again in another tab), whose CSRF token
  // this page does not have yet: ask for it, and give it to the page's forms too.
  retryButton.addEventListener('click', function () {
    fetch('/session/csrf', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; }, function () { return null; })
      .then(function (d) {
        if (!d || typeof d.csrf !== 'string') {
          state.signedOut = true;
          update();
          return;
        }
        state.signedOut = false;
        zone.setAttribute('data-csrf', d.csrf);
        document.querySelectorAll('input[name="csrf"]').forEach(function (i) { i.value = d.csrf; });
        entries.forEach(function (e) {
          if (e.state === 'failed' && e.retry) {
            e.retry = false;
            e.r.bar.value = 0;
            setState(e, 'waiting', word('waiting'));
            queue.push(e);
          }
        });
        pump();
      });
  });

  input.addEventListener('change', function () { handle(input.files); input.value = ''; });
  zone.addEventListener('dragover', function (e) { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', function () { zone.classList.remove('over'); });
  zone.addEventListener('drop', function (e) {
    e.preventDefault();
    zone.classList.remove('over');
    if (e.dataTransfer && e.dataTransfer.files) { handle(e.dataTransfer.files); }
  });
})();
