/**
 * The device authorization grant's pages (oidc-provider's `features.deviceFlow` sources): the
 * user code input, the confirmation (which client, which code, from where) and the success
 * page. Plain, accessible HTML like the sign-in pages: one `<main>`, labelled fields, an
 * `role="alert"` message on errors, no script, no external resources. The forms carry
 * oidc-provider's own anti-CSRF value (`xsrf`, bound to the browser session); it is taken from
 * the form oidc-provider renders, so it is always the one it checks. After the confirmation the
 * provider sends the browser to the sign-in page (`/signin/:uid`), where the user signs in and
 * Conditional Access decides with the device code flow's context (R30).
 */
import type { KoaContextWithOIDC } from "oidc-provider";

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

/** The attribute values of oidc-provider's form: its action, the xsrf token and the user code. */
export function formFields(form: string): { action: string; xsrf: string; userCode: string } {
  const unescapeHtml = (raw: string): string =>
    // oidc-provider escapes values with its htmlSafe; undo it before they are escaped again.
    raw
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&");
  const inputValue = (name: string): string => {
    for (const tag of form.match(/<input\b[^>]*>/g) ?? []) {
      if (!tag.includes(`name="${name}"`)) continue;
      return unescapeHtml(/\bvalue="([^"]*)"/.exec(tag)?.[1] ?? "");
    }
    return "";
  };
  return {
    action: unescapeHtml(/<form\b[^>]*\baction="([^"]*)"/.exec(form)?.[1] ?? ""),
    xsrf: inputValue("xsrf"),
    userCode: inputValue("user_code"),
  };
}

function send(ctx: KoaContextWithOIDC, html: string): void {
  ctx.type = "html";
  ctx.set("cache-control", "no-store");
  ctx.body = html;
}

function errorMessage(err: unknown): string | null {
  if (err === undefined || err === null) return null;
  const name = (err as { name?: string }).name;
  const hasCode = typeof (err as { userCode?: unknown }).userCode === "string";
  if (name === "NoCodeError") return "Enter the code shown on your device.";
  if (name === "NotFoundError" || (hasCode && name === undefined)) return "That code is not valid. Check it and try again.";
  if (name === "ExpiredError") return "That code has expired. Start the sign-in again on your device.";
  if (name === "AlreadyUsedError") return "That code has already been used. Start the sign-in again on your device.";
  if (name === "AbortedError") return "The sign-in was cancelled. You can close this window.";
  return "The code could not be checked. Try again.";
}

/** `features.deviceFlow.userCodeInputSource`. */
export async function userCodeInputSource(ctx: KoaContextWithOIDC, form: string, _out?: unknown, err?: unknown): Promise<void> {
  const { action, xsrf, userCode } = formFields(form);
  const message = errorMessage(err);
  const status = message === null ? "" : `<p role="alert">${escapeHtml(message)}</p>`;
  send(
    ctx,
    page(
      "Sign in on another device",
      `${status}<p>Enter the code that the application on your device shows (for example <samp>gatehouse login</samp>).</p>` +
        `<form method="post" action="${escapeHtml(action)}">` +
        `<input type="hidden" name="xsrf" value="${escapeHtml(xsrf)}">` +
        `<label>Code <input name="user_code" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" required aria-describedby="code-help" value="${escapeHtml(userCode)}"></label>` +
        `<p id="code-help">The code looks like ABCD-EFGH.</p>` +
        `<button type="submit">Next</button></form>`,
    ),
  );
}

/** `features.deviceFlow.userCodeConfirmSource`: the user checks the client, the code and where the request came from. */
export async function userCodeConfirmSource(
  ctx: KoaContextWithOIDC,
  form: string,
  client: { clientId: string; clientName?: string | undefined },
  deviceInfo: unknown,
  userCode: string,
): Promise<void> {
  const { action, xsrf } = formFields(form);
  const info = (typeof deviceInfo === "object" && deviceInfo !== null ? deviceInfo : {}) as { ip?: unknown; ua?: unknown };
  const name = client.clientName ?? client.clientId;
  const origin =
    typeof info.ip === "string" && info.ip !== ""
      ? `<p>The request came from the address <samp>${escapeHtml(info.ip)}</samp>${
          typeof info.ua === "string" && info.ua !== "" ? ` (<samp>${escapeHtml(info.ua.slice(0, 200))}</samp>)` : ""
        }.</p>`
      : "";
  const hidden = `<input type="hidden" name="xsrf" value="${escapeHtml(xsrf)}"><input type="hidden" name="user_code" value="${escapeHtml(userCode)}">`;
  send(
    ctx,
    page(
      "Confirm the sign-in",
      `<p><strong>${escapeHtml(name)}</strong> is asking to sign you in on a device.</p>` +
        `<p>Your device should show the code <samp>${escapeHtml(userCode)}</samp>.</p>${origin}` +
        "<p>Continue only if you started this sign-in yourself and the code matches.</p>" +
        // One form, two named buttons: only the pressed one is sent (confirm=yes or abort=yes).
        `<form method="post" action="${escapeHtml(action)}">${hidden}` +
        '<button type="submit" name="confirm" value="yes">Continue</button> <button type="submit" name="abort" value="yes">Cancel</button></form>',
    ),
  );
}

/** `features.deviceFlow.successSource`. */
export async function successSource(ctx: KoaContextWithOIDC): Promise<void> {
  const client = ctx.oidc.client;
  const name = client?.clientName ?? client?.clientId ?? "the application";
  send(
    ctx,
    page(
      "You are signed in",
      `<p role="status">You have signed in to <strong>${escapeHtml(name)}</strong> on your device. You can close this window.</p>`,
    ),
  );
}
