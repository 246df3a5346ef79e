import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** infra/helm, where tools.env, the chart and the venv live. */
export const helmFolder = fileURLToPath(new URL('..', import.meta.url));
export const chartFolder = `${helmFolder}meshcall`;
export const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** The pins in tools.env, which scripts/setup-system.sh installs from. */
export interface ToolPins {
  HELM_VERSION: string;
  KUBERNETES_VALIDATE_VERSION: string;
  KUBERNETES_VERSION: string;
}

export function readToolPins(): ToolPins {
  const pins = Object.fromEntries(
    readFileSync(`${helmFolder}tools.env`, 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1).trim()]),
  );
  for (const name of ['HELM_VERSION', 'KUBERNETES_VALIDATE_VERSION', 'KUBERNETES_VERSION']) {
    if (!pins[name]) throw new Error(`infra/helm/tools.env has no ${name}`);
  }
  return pins as unknown as ToolPins;
}

/** Where setup installs them (the same defaults as scripts/setup-system.sh). */
export function toolPaths(pins: ToolPins): { helm: string; kubernetesValidate: string } {
  const helmRoot = process.env.MESHCALL_HELM_ROOT ?? '/usr/local/lib/meshcall-helm';
  return {
    helm: `${helmRoot}/${pins.HELM_VERSION}/helm`,
    kubernetesValidate: `${helmFolder}.venv/bin/kubernetes-validate`,
  };
}

export interface ProcessResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program without a shell; bounded, so a hung tool cannot hold CI. */
export function run(file: string, args: readonly string[], input?: string): ProcessResult {
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run \`npm run setup\` (scripts/setup-system.sh installs the chart check's tools; nothing downloads at test time)`);
  }
  const result = spawnSync(file, args, { input, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
