// The routine's service worker (served at /sw.js by stretches.routine, which
// puts VERSION, PRECACHE, ROUTINE_PREFIXES and STATIC_PREFIX above this).
// The routine pages are fetched from the network first, so a staff edit shows
// whenever the patient is online, and from the cache when they are not; the
// routine's script and styles come from the cache and are refreshed behind
// it. A new VERSION (any content change or deploy) installs a new worker,
// which fills a new cache and deletes the old ones.
"use strict";

const CACHE = "routine-" + VERSION;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith("routine-") && key !== CACHE)
            .map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

function isRoutinePage(url) {
  return ROUTINE_PREFIXES.some((prefix) =>
    prefix === "/guides/" ? /^\/guides\/[^/]+\/routine\/$/.test(url.pathname) : url.pathname.startsWith(prefix),
  );
}

function networkFirst(request) {
  return fetch(request)
    .then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(request, copy));
      }
      return response;
    })
    .catch(() =>
      caches.match(request, { ignoreSearch: true }).then((cached) => cached || Response.error()),
    );
}

function cacheFirstThenRefresh(event) {
  const fresh = fetch(event.request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(event.request, copy));
    }
    return response;
  });
  event.waitUntil(fresh.catch(() => undefined));
  return caches.match(event.request).then((cached) => cached || fresh);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (isRoutinePage(url)) {
    event.respondWith(networkFirst(request));
  } else if (url.pathname.startsWith(STATIC_PREFIX) && PRECACHE.includes(url.pathname)) {
    event.respondWith(cacheFirstThenRefresh(event));
  }
});
