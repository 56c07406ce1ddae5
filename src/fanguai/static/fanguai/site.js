// Small behaviours of the pages, declared in the templates with data attributes. The Content-Security-Policy
// allows no inline script, event handler (onchange=...) or style attribute, so they live here.
(function () {
  "use strict";

  // <select data-autosubmit>: submit the form when the choice changes.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) {
      field.form.submit();
    }
  });

  // <a data-history-back href="...">: go back where the user came from; the href is the fallback.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-history-back]") : null;
    if (link && window.history.length > 1 && document.referrer.indexOf(window.location.origin) === 0) {
      event.preventDefault();
      window.history.back();
    }
  });

  // <div class="progress-bar" data-progress="42">: the width of a progress bar (set through the CSSOM,
  // which the policy allows, rather than a style attribute, which it does not).
  function applyProgress(root) {
    var bars = root.querySelectorAll ? root.querySelectorAll("[data-progress]") : [];
    Array.prototype.forEach.call(bars, function (bar) {
      var value = Math.max(0, Math.min(100, parseFloat(bar.getAttribute("data-progress")) || 0));
      bar.style.width = value + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { applyProgress(document); });
  // htmx fires htmx:load on every piece of content it swaps in (the DNA run's progress polls itself).
  document.addEventListener("htmx:load", function (event) {
    applyProgress(event.target.parentNode || event.target);
  });
})();
