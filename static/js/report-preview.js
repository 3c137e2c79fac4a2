// Follows the rendering of a report's PDF (a Celery task) and shows the download button when ready.
(function () {
  "use strict";
  var box = document.querySelector("[data-testid=preview]");
  if (!box) { return; }
  var state = box.getAttribute("data-state");
  if (state !== "queued" && state !== "running") { return; }
  var bar = box.querySelector("[data-testid=preview-progress]");
  var link = box.querySelector("[data-testid=download-preview]");
  function poll() {
    fetch(box.getAttribute("data-progress-url"), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        bar.style.width = data.progress + "%";
        bar.textContent = data.progress + "\u00a0%";  // Vietnamese and French typography: 40 %
        if (data.state === "done") { link.classList.remove("d-none"); return; }
        if (data.state === "failed") { window.location.reload(); return; }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
