// The period picker shows only the choices its kind needs (a quarter for "quarter", two dates for
// "custom"); without this script every choice is shown and the server uses those of the kind.
(function () {
  "use strict";
  document.querySelectorAll("[data-period-picker]").forEach(function (form) {
    var kind = form.querySelector("select[name=kind]");
    if (!kind) { return; }
    function refresh() {
      form.querySelectorAll("[data-period-part]").forEach(function (part) {
        var name = part.getAttribute("data-period-part");
        var shown = name === "kind" || (name === "year" && kind.value !== "custom") || name === kind.value;
        part.hidden = !shown;
      });
    }
    kind.addEventListener("change", refresh);
    refresh();
  });
})();
