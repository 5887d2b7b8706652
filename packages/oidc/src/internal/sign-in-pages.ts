/**
 * The sign-in pages: plain HTML, no external resources. The only script is our own, served
 * from {@link WEBAUTHN_SCRIPT_PATH} on the same origin (the pages' Content-Security-Policy
 * allows no other, and no inline script); WebAuthn options travel as a JSON data block
 * (`<script type="application/json">`, never executed). Every form carries the interaction's
 * anti-CSRF token and posts to the interaction's own path.
 */
import qrcode from "qrcode-generator";

/** The interaction URL's path prefix (outside the provider's mount path, served by Fastify). */
export const SIGN_IN_PATH = "/signin";
export const WEBAUTHN_SCRIPT_PATH = `${SIGN_IN_PATH}/assets/webauthn.js`;

/** Sent with every sign-in page. */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "no-store",
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

/** JSON for a `<script type="application/json">` block: nothing in it can close the element. */
const jsonBlock = (value: unknown): string =>
  JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");

const STYLE =
  "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}" +
  "label{display:block;margin:.75rem 0}input:not([type=hidden]){display:block;width:100%;padding:.4rem;box-sizing:border-box}" +
  "button{margin:.75rem .5rem .75rem 0;padding:.5rem 1rem}[role=alert]{color:#a00}code{word-break:break-all}" +
  "section{border-top:1px solid #ccc;margin-top:1.5rem}dt{font-weight:bold}";

