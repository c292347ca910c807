// Folio pages: behaviour that cannot be inline (the Content-Security-Policy allows same-origin
// scripts only). Words shown to people live in the templates, never here.
//
// - A form with data-confirm="question" asks before it is submitted.
// - Row menus (a disclosure: button + aria-expanded): a row's "More" button opens the page's one menu (#file-menu or #folder-menu) as
//   a popover over the content, its links and forms pointed at that row ({id} in data-href and
//   data-action). Escape or a click elsewhere closes it.
// - Dialogs: a menu item with data-dialog opens that <dialog>, its form pointed at the row.
// - "+ New" (phone layout): shows or hides the toolbar.
// - Favourites: a menu's star form is filled for the row (star or unstar, back to this page).
// - Side panel: a menu link with data-panel shows its page's #details in that <aside>.
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
          el.type === 'submit' || el.type === 'button' || el.type === 'hidden') { continue; }
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
    if (pending.dialog && pending.row) {
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

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', restore);
  } else {
    restore();
  }
})();
