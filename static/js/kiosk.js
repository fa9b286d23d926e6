// kiosk.js: the page's only script. It ticks the clock on server time,
// refreshes the board, and shows each notification once with a chime.
// Data is inserted as text (textContent) or as server-rendered HTML parsed
// with DOMParser; never through innerHTML.
"use strict";
(() => {
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
    const now = Date.now() / 1000;
    for (const id of Object.keys(seen)) if (seen[id] < now) delete seen[id];
    try { localStorage.setItem(seenKey, JSON.stringify(seen)); } catch { /* storage full or disabled */ }
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

  colorize(document);
  boardHTML = "";
  tick();
  poll();
  setTimeout(refreshBoard, reloadMs);
  window.kiosk = { lang };
})();
