import { runChildBench, type ChildBenchOutcome } from './child-benches.js';

/**
 * The time to the first remote frame of a call through each restrictive network of the network
 * tier (issue 16): symmetric NATs, UDP blocked, only TCP 443, one open side. Measured by the tier
 * itself, on its own topology (`npm run bench -w @meshcall/networks`, tests/networks/bench/), run
 * here as a phase with a time budget so the namespaces, the stack inside them and the Chromiums
 * are built by exactly the code the tier tests with. Needs root.
 */
export const NETWORK_BENCH_NAME = 'networks-first-frame';

/** One scenario's figures as tests/networks/bench/first-remote-frame.ts writes them. */
export interface NetworkScenarioFigures {
  scenario: string;
  calls: Array<{ alice: number; bob: number }>;
  bothWaysMs?: { min: number; median: number; max: number };
  aliceMs?: { min: number; median: number; max: number };
  bobMs?: { min: number; median: number; max: number };
  failures: string[];
  notRun?: string;
}

export interface NetworkFirstFrameFigures {
  date: string;
  runsPerScenario: number;
  durationS: number;
  scenarios: NetworkScenarioFigures[];
  error?: string;
}

export type NetworkFirstFrameResult = ChildBenchOutcome & { result?: NetworkFirstFrameFigures };

export async function measureNetworkFirstFrame(repoRoot: string, resultsDir: string, logFile: string, budgetMs: number): Promise<NetworkFirstFrameResult> {
  return runChildBench({ name: NETWORK_BENCH_NAME, argv: ['npm', 'run', 'bench', '-w', '@meshcall/networks'], budgetMs }, repoRoot, resultsDir, logFile) as Promise<NetworkFirstFrameResult>;
}

/** Why the phase has no figures of its own, in one line; undefined when it has them all. */
export function networkPhaseProblem(outcome: NetworkFirstFrameResult): string | undefined {
  if (outcome.status === 'completed' && outcome.fresh) return undefined;
  // A run that failed still writes its JSON (with why) before it exits: read it if it is this run's.
  const written = Date.parse(outcome.result?.date ?? '');
  const thisRun = Number.isFinite(written) && written >= Date.now() - (outcome.durationS + 5) * 1000;
  const error = thisRun ? outcome.result?.error : undefined;
  return `${outcome.status}${error ? `: ${error}` : outcome.note ? ` (${outcome.note})` : ''}`;
}
