import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * Every namespace this tier creates starts with this prefix, so leftovers of a crashed run are
 * found and removed by name before a new run starts, and nothing else is ever touched.
 */
export const PREFIX = 'mcnet-';

/**
 * Addresses, all from the documentation and benchmarking ranges (never 10/8, 172.16/12 or
 * 192.168/16), inside namespaces only. Nothing here is routed to the host: the namespaces are
 * connected to each other and to nothing else.
 *
 *   home N client (198.18.N.2) ── LAN ── home N router (198.18.N.1 | 198.51.100.(4N-2))
 *                                              └── WAN ── public (198.51.100.(4N-3); 203.0.113.10)
 *
 * The public namespace is both "the internet" (it routes between the homes' WAN links) and the
 * server: the stack runs inside it, gateway and coturn at 203.0.113.10.
 */
export const PUBLIC_ADDRESS = '203.0.113.10';
export const PUBLIC_NAMESPACE = `${PREFIX}pub`;
/** Where the public namespace's default route leads: a namespace that drops what it gets. */
const VOID_NAMESPACE = `${PREFIX}void`;

export interface HomeAddresses {
  /** The router's address on the public side: what a NAT maps its clients to. */
  wan: string;
  /** The public namespace's end of the WAN link, the router's default gateway. */
  upstream: string;
  lanRouter: string;
  client: string;
  lanPrefix: string;
}

/** Home 1 and home 2; the index keeps every address and interface name of a home distinct. */
export function homeAddresses(index: 1 | 2): HomeAddresses {
  return {
    upstream: `198.51.100.${4 * index - 3}`,
    wan: `198.51.100.${4 * index - 2}`,
    lanRouter: `198.18.${index}.1`,
    client: `198.18.${index}.2`,
    lanPrefix: `198.18.${index}.0/24`,
  };
}

/** How a home reaches the internet. */
export type Nat =
  /** nftables masquerade with a fresh random port per destination: endpoint-dependent mapping. */
  | 'symmetric'
  /** No NAT: the public side routes to the client's address, as for a host with a public IP. */
  | 'none';

/** What the home's firewall lets out (replies to what went out always come back in). */
export type Egress = 'open' | 'no-udp' | 'tcp-443-only';

export interface HomeProfile {
  nat: Nat;
  egress: Egress;
}

/**
 * The router's nftables ruleset: one table of our own, so `nft list ruleset` shows exactly what a
 * scenario built. Forwarding is denied unless listed: new connections from the WAN side never
 * reach the LAN (a NAT's filtering, or a host firewall's for the open home, minus the
 * client's own address which is routed in `none`).
 */
export function routerRuleset(profile: HomeProfile): string {
  const egress: Record<Egress, string[]> = {
    open: ['iifname "lan" oifname "wan" accept'],
    // Silently dropped, as corporate firewalls do: the browser only learns by timing out.
    'no-udp': ['iifname "lan" oifname "wan" meta l4proto udp drop', 'iifname "lan" oifname "wan" accept'],
    'tcp-443-only': ['iifname "lan" oifname "wan" tcp dport 443 accept'],
  };
  // An open home is a host with a public address: anyone may start a connection to it, which is
  // what lets a peer behind a symmetric NAT reach it directly (scenario 4).
  const inbound = profile.nat === 'none' ? ['iifname "wan" oifname "lan" accept'] : [];
  // fully-random: every new flow gets a random source port, so the port a STUN server sees is
  // never the one a peer would see: no hole punching, the defining trait of a symmetric NAT.
  const nat =
    profile.nat === 'symmetric'
      ? ['  chain postrouting {', '    type nat hook postrouting priority srcnat; policy accept;', '    oifname "wan" masquerade fully-random', '  }']
      : [];
  return [
    'table inet meshcall_net {',
    '  chain forward {',
    '    type filter hook forward priority filter; policy drop;',
    '    ct state established,related accept',
    ...egress[profile.egress].map((rule) => `    ${rule}`),
    ...inbound.map((rule) => `    ${rule}`),
    '  }',
    // The router itself serves nothing: what reaches it unsolicited is dropped without an ICMP
    // answer, as home routers and corporate firewalls do.
    '  chain input {',
    '    type filter hook input priority filter; policy drop;',
    '    ct state established,related accept',
    '  }',
    ...nat,
    '}',
    '',
  ].join('\n');
}

