// Working without signal (every signed-in page): registers the service worker, keeps the key the server
// issued to this login, encrypts what is queued on the phone (AES-GCM, WebCrypto) in IndexedDB, sends
// the queue when the network returns, shows the offline banner, and wipes everything on logout, when the
// server revokes the key, or after 72 hours without reaching the server (warning from 12 hours before).
// One store per user: another user logging in on the same phone neither reads, sends nor wipes it; while
// they are logged in the first user's key is dropped from the phone (the server hands it back to its own
// user only). What was sent leaves the store; only a receipt without personal data stays, for 7 days.
// The pages' own forms are in offline-forms.js; they use window.BaoVeOffline.
(function () {
  "use strict";
  var HOUR_MS = 3600 * 1000;
  var MAX_OFFLINE_MS = 72 * HOUR_MS;
  var WARN_BEFORE_MS = 12 * HOUR_MS;
  var RECEIPT_MS = 7 * 24 * HOUR_MS;
  var SUMMARIES_FRESH_MS = 10 * 60 * 1000;
  var SENDERS = 4;
  var LOGOUT_WAIT_MS = 5000;
  var root = document.getElementById("offline-root");
  if (!root || !window.indexedDB || !window.crypto || !window.crypto.subtle) { return; }
  var DB_PREFIX = "baove-offline-u";
  var DB_NAME = root.getAttribute("data-user") ? DB_PREFIX + root.getAttribute("data-user") : null;
  // Nobody logged in (the login page, with the network): every user's key leaves the phone until they
  // log in again, so that whoever holds the phone cannot open what they queued.
  if (!DB_NAME) { lockOthers(); return; }
  var strings = {};
  Array.prototype.forEach.call(root.content ? root.content.querySelectorAll("[data-key]") : [], function (node) {
    strings[node.getAttribute("data-key")] = node.textContent;
  });
  // The queue page's own words for receipts (only it lists them).
  var receiptStrings = {};
  var receiptTemplate = document.getElementById("offline-receipt-strings");
  Array.prototype.forEach.call(receiptTemplate ? receiptTemplate.content.querySelectorAll("[data-key]") : [], function (node) {
    receiptStrings[node.getAttribute("data-key")] = node.textContent;
  });
  function receiptText(key, values) { return t(key, values, receiptStrings); }
  function t(key, values, from) {
    var text = (from || strings)[key] || key;
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
          // What was sent, without personal data: kind, times, the case files' references.
          database.createObjectStore("receipts", { keyPath: "id" });
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
  function askKey(keyId, restore) {
    var body = keyId ? { key_id: keyId } : {};
    if (restore) { body.restore = true; }
    return fetch(root.getAttribute("data-key-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body)
    });
  }
  function keepKey(body) {
    var raw = base64ToBytes(body.key);
    // Non-extractable: script on the page can use it, never read it out.
    return crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"])
      .then(function (key) {
        raw.fill(0);
        var meta = { name: "key", keyId: body.key_id, key: key, checkedAt: Date.now() };
        return put("meta", meta).then(function () { return meta; });
      });
  }
  function storeNewKey() {
    return askKey(null).then(function (response) {
      if (!response.ok) { return null; }
      return response.json().then(keepKey);
    });
  }
  // The user's store was locked while someone else was logged in on this phone: the server gives the
  // key back to its own user (403 when it was revoked or is not theirs: what it sealed is unreadable).
  function restoreKey(meta) {
    return askKey(meta.keyId, true).then(function (response) {
      if (response.status === 403) {
        return response.text().catch(function () { return ""; }).then(function () {
          return wipe("revoked").then(function () { return storeNewKey(); });
        });
      }
      if (!response.ok) { return response.text().catch(function () { return ""; }).then(function () { return null; }); }
      return response.json().then(keepKey);
    }, function () { return null; });
  }
  var keyPromise = null;
  // The key, checked with the server when it can be reached: null when there is none to use.
  function ready() {
    if (!keyPromise) { keyPromise = adopted().then(checkKey); }
    return keyPromise;
  }
  function checkKey() {
    return get("meta", "key").then(function (meta) {
      if (meta && Date.now() - meta.checkedAt > MAX_OFFLINE_MS) {
        return wipe("expired").then(function () { return checkKey(); });
      }
      if (meta && !meta.key) { return navigator.onLine ? restoreKey(meta) : null; }
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

  // The one store of the first release ("baove-offline", any user's) becomes this user's store when the
  // server confirms its key is theirs; another user's stays untouched until it is 72 hours old.
  var LEGACY_NAME = "baove-offline";
  var adoption = null;
  function adopted() {
    if (!adoption) { adoption = adoptLegacy().catch(function () {}); }
    return adoption;
  }
  function readAll(database, storeName) {
    return new Promise(function (resolve) {
      if (!database.objectStoreNames.contains(storeName)) { resolve([]); return; }
      var request = database.transaction(storeName).objectStore(storeName).getAll();
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { resolve([]); };
    });
  }
  function adoptLegacy() {
    if (!indexedDB.databases || !navigator.onLine) { return Promise.resolve(); }
    return indexedDB.databases().then(function (found) {
      if (!found.some(function (info) { return info.name === LEGACY_NAME; })) { return; }
      return new Promise(function (resolve, reject) {
        var request = indexedDB.open(LEGACY_NAME);
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      }).then(function (legacy) {
        var names = ["meta", "items", "files", "cases"];
        return Promise.all(names.map(function (name) { return readAll(legacy, name); })).then(function (rows) {
          legacy.close();
          var meta = rows[0].filter(function (row) { return row.name === "key"; })[0];
          if (!meta || !meta.key) { return deleteDatabase(LEGACY_NAME); }
          if (Date.now() - meta.checkedAt > MAX_OFFLINE_MS) { return deleteDatabase(LEGACY_NAME); }
          return askKey(meta.keyId).then(function (response) {
            return response.text().catch(function () { return ""; }).then(function () { return response.status; });
          }).then(function (status) {
            if (status !== 200) { return; } // someone else's (or revoked): left to its 72 hours
            return get("meta", "key").then(function (own) {
              if (own) { return; } // this user already has a store of their own
              var writes = [];
              names.forEach(function (name, index) {
                rows[index].forEach(function (row) { writes.push(put(name, row)); });
              });
              return Promise.all(writes).then(function () { return deleteDatabase(LEGACY_NAME); });
            });
          });
        });
      });
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
    return referenceOfCase(item).then(function (reference) {
      // Kept for the receipt once the item went (a note's answer does not name the case file).
      if (reference) { item.reference = reference; }
      return keep(item, files);
    });
  }
  function keep(item, files) {
    item.id = uuid();
    item.createdAt = new Date().toISOString();
    waitAgain(item);
    return storeFiles(files).then(function () { return seal("items", item.id, item); }).then(function () {
      announce();
      sync();
      return item;
    });
  }
  // Every step waits, each with a key of its own: a resend of the same step is recognised by the server.
  function waitAgain(item) {
    item.status = "waiting";
    item.error = "";
    item.steps.forEach(function (step) { step.idempotencyKey = uuid(); step.done = false; });
  }
  function storeFiles(files) {
    return Promise.all((files || []).map(function (file) {
      return file.blob.arrayBuffer().then(function (bytes) {
        return encryptBytes(bytes).then(function (sealed) {
          return put("files", { id: file.id, iv: sealed.iv, data: sealed.data, name: "", type: "" })
            .then(function () { return seal("files", file.id + ":meta", { name: file.name, type: file.type }); });
        });
      });
    }));
  }
  // A refusal the officer can correct on its form: nothing of the item went yet, and what BaoVe refused is
  // what was typed (a photo refused after its report was accepted cannot be corrected here).
  function correctable(item) {
    if (!item || item.status !== "failed" || !item.steps.length) { return false; }
    var first = item.steps.filter(function (step) { return !step.done; })[0];
    return first === item.steps[0] && first.json !== undefined;
  }
  // The queue's items are changed by one thing at a time, across this user's tabs (a sync, a retry, a discard,
  // a correction): the Web Locks API where the browser has it (not reentrant: never nest two of them).
  function exclusive(work) {
    if (navigator.locks && navigator.locks.request) { return navigator.locks.request(DB_NAME + ":items", work); }
    return work();
  }
  // A refused item, corrected on its form, takes its place: the same id and time (its place in the queue),
  // waiting again with the same idempotency keys (a first send that was in fact accepted, its answer lost,
  // is then answered as such instead of recorded twice; a refused send left nothing under its key); a new
  // photo's step gets a key of its own. FILES are those newly attached (stored before the item is checked
  // again and written, under the queue's lock); the files the officer removed leave the store. Sent by the
  // next sync. Refused with Error("gone") when it was discarded meanwhile, Error("not_correctable") when it
  // was sent or is waiting again.
  function replace(id, item, files) {
    var kept = item.steps.map(function (step) { return step.fileId; });
    return referenceOfCase(item).then(function (reference) {
      if (reference) { item.reference = reference; }
      return storeFiles(files);
    }).then(function () {
      return exclusive(function () {
        return open("items", id).then(function (old) {
          if (!old) { throw new Error("gone"); }
          if (!correctable(old)) { throw new Error("not_correctable"); }
          item.id = old.id;
          item.createdAt = old.createdAt;
          waitAgain(item);
          item.steps.forEach(function (step) {
            var same = old.steps.filter(function (was) { return was.url === step.url && was.fileId === step.fileId; })[0];
            if (same) { step.idempotencyKey = same.idempotencyKey; }
          });
          return seal("items", item.id, item).then(function () {
            return Promise.all(old.steps.filter(function (step) { return step.fileId && kept.indexOf(step.fileId) === -1; })
              .map(function (step) { return dropFile(step.fileId); }));
          });
        });
      });
    }).then(function () {
      announce();
      return item;
    }, function (error) {
      // Nothing of it was kept: the photos stored for it leave the store again.
      return Promise.all((files || []).map(function (file) { return dropFile(file.id); })).then(function () { throw error; });
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
      return exclusive(function () { return openAll("items").then(sendAll); });
    }).catch(function () { /* the store was wiped meanwhile */ }).then(function () {
      syncing = null;
      announce();
      return openAll("items").then(retryLater, function () {});
    });
    return syncing;
  }
  // Every waiting item sent (under the queue's lock: see exclusive).
  function sendAll(items) {
    items.sort(function (a, b) { return a.createdAt < b.createdAt ? -1 : 1; });
    // Sent before receipts existed (a store of the first release): only the receipt stays.
    var settled = Promise.all(items.filter(function (item) { return item.status === "sent"; }).map(settle));
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
    return Promise.all(workers.concat([settled]));
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
      if (item.status === "sent") { return settle(item).then(function () { return goOn; }); }
      return seal("items", item.id, item).then(function () { return goOn; });
    });
  }
  // Acknowledged by the server: what the item held leaves the phone (its sealed record and files); a
  // receipt without personal data stays for the queue page's "sent" list.
  function settle(item) {
    return referencesOf(item).then(function (references) {
      var receipt = { id: item.id, kind: item.kind, createdAt: item.createdAt, sentAt: item.sentAt, references: references };
      return put("receipts", receipt);
    }).then(function () { return dropFiles(item); }).then(function () { return remove("items", item.id); });
  }
  function referencesOf(item) {
    var references = [];
    item.steps.forEach(function (step) {
      var result = step.result || {};
      (result.references || []).forEach(function (reference) {
        if (references.indexOf(reference) === -1) { references.push(reference); }
      });
    });
    if (references.length) { return Promise.resolve(references); }
    if (item.reference) { return Promise.resolve([item.reference]); }
    return referenceOfCase(item).then(function (reference) { return reference ? [reference] : null; });
  }
  // A note, an assessment or a progress report: the reference of the case file it is about.
  function referenceOfCase(item) {
    if (!item.caseId && !item.lane) { return Promise.resolve(null); }
    var assignment = item.lane && item.lane.indexOf("assignment:") === 0 ? item.lane.slice("assignment:".length) : null;
    return open("cases", "own").then(function (kept) {
      var rows = assignment ? (kept && kept.assignments) || [] : (kept && kept.cases) || [];
      var wanted = String(assignment || item.caseId);
      var found = rows.filter(function (row) { return String(row.id) === wanted; })[0];
      return found && found.reference ? found.reference : null;
    }).catch(function () { return null; });
  }
  // Receipts read as sent items on the queue page.
  function receiptItems() {
    return all("receipts").then(function (receipts) {
      return receipts.filter(function (receipt) { return !expiredReceipt(receipt); }).map(function (receipt) {
        var date = new Date(receipt.sentAt);
        return {
          id: receipt.id, kind: receipt.kind, status: "sent", error: "", receipt: true,
          createdAt: receipt.createdAt, sentAt: receipt.sentAt,
          label: receiptText("receipt_label", { kind: receiptText("kind_" + receipt.kind), time: shownTime(date) }),
          steps: [{ done: true, result: { references: receipt.references } }]
        };
      });
    });
  }
  function pad(number) { return (number < 10 ? "0" : "") + number; }
  function shownTime(date) {
    return pad(date.getHours()) + ":" + pad(date.getMinutes()) + " " + pad(date.getDate()) + "/" + pad(date.getMonth() + 1) + "/" + date.getFullYear();
  }
  function expiredReceipt(receipt) { return Date.now() - new Date(receipt.sentAt).getTime() > RECEIPT_MS; }
  function pruneReceipts() {
    return all("receipts").then(function (receipts) {
      return Promise.all(receipts.filter(expiredReceipt).map(function (receipt) { return remove("receipts", receipt.id); }));
    }).catch(function () {});
  }
  // Everything the queue page lists: what waits or failed (decrypted) and the receipts of what went.
  function everything() {
    return Promise.all([openAll("items"), receiptItems()]).then(function (found) { return found[0].concat(found[1]); });
  }
  function dropFiles(item) {
    return Promise.all(item.steps.filter(function (step) { return step.fileId; }).map(function (step) {
      return dropFile(step.fileId);
    }));
  }
  function dropFile(fileId) {
    return remove("files", fileId).then(function () { return remove("files", fileId + ":meta"); });
  }
  function retry(id) {
    return exclusive(function () {
      return open("items", id).then(function (item) {
        if (!item || item.status === "sent") { return; }
        item.status = "waiting";
        item.error = "";
        return seal("items", id, item);
      });
    }).then(sync);
  }
  function discard(id) {
    return exclusive(function () {
      return open("items", id).then(function (item) {
        return (item ? dropFiles(item) : Promise.resolve()).then(function () { return remove("items", id); });
      }).then(function () { return remove("receipts", id); });
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
  // Read-only summaries of the officer's own open case files, for reading with no signal (kept encrypted;
  // fetched again at most every 10 minutes, or when the summaries page asks).
  function refreshSummaries(force) {
    var url = root.getAttribute("data-summaries-url");
    if (!navigator.onLine || !url) { return Promise.resolve(false); }
    return ready().then(function (meta) {
      if (!meta) { return false; }
      return get("meta", "summaries").then(function (kept) {
        if (!force && kept && Date.now() - kept.at < SUMMARIES_FRESH_MS) { return false; }
        return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (body) {
            if (!body) { return false; }
            return seal("cases", "summaries", { at: Date.now(), cases: body.cases })
              .then(function () { return put("meta", { name: "summaries", at: Date.now() }); })
              .then(function () { return true; });
          });
      });
    }).catch(function () { return false; });
  }
  function summaries() {
    return open("cases", "summaries").catch(function () { return null; });
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
    return closing.then(function () { return deleteDatabase(DB_NAME); }).then(function () {
      if (!window.caches) { return; }
      return caches.keys().then(function (names) {
        return Promise.all(names.map(function (name) { return caches.delete(name); }));
      });
    }).then(function () {
      if (reason && reason !== "logout") { say(t("wiped_" + reason)); }
    });
  }
  function deleteDatabase(name) {
    return new Promise(function (resolve) {
      var request = indexedDB.deleteDatabase(name);
      request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
    });
  }
  // The other users' stores on this phone: their key is dropped while this user is logged in (what they
  // queued stays sealed, unreadable here, until they log in again), and wiped after 72 hours unchecked.
  function lockOthers() {
    if (!indexedDB.databases) { return Promise.resolve(); }
    return indexedDB.databases().then(function (found) {
      return Promise.all(found.filter(function (info) {
        return info.name && info.name.indexOf(DB_PREFIX) === 0 && info.name !== DB_NAME;
      }).map(function (info) { return lockStore(info.name); }));
    }).catch(function () {});
  }
  function lockStore(name) {
    return new Promise(function (resolve) {
      var request = indexedDB.open(name);
      request.onerror = function () { resolve(null); };
      request.onsuccess = function () {
        var database = request.result;
        if (!database.objectStoreNames.contains("meta")) { database.close(); resolve(null); return; }
        var transaction = database.transaction("meta", "readwrite");
        var store = transaction.objectStore("meta");
        var expired = false;
        store.get("key").onsuccess = function (event) {
          var meta = event.target.result;
          if (!meta) { return; }
          expired = Date.now() - meta.checkedAt > MAX_OFFLINE_MS;
          if (meta.key) { store.put({ name: "key", keyId: meta.keyId, checkedAt: meta.checkedAt, key: null }); }
        };
        transaction.oncomplete = transaction.onerror = transaction.onabort = function () {
          database.close();
          resolve(expired ? deleteDatabase(name) : null);
        };
      };
    });
  }
  function say(text) {
    var box = document.getElementById("offline-notice");
    if (box) { box.textContent = text; box.hidden = false; }
  }

  // ---- What the page shows --------------------------------------------------------------------
  var listeners = [];
  function announce() {
    Promise.all([
      everything().catch(function () { return []; }),
      get("meta", "key").catch(function () { return null; })
    ]).then(function (found) {
      var items = found[0];
      var waiting = items.filter(function (item) { return item.status !== "sent"; }).length;
      warnOfWipe(waiting, found[1]);
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
  // From 12 hours before the 72-hour wipe, while something waits: how long is left and what to do.
  function warnOfWipe(waiting, meta) {
    var left = meta && meta.key ? meta.checkedAt + MAX_OFFLINE_MS - Date.now() : Infinity;
    var shown = waiting > 0 && left <= WARN_BEFORE_MS;
    var hours = Math.max(0, Math.floor(left / HOUR_MS));
    var text = !shown ? "" : hours >= 1
      ? t(hours === 1 ? "expiry_hour" : "expiry_hours", { hours: String(hours), count: String(waiting) })
      : t("expiry_soon", { count: String(waiting) });
    var boxes = document.querySelectorAll("[data-offline-expiry]");
    Array.prototype.forEach.call(boxes, function (box) {
      box.textContent = text;
      // The queue page says it once, in its own place: not again under the banner.
      box.hidden = !shown || (boxes.length > 1 && box.id === "offline-expiry");
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
        // The logout never waits on the phone for long: were the wipe to stall, the server still revokes
        // the key, and the next key check on this phone (403) wipes what is left.
        var stalled = new Promise(function (resolve) { setTimeout(resolve, LOGOUT_WAIT_MS); });
        return Promise.race([wipe("logout"), stalled]).then(function () {
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
    ready: ready, enqueue: enqueue, sync: sync, retry: retry, discard: discard, items: everything,
    item: function (id) { return open("items", id); }, file: fileFor, correctable: correctable, replace: replace,
    cases: cases, assignments: assignments, refreshCases: refreshCases, uuid: uuid, t: t, wipe: wipe,
    summaries: summaries, refreshSummaries: refreshSummaries, databaseName: DB_NAME,
    onChange: function (listener) { listeners.push(listener); }
  };
  lockOthers();
  ready().then(pruneReceipts).then(function () { announce(); return sync(); }).then(refreshCases)
    .then(function () { return refreshSummaries(false); });
})();
