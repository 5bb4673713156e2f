// The inspector page. It reads snapshots (server-sent events, or polling
// when they are not available) and renders them with DOM calls only:
// every name and value is set as text (textContent), never as markup, so
// user text such as a fiber named "<script>" is shown, not run.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  };
  const td = (text, cls) => el("td", cls, text);

  // when parses an RFC 3339 time; Go's zero time means unknown.
  const when = (t) => {
    const ms = Date.parse(t);
    return Number.isNaN(ms) || ms < 0 ? null : ms;
  };
  const duration = (secs) => {
    if (secs < 1) return Math.round(secs * 1000) + " ms";
    if (secs < 60) return secs.toFixed(1) + " s";
    const m = Math.floor(secs / 60);
    if (m < 60) return m + " min " + Math.round(secs - m * 60) + " s";
    return Math.floor(m / 60) + " h " + (m % 60) + " min";
  };
  const since = (t, now) => {
    const a = when(t), b = when(now);
    return a === null || b === null ? "—" : duration(Math.max(0, (b - a) / 1000));
  };
  const metricValue = (m) => {
    if (m.unit === "bytes") {
      const units = ["B", "KiB", "MiB", "GiB"];
      let v = m.value, i = 0;
      while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
      return (i ? v.toFixed(1) : v) + " " + units[i];
    }
    if (m.unit === "seconds") return duration(m.value);
    return Number.isInteger(m.value) ? String(m.value) : m.value.toFixed(3);
  };

  function renderMetrics(s) {
    const rows = s.metrics.map((m) => {
      const tr = el("tr");
      tr.append(td(m.name), td(metricValue(m), "num"));
      if (m.help) tr.title = m.help;
      return tr;
    });
    $("metrics").tBodies[0].replaceChildren(...rows);
  }

  function cancelButton(id) {
    const b = el("button", "cancel", "cancel");
    b.type = "button";
    b.addEventListener("click", async () => {
      b.disabled = true;
      try {
        const r = await fetch("actions/cancel-request?id=" + encodeURIComponent(id), { method: "POST" });
        b.textContent = r.ok ? "cancelled" : "refused (" + r.status + ")";
      } catch (e) {
        b.textContent = "failed";
      }
    });
    return b;
  }

  function renderRequests(s) {
    const rows = s.requests.map((r) => {
      const tr = el("tr");
      tr.dataset.requestId = String(r.id);
      tr.append(td(r.id, "num"), td(r.label, "name"), td(since(r.started, s.taken)),
        td(r.fiber ? "#" + r.fiber : "—"), td(r.scope ? "#" + r.scope : "—"));
      const act = el("td");
      if (s.actions) act.append(cancelButton(r.id));
      tr.append(act);
      return tr;
    });
    $("requests").tBodies[0].replaceChildren(...rows);
    $("requests-empty").hidden = rows.length > 0;
  }

  function fiberNode(f, kids, s) {
    const li = el("li", "fiber");
    li.dataset.fiberId = String(f.id);
    li.dataset.status = f.status;
    const line = el("div", "line");
    line.append(el("span", "id", "#" + f.id + " "));
    if (f.name) line.append(el("span", "name", f.name), " ");
    line.append(el("span", "status status-" + f.status, f.status));
    if (f.blockedOn) {
      line.append(" on ", el("span", "blocked", f.blockedOn));
    }
    line.append(el("span", "since", " for " + since(f.since, s.taken)));
    if (f.interrupting) line.append(" ", el("span", "interrupting", "interrupting"));
    li.append(line);
    const children = kids.get(f.id);
    if (children && children.length) {
      const ul = el("ul", "tree");
      for (const c of children) ul.append(fiberNode(c, kids, s));
      li.append(ul);
    }
    return li;
  }

  function renderFibers(s) {
    const byId = new Map(s.fibers.map((f) => [f.id, f]));
    const kids = new Map();
    const roots = new Map(); // scope id -> fibers started from plain Go
    const push = (m, k, v) => { if (!m.has(k)) m.set(k, []); m.get(k).push(v); };
    for (const f of s.fibers) {
      if (f.parent && byId.has(f.parent)) push(kids, f.parent, f);
      else push(roots, f.scope, f);
    }
    const scopes = new Map(s.scopes.map((sc) => [sc.id, sc]));
    const top = el("ul", "tree");
    for (const [scopeId, fibers] of roots) {
      const li = el("li", "scope");
      const sc = scopes.get(scopeId);
      li.append(el("div", "scope-head", "scope #" + scopeId + (sc && sc.label ? " (" + sc.label + ")" : "")));
      const ul = el("ul", "tree");
      for (const f of fibers) ul.append(fiberNode(f, kids, s));
      li.append(ul);
      top.append(li);
    }
    $("fibers").replaceChildren(top);
    $("fibers-empty").hidden = s.fibers.length > 0;
    if (s.truncated) $("fibers").append(el("p", "hint", s.truncated + " more fibers not listed"));
  }

  function renderDeadlocks(s) {
    const items = s.deadlocks.map((d) => {
      const li = el("li", "deadlock", d.description);
      li.dataset.fibers = d.fibers.join(",");
      return li;
    });
    $("deadlocks").replaceChildren(...items);
    $("deadlocks-empty").hidden = items.length > 0;
  }

  function renderScopes(s) {
    const rows = s.scopes.map((sc) => {
      const tr = el("tr");
      tr.append(td(sc.id, "num"), td(sc.parent || "—", "num"), td(sc.owner ? "#" + sc.owner : "—"),
        td(sc.label), td(since(sc.opened, s.taken)));
      return tr;
    });
    $("scopes").tBodies[0].replaceChildren(...rows);
  }

  function render(s) {
    const title = s.title ? s.title + " — gogoscope inspector" : "gogoscope inspector";
    document.title = title;
    $("title").textContent = title;
    renderMetrics(s);
    renderRequests(s);
    renderFibers(s);
    renderDeadlocks(s);
    renderScopes(s);
    $("notes").replaceChildren(...s.notes.map((n) => el("li", "note", n)));
    document.body.dataset.taken = s.taken;
  }

  function setState(state, text) {
    const st = $("status");
    st.dataset.state = state;
    st.textContent = text + " · " + new Date().toLocaleTimeString();
  }

  let interval = 1000;
  let polling = false;
  async function poll() {
    try {
      const r = await fetch("snapshot.json", { cache: "no-store" });
      if (!r.ok) throw new Error("HTTP " + r.status);
      const s = await r.json();
      interval = s.intervalMs || interval;
      render(s);
      setState("polling", "polling");
    } catch (e) {
      setState("disconnected", "disconnected (" + e.message + ")");
    }
    setTimeout(poll, interval);
  }
  function startPolling() {
    if (polling) return;
    polling = true;
    poll();
  }

  if (window.EventSource) {
    const es = new EventSource("events");
    es.onmessage = (e) => {
      const s = JSON.parse(e.data);
      interval = s.intervalMs || interval;
      render(s);
      setState("live", "live");
    };
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) {
        startPolling();
      } else {
        setState("polling", "reconnecting");
      }
    };
  } else {
    startPolling();
  }
})();
