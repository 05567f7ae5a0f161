// Fovea live view: polls /api/status every second and shows each camera's
// latest frame and result. Every string from the agent (labels come from
// model files, errors from devices) is untrusted: the DOM is built with
// createElement and textContent only, never innerHTML.
"use strict";

(function () {
  const POLL_MS = 1000;
  const HISTORY_MS = 10000; // the agent keeps one history point per camera every 10 s
  const cams = new Map(); // camera id -> {root, img, parts, seq, prev}
  let failingSince = null;

  // el builds an element; children that are strings become text nodes.
  function el(tag, cls, ...children) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.append(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return e;
  }

  function pct(x) { return (100 * x).toFixed(1) + "%"; }
  function num(n) { return Number(n || 0).toLocaleString("en-US"); }
  function bytes(n) {
    n = Number(n || 0);
    const u = ["B", "KiB", "MiB", "GiB"];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : String(n)) + " " + u[i];
  }
  function dur(s) {
    s = Math.max(0, Math.floor(s));
    const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
    if (d) return d + "d " + h + "h";
    if (h) return h + "h " + m + "m";
    if (m) return m + "m " + (s % 60) + "s";
    return s + "s";
  }
  function same(a, b) {
    const n = (s) => String(s).trim().toLowerCase().replace(/_/g, " ");
    return n(a) === n(b);
  }

  // fill replaces a <dl>'s content with term/value rows.
  function fill(dl, rows) {
    const out = [];
    for (const [k, v, cls] of rows) {
      if (v === null || v === undefined || v === "") continue;
      const dd = el("dd", cls || "", typeof v === "string" ? v : String(v));
      out.push(el("dt", "", k), dd);
    }
    dl.replaceChildren(...out);
  }

  function stateBadge(state) {
    const s = state || "unknown";
    const b = el("span", "badge state-" + s.replace(/[^a-z]/g, ""), s);
    b.title = "camera state";
    return b;
  }

  function newCamera(id) {
    const root = el("article", "camera");
    const title = el("h2", "", id);
    const badge = el("span", "badge");
    const uri = el("div", "uri");
    const alarms = el("span", "alarms");
    const head = el("header", "cam-head", title, badge, alarms, uri);
    const img = el("img", "frame");
    img.alt = "Latest classified frame from camera " + id;
    img.hidden = true;
    const none = el("div", "noframe", "no frame yet");
    img.addEventListener("error", () => {
      img.hidden = true;
      none.hidden = false;
      none.textContent = "frame not available";
      v.seq = 0; // ask again on the next poll
    });
    const caption = el("figcaption", "");
    const fig = el("figure", "", img, none, caption);
    const pred = el("div", "pred");
    pred.setAttribute("aria-label", "Latest result");
    const body = el("div", "cam-body", fig, pred);
    const stats = el("dl", "stats");
    const err = el("p", "err");
    err.hidden = true;
    root.append(head, body, stats, err);
    const mon = el("p", "monitor muted");
    mon.hidden = true;
    const hist = el("div", "history");
    hist.hidden = true;
    root.append(mon, hist);
    const v = { root, badge, alarms, mon, hist, uri, img, none, caption, pred, stats, err, seq: 0, samples: [], fps: null };
    return v;
  }

  // renderMonitor shows camera c's raised alarms as badges and its
  // monitoring state (m: its entry of st.monitor.cameras, or undefined).
  function renderMonitor(v, m) {
    const badges = [];
    for (const a of (m && m.alarms) || []) {
      const b = el("span", "badge alarm alarm-" + String(a.kind).replace(/[^a-z]/g, ""), a.kind + ": " + a.test);
      b.title = "monitor alarm raised; score " + Number(a.score).toFixed(3);
      badges.push(b);
    }
    v.alarms.replaceChildren(...badges);
    if (!m) { v.mon.hidden = true; return; }
    const parts = [];
    if (m.accuracy_estimate !== undefined && m.accuracy_estimate !== null) {
      parts.push("estimated accuracy " + pct(m.accuracy_estimate) + " (" + m.estimate_method + ", an estimate)");
    }
    if (m.accuracy !== undefined && m.accuracy !== null) {
      parts.push("labelled accuracy " + pct(m.accuracy) + " over " + num(m.labels));
    }
    if (!parts.length) parts.push("monitor learning its reference (" + num(m.output_warm_up) + " results)");
    v.mon.textContent = parts.join(" · ");
    v.mon.hidden = false;
  }

  // renderCamera updates camera c's card.
  function renderCamera(v, c) {
    v.badge.replaceWith((v.badge = stateBadge(c.state)));
    v.uri.textContent = c.uri || "";

    // Frames per second the camera delivers, from the frame sequence and
    // capture time of the results seen in the last 3 s of capture time:
    // both come from the agent, so a throttled browser tab cannot skew it.
    const lr = c.latest;
    if (lr && lr.seq && lr.mono_us) {
      const s = v.samples, last = s[s.length - 1];
      if (last && (lr.seq < last.seq || lr.mono_us < last.mono)) s.length = 0; // the source restarted
      if (!last || lr.seq !== last.seq) s.push({ seq: lr.seq, mono: lr.mono_us });
      while (s.length > 2 && s[s.length - 1].mono - s[0].mono > 3e6) s.shift();
      const a = s[0], b = s[s.length - 1];
      v.fps = s.length > 1 && b.mono > a.mono ? (b.seq - a.seq) / ((b.mono - a.mono) / 1e6) : null;
    }
    if (c.state !== "fresh") v.fps = null;

    const r = c.latest;
    if (r && r.outbox_seq && r.outbox_seq !== v.seq) {
      v.seq = r.outbox_seq;
      v.img.src = "/api/cameras/" + encodeURIComponent(c.id) + "/frame.jpg?seq=" + encodeURIComponent(String(r.outbox_seq));
      v.img.hidden = false;
      v.none.hidden = true;
    }
    if (r) {
      const age = Number(c.last_frame_age_s || 0);
      v.caption.textContent = "frame #" + r.seq + (r.frame ? " · " + r.frame : "") + " · captured " + age.toFixed(1) + " s ago";
    } else {
      v.caption.textContent = "";
    }

    const parts = [];
    if (r && r.top && r.top.length) {
      const list = el("ol", "topk");
      r.top.forEach((t, i) => {
        const score = Math.max(0, Math.min(1, Number(t.score) || 0));
        const bar = el("span", "bar");
        bar.style.width = (100 * score).toFixed(1) + "%";
        const li = el("li", i === 0 ? "top1" : "",
          el("span", "label", String(t.label)),
          el("span", "score", pct(score)),
          el("span", "track", bar));
        if (i > 0 && r.truth && same(t.label, r.truth)) li.classList.add("truth");
        list.append(li);
      });
      parts.push(el("h3", "", "Top " + r.top.length), list);
      if (r.truth) {
        const ok = same(r.top[0].label, r.truth);
        parts.push(el("p", "verdict " + (ok ? "ok" : "bad"),
          (ok ? "✓ correct · " : "✗ wrong · ") + "truth: ", el("strong", "", String(r.truth))));
      }
      const l = r.latency_us || {};
      parts.push(el("p", "muted", "inference " + ((Number(l.preprocess || 0) + Number(l.invoke || 0)) / 1000).toFixed(1) + " ms"));
    } else {
      parts.push(el("p", "muted", "waiting for the first result…"));
    }
    if (c.accuracy) {
      const a = c.accuracy;
      parts.push(el("p", "acc", "accuracy ", el("strong", "", pct(a.ratio)), " (" + num(a.correct) + " of " + num(a.known) + ")"));
    }
    v.pred.replaceChildren(...parts);

    fill(v.stats, [
      ["fps", v.fps === null ? "–" : v.fps.toFixed(1)],
      ["captured", num(c.captured)],
      ["results", num(c.results)],
      ["dropped", num(c.dropped), c.dropped ? "warn" : ""],
      ["queued", num(c.queued)],
      ["skipped", num(c.skipped), c.skipped ? "warn" : ""],
      ["reconnects", num(c.reconnects)],
      ["errors", num(c.errors), c.errors ? "warn" : ""],
    ]);
    v.err.hidden = !c.last_error;
    v.err.textContent = c.last_error ? "last error: " + c.last_error : "";
  }

  function render(st) {
    document.getElementById("device").textContent =
      (st.device || "") + " · fovea " + (st.version || "") + " · up " + dur(st.uptime_s);
    document.title = "Fovea · " + (st.device || "live view");

    const probs = document.getElementById("problems");
    if (st.problems && st.problems.length) {
      probs.replaceChildren(el("strong", "", "Not ready"), el("ul", "", ...st.problems.map((p) => el("li", "", String(p)))));
      probs.hidden = false;
    } else {
      probs.hidden = true;
      probs.replaceChildren();
    }

    const box = document.getElementById("cameras");
    const seen = new Set();
    const mons = new Map();
    for (const m of (st.monitor && st.monitor.cameras) || []) mons.set(m.camera, m);
    for (const c of st.cameras || []) {
      seen.add(c.id);
      let v = cams.get(c.id);
      if (!v) {
        v = newCamera(String(c.id));
        cams.set(c.id, v);
        box.append(v.root);
      }
      renderCamera(v, c);
      renderMonitor(v, mons.get(c.id));
    }
    for (const [id, v] of cams) {
      if (!seen.has(id)) { v.root.remove(); cams.delete(id); }
    }

    const m = st.model || {};
    const u = st.ota; // present when OTA updates are configured
    const failed = u && (u.state === "failed" || u.state === "rolled_back");
    fill(document.getElementById("model"), [
      ["name", m.name],
      ["version", m.version],
      ["sha256", m.sha256 ? m.sha256.slice(0, 12) + "…" : "", "mono"],
      ["engine", m.engine],
      ["input", m.input, "mono"],
      ["classes", m.classes ? String(m.classes) : ""],
      ["update", u ? u.state + (u.version ? " " + u.version : "") +
        (u.state === "downloading" && u.progress ? " " + Math.round(u.progress.percent) + "%" : "") : "", failed ? "warn" : ""],
      ["update reason", u ? u.reason : "", failed ? "warn" : ""],
    ]);
    const acc = st.accuracy;
    fill(document.getElementById("results"), [
      ["results", num(st.results)],
      ["accuracy", acc ? pct(acc.ratio) + " (" + num(acc.correct) + "/" + num(acc.known) + ")" : "no truth labels"],
      ["workers", String((st.pipeline || {}).workers || "")],
    ]);
    const o = st.outbox || {};
    fill(document.getElementById("outbox"), [
      ["state", !o.open ? "closed" : o.writable ? "writable" : "NOT writable", o.open && o.writable ? "" : "warn"],
      ["depth", num(o.records) + " records"],
      ["records size", bytes(o.bytes)],
      ["file size", bytes(o.file_bytes)],
      ["evicted", num(o.evicted), o.evicted ? "warn" : ""],
      ["acked", num(o.acked)],
      ["append errors", num(o.append_errors), o.append_errors ? "warn" : ""],
      ["last error", o.last_error, "warn"],
    ]);
    const mon = st.monitor;
    const mp = document.getElementById("monitor-panel");
    mp.hidden = !mon;
    if (mon) {
      const al = mon.alarms || [];
      fill(document.getElementById("monitor"), [
        ["alarms raised", al.length ? String(al.length) + " (badges on the cameras)" : "none", al.length ? "warn" : ""],
        ["feedback labels", num(mon.feedback_labels)],
        ["samples kept", num((mon.samples || {}).retained)],
        ["events published", num(mon.events_published)],
        ["events waiting", num(mon.events_pending), mon.events_pending ? "warn" : ""],
      ]);
    }
    const s = st.sync;
    fill(document.getElementById("sync"), s ? [
      ["state", s.state + (s.connected ? " (connected)" : ""), s.state === "ok" ? "" : "warn"],
      ["delivered", num(s.delivered)],
      ["acked seq", String(s.acked_seq || 0)],
      ["rejected", num(s.rejected), s.rejected ? "warn" : ""],
      ["protocol", s.protocol],
      ["rejection", s.rejection, "warn"],
      ["last error", s.last_error, "warn"],
    ] : [["state", "off (no mqtt section)"]]);
  }

  // setConn shows the agent's readiness; level is "ok", "warn" or
  // "offline" (the status could not be read: the page dims).
  function setConn(text, level) {
    const c = document.getElementById("conn");
    c.textContent = text;
    c.className = "conn " + level;
    document.body.classList.toggle("offline", level === "offline");
  }

  // spark draws values (numbers or null) as an SVG polyline scaled to
  // [lo, hi]; a dashed line marks ref when given.
  function spark(values, lo, hi, ref) {
    const NS = "http://www.w3.org/2000/svg", W = 180, H = 32;
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("class", "spark");
    svg.setAttribute("preserveAspectRatio", "none");
    const y = (x) => (H - 2 - (Math.max(lo, Math.min(hi, x)) - lo) / (hi - lo || 1) * (H - 4)).toFixed(1);
    if (ref !== undefined) {
      const l = document.createElementNS(NS, "line");
      l.setAttribute("x1", "0"); l.setAttribute("x2", String(W));
      l.setAttribute("y1", y(ref)); l.setAttribute("y2", y(ref));
      l.setAttribute("class", "ref");
      svg.append(l);
    }
    const pts = [];
    values.forEach((x, i) => {
      if (x === null || x === undefined) return;
      pts.push((values.length > 1 ? i * W / (values.length - 1) : 0).toFixed(1) + "," + y(x));
    });
    const p = document.createElementNS(NS, "polyline");
    p.setAttribute("points", pts.join(" "));
    svg.append(p);
    return svg;
  }

  // renderHistory draws one camera's last hour (GET /api/monitor/history).
  function renderHistory(v, h) {
    const pts = h.points || [];
    if (!pts.length) { v.hist.hidden = true; return; }
    const last = pts[pts.length - 1];
    const fmt = (x, f) => (x === null || x === undefined ? "–" : f(x));
    const rate = pts.map((p) => p.results_per_s);
    const row = (name, now, svg) => el("div", "spark-row", el("span", "spark-name", name), svg, el("span", "spark-now", now));
    const classes = Object.entries(h.classes || {}).sort((a, b) => b[1] - a[1]);
    v.hist.replaceChildren(
      el("h3", "", "Last hour"),
      row("results/s", fmt(last.results_per_s, (x) => x.toFixed(1)), spark(rate, 0, Math.max(1, ...rate))),
      row(last.estimated ? "accuracy (est.)" : "accuracy", fmt(last.accuracy, pct), spark(pts.map((p) => p.accuracy ?? null), 0, 1)),
      row("confidence", fmt(last.mean_confidence, pct), spark(pts.map((p) => p.mean_confidence ?? null), 0, 1)),
      row("drift", fmt(last.drift_level, (x) => x.toFixed(2) + "× raise"), spark(pts.map((p) => p.drift_level), 0, 1.5, 1)),
      el("p", "muted classes", classes.map(([k, n]) => k + " " + num(n)).join(" · ")));
    v.hist.hidden = false;
  }

  let lastHistory = 0;
  async function pollHistory() {
    if (Date.now() - lastHistory < HISTORY_MS) return;
    lastHistory = Date.now();
    try {
      const resp = await fetch("/api/monitor/history", { cache: "no-store" });
      if (!resp.ok) return;
      for (const h of await resp.json()) {
        const v = cams.get(h.camera);
        if (v) renderHistory(v, h);
      }
    } catch (e) {
      // The history is optional; the status poll reports connectivity.
    }
  }

  async function poll() {
    try {
      // From the origin, not the page's URL: a page opened as
      // http://user:pass@device/ (http.auth) has credentials in its URL,
      // and fetch refuses URLs with credentials. The browser still sends
      // the credentials it cached for the origin.
      const resp = await fetch(new URL("/api/status", location.origin), { cache: "no-store" });
      if (!resp.ok) throw new Error("HTTP " + resp.status);
      const st = await resp.json();
      render(st);
      if (st.monitor) await pollHistory();
      failingSince = null;
      setConn((st.ready ? "ready" : "not ready") + " · updated " + new Date().toLocaleTimeString(), st.ready ? "ok" : "warn");
    } catch (e) {
      if (!failingSince) failingSince = new Date();
      setConn("agent unreachable since " + failingSince.toLocaleTimeString() + " (" + e.message + "); retrying", "offline");
    }
    setTimeout(poll, POLL_MS);
  }

  poll();
})();
