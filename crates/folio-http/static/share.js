// The share dialog, enhanced: the people picker (an ARIA combobox over GET /people?q=), role
// changes sent when chosen, the browser's time zone for a link's expiry, and "Copy" for a new
// link. Without this script every form still works (a typed login or name, a Change button).
(function () {
  'use strict';
  var input = document.getElementById('share-login');
  var list = document.getElementById('share-options');
  var hidden = document.getElementById('share-user');
  var status = document.getElementById('share-none');
  var active = -1;
  var items = [];
  var timer = null;
  var seq = 0;

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function mark(i) {
    items.forEach(function (li, j) { li.setAttribute('aria-selected', j === i ? 'true' : 'false'); });
    active = i;
    if (i >= 0 && items[i]) {
      input.setAttribute('aria-activedescendant', items[i].id);
      items[i].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function choose(i) {
    var li = items[i];
    if (!li) { return; }
    input.value = li.getAttribute('data-name');
    hidden.value = li.getAttribute('data-id');
    input.setAttribute('data-chosen', li.getAttribute('data-login'));
    close();
  }

  function show(people) {
    list.textContent = '';
    items = people.map(function (p, i) {
      var li = document.createElement('li');
      li.id = 'share-option-' + i;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.setAttribute('data-id', p.id);
      li.setAttribute('data-name', p.name);
      li.setAttribute('data-login', p.login);
      var name = document.createElement('span');
      name.className = 'person';
      name.textContent = p.name;
      var login = document.createElement('span');
      login.className = 'muted';
      login.textContent = ' ' + p.login;
      li.appendChild(name);
      li.appendChild(login);
      li.addEventListener('mousedown', function (e) { e.preventDefault(); choose(i); });
      list.appendChild(li);
      return li;
    });
    status.textContent = people.length
      ? status.getAttribute('data-some').replace('{n}', String(people.length))
      : status.getAttribute('data-none');
    if (people.length) {
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      mark(-1);
    } else {
      close();
    }
  }

  function search() {
    var q = input.value.trim();
    var mine = ++seq;
    if (!q) { show([]); status.textContent = ''; return; }
    fetch(input.getAttribute('data-source') + '?q=' + encodeURIComponent(q), {
      credentials: 'same-origin',
      headers: { 'Accept': 'application/json', 'X-Requested-With': 'fetch' }
    }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    }).then(function (people) {
      if (mine === seq) { show(Array.isArray(people) ? people : []); }
    }).catch(function () { if (mine === seq) { close(); } });
  }

  if (input && list && hidden) {
    input.addEventListener('input', function () {
      hidden.value = '';
      input.removeAttribute('data-chosen');
      clearTimeout(timer);
      timer = setTimeout(search, 150);
    });
    input.addEventListener('keydown', function (e) {
      var open = !list.hidden && items.length > 0;
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        if (!open) { search(); return; }
        mark(active + 1 >= items.length ? 0 : active + 1);
      } else if (e.key === 'ArrowUp') {
        if (!open) { return; }
        e.preventDefault();
        mark(active <= 0 ? items.length - 1 : active - 1);
      } else if (e.key === 'Enter') {
        if (open && active >= 0) { e.preventDefault(); choose(active); }
      } else if (e.key === 'Escape') {
        if (open) { e.preventDefault(); close(); }
      }
    });
    input.addEventListener('blur', function () { setTimeout(close, 100); });
  }

  // A role is changed as soon as it is chosen; the Change buttons are for pages without script.
  document.querySelectorAll('form.role-form').forEach(function (form) {
    var select = form.querySelector('select');
    var button = form.querySelector('button');
    if (button) { button.hidden = true; }
    if (select) { select.addEventListener('change', function () { form.submit(); }); }
  });

  var tz = document.getElementById('link-tz');
  if (tz) { tz.value = String(new Date().getTimezoneOffset()); }

  var copy = document.getElementById('copy-link');
  if (copy) {
    copy.addEventListener('click', function () {
      var field = document.getElementById(copy.getAttribute('data-copy'));
      var done = function () { document.getElementById('copy-status').textContent = copy.getAttribute('data-copied'); };
      field.select();
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand('copy'); done(); });
      } else {
        document.execCommand('copy');
        done();
      }
    });
  }
})();
