// Progressive enhancements only: every form works without this file.
(function () {
  "use strict";

  var pageLang = document.documentElement.lang || undefined;

  // Live character count for fields that declare a counter element.
  document.querySelectorAll("textarea[data-counter]").forEach(function (field) {
    var counter = document.getElementById(field.getAttribute("data-counter"));
    var limit = parseInt(field.getAttribute("maxlength"), 10);
    if (!counter || !limit) { return; }
    var template = counter.textContent;
    var timer = null;
    function update() {
      var left = limit - field.value.length;
      counter.textContent = template + " " + left.toLocaleString(pageLang) + " " + (counter.getAttribute("data-left") || "left.");
    }
    field.addEventListener("input", function () {
      // Announce at most once a second so screen readers are not flooded.
      clearTimeout(timer);
      timer = setTimeout(update, 1000);
    });
    field.addEventListener("draftrestored", update);
    if (field.value) { update(); }  // text given back after a refused submission
  });

  // A draft of the comment, kept in this tab until the receipt says it is stored, so that a
  // lost connection, an error page or a reload never loses a long comment. sessionStorage, not
  // localStorage: on a shared school or library computer it goes when the tab closes.
  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }  // blocked by settings
  }
  var store = storage();
  if (store) {
    document.querySelectorAll("form[data-draft]").forEach(function (form) {
      var key = "draft:" + form.getAttribute("data-draft");
      var field = form.querySelector("textarea");
      if (!field) { return; }
      var saved = store.getItem(key);
      if (saved && !field.value.trim()) {  // text the server gave back wins over the copy
        field.value = saved;
        var note = document.getElementById("draft-note");
        if (note) { note.textContent = form.getAttribute("data-draft-restored"); }
        field.dispatchEvent(new Event("draftrestored"));
      }
      field.addEventListener("input", function () {
        try {
          if (field.value.trim()) { store.setItem(key, field.value); } else { store.removeItem(key); }
        } catch (e) { /* storage full: the server still re-shows refused text */ }
      });
    });
    document.querySelectorAll("[data-draft-sent]").forEach(function (element) {
      store.removeItem("draft:" + element.getAttribute("data-draft-sent"));
    });
  }

  // Move focus to the error summary so keyboard and screen-reader users hear what went wrong.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
