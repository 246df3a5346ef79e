import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LocalComponent } from '../component.js';
import { httpOk } from '../wait.js';

/**
 * The repository's infra/ folder: the nginx templates and coturn configs that Docker uses too.
 * This file sits in packages/stack/{src,dist}/components, four levels below the repository root.
 */
export const infraDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../infra');

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces every `${NAME}` with its value, as the nginx image's envsubst step does with the same
 * files. Fails naming every placeholder without a value, so a template and its caller cannot
 * drift apart silently (nginx would otherwise fail later with a less helpful parse error).
 */
export function renderTemplate(template: string, variables: Record<string, string>): string {
  const missing = new Set<string>();
  const rendered = template.replace(PLACEHOLDER, (placeholder, name: string) => {
    const value = variables[name];
    if (value === undefined) {
      missing.add(name);
      return placeholder;
    }
    return value;
  });
  if (missing.size > 0) {
    throw new Error(`template variables without a value: ${[...missing].sort().join(', ')}`);
  }
  return rendered;
}

/** Every `${NAME}` a template uses, for checks that a deployment sets them all. */
export function templateVariables(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1] as string))].sort();
}

export interface GatewayTlsOptions {
  port: number;
  /** PEM file with the certificate chain. */
  certificate: string;
  /** PEM file with its private key. */
  certificateKey: string;
}

export interface GatewayOptions {
  /** Plain HTTP port on 127.0.0.1. */
  port: number;
  /** Each a `host:port` the gateway proxies to; signaling may list several replicas. */
  upstreams: { auth: string[]; rooms: string[]; signaling: string[]; web: string };
  /** Rendered configuration, pid file and temporary files go here. */
  runDir: string;
  logDir: string;
  /** Flood limit per client address on sign-in and sign-up, in nginx syntax; default "30r/m". */
  signInRate?: string;
  /** Also serve HTTPS/WSS with these certificate files (infra/nginx/tls). */
  tls?: GatewayTlsOptions;
}

export interface WebServerOptions {
  port: number;
  /** The SvelteKit static build (web/build). */
  root: string;
  runDir: string;
  logDir: string;
}

/** Files of one nginx instance the launcher runs. */
export interface NginxInstance {
  /** The main nginx.conf written for this instance. */
  mainConfig: string;
  /** Arguments for `nginx` that start this instance in the foreground. */
  args: string[];
}

const UPSTREAM_ADDRESS = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$/;

/** `server host:port;` lines; addresses are checked so nothing else can slip into the config. */
function upstreamServers(what: string, addresses: string[]): string {
  if (addresses.length === 0) throw new Error(`gateway: no ${what} upstream given`);
  for (const address of addresses) {
    if (!UPSTREAM_ADDRESS.test(address)) throw new Error(`gateway: ${what} upstream '${address}' is not host:port`);
  }
  return addresses.map((address) => `server ${address};`).join('\n    ');
}

const NGINX_RATE = /^[0-9]+r\/[sm]$/;

/** Where Debian, other distributions and Homebrew keep nginx's file-extension → type table. */
const MIME_TYPES_CANDIDATES = ['/etc/nginx/mime.types', '/usr/local/nginx/conf/mime.types', '/usr/local/etc/nginx/mime.types', '/opt/homebrew/etc/nginx/mime.types'];

function mimeTypesFile(): string {
  const found = MIME_TYPES_CANDIDATES.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`nginx: mime.types not found (looked in ${MIME_TYPES_CANDIDATES.join(', ')}); is nginx installed?`);
  return found;
}

/**
 * The small main config the launcher wraps around a rendered template: everything that the
 * nginx image's own nginx.conf provides in Docker, with every writable path inside runDir so
 * several stacks can run side by side without root.
 */
function mainConfig(name: string, runDir: string, logDir: string, include: string[]): string {
  const temp = join(runDir, `${name}-temp`);
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(temp, sub), { recursive: true });
  // As root, workers would otherwise drop to "nobody" and could not read a 0700 temporary folder;
  // as anyone else nginx keeps the current user anyway.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  return `# Written by the meshcall launcher (packages/stack/src/components/nginx.ts) on every start.
${user}daemon off;
worker_processes 1;
pid ${join(runDir, `${name}.pid`)};
# Startup errors go to stderr through -e; this keeps the rest there too (the component's log file).
error_log stderr warn;

events {
    worker_connections 4096;
}

