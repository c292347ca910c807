// Folio pages: behaviour that cannot be inline (the Content-Security-Policy allows same-origin
// scripts only). Words shown to people live in the templates, never here.
//
// - A form with data-confirm="question" asks before it is submitted.
// - Row menus (a disclosure: button + aria-expanded): a row's "More" button opens the page's one menu (#file-menu or #folder-menu) as
//   a popover over the content, its links and forms pointed at that row ({id} in data-href and
//   data-action). Escape or a click elsewhere closes it.
// - Dialogs: a menu item with data-dialog opens that <dialog>, its form pointed at the row.
// - "+ New" (phone layout): shows or hides the toolbar.
// - New document buttons (data-new-doc) open #new-doc-dialog: a name prompt and, when there are
//   organisation templates, "Start from" (without script the buttons create a blank document
//   under a numbered name).
// - The admin page's template upload sends the file as the raw body with X-CSRF-Token.
// - Signed out: a form sent without a live session is answered by the sign-in page
//   (data-signed-out). Each form's input is kept in sessionStorage when it is sent; the sign-in
//   page then returns to the page the form was on, which puts the input back (#restored says so).
(function () {
  'use strict';
  var root = document.documentElement;
  root.classList.add('js');

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
    var question = form && form.getAttribute && form.getAttribute('data-confirm');
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
      f.setAttribute('action', f.getAttribute('data-action').replace('{id}', encodeURIComponent(id)));
      f.setAttribute('data-row', id);
    });
    scope.querySelectorAll('[data-fill="name"]').forEach(function (i) { i.value = row.getAttribute('data-name'); });
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
    var close = t.closest && t.closest('[data-close]');
    if (close) {
      var d = close.closest('dialog');
      if (d) { d.close(); }
      return;
    }
    var newDoc = t.closest && t.closest('[data-new-doc]');
    if (newDoc && openNewDocument(newDoc.getAttribute('data-new-doc'))) { e.preventDefault(); return; }
    var toggle = t.closest && t.closest('#new-toggle');
    if (toggle) { toggleToolbar(); return; }
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

  // --- "+ New" ---------------------------------------------------------------------------------
  function toggleToolbar(show) {
    var toolbar = document.getElementById('toolbar');
    var button = document.getElementById('new-toggle');
    if (!toolbar || !button) { return; }
    var on = show === undefined ? !toolbar.classList.contains('open') : show;
    toolbar.classList.toggle('open', on);
    button.setAttribute('aria-expanded', on ? 'true' : 'false');
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', restore);
  } else {
    restore();
  }
})();
