/* The team's service worker, served by fulfilment.views.driver.service_worker at the top of
   the team pages (/shop/team/sw.js), so its scope is the team pages and nothing else.
   It keeps the driver pages of runs that were opened (network first, the kept copy when
   there is no signal) and the static files they use. It keeps no other page: a page that
   redirects (signed out) or is refused (another team's run) is never stored. Signing out
   deletes these caches (static/js/sign_out.js). Plain ES2017, no modules. */
"use strict";
var CONFIG = {{ config|safe }};
var DRIVER_PAGE = new RegExp("^" + CONFIG.teamPrefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "runs/\\d+/driver/$");

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CONFIG.staticCache).then(function (cache) {
      return cache.addAll(CONFIG.staticFiles);
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(CONFIG.cachePrefix) === 0 && CONFIG.caches.indexOf(name) < 0;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function keepable(response) {
  return response && response.ok && !response.redirected && response.type === "basic";
}

function networkFirst(request, cacheName, cacheKey) {
  return fetch(request).then(function (response) {
    if (keepable(response)) {
      var copy = response.clone();
      caches.open(cacheName).then(function (cache) { return cache.put(cacheKey, copy); });
    }
    return response;
  }).catch(function (error) {
    return caches.open(cacheName).then(function (cache) {
      return cache.match(cacheKey);
    }).then(function (kept) {
      if (kept) return kept;
      throw error;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (DRIVER_PAGE.test(url.pathname)) {
    event.respondWith(networkFirst(request, CONFIG.pageCache, url.origin + url.pathname));
  } else if (url.pathname.indexOf(CONFIG.staticPrefix) === 0) {
    event.respondWith(networkFirst(request, CONFIG.staticCache, url.origin + url.pathname));
  }
});
