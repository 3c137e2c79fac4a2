// The offline forms (/offline/) and the queue page (/offline/queue/): what is typed is put in the
// phone's encrypted queue (offline.js) with an idempotency key per send; photos are shrunk and
// re-encoded on the phone (which drops their metadata: place, camera, time) before they are kept.
(function () {
  "use strict";
  var offline = window.BaoVeOffline;
  if (!offline) { return; }
  var MAX_SIDE = 1600;
  var MAX_VOICE_MS = 120 * 1000;

  function strings(id) {
    var found = {};
    var template = document.getElementById(id);
    if (template) {
      Array.prototype.forEach.call(template.content.querySelectorAll("[data-key]"), function (node) {
        found[node.getAttribute("data-key")] = node.textContent;
      });
    }
    return function (key, values) {
      var text = found[key] || key;
      Object.keys(values || {}).forEach(function (name) { text = text.split("%(" + name + ")s").join(values[name]); });
      return text;
    };
  }
  function pad(number) { return (number < 10 ? "0" : "") + number; }
  function localDateTime(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }
  function localDate(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate());
  }
  function shownDate(iso) {
    var parts = iso.split("-");
    return parts[2] + "/" + parts[1] + "/" + parts[0];
  }
  function shownDateTime(iso) {
    var date = new Date(iso);
    return pad(date.getDate()) + "/" + pad(date.getMonth() + 1) + "/" + date.getFullYear() + " " + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  // ---- Photos: shrink and re-encode (a canvas keeps the pixels only) -------------------------
  function shrinkPhoto(file) {
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) { return blob ? resolve(blob) : reject(new Error("encode")); }, "image/jpeg", 0.8);
      });
    });
  }

  // ---- The forms ------------------------------------------------------------------------------
  var formText = strings("offline-form-strings");
  var savedBox = document.getElementById("offline-saved");
  var errorBox = document.getElementById("offline-error");
  function showError(text) {
    if (!errorBox) { return; }
    errorBox.textContent = text;
    errorBox.hidden = false;
    if (savedBox) { savedBox.hidden = true; }
    errorBox.focus();
  }
  function showSaved() {
    if (errorBox) { errorBox.hidden = true; }
    if (savedBox) { savedBox.hidden = false; savedBox.focus(); }
  }
  function labelOf(field) {
    var label = field.id ? document.querySelector("label[for='" + field.id + "']") : null;
    if (!label && field.closest("fieldset")) { label = field.closest("fieldset").querySelector("legend"); }
    return label ? label.textContent.replace("*", "").trim() : field.name;
  }
  // A group of radios or boxes is named by its legend, not by one of its options.
  function groupLabel(field) {
    var legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
    // "Was the child seen?" is listed among names ending in a full stop: without its question mark.
    return legend ? legend.textContent.replace("*", "").trim().replace(/\?$/, "") : labelOf(field);
  }
  function missing(form) {
    var names = [];
    Array.prototype.forEach.call(form.querySelectorAll("[required]"), function (field) {
      if (field.disabled) { return; } // another province's question
      var empty = !field.value.trim();
      field.classList.toggle("is-invalid", empty);
      field.setAttribute("aria-invalid", empty ? "true" : "false");
      if (empty) { names.push(labelOf(field)); }
    });
    return names;
  }

  // Tabs: one form at a time on a phone.
  var tabs = document.querySelectorAll("[data-offline-tab]");
  function showTab(tab) {
    Array.prototype.forEach.call(tabs, function (other) {
      var target = document.querySelector(other.getAttribute("href"));
      other.classList.toggle("active", other === tab);
      if (other === tab) { other.setAttribute("aria-current", "page"); } else { other.removeAttribute("aria-current"); }
      if (target) { target.hidden = other !== tab; }
    });
  }
  Array.prototype.forEach.call(tabs, function (tab) {
    tab.addEventListener("click", function (event) {
      event.preventDefault();
      showTab(tab);
    });
  });

  function setNow(scope) {
    Array.prototype.forEach.call(scope.querySelectorAll("[data-now]"), function (input) {
      if (!input.value) { input.value = localDateTime(new Date()); }
    });
    Array.prototype.forEach.call(scope.querySelectorAll("[data-today]"), function (input) {
      if (!input.value) { input.value = localDate(new Date()); }
    });
  }
  setNow(document);

  // The province's extra fields: those of the chosen commune's province are asked, the others disabled.
  var extraBox = document.querySelector("[data-offline-extra]");
  function showExtras() {
    if (!extraBox) { return; }
    var select = extraBox.closest("form").elements.commune_code;
    var option = select.options[select.selectedIndex];
    var province = option && option.value ? option.getAttribute("data-province") : "";
    if (!province) {
      // No commune chosen yet: the questions are asked when all the communes offered share one province.
      var provinces = Array.prototype.map.call(select.options, function (item) { return item.getAttribute("data-province"); })
        .filter(function (value, index, list) { return value && list.indexOf(value) === index; });
      province = provinces.length === 1 ? provinces[0] : "";
    }
    Array.prototype.forEach.call(extraBox.querySelectorAll("[data-extra-province]"), function (block) {
      var asked = block.getAttribute("data-extra-province") === province;
      block.hidden = !asked;
      Array.prototype.forEach.call(block.querySelectorAll("[data-extra-key]"), function (field) { field.disabled = !asked; });
    });
  }
  if (extraBox) {
    extraBox.closest("form").elements.commune_code.addEventListener("change", showExtras);
    showExtras();
  }
  // The extra values as the server stores them ("1,5" is one and a half), and what is wrong with them.
  function extraValues(form, problems) {
    var values = {};
    Array.prototype.forEach.call(form.querySelectorAll("[data-extra-key]"), function (field) {
      if (field.disabled) { return; }
      var raw = field.value.trim();
      var type = field.getAttribute("data-extra-type");
      if (!raw) { return; }
      if (type === "number") {
        var text = raw.replace(/\s/g, "").replace(",", ".");
        var number = /^[-+]?(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : NaN;
        if (!isFinite(number)) {
          problems.push(formText("extra_number", { label: labelOf(field) }));
          field.classList.add("is-invalid");
          field.setAttribute("aria-invalid", "true");
          return;
        }
        values[field.getAttribute("data-extra-key")] = number;
      } else if (type === "date" && !/^\d{4}-\d{2}-\d{2}$/.test(raw)) {
        problems.push(formText("extra_date", { label: labelOf(field) }));
        field.classList.add("is-invalid");
      } else {
        values[field.getAttribute("data-extra-key")] = raw;
      }
    });
    return values;
  }

  // Children: add and remove.
  var childList = document.querySelector("[data-offline-children]");
  var childTemplate = document.getElementById("offline-child-template");
  var childCounter = 0;
  function renumber() {
    Array.prototype.forEach.call(childList.querySelectorAll("[data-offline-child]"), function (fieldset, index) {
      fieldset.querySelector("[data-child-number]").textContent = String(index + 1);
      fieldset.querySelector("[data-offline-remove-child]").hidden = childList.children.length < 2;
    });
  }
  function addChild() {
    var fragment = childTemplate.content.cloneNode(true);
    childCounter += 1;
    Array.prototype.forEach.call(fragment.querySelectorAll("[data-name]"), function (field) {
      field.id = "off-child-" + childCounter + "-" + field.getAttribute("data-name");
      field.name = field.getAttribute("data-name");
      var label = fragment.querySelector("[data-for='" + field.getAttribute("data-name") + "']");
      if (label) { label.setAttribute("for", field.id); }
    });
    fragment.querySelector("[data-offline-remove-child]").addEventListener("click", function (event) {
      event.target.closest("[data-offline-child]").remove();
      renumber();
    });
    childList.appendChild(fragment);
    renumber();
  }
  if (childList && childTemplate) {
    addChild();
    document.querySelector("[data-offline-add-child]").addEventListener("click", function () {
      addChild();
      var fields = childList.querySelectorAll("[data-offline-child]");
      fields[fields.length - 1].querySelector("input").focus();
    });
  }

  // Photos and voice notes waiting with the report form (already shrunk; kept in memory until saved).
  var attached = [];
  var fileList = document.querySelector("[data-offline-files]");
  function showFiles() {
    if (!fileList) { return; }
    fileList.textContent = "";
    attached.forEach(function (file, index) {
      var row = document.createElement("li");
      row.className = "d-flex align-items-center gap-2 mb-1";
      var kind = file.type.indexOf("audio/") === 0 ? fileList.getAttribute("data-voice-text") : fileList.getAttribute("data-photo-text");
      row.appendChild(document.createTextNode(kind + " " + (index + 1) + " · " + Math.ceil(file.blob.size / 1024) + " KB"));
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn btn-link text-danger";
      remove.textContent = fileList.getAttribute("data-remove-text");
      remove.addEventListener("click", function () { attached.splice(index, 1); showFiles(); });
      row.appendChild(remove);
      fileList.appendChild(row);
    });
  }
  var photoInput = document.querySelector("[data-offline-photos]");
  if (photoInput) {
    photoInput.addEventListener("change", function () {
      var chosen = Array.prototype.slice.call(photoInput.files);
      photoInput.value = "";
      Promise.all(chosen.map(function (file) {
        return shrinkPhoto(file).then(function (blob) {
          attached.push({ id: offline.uuid(), name: "anh-" + attached.length + ".jpg", type: "image/jpeg", blob: blob });
        }, function () { showError(formText("photo_failed")); });
      })).then(showFiles);
    });
  }
  var voice = document.querySelector("[data-offline-voice]");
  if (voice && window.MediaRecorder && navigator.mediaDevices) {
    voice.hidden = false;
    var button = voice.querySelector("[data-offline-record]");
    var status = voice.querySelector("[data-offline-voice-status]");
    var recorder = null;
    var timer = null;
    button.addEventListener("click", function () {
      if (recorder) { recorder.stop(); return; }
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        var chunks = [];
        var type = MediaRecorder.isTypeSupported("audio/webm;codecs=opus") ? "audio/webm;codecs=opus" : "";
        recorder = new MediaRecorder(stream, type ? { mimeType: type, audioBitsPerSecond: 24000 } : {});
        recorder.ondataavailable = function (event) { if (event.data.size) { chunks.push(event.data); } };
        recorder.onstop = function () {
          clearTimeout(timer);
          stream.getTracks().forEach(function (track) { track.stop(); });
          var blob = new Blob(chunks, { type: (recorder.mimeType || "audio/webm").split(";")[0] });
          recorder = null;
          button.textContent = button.getAttribute("data-start-text");
          status.textContent = "";
          attached.push({ id: offline.uuid(), name: "ghi-am-" + attached.length + ".webm", type: blob.type, blob: blob });
          showFiles();
        };
        recorder.start();
        button.textContent = button.getAttribute("data-stop-text");
        timer = setTimeout(function () { status.textContent = formText("voice_too_long"); if (recorder) { recorder.stop(); } }, MAX_VOICE_MS);
      }, function () { showError(formText("voice_refused")); });
    });
  }

  function value(form, name) { var field = form.elements[name]; return field ? field.value.trim() : ""; }

  function reportItem(form) {
    var children = Array.prototype.map.call(form.querySelectorAll("[data-offline-child]"), function (fieldset) {
      var child = { caregivers: [] };
      Array.prototype.forEach.call(fieldset.querySelectorAll("[data-name]"), function (field) { child[field.name] = field.value.trim(); });
      if (!child.birth_date) { delete child.birth_date; }
      return child;
    });
    var json = {
      received_at: new Date(value(form, "received_at")).toISOString(),
      receiving_point: value(form, "receiving_point"),
      commune_code: value(form, "commune_code"),
      source: value(form, "source"),
      setting: value(form, "setting"),
      narrative: value(form, "narrative"),
      abuse_forms: Array.prototype.filter.call(form.querySelectorAll("[name=abuse_forms]"), function (box) { return box.checked; })
        .map(function (box) { return box.value; }),
      reporter_is_anonymous: form.elements.reporter_is_anonymous.checked,
      reporter_name: value(form, "reporter_name"),
      reporter_phone: value(form, "reporter_phone"),
      extra: extraValues(form, []),
      children: children
    };
    var steps = [{ url: form.getAttribute("data-url"), json: json }];
    attached.forEach(function (file) {
      steps.push({
        url: form.getAttribute("data-attach-url"), fileId: file.id, caseFromStep: 0,
        description: formText(file.type.indexOf("audio/") === 0 ? "voice_description" : "photo_description")
      });
    });
    return { kind: "report", label: formText("report_label", { count: children.length }), steps: steps };
  }
  function chosenCase(form) {
    var select = form.elements["case"];
    var option = select.options[select.selectedIndex];
    return { id: select.value, reference: option ? option.getAttribute("data-reference") : "", version: option ? Number(option.getAttribute("data-version")) : null };
  }
  function noteItem(form) {
    var chosen = chosenCase(form);
    return {
      kind: "note", label: formText("note_label", { reference: chosen.reference }), caseId: chosen.id,
      steps: [{ url: form.getAttribute("data-url").replace("{case}", chosen.id), json: { text: value(form, "text") } }]
    };
  }
  function assessItem(form) {
    var chosen = chosenCase(form);
    var json = { version: chosen.version, is_emergency: form.elements.is_emergency.checked, notes: value(form, "notes") };
    ["severity", "perpetrator_access", "care_environment", "child_capacity"].forEach(function (name) { json[name] = value(form, name); });
    return {
      kind: "assess", label: formText("assess_label", { reference: chosen.reference }), caseId: chosen.id,
      lane: "case:" + chosen.id,
      // Guarded by the version (someone else's change meanwhile is a conflict) and by its key (a resend
      // whose first answer was lost returns the first result, not a conflict with its own change).
      steps: [{ url: form.getAttribute("data-url").replace("{case}", chosen.id), json: json }]
    };
  }
  function checked(form, name) {
    var box = form.querySelector("[name=" + name + "]:checked");
    return box ? box.value : "";
  }
  function visitItem(form) {
    var chosen = chosenCase(form);
    var json = {
      planned_visit: value(form, "planned_visit") ? Number(value(form, "planned_visit")) : null,
      kind: checked(form, "kind"),
      done_on: value(form, "done_on"),
      child_seen: checked(form, "child_seen") === "yes",
      visitors: Array.prototype.filter.call(form.querySelectorAll("[name=visitors]"), function (box) { return box.checked; })
        .map(function (box) { return Number(box.value); }),
      other_visitors: value(form, "other_visitors"),
      people_seen: value(form, "people_seen"),
      observations: value(form, "observations"),
      next_visit_on: value(form, "next_visit_on") || null
    };
    return {
      kind: "visit", label: formText("visit_label", { reference: chosen.reference }), caseId: chosen.id,
      steps: [{ url: form.getAttribute("data-url").replace("{case}", chosen.id), json: json }]
    };
  }
  function communityItem(form) {
    var urgency = form.querySelector("[name=urgency]:checked");
    var json = {
      hamlet: value(form, "hamlet") ? Number(value(form, "hamlet")) : null,
      commune: value(form, "commune") ? Number(value(form, "commune")) : null,
      child: value(form, "child"),
      place: value(form, "place"),
      what: value(form, "what"),
      urgency: urgency.value
    };
    var label = urgency.closest("label").textContent.trim();
    return { kind: "community", label: formText("community_label", { urgency: label }), steps: [{ url: form.getAttribute("data-url"), json: json }] };
  }
  function progressItem(form) {
    var chosen = chosenCase(form);
    return {
      kind: "progress", label: formText("progress_label", { reference: chosen.reference }), lane: "assignment:" + chosen.id,
      steps: [{ url: form.getAttribute("data-url").replace("{assignment}", chosen.id), json: { text: value(form, "text"), version: chosen.version } }]
    };
  }
  var builders = {
    report: reportItem, visit: visitItem, note: noteItem, assess: assessItem, progress: progressItem, community: communityItem
  };
  // What the required marks cannot say: a choice among radios, one of two boxes, dates in order, numbers.
  function problemsOf(form, kind) {
    var empty = missing(form);
    var wrong = [];
    function need(name) {
      var first = form.querySelector("[name=" + name + "]");
      if (first && !form.querySelector("[name=" + name + "]:checked")) { empty.push(groupLabel(first)); }
    }
    if (kind === "report") {
      if (!form.elements.reporter_is_anonymous.checked && !value(form, "reporter_name")) {
        empty.push(labelOf(form.elements.reporter_name));
      }
      need("abuse_forms");
      extraValues(form, wrong);
    }
    if (kind === "visit") {
      need("kind");
      need("child_seen");
      if (!form.querySelector("[name=visitors]:checked") && !value(form, "other_visitors")) {
        empty.push(groupLabel(form.querySelector("[name=visitors]")));
      }
      var today = localDate(new Date());
      var doneOn = value(form, "done_on");
      var nextOn = value(form, "next_visit_on");
      if (doneOn && doneOn > today) { wrong.push(formText("visit_in_future")); }
      if (doneOn && nextOn && nextOn <= doneOn) { wrong.push(formText("next_visit_after")); }
    }
    if (kind === "community") { need("urgency"); }
    if (kind === "assess" && !empty.length) {
      var high = ["severity", "perpetrator_access", "care_environment", "child_capacity"].some(function (name) {
        return value(form, name) === "high";
      });
      var confirm = form.querySelector("[data-confirm-no-emergency]");
      var asked = high && !form.elements.is_emergency.checked;
      if (confirm) { confirm.hidden = !asked && !form.elements.confirm_no_emergency.checked; }
      if (asked && !form.elements.confirm_no_emergency.checked) { wrong.push(formText("confirm_no_emergency")); }
    }
    var problems = empty.length ? [formText("required", { fields: empty.join(", ") })] : [];
    return problems.concat(wrong);
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-offline-form]"), function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var kind = form.getAttribute("data-offline-form");
      var problems = problemsOf(form, kind);
      if (problems.length) { showError(problems.join(" ")); return; }
      var save = form.querySelector("[type=submit]");
      if (save.disabled) { return; } // a second tap while the first is being kept
      var item = builders[kind](form);
      var files = kind === "report" ? attached.slice() : [];
      save.disabled = true;
      if (correcting) { saveCorrection(item, files, kind); return; }
      offline.enqueue(item, files).then(function () {
        save.disabled = false;
        form.reset();
        Array.prototype.forEach.call(form.querySelectorAll("[data-confirm-no-emergency]"), function (box) { box.hidden = true; });
        attached = [];
        showFiles();
        if (childList) {
          childList.textContent = "";
          addChild();
        }
        setNow(form);
        showExtras();
        fillPlanned();
        showSaved();
      }, function (error) { save.disabled = false; showError(error.message); });
    });
  });

  // A select of kept rows (its choice kept across refills), each option carrying the version the user saw.
  // A choice made when the item was recorded, no longer among those kept on the phone (a correction keeps it).
  function keepChoice(select, value, text, attributes) {
    if (!select.querySelector("option[value='" + value + "']")) {
      var option = document.createElement("option");
      option.value = value;
      option.textContent = text;
      option.setAttribute("data-kept-choice", "");
      Object.keys(attributes || {}).forEach(function (name) { option.setAttribute(name, attributes[name]); });
      select.appendChild(option);
    }
    select.value = value;
  }
  // The kept choices of SELECT put back after its options were made again (the phone's lists refreshed).
  function keptChoices(select) {
    var kept = Array.prototype.slice.call(select.querySelectorAll("option[data-kept-choice]"));
    return function () {
      kept.forEach(function (option) {
        if (!select.querySelector("option[value='" + option.value + "']")) { select.appendChild(option); }
      });
    };
  }
  function fillSelect(select, rows, words) {
    var chosen = select.value;
    var putBack = keptChoices(select);
    select.textContent = "";
    if (!rows.length) {
      var empty = document.createElement("option");
      empty.value = "";
      empty.textContent = select.getAttribute("data-empty-text");
      select.appendChild(empty);
    }
    rows.forEach(function (row) {
      var option = document.createElement("option");
      option.value = row.id;
      option.textContent = words(row);
      option.setAttribute("data-reference", row.reference);
      option.setAttribute("data-version", row.version);
      select.appendChild(option);
    });
    putBack();
    if (chosen) { select.value = chosen; }
  }
  // The officer's own case files, from the encrypted store.
  var keptCases = [];
  function fillCases() {
    return offline.cases().then(function (cases) {
      keptCases = cases;
      Array.prototype.forEach.call(document.querySelectorAll("[data-offline-cases]"), function (select) {
        var shown = cases.filter(function (row) { return !select.hasAttribute("data-only-assess") || row.can_assess; });
        fillSelect(select, shown, function (row) { return row.reference + " · " + row.child + " · " + row.state; });
      });
      fillPlanned();
    });
  }
  // The visits planned on the case file chosen for a visit: recording one marks it done.
  var plannedSelect = document.querySelector("[data-offline-planned]");
  var kindWords = {};
  Array.prototype.forEach.call(document.querySelectorAll("#offline-visit [name=kind]"), function (radio) {
    kindWords[radio.value] = radio.closest("label").textContent.trim();
  });
  function fillPlanned() {
    if (!plannedSelect) { return; }
    var caseId = plannedSelect.form.elements["case"].value;
    var row = keptCases.filter(function (kept) { return String(kept.id) === caseId; })[0];
    var chosen = plannedSelect.value;
    var putBack = keptChoices(plannedSelect);
    plannedSelect.textContent = "";
    var none = document.createElement("option");
    none.value = "";
    none.textContent = plannedSelect.getAttribute("data-none-text");
    plannedSelect.appendChild(none);
    ((row && row.planned_visits) || []).forEach(function (visit) {
      var option = document.createElement("option");
      option.value = visit.id;
      option.setAttribute("data-kind", visit.kind);
      option.textContent = (kindWords[visit.kind] || visit.kind) + " · " + formText("planned_for", { date: shownDate(visit.planned_for) });
      plannedSelect.appendChild(option);
    });
    if (plannedSelect.form.elements["case"].value === plannedSelect.getAttribute("data-kept-for")) { putBack(); }
    if (chosen && plannedSelect.querySelector("option[value='" + chosen + "']")) { plannedSelect.value = chosen; }
  }
  if (plannedSelect) {
    plannedSelect.form.elements["case"].addEventListener("change", fillPlanned);
    plannedSelect.addEventListener("change", function () {
      var option = plannedSelect.options[plannedSelect.selectedIndex];
      var radio = option && option.getAttribute("data-kind") && plannedSelect.form.querySelector("[name=kind][value=" + option.getAttribute("data-kind") + "]");
      if (radio) { radio.checked = true; }
    });
  }
  // The assignments of the user's agencies, for a progress report.
  function fillAssignments() {
    return offline.assignments().then(function (rows) {
      Array.prototype.forEach.call(document.querySelectorAll("[data-offline-assignments]"), function (select) {
        fillSelect(select, rows, function (row) { return row.reference + " · " + row.agency + " · " + row.state; });
      });
    });
  }
  var casesFilled = Promise.resolve();
  if (document.querySelector("[data-offline-cases], [data-offline-assignments]")) {
    casesFilled = Promise.all([fillCases(), fillAssignments()]);
    offline.refreshCases().then(function () { fillCases(); fillAssignments(); });
  }

  // ---- Correcting a refused item (/offline/?edit=<id>) ------------------------------------------
  // Its form opens with what was typed (read from the encrypted store), its photos and voice notes still
  // attached, and BaoVe's reason above it; saving puts the corrected item in its place in the queue.
  var correctBox = document.getElementById("offline-correcting");
  var correcting = null;
  function editedId() {
    var match = (location.search + "&" + location.hash.replace(/^#/, "")).match(/[?&]edit=([\w-]+)/);
    return match ? match[1] : null;
  }
  // One field set from what was kept: a box or radio is ticked when its value was chosen.
  function fillField(form, name, kept) {
    var field = form.elements[name];
    if (!field) { return; }
    var fields = field.tagName ? [field] : Array.prototype.slice.call(field);
    var chosen = (Array.isArray(kept) ? kept : [kept]).map(String);
    fields.forEach(function (one) {
      if (one.type === "checkbox" && typeof kept === "boolean") {
        one.checked = kept; // a box on its own: "anonymous reporter", "emergency measures"
      } else if (one.type === "checkbox" || one.type === "radio") {
        one.checked = chosen.indexOf(one.value) !== -1;
      } else if (one.tagName === "SELECT" && kept !== null && kept !== undefined && String(kept) !== "") {
        // A choice no longer offered on this phone (a planned visit, a hamlet, a province's option) stays chosen.
        keepChoice(one, String(kept), formText("kept_choice"));
        if (one === plannedSelect) { one.setAttribute("data-kept-for", one.form.elements["case"].value); }
      } else {
        one.value = kept === null || kept === undefined ? "" : String(kept);
      }
    });
  }
  // A case file no longer among those kept on the phone is still offered as it was chosen.
  function chooseCase(form, id, item, version) {
    var select = form.elements["case"];
    if (!select || !id) { return; }
    keepChoice(select, String(id), item.reference || item.label,
      { "data-reference": item.reference || "", "data-version": version === undefined ? "" : version });
    select.dispatchEvent(new Event("change"));
  }
  function fillReport(form, json) {
    fillField(form, "received_at", json.received_at ? localDateTime(new Date(json.received_at)) : "");
    fillField(form, "commune_code", json.commune_code);
    showExtras();
    Array.prototype.forEach.call(form.querySelectorAll("[data-extra-key]"), function (field) {
      var kept = (json.extra || {})[field.getAttribute("data-extra-key")];
      if (field.disabled || kept === undefined) { return; }
      // A number as it is typed here: "1,5" is one and a half.
      field.value = typeof kept === "number" ? String(kept).replace(".", ",") : String(kept);
    });
    childList.textContent = "";
    childCounter = 0;
    (json.children && json.children.length ? json.children : [{}]).forEach(function (child) {
      addChild();
      var fieldsets = childList.querySelectorAll("[data-offline-child]");
      Array.prototype.forEach.call(fieldsets[fieldsets.length - 1].querySelectorAll("[data-name]"), function (field) {
        if (child[field.name] !== undefined) { field.value = child[field.name]; }
      });
    });
    ["receiving_point", "source", "setting", "narrative", "abuse_forms", "reporter_is_anonymous", "reporter_name",
      "reporter_phone"].forEach(function (name) { fillField(form, name, json[name]); });
  }
  function fillKept(form, item, json) {
    if (item.kind === "report") { fillReport(form, json); return Promise.resolve(); }
    if (item.kind === "community") {
      Object.keys(json).forEach(function (name) { fillField(form, name, json[name]); });
      return Promise.resolve();
    }
    return casesFilled.then(function () {
      var assignment = item.lane && item.lane.indexOf("assignment:") === 0 ? item.lane.slice("assignment:".length) : null;
      chooseCase(form, assignment || item.caseId, item, json.version);
      Object.keys(json).forEach(function (name) {
        if (name === "version") { return; }
        fillField(form, name, name === "child_seen" ? (json[name] ? "yes" : "no") : json[name]);
      });
    });
  }
  // The photos and voice notes the refused report holds, shown attached (removable) as they were.
  function keptFiles(item) {
    return Promise.all(item.steps.filter(function (step) { return step.fileId; }).map(function (step) {
      return offline.file(step.fileId).then(function (file) {
        return { id: step.fileId, name: file.name, type: file.blob.type, blob: file.blob, stored: true };
      });
    }));
  }
  function startCorrection(id) {
    correctBox.hidden = false;
    // Nothing is saved until the item is read and its form filled (a tap before would make a new item).
    Array.prototype.forEach.call(document.querySelectorAll("[data-offline-form] [type=submit]"), function (button) {
      button.disabled = true;
    });
    var reason = correctBox.querySelector("[data-offline-refusal]");
    offline.ready().then(function () { return offline.item(id); }).then(function (item) {
      var form = item && document.querySelector("[data-offline-form='" + item.kind + "']");
      if (!form || !offline.correctable(item)) {
        correctBox.querySelector("[data-offline-correct-intro]").hidden = true;
        reason.textContent = formText("correct_gone");
        correctBox.focus();
        return;
      }
      var tab = document.querySelector("[data-offline-tab][href='#" + form.id + "']");
      if (tab) { showTab(tab); }
      Array.prototype.forEach.call(document.querySelectorAll(".offline-tabs"), function (nav) { nav.hidden = true; });
      var json = item.steps[0].json;
      return Promise.all([fillKept(form, item, json), keptFiles(item)]).then(function (found) {
        correcting = { item: item, form: form };
        attached = found[1];
        showFiles();
        reason.textContent = formText("refused", { reason: item.error });
        var save = form.querySelector("[type=submit]");
        save.textContent = formText("correct_save");
        save.disabled = false;
        // Cancelling is offered by the save button too, at the end of a long form.
        var cancel = correctBox.querySelector("[data-offline-correct-cancel]").cloneNode(true);
        cancel.classList.add("btn-lg", "mt-2", "ms-sm-2");
        save.insertAdjacentElement("afterend", cancel);
        correctBox.focus();
      });
    }).catch(function (error) {
      reason.textContent = error.message;
    });
  }
  function saveCorrection(item, files, kind) {
    var form = correcting.form;
    var save = form.querySelector("[type=submit]");
    var old = correcting.item.steps[0];
    // An assessment or a progress report still carries the version that was seen when it was first recorded.
    if (old.json.version !== undefined && item.steps[0].url === old.url) { item.steps[0].json.version = old.json.version; }
    offline.replace(correcting.item.id, item, files.filter(function (file) { return !file.stored; })).then(function () {
      location.assign(correctBox.getAttribute("data-queue-url"));
    }, function (error) {
      if (error.message !== "gone") {
        save.disabled = false;
        showError(error.message === "not_correctable" ? formText("correct_gone") : error.message);
        return;
      }
      // Discarded meanwhile (another tab): what was typed is kept as a new item; the photos it held went with it.
      attached = attached.filter(function (file) { return !file.stored; });
      showFiles();
      offline.enqueue(builders[kind](form), attached.slice()).then(function () {
        location.assign(correctBox.getAttribute("data-queue-url") + "#saved-as-new");
      }, function (failure) { save.disabled = false; showError(failure.message); });
    });
  }
  if (correctBox && editedId()) { startCorrection(editedId()); }

  // ---- The queue page -------------------------------------------------------------------------
  var queue = document.querySelector("[data-offline-queue]");
  if (!queue) { return; }
  var queueText = strings("offline-queue-strings");
  var ORDER = ["conflict", "failed", "waiting", "sent"];
  function sectionOf(item) { return item.status === "sending" ? "waiting" : item.status; }
  function render(items) {
    queue.textContent = "";
    document.querySelector("[data-offline-empty]").hidden = items.length > 0;
    items.sort(function (a, b) { return a.createdAt < b.createdAt ? 1 : -1; });
    ORDER.forEach(function (section) {
      var inSection = items.filter(function (item) { return sectionOf(item) === section; });
      if (!inSection.length) { return; }
      var heading = document.createElement("h2");
      heading.className = "h5 mt-3";
      heading.textContent = queueText("section_" + section) + " (" + inSection.length + ")";
      queue.appendChild(heading);
      var list = document.createElement("ul");
      list.className = "list-unstyled";
      list.setAttribute("data-section", section);
      inSection.forEach(function (item) { list.appendChild(card(item)); });
      queue.appendChild(list);
    });
  }
  function card(item) {
    var row = document.createElement("li");
    row.className = "card mb-2 offline-item offline-item-" + sectionOf(item);
    row.setAttribute("data-offline-item", item.status);
    row.setAttribute("data-kind", item.kind);
    var body = document.createElement("div");
    body.className = "card-body";
    var title = document.createElement("h3");
    title.className = "h6 card-title";
    title.textContent = item.label;
    body.appendChild(title);
    var when = document.createElement("p");
    when.className = "small text-muted mb-1";
    when.textContent = queueText("recorded_at", { time: shownDateTime(item.createdAt) });
    body.appendChild(when);
    var status = document.createElement("p");
    status.className = "mb-2";
    status.setAttribute("data-testid", "offline-status");
    var text = queueText("status_" + item.status);
    // A conflict says it in the page's own words; a refusal or a wait gives BaoVe's reason.
    if (item.error && (item.status === "failed" || item.status === "waiting")) { text += " " + item.error; }
    status.textContent = text;
    body.appendChild(status);
    var correctable = offline.correctable(item);
    if (item.status === "failed") {
      var hint = document.createElement("p");
      hint.className = "small mb-2";
      hint.textContent = queueText(correctable ? "correct_hint" : "failed_hint");
      body.appendChild(hint);
    }
    var references = item.steps[0] && item.steps[0].result && item.steps[0].result.references;
    if (item.status === "sent" && references) {
      var done = document.createElement("p");
      done.className = "small mb-0";
      done.textContent = queueText("references", { references: references.join(", ") });
      body.appendChild(done);
    }
    var actions = document.createElement("div");
    actions.className = "d-flex flex-wrap gap-2";
    if (item.status === "conflict" && item.caseId) {
      var link = document.createElement("a");
      link.className = "btn btn-primary";
      link.href = queue.getAttribute("data-case-url").replace("{case}", item.caseId);
      link.textContent = queueText("open_case");
      actions.appendChild(link);
    }
    if (correctable) {
      var correct = document.createElement("a");
      correct.className = "btn btn-primary d-inline-flex align-items-center";
      correct.href = queue.getAttribute("data-form-url") + "?edit=" + encodeURIComponent(item.id);
      correct.setAttribute("data-offline-correct", "");
      correct.textContent = queueText("correct");
      actions.appendChild(correct);
    }
    if (item.status === "failed" || item.status === "waiting") {
      actions.appendChild(button(queueText("retry"), "btn-outline-primary", function () { offline.retry(item.id); }));
    }
    if (item.status !== "sending") {
      actions.appendChild(button(queueText("discard"), "btn-outline-danger", function () {
        if (item.status === "sent" || window.confirm(queueText("discard_confirm"))) { offline.discard(item.id); }
      }));
    }
    body.appendChild(actions);
    row.appendChild(body);
    return row;
  }
  function button(text, style, action) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "btn " + style;
    element.textContent = text;
    element.addEventListener("click", action);
    return element;
  }
  if (location.hash === "#saved-as-new") { document.querySelector("[data-offline-saved-as-new]").hidden = false; }
  offline.onChange(render);
  offline.items().then(render).catch(function () { render([]); });
  document.querySelector("[data-offline-sync]").addEventListener("click", function () { offline.sync(); });
})();
