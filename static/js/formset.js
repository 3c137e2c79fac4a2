// Adds a form to a Django formset from its <template id="PREFIX-template">: no inline script (CSP).
(function () {
  "use strict";
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    button.addEventListener("click", function () {
      var prefix = button.getAttribute("data-formset-add");
      var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) { return; }
      var template = document.getElementById(prefix + "-template");
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var container = document.getElementById(prefix);
      container.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      container.dispatchEvent(new CustomEvent("formset:added", { detail: { index: index }, bubbles: true }));
    });
  });
})();
