// The pain diary's rules, in one place: how sessions are stored, when the
// diary suggests booking (from shared/clinical/self-care.md), the words it
// uses, and the summary a patient may choose to add to a request.
// Used by the routine, the diary page and the request form, and tested with
// `node --test tests/js/`.
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory();
  } else {
    root.PainDiary = factory();
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var STORAGE_KEY = "clinic.painDiary.v1";
  var DAY_MS = 24 * 60 * 60 * 1000;
  var SEVERE = 8;
  var CHART_DAYS = 14;
  // "No better after about two weeks of regular stretching": sessions on at
  // least this many of the last 14 days, and pain now no lower than it was
  // two to three weeks ago.
  var REGULAR_DAYS = 7;
  var SUMMARY_MAX_CHARS = 2000;

  var REASONS = {
    "worse-twice": "Your pain was worse after the routine than before it in your last two sessions.",
    "no-better": "After about two weeks of regular stretching, your pain is no better than it was.",
    severe: "You rated your pain 8 or more out of 10.",
  };
  var PROMPT =
    "It would be sensible to talk to the clinic about your pain. Stretching helps many people, " +
    "and when it is not enough a clinician can look at what else could help.";
  var ALSO =
    "You can also book if you are worried about your pain or it keeps coming back.";

  function dayNumber(dateText) {
    // "2026-11-29" as whole days since 1970, free of time zones.
    var parts = String(dateText).split("-").map(Number);
    return Math.round(Date.UTC(parts[0], parts[1] - 1, parts[2]) / DAY_MS);
  }

  function localDate(date) {
    var d = date || new Date();
    var month = String(d.getMonth() + 1).padStart(2, "0");
    var day = String(d.getDate()).padStart(2, "0");
    return d.getFullYear() + "-" + month + "-" + day;
  }

  function isRating(value) {
    return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 10;
  }

  function isSession(entry) {
    return (
      entry !== null &&
      typeof entry === "object" &&
      /^\d{4}-\d{2}-\d{2}$/.test(entry.date) &&
      (entry.before === null || isRating(entry.before)) &&
      (entry.after === null || isRating(entry.after))
    );
  }

  function byTime(a, b) {
    return a.date < b.date ? -1 : a.date > b.date ? 1 : (a.at || 0) - (b.at || 0);
  }

  function mean(values) {
    return values.reduce(function (sum, v) { return sum + v; }, 0) / values.length;
  }

  /** Which hand-over rules the sessions meet, as reason codes. */
  function handOverReasons(sessions) {
    var list = sessions.filter(isSession).slice().sort(byTime);
    var reasons = [];
    if (!list.length) { return reasons; }

    var rated = list.filter(function (s) { return s.before !== null && s.after !== null; });
    var lastTwo = rated.slice(-2);
    if (lastTwo.length === 2 && lastTwo.every(function (s) { return s.after > s.before; })) {
      reasons.push("worse-twice");
    }

    var today = dayNumber(list[list.length - 1].date);
    var daysStretched = {};
    list.forEach(function (s) {
      var day = dayNumber(s.date);
      if (today - day < 14) { daysStretched[day] = true; }
    });
    function painBetween(fromDaysAgo, toDaysAgo) {
      return list
        .filter(function (s) {
          var ago = today - dayNumber(s.date);
          return s.before !== null && ago >= fromDaysAgo && ago <= toDaysAgo;
        })
        .map(function (s) { return s.before; });
    }
    var earlier = painBetween(14, 20);
    var recent = painBetween(0, 2);
    if (
      Object.keys(daysStretched).length >= REGULAR_DAYS &&
      earlier.length && recent.length && mean(recent) >= mean(earlier)
    ) {
      reasons.push("no-better");
    }

    var latest = list[list.length - 1];
    if ((latest.before !== null && latest.before >= SEVERE) ||
        (latest.after !== null && latest.after >= SEVERE)) {
      reasons.push("severe");
    }
    return reasons;
  }

  /** The last `days` days up to `today`, each with its sessions. */
  function lastDays(sessions, today, days) {
    var end = dayNumber(today);
    var result = [];
    for (var offset = (days || CHART_DAYS) - 1; offset >= 0; offset--) {
      var day = end - offset;
      var date = new Date(day * DAY_MS).toISOString().slice(0, 10);
      result.push({
        date: date,
        sessions: sessions.filter(isSession).filter(function (s) { return s.date === date; }).sort(byTime),
      });
    }
    return result;
  }

  function rating(value) {
    return value === null ? "not rated" : String(value);
  }

  /** The plain text a patient may add to a request: the last 14 days'
      ratings and any reason the diary gave to book. Exactly what is sent. */
  function summary(sessions, today) {
    var days = lastDays(sessions, today, CHART_DAYS).filter(function (d) { return d.sessions.length; });
    if (!days.length) { return ""; }
    var lines = ["Pain diary, last 14 days (0 = no pain, 10 = worst), before → after the routine:"];
    days.forEach(function (d) {
      var ratings = d.sessions.map(function (s) { return rating(s.before) + " → " + rating(s.after); });
      lines.push(d.date + ": " + ratings.join("; "));
    });
    var reasons = handOverReasons(sessions);
    if (reasons.length) {
      lines.push("The diary suggested booking because:");
      reasons.forEach(function (code) { lines.push("- " + REASONS[code]); });
    }
    var text = lines.join("\n");
    while (text.length > SUMMARY_MAX_CHARS && lines.length > 2) {
      lines.splice(1, 1); // oldest day first
      text = lines.join("\n");
    }
    return text;
  }

  function load(storage) {
    try {
      var data = JSON.parse(storage.getItem(STORAGE_KEY) || "[]");
      return Array.isArray(data) ? data.filter(isSession) : [];
    } catch (error) {
      return [];
    }
  }

  function save(storage, sessions) {
    storage.setItem(STORAGE_KEY, JSON.stringify(sessions.filter(isSession)));
  }

  function record(storage, session) {
    var sessions = load(storage);
    var entry = { date: session.date, at: session.at || 0, before: session.before, after: session.after };
    if (!isSession(entry)) { return sessions; }
    sessions.push(entry);
    save(storage, sessions);
    return sessions;
  }

  return {
    STORAGE_KEY: STORAGE_KEY,
    CHART_DAYS: CHART_DAYS,
    REASONS: REASONS,
    PROMPT: PROMPT,
    ALSO: ALSO,
    SUMMARY_MAX_CHARS: SUMMARY_MAX_CHARS,
    handOverReasons: handOverReasons,
    lastDays: lastDays,
    summary: summary,
    localDate: localDate,
    isSession: isSession,
    load: load,
    save: save,
    record: record,
  };
});
