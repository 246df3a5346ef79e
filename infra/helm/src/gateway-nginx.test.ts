// The gateway pod's nginx as the chart assembles it (its nginx.conf, infra/nginx's template
// rendered with the pod's env as the image's entrypoint does, the snippets where the pod mounts
// them) passes `nginx -t`.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { envOf, findObject, onlyContainer, renderChart } from './render.js';
import { readToolPins, run } from './tools.js';

/** Debian's nginx (setup installs it): 1.22, older than the image's 1.28. */
const NGINX = '/usr/sbin/nginx';

/** The image's 20-envsubst-on-templates.sh: only defined variables matching the filter are replaced. */
function envsubst(template: string, env: Map<string, string>, filter: RegExp): string {
  return template.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => (filter.test(name) && env.has(name) ? (env.get(name) as string) : whole));
}

it("the gateway's nginx config, as the pod assembles it, passes nginx -t", () => {
  const rendering = renderChart(readToolPins(), []);
  const data = findObject(rendering, 'ConfigMap', 'meshcall-nginx').data ?? {};
  const gateway = onlyContainer(findObject(rendering, 'Deployment', 'meshcall-gateway'));
  const env = new Map((gateway.env ?? []).map((variable) => [variable.name, variable.value ?? '']));
  // The pod's upstreams are re-resolved names of the cluster's DNS ("resolver …; server NAME:PORT
  // resolve;"); nginx 1.22 has no "resolve" and these names exist only in the cluster, so each
  // becomes a static server on its port, after checking it has the expected shape.
  for (const name of ['AUTH_SERVERS', 'ROOMS_SERVERS', 'SIGNALING_SERVERS', 'WEB_SERVERS']) {
    const match = /^resolver \S+ valid=\d+s ipv6=off; server [a-z0-9.-]+\.svc\.cluster\.local:(\d+) resolve;$/.exec(env.get(name) ?? '');
    expect(match, `${name}: ${env.get(name)}`).not.toBeNull();
    env.set(name, `server 127.0.0.1:${match?.[1]};`);
  }
  // The pod logs to /dev/stdout; here stdout is a socket to this process, which nginx cannot open().
  expect(env.get('GATEWAY_ACCESS_LOG')).toBe('/dev/stdout');
  const root = mkdtempSync(join(tmpdir(), 'meshcall-chart-nginx-'));
  env.set('GATEWAY_ACCESS_LOG', join(root, 'access.log'));
  const filter = new RegExp(envOf(gateway, 'NGINX_ENVSUBST_FILTER')?.value ?? '$^');

  // The pod's paths, moved under this folder in one pass (the folder itself is under /tmp).
  const at = (text: string) => text.replace(/\/etc\/nginx\/|\/tmp\//g, (path) => (path === '/tmp/' ? `${root}/tmp/` : `${root}/`));
  for (const folder of ['conf.d', 'meshcall', 'tmp']) mkdirSync(join(root, folder));
  writeFileSync(join(root, 'nginx.conf'), at(data['nginx.conf'] ?? ''));
  copyFileSync('/etc/nginx/mime.types', join(root, 'mime.types'));
  const rendered = envsubst(data['gateway.conf.template'] ?? '', env, filter);
  expect(rendered).not.toMatch(/\$\{[A-Z_]+\}/);
  writeFileSync(join(root, 'conf.d', 'gateway.conf'), rendered);
  const mounted = findObject(rendering, 'Deployment', 'meshcall-gateway').spec.template.spec.volumes.find((v: { name: string }) => v.name === 'nginx-snippets');
  for (const { key } of mounted.configMap.items as Array<{ key: string }>) writeFileSync(join(root, 'meshcall', key), data[key] ?? '');

  const check = run(NGINX, ['-t', '-p', root, '-c', join(root, 'nginx.conf')]);
  rmSync(root, { recursive: true, force: true });
  expect(check.stderr).toContain('test is successful');
  expect(check.status).toBe(0);
});