const COMMAND_TIMEOUT_MS = 15_000;

async function run(command: string, args: string[], input?: string): Promise<string> {
  try {
    if (input === undefined) {
      const { stdout } = await execFileAsync(command, args, { timeout: COMMAND_TIMEOUT_MS });
      return stdout;
    }
    return await new Promise((resolve, reject) => {
      const child = execFile(command, args, { timeout: COMMAND_TIMEOUT_MS }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
      child.stdin?.end(input);
    });
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${(failure.stderr ?? '').trim() || failure.message}`, { cause: error });
  }
}

/** Runs a command inside a namespace. */
export function inNamespace(namespace: string, command: string, args: string[], input?: string): Promise<string> {
  return run('ip', ['netns', 'exec', namespace, command, ...args], input);
}

async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

async function namespacesWithPrefix(): Promise<string[]> {
  const listed = await run('ip', ['netns', 'list']);
  return listed
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(PREFIX));
}

const KILL_WAIT_MS = 5_000;

/**
 * Removes a namespace and every process still inside it (a stack child that was SIGKILLed leaves
 * its nginx, coturn and services behind there; `ip netns del` alone would only unlink the name
 * and leave them running). Only processes in our own namespaces are ever signalled.
 */
export async function deleteNamespace(namespace: string): Promise<void> {
  const pidsOf = async () =>
    (await run('ip', ['netns', 'pids', namespace]).catch(() => ''))
      .split('\n')
      .map((pid) => Number(pid))
      .filter((pid) => Number.isInteger(pid) && pid > 1);
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    const pids = await pidsOf();
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // Gone between listing and signalling.
      }
    }
    const deadline = Date.now() + KILL_WAIT_MS;
    while (Date.now() < deadline && (await pidsOf()).length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // Deleting the namespace destroys the veths in it, and with each its peer in the other namespace.
  await run('ip', ['netns', 'del', namespace]).catch(() => undefined);
}

/** Removes every namespace with our prefix: leftovers of a crashed run, or this run's own. */
export async function removeAllNamespaces(): Promise<string[]> {
  const found = await namespacesWithPrefix();
  // Homes first, so no router is left routing into a deleted public namespace mid-teardown.
  const ordered = [...found.filter((name) => name !== PUBLIC_NAMESPACE), ...found.filter((name) => name === PUBLIC_NAMESPACE)];
  for (const namespace of ordered) await deleteNamespace(namespace);
  const left = await namespacesWithPrefix();
  if (left.length > 0) throw new Error(`network namespaces left behind: ${left.join(', ')}`);
  return found;
}

async function createNamespace(namespace: string): Promise<void> {
  await ip('netns', 'add', namespace);
  await inNamespace(namespace, 'ip', ['link', 'set', 'lo', 'up']);
  // IPv4 only: no link-local IPv6 candidates that would only add noise to what ICE tries.
  await inNamespace(namespace, 'sysctl', ['-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
}

/**
 * Says why this machine cannot build the tier's networks, or null when it can: root (or
 * CAP_NET_ADMIN), `ip netns`, and nftables. Checked by creating and removing a probe namespace,
 * since containers often refuse even when every binary is present.
 */
export async function namespaceSupportProblem(): Promise<string | null> {
  const probe = `${PREFIX}probe`;
  try {
    await run('nft', ['--version']);
  } catch (error) {
    return `nftables (nft) is not usable: ${(error as Error).message} (npm run setup installs it)`;
  }
  try {
    await deleteNamespace(probe);
    await createNamespace(probe);
    await inNamespace(probe, 'nft', ['-f', '-'], 'table inet probe {\n  chain c {\n    type filter hook forward priority filter;\n  }\n}\n');
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await deleteNamespace(probe);
  }
}

/** The public namespace: the internet between the homes, and the stack's address. */
export async function createPublicNamespace(): Promise<void> {
  await createNamespace(PUBLIC_NAMESPACE);
  await inNamespace(PUBLIC_NAMESPACE, 'ip', ['addr', 'add', `${PUBLIC_ADDRESS}/32`, 'dev', 'lo']);
  await inNamespace(PUBLIC_NAMESPACE, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
  // "The rest of the internet": a default route to a namespace that forwards nothing, so every
  // packet sent there is silently lost. Without it, sends to addresses nobody routes (a NATed
  // home's private address, offered in its host candidates) fail at once with ENETUNREACH, and
  // coturn closes the whole allocation on that error; on the real internet such packets are
  // silently lost somewhere upstream. Nothing leaves the namespaces either way.
  await createNamespace(VOID_NAMESPACE);
  await ip('link', 'add', `${PREFIX}void`, 'netns', PUBLIC_NAMESPACE, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', VOID_NAMESPACE);
  await inNamespace(PUBLIC_NAMESPACE, 'ip', ['addr', 'add', '203.0.113.253/30', 'dev', `${PREFIX}void`]);
  await inNamespace(PUBLIC_NAMESPACE, 'ip', ['link', 'set', `${PREFIX}void`, 'up']);
  await inNamespace(VOID_NAMESPACE, 'ip', ['addr', 'add', '203.0.113.254/30', 'dev', 'eth0']);
  await inNamespace(VOID_NAMESPACE, 'ip', ['link', 'set', 'eth0', 'up']);
  await inNamespace(VOID_NAMESPACE, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=0']);
  await inNamespace(PUBLIC_NAMESPACE, 'ip', ['route', 'add', 'default', 'via', '203.0.113.254']);
}

export interface Home {
  index: 1 | 2;
  profile: HomeProfile;
  addresses: HomeAddresses;
  /** Where the browser runs. */
  clientNamespace: string;
  routerNamespace: string;
}

/**
 * One home: a router namespace (NAT and firewall) and a client namespace (the browser), wired to
 * the public namespace. Built per scenario, so no NAT mapping or conntrack entry outlives it.
 */
export async function createHome(index: 1 | 2, profile: HomeProfile): Promise<Home> {
  const a = homeAddresses(index);
  const router = `${PREFIX}r${index}`;
  const client = `${PREFIX}c${index}`;
  await createNamespace(router);
  await createNamespace(client);
  // Created directly inside the namespaces: nothing is ever added to the host's own network.
  // Interface names are "wan"/"lan" inside the router (what the ruleset names), unique outside.
  await ip('link', 'add', `${PREFIX}w${index}`, 'netns', PUBLIC_NAMESPACE, 'type', 'veth', 'peer', 'name', 'wan', 'netns', router);
  await ip('link', 'add', 'lan', 'netns', router, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', client);

  await inNamespace(PUBLIC_NAMESPACE, 'ip', ['addr', 'add', `${a.upstream}/30`, 'dev', `${PREFIX}w${index}`]);
  await inNamespace(PUBLIC_NAMESPACE, 'ip', ['link', 'set', `${PREFIX}w${index}`, 'up']);
  await inNamespace(router, 'ip', ['addr', 'add', `${a.wan}/30`, 'dev', 'wan']);
  await inNamespace(router, 'ip', ['addr', 'add', `${a.lanRouter}/24`, 'dev', 'lan']);
  await inNamespace(router, 'ip', ['link', 'set', 'wan', 'up']);
  await inNamespace(router, 'ip', ['link', 'set', 'lan', 'up']);
  await inNamespace(router, 'ip', ['route', 'add', 'default', 'via', a.upstream]);
  await inNamespace(router, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
  await inNamespace(client, 'ip', ['addr', 'add', `${a.client}/24`, 'dev', 'eth0']);
  await inNamespace(client, 'ip', ['link', 'set', 'eth0', 'up']);
  await inNamespace(client, 'ip', ['route', 'add', 'default', 'via', a.lanRouter]);
  // Only an un-NATed home's LAN is reachable from the internet; a NATed one's is not routed at all.
  if (profile.nat === 'none') await inNamespace(PUBLIC_NAMESPACE, 'ip', ['route', 'add', a.lanPrefix, 'via', a.wan]);
  await inNamespace(router, 'nft', ['-f', '-'], routerRuleset(profile));
  return { index, profile, addresses: a, clientNamespace: client, routerNamespace: router };
}

export async function deleteHome(home: Home): Promise<void> {
  await deleteNamespace(home.clientNamespace);
  await deleteNamespace(home.routerNamespace);
}
