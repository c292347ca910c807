// Folio pages: behaviour that cannot be inline (the Content-Security-Policy allows same-origin
// scripts only). Words shown to people live in the templates, never here.
//
// - A form with data-confirm="question" asks before it is submitted.
// - Row menus (a disclosure: button + aria-expanded): a row's "More" button opens the page's one menu (#file-menu or #folder-menu) as
//   a popover over the content, its links and forms pointed at that row ({id} in data-href and
//   data-action). Escape or a click elsewhere closes it.
// - Dialogs: a menu item with data-dialog opens that <dialog>, its form pointed at the row.
// - "+ New" (phone layout): shows or hides the toolbar; "Menu" (phone layout) the navigation.
// - Times: <time datetime> elements are shown in the person's local time zone.
// - Selection: row checkboxes (form="bulk-form") and "Select all" (the head's checkbox, or
//   #select-page on a phone); the bulk bar shows while something is selected, its count and
//   buttons follow the selection. With every row of a page selected, #select-every sets the
//   form's all=1: the bulk action is then the whole folder's, done by the server.
// - Move dialog: a folder picker that browses any folder (GET /folders/{id}/picker, JSON), for
//   one row (its form's data-action, or data-folder-action for a folder) or the selection
//   (data-bulk-action, op=move). Keyboard: every folder is a button.
// - Drag and drop: a dragged row (or the selection, when the row is selected) dropped on a
//   folder row or a breadcrumb link (data-drop) is moved there by the same bulk form.
// - New document buttons (data-new-doc) open #new-doc-dialog: a name prompt and, when there are
//   organisation templates, "Start from" (without script the buttons create a blank document
//   under a numbered name).
// - The admin page's template upload sends the file as the raw body with X-CSRF-Token.
// - Favourites: a menu's star form is filled for the row (star or unstar, back to this page).
// - Side panel: a menu link with data-panel shows its page's #details in that <aside>.
// - Signed out: a form sent without a live session is answered by the sign-in page
//   (data-signed-out). Each form's input is kept in sessionStorage when it is sent; the sign-in
//   page then returns to the page the form was on, which puts the input back (#restored says so).
(function () {
  'use strict';
  var root = document.documentElement;
  root.classList.add('js');

  // --- Words -----------------------------------------------------------------------------------
  // t(key, args): the catalog's `js.*` message `key` in the page's language, from the one
  // <script type="application/json" id="folio-strings"> of base.html, `{name}` placeholders
  // filled from args; a plural message ({one, other}) is chosen by args.n. The other scripts use
  // it as window.folio.t (host_page.js, on a page without this script, has the same lookup).
  var strings = {};
  try { strings = JSON.parse(document.getElementById('folio-strings').textContent); } catch (e) { /* keys show */ }
  function t(key, args) {
    var s = strings[key];
    if (s && typeof s === 'object') { s = args && Number(args.n) === 1 ? s.one : s.other; }
    if (typeof s !== 'string') { return key; }
    return s.replace(/\{(\w+)\}/g, function (m, name) {
      return args && Object.prototype.hasOwnProperty.call(args, name) ? String(args[name]) : m;
    });
  }
  window.folio = window.folio || {};
  window.folio.t = t;

  // --- Input kept across a sign-in -----------------------------------------------------------
  var KEY = 'folio-pending-form';
  // This page without its one-time banner (?notice=, ?error=).
  function here() {
    var u = new URL(window.location.href);
    u.searchParams.delete('notice');
    u.searchParams.delete('error');
    return u.pathname + u.search;
  }
  function load() {
    try { return JSON.parse(window.sessionStorage.getItem(KEY) || 'null'); } catch (e) { return null; }
  }
  function save(v) {
    try {
      if (v) { window.sessionStorage.setItem(KEY, JSON.stringify(v)); } else { window.sessionStorage.removeItem(KEY); }
    } catch (e) { /* storage unavailable: nothing is kept */ }
  }
  function remember(form, submitter) {
    if (form.getAttribute('action') === '/login' || form.getAttribute('action') === '/logout') { return; }
    var fields = [];
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      if (!el.name || el.name === 'csrf' || el.type === 'password' || el.type === 'file' ||
          el.type === 'submit' || el.type === 'button' ||
          (el.type === 'hidden' && !el.hasAttribute('data-keep'))) { continue; }
      if ((el.type === 'checkbox' || el.type === 'radio') && !el.checked) { continue; }
      fields.push([el.name, el.value]);
    }
    save({ page: here(), action: form.getAttribute('action'), fields: fields,
           dialog: form.parentNode && form.parentNode.tagName === 'DIALOG' ? form.parentNode.id : null,
           row: form.getAttribute('data-row') || null,
           submitter: submitter && submitter.id ? submitter.id : null });
  }
  function restore() {
    var pending = load();
    if (!pending) { return; }
    var signin = document.getElementById('signin');
    if (signin) {
      // The sign-in page: after a refusal (data-signed-out), return to the form's page.
      if (signin.getAttribute('data-signed-out') === 'true') { pending.signedOut = true; save(pending); }
      var next = signin.querySelector('input[name="next"]');
      if (pending.signedOut && next && /^\/(?![\/\\])/.test(pending.page)) { next.value = pending.page; }
      return;
    }
    save(null);
    if (!pending.signedOut || pending.page !== here()) { return; }
    var form = null;
    if (pending.dialog && !pending.row && pending.dialog === 'new-doc-dialog') {
      var kindField = null;
      pending.fields.forEach(function (f) { if (f[0] === 'kind') { kindField = f[1]; } });
      if (openNewDocument(kindField || '')) { form = document.getElementById('new-doc-form'); }
    } else if (pending.dialog && pending.row) {
      var row = document.querySelector('tr[data-id="' + CSS.escape(pending.row) + '"]');
      if (row) { form = openDialog(pending.dialog, row); }
    } else {
      var forms = document.querySelectorAll('form');
      for (var i = 0; i < forms.length; i++) {
        if (forms[i].getAttribute('action') === pending.action) { form = forms[i]; break; }
      }
    }
    if (!form) { return; }
    pending.fields.forEach(function (f) {
      var el = form.elements.namedItem(f[0]);
      if (el && el.type !== 'hidden') { el.value = f[1]; }
    });
    var toolbar = document.getElementById('toolbar');
    if (toolbar && toolbar.contains(form)) { toggleToolbar(true); }
    var note = document.getElementById('restored');
    if (note) { note.hidden = false; }
  }

  document.addEventListener('submit', function (e) {
    var form = e.target;
    var question = (e.submitter && e.submitter.getAttribute('data-confirm')) ||
      (form && form.getAttribute && form.getAttribute('data-confirm'));
    if (question && !window.confirm(question)) { e.preventDefault(); return; }
    remember(form, e.submitter);
  }, true);

  // --- Row menus ------------------------------------------------------------------------------
  var open = null; // { menu, button, row }
  function fill(scope, row) {
    var id = row.getAttribute('data-id');
    scope.querySelectorAll('[data-href]').forEach(function (a) {
      a.href = a.getAttribute('data-href').replace('{id}', encodeURIComponent(id));
      var need = a.getAttribute('data-need');
      a.hidden = !!need && !row.hasAttribute('data-' + need);
    });
    scope.querySelectorAll('form[data-action]').forEach(function (f) {
      var tmpl = (row.classList.contains('folder-row') && f.getAttribute('data-folder-action')) ||
        f.getAttribute('data-action');
      f.setAttribute('action', tmpl.replace('{id}', encodeURIComponent(id)));
      f.setAttribute('data-row', id);
    });
    scope.querySelectorAll('[data-fill="name"]').forEach(function (i) { i.value = row.getAttribute('data-name'); });
    // Favourites: star or unstar, back to this very page (sort, page).
    var starred = row.hasAttribute('data-starred');
    scope.querySelectorAll('[data-fill="star"]').forEach(function (i) {
      i.value = starred ? '0' : '1';
      var back = i.form && i.form.querySelector('input[name="back"]');
      if (back) { back.value = here(); }
    });
    scope.querySelectorAll('[data-fill="star-label"]').forEach(function (b) {
      b.textContent = b.getAttribute(starred ? 'data-unstar' : 'data-star');
    });
  }
  function closeMenu(focusButton) {
    if (!open) { return; }
    open.menu.hidden = true;
    open.button.setAttribute('aria-expanded', 'false');
    if (focusButton) { open.button.focus(); }
    open = null;
  }
  function openMenu(button) {
    var row = button.closest('tr');
    var menu = document.getElementById(button.getAttribute('aria-controls'));
    if (!row || !menu) { return; }
    var same = open && open.button === button;
    closeMenu(false);
    if (same) { return; }
    fill(menu, row);
    menu.hidden = false;
    // A popover over the content, under the button (above it when there is no room below),
    // right-aligned with it and kept inside the viewport.
    var b = button.getBoundingClientRect();
    var m = menu.getBoundingClientRect();
    var left = Math.max(4, Math.min(b.right - m.width, window.innerWidth - m.width - 4));
    var top = b.bottom + 2;
    if (top + m.height > window.innerHeight && b.top - m.height - 2 > 0) { top = b.top - m.height - 2; }
    menu.style.left = (left + window.scrollX) + 'px';
    menu.style.top = (top + window.scrollY) + 'px';
    button.setAttribute('aria-expanded', 'true');
    open = { menu: menu, button: button, row: row };
    var first = menu.querySelector('a:not([hidden]), button');
    if (first) { first.focus(); }
  }
  function openDialog(id, row) {
    var d = document.getElementById(id);
    if (!d) { return null; }
    fill(d, row);
    if (id === 'move-dialog') { prepareMove(d, [row.getAttribute('data-item')], false); }
    if (typeof d.showModal === 'function') { d.showModal(); } else { d.setAttribute('open', ''); }
    var input = d.querySelector('input:not([type=hidden]), select');
    if (input) { input.focus(); if (input.select) { input.select(); } }
    return d.querySelector('form');
  }
  document.addEventListener('click', function (e) {
    var t = e.target;
    var more = t.closest && t.closest('button.more');
    if (more) { e.preventDefault(); openMenu(more); return; }
    var dlg = t.closest && t.closest('[data-dialog]');
    if (dlg && open) {
      var row = open.row;
      closeMenu(false);
      openDialog(dlg.getAttribute('data-dialog'), row);
      return;
    }
    var panelLink = t.closest && t.closest('a[data-panel]');
    if (panelLink) { e.preventDefault(); closeMenu(false); openPanel(panelLink); return; }
    var closePanel = t.closest && t.closest('[data-close-panel]');
    if (closePanel) { hidePanel(closePanel.closest('.side-panel')); return; }
    var close = t.closest && t.closest('[data-close]');
    if (close) {
      var d = close.closest('dialog');
      if (d) { d.close(); }
      return;
    }
    var newDoc = t.closest && t.closest('[data-new-doc]');
    if (newDoc && openNewDocument(newDoc.getAttribute('data-new-doc'))) { e.preventDefault(); return; }
    var navToggle = t.closest && t.closest('#nav-toggle');
    if (navToggle) {
      var items = document.getElementById('nav-items');
      if (items) {
        var on = !items.classList.contains('open');
        items.classList.toggle('open', on);
        navToggle.setAttribute('aria-expanded', on ? 'true' : 'false');
      }
      return;
    }
    var toggle = t.closest && t.closest('#new-toggle');
    if (toggle) { toggleToolbar(); return; }
    var into = t.closest && t.closest('button.picker-folder, button.picker-up');
    if (into) { e.preventDefault(); loadPicker(into.getAttribute('data-id'), true); return; }
    var bulkMove = t.closest && t.closest('#bulk-move');
    if (bulkMove) { openBulkMove(); return; }
    if (open && !open.menu.contains(t)) { closeMenu(false); }
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && open) { closeMenu(true); }
  });
  window.addEventListener('resize', function () { closeMenu(false); });
  // Keyboard: Tab past the menu's last item closes it.
  document.addEventListener('focusin', function (e) {
    if (open && !open.menu.contains(e.target) && e.target !== open.button) { closeMenu(false); }
  });

  // --- New document: a name prompt, blank or from a template --------------------------------
  // kind: "word" | "excel" | "powerpoint", or "" for "from template" (the template's kind).
  function openNewDocument(kind) {
    var d = document.getElementById('new-doc-dialog');
    if (!d) { return false; }
    var select = document.getElementById('new-doc-template');
    var name = document.getElementById('new-doc-name');
    var first = null;
    for (var i = 0; i < select.options.length; i++) {
      var o = select.options[i];
      var k = o.getAttribute('data-kind');
      var show = kind ? (k === '' || k === kind) : k !== '';
      o.hidden = !show;
      o.disabled = !show;
      if (show && !first) { first = o; }
    }
    if (first) { select.value = first.value; }
    select.parentNode.querySelector('label[for="new-doc-template"]').hidden = select.options.length < 2;
    select.hidden = select.options.length < 2;
    document.getElementById('new-doc-kind').value = kind;
    document.getElementById('new-doc-title').textContent =
      d.getAttribute('data-title-' + (kind || 'template')) || '';
    name.value = kind ? d.getAttribute('data-name-' + kind) : stem(first ? first.textContent : '');
    name.setAttribute('data-suggested', name.value);
    if (typeof d.showModal === 'function') { d.showModal(); } else { d.setAttribute('open', ''); }
    name.focus();
    name.select();
    return true;
  }
  function stem(fileName) {
    var dot = fileName.lastIndexOf('.');
    return dot > 0 ? fileName.slice(0, dot) : fileName;
  }
  document.addEventListener('change', function (e) {
    if (!e.target || e.target.id !== 'new-doc-template') { return; }
    var o = e.target.options[e.target.selectedIndex];
    var name = document.getElementById('new-doc-name');
    var kindField = document.getElementById('new-doc-kind');
    // "From template": the name follows the template until the person typed one.
    if (kindField.value === '' && o && name.value === name.getAttribute('data-suggested')) {
      name.value = stem(o.textContent);
      name.setAttribute('data-suggested', name.value);
    }
  });

  // --- Admin: template upload (raw body, like file uploads) -----------------------------------
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form || form.id !== 'template-upload') { return; }
    e.preventDefault();
    var input = document.getElementById('template-file');
    var status = document.getElementById('template-status');
    var file = input.files && input.files[0];
    if (!file) { return; }
    status.textContent = '';
    fetch('/admin/templates?name=' + encodeURIComponent(file.name), {
      method: 'POST', body: file, credentials: 'same-origin', redirect: 'manual',
      headers: { 'X-CSRF-Token': form.getAttribute('data-csrf'), 'Accept': 'application/json' }
    }).then(function (r) {
      if (r.status === 200) { window.location.assign('/admin?notice=template-added'); return null; }
      return r.json().then(function (j) {
        var reason = (j && j.error && (j.error.message || j.error)) || ('HTTP ' + r.status);
        status.textContent = form.getAttribute('data-failed').replace('{reason}', reason);
      }, function () {
        status.textContent = form.getAttribute('data-failed').replace('{reason}', 'HTTP ' + r.status);
      });
    }, function () { status.textContent = form.getAttribute('data-network'); });
  });
  // --- Side panel (a file's details) ------------------------------------------------------------
  // A menu link with data-panel="ID" loads its page and shows the page's #details section in
  // that <aside>; without script the link is simply that page.
  var panelOpener = null;
  function hidePanel(panel) {
    if (!panel) { return; }
    panel.hidden = true;
    if (panelOpener) { panelOpener.focus(); panelOpener = null; }
  }
  function openPanel(link) {
    var panel = document.getElementById(link.getAttribute('data-panel'));
    if (!panel) { window.location.href = link.href; return; }
    panelOpener = open ? open.button : null;
    fetch(link.href, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'text/html' } })
      .then(function (r) { return r.ok && !r.redirected ? r.text() : null; })
      .then(function (html) {
        if (!html) { window.location.href = link.href; return; }
        var part = new DOMParser().parseFromString(html, 'text/html').getElementById('details');
        if (!part) { window.location.href = link.href; return; }
        var body = panel.querySelector('.panel-body');
        body.innerHTML = '';
        body.appendChild(document.importNode(part, true));
        panel.hidden = false;
        var heading = panel.querySelector('h1');
        if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus(); }
      }, function () { window.location.href = link.href; });
  }
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') { return; }
    var panel = document.querySelector('.side-panel:not([hidden])');
    if (panel && !open) { hidePanel(panel); }
  });

  // --- "+ New" ---------------------------------------------------------------------------------
  function toggleToolbar(show) {
    var toolbar = document.getElementById('toolbar');
    var button = document.getElementById('new-toggle');
    if (!toolbar || !button) { return; }
    var on = show === undefined ? !toolbar.classList.contains('open') : show;
    toolbar.classList.toggle('open', on);
    button.setAttribute('aria-expanded', on ? 'true' : 'false');
  }

  // --- Local times -----------------------------------------------------------------------------
  // The server writes every moment as <time datetime="…Z">… UTC</time>; shown here in the
  // person's own time zone and locale (the exact UTC moment stays in the title).
  function localTimes(scope) {
    var fmt;
    try {
      fmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    } catch (e) { return; }
    (scope || document).querySelectorAll('time[datetime]').forEach(function (t) {
      if (t.hasAttribute('data-local')) { return; }
      var d = new Date(t.getAttribute('datetime'));
      if (isNaN(d.getTime())) { return; }
      t.textContent = fmt.format(d);
      t.setAttribute('data-local', '1');
    });
  }
  window.folioLocalTimes = localTimes;

  // --- Selection ---------------------------------------------------------------------------
  function picks() { return Array.prototype.slice.call(document.querySelectorAll('input.pick')); }
  function selected() { return picks().filter(function (c) { return c.checked; }).map(function (c) { return c.value; }); }
  function allField() { return document.getElementById('bulk-all'); }
  function allMode() { var a = allField(); return !!a && a.value === '1'; }
  function updateSelection() {
    var count = document.getElementById('bulk-count');
    if (!count) { return; }
    var n = selected().length;
    var pageAll = n > 0 && n === picks().length;
    if (!pageAll && allField()) { allField().value = ''; }
    var every = document.getElementById('select-every');
    if (every) { every.hidden = !pageAll || allMode(); }
    var words = n === 0 ? count.getAttribute('data-none')
      : allMode() ? count.getAttribute('data-all') : count.getAttribute('data-some').replace('{n}', n);
    if (count.textContent !== words) { count.textContent = words; }
    // The bar shows only while something is selected (without script it is always there).
    var bar = document.getElementById('bulk-form');
    if (bar) { bar.hidden = n === 0; }
    ['bulk-move', 'bulk-delete', 'bulk-download'].forEach(function (id) {
      var b = document.getElementById(id);
      if (b) { b.disabled = n === 0; }
    });
    var all = document.getElementById('select-all');
    if (all) {
      var total = picks().length;
      all.checked = total > 0 && n === total;
      all.indeterminate = n > 0 && n < total;
    }
    picks().forEach(function (c) {
      var tr = c.closest('tr');
      if (tr) { tr.classList.toggle('selected', c.checked); }
    });
  }
  document.addEventListener('click', function (e) {
    var t = e.target;
    if (!t.closest) { return; }
    if (t.closest('#select-every') && allField()) {
      allField().value = '1';
      updateSelection();
      var count = document.getElementById('bulk-count');
      if (count) { count.setAttribute('tabindex', '-1'); count.focus(); }
    } else if (t.closest('#select-page')) {
      var on = !picks().every(function (c) { return c.checked; });
      picks().forEach(function (c) { c.checked = on; });
      updateSelection();
    }
  });
  document.addEventListener('change', function (e) {
    var t = e.target;
    if (t.id === 'select-all') { picks().forEach(function (c) { c.checked = t.checked; }); }
    if (t.id === 'select-all' || (t.classList && t.classList.contains('pick'))) { updateSelection(); }
  });
  // The listing is replaced in place after uploads (upload.js): keep the bar in step.
  var listing = document.getElementById('listing');
  if (listing) { new MutationObserver(function () { updateSelection(); }).observe(listing, { childList: true }); }

  // --- Move dialog: the folder picker -------------------------------------------------------
  var moving = { items: [], excluded: {} };
  function prepareMove(d, items, bulk) {
    var form = d.querySelector('form');
    form.querySelectorAll('.bulk-extra').forEach(function (x) { x.remove(); });
    moving.items = items;
    moving.excluded = {};
    items.forEach(function (i) { if (i && i.indexOf('d:') === 0) { moving.excluded[i.slice(2)] = true; } });
    if (bulk) {
      form.setAttribute('action', form.getAttribute('data-bulk-action'));
      var op = document.createElement('input');
      op.type = 'hidden'; op.name = 'op'; op.value = 'move'; op.className = 'bulk-extra';
      form.appendChild(op);
      items.forEach(function (i) {
        var x = document.createElement('input');
        x.type = 'hidden'; x.name = 'item'; x.value = i; x.className = 'bulk-extra';
        form.appendChild(x);
      });
      if (allMode()) {
        var all = document.createElement('input');
        all.type = 'hidden'; all.name = 'all'; all.value = '1'; all.className = 'bulk-extra';
        form.appendChild(all);
      }
    }
    var list = document.getElementById('picker');
    if (list) { loadPicker(list.getAttribute('data-start'), false); }
  }
  function openBulkMove() {
    var items = selected();
    var d = document.getElementById('move-dialog');
    if (!d || items.length === 0) { return; }
    prepareMove(d, items, true);
    if (typeof d.showModal === 'function') { d.showModal(); } else { d.setAttribute('open', ''); }
  }
  function button(cls, id, text) {
    var b = document.createElement('button');
    b.type = 'button'; b.className = cls; b.setAttribute('data-id', id); b.textContent = text;
    return b;
  }
  function loadPicker(id, focus) {
    var list = document.getElementById('picker');
    var path = document.getElementById('picker-path');
    var target = document.getElementById('move-folder');
    if (!list || !path || !target) { return; }
    list.setAttribute('aria-busy', 'true');
    fetch('/folders/' + encodeURIComponent(id) + '/picker', {
      headers: { 'Accept': 'application/json' }, credentials: 'same-origin'
    }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    }).then(function (v) {
      target.value = v.id;
      path.textContent = '';
      v.up.forEach(function (a) {
        path.appendChild(button('picker-up link', a.id, a.name));
        path.appendChild(document.createTextNode(' / '));
      });
      var here = document.createElement('strong');
      here.id = 'picker-here'; here.textContent = v.name;
      path.appendChild(here);
      list.textContent = '';
      var shown = 0;
      v.folders.forEach(function (f) {
        if (moving.excluded[f.id]) { return; }
        var li = document.createElement('li');
        var b = button('picker-folder', f.id, f.name);
        b.setAttribute('aria-label', list.getAttribute('data-open').replace('{name}', f.name));
        li.appendChild(b);
        list.appendChild(li);
        shown++;
      });
      if (shown === 0) {
        var empty = document.createElement('li');
        empty.className = 'muted'; empty.textContent = list.getAttribute('data-empty');
        list.appendChild(empty);
      }
      var move = document.getElementById('move-btn');
      if (move) { move.disabled = !v.writable || !!moving.excluded[v.id]; }
      list.removeAttribute('aria-busy');
      if (focus) {
        var first = list.querySelector('button') || move;
        if (first) { first.focus(); }
      }
    }).catch(function () {
      list.textContent = '';
      var li = document.createElement('li');
      li.className = 'error'; li.textContent = list.getAttribute('data-failed');
      list.appendChild(li);
      list.removeAttribute('aria-busy');
    });
  }

  // --- Drag and drop onto folders -------------------------------------------------------------
  var dragging = null;
  function dropTarget(el) {
    var t = el && el.closest && el.closest('tr.folder-row, [data-drop]');
    if (!t) { return null; }
    var id = t.getAttribute('data-drop') || t.getAttribute('data-id');
    if (!id || !dragging || dragging.indexOf('d:' + id) >= 0) { return null; }
    return { el: t, id: id };
  }
  document.addEventListener('dragstart', function (e) {
    var row = e.target.closest && e.target.closest('tr[draggable="true"]');
    if (!row) { return; }
    var box = row.querySelector('input.pick');
    dragging = box && box.checked ? selected() : [row.getAttribute('data-item')];
    if (e.dataTransfer) {
      e.dataTransfer.effectAllowed = 'move';
      e.dataTransfer.setData('text/plain', row.getAttribute('data-name') || '');
    }
  });
  document.addEventListener('dragend', function () {
    dragging = null;
    document.querySelectorAll('.drop-target').forEach(function (x) { x.classList.remove('drop-target'); });
  });
  document.addEventListener('dragover', function (e) {
    var t = dropTarget(e.target);
    if (!t) { return; }
    e.preventDefault();
    if (e.dataTransfer) { e.dataTransfer.dropEffect = 'move'; }
    t.el.classList.add('drop-target');
  });
  document.addEventListener('dragleave', function (e) {
    var t = e.target.closest && e.target.closest('.drop-target');
    if (t && !t.contains(e.relatedTarget)) { t.classList.remove('drop-target'); }
  });
  document.addEventListener('drop', function (e) {
    var t = dropTarget(e.target);
    if (!t) { return; }
    e.preventDefault();
    var bulk = document.getElementById('bulk-form');
    if (!bulk) { return; }
    var f = document.createElement('form');
    f.method = 'post'; f.action = bulk.getAttribute('action'); f.hidden = true;
    var fields = [['csrf', bulk.querySelector('input[name="csrf"]').value], ['op', 'move'], ['folder', t.id]];
    dragging.forEach(function (i) { fields.push(['item', i]); });
    fields.forEach(function (p) {
      var x = document.createElement('input');
      x.type = 'hidden'; x.name = p[0]; x.value = p[1];
      f.appendChild(x);
    });
    dragging = null;
    document.body.appendChild(f);
    f.submit();
  });

  function ready() { localTimes(); restore(); updateSelection(); }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', ready);
  } else {
    ready();
  }
})();
