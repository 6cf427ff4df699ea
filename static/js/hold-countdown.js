// Count down the time a chosen slot is held for the patient.
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
})();
