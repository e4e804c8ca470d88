/* Accessibility helpers for every page (a static file: the Content-Security-Policy
   allows no inline script). Loaded with defer from base.html.

   1. A failed htmx request (an error status or no answer) is announced in the
      page's live region #request-error, in Swedish, instead of nothing happening.
   2. After a form comes back with errors, focus moves to its first invalid field
      (Django marks those with aria-invalid="true"), not to a heading.
   3. A table wrapper that scrolls sideways (a wide table on a phone) becomes a
      named, focusable region, so that it can be scrolled with the keyboard. */
(function () {
  "use strict";

  // --- 1. failed htmx requests ---------------------------------------------------
  function errorBox() {
    return document.getElementById("request-error");
  }

  function showError(kind, status) {
    var box = errorBox();
    if (!box) return;
    var text = box.getAttribute("data-msg-" + kind) || box.getAttribute("data-msg-server");
    if (kind === "server" && status) text = text + " (" + status + ")";
    box.querySelector("[data-text]").textContent = text;
    box.querySelector(".request-error-box").hidden = false;
  }

  function hideError() {
    var box = errorBox();
    if (box && !box.querySelector(".request-error-box").hidden) {
      box.querySelector(".request-error-box").hidden = true;
      box.querySelector("[data-text]").textContent = "";
    }
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var kind = status === 403 ? "forbidden" : status === 404 ? "notfound" : status >= 500 ? "server" : "client";
    showError(kind, status);
  });
  document.addEventListener("htmx:sendError", function () { showError("network", 0); });
  document.addEventListener("htmx:timeout", function () { showError("network", 0); });
  document.addEventListener("htmx:beforeRequest", hideError);
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-close-error]")) hideError();
  });

  // --- 2. focus on the first invalid field ---------------------------------------
  function focusFirstInvalid(root) {
    var field = root.querySelector('form [aria-invalid="true"]');
    if (!field || field.closest("[hidden]")) return false;
    field.focus();
    return document.activeElement === field;
  }

  // --- 3. scrollable table wrappers ----------------------------------------------
  function nameOf(box) {
    var table = box.querySelector("table");
    if (!table) return "";
    var caption = table.querySelector("caption");
    if (caption) return caption.textContent.trim();
    var by = table.getAttribute("aria-labelledby");
    if (by && document.getElementById(by)) return document.getElementById(by).textContent.trim();
    // The nearest heading before the table.
    var all = Array.prototype.slice.call(document.querySelectorAll("h1, h2, h3, h4"));
    var before = all.filter(function (h) {
      return h.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    return before.length ? before[before.length - 1].textContent.trim() : "";
  }

  function markScrollable(root) {
    var boxes = (root || document).querySelectorAll(".table-scroll");
    Array.prototype.forEach.call(boxes, function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        var hint = box.getAttribute("data-scroll-hint") || document.body.getAttribute("data-scroll-hint") || "";
        var name = nameOf(box);
        box.setAttribute("aria-label", (name ? name + ". " : "") + hint);
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  function ready() {
    markScrollable(document);
    focusFirstInvalid(document);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    markScrollable(document);
    var swapped = event.detail.elt;
    focusFirstInvalid(swapped && swapped.isConnected ? swapped : document);
  });
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { markScrollable(document); }, 150);
  });
})();
