// Progress bars take their width from data-percent (no inline style: CSP).
(function () {
  "use strict";
  document.querySelectorAll("[data-percent]").forEach(function (bar) {
    bar.style.width = Math.max(0, Math.min(100, parseInt(bar.getAttribute("data-percent"), 10) || 0)) + "%";
  });
})();
