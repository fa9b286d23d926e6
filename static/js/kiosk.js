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
  // They repaint once a minute, on the minute, with the relative times.
  const zone = body.dataset.zone || undefined;
  const clockFmt = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const dateFmt = new Intl.DateTimeFormat(lang === "ko" ? "ko-KR" : "en-US", { timeZone: zone, dateStyle: "full" });
  const mdFmt = new Intl.DateTimeFormat("en-GB", { timeZone: zone, month: "2-digit", day: "2-digit" });
  const clock = document.getElementById("clock");
  const date = document.getElementById("date");
  const setText = (el, text) => { if (el.textContent !== text) el.textContent = text; };

  // "35분 후" / "in 35 min", as the server says it (texts.relative).
  const [fMin, fHours, fHoursMin, fDays] = (body.dataset.tRel || "%d min|%d h|%d h %d min|%d days").split("|");
  const fmt = (f, ...n) => { let i = 0; return f.replace(/%d/g, () => n[i++]); };
  const rel = (ms) => {
    const m = Math.max(1, Math.ceil(ms / 60000));
    if (m < 60) return fmt(fMin, m);
    if (m < 1440) return m % 60 === 0 ? fmt(fHours, m / 60) : fmt(fHoursMin, Math.floor(m / 60), m % 60);
    return fmt(fDays, Math.floor(m / 1440));
  };

  const board = document.getElementById("board");
  let boardAt = 0; // server time of the board shown
  // Every minute: the clock, the next event's relative time; when an event
  // shown has started or ended since the board was rendered, a new board
  // (the server moves it to "now", or among the past ones).
  const minute = () => {
    const d = serverNow();
    setText(clock, clockFmt.format(d));
    setText(date, dateFmt.format(d));
    const t = d.getTime();
    for (const el of board.querySelectorAll("[data-rel]")) setText(el, rel(+el.dataset.rel - t));
    const changed = [...board.querySelectorAll(".row[data-start]")].some((el) =>
      (+el.dataset.start > boardAt && +el.dataset.start <= t) || (+el.dataset.end > boardAt && +el.dataset.end <= t));
    if (changed) refreshBoard(true);
    setTimeout(minute, 60000 - (t % 60000) + 20);
  };

  const colorize = (root) => {
    for (const el of root.querySelectorAll("[data-color]")) el.style.setProperty("--cal", el.dataset.color);
  };

  // Fit: every box that lists rows shows as many as fit and counts the
  // rest in a visible "+N" line under their day (or notice source). Rows
  // go from the longest list first, from its end; a list that keeps no row
  // folds into its heading, with the count there.
  // A group's own rows, "+N" line and fold: a day that flowed into
  // tomorrow's panel (below) is a group inside a group.
  const rowsOf = (g, sel = "") => g.querySelectorAll(`:scope > ul > .row${sel}, :scope > .row${sel}`);
  const moreOf = (g) => g.querySelector(":scope > .more");
  const foldOf = (g) => g.querySelector(":scope > h2 > .fold");
  const overflows = (box) => box.scrollHeight > box.clientHeight + 0.5 || box.scrollWidth > box.clientWidth + 0.5;
  const fitBox = (box) => {
    const groups = [...(box.matches(".group") ? [box] : []), ...box.querySelectorAll(".group")];
    for (const g of groups) {
      g.classList.remove("folded");
      for (const r of rowsOf(g)) r.hidden = false;
      moreOf(g).hidden = true;
      const fold = foldOf(g);
      if (fold) fold.hidden = true;
    }
    const cut = new Map();
    while (overflows(box)) {
      let pick = null, most = 0;
      for (const g of groups) {
        const n = rowsOf(g, ":not([hidden])").length;
        if (n > 0 && n >= most) { pick = g; most = n; }
      }
      if (!pick) break;
      const rows = rowsOf(pick, ":not([hidden])");
      rows[rows.length - 1].hidden = true;
      const n = (cut.get(pick) || 0) + 1;
      cut.set(pick, n);
      const more = moreOf(pick);
      more.textContent = fmt(pick.dataset.more || "+%d", n);
      more.hidden = false;
      // A group left with no row keeps its heading, with the count in it.
      const fold = foldOf(pick);
      if (fold && most === 1) {
        pick.classList.add("folded");
        fold.textContent = "+" + n;
        fold.hidden = false;
      }
    }
    // Still too long: days without events keep only their heading.
    for (const g of groups.slice().reverse()) {
      if (!overflows(box)) break;
      if (!rowsOf(g).length && foldOf(g)) g.classList.add("folded");
    }
    return cut.size > 0 || groups.some((g) => g.classList.contains("folded"));
  };
  // Landscape: when the week column has to cut and tomorrow's panel has
  // room below its events, the week's first days continue there, one by
  // one while each fits whole, so the days still read in order.
  const portrait = matchMedia("(orientation: portrait)");
  const fit = () => {
    const week = document.querySelector(".week");
    for (const d of [...document.querySelectorAll(".day.flowed")].reverse()) {
      d.classList.remove("flowed");
      week.prepend(d);
    }
    for (const box of document.querySelectorAll(".near > .day, .side")) fitBox(box);
    if (!week) return;
    const near = document.querySelectorAll(".near > .day"), into = near[near.length - 1];
    let cut = fitBox(week);
    if (!into || portrait.matches) return;
    for (; cut; cut = fitBox(week)) {
      const d = week.querySelector(":scope > .day");
      if (!d || d === week.lastElementChild) break;
      d.classList.add("flowed");
      into.append(d);
      if (fitBox(into)) {
        d.classList.remove("flowed");
        week.prepend(d);
        fitBox(into);
        fitBox(week);
        break;
      }
    }
  };
  addEventListener("resize", fit);

  const offlineMark = document.getElementById("offline");
  const setOffline = (off) => { offlineMark.hidden = !off; };

  // Board refresh: fetch the server-rendered board and swap it in only when
  // it changed, so the screen does not flash.
  let boardHTML = "";
  // The weather beside the clock comes with each board (views/weather.html):
  // move it into the header, which the board refresh does not replace.
  const takeWeather = () => {
    const next = document.getElementById("wx-now-next"), slot = document.querySelector(".weather-now");
    if (!next) return;
    if (slot) slot.replaceChildren(next.content.cloneNode(true));
    next.remove();
  };
  takeWeather();
  let boardTimer = 0;
  const refreshBoard = async (soon) => {
    clearTimeout(boardTimer);
    let delay = reloadMs;
    try {
      const res = await fetch("/partial/board", { cache: "no-store", signal: AbortSignal.timeout(10000) });
      if (!res.ok) throw new Error("board: HTTP " + res.status);
      if (res.headers.get("X-Kiosk-Version") !== body.dataset.version) return location.reload();
      const html = await res.text();
      boardAt = serverNow().getTime();
      if (html !== boardHTML) {
        boardHTML = html;
        const doc = new DOMParser().parseFromString("<main>" + html + "</main>", "text/html");
        colorize(doc);
        board.replaceChildren(...doc.body.firstElementChild.childNodes);
        takeWeather();
        fit();
      }
    } catch (e) {
      delay = Math.min(reloadMs, soon ? 5000 : 30000);
    }
    boardTimer = setTimeout(refreshBoard, delay);
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
    if (!ul) return refreshBoard(true); // the board has no pinned list yet: the server's has it
    if ([...ul.children].some((li) => li.textContent.trim() === text.trim())) return; // rendered already
    const li = document.createElement("li");
    li.className = "row";
    li.textContent = text;
    ul.prepend(li);
    fit();
  };

  // Pop-ups. A reminder ("12-04 21:07\nTitle\nStarts in 30 minutes.")
  // shows its title large, then "오늘 21:07 · 30분 후" and the place the
  // board knows for it; anything else shows as sent. The text shrinks
  // until the pop-up fits the screen.
  const toast = document.getElementById("toast");
  const toastText = document.getElementById("toast-text");
  const [wToday, wTomorrow] = (body.dataset.tDays || "Today|Tomorrow").split("|");
  const line = (cls, text) => {
    const p = document.createElement("p");
    p.className = cls;
    p.textContent = text;
    return p;
  };
  const fillToast = (n) => {
    const m = /^(\d\d)-(\d\d)(?: (\d\d):(\d\d))?\n([^\n]+)(?:\n([\s\S]*))?$/.exec(n.message);
    if (!m) {
      toastText.textContent = n.message;
      return;
    }
    const [, mo, da, hh, mi, title, rest] = m;
    const now = serverNow();
    const md = (d) => mdFmt.format(d).split("/").reverse().join("-"); // "12-04"
    const today = md(now), tomorrow = md(new Date(now.getTime() + 86400000));
    const day = mo + "-" + da === today ? wToday : mo + "-" + da === tomorrow ? wTomorrow : +mo + "/" + +da;
    let when = day + (hh ? " " + hh + ":" + mi : "");
    if (hh && (day === wToday || day === wTomorrow)) {
      const [nh, nm] = clockFmt.format(now).split(":").map(Number);
      const left = (day === wToday ? 0 : 1440) + (+hh * 60 + +mi) - (nh * 60 + nm);
      if (left > 0) when += " · " + rel(left * 60000);
    }
    const parts = [line("toast-title", title), line("toast-when", when)];
    const ev = [...board.querySelectorAll(".event")].find((el) => el.querySelector(".summary").textContent === title &&
      el.querySelector(".time").firstChild.textContent === hh + ":" + mi);
    const where = ev && ev.querySelector(".location");
    if (where) parts.push(line("toast-where", where.textContent));
    if (rest && n.kind !== "event") parts.push(line("toast-detail", rest));
    toastText.replaceChildren(...parts);
  };
  const fitToast = () => {
    const box = toast.firstElementChild;
    box.style.removeProperty("font-size");
    let size = parseFloat(getComputedStyle(box).fontSize);
    while (size > 12 && (box.scrollHeight > box.clientHeight + 0.5 || box.scrollWidth > box.clientWidth + 0.5)) {
      size *= 0.9;
      box.style.setProperty("font-size", size + "px");
    }
  };
  const queue = [];
  let showing = false;
  let quiet = false;
  const chime = new Audio(body.dataset.chime);
  const showNext = () => {
    const n = queue.shift();
    if (!n) { showing = false; toast.hidden = true; return; }
    showing = true;
    fillToast(n);
    toast.hidden = false;
    fitToast();
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
  boardAt = +body.dataset.now || Date.now();
  fit();
  document.fonts.ready.then(fit);
  minute();
  poll();
  boardTimer = setTimeout(refreshBoard, reloadMs);
};

if (document.body.dataset.page === "status") statusPage(); else dashboard();
