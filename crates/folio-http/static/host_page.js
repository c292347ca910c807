// Folio host page: creates the editor iframe, POSTs the token into it, and handles the editor's
// PostMessages (origin-checked). See shared spec hostpage.md §6.
(function () {
  'use strict';
  var body = document.body;
  // The words this script shows: the page's #folio-strings (the `js.*` keys of the catalog, in
  // the request's language). The same lookup as folio.js's t(), which this page does not load.
  var strings = {};
  try { strings = JSON.parse(document.getElementById('folio-strings').textContent); } catch (e) { /* keys show */ }
  function t(key) { return typeof strings[key] === 'string' ? strings[key] : key; }
  var editorOrigin = body.getAttribute('data-editor-origin');
  var form = document.getElementById('office_form');
  var clientOrigin = editorOrigin || new URL(form.action).origin;
  var frame = document.createElement('iframe');
  frame.name = 'office_frame';
  frame.id = 'office_frame';
  frame.title = t('js.host.editor_title');
  frame.setAttribute('allowfullscreen', 'true');
  frame.setAttribute('allow', 'clipboard-read; clipboard-write; fullscreen');
  frame.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-forms allow-popups allow-top-navigation allow-popups-to-escape-sandbox allow-downloads allow-modals');
  document.getElementById('frameholder').appendChild(frame);

  // Pass wd* parameters of this page through to the action URL; drop the session ones from ours.
  var here = new URL(window.location.href);
  var action = new URL(form.action);
  here.searchParams.forEach(function (v, k) { if (k.indexOf('wd') === 0) { action.searchParams.set(k, v); } });
  form.action = action.toString();
  if (window.history && history.replaceState) {
    here.searchParams.delete('wdPreviousSession');
    here.searchParams.delete('wdPreviousCorrelation');
    history.replaceState(history.state, '', here.toString());
  }
  form.submit();

  window.folioHost = { appReady: false, messages: [] };
  function send(id, values) {
    if (!frame.contentWindow) { return; }
    frame.contentWindow.postMessage(JSON.stringify({ MessageId: id, SendTime: Date.now(), Values: values || {} }), clientOrigin);
  }
  function go(url) { if (url) { window.location.href = url; } }
  window.addEventListener('message', function (e) {
    if (e.origin !== clientOrigin || e.source !== frame.contentWindow) { return; }
    var msg;
    try { msg = typeof e.data === 'string' ? JSON.parse(e.data) : e.data; } catch (err) { return; }
    if (!msg || typeof msg.MessageId !== 'string') { return; }
    window.folioHost.messages.push(msg.MessageId);
    switch (msg.MessageId) {
      case 'App_LoadingStatus': window.folioHost.appReady = true; break;
      case 'UI_Close': go(body.getAttribute('data-close-url')); break;
      case 'UI_Edit': go(body.getAttribute('data-edit-url')); break;
      case 'UI_FileVersions': go(body.getAttribute('data-versions-url')); break;
      case 'UI_Sharing': go(body.getAttribute('data-sharing-url')); break;
      case 'File_Rename':
        if (msg.Values && msg.Values.NewName) { document.title = msg.Values.NewName + ' – Folio'; }
        break;
      case 'Edit_Notification': window.folioHost.lastEdit = Date.now(); break;
      default: break;
    }
  });
  frame.addEventListener('load', function () { send('Host_PostmessageReady'); });
  send('Host_PostmessageReady');

  // --- Token renewal (docs/CLIENTS.md "Token renewal") --------------------------------------
  // Before the access token expires the page asks Folio for a fresh one (same user, file,
  // editor and mode; the session cookie plus the CSRF header authenticate the request) and
  // hands it to the editor: Collabora takes it by PostMessage (Reset_Access_Token, no reload);
  // every other editor gets the form POSTed again into its frame with the new token, at a
  // quiet moment (no Edit_Notification recently) but always before the old token expires.
  var renewUrl = body.getAttribute('data-renew-url');
  var csrf = body.getAttribute('data-csrf');
  var kind = body.getAttribute('data-editor-kind');
  var tokenInput = form.querySelector('input[name="access_token"]');
  var ttlInput = form.querySelector('input[name="access_token_ttl"]');
  var host = window.folioHost;
  host.ttl = parseInt(ttlInput.value, 10) || 0;
  host.firstTtl = host.ttl;
  host.renewals = 0;      // fresh tokens received
  host.reloads = 0;       // frame reloads with a fresh token
  host.resets = 0;        // Reset_Access_Token messages sent
  host.renewError = null;
  var MAX_MARGIN_MS = 10 * 60 * 1000;  // renew 10 minutes before expiry…
  var MARGIN_FRACTION = 0.1;           // …or at 90 % of the remaining time for short tokens
  var QUIET_MS = 5 * 60 * 1000;        // no Edit_Notification for this long: a quiet moment
  var timer = null;
  var dueAt = 0;

  function banner(text) {
    var b = document.getElementById('renew_banner');
    if (!b) {
      b = document.createElement('div');
      b.id = 'renew_banner';
      b.setAttribute('role', 'alert');
      document.body.insertBefore(b, document.body.firstChild);
    }
    b.textContent = text + ' ';
    var again = document.createElement('a');
    again.href = window.location.href;
    again.textContent = t('js.host.reload');
    b.appendChild(again);
  }

  function schedule(ttl) {
    if (timer) { clearTimeout(timer); }
    var remaining = ttl - Date.now();
    var margin = Math.min(MAX_MARGIN_MS, remaining * MARGIN_FRACTION);
    var delay = Math.max(0, remaining - margin);
    dueAt = Date.now() + delay;
    // Timers of hidden tabs are throttled and a sleeping laptop fires them late:
    // visibilitychange below catches up.
    timer = setTimeout(renew, Math.min(delay, 0x7fffffff));
  }

  function reloadFrame() {
    host.appReady = false;
    host.reloads += 1;
    form.submit();
  }

  // Reload the frame with the fresh token at a quiet moment, at the latest shortly before
  // the old token (still valid) expires.
  function reloadWhenQuiet(oldTtl) {
    var latest = oldTtl - Math.min(60 * 1000, Math.max(0, oldTtl - Date.now()) / 2);
    (function check() {
      var quiet = !host.lastEdit || Date.now() - host.lastEdit >= QUIET_MS;
      if (quiet || Date.now() >= latest) { reloadFrame(); } else { setTimeout(check, 1000); }
    })();
  }

  function apply(fresh) {
    var oldTtl = host.ttl;
    tokenInput.value = fresh.access_token;
    ttlInput.value = String(fresh.access_token_ttl);
    host.ttl = fresh.access_token_ttl;
    host.renewals += 1;
    host.renewError = null;
    var b = document.getElementById('renew_banner');
    if (b) { b.parentNode.removeChild(b); }
    if (kind === 'collabora' && host.appReady) {
      send('Reset_Access_Token', { token: fresh.access_token, token_ttl: fresh.access_token_ttl });
      host.resets += 1;
    } else {
      reloadWhenQuiet(oldTtl);
    }
    schedule(fresh.access_token_ttl);
  }

  function fail(status, message) {
    host.renewError = status || 'network';
    var text = message || t('js.host.renew_failed');
    if (status === 0 || status >= 500) {
      // Transient: try again while the current token lasts.
      var left = host.ttl - Date.now();
      if (left > 5000) {
        banner(text + ' ' + t('js.host.retrying'));
        timer = setTimeout(renew, Math.min(30000, left / 4));
        return;
      }
    }
    banner(text + ' ' + t('js.host.copy_unsaved'));
  }

  function renew() {
    timer = null;
    fetch(renewUrl, {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ access_token: tokenInput.value, view: body.getAttribute('data-view') === 'true' })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (d) {
        if (r.ok && d && typeof d.access_token === 'string' && typeof d.access_token_ttl === 'number') {
          apply(d);
        } else {
          fail(r.status, d && d.error);
        }
      });
    }, function () { fail(0, null); });
  }

  if (renewUrl && csrf && host.ttl > 0) {
    schedule(host.ttl);
    document.addEventListener('visibilitychange', function () {
      if (!document.hidden && timer && Date.now() >= dueAt) { clearTimeout(timer); renew(); }
    });
  }
})();
