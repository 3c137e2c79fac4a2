// The officer's own open case files, read-only, on /offline/my-cases/: the summaries come from the
// phone's encrypted store (offline.js), fetched afresh when there is a network. The page itself is the
// same for everyone (the service worker keeps it); nothing here is written to a cache.
(function () {
  "use strict";
  var offline = window.BaoVeOffline;
  var list = document.querySelector("[data-offline-summaries]");
  if (!offline || !list) { return; }
  var found = {};
  var template = document.getElementById("offline-summaries-strings");
  Array.prototype.forEach.call(template ? template.content.querySelectorAll("[data-key]") : [], function (node) {
    found[node.getAttribute("data-key")] = node.textContent;
  });
  function t(key, values) {
    var text = found[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.split("%(" + name + ")s").join(values[name]); });
    return text;
  }
  function pad(number) { return (number < 10 ? "0" : "") + number; }
  function shown(date) {
    return pad(date.getDate()) + "/" + pad(date.getMonth() + 1) + "/" + date.getFullYear() + " " + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function card(row) {
    var item = element("li", "card mb-2");
    item.setAttribute("data-testid", "summary");
    var body = element("div", "card-body");
    var title = element("h2", "h6 card-title mb-1");
    title.appendChild(element("span", "", row.child));
    title.appendChild(element("span", "fw-normal text-muted", " · " + t("age", { age: String(row.age) })));
    body.appendChild(title);
    var facts = [row.reference, row.state];
    if (row.risk) { facts.push(t("risk", { risk: row.risk })); }
    body.appendChild(element("p", "small mb-1", facts.join(" · ")));
    if (row.is_emergency) { body.appendChild(element("span", "badge text-bg-danger mb-1", t("emergency"))); }
    var deadline = element("p", "mb-1");
    if (row.deadline) {
      var due = new Date(row.deadline.due_at);
      var late = due.getTime() < Date.now();
      deadline.textContent = t(late ? "overdue" : "deadline", { label: row.deadline.label, time: shown(due) });
      deadline.className = late ? "mb-1 fw-semibold text-danger" : "mb-1";
    } else {
      deadline.textContent = t("no_deadline");
      deadline.className = "mb-1 text-muted";
    }
    body.appendChild(deadline);
    if (row.notes && row.notes.length) {
      body.appendChild(element("p", "small fw-semibold mb-0", t("notes")));
      var notes = element("ul", "small mb-1 ps-3");
      row.notes.forEach(function (text) { notes.appendChild(element("li", "", text)); });
      body.appendChild(notes);
    }
    if (navigator.onLine) {
      var link = element("a", "btn btn-outline-primary btn-sm mt-1", t("open_case"));
      link.href = list.getAttribute("data-case-url").replace("{case}", row.id);
      body.appendChild(link);
    }
    item.appendChild(body);
    return item;
  }
  function render(kept) {
    var rows = kept ? kept.cases : [];
    list.textContent = "";
    rows.forEach(function (row) { list.appendChild(card(row)); });
    var empty = document.querySelector("[data-offline-summaries-empty]");
    empty.hidden = rows.length > 0;
    if (kept && !rows.length) { empty.textContent = t("none"); }
    var when = document.querySelector("[data-offline-summaries-when]");
    when.hidden = !kept;
    if (kept) { when.textContent = t("fetched_at", { time: shown(new Date(kept.at)) }); }
  }
  offline.summaries().then(render);
  offline.refreshSummaries(true).then(function (changed) {
    if (changed) { return offline.summaries().then(render); }
  });
})();
