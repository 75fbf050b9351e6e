// The token console. Session: the demo user signs in with the password grant of the public client
// "token-console"; the access token (5 minutes, scope "tokens") and the refresh token live only in this page's
// memory (never in localStorage or a cookie, so no other page and no CSRF can use them), and the refresh token is
// rotated before the access token expires. Reloading the page signs out.
"use strict";

(() => {
  const CLIENT_ID = "token-console";
  const session = { accessToken: null, refreshToken: null, refreshTimer: null, demo: false };
  const $ = (id) => document.getElementById(id);

  async function issuerPost(path, fields) {
    const r = await fetch("/demo-issuer/" + path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : {} };
  }

  async function api(method, path, body) {
    const headers = { Authorization: "Bearer " + session.accessToken };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let json = {};
    try { json = text ? JSON.parse(text) : {}; } catch (e) { json = { detail: text }; }
    if (r.status === 401) signOut("Your session ended; sign in again.");
    return { status: r.status, body: json };
  }

  function accept(tokenResponse) {
    session.accessToken = tokenResponse.access_token;
    session.refreshToken = tokenResponse.refresh_token || null;
    clearTimeout(session.refreshTimer);
    if (session.refreshToken) {
      const inMs = Math.max(10, (tokenResponse.expires_in || 300) - 30) * 1000;
      session.refreshTimer = setTimeout(refresh, inMs);
    }
  }

  async function refresh() {
    const r = await issuerPost("token", { grant_type: "refresh_token", refresh_token: session.refreshToken, client_id: CLIENT_ID });
    if (r.status === 200) accept(r.body); else signOut("Your session ended; sign in again.");
  }

  async function signIn(event) {
    event.preventDefault();
    $("sign-in-error").textContent = "";
    const r = await issuerPost("token", {
      grant_type: "password", client_id: CLIENT_ID, scope: "tokens",
      username: $("username").value, password: $("password").value,
    });
    if (r.status !== 200) {
      $("sign-in-error").textContent = r.body.error_description || "Sign-in failed.";
      return;
    }
    $("password").value = "";
    accept(r.body);
    await enter();
  }

  async function usePastedToken(event) {
    event.preventDefault();
    accept({ access_token: $("pasted-token").value.trim() });
    $("pasted-token").value = "";
    await enter();
  }

  async function enter() {
    const me = await api("GET", "/api/me");
    if (me.status !== 200) {
      $("sign-in-error").textContent = me.body.detail || "The token was refused.";
      return;
    }
    $("who").textContent = me.body.subject;
    $("sign-in-section").hidden = true;
    $("signed-in").hidden = false;
    await Promise.all([loadTokens(), loadCalls(), loadRevocations()]);
    refreshCharts();
  }

  // charts.js draws the token activity with this page's API session
  function refreshCharts() {
    if (session.accessToken) document.dispatchEvent(new CustomEvent("console:refresh", { detail: { api } }));
  }

  function signOut(message) {
    if (session.refreshToken && session.demo) {
      issuerPost("revoke", { token: session.refreshToken, client_id: CLIENT_ID });
    }
    clearTimeout(session.refreshTimer);
    session.accessToken = null;
    session.refreshToken = null;
    $("signed-in").hidden = true;
    $("sign-in-section").hidden = false;
    $("new-token-box").hidden = true;
    $("new-token").value = "";
    $("sign-in-error").textContent = typeof message === "string" ? message : "";
  }

  function cell(row, text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function when(iso) {
    return iso ? new Date(iso).toLocaleString() : "—";
  }

  async function loadTokens() {
    const r = await api("GET", "/console/api/tokens");
    if (r.status !== 200) return;
    const body = $("tokens").querySelector("tbody");
    body.replaceChildren();
    const filter = $("call-filter");
    const selected = filter.value;
    filter.replaceChildren(new Option("all calls", ""));
    for (const t of r.body.tokens) {
      const row = document.createElement("tr");
      row.dataset.tokenId = t.id;
      cell(row, t.name, "name");
      cell(row, t.scopes.join(" "), "scopes");
      cell(row, t.status, "status");
      cell(row, expiry(t), "expires");
      cell(row, t.rotated_at ? when(t.rotated_at) : "never", "last-rotated");
      cell(row, when(t.last_used_at), "last-used");
      cell(row, t.last_used_address || "—", "last-address");
      const actions = cell(row, "");
      if (t.status === "active") actions.appendChild(button("rotate", "Rotate", t, () => rotate(t)));
      if (t.status === "active" || t.status === "rotated") actions.appendChild(button("revoke", "Revoke", t, () => revoke(t)));
      body.appendChild(row);
      filter.appendChild(new Option(t.name, t.id));
    }
    filter.value = selected;
    $("no-tokens").hidden = r.body.tokens.length > 0;
  }

  function button(className, label, token, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.textContent = label;
    b.setAttribute("aria-label", label + " " + token.name);
    b.addEventListener("click", onClick);
    return b;
  }

  function expiry(t) {
    if (!t.expires_at) return "never";
    if (t.expires_in_days === undefined) return when(t.expires_at);
    const n = t.expires_in_days;
    return when(t.expires_at) + " (expires in " + n + (n === 1 ? " day)" : " days)");
  }

  function showNewToken(token, note) {
    $("new-token").value = token;
    $("copy-status").textContent = "";
    $("rotation-note").textContent = note || "";
    $("rotation-note").hidden = !note;
    $("new-token-box").hidden = false;
  }

  async function rotate(token) {
    if (!window.confirm("Rotate \"" + token.name + "\"? A new secret is issued; the old one keeps working for a "
        + "grace period, so deploy the new one before it ends.")) return;
    const r = await api("POST", "/console/api/tokens/" + encodeURIComponent(token.id) + "/rotate");
    if (r.status !== 201) {
      $("create-error").textContent = r.body.detail || "The token could not be rotated.";
      return;
    }
    showNewToken(r.body.token, "The old secret of \"" + token.name + "\" works until "
        + when(r.body.old_token_works_until) + "; its calls are marked \"rotated\" below until no client uses it.");
    await Promise.all([loadTokens(), loadCalls()]);
    $("new-token").focus();
    $("new-token").select();
  }

  async function createToken(event) {
    event.preventDefault();
    $("create-error").textContent = "";
    const scopes = ["read", "trade", "withdraw"].filter((s) => $("scope-" + s).checked);
    const ranges = $("ranges").value.split(",").map((s) => s.trim()).filter((s) => s);
    const days = $("expiry").value;
    const r = await api("POST", "/console/api/tokens", {
      name: $("token-name").value.trim(), scopes,
      expires_in_days: days ? Number(days) : null, allowed_ranges: ranges,
    });
    if (r.status !== 201) {
      $("create-error").textContent = r.body.detail || "The token could not be created.";
      return;
    }
    showNewToken(r.body.token);
    $("create-form").reset();
    $("withdraw-warning").hidden = true;
    await loadTokens();
    $("new-token").focus();
    $("new-token").select();
  }

  async function copyToken() {
    const value = $("new-token").value;
    try {
      await navigator.clipboard.writeText(value);
    } catch (e) {
      $("new-token").select();
      document.execCommand("copy");
    }
    $("copy-status").textContent = "Copied.";
  }

  async function revoke(token) {
    if (!window.confirm("Revoke \"" + token.name + "\"? Calls with it will be refused from now on.")) return;
    const r = await api("DELETE", "/console/api/tokens/" + encodeURIComponent(token.id));
    if (r.status === 204) await Promise.all([loadTokens(), loadCalls(), loadRevocations()]);
  }

  async function loadCalls() {
    if (!session.accessToken) return;
    const filter = $("call-filter").value;
    const r = await api("GET", "/console/api/calls?limit=50" + (filter ? "&token=" + encodeURIComponent(filter) : ""));
    if (r.status !== 200) return;
    const body = $("calls").querySelector("tbody");
    body.replaceChildren();
    for (const c of r.body.calls) {
      const row = document.createElement("tr");
      const denied = c.decision === "deny" || c.decision === "rate_limited";
      if (denied) row.className = "denied";
      cell(row, new Date(c.time).toLocaleTimeString(), "time");
      cell(row, c.token || c.client_id || c.subject || "(no token)", "who");
      cell(row, c.method, "method");
      cell(row, c.path, "path");
      const marks = c.marks && c.marks.length ? " [" + c.marks.join(", ") + "]" : "";
      cell(row, (denied ? "DENIED" + (c.error ? " (" + c.error + ")" : "") : c.decision) + marks, "decision");
      cell(row, String(c.status), "status");
      body.appendChild(row);
    }
  }

  async function loadRevocations() {
    if (!session.accessToken) return;
    const r = await api("GET", "/console/api/revocations");
    if (r.status !== 200) return;
    const body = $("revocations").querySelector("tbody");
    body.replaceChildren();
    for (const v of r.body.revocations) {
      const row = document.createElement("tr");
      cell(row, when(v.revoked_at), "time");
      cell(row, v.target.replace("_", " ") + " " + v.value, "revoked");
      cell(row, v.reason, "reason");
      cell(row, v.expires_at ? when(v.expires_at) : "lifted by hand", "until");
      body.appendChild(row);
    }
    $("no-revocations").hidden = r.body.revocations.length > 0;
  }

  async function init() {
    $("sign-in-form").addEventListener("submit", signIn);
    $("paste-form").addEventListener("submit", usePastedToken);
    $("create-form").addEventListener("submit", createToken);
    $("copy").addEventListener("click", copyToken);
    $("sign-out").addEventListener("click", () => signOut());
    $("refresh-calls").addEventListener("click", loadCalls);
    $("call-filter").addEventListener("change", loadCalls);
    $("scope-withdraw").addEventListener("change", (e) => { $("withdraw-warning").hidden = !e.target.checked; });
    setInterval(() => { loadCalls(); loadRevocations(); refreshCharts(); }, 5000);
    const discovery = await fetch("/demo-issuer/.well-known/openid-configuration");
    session.demo = discovery.status === 200;
    $("demo-banner").hidden = !session.demo;
    $(session.demo ? "sign-in-form" : "paste-form").hidden = false;
  }

  document.addEventListener("DOMContentLoaded", init);
})();
