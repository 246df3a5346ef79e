import { parseAllDocuments } from 'yaml';
import { chartFolder, run, type ToolPins, toolPaths } from './tools.js';

/** The part of a Kubernetes object the assertions read; the schema check covers the rest. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // Rendered manifests are untyped YAML; each assertion narrows what it reads.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface Rendering {
  /** helm template's output, as written. */
  manifest: string;
  objects: KubeObject[];
}

/** helm template for this chart at the pinned Kubernetes version; a failed render throws with helm's words. */
export function renderChart(pins: ToolPins, args: readonly string[]): Rendering {
  const result = templateChart(pins, args);
  if (result.status !== 0) throw new Error(`helm template ${args.join(' ')} failed:\n${result.stderr}`);
  const objects = parseAllDocuments(result.stdout)
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
  return { manifest: result.stdout, objects };
}

export function templateChart(pins: ToolPins, args: readonly string[]) {
  return run(toolPaths(pins).helm, ['template', 'meshcall', chartFolder, '--namespace', 'calls', '--kube-version', pins.KUBERNETES_VERSION, ...args]);
}

export function findObject(rendering: Rendering, kind: string, name: string): KubeObject {
  const object = rendering.objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!object) throw new Error(`no ${kind} ${name} in the rendering (has: ${rendering.objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')})`);
  return object;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; fieldRef?: { fieldPath: string } };
}

export interface Container {
  name: string;
  env?: EnvVar[];
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  volumeMounts?: Array<{ name: string; mountPath: string; subPath?: string }>;
}

export interface Probe {
  httpGet?: { path: string; port: number | string };
  tcpSocket?: { port: number | string };
}

/** The one container of a workload (every workload of this chart has one). */
export function onlyContainer(workload: KubeObject): Container {
  const containers = workload.spec.template.spec.containers as Container[];
  if (containers.length !== 1) throw new Error(`${workload.metadata.name} has ${containers.length} containers`);
  return containers[0] as Container;
}

export function envOf(container: Container, name: string): EnvVar | undefined {
  return container.env?.find((variable) => variable.name === name);
}

/** A probe's port as a number: a named port is looked up among the container's ports. */
export function probePort(container: Container, probe: Probe): number {
  const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
  if (typeof port === 'number') return port;
  const named = container.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`${container.name}: probe port ${String(port)} names no container port`);
  return named.containerPort;
}

/** Every object that runs pods. */
export function workloads(rendering: Rendering): KubeObject[] {
  return rendering.objects.filter((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet');
}
