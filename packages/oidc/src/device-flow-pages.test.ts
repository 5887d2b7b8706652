/**
 * The device authorization grant's pages: plain accessible HTML (labelled field, alerts, no
 * script), oidc-provider's anti-CSRF value on every form, the confirmation naming the client,
 * the code and where the request came from, and the user's "Cancel" refusing the device.
 */
import type { LightMyRequestResponse } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GATEHOUSE_CLI_APP_ID } from "./index.js";
import { formFields } from "./internal/device-flow-pages.js";
import { createOidcTestTenant, form, type OidcTestTenant } from "./test-tenant.js";

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const DEVICE_IP = "192.0.2.44";

let t: OidcTestTenant;
beforeEach(async () => {
  t = await createOidcTestTenant();
});
afterEach(async () => {
  await t.close();
});

function browser() {
  const jar = new Map<string, string>();
  const keep = (res: LightMyRequestResponse) => {
    for (const c of res.cookies as Array<{ name: string; value: string }>) jar.set(c.name, c.value);
    return res;
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  return {
    get: async (url: string) => keep(await t.app.inject({ method: "GET", url, headers: { cookie: cookie() } })),
    post: async (url: string, fields: Record<string, string>) =>
      keep(await t.app.inject({ method: "POST", url, headers: { ...FORM, cookie: cookie() }, payload: form(fields) })),
  };
}

async function startDevice() {
  const res = await t.app.inject({
    method: "POST",
    url: "/oauth2/device/auth",
    headers: { ...FORM, "user-agent": "gatehouse-cli/0.1.0 (linux)" },
    remoteAddress: DEVICE_IP,
    payload: form({ client_id: GATEHOUSE_CLI_APP_ID, scope: "openid offline_access api://gatehouse-management/.default" }),
  });
  return res.json() as { user_code: string; device_code: string };
}

const poll = (deviceCode: string) =>
  t.app.inject({
    method: "POST",
    url: "/oauth2/token",
    headers: FORM,
    payload: form({ grant_type: "urn:ietf:params:oauth:grant-type:device_code", client_id: GATEHOUSE_CLI_APP_ID, device_code: deviceCode }),
  });

const xsrfOf = (html: string): string => formFields(html).xsrf;

describe("the device code pages", () => {
  it("asks for the code with a labelled field, the anti-CSRF value and no script", async () => {
    const page = await browser().get("/oauth2/device");
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.headers["cache-control"]).toBe("no-store");
    expect(page.body).toMatch(/^<!DOCTYPE html><html lang="en">/);
    expect(page.body).toContain("<main><h1>Sign in on another device</h1>");
    expect(page.body).toMatch(/<label>Code <input name="user_code" type="text"[^>]*required/);
    expect(xsrfOf(page.body)).toMatch(/^[0-9a-f]{32,}$/);
    expect(page.body).not.toContain("<script");
    expect(page.body).not.toMatch(/https?:\/\/(?!localhost)/);
  });

  it("says a wrong code is not valid (role=alert) and keeps the form", async () => {
    const b = browser();
    const page = await b.get("/oauth2/device");
    const wrong = await b.post("/oauth2/device", { xsrf: xsrfOf(page.body), user_code: "BCDF-GHJK" });
    expect(wrong.statusCode).toBe(200);
    expect(wrong.body).toContain('<p role="alert">That code is not valid. Check it and try again.</p>');
    expect(wrong.body).toContain('name="user_code"');
    const empty = await b.post("/oauth2/device", { xsrf: xsrfOf(wrong.body), user_code: "" });
    expect(empty.body).toContain('<p role="alert">Enter the code shown on your device.</p>');
  });

  it("refuses a form without the browser session's anti-CSRF value", async () => {
    const { user_code } = await startDevice();
    // The victim's browser has a device-page session; the attacker's form cannot know its value.
    const victim = browser();
    await victim.get("/oauth2/device");
    const forged = await victim.post("/oauth2/device", { xsrf: "0".repeat(48), user_code });
    expect(forged.statusCode).toBe(400);
    expect(forged.body).not.toContain("Confirm the sign-in");
    // A browser that never opened the page has no session to confirm with.
    const stranger = await browser().post("/oauth2/device", { xsrf: "0".repeat(48), user_code });
    expect(stranger.statusCode).toBe(400);
    expect(stranger.body).toContain("sent without the page&#39;s browser session");
    expect(stranger.body).not.toContain("Confirm the sign-in");
  });

  it("shows the client, the code and the requesting device, then Cancel refuses the device (access_denied)", async () => {
    const { user_code, device_code } = await startDevice();
    const b = browser();
    const page = await b.get("/oauth2/device");
    const confirm = await b.post("/oauth2/device", { xsrf: xsrfOf(page.body), user_code: user_code.toLowerCase().replace("-", "") });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain("<h1>Confirm the sign-in</h1>");
    expect(confirm.body).toContain("<strong>Gatehouse CLI</strong>");
    expect(confirm.body).toContain(`<samp>${user_code}</samp>`);
    expect(confirm.body).toContain(`<samp>${DEVICE_IP}</samp>`);
    expect(confirm.body).toContain("gatehouse-cli/0.1.0 (linux)");
    expect(confirm.body).toContain('<button type="submit" name="confirm" value="yes">Continue</button>');
    expect(confirm.body).toContain('<button type="submit" name="abort" value="yes">Cancel</button>');
    const fields = formFields(confirm.body);
    expect(fields.userCode).toBe(user_code);

    const cancelled = await b.post("/oauth2/device", { xsrf: fields.xsrf, user_code: fields.userCode, abort: "yes" });
    expect(cancelled.body).toContain('<p role="alert">The sign-in was cancelled. You can close this window.</p>');
    const answer = await poll(device_code);
    expect(answer.json()).toMatchObject({ error: "access_denied" });
  });

  it("ends with a success page once the sign-in page completes the device code", async () => {
    const { user_code, device_code } = await startDevice();
    const b = browser();
    const page = await b.get("/oauth2/device");
    const confirm = await b.post("/oauth2/device", { xsrf: xsrfOf(page.body), user_code });
    const fields = formFields(confirm.body);
    const started = await b.post("/oauth2/device", { xsrf: fields.xsrf, user_code: fields.userCode, confirm: "yes" });
    expect(started.statusCode).toBe(303);
    const signInPath = new URL(String(started.headers.location), "http://localhost").pathname;
    const signIn = await b.get(signInPath);
    const action = (/<form method="post" action="([^"]+)"/.exec(signIn.body)?.[1] ?? "").replaceAll("&amp;", "&");
    const hidden = Object.fromEntries(
      [...signIn.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]),
    );
    const login = await b.post(action, { ...hidden, username: t.init.admin.userPrincipalName, password: "correct horse battery staple" });
    expect(login.statusCode).toBe(303);
    const done = await b.get(new URL(String(login.headers.location), "http://localhost").pathname);
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain("<h1>You are signed in</h1>");
    expect(done.body).toContain('<p role="status">You have signed in to <strong>Gatehouse CLI</strong> on your device.');
    expect(done.body).not.toContain("<script");
    expect((await poll(device_code)).statusCode).toBe(200);
    // A code is used once.
    const again = await b.post("/oauth2/device", { xsrf: xsrfOf((await b.get("/oauth2/device")).body), user_code });
    expect(again.body).toContain("That code has already been used.");
  });
});
