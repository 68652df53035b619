/* Reading measurement: engaged time, depth, end, sections, video seconds.
   Sends cumulative values for this page view only; no cookie, no storage. */
(function (d, w) {
  var tag = d.querySelector("script[data-track-page]");
  if (!tag || !w.fetch || !w.crypto) return;
  var url = tag.dataset.trackUrl, page = +tag.dataset.trackPage,
    body = d.querySelector("[data-track-body]") || d.body,
    endMark = d.querySelector("[data-track-end]"),
    sections = d.querySelectorAll("[data-track-section]"),
    videos = d.querySelectorAll("video[data-track-video]"),
    start = Date.now(), last = start, acted = start,
    id = "", seq = 0, ticks = 0, stopped = 0,
    engaged = 0, depth = 0, end = 0, dwell = {}, watched = {}, done = {}, sent = {}, queue = [];

  w.crypto.getRandomValues(new Uint8Array(16)).forEach(function (b) {
    id += (b + 256).toString(16).slice(1);
  });

  function attending() {
    return d.visibilityState == "visible" && d.hasFocus();
  }
  function playing() {
    for (var i = 0; i < videos.length; i++) if (!videos[i].paused && !videos[i].ended) return 1;
  }
  function measure() {
    var h = innerHeight, r = body.getBoundingClientRect(),
      p = r.height > 0 ? Math.round(Math.min(1, Math.max(0, (h - r.top) / r.height)) * 100) : 100;
    if (p > depth) depth = p;
    if (endMark) {
      r = endMark.getBoundingClientRect();
      if (r.top <= h && r.bottom >= 0) end = 1;
    }
  }
  // The section crossing the reading line, a third of the way down the viewport.
  function reading() {
    var y = innerHeight / 3, r, i;
    for (i = sections.length - 1; i >= 0; i--) {
      r = sections[i].getBoundingClientRect();
      if (r.top <= y && r.bottom > y) return sections[i].dataset.trackSection;
    }
  }
  function tick() {
    var now = Date.now(), dt = Math.min(now - last, 2000), k;
    last = now;
    if (attending() && (now - acted < 3e4 || playing())) {
      engaged += dt;
      k = reading();
      if (k) dwell[k] = (dwell[k] || 0) + dt;
      measure();
    }
    if (++ticks % 12 == 0) flush();
  }
  function ranges(seconds) {
    var out = [], all = Object.keys(seconds).map(Number).sort(function (a, b) { return a - b; }), i, c;
    for (i = 0; i < all.length; i++) {
      c = out[out.length - 1];
      if (c && c[1] == all[i]) c[1]++;
      else out.push([all[i], all[i] + 1]);
    }
    return out;
  }
  // Only values that changed since they were last sent.
  function changed() {
    var all = [{ k: "engaged", ms: engaged }, { k: "depth", pct: depth }], k, v;
    if (end) all.push({ k: "end" });
    for (k in dwell) all.push({ k: "section", id: k, ms: dwell[k] });
    for (k in watched) {
      v = watched[k];
      if (v.d) all.push({ k: "video", id: k, dur: v.d, r: ranges(v.s) });
    }
    for (k in done) all.push({ k: "complete", id: k, data: done[k] });
    return all.filter(function (e) {
      var key = e.k + (e.id || ""), json = JSON.stringify(e);
      if (sent[key] == json) return 0;
      sent[key] = json;
      return 1;
    });
  }
  function post(batch, beacon) {
    var json = JSON.stringify(batch);
    function done() {
      queue = queue.filter(function (b) { return b != batch; });
    }
    if (beacon && navigator.sendBeacon && navigator.sendBeacon(url, json)) return done();
    fetch(url, { method: "POST", body: json, keepalive: true, headers: { "Content-Type": "text/plain" } })
      .then(function (r) {
        if (r.status != 429 && r.status < 500) done();
        return r.json();
      })
      .then(function (j) {
        if (j.stop) stopped = 1;
      })
      .catch(function () {});
  }
  // Queue what changed, then send every unsent batch; a retry keeps its
  // number, so the server stores it once.
  function flush(beacon, first) {
    if (stopped) return;
    var events = changed();
    if (first) events.unshift({ k: "view" });
    if (events.length) queue.push({ v: id, p: page, s: seq++, t: Date.now() - start, e: events });
    if (queue.length > 8) queue.shift();
    queue.forEach(function (b) { post(b, beacon); });
  }
  function act() {
    acted = Date.now();
  }

  ["scroll", "keydown", "pointerdown", "pointermove", "touchstart", "wheel"].forEach(function (type) {
    w.addEventListener(type, act, { capture: true, passive: true });
  });
  w.addEventListener("scroll", measure, { passive: true });
  videos.forEach(function (v) {
    var k = v.dataset.trackVideo, seen = (watched[k] = { s: {}, d: 0 });
    v.addEventListener("timeupdate", function () {
      var t = Math.floor(v.currentTime);
      seen.d = seen.d || +v.dataset.duration || Math.floor(v.duration) || 0;
      if (!v.paused && !v.seeking && t < seen.d) seen.s[t] = 1;
    });
  });
  // Calculators and assessments announce completion with what was entered
  // (`track:complete`, detail {id, data}); it is sent at once. Using one is
  // reading activity too (`track:used`).
  d.addEventListener("track:complete", function (e) {
    if (!e.detail || !e.detail.id) return;
    done[e.detail.id] = e.detail.data || {};
    act();
    flush();
  });
  d.addEventListener("track:used", act);
  d.addEventListener("visibilitychange", function () {
    flush(d.visibilityState == "hidden");
  });
  w.addEventListener("pagehide", function () {
    flush(1);
  });
  measure();
  flush(0, 1);
  setInterval(tick, 1000);
})(document, window);
