// Small page behaviours that used to be inline handlers; the Content-Security-Policy
// runs no inline handler, so pages mark elements with data attributes instead.
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target.matches && target.matches("[data-select-on-tap]")) {
    target.select();
  }
  if (target.closest && target.closest("[data-print]")) {
    window.print();
  }
});

// The basket page's script (Oscar's ui.js) redraws only the basket after a change; the
// badges in the header and the tab bar take the new count from the same reply.
(function () {
  var basket = window.oscar && window.oscar.basket;
  if (!basket || !basket.submitFormSuccess) {
    return;
  }
  var redraw = basket.submitFormSuccess;
  basket.submitFormSuccess = function (data) {
    redraw(data);
    if (data && typeof data.basket_count === "number") {
      document.querySelectorAll("[data-basket-count]").forEach(function (badge) {
        badge.textContent = data.basket_count;
      });
    }
  };
})();
