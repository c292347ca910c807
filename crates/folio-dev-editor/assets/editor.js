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
  var officeNoteEl = $('doc-office-note');
  var sheetsEl = $('doc-sheets');
  var sheetTabsEl = $('doc-sheet-tabs');
  var gridEl = $('doc-grid');
  var slidesEl = $('doc-slides');

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
    sent: [],            // MessageIds posted to the host, in order
    office: null,        // a Word, Excel or PowerPoint document's content from api/open or api/save
    sheet: 0,            // the worksheet shown
    cells: {}            // edited cells not saved yet: "sheet|A1" -> value
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
    var locked = !state.editable || state.closed;
    textEl.readOnly = locked;
    Array.prototype.forEach.call(document.querySelectorAll('#doc-grid input, #doc-slides textarea'), function (el) {
      el.readOnly = locked || el.hasAttribute('data-formula');
    });
  }

  // --- Office documents ----------------------------------------------------------------------

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var key in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, key)) { node.setAttribute(key, attrs[key]); } }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function colName(col) {
    var name = '';
    while (col > 0) { var rem = (col - 1) % 26; name = String.fromCharCode(65 + rem) + name; col = Math.floor((col - 1) / 26); }
    return name;
  }

  function renderSheet() {
    var sheets = state.office.sheets;
    var sheet = sheets[state.sheet] || { name: '', cells: [] };
    sheetTabsEl.textContent = '';
    sheets.forEach(function (s, i) {
      var tab = el('button', { type: 'button', id: 'sheet-tab-' + i, 'aria-pressed': String(i === state.sheet) }, s.name || ('Sheet ' + (i + 1)));
      tab.addEventListener('click', function () { state.sheet = i; renderSheet(); });
      sheetTabsEl.appendChild(tab);
    });
    var byRef = {};
    var rows = 0;
    var cols = 0;
    sheet.cells.forEach(function (c) { byRef[c.ref] = c; rows = Math.max(rows, c.row); cols = Math.max(cols, c.col); });
    Object.keys(state.cells).forEach(function (key) {
      var parts = key.split('|');
      if (Number(parts[0]) !== state.sheet) { return; }
      var m = /^([A-Z]+)(\d+)$/.exec(parts[1]);
      if (m) { rows = Math.max(rows, Number(m[2])); }
    });
    var clipped = rows > 495 || cols > 58;
    rows = Math.min(Math.max(rows + 5, 20), 500);
    cols = Math.min(Math.max(cols + 2, 8), 60);
    officeNoteEl.textContent = NOTES.excel + (clipped ? ' Only the first 500 rows and 60 columns are shown.' : '');
    gridEl.textContent = '';
    var head = el('thead');
    var headRow = el('tr');
    headRow.appendChild(el('th', { scope: 'col' }, ''));
    for (var c = 1; c <= cols; c++) { headRow.appendChild(el('th', { scope: 'col' }, colName(c))); }
    head.appendChild(headRow);
    gridEl.appendChild(head);
    var body = el('tbody');
    for (var r = 1; r <= rows; r++) {
      var tr = el('tr');
      tr.appendChild(el('th', { scope: 'row' }, String(r)));
      for (c = 1; c <= cols; c++) {
        var ref = colName(c) + r;
        var cell = byRef[ref];
        var input = el('input', { type: 'text', 'data-cell': ref, 'aria-label': ref, autocomplete: 'off', spellcheck: 'false' });
        var key = state.sheet + '|' + ref;
        input.value = Object.prototype.hasOwnProperty.call(state.cells, key) ? state.cells[key] : (cell ? cell.value : '');
        if (cell && cell.formula !== null && cell.formula !== undefined) {
          input.setAttribute('data-formula', '');
          input.title = '=' + cell.formula + ' (formulas are read-only here)';
        }
        var td = el('td');
        td.appendChild(input);
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
    gridEl.appendChild(body);
    refreshButtons();
  }

  function renderSlides() {
    slidesEl.textContent = '';
    state.office.slides.forEach(function (slide, i) {
      var section = el('section', { class: 'slide', 'data-slide': String(i) });
      section.appendChild(el('h2', {}, 'Slide ' + (i + 1)));
      slide.shapes.forEach(function (shape, j) {
        var id = 'shape-' + i + '-' + j;
        section.appendChild(el('label', { for: id }, shape.name || ('Text ' + (j + 1))));
        var area = el('textarea', { id: id, 'data-slide': String(i), 'data-shape': String(j), spellcheck: 'false' });
        area.value = shape.paragraphs.join('\n');
        section.appendChild(area);
      });
      var newId = 'shape-' + i + '-new';
      section.appendChild(el('label', { for: newId }, 'New text box'));
      section.appendChild(el('textarea', { id: newId, 'data-slide': String(i), 'data-shape': 'new', spellcheck: 'false' }));
      slidesEl.appendChild(section);
    });
    refreshButtons();
  }

  var NOTES = {
    word: 'Word document: one line per paragraph. Formatting, tables, images and everything else are kept.',
    excel: 'Excel workbook: cell values (numbers or text). Formulas are shown read-only; styles and everything else are kept.',
    powerpoint: 'PowerPoint presentation: the text of each slide, one line per paragraph. Type into "New text box" to add text to a slide.'
  };

  function showOffice(office) {
    state.office = office;
    officeNoteEl.textContent = NOTES[office.kind] || '';
    officeNoteEl.hidden = false;
    textEl.hidden = office.kind !== 'word';
    sheetsEl.hidden = office.kind !== 'excel';
    slidesEl.hidden = office.kind !== 'powerpoint';
    if (office.kind === 'word') {
      textEl.value = office.paragraphs.join('\n');
      textEl.setAttribute('aria-label', 'Paragraphs, one per line');
    } else if (office.kind === 'excel') {
      if (state.sheet >= office.sheets.length) { state.sheet = 0; }
      renderSheet();
    } else if (office.kind === 'powerpoint') {
      renderSlides();
    }
  }

  // The changes to send to api/save.
  function officeEdit() {
    var office = state.office;
    if (office.kind === 'word') {
      return { kind: 'word', paragraphs: textEl.value.replace(/\r\n?/g, '\n').split('\n') };
    }
    if (office.kind === 'excel') {
      var cells = Object.keys(state.cells).map(function (key) {
        var parts = key.split('|');
        return { sheet: Number(parts[0]), cell: parts[1], value: state.cells[key] };
      });
      return { kind: 'excel', cells: cells };
    }
    var shapes = [];
    Array.prototype.forEach.call(slidesEl.querySelectorAll('textarea'), function (area) {
      var slide = Number(area.getAttribute('data-slide'));
      var shape = area.getAttribute('data-shape');
      var value = area.value.replace(/\r\n?/g, '\n');
      if (shape === 'new') {
        if (value !== '') { shapes.push({ slide: slide, shape: null, paragraphs: value.split('\n') }); }
        return;
      }
      var original = office.slides[slide].shapes[Number(shape)].paragraphs.join('\n');
      if (value !== original) { shapes.push({ slide: slide, shape: Number(shape), paragraphs: value.split('\n') }); }
    });
    return { kind: 'powerpoint', shapes: shapes };
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
    if (doc.office) {
      showOffice(doc.office);
    } else if (typeof doc.text === 'string') {
      state.crlf = doc.text.indexOf('\r\n') !== -1;
      textEl.value = doc.text;
    } else {
      textEl.value = '';
      if (doc.office_error) { binaryEl.textContent = 'This document cannot be edited here (' + doc.office_error + ') — view only.'; }
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

  document.querySelector('main').addEventListener('input', function (event) {
    var target = event.target;
    if (target && target.hasAttribute && target.hasAttribute('data-cell')) {
      state.cells[state.sheet + '|' + target.getAttribute('data-cell')] = target.value;
    }
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
    var payload;
    var text = null;
    if (state.office) {
      payload = { lock: state.lock, office: officeEdit(), version: state.version };
    } else {
      text = currentText();
      payload = { lock: state.lock, text: text };
    }
    api('api/save', target(payload)).then(function (result) {
      if (result.version !== null && result.version !== undefined) {
        state.version = String(result.version);
        versionEl.textContent = state.version;
      }
      if (result.office) {
        state.cells = {};
        showOffice(result.office);
      }
      sizeEl.textContent = formatSize(typeof result.size === 'number' ? result.size : new Blob([text || '']).size);
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
