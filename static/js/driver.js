/* The driver page with no signal (templates/fulfilment/driver.html).

   Every tap goes into a queue on the phone (IndexedDB, keyed by the button's idempotency
   key) before it is sent, so a tap made in a village with no signal is kept; the page says
   "N 个操作待发送" until the queue is empty. The queue is sent on page load, when the phone
   says it is online again, and every 15 seconds while something waits. The server answers
   JSON (fulfilment.views.driver.driver_tap): a key it has seen is a duplicate and counts
   once; a tap another member already made is reported ("已由 张三 登记") and not recorded
   again. The service worker (templates/fulfilment/service_worker.js) serves the page itself
   when there is no signal. Without JavaScript the buttons post the form as before.

   Plain ES2017 in one file, no modules, no build step: it runs in WeChat's browser too. */
(function () {
  "use strict";

  var root = document.querySelector("[data-driver]");
  if (!root) return;

  var STORE = "taps";
  var RETRY_MS = 15000;
  var databaseName = root.getAttribute("data-database");
  var queueBanner = root.querySelector("[data-queue]");
  var notes = root.querySelector("[data-notes]");
  var sending = false;
  var sendAgain = false;
  var retryTimer = null;

  function text(name) {
    return root.getAttribute("data-text-" + name) || "";
  }

  // --- the queue in IndexedDB ---------------------------------------------------------

  function openDatabase() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(databaseName, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDatabase().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var result = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () {
          db.close();
          resolve(result && "result" in result ? result.result : undefined);
        };
        transaction.onerror = function () { db.close(); reject(transaction.error); };
        transaction.onabort = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  function queued() {
    return withStore("readonly", function (store) { return store.getAll(); }).then(function (items) {
      return (items || []).sort(function (a, b) { return a.madeAt - b.madeAt; });
    });
  }

  function keep(item) {
    return withStore("readwrite", function (store) { store.put(item); });
  }

  function forget(key) {
    return withStore("readwrite", function (store) { store.delete(key); });
  }

  // --- the page -----------------------------------------------------------------------

  function field(form, name) {
    var input = form.querySelector('input[name="' + name + '"]');
    return input ? input.value : "";
  }

  function sameTap(form, item) {
    return field(form, "key") === item.key || (
      field(form, "action") === item.action && field(form, "stop") === item.stop &&
      field(form, "order") === item.order && field(form, "line") === (item.line || "")
    );
  }

  function tapForms() {
    return Array.prototype.slice.call(root.querySelectorAll("form.driver-tap"));
  }

  function showPending(item) {
    tapForms().forEach(function (form) {
      if (!sameTap(form, item)) return;
      var button = form.querySelector("button");
      button.disabled = true;
      form.classList.add("driver-tap--pending");
      if (!form.querySelector(".driver-tap__pending")) {
        var label = document.createElement("small");
        label.className = "driver-tap__pending";
        label.textContent = text("pending");
        form.appendChild(label);
      }
    });
  }

  function undoForm(item, undo) {
    // "撤销" for the tap just recorded (a plain form: fulfilment.views.run_day.undo). Only
    // the last tap of a kind can be taken back, so an earlier one's button goes.
    Array.prototype.slice.call(root.querySelectorAll('form.driver-undo[data-action="' + item.action + '"]'))
      .forEach(function (old) { old.parentNode.removeChild(old); });
    var form = document.createElement("form");
    form.method = "post";
    form.action = undo.url;
    form.className = "driver-undo";
    form.setAttribute("data-action", item.action);
    [["csrfmiddlewaretoken", csrfToken(item)], ["key", undo.key]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    var button = document.createElement("button");
    button.type = "submit";
    button.className = "btn btn-outline-danger";
    button.textContent = undo.label;
    form.appendChild(button);
    return form;
  }

  function showDone(item, answer) {
    tapForms().forEach(function (form) {
      if (!sameTap(form, item)) return;
      var done = document.createElement("p");
      done.className = "driver-done";
      done.textContent = "✓ " + form.querySelector("button").textContent.trim();
      if (answer && answer.undo) done.appendChild(undoForm(item, answer.undo));
      form.parentNode.replaceChild(done, form);
    });
  }

  function showDropped(item) {
    tapForms().forEach(function (form) {
      if (!sameTap(form, item)) return;
      form.classList.remove("driver-tap--pending");
      form.querySelector("button").disabled = false;
      var label = form.querySelector(".driver-tap__pending");
      if (label) label.parentNode.removeChild(label);
    });
  }

  function note(message, kind) {
    var line = document.createElement("p");
    line.className = "alert alert-" + (kind || "info");
    line.textContent = message;
    notes.appendChild(line);
  }

  function showCount(items) {
    if (items.length) {
      queueBanner.textContent = text("queued").replace("{n}", items.length);
      queueBanner.hidden = false;
    } else {
      queueBanner.textContent = "";
      queueBanner.hidden = true;
    }
    root.setAttribute("data-queued", String(items.length));
  }

  function refresh() {
    return queued().then(function (items) {
      items.forEach(showPending);
      showCount(items);
      return items;
    });
  }

  // --- sending ------------------------------------------------------------------------

  function csrfToken(item) {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : item.csrf;
  }

  function send(item) {
    var body = new URLSearchParams();
    body.append("key", item.key);
    body.append("action", item.action);
    body.append("stop", item.stop);
    if (item.order) body.append("order", item.order);
    if (item.line) {  // a weighing: the line and what was typed
      body.append("line", item.line);
      body.append("weight", item.weight || "");
    }
    return fetch(item.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken(item) }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") < 0) {
        // Signed out (the login page) or refused before the view: keep it for later.
        var error = new Error(text("signin"));
        error.keep = true;
        throw error;
      }
      return response.json();
    });
  }

  function sendAll() {
    if (sending) {
      sendAgain = true;
      return Promise.resolve();
    }
    sending = true;
    sendAgain = false;
    var sent = 0;
    var reweighed = false;
    return queued().then(function (items) {
      var chain = Promise.resolve();
      items.forEach(function (item) {
        chain = chain.then(function () {
          return send(item).then(function (answer) {
            if (answer.ok) {
              if (answer.already) note(answer.message, "warning");
              if (item.line) reweighed = true;  // the card's money changed: show it
              showDone(item, answer);
            } else {
              note(answer.error, "danger");
              showDropped(item);
            }
            sent += 1;
            return forget(item.key);
          });
        });
      });
      return chain;
    }).catch(function (error) {
      // No signal (fetch failed) or signed out: the rest stays queued for the next try.
      if (error && error.keep) note(error.message, "warning");
    }).then(function () {
      sending = false;
      return refresh();
    }).then(function (items) {
      clearTimeout(retryTimer);
      if (items.length && sendAgain) return sendAll();
      if (items.length) {
        retryTimer = setTimeout(sendAll, RETRY_MS);
      } else if (sent) {
        return keepPageForOffline().then(function () {
          // A weight re-prices the order: the card's cash and 已收款 button must follow.
          if (reweighed) location.reload();
        });
      }
    });
  }

  function tapped(event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("driver-tap") || !window.indexedDB) return;
    event.preventDefault();
    var item = {
      key: field(form, "key"),
      action: field(form, "action"),
      stop: field(form, "stop"),
      order: field(form, "order"),
      line: field(form, "line"),
      weight: field(form, "weight"),
      csrf: field(form, "csrfmiddlewaretoken"),
      url: new URL(form.getAttribute("action"), location.href).href,  // form.action is the "action" input
      madeAt: Date.now()
    };
    keep(item).then(function () {
      showPending(item);
      return refresh().then(sendAll);
    }, function (error) {
      // IndexedDB refused (private mode in some WebViews): post the form the old way.
      if (window.console) console.error(error);
      form.submit();
    });
  }

  // --- offline copy of this page --------------------------------------------------------

  function keepPageForOffline() {
    if (!window.caches || !navigator.onLine) return Promise.resolve();
    var pageCache = root.getAttribute("data-page-cache");
    return fetch(location.pathname, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok || response.redirected) return;
      return caches.open(pageCache).then(function (cache) {
        return cache.put(location.origin + location.pathname, response);
      });
    }).catch(function () {});
  }

  function startServiceWorker() {
    if (!("serviceWorker" in navigator)) return Promise.resolve();
    var controlled = Boolean(navigator.serviceWorker.controller);
    return navigator.serviceWorker.register(root.getAttribute("data-sw")).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      // A page the worker served is already kept; the first visit, before it ran, is not.
      return controlled ? null : keepPageForOffline();
    }).then(function () {
      document.documentElement.setAttribute("data-offline-ready", "1");
    }).catch(function () {});
  }

  document.addEventListener("submit", tapped);
  window.addEventListener("online", sendAll);
  if (window.indexedDB) {
    refresh().then(function () {
      return navigator.onLine ? sendAll() : null;
    }).then(startServiceWorker);
  }
})();
