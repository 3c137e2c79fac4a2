// Working without signal (every signed-in page): registers the service worker, keeps the key the server
// issued to this login, encrypts what is queued on the phone (AES-GCM, WebCrypto) in IndexedDB, sends
// the queue when the network returns, shows the offline banner, and wipes everything on logout, when the
// server revokes the key, or after 72 hours without reaching the server.
// The pages' own forms are in offline-forms.js; they use window.BaoVeOffline.
(function () {
  "use strict";
  var DB_NAME = "baove-offline";
  var MAX_OFFLINE_MS = 72 * 3600 * 1000;
  var SENDERS = 4;
  var root = document.getElementById("offline-root");
  if (!root || !window.indexedDB || !window.crypto || !window.crypto.subtle) { return; }
  var strings = {};
  Array.prototype.forEach.call(root.content ? root.content.querySelectorAll("[data-key]") : [], function (node) {
    strings[node.getAttribute("data-key")] = node.textContent;
  });
  function t(key, values) {
    var text = strings[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.split("%(" + name + ")s").join(values[name]); });
    return text;
  }

  // ---- IndexedDB -------------------------------------------------------------------------------
  var dbPromise = null;
  var loggingOut = false;
  function db() {
    // Once the store is wiped for a logout, nothing on this page may open it again (a late key check
    // or send would otherwise leave a fresh key behind).
    if (loggingOut) { return Promise.reject(new Error("logged out")); }
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          var database = request.result;
          database.createObjectStore("meta", { keyPath: "name" });
          database.createObjectStore("items", { keyPath: "id" });
          database.createObjectStore("files", { keyPath: "id" });
          database.createObjectStore("cases", { keyPath: "id" });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return dbPromise;
  }
  function run(storeName, mode, action) {
    return db().then(function (database) {
      return new Promise(function (resolve, reject) {
        var transaction = database.transaction(storeName, mode);
        var request = action(transaction.objectStore(storeName));
        transaction.oncomplete = function () { resolve(request ? request.result : undefined); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }
  function get(storeName, id) { return run(storeName, "readonly", function (store) { return store.get(id); }); }
  function put(storeName, value) { return run(storeName, "readwrite", function (store) { return store.put(value); }); }
  function remove(storeName, id) { return run(storeName, "readwrite", function (store) { return store.delete(id); }); }
  function all(storeName) { return run(storeName, "readonly", function (store) { return store.getAll(); }); }

  // ---- The key --------------------------------------------------------------------------------
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  function base64ToBytes(text) {
    var binary = atob(text);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes;
  }
  function askKey(keyId) {
    return fetch(root.getAttribute("data-key-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(keyId ? { key_id: keyId } : {})
    });
  }
  function storeNewKey() {
    return askKey(null).then(function (response) {
      if (!response.ok) { return null; }
      return response.json().then(function (body) {
        var raw = base64ToBytes(body.key);
        // Non-extractable: script on the page can use it, never read it out.
        return crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"])
          .then(function (key) {
            raw.fill(0);
            var meta = { name: "key", keyId: body.key_id, key: key, checkedAt: Date.now() };
            return put("meta", meta).then(function () { return meta; });
          });
      });
    });
  }
  var keyPromise = null;
  // The key, checked with the server when it can be reached: null when there is none to use.
  function ready() {
    if (!keyPromise) { keyPromise = checkKey(); }
    return keyPromise;
  }
  function checkKey() {
    return get("meta", "key").then(function (meta) {
      if (meta && Date.now() - meta.checkedAt > MAX_OFFLINE_MS) {
        return wipe("expired").then(function () { return checkKey(); });
      }
      if (!navigator.onLine) { return meta || null; }
      if (!meta) { return storeNewKey().catch(function () { return null; }); }
      // The answer's body is read to its end: a body left unread keeps the request open in the browser.
      return askKey(meta.keyId).then(function (response) {
        return response.text().catch(function () { return ""; }).then(function () { return response; });
      }).then(function (response) {
        if (response.status === 403) {
          return wipe("revoked").then(function () { return storeNewKey(); });
        }
        if (response.ok) {
          meta.checkedAt = Date.now();
          return put("meta", meta).then(function () { return meta; });
        }
        return meta; // 401: logged out by a timeout; the queue waits for the next login
      }, function () { return meta; });
    });
  }

  // ---- Encryption -----------------------------------------------------------------------------
  var encoder = new TextEncoder();
  var decoder = new TextDecoder();
  function encryptBytes(bytes) {
    return ready().then(function (meta) {
      if (!meta) { throw new Error(t("no_key")); }
      var iv = crypto.getRandomValues(new Uint8Array(12));
      return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, meta.key, bytes).then(function (data) {
        return { iv: iv, data: data };
      });
    });
  }
  function decryptBytes(record) {
    return ready().then(function (meta) {
      if (!meta) { throw new Error(t("no_key")); }
      return crypto.subtle.decrypt({ name: "AES-GCM", iv: record.iv }, meta.key, record.data);
    });
  }
  function seal(storeName, id, value) {
    return encryptBytes(encoder.encode(JSON.stringify(value))).then(function (sealed) {
      return put(storeName, { id: id, iv: sealed.iv, data: sealed.data });
    });
  }
  function open(storeName, id) {
    return get(storeName, id).then(function (record) {
      if (!record) { return null; }
      return decryptBytes(record).then(function (plain) { return JSON.parse(decoder.decode(plain)); });
    });
  }
  function openAll(storeName) {
    return all(storeName).then(function (records) {
      return Promise.all(records.map(function (record) {
        return decryptBytes(record).then(function (plain) { return JSON.parse(decoder.decode(plain)); });
      }));
    });
  }

  // ---- The queue ------------------------------------------------------------------------------
  function uuid() {
    if (crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }
  // ITEM: {kind, label, steps: [{url, json} | {url, fileId, caseFromStep}]}; files: [{name, type, blob}].
  function enqueue(item, files) {
    item.id = uuid();
    item.createdAt = new Date().toISOString();
    item.status = "waiting";
    item.error = "";
    item.steps.forEach(function (step) { step.idempotencyKey = uuid(); step.done = false; });
    return Promise.all((files || []).map(function (file) {
      return file.blob.arrayBuffer().then(function (bytes) {
        return encryptBytes(bytes).then(function (sealed) {
          return put("files", { id: file.id, iv: sealed.iv, data: sealed.data, name: "", type: "" })
            .then(function () { return seal("files", file.id + ":meta", { name: file.name, type: file.type }); });
        });
      });
    })).then(function () { return seal("items", item.id, item); }).then(function () {
      announce();
      sync();
      return item;
    });
  }
  function fileFor(fileId) {
    return Promise.all([get("files", fileId), open("files", fileId + ":meta")]).then(function (found) {
      return decryptBytes(found[0]).then(function (bytes) {
        return new Blob([bytes], { type: found[1].type });
      }).then(function (blob) { return { blob: blob, name: found[1].name }; });
    });
  }
  function errorText(body) {
    if (!body) { return ""; }
    if (typeof body === "string") { return body; }
    if (Array.isArray(body)) { return body.map(errorText).join(" "); }
    if (body.detail) { return String(body.detail); }
    return Object.keys(body).map(function (name) { return errorText(body[name]); }).join(" ");
  }
  function send(item, step) {
    var url = step.url;
    if (step.caseFromStep !== undefined) {
      url = url.replace("{case}", item.steps[step.caseFromStep].result.case_ids[0]);
    }
    var headers = { "Accept": "application/json", "X-CSRFToken": csrfToken() };
    var prepared;
    if (step.fileId) {
      prepared = fileFor(step.fileId).then(function (file) {
        var form = new FormData();
        form.append("file", file.blob, file.name);
        form.append("description", step.description || "");
        form.append("idempotency_key", step.idempotencyKey);
        return form;
      });
    } else {
      headers["Content-Type"] = "application/json";
      var body = Object.assign({}, step.json, { idempotency_key: step.idempotencyKey });
      if (step.withoutKey) { delete body.idempotency_key; }
      prepared = Promise.resolve(JSON.stringify(body));
    }
    return prepared.then(function (body) {
      return fetch(url, { method: "POST", credentials: "same-origin", headers: headers, body: body });
    });
  }
  var syncing = null;
  var retryDelay = 3000;
  var retryTimer = null;
  // A send that failed with the network up (an answer lost on the way, a busy server) is tried again,
  // waiting longer each time (3 s, 6 s … 1 min); the idempotency keys make that harmless.
  function retryLater(items) {
    clearTimeout(retryTimer);
    var waiting = items.some(function (item) { return item.status === "waiting"; });
    if (!waiting || !navigator.onLine) { retryDelay = 3000; return; }
    retryTimer = setTimeout(sync, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 60000);
  }
  function sync() {
    if (syncing) { return syncing; }
    if (!navigator.onLine) { return Promise.resolve(); }
    syncing = ready().then(function (meta) {
      if (!meta) { return; }
      return openAll("items").then(function (items) {
        items.sort(function (a, b) { return a.createdAt < b.createdAt ? -1 : 1; });
        var pending = items.filter(function (item) { return item.status === "waiting" || item.status === "sending"; });
        // Changes that carry a case file's version go in order, one lane per case file; everything else
        // is independent. Lanes are sent SENDERS at a time: a slow connection's latency is paid once for
        // several items, not once for each.
        var lanes = {};
        var order = [];
        pending.forEach(function (item) {
          var lane = item.lane || item.id;
          if (!lanes[lane]) { lanes[lane] = []; order.push(lane); }
          lanes[lane].push(item);
        });
        var stopped = false;
        function worker() {
          var lane = order.shift();
          if (!lane || stopped) { return Promise.resolve(); }
          var chain = Promise.resolve(true);
          lanes[lane].forEach(function (item) {
            chain = chain.then(function (goOn) { return goOn && !stopped ? sendItem(item) : false; });
          });
          return chain.then(function (goOn) { if (!goOn) { stopped = true; } return worker(); });
        }
        var workers = [];
        for (var i = 0; i < SENDERS; i++) { workers.push(worker()); }
        return Promise.all(workers);
      });
    }).catch(function () { /* the store was wiped meanwhile */ }).then(function () {
      syncing = null;
      announce();
      return openAll("items").then(retryLater, function () {});
    });
    return syncing;
  }
  // Send one item's steps in order; false stops the queue (no network, or logged out).
  function sendItem(item) {
    item.status = "sending";
    var steps = item.steps.filter(function (step) { return !step.done; });
    var chain = Promise.resolve(true);
    steps.forEach(function (step) {
      chain = chain.then(function (goOn) {
        if (!goOn || item.status !== "sending") { return goOn; }
        return send(item, step).then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (body) {
            if (response.ok) {
              step.done = true;
              step.result = body;
              return seal("items", item.id, item).then(function () { return true; });
            }
            if (response.status === 401) { item.status = "waiting"; item.error = t("login_needed"); return false; }
            if (response.status === 409) { item.status = "conflict"; item.error = errorText(body); return true; }
            if (response.status >= 500 || response.status === 429) {
              item.status = "waiting"; item.error = t("server_busy"); return false;
            }
            item.status = "failed";
            item.error = errorText(body) || t("refused");
            return true;
          });
        }, function () {
          item.status = "waiting";
          item.error = t("no_network");
          return false;
        });
      });
    });
    return chain.then(function (goOn) {
      if (item.status === "sending") {
        item.status = "sent";
        item.error = "";
        item.sentAt = new Date().toISOString();
      }
      return seal("items", item.id, item).then(function () {
        if (item.status === "sent") { return dropFiles(item).then(function () { return goOn; }); }
        return goOn;
      });
    });
  }
  function dropFiles(item) {
    return Promise.all(item.steps.filter(function (step) { return step.fileId; }).map(function (step) {
      return remove("files", step.fileId).then(function () { return remove("files", step.fileId + ":meta"); });
    }));
  }
  function retry(id) {
    return open("items", id).then(function (item) {
      if (!item) { return; }
      item.status = "waiting";
      item.error = "";
      return seal("items", id, item).then(sync);
    });
  }
  function discard(id) {
    return open("items", id).then(function (item) {
      return (item ? dropFiles(item) : Promise.resolve()).then(function () { return remove("items", id); });
    }).then(announce);
  }

  // The officer's own open case files, for choosing one offline (kept encrypted, never in a cache).
  function refreshCases() {
    if (!navigator.onLine || !root.getAttribute("data-cases-url")) { return Promise.resolve(); }
    return ready().then(function (meta) {
      if (!meta) { return; }
      return fetch(root.getAttribute("data-cases-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (body) { return seal("cases", "own", { at: Date.now(), cases: body.cases, assignments: body.assignments || [] }); }
        })
        .catch(function () {});
    });
  }
  function cases() {
    return open("cases", "own").then(function (kept) { return kept ? kept.cases : []; }).catch(function () { return []; });
  }
  function assignments() {
    return open("cases", "own").then(function (kept) { return kept && kept.assignments ? kept.assignments : []; })
      .catch(function () { return []; });
  }

  // ---- Wiping ---------------------------------------------------------------------------------
  function wipe(reason) {
    if (reason === "logout") { loggingOut = true; }
    keyPromise = null;
    var closing = dbPromise ? dbPromise.then(function (database) { database.close(); }).catch(function () {}) : Promise.resolve();
    dbPromise = null;
    return closing.then(function () {
      return new Promise(function (resolve) {
        var request = indexedDB.deleteDatabase(DB_NAME);
        request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
      });
    }).then(function () {
      if (!window.caches) { return; }
      return caches.keys().then(function (names) {
        return Promise.all(names.map(function (name) { return caches.delete(name); }));
      });
    }).then(function () {
      if (reason && reason !== "logout") { say(t("wiped_" + reason)); }
    });
  }
  function say(text) {
    var box = document.getElementById("offline-notice");
    if (box) { box.textContent = text; box.hidden = false; }
  }

  // ---- What the page shows --------------------------------------------------------------------
  var listeners = [];
  function announce() {
    openAll("items").catch(function () { return []; }).then(function (items) {
      var waiting = items.filter(function (item) { return item.status !== "sent"; }).length;
      Array.prototype.forEach.call(document.querySelectorAll("[data-offline-count]"), function (badge) {
        badge.textContent = waiting ? String(waiting) : "";
        badge.hidden = !waiting;
      });
      // The work list: a change that met a conflict needs the officer.
      var conflicts = items.filter(function (item) { return item.status === "conflict" || item.status === "failed"; }).length;
      Array.prototype.forEach.call(document.querySelectorAll("[data-offline-conflicts]"), function (section) {
        section.hidden = !conflicts;
        var count = section.querySelector("[data-offline-conflict-count]");
        if (count) { count.textContent = String(conflicts); }
      });
      listeners.forEach(function (listener) { listener(items); });
    });
  }
  function showConnection() {
    var banner = document.getElementById("offline-banner");
    if (banner) { banner.hidden = navigator.onLine; }
    document.documentElement.classList.toggle("is-offline", !navigator.onLine);
  }
  window.addEventListener("online", function () { showConnection(); keyPromise = null; sync(); });
  window.addEventListener("offline", showConnection);
  showConnection();

  // Logging out wipes the phone's store first; unsent items are named before they go. With no network
  // the server cannot end the login: wiping then would lose the queue and leave the login open.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-offline-logout]"), function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!navigator.onLine) {
        say(t("logout_offline"));
        document.getElementById("offline-notice").scrollIntoView();
        return;
      }
      openAll("items").catch(function () { return []; }).then(function (items) {
        var unsent = items.filter(function (item) { return item.status !== "sent"; }).length;
        if (unsent && !window.confirm(t("logout_unsent", { count: unsent }))) { return; }
        clearTimeout(retryTimer);
        return wipe("logout").then(function () {
          if (navigator.serviceWorker && navigator.serviceWorker.controller) {
            navigator.serviceWorker.controller.postMessage({ type: "wipe" });
          }
          form.submit();
        });
      });
    });
  });

  if ("serviceWorker" in navigator && root.getAttribute("data-sw-url")) {
    navigator.serviceWorker.register(root.getAttribute("data-sw-url"), { scope: "/" }).catch(function () {});
  }

  window.BaoVeOffline = {
    ready: ready, enqueue: enqueue, sync: sync, retry: retry, discard: discard, items: function () { return openAll("items"); },
    cases: cases, assignments: assignments, refreshCases: refreshCases, uuid: uuid, t: t, wipe: wipe,
    onChange: function (listener) { listeners.push(listener); }
  };
  ready().then(function () { announce(); return sync(); }).then(refreshCases);
})();
