// kiosk.js: the page's only script. It ticks the clock on server time,
// refreshes the board, and shows each notification once with a chime.
// Data is inserted as text (textContent) or as server-rendered HTML parsed
// with DOMParser; never through innerHTML.
"use strict";

// The status page for phones: refreshes itself and runs the admin actions
// with the token kept in this phone's localStorage.
const statusPage = () => {
  const main = document.getElementById("status");
  const refresh = async () => {
    try {
      const res = await fetch("/partial/status", { cache: "no-store", signal: AbortSignal.timeout(10000) });
      if (res.ok) {
        const doc = new DOMParser().parseFromString("<main>" + await res.text() + "</main>", "text/html");
        main.replaceChildren(...doc.body.firstElementChild.childNodes);
      }
    } catch { /* keep what is shown */ }
    setTimeout(refresh, 15000);
  };
  setTimeout(refresh, 15000);
  // The admin form is there only when an admin token is set; its answers
  // are worded in the page's language (data-done, data-e401, …).
  const admin = document.getElementById("admin");
  if (!admin) return;
  const words = admin.dataset;
  const result = document.getElementById("admin-result");
  const tokenInput = document.getElementById("token");
  const tokenKey = "kiosk.admin";
  tokenInput.value = localStorage.getItem(tokenKey) || "";
  const call = async (method, path, body) => {
    result.textContent = "…";
    try {
      const res = await fetch(path, {
        method, cache: "no-store",
        headers: { "Authorization": "Bearer " + tokenInput.value.trim(), "Content-Type": "application/json" },
        body: body ? JSON.stringify(body) : undefined,
      });
      result.textContent = res.ok ? words.done : (words["e" + res.status] || words.failed + " (" + res.status + ")");
      if (res.ok) setTimeout(refresh, 500);
      return res.ok;
    } catch {
      result.textContent = words.unreachable;
      return false;
    }
  };
  document.getElementById("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    localStorage.setItem(tokenKey, tokenInput.value.trim());
    result.textContent = "✓";
  });
  document.getElementById("message-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = document.getElementById("message");
    if (await call("POST", "/api/notifications", { message: text.value })) text.value = "";
  });
  document.getElementById("refresh-all").addEventListener("click", () => call("POST", "/api/refresh"));
  document.getElementById("clear-all").addEventListener("click", () => call("DELETE", "/api/notifications"));
};

