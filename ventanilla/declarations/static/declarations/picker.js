/* Search-as-you-type pickers: htmx puts suggestions under a plain input; choosing one
   fills the input. Without JavaScript the input is an ordinary text field. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-pick-value]");
    if (!button) {
      return;
    }
    event.preventDefault();
    var input = document.getElementById(button.getAttribute("data-pick-target"));
    if (input) {
      input.value = button.getAttribute("data-pick-value");
      input.focus();
    }
    var list = button.closest("[data-picks]");
    if (list) {
      list.innerHTML = "";
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var list = event.target.closest && event.target.closest(".usa-form-group");
      var picks = list && list.querySelector("[data-picks]");
      if (picks) {
        picks.innerHTML = "";
      }
    }
  });
})();
