// The console's withdrawal walk-through: step-up authentication (RFC 9470) and proof of possession (DPoP, RFC 9449).
// The browser makes an ECDSA P-256 key with WebCrypto whose private half cannot be exported; both sign-ins ask the
// demo issuer for a token bound to it (dpop_jkt, its RFC 7638 thumbprint), and each withdrawal carries a fresh DPoP
// proof signed with it. The password sign-in is refused (its acr is "pwd"); the sign-in with the one-time code
// withdraws; the same token sent as a plain Bearer token is refused, since whoever copied it has no key to prove.
// Tokens and the password live only in this closure, never in storage.
"use strict";

(() => {
  const CLIENT_ID = "token-console";
  const WITHDRAWAL = { currency: "EUR", amount: "100", address: "DE89370400440532013000" };
  const $ = (id) => document.getElementById(id);
  const state = { key: null, jwk: null, jkt: null, password: null, token: null };

  const encoder = new TextEncoder();

  function base64url(bytes) {
    let s = "";
    for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  async function sha256(text) {
    return crypto.subtle.digest("SHA-256", encoder.encode(text));
  }

  /** The browser's DPoP key: made once per page, its private key not extractable. */
  async function key() {
    if (state.key) return state.key;
    state.key = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
    const pub = await crypto.subtle.exportKey("jwk", state.key.publicKey);
    state.jwk = { kty: "EC", crv: "P-256", x: pub.x, y: pub.y };
    // RFC 7638: the required members in lexicographic order, no white space
    state.jkt = base64url(await sha256(JSON.stringify({ crv: "P-256", kty: "EC", x: pub.x, y: pub.y })));
    $("stepup-key").textContent = "This page's DPoP key (ECDSA P-256, private key not extractable), thumbprint "
        + state.jkt + ".";
    return state.key;
  }

  /** A DPoP proof for one request with this access token (RFC 9449 §4.2). */
  async function proof(method, url, accessToken) {
    const k = await key();
    const header = { typ: "dpop+jwt", alg: "ES256", jwk: state.jwk };
    const payload = {
      jti: crypto.randomUUID(), htm: method, htu: url, iat: Math.floor(Date.now() / 1000),
      ath: base64url(await sha256(accessToken)),
    };
    const input = base64url(encoder.encode(JSON.stringify(header))) + "." + base64url(encoder.encode(JSON.stringify(payload)));
    const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, k.privateKey, encoder.encode(input));
    return input + "." + base64url(signature); // WebCrypto's ECDSA signature is r || s, as JWS wants it
  }

  /** A sign-in of the demo user for the scope withdraw, its token bound to this page's key. */
  async function signIn(otp) {
    await key();
    const fields = {
      grant_type: "password", client_id: CLIENT_ID, scope: "withdraw", username: $("username").value,
      password: state.password, dpop_jkt: state.jkt,
    };
    if (otp !== undefined) fields.otp = otp;
    const r = await fetch("/demo-issuer/token", {
      method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields),
    });
    const body = await r.json().catch(() => ({}));
    if (r.status !== 200) throw new Error(body.error_description || "The sign-in failed (" + r.status + ").");
    return body.access_token;
  }

  /** The token's claims, read for display only (the API verifies it). */
  function claims(token) {
    try {
      const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(atob(part));
    } catch (e) {
      return {};
    }
  }

  async function withdraw(token, scheme) {
    const url = location.origin + "/api/withdrawals";
    const headers = { "Content-Type": "application/json", Authorization: scheme + " " + token };
    if (scheme === "DPoP") headers.DPoP = await proof("POST", url, token);
    const r = await fetch(url, { method: "POST", headers, body: JSON.stringify(WITHDRAWAL) });
    const text = await r.text();
    let body = {};
    try { body = text ? JSON.parse(text) : {}; } catch (e) { body = { detail: text }; }
    return { status: r.status, challenge: r.headers.get("WWW-Authenticate") || "", body };
  }

  /** A parameter of the challenge: the first one of that name (the error is in the challenge of the scheme used). */
  function param(challenge, name) {
    const m = new RegExp("(?:^|[ ,])" + name + "=\"([^\"]*)\"").exec(challenge);
    return m ? m[1] : null;
  }

  function show(id, text, ok) {
    const el = $(id);
    el.textContent = text;
    el.className = ok ? "ok" : "error";
    el.hidden = false;
  }

  function refusal(r) {
    return r.status + " " + (param(r.challenge, "error") || r.body.error || "") + ": "
        + (param(r.challenge, "error_description") || r.body.detail || "");
  }

  async function stepOne(event) {
    event.preventDefault();
    for (const id of ["stepup-status-1", "stepup-status-2", "stepup-status-3"]) $(id).hidden = true;
    $("stepup-challenge").hidden = true;
    $("stepup-otp-form").hidden = true;
    $("stepup-bearer").hidden = true;
    state.password = $("stepup-password").value;
    $("stepup-password").value = "";
    try {
      const token = await signIn();
      const r = await withdraw(token, "DPoP");
      if (r.status !== 401 || param(r.challenge, "error") !== "insufficient_user_authentication") {
        show("stepup-status-1", "Expected a refusal, got " + refusal(r), false);
        return;
      }
      show("stepup-status-1", "Refused: " + refusal(r), false);
      const acr = param(r.challenge, "acr_values");
      const maxAge = param(r.challenge, "max_age");
      $("stepup-token-acr").textContent = claims(token).acr || "(none)";
      $("stepup-acr-values").textContent = acr || "(any)";
      $("stepup-max-age").textContent = maxAge ? maxAge + " s" : "(no limit)";
      $("stepup-challenge").hidden = false;
      $("stepup-otp-form").hidden = false;
      $("stepup-otp").focus();
    } catch (e) {
      show("stepup-status-1", e.message, false);
    }
  }

  async function stepTwo(event) {
    event.preventDefault();
    const otp = $("stepup-otp").value.trim();
    $("stepup-otp").value = "";
    try {
      const token = await signIn(otp);
      state.password = null;
      state.token = token;
      const r = await withdraw(token, "DPoP");
      if (r.status !== 201) {
        show("stepup-status-2", "Refused: " + refusal(r), false);
        return;
      }
      show("stepup-status-2", "Withdrawn: " + r.body.amount + " " + r.body.currency + " (withdrawal " + r.body.id
          + "), with a token of acr " + claims(token).acr + " bound to this page's key and a DPoP proof.", true);
      $("stepup-otp-form").hidden = true;
      $("stepup-bearer").hidden = false;
    } catch (e) {
      show("stepup-status-2", e.message, false);
    }
  }

  async function stepThree() {
    const r = await withdraw(state.token, "Bearer");
    show("stepup-status-3", (r.status === 401 ? "Refused as a plain Bearer token: " : "Not refused: ") + refusal(r)
        + (r.status === 401 ? " A copy of the token is useless without this page's private key." : ""), r.status === 401);
  }

  function init() {
    if (!window.crypto || !crypto.subtle) {
      show("stepup-status-1", "This walk-through needs WebCrypto: open the console over https or on localhost.", false);
      $("stepup-sign-in").disabled = true;
      return;
    }
    $("stepup-form").addEventListener("submit", stepOne);
    $("stepup-otp-form").addEventListener("submit", stepTwo);
    $("stepup-bearer").addEventListener("click", stepThree);
  }

  document.addEventListener("DOMContentLoaded", init);
})();
