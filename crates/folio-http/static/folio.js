// Folio pages: behaviour that cannot be inline (the Content-Security-Policy allows same-origin
// scripts only). A form with data-confirm="question" asks before it is submitted.
(function () {
  'use strict';
  document.addEventListener('submit', function (e) {
    var form = e.target;
    var question = form && form.getAttribute && form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) { e.preventDefault(); }
  }, true);
})();
