// The phone screens' only script, optional: without it the forms still save, with no GPS point.
// It fills a form's hidden lat/lng from the browser's geolocation when the person allows it; the
// client core then checks the point against the village boundary and the page shows its warning.
(function () {
  "use strict";
  document.querySelectorAll("[data-gps]").forEach(function (box) {
    var lat = box.querySelector("[data-gps-lat]");
    var lng = box.querySelector("[data-gps-lng]");
    var text = box.querySelector("[data-gps-text]");
    var take = box.querySelector("[data-gps-take]");
    if (!navigator.geolocation || !take) return;
    take.hidden = false;
    take.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lng.value = pos.coords.longitude.toFixed(6);
        text.textContent = lat.value + ", " + lng.value + " (±" + Math.round(pos.coords.accuracy) + " m)";
      }, function () {
        text.textContent = text.getAttribute("data-denied");
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    });
  });
})();
