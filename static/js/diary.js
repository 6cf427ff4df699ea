// The pain diary page (/routine/diary/): a 14-day chart drawn here as SVG,
// the same ratings as a table, hand-over prompts, adding a rating, export and
// delete. On the consultation form it offers to add the diary's summary,
// showing exactly what would be sent. Everything stays in localStorage.
(function () {
  "use strict";
  var PainDiary = window.PainDiary;
  if (!PainDiary) { return; }
  var SVG = "http://www.w3.org/2000/svg";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs[name]; } else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function shortDate(iso) {
    var parts = iso.split("-");
    return Number(parts[2]) + "/" + Number(parts[1]);
  }

  function rating(value) {
    return value === null ? "–" : String(value);
  }

  function showHandOver(box, reasons, requestUrl) {
    box.textContent = "";
    box.hidden = !reasons.length;
    if (!reasons.length) { return; }
    box.appendChild(el("h2", { text: "Time to talk to the clinic" }));
    box.appendChild(el("p", { text: PainDiary.PROMPT }));
    var why = el("ul");
    reasons.forEach(function (code) { why.appendChild(el("li", { text: PainDiary.REASONS[code] })); });
    box.appendChild(why);
    box.appendChild(el("p", { text: PainDiary.ALSO }));
    box.appendChild(el("p", {}, [el("a", { class: "btn btn-primary", href: requestUrl + "?diary=1", text: "Request a consultation" })]));
  }

  // The diary page ----------------------------------------------------------
  function diaryPage(root) {
    root.querySelector("[data-diary-needs-script]").hidden = true;
    var app = root.querySelector("[data-diary-app]");
    app.hidden = false;
    var status = root.querySelector("[data-diary-status]");
    var confirmBox = root.querySelector("[data-diary-confirm]");

    ["diary-before", "diary-after"].forEach(function (id) {
      var select = document.getElementById(id);
      select.appendChild(el("option", { value: "", text: "Choose a number" }));
      for (var n = 0; n <= 10; n++) { select.appendChild(el("option", { value: String(n), text: String(n) })); }
    });

    function draw() {
      var sessions = PainDiary.load(localStorage);
      var today = PainDiary.localDate(new Date());
      var days = PainDiary.lastDays(sessions, today, PainDiary.CHART_DAYS);
      var rated = days.filter(function (d) { return d.sessions.length; });
      root.querySelector("[data-diary-empty]").hidden = rated.length > 0;
      drawChart(root.querySelector("[data-diary-chart]"), days);
      drawTable(root.querySelector("[data-diary-table]"), rated);
      showHandOver(root.querySelector("[data-handover]"), PainDiary.handOverReasons(sessions), root.dataset.requestUrl);
      root.querySelector("[data-diary-share]").hidden = !sessions.length;
      root.querySelector("[data-diary-export]").disabled = !sessions.length;
      root.querySelector("[data-diary-delete]").disabled = !sessions.length;
    }

    function drawChart(holder, days) {
      holder.textContent = "";
      var width = 700, height = 260, left = 34, bottom = 40, top = 12;
      var slot = (width - left) / days.length;
      var scale = (height - bottom - top) / 10;
      var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, class: "diary-svg", role: "img", "aria-labelledby": "chart-svg-title" });
      chart.appendChild(svg("title", { id: "chart-svg-title" }, "Pain before and after the routine over the last 14 days; the table below lists the same ratings."));
      [0, 5, 10].forEach(function (level) {
        var y = height - bottom - level * scale;
        chart.appendChild(svg("line", { x1: left, x2: width, y1: y, y2: y, class: "chart-grid" }));
        chart.appendChild(svg("text", { x: left - 8, y: y + 5, class: "chart-label", "text-anchor": "end" }, String(level)));
      });
      days.forEach(function (day, index) {
        var x = left + index * slot;
        var session = day.sessions[day.sessions.length - 1];
        if (session) {
          [["before", 0.15], ["after", 0.5]].forEach(function (bar) {
            var value = session[bar[0]];
            if (value === null) { return; }
            var barHeight = Math.max(2, value * scale);
            chart.appendChild(svg("rect", {
              x: x + slot * bar[1], y: height - bottom - barHeight, width: slot * 0.32, height: barHeight,
              class: "chart-bar chart-" + bar[0], "data-date": day.date, "data-kind": bar[0], "data-value": value,
            }));
          });
        }
        if ((days.length - 1 - index) % 2 === 0 || days.length < 8) {
          chart.appendChild(svg("text", { x: x + slot / 2, y: height - bottom + 22, class: "chart-label", "text-anchor": "middle" }, shortDate(day.date)));
        }
      });
      var legend = el("p", { class: "chart-legend" }, [
        el("span", { class: "legend-before", text: "Before the routine" }),
        el("span", { class: "legend-after", text: "After the routine" }),
      ]);
      holder.appendChild(chart);
      holder.appendChild(legend);
    }

    function drawTable(holder, rated) {
      holder.textContent = "";
      if (!rated.length) { return; }
      var body = el("tbody");
      rated.slice().reverse().forEach(function (day) {
        day.sessions.forEach(function (session) {
          body.appendChild(el("tr", {}, [
            el("th", { scope: "row", text: day.date }),
            el("td", { text: rating(session.before) }),
            el("td", { text: rating(session.after) }),
          ]));
        });
      });
      holder.appendChild(el("table", { class: "diary-table" }, [
        el("caption", { text: "Your ratings, newest first" }),
        el("thead", {}, [el("tr", {}, [
          el("th", { scope: "col", text: "Date" }),
          el("th", { scope: "col", text: "Before" }),
          el("th", { scope: "col", text: "After" }),
        ])]),
        body,
      ]));
    }

    root.querySelector("[data-diary-add]").addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target;
      var error = root.querySelector("[data-diary-add-error]");
      var before = form.before.value === "" ? null : parseInt(form.before.value, 10);
      var after = form.after.value === "" ? null : parseInt(form.after.value, 10);
      if (before === null && after === null) {
        error.textContent = "Choose how bad your pain was before or after stretching (or both).";
        error.hidden = false;
        form.before.setAttribute("aria-invalid", "true");
        form.before.setAttribute("aria-describedby", "diary-add-error");
        form.before.focus();
        return;
      }
      error.hidden = true;
      form.before.removeAttribute("aria-invalid");
      PainDiary.record(localStorage, { date: PainDiary.localDate(new Date()), at: Date.now(), before: before, after: after });
      form.reset();
      status.textContent = "Rating added.";
      draw();
    });

    root.querySelector("[data-diary-export]").addEventListener("click", function () {
      var rows = [["date", "pain before", "pain after"]];
      PainDiary.load(localStorage).forEach(function (s) {
        rows.push([s.date, s.before === null ? "" : s.before, s.after === null ? "" : s.after]);
      });
      var csv = rows.map(function (row) { return row.join(","); }).join("\r\n") + "\r\n";
      var link = el("a", {
        href: URL.createObjectURL(new Blob([csv], { type: "text/csv" })),
        download: "pain-diary-" + PainDiary.localDate(new Date()) + ".csv",
      });
      document.body.appendChild(link);
      link.click();
      link.remove();
      status.textContent = "Your diary was downloaded as a CSV file.";
    });

    root.querySelector("[data-diary-delete]").addEventListener("click", function () {
      confirmBox.hidden = false;
      confirmBox.querySelector("[data-diary-delete-no]").focus();
    });
    confirmBox.querySelector("[data-diary-delete-no]").addEventListener("click", function () {
      confirmBox.hidden = true;
      root.querySelector("[data-diary-delete]").focus();
    });
    confirmBox.querySelector("[data-diary-delete-yes]").addEventListener("click", function () {
      localStorage.removeItem(PainDiary.STORAGE_KEY);
      confirmBox.hidden = true;
      status.textContent = "Your pain diary was deleted from this device.";
      draw();
      document.getElementById("chart-title").setAttribute("tabindex", "-1");
      document.getElementById("chart-title").focus();
    });

    draw();
  }

  // The consultation form ---------------------------------------------------
  function attachToRequest(box) {
    var summary = PainDiary.summary(PainDiary.load(localStorage), PainDiary.localDate(new Date()));
    var field = document.getElementById("id_diary_summary");
    if (!summary || !field) { return; }
    var choice = box.querySelector("input[type=checkbox]");
    var preview = document.getElementById("diary-summary-preview") || field;
    box.hidden = false;
    function update() {
      field.value = choice.checked ? summary : "";
      preview.hidden = !choice.checked;
    }
    choice.addEventListener("change", update);
    if (new URLSearchParams(window.location.search).get("diary") === "1" && !field.value) {
      choice.checked = true;
    } else if (field.value) {
      choice.checked = true;
      summary = field.value; // the form came back: keep what the patient saw
    }
    update();
  }

  var page = document.getElementById("diary");
  if (page) { diaryPage(page); }
  var attach = document.querySelector("[data-diary-attach]");
  if (attach) { attachToRequest(attach); }
})();
