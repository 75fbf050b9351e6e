// The token console's charts: each token's calls per minute over the last hour (stacked by decision), its rate-limit
// headroom, where it was used from, any automatic revocation, and the account's last 24 hours. Drawn as inline SVG
// from GET /console/api/activity, with no library and no inline style (the page's CSP allows neither).
// console.js fires "console:refresh" with its API function once signed in and on each poll.
"use strict";

(() => {
  const SVG = "http://www.w3.org/2000/svg";
  const DECISIONS = [
    { key: "allowed", label: "allowed" },
    { key: "denied_scope", label: "denied: scope" },
    { key: "rate_limited", label: "rate-limited (429)" },
    { key: "refused", label: "refused: revoked or invalid" },
  ];
  const $ = (id) => document.getElementById(id);
  let api = null;

  function el(name, attrs, text) {
    const e = name.startsWith("svg:") ? document.createElementNS(SVG, name.slice(4)) : document.createElement(name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function clock(iso) {
    return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  // a time of today as a time, an older one with its date
  function when(iso) {
    if (!iso) return "—";
    const d = new Date(iso);
    return d.toDateString() === new Date().toDateString() ? d.toLocaleTimeString()
      : d.toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  }

  function total(slot) {
    return DECISIONS.reduce((n, d) => n + slot[d.key], 0);
  }

  // A stacked bar chart: one column per slot, one rect per non-zero decision, each rect carrying its data.
  function stackedChart(slots, options) {
    const width = 600;
    const height = 120;
    const top = 4;
    const bottom = 2;
    const column = width / slots.length;
    const max = Math.max(1, ...slots.map(total));
    const scale = (height - top - bottom) / max;
    const svg = el("svg:svg", {
      viewBox: "0 0 " + width + " " + height, class: "chart " + options.className, role: "img",
      "aria-label": options.label, preserveAspectRatio: "none",
    });
    svg.appendChild(el("svg:title", {}, options.label));
    svg.appendChild(el("svg:line", { x1: 0, y1: height - bottom, x2: width, y2: height - bottom, class: "axis" }));
    slots.forEach((slot, i) => {
      let y = height - bottom;
      const denied = total(slot) - slot.allowed;
      for (const d of DECISIONS) {
        const n = slot[d.key];
        if (!n) continue;
        const h = Math.max(1, n * scale);
        y -= h;
        const rect = el("svg:rect", {
          x: (i * column + column * 0.1).toFixed(2), y: y.toFixed(2), width: (column * 0.8).toFixed(2),
          height: h.toFixed(2), class: "bar d-" + d.key, "data-start": slot.start, "data-decision": d.key,
          "data-count": n,
        });
        rect.appendChild(el("svg:title", {}, clock(slot.start) + ": " + n + " " + d.label));
        svg.appendChild(rect);
      }
      if (options.markDenied && denied > 0) { // the timeline's denied slots stand out above the bars
        const w = Math.max(column, 5); // visible on a phone, where a 5-minute column is 1 px wide
        svg.appendChild(el("svg:rect", {
          x: Math.max(0, Math.min(width - w, i * column + column / 2 - w / 2)).toFixed(2), y: 0, width: w.toFixed(2),
          height: 4, class: "denied-mark",
          "data-start": slot.start, "data-count": denied,
        }));
      }
    });
    // the labels are HTML below the chart, so that they keep their size however the chart is stretched
    const figure = el("figure", { class: "chart-box" });
    figure.appendChild(svg);
    const axis = figure.appendChild(el("figcaption", { class: "axis-labels" }));
    axis.appendChild(el("span", {}, clock(slots[0].start)));
    axis.appendChild(el("span", {}, "highest " + max + options.unit));
    axis.appendChild(el("span", {}, "now"));
    return figure;
  }

  function gauge(limit) {
    const box = el("div", {
      class: "gauge", "data-used": limit.used, "data-limit": limit.limit, "data-remaining": limit.remaining,
    });
    const id = "gauge-" + Math.random().toString(36).slice(2);
    box.appendChild(el("label", { for: id }, "Rate limit"));
    const meter = el("meter", {
      id, min: 0, max: limit.limit, value: limit.used, low: Math.floor(limit.limit * 0.7),
      high: Math.floor(limit.limit * 0.9), optimum: 0,
    });
    meter.textContent = limit.used + "/" + limit.limit;
    box.appendChild(meter);
    const window = limit.window_seconds % 60 === 0 ? limit.window_seconds / 60 + " min" : limit.window_seconds + " s";
    box.appendChild(el("span", { class: "gauge-text" }, limit.used + " of " + limit.limit + " calls in this " + window
        + " window, " + limit.remaining + " left" + (limit.used ? "; it resets in " + limit.resets_in_seconds + " s" : "")));
    return box;
  }

  function seenTable(rows, what, caption) {
    const table = el("table", { class: "seen " + what });
    table.appendChild(el("caption", { class: "visually-hidden" }, caption));
    const head = el("tr");
    for (const h of [what === "networks" ? "Network" : "Country", "First seen", "Last seen", "Calls"]) {
      head.appendChild(el("th", { scope: "col" }, h));
    }
    table.appendChild(el("thead")).appendChild(head);
    const body = table.appendChild(el("tbody"));
    for (const r of rows) {
      const row = el("tr");
      row.appendChild(el("td", { class: "where" }, r.network || r.country));
      row.appendChild(el("td", { class: "first-seen" }, when(r.first_seen)));
      row.appendChild(el("td", { class: "last-seen" }, when(r.last_seen)));
      row.appendChild(el("td", { class: "calls" }, String(r.calls)));
      body.appendChild(row);
    }
    return table;
  }

  function card(t) {
    const article = el("article", { class: "token-card", "data-token-id": t.token_id });
    article.appendChild(el("h3", {}, t.name || t.fingerprint));
    const calls = t.minutes.reduce((n, m) => n + total(m), 0);
    article.appendChild(el("p", { class: "hint" }, calls + " calls in the last hour"));
    if (t.auto_revocation) {
      const a = t.auto_revocation;
      const p = el("p", { class: "auto-revocation", role: "alert", "data-rule": a.rule });
      p.appendChild(el("strong", {}, "Revoked automatically"));
      p.appendChild(document.createTextNode(" at " + when(a.time) + " by the " + a.rule + " rule: "));
      p.appendChild(el("span", { class: "reason" }, a.reason));
      const seen = a.networks || a.countries;
      if (seen) p.appendChild(el("span", { class: "seen-list" }, " (" + a.rule + ": " + seen.join(", ") + ")"));
      article.appendChild(p);
    }
    article.appendChild(stackedChart(t.minutes, {
      className: "hour", unit: "/min", label: "Calls per minute with " + (t.name || "this token") + " over the last hour",
    }));
    if (t.rate_limit) article.appendChild(gauge(t.rate_limit));
    if (t.networks.length) article.appendChild(seenTable(t.networks, "networks", "Networks this token was used from"));
    if (t.countries.length) article.appendChild(seenTable(t.countries, "countries", "Countries this token was used from"));
    return article;
  }

  function legend() {
    const box = $("activity-legend");
    if (box.childElementCount) return;
    for (const d of DECISIONS) {
      const item = el("span", { class: "legend-item" });
      const swatch = el("svg:svg", { viewBox: "0 0 10 10", class: "swatch", "aria-hidden": "true" });
      swatch.appendChild(el("svg:rect", { x: 0, y: 0, width: 10, height: 10, class: "d-" + d.key }));
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(" " + d.label));
      box.appendChild(item);
    }
  }

  async function load() {
    if (!api) return;
    const filter = $("timeline-filter");
    const only = filter.value;
    const r = await api("GET", "/console/api/activity" + (only ? "?token=" + encodeURIComponent(only) : ""));
    if (r.status !== 200) return;
    legend();
    const body = r.body;
    const tokens = body.tokens;
    if (!only) { // the filter lists the tokens with activity
      filter.replaceChildren(new Option("all your tokens", ""));
      for (const t of tokens) filter.appendChild(new Option(t.name || t.fingerprint, t.token_id));
      filter.value = only;
    }
    $("token-cards").replaceChildren(...tokens.map(card));
    $("no-activity").hidden = tokens.length > 0;
    const denied = body.slots.reduce((n, s) => n + total(s) - s.allowed, 0);
    const timeline = $("timeline");
    timeline.dataset.denied = denied;
    timeline.replaceChildren(stackedChart(body.slots, {
      className: "day", unit: "/5 min", markDenied: true,
      label: "Calls per 5 minutes over the last 24 hours, denied calls marked in red",
    }));
    $("timeline-summary").textContent = body.slots.reduce((n, s) => n + total(s), 0) + " calls in the last 24 hours, "
        + denied + " denied" + (only ? " (one token)" : "");
  }

  document.addEventListener("console:refresh", (e) => {
    api = e.detail.api;
    load();
  });
  document.addEventListener("DOMContentLoaded", () => {
    $("timeline-filter").addEventListener("change", load);
    $("refresh-activity").addEventListener("click", load);
  });
})();
