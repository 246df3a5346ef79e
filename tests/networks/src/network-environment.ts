import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCertificates, type TestCertificates } from '@meshcall/stack';
import type { Browser } from 'playwright-core';
import { launchBrowserIn } from './browser-in-namespace.js';
import { startPublicStack, type PublicStack } from './public-stack.js';
import { acquireRunLock } from './run-lock.js';
import { createHome, createPublicNamespace, deleteHome, namespaceSupportProblem, PUBLIC_ADDRESS, removeAllNamespaces, type Home, type HomeProfile } from './topology.js';

/** The page origin: HTTPS on 443, the one port every scenario's network lets out. */
export const ORIGIN = `https://${PUBLIC_ADDRESS}`;

/**
 * Everything a call through restrictive networks needs, shared by the network tier's scenarios
 * and the bench's first-frame timings: the run lock, the public namespace with the stack in it
 * (test CA, TLS edge on 443), and per scenario two homes with a Chromium in each. Nothing of it
 * outlives `teardown()`, which runs every step even when one fails.
 */
export class NetworkEnvironment {
  private scratch = '';
  private certificates: TestCertificates | undefined;
  private stack: PublicStack | undefined;
  private homes: Home[] = [];
  private browsers: Browser[] = [];
  private environment: Promise<void> | undefined;
  private releaseLock: (() => void) | undefined;
  private readonly failures: string[] = [];

  /** `who` starts the one loud line printed where namespaces cannot be made ("NETWORK TIER"). */
  constructor(private readonly who: string) {}

  /**
   * The namespaces, certificates and stack, built once by the first caller. Where a namespace
   * cannot be made, prints one loud line and rejects: the caller counts that as a failure.
   */
  ready(): Promise<void> {
    this.environment ??= (async () => {
      const problem = await namespaceSupportProblem();
      if (problem) {
        console.error(`${this.who} FAILED: cannot create network namespaces here (needs root, iproute2 and nftables): ${problem}`);
        throw new Error(`network namespaces unavailable: ${problem}`);
      }
      this.releaseLock = acquireRunLock();
      const leftovers = await removeAllNamespaces();
      if (leftovers.length > 0) console.log(`[networks] removed leftovers of an earlier run: ${leftovers.join(', ')}`);
      this.scratch = mkdtempSync(join(tmpdir(), 'meshcall-networks-'));
      mkdirSync(join(this.scratch, 'certs'));
      this.certificates = await createTestCertificates(join(this.scratch, 'certs'), PUBLIC_ADDRESS);
      await createPublicNamespace();
      this.stack = await startPublicStack({ dataDir: join(this.scratch, 'data'), certDir: this.certificates.dir });
    })();
    return this.environment;
  }

  /** coturn's plain port (UDP and TCP) inside the public namespace. */
  get turnPort(): number | undefined {
    return this.stack?.turnPort;
  }

  /** The last lines the stack wrote, for a failure message. */
  stackOutput(lines = 20): string {
    return this.stack?.output().split('\n').slice(-lines).join('\n') ?? '';
  }

  /** Builds home `index` (router and client namespaces) and starts a Chromium inside it that trusts the test server's key. */
  async browserIn(index: 1 | 2, profile: HomeProfile): Promise<Browser> {
    await this.ready();
    const home = await createHome(index, profile);
    this.homes.push(home);
    if (!this.certificates) throw new Error('the environment is not ready');
    const browser = await launchBrowserIn(home.clientNamespace, this.scratch, { trustSpki: this.certificates.spkiHash });
    this.browsers.push(browser);
    return browser;
  }

  /** Closes the browsers and removes the homes of the scenario that ran; the public side stays. */
  async closeHomes(): Promise<void> {
    for (const browser of this.browsers) await browser.close().catch(() => undefined);
    this.browsers = [];
    for (const home of this.homes) await deleteHome(home);
    this.homes = [];
  }

  /**
   * Stops the stack, keeps its logs in `logsTo`, removes every namespace of the run and the
   * scratch folder, and releases the lock. Every step runs even when an earlier one failed;
   * returns what failed. Stopping the run (Ctrl-C) or a crash skips this: the next run removes
   * the leftovers by their prefix before it builds anything, and the stack stops itself when its
   * stdin closes.
   */
  async teardown(logsTo: string): Promise<string[]> {
    await this.attempt('closing the homes', () => this.closeHomes());
    await this.attempt('stopping the stack', async () => this.stack?.stop());
    // The stack's logs (coturn's above all) outlive the scratch folder, for whoever reads a failure.
    await this.attempt('keeping the logs', async () => this.stack && cpSync(this.stack.logDir, logsTo, { recursive: true }));
    // Only a run that holds the lock touches the namespaces: another run's are not ours.
    if (this.releaseLock) await this.attempt('removing the namespaces', removeAllNamespaces);
    if (this.scratch) rmSync(this.scratch, { recursive: true, force: true });
    this.releaseLock?.();
    return this.failures;
  }

  /** Runs one teardown step; a failure is recorded and the next step still runs. */
  private async attempt(what: string, step: () => Promise<unknown>): Promise<void> {
    try {
      await step();
    } catch (error) {
      console.error(`[networks] ${what} failed: ${String(error)}`);
      this.failures.push(`${what}: ${String(error)}`);
    }
  }
}
