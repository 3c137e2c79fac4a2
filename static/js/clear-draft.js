// After a report is saved, its browser draft is no longer needed.
(function () {
  "use strict";
  var marker = document.querySelector("[data-clear-report-draft]");
  if (marker) {
    try { localStorage.removeItem("baove:report-draft:" + marker.getAttribute("data-clear-report-draft")); } catch (e) { /* ignore */ }
  }
})();
