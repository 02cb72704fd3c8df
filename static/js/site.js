// Progressive enhancements only: every form works without this file.
(function () {
  "use strict";

  // Live character count for fields that declare a counter element.
  document.querySelectorAll("textarea[data-counter]").forEach(function (field) {
    var counter = document.getElementById(field.getAttribute("data-counter"));
    var limit = parseInt(field.getAttribute("maxlength"), 10);
    if (!counter || !limit) { return; }
    var template = counter.textContent;
    var timer = null;
    function update() {
      var left = limit - field.value.length;
      counter.textContent = template + " " + left.toLocaleString() + " " + (counter.getAttribute("data-left") || "left.");
    }
    field.addEventListener("input", function () {
      // Announce at most once a second so screen readers are not flooded.
      clearTimeout(timer);
      timer = setTimeout(update, 1000);
    });
  });

  // Move focus to the error summary so keyboard and screen-reader users hear what went wrong.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