const dashboard = () => {
  const body = document.body;
  const lang = body.dataset.lang || "ko";
  const pollMs = (+body.dataset.poll || 3) * 1000;
  const reloadMs = (+body.dataset.reload || 120) * 1000;
  let offset = (+body.dataset.now || Date.now()) - Date.now(); // server − client
  const serverNow = () => new Date(Date.now() + offset);

  // Clock and date in the configured zone, whatever the browser's zone is.
  const zone = body.dataset.zone || undefined;
  const clockFmt = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const dateFmt = new Intl.DateTimeFormat(lang === "ko" ? "ko-KR" : "en-US", { timeZone: zone, dateStyle: "full" });
  const clock = document.getElementById("clock");
  const date = document.getElementById("date");
  const tick = () => {
    const d = serverNow();
    clock.textContent = clockFmt.format(d);
    date.textContent = dateFmt.format(d);
    setTimeout(tick, 1000 - (d.getMilliseconds() % 1000) + 5);
  };

  const colorize = (root) => {
    for (const el of root.querySelectorAll("[data-color]")) el.style.setProperty("--cal", el.dataset.color);
  };
  // A list longer than the screen fades out at the bottom (CSS .overflow)
  // rather than ending in a line cut in half.
  const markOverflow = () => {
    for (const el of document.querySelectorAll(".events")) el.classList.toggle("overflow", el.scrollHeight > el.clientHeight + 1);
  };
  addEventListener("resize", markOverflow);

  const offlineMark = document.getElementById("offline");
  const setOffline = (off) => { offlineMark.hidden = !off; };

  // Board refresh: fetch the server-rendered board and swap it in only when
  // it changed, so the screen does not flash.
  const board = document.getElementById("board");
  let boardHTML = "";
  const refreshBoard = async () => {
    try {
      const res = await fetch("/partial/board", { cache: "no-store", signal: AbortSignal.timeout(10000) });
      if (!res.ok) throw new Error("board: HTTP " + res.status);
      if (res.headers.get("X-Kiosk-Version") !== body.dataset.version) return location.reload();
      const html = await res.text();
      if (html !== boardHTML) {
        boardHTML = html;
        const doc = new DOMParser().parseFromString("<main>" + html + "</main>", "text/html");
        colorize(doc);
        board.replaceChildren(...doc.body.firstElementChild.childNodes);
        markOverflow();
      }
      setTimeout(refreshBoard, reloadMs);
    } catch (e) {
      setTimeout(refreshBoard, Math.min(reloadMs, 30000));
    }
  };

  // Shown notification IDs with their expiry, so a reload shows none twice.
  const seenKey = "kiosk.seen";
  const loadSeen = () => {
    try { return JSON.parse(localStorage.getItem(seenKey)) || {}; } catch { return {}; }
  };
  const saveSeen = (seen) => {
    const now = serverNow().getTime() / 1000; // expiries are on the server's clock
    for (const id of Object.keys(seen)) if (seen[id] < now) delete seen[id];
    try { localStorage.setItem(seenKey, JSON.stringify(seen)); } catch { /* storage full or disabled */ }
  };

  // A show_notiboard notification joins the notice board at once; the
  // server-rendered board keeps it there until it expires.
  const addToBoard = (text) => {
    const ul = document.getElementById("notiboard");
    if (!ul || [...ul.children].some((li) => li.textContent.trim() === text.trim())) return; // rendered already
    const li = document.createElement("li");
    li.textContent = text;
    ul.prepend(li);
  };

  const toast = document.getElementById("toast");
  const toastText = document.getElementById("toast-text");
  const queue = [];
  let showing = false;
  let quiet = false;
  const chime = new Audio(body.dataset.chime);
  const showNext = () => {
    const n = queue.shift();
    if (!n) { showing = false; toast.hidden = true; return; }
    showing = true;
    toastText.textContent = n.message;
    toast.hidden = false;
    if (n.sound && !quiet) chime.play().catch(() => {});
    setTimeout(showNext, Math.max(1, n.display_time) * 1000);
  };

  let etag = "";
  let failures = 0;
  const poll = async () => {
    let delay = pollMs;
    try {
      const headers = etag ? { "If-None-Match": etag } : {};
      const res = await fetch("/api/notifications", { cache: "no-store", headers, signal: AbortSignal.timeout(5000) });
      const st = res.headers.get("X-Server-Time");
      if (st) offset = +st - Date.now();
      quiet = res.headers.get("X-Kiosk-Quiet") === "1";
      document.getElementById("unsynced").hidden = res.headers.get("X-Clock-Synced") !== "0";
      body.classList.toggle("quiet", quiet);
      if (res.status !== 304) {
        if (!res.ok) throw new Error("notifications: HTTP " + res.status);
        etag = res.headers.get("ETag") || "";
        const list = await res.json();
        const seen = loadSeen();
        for (const n of list) {
          if (n.show_notiboard && !seen[n.id]) addToBoard(n.message);
          if (seen[n.id]) continue;
          seen[n.id] = n.expire;
          queue.push(n);
        }
        saveSeen(seen);
        if (!showing) showNext();
      }
      failures = 0;
      setOffline(false);
    } catch (e) {
      failures++;
      if (failures >= 2) setOffline(true);
      delay = Math.min(pollMs * 2 ** failures, 60000);
    }
    setTimeout(poll, delay);
  };

  // Photo frame: the server orders the photos (every one once per cycle);
  // the page asks for the first one at its own screen size and crossfades.
  // The server learns what is shown from the image requests, but a photo
  // shown before comes from the browser's cache, unseen: so the page keeps
  // its own cycle too and takes the first photo it hasn't shown in it.
  const frame = document.getElementById("photo");
  const photoMs = (+body.dataset.photoSeconds || 30) * 1000;
  const shownInCycle = new Set();
  let current = "";
  const nextPhoto = async () => {
    try {
      const res = await fetch("/api/photos", { cache: "no-store", signal: AbortSignal.timeout(10000) });
      const list = res.ok ? await res.json() : [];
      let next = list.find((p) => !shownInCycle.has(p.url));
      if (!next) {
        shownInCycle.clear();
        next = list.find((p) => p.url !== current);
      }
      if (next && next.url !== current) {
        shownInCycle.add(next.url);
        current = next.url;
        const dpr = window.devicePixelRatio || 1;
        const box = frame.getBoundingClientRect();
        const w = Math.round((box.width || innerWidth) * dpr), h = Math.round((box.height || innerHeight) * dpr);
        const [shown, hidden] = frame.classList.contains("flip") ? [frame.children[1], frame.children[0]] : [frame.children[0], frame.children[1]];
        // The interval starts when the photo shows: a slow rendering must
        // not cut its time on screen short, nor be cancelled by the next.
        await new Promise((done) => {
          hidden.onload = () => {
            hidden.classList.add("shown");
            shown.classList.remove("shown");
            frame.classList.toggle("flip");
            done();
          };
          hidden.onerror = done;
          setTimeout(done, Math.max(photoMs, 65000)); // the server gives up on a rendering after a minute
          hidden.src = next.url + "?w=" + w + "&h=" + h;
        });
      }
    } catch { /* keep the current photo */ }
    setTimeout(nextPhoto, photoMs);
  };
  if (frame) nextPhoto();

  colorize(document);
  markOverflow();
  tick();
  poll();
  setTimeout(refreshBoard, reloadMs);
};

if (document.body.dataset.page === "status") statusPage(); else dashboard();
