/**
 * Headless Chromium (Debian's, through playwright-core) for static figure export and the PDF
 * report. The machines are offline, so nothing is downloaded: the executable must exist.
 */
import { existsSync } from 'fs';
import type { Browser, Page } from 'playwright-core';
import { plotlyBundlePath } from './bundle';

/** Flags that keep Chromium quiet, offline-friendly and runnable as root in containers. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** The Chromium executable: `$AVLAB_CHROMIUM`, else Debian's `/usr/bin/chromium`. */
export function chromiumPath(): string {
  return process.env.AVLAB_CHROMIUM || '/usr/bin/chromium';
}

/** Starts headless Chromium, or throws an error that says how to install it. */
export async function launchChromium(): Promise<Browser> {
  const exe = chromiumPath();
  const hint = 'install Debian package chromium or set AVLAB_CHROMIUM to a Chromium executable';
  if (!existsSync(exe)) throw new Error(`Chromium not found at ${exe}: ${hint}`);
  // Loaded lazily so importing the plotting modules in a notebook stays cheap.
  const { chromium } = await import('playwright-core');
  try {
    return await chromium.launch({ executablePath: exe, headless: true, args: CHROMIUM_ARGS });
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new Error(`Could not start Chromium at ${exe} (${reason}): ${hint}`);
  }
}

/** Runs `fn` with one browser and always closes it. */
export async function withChromium<T>(fn: (browser: Browser) => Promise<T>): Promise<T> {
  const browser = await launchChromium();
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}

/** A blank page with plotly.js loaded from node_modules (never from the network). */
export async function plotlyPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>');
  await page.addScriptTag({ path: plotlyBundlePath() });
  return page;
}
