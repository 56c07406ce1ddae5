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
  // Tables: each cell gets its column's header as data-label, which site.css shows in front of the cell when
  // a phone turns the rows of a list into cards.
  function labelTables(root) {
    var tables = root.querySelectorAll ? root.querySelectorAll("table") : [];
    Array.prototype.forEach.call(tables, function (table) {
      var labels = [];
      Array.prototype.forEach.call(table.querySelectorAll("thead tr:last-child > th"), function (th) {
        for (var i = 0; i < (th.colSpan || 1); i++) { labels.push(th.textContent.trim()); }
      });
      if (!labels.length) { return; }
      Array.prototype.forEach.call(table.querySelectorAll("tbody > tr"), function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.children, function (cell) {
          if (cell.colSpan === 1 && labels[column] && !cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", labels[column]);
          }
          column += cell.colSpan || 1;
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { labelTables(document); });
  // htmx fires htmx:load on every piece of content it swaps in (the DNA run's progress polls itself).
  document.addEventListener("htmx:load", function (event) {
    applyProgress(event.target.parentNode || event.target);
    labelTables(event.target.parentNode || event.target);
  });

  // The menus of the bar are <details> (they open without JavaScript); with it, one is open at a time, and a
  // click elsewhere or Escape closes it. The menu gets Bootstrap's "show" class while open.
  function menus() { return document.querySelectorAll("details.nav-menu"); }
  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (!menu.matches || !menu.matches("details.nav-menu")) { return; }
    var list = menu.querySelector(".dropdown-menu");
    if (list) { list.classList.toggle("show", menu.open); }
    if (menu.open) {
      Array.prototype.forEach.call(menus(), function (other) { if (other !== menu) { other.open = false; } });
    }
  }, true);
  document.addEventListener("click", function (event) {
    Array.prototype.forEach.call(menus(), function (menu) {
      if (menu.open && !menu.contains(event.target)) { menu.open = false; }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    Array.prototype.forEach.call(menus(), function (menu) {
      if (menu.open) { menu.open = false; menu.querySelector("summary").focus(); }
    });
  });

  // <button data-copy-target="#receipt-code" hidden>: copies the target's data-code (or text) to the clipboard;
  // where the clipboard is not available it selects the text so the user can copy it. The button is hidden
  // without JavaScript, where the code is simply shown, selectable.
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-copy-target]"), function (button) {
      button.hidden = false;
    });
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy-target]") : null;
    if (!button) { return; }
    var target = document.querySelector(button.getAttribute("data-copy-target"));
    if (!target) { return; }
    var status = document.querySelector("[data-copy-status]");
    var text = target.getAttribute("data-code") || target.textContent.trim();
    function say(message) { if (status) { status.textContent = message || ""; } }
    function selectText() {
      var range = document.createRange();
      range.selectNodeContents(target);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      say(button.getAttribute("data-selected-text"));
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () {
        say(button.getAttribute("data-copied-text"));
      }, selectText);
    } else {
      selectText();
    }
  });
})();
