import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isIP } from 'node:net';
import { LocalComponent } from '../component.js';
import { NGINX_RATE } from '../settings.js';
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
  /**
   * The public TLS port: the TLS edge (infra/nginx/tls/stream/gateway-tls-edge.conf.template) listens
   * here and routes HTTPS to the HTTPS server and TURN over TLS to `turns`, by ALPN.
   */
  port: number;
  /**
   * coturn's TLS listener (`host:port`), reached through the TLS edge. Without it there is no edge
   * and the HTTPS server listens on `port` itself (nginx.test.ts runs the gateway without coturn).
   */
  turns?: string;
  /** PEM file with the certificate chain. */
  certificate: string;
  /** PEM file with its private key. */
  certificateKey: string;
}

export interface GatewayOptions {
  /** Plain HTTP port. */
  port: number;
  /** IP address to listen on (GATEWAY_BIND); 127.0.0.1 by default. */
  host?: string;
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
/** Where Debian and others keep nginx's dynamic stream module; a static build needs none. */
const STREAM_MODULE_CANDIDATES = ['/usr/lib/nginx/modules/ngx_stream_module.so', '/usr/lib64/nginx/modules/ngx_stream_module.so', '/usr/share/nginx/modules/ngx_stream_module.so'];

function streamModule(): string {
  const found = STREAM_MODULE_CANDIDATES.find((candidate) => existsSync(candidate));
  return found ? `load_module ${found};\n` : '';
}

function mainConfig(name: string, runDir: string, logDir: string, include: string[], streamInclude: string[] = []): string {
  const temp = join(runDir, `${name}-temp`);
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(temp, sub), { recursive: true });
  // As root, workers would otherwise drop to "nobody" and could not read a 0700 temporary folder;
  // as anyone else nginx keeps the current user anyway.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  // Debian builds the stream module (TLS edge) as a dynamic module (libnginx-mod-stream).
  const stream =
    streamInclude.length > 0
      ? `\nstream {\n    error_log stderr warn;\n${streamInclude.map((file) => `    include ${file};`).join('\n')}\n}\n`
      : '';
  return `# Written by the meshcall launcher (packages/stack/src/components/nginx.ts) on every start.
${streamInclude.length > 0 ? streamModule() : ''}${user}daemon off;
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
${stream}`;
}

/** Copies infra/nginx/snippets to runDir/meshcall, where the templates' `include meshcall/...` finds them. */
function installSnippets(runDir: string): void {
  const source = join(infraDir, 'nginx', 'snippets');
  const target = join(runDir, 'meshcall');
  mkdirSync(target, { recursive: true });
  for (const file of readdirSync(source)) copyFileSync(join(source, file), join(target, file));
}

