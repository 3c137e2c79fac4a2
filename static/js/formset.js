// Adds and removes the items of a Django formset (children of a report, measures of a plan).
// A new item comes from <template id="PREFIX-template">; after a removal the items are numbered again
// (names, ids, labels, "Child 2"), so the server gets PREFIX-0… without a gap. No inline script (CSP).
(function () {
  "use strict";

  function managementValue(prefix, name) {
    var input = document.getElementById("id_" + prefix + "-" + name);
    return input ? parseInt(input.value, 10) : NaN;
  }

  function renumber(prefix) {
    var container = document.getElementById(prefix);
    var items = container.querySelectorAll("[data-formset-form]");
    var pattern = new RegExp("(^|[_\\s-])" + prefix + "-(\\d+|__prefix__)(?=-|$|\\s)", "g");
    items.forEach(function (item, index) {
      var replacement = "$1" + prefix + "-" + index;
      [item].concat(Array.prototype.slice.call(item.querySelectorAll("[name], [id], [for], [aria-describedby], [href]")))
        .forEach(function (element) {
          ["name", "id", "for", "aria-describedby", "href"].forEach(function (attribute) {
            var value = element.getAttribute(attribute);
            if (value) { element.setAttribute(attribute, value.replace(pattern, replacement)); }
          });
        });
      var number = item.querySelector("[data-formset-number]");
      if (number) { number.textContent = String(index + 1); }
    });
    document.getElementById("id_" + prefix + "-TOTAL_FORMS").value = String(items.length);
    var minimum = managementValue(prefix, "MIN_NUM_FORMS") || 0;
    items.forEach(function (item) {
      var remove = item.querySelector("[data-formset-remove]");
      if (remove) { remove.hidden = items.length <= minimum; }
    });
    var add = document.querySelector("[data-formset-add='" + prefix + "']");
    var maximum = managementValue(prefix, "MAX_NUM_FORMS");
    if (add && !isNaN(maximum)) { add.hidden = items.length >= maximum; }
  }

  function add(prefix, byHand) {
    var container = document.getElementById(prefix);
    var index = container.querySelectorAll("[data-formset-form]").length;
    var html = document.getElementById(prefix + "-template").innerHTML.replace(/__prefix__/g, String(index));
    container.insertAdjacentHTML("beforeend", html);
    renumber(prefix);
    container.dispatchEvent(new CustomEvent("formset:added", { detail: { index: index }, bubbles: true }));
    var added = container.querySelectorAll("[data-formset-form]")[index];
    var first = added && added.querySelector("input:not([type=hidden]), select, textarea");
    if (first && byHand) { first.focus(); }  // not when a restored draft adds its items
  }

  function remove(prefix, item) {
    var container = document.getElementById(prefix);
    item.parentNode.removeChild(item);
    renumber(prefix);
    container.dispatchEvent(new CustomEvent("formset:removed", { bubbles: true }));
    var button = document.querySelector("[data-formset-add='" + prefix + "']");
    if (button) { button.focus(); }
  }

  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    var container = document.getElementById(prefix);
    if (!container) { return; }
    button.addEventListener("click", function (event) { add(prefix, event.isTrusted); });
    container.addEventListener("click", function (event) {
      var target = event.target.closest("[data-formset-remove]");
      if (target) { remove(prefix, target.closest("[data-formset-form]")); }
    });
    renumber(prefix);
  });
})();
