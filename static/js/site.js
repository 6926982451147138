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
