/* Ventanilla's small enhancements. Every page works without this file. */
(function () {
  "use strict";

  // An error summary takes the focus, so a screen reader hears the problem first.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  // After htmx has changed the address (a search), the language switcher must come
  // back to that address, not to the one the page was first loaded at.
  function refreshLanguageNext() {
    var next = window.location.pathname + window.location.search;
    document.querySelectorAll(".vt-language input[name=next]").forEach(function (input) {
      input.value = next;
    });
  }

  document.addEventListener("DOMContentLoaded", focusErrorSummary);
  document.addEventListener("htmx:pushedIntoHistory", refreshLanguageNext);
  document.addEventListener("htmx:replacedInHistory", refreshLanguageNext);
  document.addEventListener("htmx:historyRestore", refreshLanguageNext);
})();
