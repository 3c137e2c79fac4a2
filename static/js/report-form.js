// The report intake page: keeps a draft in this browser so nothing typed is lost (a dropped
// connection, a closed tab), and looks for children already registered while a name is typed.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }
  var draftKey = "baove:report-draft:" + form.getAttribute("data-user");
  var status = document.getElementById("draft-status");
  var similarUrl = form.getAttribute("data-similar-url");

  function fields() {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.name && element.name !== "csrfmiddlewaretoken" && element.type !== "file";
    });
  }

  function saveDraft() {
    var values = {};
    fields().forEach(function (element) {
      if (element.type === "checkbox" || element.type === "radio") {
        if (element.checked) { (values[element.name] = values[element.name] || []).push(element.value); }
      } else {
        values[element.name] = element.value;
      }
    });
    try {
      localStorage.setItem(draftKey, JSON.stringify({ savedAt: new Date().toISOString(), values: values }));
      if (status) { status.textContent = status.getAttribute("data-saved-text") + " " + new Date().toLocaleTimeString(); }
    } catch (error) { /* storage full or disabled: the form still works */ }
  }

  function restoreDraft() {
    var raw = localStorage.getItem(draftKey);
    if (!raw || form.getAttribute("data-bound") === "true") { return; }
    var draft = JSON.parse(raw);
    var total = parseInt(draft.values["children-TOTAL_FORMS"] || "1", 10);
    var addButton = document.querySelector("[data-formset-add='children']");
    for (var i = 1; i < total && addButton; i++) { addButton.click(); }
    fields().forEach(function (element) {
      var value = draft.values[element.name];
      if (value === undefined || element.name.indexOf("FORMS") !== -1) { return; }
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = Array.isArray(value) && value.indexOf(element.value) !== -1;
      } else {
        element.value = value;
      }
    });
    document.querySelectorAll("[data-child-form]").forEach(refreshChoice);
    var banner = document.getElementById("draft-restored");
    if (banner) { banner.classList.remove("d-none"); }
  }

  var timer = null;
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(saveDraft, 400); });
  form.addEventListener("change", saveDraft);
  var discard = document.getElementById("draft-discard");
  if (discard) {
    discard.addEventListener("click", function () { localStorage.removeItem(draftKey); window.location.reload(); });
  }
  if (form.getAttribute("data-clear-draft") === "true") { localStorage.removeItem(draftKey); }

  // Duplicate search: a chosen existing child replaces the new-child fields.
  // The history snapshot: the chosen child's and family's earlier reports, case files, alleged
  // perpetrators and open plans, as the server lets this user see them (an HTML fragment).
  var historyUrl = form.getAttribute("data-history-url");
  function showHistory(box, childId) {
    var section = box.querySelector("[data-history]");
    if (!section || !historyUrl) { return; }
    var body = section.querySelector("[data-history-body]");
    if (!childId) { section.classList.add("d-none"); section.removeAttribute("data-child"); body.innerHTML = ""; return; }
    if (section.getAttribute("data-child") === childId) { return; }
    section.setAttribute("data-child", childId);
    fetch(historyUrl.replace(/\/0\/history\/$/, "/" + encodeURIComponent(childId) + "/history/"), {
      credentials: "same-origin", headers: { "Accept": "text/html" }
    })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        body.innerHTML = html;
        if (html) { section.classList.remove("d-none"); } else { section.classList.add("d-none"); }
      })
      .catch(function () { section.classList.add("d-none"); });
  }

  function refreshChoice(box) {
    var existing = box.querySelector("input[name$='-existing_id']");
    var chosen = box.querySelector("[data-chosen-child]");
    var details = box.querySelector("[data-new-child-fields]");
    if (!existing || !chosen || !details) { return; }
    if (existing.value) {
      chosen.classList.remove("d-none");
      details.classList.add("d-none");
    } else {
      chosen.classList.add("d-none");
      details.classList.remove("d-none");
    }
    showHistory(box, existing.value);
  }

  function searchSimilar(box) {
    var name = box.querySelector("input[name$='-full_name']");
    var birth = box.querySelector("input[name$='-birth_date']");
    var commune = form.querySelector("select[name='commune']");
    var list = box.querySelector("[data-similar]");
    if (!name || !list || name.value.trim().length < 3) { if (list) { list.innerHTML = ""; } return; }
    // POST: the child's name must never appear in a URL or an access log.
    var body = new URLSearchParams();
    body.append("name", name.value);
    body.append("birth_date", birth ? birth.value : "");
    body.append("commune", commune ? commune.value : "");
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
    fetch(similarUrl, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "Accept": "application/json", "X-CSRFToken": csrf ? csrf.value : "" }
    })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        list.innerHTML = "";
        if (!data.results.length) { return; }
        var heading = document.createElement("div");
        heading.className = "small fw-semibold mb-1";
        heading.textContent = list.getAttribute("data-heading");
        list.appendChild(heading);
        data.results.forEach(function (child) {
          var button = document.createElement("button");
          button.type = "button";
          button.className = "list-group-item list-group-item-action";
          button.setAttribute("data-testid", "similar-child");
          button.textContent = child.full_name + " · " + child.birth + " · " + child.commune;
          button.addEventListener("click", function () {
            box.querySelector("input[name$='-existing_id']").value = String(child.id);
            box.querySelector("[data-chosen-name]").textContent = button.textContent;
            list.innerHTML = "";
            refreshChoice(box);
            saveDraft();
          });
          list.appendChild(button);
        });
      })
      .catch(function () { list.innerHTML = ""; });
  }

  function wire(box) {
    var searchTimer = null;
    box.addEventListener("input", function (event) {
      if (!/-(full_name|birth_date)$/.test(event.target.name || "")) { return; }
      clearTimeout(searchTimer);
      searchTimer = setTimeout(function () { searchSimilar(box); }, 350);
    });
    var reset = box.querySelector("[data-new-child]");
    if (reset) {
      reset.addEventListener("click", function () {
        box.querySelector("input[name$='-existing_id']").value = "";
        refreshChoice(box);
        saveDraft();
      });
    }
    refreshChoice(box);
  }

  document.querySelectorAll("[data-child-form]").forEach(wire);
  var children = document.getElementById("children");
  children.addEventListener("formset:added", function () {
    var boxes = document.querySelectorAll("[data-child-form]");
    wire(boxes[boxes.length - 1]);
  });
  children.addEventListener("formset:removed", saveDraft);
  restoreDraft();

  // Thousands of communes (the hotline 111): choose the province first, then its communes. The province is
  // a helper, not a field of the form; without this script the full list stays usable.
  document.querySelectorAll("select[data-provinces]").forEach(function (communes) {
    var all = Array.prototype.slice.call(communes.options);
    var picker = document.createElement("select");
    picker.className = "form-select mb-2";
    picker.id = communes.id + "-province";
    picker.setAttribute("aria-label", communes.getAttribute("data-province-label"));
    picker.setAttribute("data-testid", "commune-province");
    picker.add(new Option(communes.getAttribute("data-province-any"), ""));
    JSON.parse(communes.getAttribute("data-provinces")).forEach(function (pair) {
      picker.add(new Option(pair[1], String(pair[0])));
    });
    var label = document.createElement("label");
    label.className = "form-label";
    label.htmlFor = picker.id;
    label.textContent = communes.getAttribute("data-province-label");
    // Above the commune's own label: province, then commune.
    var anchor = document.querySelector("label[for='" + communes.id + "']") || communes;
    anchor.parentNode.insertBefore(label, anchor);
    anchor.parentNode.insertBefore(picker, anchor);
    function narrow() {
      var chosen = communes.value;
      var province = picker.value;
      // Options are rebuilt rather than hidden: phones' selects ignore hidden options.
      while (communes.options.length) { communes.remove(0); }
      all.forEach(function (option) {
        if (!option.value || !province || option.getAttribute("data-province") === province) { communes.add(option); }
      });
      communes.value = all.some(function (option) { return option.value === chosen && (!province || option.getAttribute("data-province") === province); }) ? chosen : "";
    }
    var current = all.filter(function (option) { return option.selected && option.value; })[0];
    if (current) { picker.value = current.getAttribute("data-province") || ""; narrow(); }
    picker.addEventListener("change", narrow);
  });
})();
