import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '@meshcall/stack';
import { chromium, type Browser } from 'playwright-core';

/**
 * Starts Debian's Chromium inside a network namespace. playwright-core launches the executable it
 * is given and talks to it over a pipe (file descriptors, not the network), so a wrapper that
 * enters the namespace with `ip netns exec` and then execs Chromium keeps playwright in the host
 * namespace and puts every socket the browser opens (page loads, WebSocket, ICE) in the home's.
 */
export async function launchBrowserIn(namespace: string, scratchDir: string, options: { trustSpki: string }): Promise<Browser> {
  const wrapper = join(scratchDir, `chromium-${namespace}.sh`);
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec '${namespace}' '${CHROMIUM_PATH}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  return chromium.launch({
    executablePath: wrapper,
    headless: true,
    timeout: 60_000,
    args: [
      ...CHROMIUM_ARGS,
      // Trusts exactly the test server's key, for the page and for TURN over TLS alike, without
      // turning certificate checks off.
      `--ignore-certificate-errors-spki-list=${options.trustSpki}`,
    ],
  });
}
