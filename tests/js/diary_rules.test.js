// The pain diary's hand-over rules (shared/clinical/self-care.md), run with
// `node --test tests/js/`; tests/test_diary_rules.py runs this in pytest.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const PainDiary = require("../../static/js/diary-rules.js");

function day(offset) {
  const date = new Date(Date.UTC(2026, 10, 29) + offset * 86400000);
  return date.toISOString().slice(0, 10);
}

function session(offset, before, after, at = 0) {
  return { date: day(offset), at, before, after };
}

test("pain worse after the routine in the last two sessions suggests booking", () => {
  const sessions = [session(-2, 4, 4), session(-1, 4, 5), session(0, 3, 4)];
  assert.deepEqual(PainDiary.handOverReasons(sessions), ["worse-twice"]);
});

test("worse once, then better, does not suggest booking", () => {
  const sessions = [session(-2, 4, 5), session(-1, 5, 4), session(0, 4, 5)];
  assert.deepEqual(PainDiary.handOverReasons(sessions), []);
});

test("sessions are read in time order, not the order they were stored", () => {
  const sessions = [session(0, 3, 4), session(-1, 4, 5), session(-2, 5, 4)];
  assert.deepEqual(PainDiary.handOverReasons(sessions), ["worse-twice"]);
});

test("a session without an after rating does not count towards worse twice", () => {
  const sessions = [session(-1, 4, 5), session(0, 4, null)];
  assert.deepEqual(PainDiary.handOverReasons(sessions), []);
});

test("a rating of 8 or more suggests booking, before or after", () => {
  assert.deepEqual(PainDiary.handOverReasons([session(0, 8, 6)]), ["severe"]);
  assert.deepEqual(PainDiary.handOverReasons([session(0, 5, 4), session(0, 3, 8, 1)]).includes("severe"), true);
  assert.deepEqual(PainDiary.handOverReasons([session(0, 7, 7)]), []);
});

test("an old severe rating no longer counts once a later session is milder", () => {
  assert.deepEqual(PainDiary.handOverReasons([session(-3, 9, 8), session(0, 4, 3)]), []);
});

function fortnight(pains) {
  // One session a day for 15 days, ending today, with the given before-pain.
  return pains.map((pain, index) => session(index - (pains.length - 1), pain, pain - 1));
}

test("no better after about two weeks of regular stretching suggests booking", () => {
  const sessions = fortnight([6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6]);
  assert.deepEqual(PainDiary.handOverReasons(sessions), ["no-better"]);
});

test("pain that has eased over two weeks does not suggest booking", () => {
  const sessions = fortnight([6, 6, 6, 6, 5, 5, 5, 5, 4, 4, 4, 4, 3, 3, 3]);
  assert.deepEqual(PainDiary.handOverReasons(sessions), []);
});

test("less than two weeks of diary cannot show no improvement", () => {
  const sessions = fortnight([6, 6, 6, 6, 6, 6, 6, 6, 6, 6]);
  assert.deepEqual(PainDiary.handOverReasons(sessions), []);
});

test("stretching on only a few days is not regular enough to judge", () => {
  const sessions = [session(-15, 6, 5), session(-7, 6, 5), session(0, 6, 5)];
  assert.deepEqual(PainDiary.handOverReasons(sessions), []);
});

test("several rules can apply at once", () => {
  const sessions = fortnight([8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8]);
  sessions.push(session(0, 8, 9, 1));
  sessions[sessions.length - 2].after = 9;
  assert.deepEqual(PainDiary.handOverReasons(sessions), ["worse-twice", "no-better", "severe"]);
});

test("malformed entries are ignored, never fatal", () => {
  const sessions = [null, "x", { date: "yesterday", before: 3, after: 4 }, session(0, 11, 2), session(0, 4, 3)];
  assert.deepEqual(PainDiary.handOverReasons(sessions), []);
});

test("the summary lists the last 14 days' ratings and the reasons to book", () => {
  const sessions = [session(-20, 2, 2), session(-1, 4, 5), session(0, 4, 6)];
  const text = PainDiary.summary(sessions, day(0));
  assert.equal(
    text,
    [
      "Pain diary, last 14 days (0 = no pain, 10 = worst), before → after the routine:",
      `${day(-1)}: 4 → 5`,
      `${day(0)}: 4 → 6`,
      "The diary suggested booking because:",
      `- ${PainDiary.REASONS["worse-twice"]}`,
    ].join("\n"),
  );
});

test("an empty diary has no summary", () => {
  assert.equal(PainDiary.summary([], day(0)), "");
});

test("the summary always fits the request's 2,000 characters", () => {
  const sessions = [];
  for (let offset = -13; offset <= 0; offset++) {
    for (let n = 0; n < 20; n++) sessions.push(session(offset, 3, 2, n));
  }
  const text = PainDiary.summary(sessions, day(0));
  assert.ok(text.length <= PainDiary.SUMMARY_MAX_CHARS, text.length);
  assert.ok(text.includes(day(0)));
});

test("the diary survives storage round trips and drops what is not a session", () => {
  const store = new Map();
  const storage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v) };
  PainDiary.record(storage, session(0, 3, 2));
  PainDiary.record(storage, { date: day(0), before: 42, after: 1 });
  assert.deepEqual(PainDiary.load(storage), [session(0, 3, 2)]);
  store.set(PainDiary.STORAGE_KEY, "{not json");
  assert.deepEqual(PainDiary.load(storage), []);
});
