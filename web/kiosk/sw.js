// The kiosk's Service Worker: the app shell comes from the cache, so a tablet that
// reboots while the server is down still opens the page and takes votes. API calls
// are never cached. A new version (any file changed, so `VERSION` changed) installs
// in the background and waits; the page activates it when nobody is voting.

const VERSION = "@VERSION@";
const CACHE = `kiosk-${VERSION}`;
const SHELL = [
  "./",
  "kiosk.css",
  "app.js",
  "store.js",
  "sender.js",
  "faces.js",
  "i18n.js",
  "version.js",
  "manifest.webmanifest",
  "icon.svg",
];
const SCOPE = new URL("./", self.location).pathname;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL.map((path) => new Request(path, { cache: "reload" })))),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith("kiosk-") && key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "activate") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || !url.pathname.startsWith(SCOPE)) {
    return;
  }
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      const key = event.request.mode === "navigate" ? "./" : event.request;
      return (await cache.match(key, { ignoreSearch: true })) ?? fetch(event.request);
    })(),
  );
});
