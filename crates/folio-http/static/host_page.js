// Folio host page: creates the editor iframe, POSTs the token into it, and handles the editor's
// PostMessages (origin-checked). See shared spec hostpage.md §6.
(function () {
  'use strict';
  var body = document.body;
  var editorOrigin = body.getAttribute('data-editor-origin');
  var form = document.getElementById('office_form');
  var clientOrigin = editorOrigin || new URL(form.action).origin;
  var frame = document.createElement('iframe');
  frame.name = 'office_frame';
  frame.id = 'office_frame';
  frame.title = 'Document editor';
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
})();
