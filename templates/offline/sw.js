/* BaoVe's service worker (served at /sw.js by cases/views/offline.py; revision {{ revision }}).
   Keeps the shell (the same for everyone: no child's name) and the static assets, so that the offline
   forms open with no network. Case pages, the API and every answer that may name a child are never
   cached: what the officer types is kept by offline.js, encrypted, in IndexedDB. */
importScripts("{{ workbox_sw }}");
workbox.setConfig({ modulePathPrefix: "{{ workbox_prefix }}", debug: false });
workbox.core.setCacheNameDetails({ prefix: "baove" });
workbox.core.clientsClaim();
self.skipWaiting();

var SHELL_CACHE = "baove-shell";
var SHELL_PAGES = {{ shell_pages|safe }};

workbox.precaching.precacheAndRoute({{ precache|safe }});

// The shell pages: fresh from the network when there is one, the kept copy otherwise.
self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL_CACHE).then(function (cache) {
      return Promise.all(
        SHELL_PAGES.map(function (url) {
          return fetch(url, { credentials: "same-origin" }).then(function (response) {
            if (response.ok && !response.redirected) return cache.put(url, response);
          }).catch(function () {});
        })
      );
    })
  );
});

// A page: from the network when there is one (a shell page's fresh copy is kept); with no network, the
// kept shell page, and for any other page the offline forms, which say what can be done.
function keptShell(pathname) {
  var target = SHELL_PAGES.indexOf(pathname) !== -1 ? pathname : SHELL_PAGES[0];
  return caches.open(SHELL_CACHE).then(function (cache) {
    // The kept copy answers whatever Vary said (Cookie, Accept-Language): it is this phone's own.
    return cache.match(target, { ignoreVary: true, ignoreSearch: true });
  }).then(function (kept) {
    return kept ? new Response(kept.body, { status: 200, headers: kept.headers }) : Response.error();
  });
}

workbox.routing.registerRoute(function (options) {
  return options.request.mode === "navigate";
}, function (options) {
  var pathname = options.url.pathname;
  var isShell = SHELL_PAGES.indexOf(pathname) !== -1;
  return fetch(options.request).then(function (response) {
    // A login page (redirect) or an error never replaces the kept shell.
    if (isShell && response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(SHELL_CACHE).then(function (cache) { return cache.put(pathname, copy); });
    }
    return response;
  }, function () { return keptShell(pathname); });
});

// Logging out on this phone: drop every cache (offline.js wipes the encrypted store).
self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "wipe") {
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.map(function (name) { return caches.delete(name); }));
    }));
  }
});
