// Coding page shortcuts: the digit keys 1-9 tick or untick the theme with that number.
// The form works without this file: every theme is a real checkbox and the buttons submit it.
(function () {
  "use strict";
  var form = document.querySelector("[data-coding-form]");
  if (!form) { return; }

  function typing(target) {
    var tag = target.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable ||
      (tag === "INPUT" && target.type !== "checkbox");
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    if (!/^[1-9]$/.test(event.key)) { return; }
    var box = form.querySelector('input[type="checkbox"][data-shortcut="' + event.key + '"]');
    if (!box) { return; }
    event.preventDefault();
    box.click();  // a click, so the change is announced and events fire as for a mouse
  });
})();
