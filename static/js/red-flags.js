// Show the matching safety advice as soon as a warning sign is ticked.
(function () {
  "use strict";
  var form = document.querySelector("form");
  var advice = document.getElementById("red-flag-advice");
  if (!form || !advice) { return; }

  function ticked(name) {
    return form.querySelectorAll('input[name="' + name + '"]:checked').length > 0;
  }

  function update() {
    var emergency = ticked("emergency_signs");
    var urgent = ticked("urgent_signs");
    advice.querySelectorAll("[data-advice]").forEach(function (notice) {
      var kind = notice.getAttribute("data-advice");
      var show = kind === "emergency" ? emergency : kind === "urgent" ? urgent : emergency || urgent;
      notice.hidden = !show;
    });
  }

  form.addEventListener("change", update);
  update();
})();
