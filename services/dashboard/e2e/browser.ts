import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { ARTIFACTS } from "./system.ts";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

export const TOKEN_KEY = "hip.dashboard.token";

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

export async function desktopContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1366, height: 900 } });
}

/** A phone-sized context (iPhone 12-ish) that starts signed in with `token` (sessionStorage is per tab). */
export async function phoneContext(browser: Browser, token: string | null): Promise<BrowserContext> {
  const ctx = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  if (token) {
    await ctx.addInitScript(([key, value]) => window.sessionStorage.setItem(key, value), [
      TOKEN_KEY,
      token,
    ] as const);
  }
  return ctx;
}

/**
 * Whole-page screenshot with the fixed header/navbar drawn once at the top: Playwright's fullPage stitches fixed
 * elements into the middle of long pages, so they are made absolute for the shot.
 */
async function tallShot(page: Page, path: string): Promise<void> {
  const style = await page.addStyleTag({
    content: ".mantine-AppShell-header, .mantine-AppShell-navbar { position: absolute !important; }",
  });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
  await style.evaluate((el) => (el as HTMLElement).remove());
}

/** Screenshots the desktop page as is, then the same URL at phone width. */
export async function snapBoth(desktop: Page, phone: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await tallShot(desktop, join(ARTIFACTS, `${name}-desktop.png`));
  await phone.goto(desktop.url());
  await phone.locator("main h1").first().waitFor();
  await phone.waitForTimeout(600);
  await tallShot(phone, join(ARTIFACTS, `${name}-phone.png`));
}

/** Picks an option of a Mantine Select by its label. */
export async function pick(page: Page, label: string, option: string): Promise<void> {
  await page.getByRole("combobox", { name: label, exact: true }).click();
  await page.getByRole("option", { name: option, exact: true }).click();
}
