// Review-queue keyboard shortcuts: j/k move between items, a approve, h choose a hide reason,
// e escalate. Ticking a comment also ticks the comments on this page with the same text.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-queue-item]"));
  if (!items.length) { return; }
  var current = -1;

  function focusItem(index) {
    current = Math.max(0, Math.min(items.length - 1, index));
    items[current].focus();
    items[current].scrollIntoView({ block: "start" });
  }

  function typing(target) {
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    if (event.key === "j") { focusItem(current + 1); event.preventDefault(); return; }
    if (event.key === "k") { focusItem(current - 1); event.preventDefault(); return; }
    if (current < 0) { return; }
    var control = items[current].querySelector('[data-key="' + event.key + '"]');
    if (!control) { return; }
    event.preventDefault();
    if (control.tagName === "SELECT") { control.focus(); } else { control.click(); }
  });

  document.querySelectorAll('input[name="comment_ids"]').forEach(function (box) {
    box.addEventListener("change", function () {
      (box.getAttribute("data-twins") || "").split(" ").filter(Boolean).forEach(function (id) {
        var other = document.getElementById("tick-" + id);
        if (other) { other.checked = box.checked; }
      });
    });
  });
})();
