/**
 * How every test and benchmark starts a browser: Debian's Chromium (nothing is ever downloaded),
 * headless, with fake camera and microphone and no permission prompts. Shared so the e2e suite
 * and the bench measure the same browser.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  // Without these, Chromium calls out to Google's hosts at start, which this network refuses.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  // Without this, host candidates are mDNS names that do not resolve on a machine without mDNS.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

/** Options for playwright-core's `chromium.launch`. */
export function chromiumLaunchOptions(): { executablePath: string; headless: true; args: string[] } {
  return { executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS] };
}
