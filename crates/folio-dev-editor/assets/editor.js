// Folio Dev Editor: the page inside Folio's host-page iframe. Talks to its own server side
// (api/open, api/save, api/close), which makes the signed WOPI calls, and to the host page with
// the WOPI PostMessage protocol (shared spec hostpage.md §6). Plain JS, no build step.
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('dev-editor-config').textContent);
  function $(id) { return document.getElementById(id); }
  var nameEl = $('doc-name');
  var versionEl = $('doc-version');
  var sizeEl = $('doc-size');
  var textEl = $('doc-text');
  var statusEl = $('status');
  var binaryEl = $('doc-binary');
  var saveBtn = $('save-btn');
  var editBtn = $('edit-btn');
  var closeBtn = $('close-btn');
  var versionsBtn = $('versions-btn');

  // Page state; exposed read-only-ish for debugging and tests.
  var state = {
    loaded: false,
    origin: '',          // CheckFileInfo PostMessageOrigin: the only origin we talk to
    hostReady: false,    // Host_PostmessageReady received from that origin
    lock: null,
    editable: false,
    version: '',
    crlf: false,
    notified: false,     // Edit_Notification sent
    saving: false,
    closing: false,
    closed: false,
    sent: []             // MessageIds posted to the host, in order
  };
  window.folioDevEditor = state;
  var early = [];        // messages received before api/open told us the host origin

  function setStatus(text, isError) {
    statusEl.textContent = text;
    if (isError) { statusEl.classList.add('error'); } else { statusEl.classList.remove('error'); }
  }

  function post(messageId, values) {
    if (!state.origin || window.parent === window) { return; }
    var message = JSON.stringify({ MessageId: messageId, SendTime: Date.now(), Values: values || {} });
    try {
      window.parent.postMessage(message, state.origin);
      state.sent.push(messageId);
    } catch (err) { /* a wrong origin throws in some browsers; nothing else to do */ }
  }

  function api(path, payload) {
    return fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
      credentials: 'same-origin',
      cache: 'no-store'
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok || (data && data.error)) {
          throw new Error((data && data.error) || ('Request failed: HTTP ' + response.status));
        }
        return data;
      });
    });
  }

  function target(extra) {
    var payload = { wopisrc: config.wopisrc, access_token: config.access_token };
    for (var key in extra) { if (Object.prototype.hasOwnProperty.call(extra, key)) { payload[key] = extra[key]; } }
    return payload;
  }

  function formatSize(bytes) {
    if (typeof bytes !== 'number') { return ''; }
    return bytes === 1 ? '1 byte' : bytes + ' bytes';
  }

  function refreshButtons() {
    var busy = state.saving || state.closing;
    if (saveBtn) { saveBtn.disabled = !state.editable || busy || state.closed; }
    closeBtn.disabled = state.closing || state.closed;
    textEl.readOnly = !state.editable || state.closed;
  }

  // --- PostMessage from the host -------------------------------------------------------------

  function handleHostMessage(origin, message) {
    if (!state.origin || origin !== state.origin) { return; }
    switch (message.MessageId) {
      case 'Host_PostmessageReady':
        state.hostReady = true;
        break;
      case 'Blur_Focus':
        textEl.blur();
        break;
      case 'Grab_Focus':
        if (!textEl.readOnly) { textEl.focus(); }
        break;
      default:
        break;
    }
  }

  window.addEventListener('message', function (event) {
    if (event.source !== window.parent || window.parent === window) { return; }
    var message;
    try { message = typeof event.data === 'string' ? JSON.parse(event.data) : event.data; } catch (err) { return; }
    if (!message || typeof message.MessageId !== 'string') { return; }
    if (!state.loaded) {
      // The origin check needs PostMessageOrigin from CheckFileInfo; keep the message until then.
      if (early.length < 50) { early.push({ origin: event.origin, message: message }); }
      return;
    }
    handleHostMessage(event.origin, message);
  });

  // --- Open ----------------------------------------------------------------------------------

  function showDocument(doc) {
    state.origin = doc.post_message_origin || '';
    state.lock = doc.lock || null;
    state.editable = !!doc.editable && config.mode === 'edit';
    state.version = doc.version || '';
    nameEl.textContent = doc.name;
    document.title = doc.name + ' – Folio Dev Editor';
    versionEl.textContent = state.version;
    sizeEl.textContent = formatSize(doc.size);
    if (typeof doc.text === 'string') {
      state.crlf = doc.text.indexOf('\r\n') !== -1;
      textEl.value = doc.text;
    } else {
      textEl.value = '';
      binaryEl.hidden = false;
    }
    if (editBtn) {
      if (doc.user_can_write) { editBtn.hidden = false; } else { editBtn.parentNode.removeChild(editBtn); editBtn = null; }
    }
    if (config.mode === 'edit' && !state.editable) {
      $('doc-mode').textContent = 'Read only';
    }
    refreshButtons();
  }

  function open() {
    api('api/open', target({ mode: config.mode })).then(function (doc) {
      showDocument(doc);
      state.loaded = true;
      setStatus('Loaded');
      var pending = early;
      early = [];
      pending.forEach(function (item) { handleHostMessage(item.origin, item.message); });
      post('App_LoadingStatus', { DocumentLoadedTime: Date.now(), Status: 'Document_Loaded' });
      if (state.editable) { textEl.focus(); }
    }).catch(function (err) {
      nameEl.textContent = 'Could not open the document';
      setStatus(err.message, true);
    });
  }

  // --- Edit, save, close ---------------------------------------------------------------------

  textEl.addEventListener('input', function () {
    if (!state.notified && state.editable) {
      state.notified = true;
      post('Edit_Notification', {});
    }
  });

  function currentText() {
    var text = textEl.value;
    // Textareas turn CRLF into LF; give Windows-style files their line endings back.
    return state.crlf ? text.replace(/\r?\n/g, '\r\n') : text;
  }

  function save() {
    if (!state.editable || state.saving || state.closing || state.closed) { return; }
    state.saving = true;
    refreshButtons();
    setStatus('Saving…');
    var text = currentText();
    api('api/save', target({ lock: state.lock, text: text })).then(function (result) {
      if (result.version !== null && result.version !== undefined) {
        state.version = String(result.version);
        versionEl.textContent = state.version;
      }
      sizeEl.textContent = formatSize(new Blob([text]).size);
      var saved = 'Saved version ' + state.version;
      setStatus(result.warning ? saved + ' (' + result.warning + ')' : saved, !!result.warning);
    }).catch(function (err) {
      setStatus(err.message, true);
    }).then(function () {
      state.saving = false;
      refreshButtons();
    });
  }

  function close() {
    if (state.closing || state.closed) { return; }
    state.closing = true;
    refreshButtons();
    var unlock = state.lock ? api('api/close', target({ lock: state.lock })) : Promise.resolve({});
    if (state.lock) { setStatus('Closing…'); }
    unlock.then(function () {
      state.lock = null;
      setStatus('Closed');
    }, function (err) {
      setStatus(err.message, true);
    }).then(function () {
      state.closing = false;
      state.closed = true;
      state.editable = false;
      refreshButtons();
      post('UI_Close', {});
    });
  }

  // Without a PostMessage origin, switch to editing the way Office does: load the edit action.
  function navigateToEdit() {
    var form = document.createElement('form');
    form.method = 'post';
    var query = new URLSearchParams({ wopisrc: config.wopisrc });
    if (config.ui) { query.set('ui', config.ui); }
    form.action = 'edit?' + query.toString();
    [['access_token', config.access_token], ['access_token_ttl', String(config.access_token_ttl || 0)],
      ['user_id', config.user_id || ''], ['owner_id', config.owner_id || '']].forEach(function (field) {
      var input = document.createElement('input');
      input.type = 'hidden';
      input.name = field[0];
      input.value = field[1];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }

  if (saveBtn) { saveBtn.addEventListener('click', save); }
  closeBtn.addEventListener('click', close);
  versionsBtn.addEventListener('click', function () { post('UI_FileVersions', {}); });
  if (editBtn) {
    editBtn.addEventListener('click', function () {
      if (state.origin && window.parent !== window) { post('UI_Edit', {}); } else { navigateToEdit(); }
    });
  }
  document.addEventListener('keydown', function (event) {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === 's' || event.key === 'S')) {
      event.preventDefault();
      save();
    }
  });

  // Best-effort unlock when the frame goes away without Close.
  window.addEventListener('pagehide', function () {
    if (!state.lock || !navigator.sendBeacon) { return; }
    var payload = JSON.stringify(target({ lock: state.lock }));
    try {
      navigator.sendBeacon('api/close', new Blob([payload], { type: 'application/json' }));
    } catch (err) { /* nothing more we can do */ }
    state.lock = null;
  });

  refreshButtons();
  open();
})();
