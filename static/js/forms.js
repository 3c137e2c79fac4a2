// Forms on every page (GOV.UK patterns, no framework, no inline script):
// - the error summary takes the focus after a failed save, the page title says "Lỗi:", and each of its
//   links focuses its field with the field's label or question in view;
// - a long form split in parts ([data-form-steps]) shows which parts are complete, and its last part lists
//   the answers with what is still missing ("check your answers") before anything is saved.
(function () {
  "use strict";

  // ------------------------------------------------------------------ error summary
  function reveal(element) {
    for (var node = element.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
  }

  function focusField(id) {
    var target = document.getElementById(id);
    if (!target) { return false; }
    reveal(target);
    var group = target.closest("fieldset");
    var label = (group && target.type && /radio|checkbox/.test(target.type) && group.querySelector("legend")) ||
      document.querySelector("label[for='" + id + "']") || target;
    label.scrollIntoView({ block: "start", behavior: "instant" });
    target.focus({ preventScroll: true });
    return true;
  }

  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
    summary.addEventListener("blur", function () { summary.removeAttribute("tabindex"); }, { once: true });
    var prefix = summary.getAttribute("data-title-prefix");
    if (prefix && document.title.indexOf(prefix) !== 0) { document.title = prefix + document.title; }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (link && focusField(link.getAttribute("href").slice(1))) { event.preventDefault(); }
    });
  }

  // ------------------------------------------------------------------ required unless (e.g. anonymous reporter)
  function requirementLifted(field) {
    var id = field.getAttribute("data-required-unless");
    var box = id && document.getElementById(id);
    return Boolean(box && box.checked);
  }

  function refreshRequirements(form) {
    form.querySelectorAll("[data-required-unless]").forEach(function (field) {
      field.classList.toggle("requirement-lifted", requirementLifted(field));
    });
  }

  // ------------------------------------------------------------------ parts and their progress
  function isShown(element) {
    return element.offsetParent !== null || element.getClientRects().length > 0;
  }

  function inputsOf(field) {
    return Array.prototype.filter.call(field.querySelectorAll("input, select, textarea"), function (input) {
      return input.type !== "hidden";
    });
  }

  function labelOf(field) {
    var legend = field.querySelector("legend");
    var label = legend || field.querySelector(".choice-label, label");
    if (!label) { return ""; }
    var copy = label.cloneNode(true);
    copy.querySelectorAll(".required-mark, .visually-hidden").forEach(function (node) { node.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function answerOf(field, yesText) {
    var inputs = inputsOf(field);
    if (!inputs.length) { return ""; }
    var first = inputs[0];
    if (first.type === "checkbox" && inputs.length === 1 && !field.querySelector("fieldset")) {
      return first.checked ? yesText : "";
    }
    if (first.type === "checkbox" || first.type === "radio") {
      return inputs.filter(function (input) { return input.checked; }).map(function (input) {
        var label = input.closest("label");
        return label ? label.textContent.trim() : input.value;
      }).join("; ");
    }
    if (first.tagName === "SELECT") {
      return first.value ? first.options[first.selectedIndex].text : "";
    }
    var value = first.value.trim();
    var match;
    if (first.type === "date" && (match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value))) {
      return match[3] + "/" + match[2] + "/" + match[1];
    }
    if (first.type === "datetime-local" && (match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value))) {
      return match[4] + ":" + match[5] + " " + match[3] + "/" + match[2] + "/" + match[1];
    }
    return value.length > 140 ? value.slice(0, 140) + "…" : value;
  }

  function missing(field) {
    return field.hasAttribute("data-required") && !requirementLifted(field) && isShown(field) &&
      answerOf(field, "x") === "";
  }

  function steps(form) {
    var parts = Array.prototype.slice.call(form.querySelectorAll("[data-step]"));
    return parts.length ? parts : [form];  // a form in one part is checked whole
  }

  function fieldsOf(step) {
    return Array.prototype.filter.call(step.querySelectorAll("[data-field]"), isShown);
  }

  function refreshSteps(form, nav) {
    var doneText = nav.getAttribute("data-done-text");
    var todoText = nav.getAttribute("data-todo-text");
    steps(form).forEach(function (step) {
      var link = nav.querySelector("a[href='#" + step.id + "']");
      if (!link || step.hasAttribute("data-step-final")) { return; }
      var complete = !fieldsOf(step).some(missing);
      link.classList.toggle("step-done", complete);
      var state = link.querySelector("[data-step-state]");
      if (state) { state.textContent = " (" + (complete ? doneText : todoText) + ")"; }
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function refreshCheck(form, box) {
    var body = box.querySelector("[data-check-answers-body]");
    var yesText = box.getAttribute("data-yes-text");
    var missingText = box.getAttribute("data-missing-text");
    var changeText = box.getAttribute("data-change-text");
    var gaps = [];
    body.textContent = "";
    steps(form).forEach(function (step) {
      if (step.hasAttribute("data-step-final")) { return; }
      var heading = step.querySelector(".step-heading");
      var part = document.createDocumentFragment();
      var list = element("dl", "check-list");
      part.appendChild(list);
      var group = null;
      fieldsOf(step).forEach(function (field) {
        var item = field.closest("[data-formset-form]");
        if (item !== group && item) {
          // Each child (or measure) under its own heading, in a list of its own.
          group = item;
          part.appendChild(element("p", "check-group mb-0", labelOf(item)));
          var chosen = item.querySelector("[data-chosen-child]:not(.d-none) [data-chosen-name]");
          if (chosen) { part.appendChild(element("p", "small mb-0", box.getAttribute("data-chosen-text") + " " + chosen.textContent)); }
          list = element("dl", "check-list");
          part.appendChild(list);
        }
        var answer = answerOf(field, yesText);
        var isMissing = missing(field);
        if (!answer && !isMissing) { return; }
        var input = inputsOf(field)[0];
        var row = element("div", "check-row" + (isMissing ? " check-missing" : ""));
        row.appendChild(element("dt", "", labelOf(field)));
        var value = element("dd", "", isMissing ? missingText : answer);
        var change = element("a", "check-change", changeText);
        change.href = "#" + input.id;
        change.addEventListener("click", function (event) {
          if (focusField(input.id)) { event.preventDefault(); }
        });
        value.appendChild(document.createTextNode(" "));
        value.appendChild(change);
        row.appendChild(value);
        list.appendChild(row);
        if (isMissing) { gaps.push(labelOf(field)); }
      });
      part.querySelectorAll("dl:empty").forEach(function (empty) { empty.remove(); });
      if (part.childNodes.length) {
        if (heading) { body.appendChild(element("h4", "h6 mt-3", heading.textContent.replace(/^[^·]*·\s*/, ""))); }
        body.appendChild(part);
      }
    });
    var status = element("p", gaps.length ? "check-status text-danger fw-semibold" : "check-status text-success fw-semibold",
      gaps.length ? box.getAttribute("data-missing-count-text") + " " + gaps.length : box.getAttribute("data-all-done-text"));
    status.setAttribute("data-testid", "check-status");
    body.insertBefore(status, body.firstChild);
    box.hidden = false;
  }

  document.querySelectorAll("form").forEach(function (form) {
    var nav = form.hasAttribute("data-form-steps-form") ? document.querySelector("[data-form-steps]") : null;
    var check = form.querySelector("[data-check-answers]");
    var timer = null;
    function refresh() {
      refreshRequirements(form);
      if (nav) { refreshSteps(form, nav); }
      if (check) { refreshCheck(form, check); }
    }
    function later() { clearTimeout(timer); timer = setTimeout(refresh, 250); }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("formset:added", later);
    form.addEventListener("formset:removed", later);
    // A restored draft fills the fields after this script has run.
    window.addEventListener("load", refresh);
    refresh();
  });

  // The part in view is marked in the list of parts.
  var nav = document.querySelector("[data-form-steps]");
  if (nav && "IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) { return; }
        nav.querySelectorAll("a[data-step-link]").forEach(function (link) {
          var current = link.getAttribute("href") === "#" + entry.target.id;
          link.classList.toggle("step-current", current);
          if (current) { link.setAttribute("aria-current", "step"); } else { link.removeAttribute("aria-current"); }
        });
      });
    }, { rootMargin: "-30% 0px -60% 0px" });
    document.querySelectorAll("[data-step]").forEach(function (step) { observer.observe(step); });
  }

  // ------------------------------------------------------------------ a link to a folded item opens it
  function openTarget() {
    var id = window.location.hash.slice(1);
    var target = id && document.getElementById(id);
    if (!target) { return; }
    if (target.tagName === "DETAILS") { target.open = true; }
    reveal(target);
    target.scrollIntoView({ block: "start", behavior: "instant" });
  }
  openTarget();
  window.addEventListener("hashchange", openTarget);
})();
