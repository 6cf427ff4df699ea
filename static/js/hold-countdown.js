// Count down the time a chosen slot is held for the patient, and give it
// back soon after the patient leaves the booking (closes the tab, goes to
// another site): the server then keeps it only a few seconds more, so a
// reload or the next step of the flow still finds it held.
(function () {
  "use strict";
  var notice = document.getElementById("hold-countdown");
  if (!notice) { return; }
  var remaining = notice.querySelector(".hold-remaining");
  var endsAt = Date.now() + Number(notice.getAttribute("data-seconds")) * 1000;

  function update() {
    var seconds = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    remaining.textContent = seconds > 0
      ? minutes + ":" + (rest < 10 ? "0" : "") + rest + " minutes"
      : "no time";
    if (seconds === 0) {
      notice.textContent = "We are no longer holding this time. You can still continue: we book it if it is still free.";
      clearInterval(timer);
    }
  }
  var timer = setInterval(update, 1000);
  update();

  // Going on in the flow (a form sent, a link within /book/) is not leaving.
  var staying = false;
  var heldTime = document.getElementById("held-time");
  var tokenForm = heldTime && heldTime.querySelector("form");
  document.addEventListener("submit", function () { staying = true; }, true);
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (link && link.origin === window.location.origin && link.pathname.indexOf("/book/") === 0) {
      staying = true;
    }
  }, true);
  window.addEventListener("pagehide", function () {
    if (!staying && tokenForm && navigator.sendBeacon) {
      navigator.sendBeacon(notice.getAttribute("data-leaving-url"), new FormData(tokenForm));
    }
  });
  // Shown again from the back-forward cache: ask the server, which holds the
  // time again if it still can, for the page as it is now.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { window.location.reload(); }
  });
})();