http {
    include ${mimeTypesFile()};
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65s;
    client_body_temp_path ${join(temp, 'client_body')};
    proxy_temp_path ${join(temp, 'proxy')};
    fastcgi_temp_path ${join(temp, 'fastcgi')};
    uwsgi_temp_path ${join(temp, 'uwsgi')};
    scgi_temp_path ${join(temp, 'scgi')};
    # The compiled-in default is under /var/log/nginx; a server may still choose its own log.
    access_log ${join(logDir, `${name}-access.log`)};

${include.map((file) => `    include ${file};`).join('\n')}
}
`;
}

/** Copies infra/nginx/snippets to runDir/meshcall, where the templates' `include meshcall/...` finds them. */
function installSnippets(runDir: string): void {
  const source = join(infraDir, 'nginx', 'snippets');
  const target = join(runDir, 'meshcall');
  mkdirSync(target, { recursive: true });
  for (const file of readdirSync(source)) copyFileSync(join(source, file), join(target, file));
}

function writeInstance(name: string, runDir: string, logDir: string, rendered: Array<{ file: string; text: string }>): NginxInstance {
  mkdirSync(runDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  installSnippets(runDir);
  for (const { file, text } of rendered) writeFileSync(join(runDir, file), text);
  const mainConfigFile = join(runDir, `${name}.nginx.conf`);
  writeFileSync(mainConfigFile, mainConfig(name, runDir, logDir, rendered.map(({ file }) => join(runDir, file))));
  // -e: the compiled-in error log (/var/log/nginx) is neither ours nor writable without root.
  return { mainConfig: mainConfigFile, args: ['-p', runDir, '-c', mainConfigFile, '-e', 'stderr'] };
}

function readTemplate(...path: string[]): string {
  return readFileSync(join(infraDir, 'nginx', ...path), 'utf8');
}

/** Renders infra/nginx/templates/gateway.conf.template (and the TLS server when asked) into runDir. */
export function writeGatewayConfig(options: GatewayOptions): NginxInstance {
  const signInRate = options.signInRate ?? '30r/m';
  if (!NGINX_RATE.test(signInRate)) throw new Error(`gateway: signInRate '${signInRate}' is not like "30r/m"`);
  const accessLog = join(options.logDir, 'gateway-access.log');
  const rendered = [
    {
      file: 'gateway.conf',
      text: renderTemplate(readTemplate('templates', 'gateway.conf.template'), {
        GATEWAY_PORT: `127.0.0.1:${options.port}`,
        GATEWAY_ACCESS_LOG: accessLog,
        AUTH_SERVERS: upstreamServers('auth', options.upstreams.auth),
        ROOMS_SERVERS: upstreamServers('rooms', options.upstreams.rooms),
        SIGNALING_SERVERS: upstreamServers('signaling', options.upstreams.signaling),
        WEB_SERVERS: upstreamServers('web', [options.upstreams.web]),
        SIGN_IN_RATE: signInRate,
      }),
    },
  ];
  if (options.tls) {
    rendered.push({
      file: 'gateway-tls.conf',
      text: renderTemplate(readTemplate('tls', 'gateway-tls.conf.template'), {
        GATEWAY_TLS_PORT: `127.0.0.1:${options.tls.port}`,
        GATEWAY_ACCESS_LOG: accessLog,
        TLS_CERTIFICATE: options.tls.certificate,
        TLS_CERTIFICATE_KEY: options.tls.certificateKey,
      }),
    });
  }
  return writeInstance('gateway', options.runDir, options.logDir, rendered);
}

/** Renders infra/nginx/templates/web.conf.template into runDir. */
export function writeWebServerConfig(options: WebServerOptions): NginxInstance {
  const text = renderTemplate(readTemplate('templates', 'web.conf.template'), {
    WEB_PORT: `127.0.0.1:${options.port}`,
    WEB_ROOT: resolve(options.root),
  });
  return writeInstance('web', options.runDir, options.logDir, [{ file: 'web.conf', text }]);
}

const execFileAsync = promisify(execFile);

/** `nginx -t` on a written instance: resolves with nginx's verdict, never throws for a bad config. */
export async function checkNginxConfig(instance: NginxInstance): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await execFileAsync('nginx', ['-t', ...instance.args], { timeout: 30_000 });
    return { ok: true, output: `${stdout}${stderr}` };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` || failure.message };
  }
}

function nginxComponent(name: string, instance: NginxInstance, port: number, logDir: string): LocalComponent {
  return new LocalComponent({
    name,
    processOptions: () => ({
      name,
      command: 'nginx',
      args: instance.args,
      logFile: join(logDir, `${name}.log`),
      // SIGQUIT is nginx's graceful shutdown: open requests finish, WebSockets get closed cleanly.
      stopSignal: 'SIGQUIT',
    }),
    isReady: () => httpOk(`http://127.0.0.1:${port}/healthz`),
  });
}

/**
 * The gateway as a local nginx: the same template, snippets and routes as the Docker gateway,
 * listening on 127.0.0.1 only. Ready once its own /healthz answers.
 */
export function gatewayComponent(options: GatewayOptions): LocalComponent {
  return nginxComponent('gateway', writeGatewayConfig(options), options.port, options.logDir);
}

/** A second local nginx serving the web build, as the web container does in Docker. */
export function webServerComponent(options: WebServerOptions): LocalComponent {
  if (!existsSync(options.root)) {
    throw new Error(`web: build folder ${options.root} does not exist; build the web first (npm run build -w @meshcall/web)`);
  }
  return nginxComponent('web', writeWebServerConfig(options), options.port, options.logDir);
}
