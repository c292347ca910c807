// Folio uploads: several files at once, by picker or drag-and-drop. Each file is streamed with
// its own XHR (raw body, no multipart), with a progress bar and a clear per-file result.
(function () {
  'use strict';
  var zone = document.getElementById('dropzone');
  if (!zone) { return; }
  var input = document.getElementById('upload-input');
  var list = document.getElementById('uploads');
  var folder = zone.getAttribute('data-folder');
  var csrf = zone.getAttribute('data-csrf');
  var max = Number(zone.getAttribute('data-max')) || 0;

  function row(file) {
    var li = document.createElement('li');
    li.className = 'upload';
    li.setAttribute('data-name', file.name);
    li.setAttribute('data-state', 'uploading');
    var label = document.createElement('span');
    label.className = 'upload-name';
    label.textContent = file.name;
    var bar = document.createElement('progress');
    bar.max = 100; bar.value = 0;
    bar.setAttribute('aria-label', 'Upload progress of ' + file.name);
    var status = document.createElement('span');
    status.className = 'upload-status';
    status.textContent = 'Waiting…';
    li.appendChild(label); li.appendChild(bar); li.appendChild(status);
    list.appendChild(li);
    return { li: li, bar: bar, status: status };
  }

  function fail(r, message) {
    r.li.setAttribute('data-state', 'error');
    r.li.classList.add('failed');
    r.status.textContent = message;
  }

  function upload(file) {
    var r = row(file);
    if (max && file.size > max) {
      fail(r, 'Too large: the limit is ' + Math.round(max / 1048576) + ' MB.');
      return;
    }
    var xhr = new XMLHttpRequest();
    xhr.open('POST', '/folders/' + encodeURIComponent(folder) + '/upload?name=' + encodeURIComponent(file.name));
    xhr.setRequestHeader('X-CSRF-Token', csrf);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) {
        r.bar.value = Math.floor((e.loaded / e.total) * 100);
        r.status.textContent = r.bar.value + '%';
      }
    };
    xhr.onload = function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
      if (xhr.status === 200) {
        r.bar.value = 100;
        r.li.setAttribute('data-state', 'done');
        r.status.textContent = 'Uploaded. ';
        var a = document.createElement('a');
        a.href = window.location.pathname;
        a.textContent = 'Refresh the list';
        r.status.appendChild(a);
      } else {
        fail(r, body.error || ('Upload failed (' + xhr.status + ').'));
      }
    };
    xhr.onerror = function () { fail(r, 'Network error: the upload did not reach the server.'); };
    r.status.textContent = '0%';
    xhr.send(file);
  }

  function handle(files) { for (var i = 0; i < files.length; i++) { upload(files[i]); } }
  input.addEventListener('change', function () { handle(input.files); input.value = ''; });
  zone.addEventListener('dragover', function (e) { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', function () { zone.classList.remove('over'); });
  zone.addEventListener('drop', function (e) {
    e.preventDefault();
    zone.classList.remove('over');
    if (e.dataTransfer && e.dataTransfer.files) { handle(e.dataTransfer.files); }
  });
})();
