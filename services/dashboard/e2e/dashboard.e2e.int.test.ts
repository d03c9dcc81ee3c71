import { startWebhookReceiver, type WebhookReceiverPeer } from "@hip/simulators";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { desktopContext, launchBrowser, phoneContext, pick, snapBoth, TOKEN_KEY } from "./browser.ts";
import { type LocalPeer, startPeer } from "./peer.ts";
import { type RunningSystem, startSystem } from "./system.ts";

/**
 * The dashboard against the real platform: fresh database, private Kafka topics and Redis prefix, all services
 * spawned as processes, a local HTTP peer as the "hospital system", a signed-webhook receiver as the on-call
 * team's endpoint, headless Chromium as the user.
 * Steps depend on each other (one integration's life), so they run in order in one file.
 */
describe("dashboard end to end", { timeout: 240_000 }, () => {
  let system: RunningSystem;
  let peer: LocalPeer;
  let receiver: WebhookReceiverPeer;
  let browser: Browser;
  let desktopCtx: BrowserContext;
  let phoneCtx: BrowserContext | null = null;
  let page: Page;
  let phone: Page;
  let token = "";
  let integrationId = "";
  const tenant = `e2e${Date.now().toString(36)}`;
  const base = () => `${system.dashboardUrl}/dashboard/integration`;
  const WEBHOOK_SECRET = "e2e-webhook-signing-secret-5678";
  /** Transitions the receiver got for the integration (verified signatures only; repeats of a key dropped). */
  const received = (transition: string) =>
    receiver.deliveries.filter((d) => {
      const body = d.body as { transition?: string; integration?: { id?: string } };
      return body.transition === transition && body.integration?.id === integrationId;
    }).length;

  beforeAll(async () => {
    peer = await startPeer();
    receiver = await startWebhookReceiver({ secret: WEBHOOK_SECRET });
    system = await startSystem();
    browser = await launchBrowser();
    desktopCtx = await desktopContext(browser);
    page = await desktopCtx.newPage();
  }, 240_000);

  afterAll(async () => {
    await phoneCtx?.close();
    await desktopCtx?.close();
    await browser?.close();
    await peer?.stop();
    await receiver?.close();
    await system?.stop();
  }, 60_000);

  const heading = (p: Page, name: string | RegExp) => p.getByRole("heading", { level: 1, name });

  it("signs in with the dev helper (tenant + admin role)", async () => {
    await page.goto(`${base()}/`);
    await heading(page, "Sign in").waitFor();
    const anon = await phoneContext(browser, null);
    const anonPage = await anon.newPage();
    await anonPage.goto(page.url());
    await heading(anonPage, "Sign in").waitFor();
    await snapBoth(page, anonPage, "01-sign-in");
    await anon.close();

    await page.getByLabel("Tenant").fill(tenant);
    await page.getByRole("form", { name: "Development sign-in" }).getByText("Admin", { exact: true }).click();
    expect(await page.getByRole("radio", { name: "Admin" }).isChecked()).toBe(true);
    await page.getByRole("button", { name: "Sign in as dev user" }).click();
    await heading(page, "Overview").waitFor();
    token = (await page.evaluate((k) => sessionStorage.getItem(k), TOKEN_KEY)) ?? "";
    expect(token.split(".")).toHaveLength(3);
    expect(await page.getByTestId("whoami").textContent()).toContain(`${tenant} · admin`);
    phoneCtx = await phoneContext(browser, token);
    phone = await phoneCtx.newPage();
  });

  it("sets up alerting: shows that nobody is notified, then a signed webhook channel and a policy", async () => {
    await page.getByRole("link", { name: "Alert policies" }).first().click();
    await heading(page, "Alert policies").waitFor();
    await page.getByTestId("no-policy-notice").getByText("Nobody will be notified").waitFor();
    await page.getByRole("link", { name: "create an alert channel" }).click();
    await heading(page, "Alert channels").waitFor();
    await page.getByTestId("channels-empty").waitFor();

    await page.getByRole("button", { name: "New channel" }).click();
    const form = page.getByRole("form", { name: "New channel" });
    await form.getByRole("textbox", { name: "Name" }).fill("E2E on-call hook");
    await form.getByLabel("Webhook URL").fill(`${receiver.url}/hip-alerts`);
    await form.getByLabel("Signing secret").fill(WEBHOOK_SECRET);
    await form.getByRole("button", { name: "Create channel" }).click();
    const card = page.getByRole("listitem", { name: "Channel E2E on-call hook" });
    await card.waitFor();
    // The dialog (and the secret typed into it) is gone once its close transition ends.
    await form.waitFor({ state: "detached" });
    // Secrets come back masked and are never echoed into the page.
    expect(await card.getByTestId("masked-secret").allTextContents()).toEqual([
      expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/\*{4}erts$/),
      "****5678",
    ]);
    expect(await page.content()).not.toContain(WEBHOOK_SECRET);
    await card.getByRole("button", { name: "Send a test through E2E on-call hook" }).click();
    await card.getByTestId("channel-test-result").getByText("Test delivered").waitFor({ timeout: 30_000 });
    expect(receiver.rejected()).toBe(0);
    expect(receiver.deliveries.length).toBeGreaterThan(0);
    await snapBoth(page, phone, "02a-alert-channels");

    await page.getByRole("link", { name: "Alert policies" }).first().click();
    await heading(page, "Alert policies").waitFor();
    await page.getByRole("button", { name: "New policy" }).click();
    const pform = page.getByRole("form", { name: "New policy" });
    await pform.getByRole("textbox", { name: "Name" }).fill("E2E everything");
    await pform.getByLabel("Notify these channels").click();
    await page.getByRole("option", { name: "E2E on-call hook" }).click();
    await pform.getByRole("button", { name: "Create policy" }).click();
    const policy = page.getByRole("listitem", { name: "Policy E2E everything" });
    await policy.getByText("All integrations").waitFor();
    await policy.getByText("Notifies: E2E on-call hook").waitFor();
    expect(await page.getByTestId("no-policy-notice").count()).toBe(0);
    await snapBoth(page, phone, "02b-alert-policies");
  });

  it("creates an integration against the local peer", async () => {
    await page.getByRole("link", { name: "New integration" }).first().click();
    await heading(page, "New integration").waitFor();
    await page.getByRole("textbox", { name: "Name", exact: true }).fill("E2E Lab peer");
    await pick(page, "Type", "Lab (LAB_SYSTEM)");
    await page.getByLabel("Provider").fill("Local peer");
    await page.getByLabel("Endpoint URL").fill(`${peer.url}/health`);
    await pick(page, "Authentication method", "API key");
    await page.getByLabel("API key").fill("e2e-secret-key-1234");
    await page.getByRole("button", { name: "Add header" }).click();
    await page.getByLabel("Header 1 name").fill("X-E2E");
    await page.getByLabel("Header 1 value").fill("yes");
    await page.getByLabel("Timeout (ms)").fill("2000");
    await page.getByLabel("Retry attempts").fill("0");
    await page.getByLabel("Check interval (s)").fill("10");
    await page.getByLabel("Failures before Error").fill("1");
    await snapBoth(page, phone, "02-create-form");
    await page.getByRole("button", { name: "Create integration" }).click();
    await heading(page, "E2E Lab peer").waitFor();
    integrationId = page.url().split("/").pop() ?? "";
    expect(integrationId).toMatch(/^[0-9a-f-]{36}$/);
    await page
      .getByTestId("alert-coverage")
      .getByText(/notify through policy E2E everything/)
      .waitFor();
  });

  it("runs a connection test and shows the live result", async () => {
    await page.getByRole("button", { name: "Test connection" }).click();
    const result = page.getByTestId("test-result");
    await result.getByText("Connected").waitFor({ timeout: 45_000 });
    expect(await page.getByTestId("test-latency").textContent()).toMatch(/\d+ ms/);
    expect(peer.hits()).toBeGreaterThan(0);
    await page.getByRole("tab", { name: "Configuration" }).click();
    await page.getByTestId("masked-secret").first().waitFor();
    expect(await page.getByTestId("masked-secret").first().textContent()).toBe("****1234");
    expect(await page.content()).not.toContain("e2e-secret-key-1234");
    await page.getByRole("tab", { name: "Health" }).click();
    await snapBoth(page, phone, "03-detail");
  });

  it("shows the status change live when the peer goes down", async () => {
    await page.getByRole("tab", { name: "Health" }).click();
    await page.locator('h1 ~ div [data-status="ACTIVE"]').first().waitFor({ timeout: 30_000 });
    // A marker on window proves the change arrives without a reload.
    await page.evaluate(() => Object.assign(window, { __noReload: true }));
    await peer.stop();
    await page.locator('h1 ~ div [data-status="ERROR"]').first().waitFor({ timeout: 90_000 });
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    await page.getByText("Integration failing").first().waitFor({ timeout: 10_000 });
    await page.getByTestId("last-error").waitFor({ timeout: 15_000 });
    await snapBoth(page, phone, "04-detail-error");
  });

  it("opens an incident with the badge, pages the webhook once, and acknowledges it", async () => {
    const badge = page.getByTestId("open-incident-badge");
    await badge.getByText("Incident open").waitFor({ timeout: 30_000 });
    await expect.poll(() => received("opened"), { timeout: 60_000, interval: 500 }).toBe(1);
    expect(await page.getByTestId("nav-incident-count").textContent()).toBe("1 unresolved");
    await badge.click();
    await heading(page, "Incident: E2E Lab peer").waitFor();
    const timeline = page.getByTestId("incident-timeline");
    await timeline.getByText("Opened", { exact: true }).waitFor();
    // Deliveries reach the page by its poll while the incident is open.
    await timeline.getByText("Delivered via E2E on-call hook (WEBHOOK)").first().waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("incident-error").textContent()).not.toBe("");

    await page.getByRole("button", { name: "Acknowledge incident of E2E Lab peer" }).click();
    const dialog = page.getByRole("dialog", { name: "Acknowledge incident" });
    await dialog.getByLabel("Note (optional)").fill("E2E: looking at it");
    await dialog.getByRole("button", { name: "Acknowledge", exact: true }).click();
    await page.locator('h1 ~ div [data-incident-state="acknowledged"]').waitFor();
    await timeline.getByText(/^Acknowledged by /).waitFor();
    await timeline.getByText("E2E: looking at it").waitFor();
    expect(await page.getByRole("button", { name: /^Acknowledge incident/ }).count()).toBe(0);
    await expect.poll(() => received("acknowledged"), { timeout: 60_000, interval: 500 }).toBe(1);
    await snapBoth(page, phone, "04b-incident-detail");

    await page
      .getByRole("link", { name: /^Incidents/ })
      .first()
      .click();
    await heading(page, "Incidents").waitFor();
    const row = page.getByTestId("incidents-table").locator("tr", { hasText: "E2E Lab peer" });
    await row.locator('[data-incident-state="acknowledged"]').waitFor();
    expect(await row.getByRole("button", { name: /^Add note/ }).count()).toBe(1);
    await snapBoth(page, phone, "04c-incidents");
    expect(received("opened")).toBe(1);
  });

  it("filters and searches the list", async () => {
    // A second integration, created through the API with the signed-in token, to have something to filter out.
    const res = await page.evaluate(
      async ([t]) => {
        const r = await fetch("/api/integration/configs", {
          method: "POST",
          headers: { authorization: `Bearer ${t}`, "content-type": "application/json" },
          body: JSON.stringify({
            name: "E2E FHIR other",
            type: "FHIR",
            endpoint: "https://fhir.invalid/r4",
            status: "INACTIVE",
            healthCheck: { enabled: false, intervalSeconds: 300 },
          }),
        });
        return r.status;
      },
      [token] as const,
    );
    expect(res).toBe(201);
    await page.getByRole("link", { name: "Integrations", exact: true }).first().click();
    await heading(page, "Integrations").waitFor();
    const table = page.getByTestId("integrations-table");
    await table.getByText("E2E FHIR other").waitFor();
    await table.getByText("E2E Lab peer").waitFor();
    await table
      .locator(`[data-integration-id="${integrationId}"]`)
      .getByTestId("open-incident-badge")
      .getByText("Incident acknowledged")
      .waitFor();
    await snapBoth(page, phone, "05-list");

    await pick(page, "Status", "Error");
    await page.waitForFunction(() => new URL(location.href).searchParams.get("status") === "ERROR");
    await table.getByText("E2E FHIR other").waitFor({ state: "detached" });
    await table.getByText("E2E Lab peer").waitFor();
    await page.getByRole("combobox", { name: "Status", exact: true }).click();
    await page.getByRole("option", { name: "Error", exact: true }).click(); // deselects
    await table.getByText("E2E FHIR other").waitFor();

    await pick(page, "Type", "FHIR");
    await table.getByText("E2E Lab peer").waitFor({ state: "detached" });
    await table.getByText("E2E FHIR other").waitFor();
    await page.getByRole("combobox", { name: "Type", exact: true }).click();
    await page.getByRole("option", { name: "FHIR", exact: true }).click();

    await page.getByRole("searchbox", { name: "Search" }).fill("lab peer");
    await page.waitForFunction(() => new URL(location.href).searchParams.get("q") === "lab peer");
    await table.getByText("E2E FHIR other").waitFor({ state: "detached" });
    await table.getByText("E2E Lab peer").waitFor();
    await snapBoth(page, phone, "06-list-search");
  });

  it("edits with a validation error shown on the field, then saves", async () => {
    await page.goto(`${base()}/integrations/${integrationId}/edit`);
    await heading(page, /^Edit E2E Lab peer/).waitFor();
    const endpoint = page.getByLabel("Endpoint URL");
    await endpoint.fill("ftp://127.0.0.1/health");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page
      .getByText(/scheme must be one of http, https/)
      .first()
      .waitFor();
    expect(await endpoint.getAttribute("aria-invalid")).toBe("true");
    await page.getByText("Error saving integration").first().waitFor();
    await snapBoth(page, phone, "07-edit-validation");

    await endpoint.fill(`http://127.0.0.1:${peer.port}/health`);
    await page.getByRole("textbox", { name: "Name", exact: true }).fill("E2E Lab peer renamed");
    await page.getByRole("button", { name: "Save changes" }).click();
    await heading(page, "E2E Lab peer renamed").waitFor();
    await page.getByRole("tab", { name: "Audit trail" }).click();
    await page
      .getByTestId("audit-trail")
      .getByText(/update by/)
      .first()
      .waitFor();
  });

  it("deletes after confirming", async () => {
    await page.getByRole("button", { name: "Delete" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete integration?" });
    await dialog.waitFor();
    await snapBoth(page, phone, "08-delete-confirm");
    await dialog.getByRole("button", { name: "Delete integration" }).click();
    await heading(page, "Integrations").waitFor();
    const table = page.getByTestId("integrations-table");
    await table.getByText("E2E FHIR other").waitFor();
    expect(await table.getByText("E2E Lab peer renamed").count()).toBe(0);
    const status = await page.evaluate(
      async ([t, id]) =>
        (await fetch(`/api/integration/configs/${id}`, { headers: { authorization: `Bearer ${t}` } })).status,
      [token, integrationId] as const,
    );
    expect(status).toBe(404);
  });

  it("shows the overview, and gives viewers no write controls", async () => {
    await page.getByRole("link", { name: "Overview" }).first().click();
    await heading(page, "Overview").waitFor();
    await page.getByTestId("stat-total").getByText("1", { exact: true }).waitFor();
    await snapBoth(page, phone, "09-overview");

    await page.getByRole("button", { name: /Sign out/ }).click();
    await heading(page, "Sign in").waitFor();
    // Sign in the other way: paste a viewer token (minted by the dev helper outside the browser).
    const minted = await fetch(`${system.dashboardUrl}/dashboard/dev-token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tenantId: tenant, role: "viewer" }),
    });
    const { token: viewerToken } = (await minted.json()) as { token: string };
    await page.getByLabel("Access token").fill("not.a-token");
    await page.getByRole("button", { name: "Sign in with token" }).click();
    await page.getByText(/payload is not readable|not a JWT/).waitFor();
    await page.getByLabel("Access token").fill(viewerToken);
    await page.getByRole("button", { name: "Sign in with token" }).click();
    await heading(page, "Overview").waitFor();
    expect(await page.getByTestId("whoami").textContent()).toContain(`${tenant} · viewer`);
    await phoneCtx?.close();
    phoneCtx = await phoneContext(browser, viewerToken);
    phone = await phoneCtx.newPage();
    await page.getByRole("link", { name: "Integrations", exact: true }).first().click();
    const row = page.getByTestId("integrations-table").getByRole("link", { name: "E2E FHIR other" });
    await row.waitFor();
    expect(await page.getByRole("link", { name: "New integration" }).count()).toBe(0);
    await row.click();
    await heading(page, "E2E FHIR other").waitFor();
    for (const name of ["Edit", "Delete", "Test connection"]) {
      expect(await page.getByRole("button", { name, exact: true }).count()).toBe(0);
    }
    expect(await page.getByRole("link", { name: "Edit" }).count()).toBe(0);
    expect(await page.getByTestId("status-toggle").count()).toBe(0);
    expect(await page.getByRole("tab", { name: "Audit trail" }).count()).toBe(0);
    await snapBoth(page, phone, "10-viewer-detail");

    // Keyboard: from the top of the document the first Tab lands on the skip link, which jumps to the content.
    await page.reload();
    await heading(page, "E2E FHIR other").waitFor();
    // Start sequential navigation at <body> explicitly: where Chromium starts after a reload depends on timing.
    await page.evaluate(() => {
      document.body.tabIndex = -1;
      document.body.focus();
      document.body.removeAttribute("tabindex");
    });
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    // Following it moves the navigation point past the header and sidebar: the next Tab is inside <main>.
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.closest("main") !== null)).toBe(true);

    // Viewers read incidents (the deleted integration's is resolved now) and alert settings, but change nothing.
    await page
      .getByRole("link", { name: /^Incidents/ })
      .first()
      .click();
    await heading(page, "Incidents").waitFor();
    await page
      .getByTestId("incidents-table")
      .locator('[data-incident-state="resolved"]')
      .first()
      .waitFor({ timeout: 30_000 });
    expect(await page.getByRole("button", { name: /^(Acknowledge|Add note)/ }).count()).toBe(0);
    await page.getByRole("link", { name: "Alert channels" }).first().click();
    await page.getByRole("listitem", { name: "Channel E2E on-call hook" }).waitFor();
    for (const name of ["New channel", "Send a test through E2E on-call hook", "Edit E2E on-call hook"]) {
      expect(await page.getByRole("button", { name }).count()).toBe(0);
    }
  });
});
