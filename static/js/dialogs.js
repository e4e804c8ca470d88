// Content that htmx loads into a <dialog> (the continuity report's drill-down):
// the dialog opens as a modal with focus on its heading, Escape or "Stäng"
// closes it, and focus goes back to the link that opened it.
(function () {
  "use strict";
  var opener = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.hasAttribute("data-opens-dialog")) {
      opener = elt;
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var dialog = target && target.closest ? target.closest("dialog") : null;
    if (!dialog) {
      return;
    }
    if (!dialog.open) {
      dialog.showModal();
    }
    var heading = dialog.querySelector("h1, h2");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  });

  // "close" does not bubble; a capturing listener still sees it.
  document.addEventListener(
    "close",
    function (event) {
      if (event.target.tagName === "DIALOG" && opener) {
        opener.focus();
        opener = null;
      }
    },
    true
  );
})();
