// Follows the check or the import of a register (a Celery task): the rows counted so far, then the page again.
(function () {
  "use strict";
  var box = document.querySelector("[data-register-progress]");
  if (!box) { return; }
  var count = box.querySelector("[data-testid=register-rows-done]");
  var started = box.getAttribute("data-status");
  function poll() {
    fetch(box.getAttribute("data-register-progress"), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (count && data.rows) { count.textContent = data.rows.toLocaleString("vi-VN"); }
        if (data.status !== started) { window.location.reload(); return; }
        setTimeout(poll, 1500);
      })
      .catch(function () { setTimeout(poll, 4000); });
  }
  setTimeout(poll, 1000);
})();
