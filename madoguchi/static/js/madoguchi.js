// madoguchi's only script. Every page works without it; it adds two conveniences.

// htmx sends Django's CSRF token in a header on every request it makes.
document.addEventListener("htmx:configRequest", function (event) {
  var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) { event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]); }
});

// A form returned with errors: move the focus to its error summary, so a screen reader reads
// the errors first and a keyboard user starts from the links to the fields (WCAG 3.3.1).
// The summary also has role="alert" for browsers without this script.
function focusErrorSummary(root) {
  var summary = (root || document).querySelector(".error-summary, .errorlist-summary");
  if (summary) {
    if (!summary.hasAttribute("tabindex")) { summary.setAttribute("tabindex", "-1"); }
    summary.focus();
  }
}
document.addEventListener("DOMContentLoaded", function () { focusErrorSummary(document); });
document.addEventListener("htmx:afterSwap", function (event) { focusErrorSummary(event.detail.target); });

// 「印刷する」 buttons are hidden without this script (the browser's own print still works).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".print-button").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});

// A long multi-select (the institutions a client names at intake) gets a filter box: typing
// hides the options that do not contain the words; chosen options always stay visible.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-filter]").forEach(function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "named-filter";
    box.id = select.id + "-filter";
    box.setAttribute("aria-controls", select.id);
    box.setAttribute("aria-label", select.getAttribute("data-filter-label") || "絞り込み");
    box.placeholder = select.getAttribute("data-filter-label") || "";
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var words = box.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = !!words && !option.selected && option.text.toLowerCase().indexOf(words) === -1;
      });
    });
  });
});