export function page(title: string, body: string, options: { script?: boolean } = {}): string {
  const script = options.script === true ? `<script src="${WEBAUTHN_SCRIPT_PATH}" defer></script>` : "";
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style>${script}</head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

const alert = (message: string | null): string => (message === null ? "" : `<p role="alert">${escapeHtml(message)}</p>`);
const action = (uid: string, step: string): string => `${SIGN_IN_PATH}/${encodeURIComponent(uid)}/${step}`;
const csrfField = (csrf: string): string => `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">`;

export function loginPage(uid: string, csrf: string, message: string | null, username = ""): string {
  return page(
    "Sign in",
    `${alert(message)}<form method="post" action="${action(uid, "login")}" autocomplete="on">${csrfField(csrf)}` +
      `<label>Email or username <input name="username" type="email" autocomplete="username" required value="${escapeHtml(username)}"></label>` +
      `<label>Password <input name="password" type="password" autocomplete="current-password" required></label>` +
      `<button type="submit">Sign in</button></form>`,
  );
}

function passkeyForm(uid: string, csrf: string, step: string, mode: "get" | "create", options: unknown, label: string): string {
  return (
    `<form method="post" action="${action(uid, step)}" id="passkey-form" data-webauthn="${mode}">${csrfField(csrf)}` +
    `<input type="hidden" name="response" value="">` +
    `<script type="application/json" id="webauthn-options">${jsonBlock(options)}</script>` +
    `<button type="button" id="passkey-button">${escapeHtml(label)}</button>` +
    `<p role="status" id="passkey-status"></p></form>`
  );
}

function totpForm(uid: string, csrf: string, step: string, label: string): string {
  return (
    `<form method="post" action="${action(uid, step)}">${csrfField(csrf)}` +
    `<label>${escapeHtml(label)} <input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,8}" required></label>` +
    `<button type="submit">Verify</button></form>`
  );
}

/** The second factor: the methods the user has that satisfy the requirement. */
export function verifyPage(
  uid: string,
  csrf: string,
  offer: { totp: boolean; passkeyOptions: unknown | null },
  message: string | null,
  reason: string,
): string {
  const parts: string[] = [alert(message), `<p>${escapeHtml(reason)}</p>`];
  if (offer.passkeyOptions !== null) {
    parts.push(`<section><h2>Passkey</h2>${passkeyForm(uid, csrf, "passkey", "get", offer.passkeyOptions, "Use my passkey")}</section>`);
  }
  if (offer.totp) {
    parts.push(`<section><h2>Authenticator app</h2>${totpForm(uid, csrf, "totp", "Code from your authenticator app")}</section>`);
  }
  return page("Verify your identity", parts.join(""), { script: offer.passkeyOptions !== null });
}

/** Registration of a method (security info), when the user has none that satisfies the requirement. */
export function registerChoicePage(uid: string, csrf: string, offer: { totp: boolean; passkey: boolean }, reason: string): string {
  const parts: string[] = [`<p>${escapeHtml(reason)}</p>`, "<p>Set up a sign-in method to continue.</p>"];
  if (offer.passkey) {
    parts.push(
      `<section><h2>Passkey</h2><form method="post" action="${action(uid, "register/passkey/start")}">${csrfField(csrf)}<button type="submit">Set up a passkey</button></form></section>`,
    );
  }
  if (offer.totp) {
    parts.push(
      `<section><h2>Authenticator app</h2><form method="post" action="${action(uid, "register/totp/start")}">${csrfField(csrf)}<button type="submit">Set up an authenticator app</button></form></section>`,
    );
  }
  return page("More information required", parts.join(""));
}

/** The otpauth URI as an inline SVG QR code (no script, no external image: allowed by the pages' CSP). */
export function totpQrCode(otpauthUri: string): string {
  const code = qrcode(0, "M");
  code.addData(otpauthUri, "Byte");
  code.make();
  const svg = code.createSvgTag({ cellSize: 4, margin: 4, scalable: true });
  return svg.replace("<svg ", '<svg role="img" aria-label="QR code of the authenticator key" width="200" height="200" ');
}

export function registerTotpPage(uid: string, csrf: string, secret: string, otpauthUri: string, message: string | null): string {
  return page(
    "Set up your authenticator app",
    `${alert(message)}<p>Scan this QR code with your authenticator app, or add an account with the key below, or open the link on the device that has the app.</p>` +
      `<figure id="totp-qr">${totpQrCode(otpauthUri)}</figure>` +
      `<dl><dt>Key</dt><dd><code id="totp-secret">${escapeHtml(secret.replace(/(.{4})/g, "$1 ").trim())}</code></dd>` +
      `<dt>Link</dt><dd><a id="totp-uri" href="${escapeHtml(otpauthUri)}"><code>${escapeHtml(otpauthUri)}</code></a></dd></dl>` +
      totpForm(uid, csrf, "register/totp", "Enter the code the app shows"),
  );
}

export function registerPasskeyPage(uid: string, csrf: string, options: unknown, message: string | null): string {
  return page(
    "Set up a passkey",
    `${alert(message)}<p>Create a passkey on this device or on a security key.</p>` +
      passkeyForm(uid, csrf, "register/passkey", "create", options, "Create a passkey"),
    { script: true },
  );
}

/** A refusal: the error code and the correlation id, then back to the application. */
export function blockedPage(uid: string, csrf: string, details: { errorCode: number; message: string; correlationId: string }): string {
  return page(
    "You cannot access this right now",
    `<p id="failure">${escapeHtml(details.message)}</p>` +
      `<dl><dt>Error code</dt><dd id="error-code">AADSTS${details.errorCode}</dd>` +
      `<dt>Correlation ID</dt><dd id="correlation-id">${escapeHtml(details.correlationId)}</dd></dl>` +
      `<form method="post" action="${action(uid, "continue")}">${csrfField(csrf)}<button type="submit">Back to the application</button></form>`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<p>${escapeHtml(message)}</p>`);
}

/**
 * The passkey ceremony, hand-written (no library, no CDN): reads the options block, converts
 * base64url fields to ArrayBuffers for `navigator.credentials.create()` / `.get()`, converts
 * the answer back to the JSON @simplewebauthn/server verifies, and posts it with the form.
 */
export const WEBAUTHN_SCRIPT = `"use strict";
(function () {
  var form = document.getElementById("passkey-form");
  if (!form) return;
  var status = document.getElementById("passkey-status");
  var button = document.getElementById("passkey-button");
  function toBuffer(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }
  function toText(buffer) {
    if (!buffer) return undefined;
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  }
  function descriptors(list) {
    return (list || []).map(function (c) {
      var d = { type: c.type || "public-key", id: toBuffer(c.id) };
      if (c.transports) d.transports = c.transports;
      return d;
    });
  }
  function run() {
    var options = JSON.parse(document.getElementById("webauthn-options").textContent);
    var mode = form.getAttribute("data-webauthn");
    button.disabled = true;
    status.textContent = "Waiting for your passkey...";
    var publicKey = Object.assign({}, options, { challenge: toBuffer(options.challenge) });
    var ceremony;
    if (mode === "create") {
      publicKey.user = Object.assign({}, options.user, { id: toBuffer(options.user.id) });
      publicKey.excludeCredentials = descriptors(options.excludeCredentials);
      ceremony = navigator.credentials.create({ publicKey: publicKey });
    } else {
      publicKey.allowCredentials = descriptors(options.allowCredentials);
      ceremony = navigator.credentials.get({ publicKey: publicKey });
    }
    ceremony
      .then(function (credential) {
        var r = credential.response;
        var response = { clientDataJSON: toText(r.clientDataJSON) };
        if (mode === "create") {
          response.attestationObject = toText(r.attestationObject);
          if (r.getTransports) response.transports = r.getTransports();
          if (r.getPublicKeyAlgorithm) response.publicKeyAlgorithm = r.getPublicKeyAlgorithm();
          if (r.getPublicKey) response.publicKey = toText(r.getPublicKey());
          if (r.getAuthenticatorData) response.authenticatorData = toText(r.getAuthenticatorData());
        } else {
          response.authenticatorData = toText(r.authenticatorData);
          response.signature = toText(r.signature);
          if (r.userHandle) response.userHandle = toText(r.userHandle);
        }
        var json = {
          id: credential.id,
          rawId: toText(credential.rawId),
          type: credential.type,
          response: response,
          clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
        };
        if (credential.authenticatorAttachment) json.authenticatorAttachment = credential.authenticatorAttachment;
        form.elements.namedItem("response").value = JSON.stringify(json);
        form.submit();
      })
      .catch(function (error) {
        button.disabled = false;
        status.textContent = "The passkey was not used (" + (error && error.name ? error.name : "error") + "). Try again.";
      });
  }
  if (!window.PublicKeyCredential || !navigator.credentials) {
    status.textContent = "This browser does not support passkeys.";
    button.disabled = true;
    return;
  }
  button.addEventListener("click", run);
})();
`;
