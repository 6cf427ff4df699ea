// The guided routine: built over the plain list of stretches on /routine/.
// One stretch at a time: a "get ready" countdown, then a hold timer (once, or
// once on each side with a "switch sides" prompt between) or a repetition
// counter paced by the breath. Pause, resume, back and skip; progress shown;
// each change is announced in a polite live region, with an optional sound
// and a vibration where supported; the screen stays awake while it runs.
(function () {
  "use strict";
  var root = document.getElementById("routine");
  var plansScript = document.getElementById("routine-plans");
  if (!root || !plansScript) { return; }

  if ("serviceWorker" in navigator && root.dataset.serviceWorker) {
    navigator.serviceWorker.register(root.dataset.serviceWorker).catch(function () {});
  }

  var plans = JSON.parse(plansScript.textContent);
  var list = root.querySelector("[data-routine-list]");
  var items = Array.prototype.slice.call(list.querySelectorAll(".routine-item"));
  var mount = root.querySelector("[data-routine-start]");
  if (!plans.length || !mount || !window.PainDiary) { return; }

  var READY_SECONDS = 5;
  var SWITCH_SECONDS = 5;
  var TICK_MS = 250;
  var SOUND_KEY = "clinic.routine.sound";

  // The player's markup ---------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs[name]; }
      else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function ratingField(id, label) {
    var select = el("select", { id: id, class: "form-select rating-select" });
    select.appendChild(el("option", { value: "", text: "Choose a number (optional)" }));
    for (var n = 0; n <= 10; n++) {
      var words = n === 0 ? " (no pain)" : n === 10 ? " (worst imaginable)" : "";
      select.appendChild(el("option", { value: String(n), text: n + words }));
    }
    return el("div", { class: "mb-3" }, [
      el("label", { for: id, class: "form-label", text: label }),
      select,
    ]);
  }

  function button(action, text, extraClass) {
    return el("button", { type: "button", class: "btn " + (extraClass || "btn-secondary"), "data-action": action, text: text });
  }

  var announcer = el("div", { class: "visually-hidden", "aria-live": "polite", "data-announcer": "" });
  var soundToggle = el("input", { type: "checkbox", id: "routine-sound", class: "form-check-input" });
  soundToggle.checked = localStorage.getItem(SOUND_KEY) === "on";

  var before = el("section", { class: "player-panel", "aria-labelledby": "player-title", "data-panel": "before" }, [
    el("h2", { id: "player-title", text: "Guided routine" }),
    el("p", { text: "Each stretch starts with a short countdown, then the timer counts your hold or your repetitions. You can pause, go back or skip at any time." }),
    ratingField("pain-before", "How bad is your back pain now, from 0 to 10?"),
    el("div", { class: "form-check" }, [soundToggle, el("label", { for: "routine-sound", class: "form-check-label", text: "Play a sound at each change" })]),
    button("start", "Start the routine", "btn-primary btn-lg"),
  ]);

  var phaseText = el("p", { class: "player-phase", "data-phase": "" });
  var count = el("span", { class: "player-count-number", "data-count": "" });
  var unit = el("span", { class: "player-count-unit", "data-unit": "" });
  var detail = el("p", { class: "player-detail", "data-detail": "" });
  var progressText = el("p", { class: "player-progress-text", "data-progress": "" });
  var progress = el("progress", { class: "player-progress", max: String(plans.length), value: "0", "aria-label": "Progress through the routine" });
  var holdInput = el("input", { type: "number", id: "hold-seconds", class: "form-control", inputmode: "numeric" });
  var holdField = el("div", { class: "player-setting", "data-hold-setting": "" }, [
    el("label", { for: "hold-seconds", class: "form-label", "data-hold-label": "" }), holdInput,
  ]);
  var repsInput = el("input", { type: "number", id: "repetitions", class: "form-control", inputmode: "numeric" });
  var repsField = el("div", { class: "player-setting", "data-reps-setting": "" }, [
    el("label", { for: "repetitions", class: "form-label", "data-reps-label": "" }), repsInput,
  ]);
  var pauseButton = button("pause", "Pause", "btn-primary");
  var nextButton = button("next", "Done, next stretch", "btn-primary");
  var running = el("section", { class: "player-panel player-running", "aria-labelledby": "running-title", "data-panel": "running", hidden: "" }, [
    el("h2", { id: "running-title", class: "visually-hidden", text: "Routine in progress" }),
    progressText,
    progress,
    phaseText,
    el("p", { class: "player-count" }, [count, document.createTextNode(" "), unit]),
    detail,
    el("div", { class: "player-settings" }, [holdField, repsField]),
    el("div", { class: "player-controls" }, [
      button("back", "Back"), pauseButton, nextButton, button("skip", "Skip"),
    ]),
  ]);

  var promptBox = el("div", { class: "notice handover-prompt", "data-handover": "", hidden: "" });
  var after = el("section", { class: "player-panel", "aria-labelledby": "after-title", "data-panel": "after", hidden: "" }, [
    el("h2", { id: "after-title", text: "Routine complete" }),
    el("p", { text: "Well done. Rate your pain again to keep track of how stretching is going for you." }),
    ratingField("pain-after", "How bad is your back pain now, from 0 to 10?"),
    el("div", { class: "player-controls" }, [
      button("save", "Save to my pain diary", "btn-primary"), button("again", "Start again"),
    ]),
    el("p", { class: "player-saved", "data-saved": "", hidden: "" }),
    promptBox,
  ]);

  mount.appendChild(before);
  mount.appendChild(running);
  mount.appendChild(after);
  mount.appendChild(announcer);
  mount.hidden = false;
  root.classList.add("routine--enhanced");

  // Cues ----------------------------------------------------------------
  var audio = null;
  function beep(high) {
    if (!soundToggle.checked) { return; }
    var AudioContext = window.AudioContext || window.webkitAudioContext;
    if (!AudioContext) { return; }
    try {
      audio = audio || new AudioContext();
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.frequency.value = high ? 880 : 660;
      gain.gain.setValueAtTime(0.2, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.3);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + 0.3);
    } catch (error) { /* sound is a nicety */ }
  }

  function vibrate() {
    if (typeof navigator.vibrate === "function") {
      try { navigator.vibrate(150); } catch (error) { /* not allowed here */ }
    }
  }

  function announce(message) {
    // Cleared first so that the same words twice are read twice.
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = message; }, 50);
  }

  var wakeLock = null;
  function keepAwake(on) {
    if (on && !wakeLock && "wakeLock" in navigator && document.visibilityState === "visible") {
      navigator.wakeLock.request("screen").then(function (lock) {
        wakeLock = lock;
        lock.addEventListener("release", function () { wakeLock = null; });
      }).catch(function () {});
    } else if (!on && wakeLock) {
      wakeLock.release().catch(function () {});
      wakeLock = null;
    }
  }
  document.addEventListener("visibilitychange", function () {
    if (state.active && !state.paused) { keepAwake(true); }
  });

  // The routine's state ----------------------------------------------------
  var state = { active: false, paused: false, index: 0, phases: [], phase: 0, remainingMs: 0, phaseTotalMs: 0, last: 0, timer: null, painBefore: null };

  function clamp(value, low, high) {
    return Math.min(high, Math.max(low, value));
  }

  function chosen(input, range) {
    var value = parseInt(input.value, 10);
    return isNaN(value) ? range.default : clamp(value, range.min, range.max);
  }

  function phasesFor(plan) {
    var phases = [{ kind: "ready", seconds: READY_SECONDS }];
    for (var side = 1; side <= plan.sides; side++) {
      if (side > 1) { phases.push({ kind: "switch", seconds: SWITCH_SECONDS }); }
      if (plan.repetitions) {
        var reps = chosen(repsInput, plan.repetitions);
        for (var rep = 1; rep <= reps; rep++) {
          if (plan.hold) {
            phases.push({ kind: "hold", seconds: null, side: side, rep: rep, reps: reps });
          } else {
            phases.push({ kind: "inhale", seconds: plan.repetitions.breath_seconds, side: side, rep: rep, reps: reps });
            phases.push({ kind: "exhale", seconds: plan.repetitions.breath_seconds, side: side, rep: rep, reps: reps });
          }
        }
      } else if (plan.hold) {
        phases.push({ kind: "hold", seconds: null, side: side });
      } else {
        phases.push({ kind: "own-pace", seconds: null, side: side });
      }
    }
    return phases;
  }

  function phaseSeconds(phase, plan) {
    if (phase.kind === "hold") { return chosen(holdInput, plan.hold); }
    return phase.seconds;
  }

  function sideWords(phase, plan) {
    if (plan.sides < 2) { return ""; }
    return phase.side === 1 ? "First side. " : "Second side. ";
  }

  function describe(phase, plan, seconds) {
    var position = "Stretch " + (state.index + 1) + " of " + plans.length + ": " + plan.title + ". ";
    switch (phase.kind) {
      case "ready":
        return { label: "Get ready: " + plan.title, say: position + "Get ready. Starting in " + seconds + " seconds." };
      case "switch":
        return { label: "Switch sides", say: "Switch sides. The second side starts in " + seconds + " seconds." };
      case "hold":
        var rep = phase.rep ? "Repetition " + phase.rep + " of " + phase.reps + ". " : "";
        return { label: sideWords(phase, plan) + "Hold", say: sideWords(phase, plan) + rep + "Hold for " + seconds + " seconds." };
      case "inhale":
        return { label: "Breathe in", say: sideWords(phase, plan) + "Repetition " + phase.rep + " of " + phase.reps + ". Breathe in." };
      case "exhale":
        return { label: "Breathe out", say: "Breathe out." };
      default:
        return { label: sideWords(phase, plan) + "At your own pace", say: sideWords(phase, plan) + "Do this stretch at your own pace, then choose Done, next stretch." };
    }
  }

  function showItem(index) {
    items.forEach(function (item, i) { item.hidden = state.active && i !== index; });
  }

  function setUpSettings(plan) {
    holdField.hidden = !plan.hold;
    if (plan.hold) {
      holdInput.min = plan.hold.min;
      holdInput.max = plan.hold.max;
      holdInput.value = plan.hold.default;
      holdField.querySelector("[data-hold-label]").textContent =
        plan.hold.min === plan.hold.max ? "Hold (seconds)" : "Hold (" + plan.hold.min + " to " + plan.hold.max + " seconds)";
    }
    repsField.hidden = !plan.repetitions;
    if (plan.repetitions) {
      repsInput.min = plan.repetitions.min;
      repsInput.max = plan.repetitions.max;
      repsInput.value = plan.repetitions.default;
      repsField.querySelector("[data-reps-label]").textContent =
        "Repetitions (" + plan.repetitions.min + " to " + plan.repetitions.max + ")";
    }
  }

  function render() {
    var plan = plans[state.index];
    var phase = state.phases[state.phase];
    progressText.textContent = "Stretch " + (state.index + 1) + " of " + plans.length + ": " + plan.title;
    progress.value = state.index;
    var timed = phase.kind !== "own-pace";
    var seconds = Math.max(0, Math.ceil(state.remainingMs / 1000));
    count.textContent = timed ? String(seconds) : "";
    unit.textContent = timed ? (seconds === 1 ? "second" : "seconds") : "";
    var parts = [];
    if (plan.sides > 1 && phase.side) { parts.push("Side " + phase.side + " of 2"); }
    if (phase.rep) { parts.push("Repetition " + phase.rep + " of " + phase.reps); }
    detail.textContent = parts.join(" · ");
    running.dataset.phase = phase.kind;
    nextButton.hidden = timed;
    pauseButton.hidden = !timed;
    pauseButton.textContent = state.paused ? "Resume" : "Pause";
    running.classList.toggle("is-paused", state.paused);
  }

  function enterPhase(number) {
    var plan = plans[state.index];
    state.phase = number;
    var phase = state.phases[number];
    var seconds = phaseSeconds(phase, plan);
    state.remainingMs = seconds === null ? 0 : seconds * 1000;
    state.phaseTotalMs = state.remainingMs;
    var words = describe(phase, plan, seconds);
    phaseText.textContent = words.label;
    render();
    announce(words.say);
    beep(phase.kind !== "ready" && phase.kind !== "switch");
    vibrate();
  }

  function enterStretch(index) {
    state.index = index;
    var plan = plans[index];
    setUpSettings(plan);
    state.phases = phasesFor(plan);
    showItem(index);
    enterPhase(0);
  }

  function nextPhase() {
    if (state.phase + 1 < state.phases.length) { enterPhase(state.phase + 1); }
    else { nextStretch(); }
  }

  function nextStretch() {
    if (state.index + 1 < plans.length) { enterStretch(state.index + 1); }
    else { finish(); }
  }

  function tick() {
    var now = Date.now();
    var elapsed = now - state.last;
    state.last = now;
    if (!state.active || state.paused) { return; }
    var phase = state.phases[state.phase];
    if (phase.kind === "own-pace") { return; }
    state.remainingMs -= elapsed;
    if (state.remainingMs <= 0) { nextPhase(); }
    else { render(); }
  }

  function startTimer() {
    stopTimer();
    state.last = Date.now();
    state.timer = window.setInterval(tick, TICK_MS);
  }

  function stopTimer() {
    if (state.timer !== null) { window.clearInterval(state.timer); state.timer = null; }
  }

  function start() {
    var value = document.getElementById("pain-before").value;
    state.painBefore = value === "" ? null : parseInt(value, 10);
    state.active = true;
    state.paused = false;
    before.hidden = true;
    after.hidden = true;
    running.hidden = false;
    root.classList.add("routine--playing");
    enterStretch(0);
    startTimer();
    keepAwake(true);
    running.querySelector("[data-action=pause]").focus();
  }

  function togglePause() {
    state.paused = !state.paused;
    if (state.paused) { stopTimer(); } else { startTimer(); }
    render();
    announce(state.paused ? "Paused." : "Resumed.");
    keepAwake(!state.paused);
  }

  function finish() {
    state.active = false;
    stopTimer();
    keepAwake(false);
    showItem(-1);
    running.hidden = true;
    after.hidden = false;
    root.classList.remove("routine--playing");
    progress.value = plans.length;
    announce("Routine complete. Well done.");
    beep(true);
    vibrate();
    document.getElementById("after-title").setAttribute("tabindex", "-1");
    document.getElementById("after-title").focus();
  }

  function save() {
    var value = document.getElementById("pain-after").value;
    var painAfter = value === "" ? null : parseInt(value, 10);
    var saved = after.querySelector("[data-saved]");
    if (state.painBefore === null && painAfter === null) {
      saved.textContent = "Choose a number first: there is nothing to save yet.";
      saved.hidden = false;
      return;
    }
    var sessions = window.PainDiary.record(localStorage, {
      date: window.PainDiary.localDate(new Date()),
      at: Date.now(),
      before: state.painBefore,
      after: painAfter,
    });
    saved.textContent = "Saved in your pain diary on this device. ";
    saved.appendChild(el("a", { href: root.dataset.diaryUrl, text: "See your pain diary" }));
    saved.hidden = false;
    after.querySelector("[data-action=save]").disabled = true;
    showHandOver(window.PainDiary.handOverReasons(sessions));
  }

  function showHandOver(reasons) {
    promptBox.textContent = "";
    promptBox.hidden = !reasons.length;
    if (!reasons.length) { return; }
    promptBox.appendChild(el("h3", { text: "Time to talk to the clinic" }));
    promptBox.appendChild(el("p", { text: window.PainDiary.PROMPT }));
    var why = el("ul");
    reasons.forEach(function (code) { why.appendChild(el("li", { text: window.PainDiary.REASONS[code] })); });
    promptBox.appendChild(why);
    promptBox.appendChild(el("p", {}, [el("a", { class: "btn btn-primary", href: root.dataset.requestUrl, text: "Request a consultation" })]));
  }

  mount.addEventListener("click", function (event) {
    var target = event.target.closest("[data-action]");
    if (!target) { return; }
    switch (target.dataset.action) {
      case "start": start(); break;
      case "pause": togglePause(); break;
      case "next": nextStretch(); break;
      case "skip": announce("Skipped."); nextStretch(); break;
      case "back": enterStretch(Math.max(0, state.index - (state.phase === 0 ? 1 : 0))); break;
      case "save": save(); break;
      case "again":
        after.querySelector("[data-action=save]").disabled = false;
        after.querySelector("[data-saved]").hidden = true;
        promptBox.hidden = true;
        start();
        break;
    }
  });

  soundToggle.addEventListener("change", function () {
    localStorage.setItem(SOUND_KEY, soundToggle.checked ? "on" : "off");
    if (soundToggle.checked) { beep(true); }
  });

  // A new hold chosen mid-hold counts from when the hold began.
  holdInput.addEventListener("change", function () {
    var plan = plans[state.index];
    if (!plan.hold) { return; }
    holdInput.value = chosen(holdInput, plan.hold);
    if (!state.active || state.phases[state.phase].kind !== "hold") { return; }
    var total = phaseSeconds(state.phases[state.phase], plan) * 1000;
    state.remainingMs = Math.max(0, total - (state.phaseTotalMs - state.remainingMs));
    state.phaseTotalMs = total;
    render();
  });

  // A new number of repetitions applies to the stretch at once.
  repsInput.addEventListener("change", function () {
    var plan = plans[state.index];
    if (!plan.repetitions) { return; }
    repsInput.value = chosen(repsInput, plan.repetitions);
    if (!state.active) { return; }
    var current = state.phases[state.phase];
    state.phases = phasesFor(plan);
    if (state.phase >= state.phases.length || current.rep > chosen(repsInput, plan.repetitions)) {
      nextStretch();
    } else {
      render();
    }
  });
})();
