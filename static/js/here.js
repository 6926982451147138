/* "用当前位置": next to every latitude/longitude pair in a form (a household's pin, a pickup
   point, a home address's pin, a run's start), a button that fills them from the phone's
   location, for a team member standing at the door. Nothing is saved until the form is.
   Texts come from the script tag's data-* attributes. Plain ES2017, no modules. */
(function () {
  "use strict";

  var script = document.currentScript;
  function text(name) { return script.getAttribute("data-" + name) || ""; }

  function say(button, message) {
    var note = button.nextElementSibling;
    if (!note || !note.classList.contains("here-note")) {
      note = document.createElement("small");
      note.className = "here-note";
      note.setAttribute("role", "status");
      button.parentNode.insertBefore(note, button.nextSibling);
    }
    note.textContent = message;
  }

  function addButton(latitude, longitude) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary here-button";
    button.setAttribute("data-testid", "use-location");
    button.textContent = text("label");
    var field = longitude.closest(".team-form__field, .form-group") || longitude;
    var submit = longitude.form.querySelector("[type=submit]");
    if (field === longitude && submit && submit.parentNode === longitude.parentNode) {
      longitude.parentNode.insertBefore(button, submit);
    } else {
      field.parentNode.insertBefore(button, field.nextSibling);
    }
    button.addEventListener("click", function () {
      if (!navigator.geolocation) {
        say(button, text("failed"));
        return;
      }
      say(button, text("busy"));
      navigator.geolocation.getCurrentPosition(function (position) {
        latitude.value = position.coords.latitude.toFixed(6);
        longitude.value = position.coords.longitude.toFixed(6);
        say(button, text("done").replace("{metres}", Math.round(position.coords.accuracy)));
      }, function () {
        say(button, text("failed"));
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    });
  }

  document.querySelectorAll("form input[name$='latitude']").forEach(function (latitude) {
    var name = latitude.name.replace(/latitude$/, "longitude");
    var longitude = latitude.form.querySelector("input[name='" + name + "']");
    if (longitude) addButton(latitude, longitude);
  });
})();
