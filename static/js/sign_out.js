/* Signing out of a shared phone leaves no team data on it: before the sign-out link or form
   goes, delete what the driver page keeps for offline use (the service worker's caches,
   the queue of unsent taps in IndexedDB) and the service worker itself. If taps are still
   waiting to be sent, ask first: signing out would drop them. Names match
   fulfilment.views.driver.offline_settings. Plain ES2017, no modules. */
(function () {
  "use strict";

  var CACHE_PREFIX = "team-driver-";
  var DATABASE = "team-driver";
  var script = document.currentScript;
  var WARNING = (script && script.getAttribute("data-warning")) || "{n}?";

  function isSignOut(element) {
    var target = element.tagName === "FORM" ? element.getAttribute("action") : element.getAttribute("href");
    return Boolean(target) && /\/logout\/?(\?|$)/.test(target);
  }

  function unsentTaps() {
    if (!window.indexedDB) return Promise.resolve(0);
    return new Promise(function (resolve) {
      var request = indexedDB.open(DATABASE);
      request.onsuccess = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("taps")) { db.close(); resolve(0); return; }
        var count = db.transaction("taps", "readonly").objectStore("taps").count();
        count.onsuccess = function () { db.close(); resolve(count.result); };
        count.onerror = function () { db.close(); resolve(0); };
      };
      request.onerror = function () { resolve(0); };
    });
  }

  function clearEverything() {
    var work = [];
    if (window.caches) {
      work.push(caches.keys().then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.indexOf(CACHE_PREFIX) === 0;
        }).map(function (name) { return caches.delete(name); }));
      }));
    }
    if (window.indexedDB) {
      work.push(new Promise(function (resolve) {
        var request = indexedDB.deleteDatabase(DATABASE);
        request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
      }));
    }
    if (navigator.serviceWorker && navigator.serviceWorker.getRegistrations) {
      work.push(navigator.serviceWorker.getRegistrations().then(function (registrations) {
        return Promise.all(registrations.map(function (registration) {
          return registration.unregister();
        }));
      }));
    }
    return Promise.all(work).catch(function () {});
  }

  function signOut(event, go) {
    event.preventDefault();
    unsentTaps().then(function (count) {
      if (count && !window.confirm(WARNING.replace("{n}", count))) return;
      clearEverything().then(go);
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || !isSignOut(link)) return;
    signOut(event, function () { window.location.href = link.href; });
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!isSignOut(form)) return;
    signOut(event, function () { form.submit(); });
  });
})();
