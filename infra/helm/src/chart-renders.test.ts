import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderChart } from './render.js';
import { chartFolder, readToolPins, run, toolPaths } from './tools.js';
import { valuesCases } from './values-cases.js';

const pins = readToolPins();
const tools = toolPaths(pins);

/** kubernetes-validate, strict (unknown fields are errors), against the pinned Kubernetes API. */
function validate(manifest: string) {
  const folder = mkdtempSync(join(tmpdir(), 'meshcall-chart-'));
  try {
    writeFileSync(join(folder, 'manifest.yaml'), manifest);
    return run(tools.kubernetesValidate, ['--strict', '--kubernetes-version', pins.KUBERNETES_VERSION, join(folder, 'manifest.yaml')]);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe('the offline tools are the pinned ones', () => {
  it(`helm is ${pins.HELM_VERSION}, built by setup`, () => {
    expect(run(tools.helm, ['version', '--template', '{{.Version}}']).stdout).toBe(pins.HELM_VERSION);
  });

  it(`kubernetes-validate is ${pins.KUBERNETES_VALIDATE_VERSION}, and it rejects an object the API would`, () => {
    expect(run(tools.kubernetesValidate, ['--version']).stdout.trim()).toContain(pins.KUBERNETES_VALIDATE_VERSION);
    // A misspelt field (containerPorts) and a string replica count: a schema check that let
    // these through would make every "passed" below meaningless.
    const broken = validate(
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: broken }\nspec:\n  replicas: "two"\n  selector: { matchLabels: { a: b } }\n' +
        '  template:\n    metadata: { labels: { a: b } }\n    spec:\n      containers: [{ name: c, image: i, containerPorts: [{ containerPort: 80 }] }]\n',
    );
    expect(broken.status).not.toBe(0);
    expect(broken.stdout + broken.stderr).toMatch(/containerPorts|replicas/);
  });
});

describe.each(valuesCases)('$name values', (valuesCase) => {
  it('pass helm lint --strict', () => {
    const lint = run(tools.helm, ['lint', chartFolder, '--strict', '--kube-version', pins.KUBERNETES_VERSION, ...valuesCase.args]);
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
    expect(lint.stdout).toContain('0 chart(s) failed');
  });

  it('render objects that each validate against the Kubernetes API schema', () => {
    const rendering = renderChart(pins, valuesCase.args);
    expect(rendering.objects.length).toBeGreaterThanOrEqual(10);
    const result = validate(rendering.manifest);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    // One "passed" line per object: none was skipped for want of a schema.
    const passed = result.stdout.split('\n').filter((line) => line.includes(' passed for resource '));
    expect(passed).toHaveLength(rendering.objects.length);
  });
});