function writeInstance(
  name: string,
  runDir: string,
  logDir: string,
  rendered: Array<{ file: string; text: string; context?: 'http' | 'stream' }>,
): NginxInstance {
  mkdirSync(runDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  installSnippets(runDir);
  for (const { file, text } of rendered) writeFileSync(join(runDir, file), text);
  const mainConfigFile = join(runDir, `${name}.nginx.conf`);
  const inContext = (context: 'http' | 'stream') => rendered.filter((r) => (r.context ?? 'http') === context).map(({ file }) => join(runDir, file));
  writeFileSync(mainConfigFile, mainConfig(name, runDir, logDir, inContext('http'), inContext('stream')));
  // -e: the compiled-in error log (/var/log/nginx) is neither ours nor writable without root.
  return { mainConfig: mainConfigFile, args: ['-p', runDir, '-c', mainConfigFile, '-e', 'stderr'] };
}

function readTemplate(...path: string[]): string {
  return readFileSync(join(infraDir, 'nginx', ...path), 'utf8');
}

/** `host:port` as nginx's listen and URLs write it: an IPv6 address goes in brackets. */
export function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Where this machine reaches a server listening on `host`: the wildcard addresses are reached
 * through loopback (`::` listens on IPv6 only under nginx's default ipv6only=on).
 */
export function localAddressOf(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

/** Renders infra/nginx/templates/gateway.conf.template (and the TLS server when asked) into runDir. */
export function writeGatewayConfig(options: GatewayOptions): NginxInstance {
  const signInRate = options.signInRate ?? '30r/m';
  if (!NGINX_RATE.test(signInRate)) throw new Error(`gateway: signInRate '${signInRate}' is not like "30r/m"`);
  const accessLog = join(options.logDir, 'gateway-access.log');
  const rendered: Array<{ file: string; text: string; context?: 'http' | 'stream' }> = [
    {
      file: 'gateway.conf',
      text: renderTemplate(readTemplate('templates', 'gateway.conf.template'), {
        GATEWAY_PORT: hostPort(options.host ?? '127.0.0.1', options.port),
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
    const { turns } = options.tls;
    if (turns !== undefined && !UPSTREAM_ADDRESS.test(turns)) throw new Error(`gateway: turns upstream '${turns}' is not host:port`);
    const publicTls = hostPort(options.host ?? '127.0.0.1', options.tls.port);
    // With coturn behind it, the TLS edge owns the public port and the HTTPS server sits behind it
    // on a unix socket in runDir (nothing else can connect there, and no port has to be found);
    // without one, the HTTPS server listens on the public port itself.
    const sockets = gatewayTlsSockets(options.runDir);
    rendered.push({
      file: 'gateway-tls.conf',
      text: renderTemplate(readTemplate('tls', 'gateway-tls.conf.template'), {
        GATEWAY_HTTPS_LISTEN: turns ? `unix:${sockets.https} proxy_protocol` : publicTls,
        GATEWAY_ACCESS_LOG: accessLog,
        TLS_CERTIFICATE: options.tls.certificate,
        TLS_CERTIFICATE_KEY: options.tls.certificateKey,
      }),
    });
    if (turns) {
      rendered.push({
        file: 'gateway-tls-edge.conf',
        context: 'stream',
        text: renderTemplate(readTemplate('tls', 'stream', 'gateway-tls-edge.conf.template'), {
          GATEWAY_TLS_PORT: publicTls,
          GATEWAY_HTTPS_INTERNAL: `unix:${sockets.https}`,
          GATEWAY_TURNS_INTERNAL: `unix:${sockets.turns}`,
          TURNS_SERVERS: `server ${turns};`,
        }),
      });
    }
  }
  return writeInstance('gateway', options.runDir, options.logDir, rendered);
}

/** The unix sockets behind the TLS edge; removed before each start, since a killed nginx leaves them. */
export function gatewayTlsSockets(runDir: string): { https: string; turns: string } {
  return { https: join(runDir, 'tls-https.sock'), turns: join(runDir, 'tls-turns.sock') };
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

function nginxComponent(name: string, instance: NginxInstance, port: number, logDir: string, host = '127.0.0.1', staleSockets: string[] = []): LocalComponent {
  return new LocalComponent({
    name,
    processOptions: () => {
      // Called before every start, restarts included: an nginx that was SIGKILLed leaves its unix
      // sockets behind, and binding them again would fail.
      for (const socket of staleSockets) rmSync(socket, { force: true });
      return {
      name,
      command: 'nginx',
      args: instance.args,
      logFile: join(logDir, `${name}.log`),
      // SIGQUIT is nginx's graceful shutdown: open requests finish, WebSockets get closed cleanly.
      stopSignal: 'SIGQUIT',
      };
    },
    isReady: () => httpOk(`http://${hostPort(localAddressOf(host), port)}/healthz`),
  });
}

/**
 * The gateway as a local nginx: the same template, snippets and routes as the Docker gateway,
 * listening on 127.0.0.1 unless told another address. Ready once its own /healthz answers.
 */
export function gatewayComponent(options: GatewayOptions): LocalComponent {
  const sockets = options.tls?.turns ? Object.values(gatewayTlsSockets(options.runDir)) : [];
  return nginxComponent('gateway', writeGatewayConfig(options), options.port, options.logDir, options.host, sockets);
}

/** A second local nginx serving the web build, as the web container does in Docker. */
export function webServerComponent(options: WebServerOptions): LocalComponent {
  if (!existsSync(options.root)) {
    throw new Error(`web: build folder ${options.root} does not exist; build the web first (npm run build -w @meshcall/web)`);
  }
  return nginxComponent('web', writeWebServerConfig(options), options.port, options.logDir);
}
