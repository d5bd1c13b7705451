// The SSRF guard: a webhook URL may not point the service at itself, at the network it runs in,
// or at a cloud's metadata endpoint. Every address its host resolves to is checked, at
// registration and again on every delivery (DNS can change between the two), and the delivery
// connects to the very address that was checked, so that a second lookup cannot swap it for
// another (DNS rebinding). An operator's allow-list exempts hosts by name as written in the URL,
// never by address: allowing 127.0.0.1 does not let through a name that resolves to it.
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export type BlockedReason =
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'shared (CGNAT)'
  | 'unspecified'
  | 'multicast'
  | 'cloud metadata'
  | 'reserved';

type Range = [first: number, prefixBits: number, reason: BlockedReason];

const v4 = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

// Most specific first: the metadata addresses sit inside link-local and CGNAT.
const IPV4_RANGES: Range[] = [
  [v4(169, 254, 169, 254), 32, 'cloud metadata'],
  [v4(100, 100, 100, 200), 32, 'cloud metadata'],
  [v4(0, 0, 0, 0), 8, 'unspecified'],
  [v4(127, 0, 0, 0), 8, 'loopback'],
  [v4(10, 0, 0, 0), 8, 'private'],
  [v4(172, 16, 0, 0), 12, 'private'],
  [v4(192, 168, 0, 0), 16, 'private'],
  [v4(169, 254, 0, 0), 16, 'link-local'],
  [v4(100, 64, 0, 0), 10, 'shared (CGNAT)'],
  [v4(224, 0, 0, 0), 4, 'multicast'],
  [v4(240, 0, 0, 0), 4, 'reserved'],
  [v4(192, 0, 0, 0), 24, 'reserved'],
  [v4(192, 0, 2, 0), 24, 'reserved'],
  [v4(198, 18, 0, 0), 15, 'reserved'],
  [v4(198, 51, 100, 0), 24, 'reserved'],
  [v4(203, 0, 113, 0), 24, 'reserved'],
];

function classifyIPv4(address: string): BlockedReason | null {
  const [a, b, c, d] = address.split('.').map(Number) as [number, number, number, number];
  const value = v4(a, b, c, d);
  for (const [first, bits, reason] of IPV4_RANGES) {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    if ((value & mask) >>> 0 === first) return reason;
  }
  return null;
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted quad included). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

const embeddedIPv4 = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;

function classifyIPv6(address: string): BlockedReason | null {
  const g = ipv6Groups(address);
  const zeroUpTo = (n: number) => g.slice(0, n).every((group) => group === 0);
  if (zeroUpTo(8)) return 'unspecified';
  if (zeroUpTo(7) && g[7] === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d)
  // addresses reach the IPv4 address inside them.
  if (zeroUpTo(5) && (g[5] === 0xffff || g[5] === 0)) return classifyIPv4(embeddedIPv4(g[6]!, g[7]!));
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((group) => group === 0)) {
    return classifyIPv4(embeddedIPv4(g[6]!, g[7]!));
  }
  // 6to4 (2002:a.b.c.d::/48) likewise.
  if (g[0] === 0x2002) return classifyIPv4(embeddedIPv4(g[1]!, g[2]!));
  if (g[0] === 0xfd00 && g[1] === 0x0ec2 && g.slice(2, 7).every((group) => group === 0) && g[7] === 0x254) {
    return 'cloud metadata';
  }
  if ((g[0]! & 0xfe00) === 0xfc00) return 'private';
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local';
  // Site-local, deprecated but still routed inside some networks.
  if ((g[0]! & 0xffc0) === 0xfec0) return 'private';
  if ((g[0]! & 0xff00) === 0xff00) return 'multicast';
  if (g[0] === 0x2001 && g[1] === 0x0db8) return 'reserved';
  return null;
}

/** Why an address may not be called, or null when it is a public one. */
export function classifyAddress(address: string): BlockedReason | null {
  const family = isIP(address.replace(/%.*$/, ''));
  if (family === 4) return classifyIPv4(address);
  if (family === 6) return classifyIPv6(address);
  return 'reserved';
}

export interface AllowList {
  entries: Array<{ host: string; port: string | null }>;
}

const normalizeHost = (host: string) =>
  host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');

/** `WEBHOOK_ALLOWED_HOSTS`: comma-separated `host` or `host:port` (`[v6]:port`), as a URL would name them. */
export function parseAllowList(text: string): AllowList {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const withPort = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(entry);
      const host = withPort ? withPort[1]! : entry;
      // Through the URL parser, so that an entry matches the URL's own spelling (127.1 is 127.0.0.1).
      let parsed: string;
      try {
        parsed = new URL(`http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}/`).hostname;
      } catch {
        throw new Error(`WEBHOOK_ALLOWED_HOSTS: "${entry}" is not a host or host:port`);
      }
      return { host: normalizeHost(parsed), port: withPort ? withPort[2]! : null };
    });
  return { entries };
}

const portOf = (url: URL) => url.port || (url.protocol === 'https:' ? '443' : '80');

export function isAllowListed(list: AllowList, url: URL): boolean {
  const host = normalizeHost(url.hostname);
  return list.entries.some((entry) => entry.host === host && (entry.port === null || entry.port === portOf(url)));
}

export type UrlRefusal = { ok: false; code: 'INVALID' | 'BLOCKED_ADDRESS'; message: string };
export type VettedUrl = {
  ok: true;
  url: URL;
  /** The address to connect to: checked (or allow-listed), and used as is. */
  address: string;
  family: 4 | 6;
};

export interface GuardOptions {
  allowList: AllowList;
  requireHttps: boolean;
}

const invalid = (message: string): UrlRefusal => ({ ok: false, code: 'INVALID', message });

/** What can be said of a URL without resolving it. */
export function checkUrlShape(text: string, options: GuardOptions): { ok: true; url: URL } | UrlRefusal {
  if (text.length > 2_000) return invalid('A webhook URL is at most 2,000 characters.');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return invalid('Not a URL: give an absolute http(s) URL, e.g. https://example.org/hooks.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return invalid(`Webhooks are sent over http or https only, not ${url.protocol.slice(0, -1)}.`);
  }
  if (url.username || url.password) {
    return invalid('A webhook URL may not carry a user name or password: verify deliveries by their signature.');
  }
  if (options.requireHttps && url.protocol === 'http:' && !isAllowListed(options.allowList, url)) {
    return invalid('Webhook URLs must be https.');
  }
  return { ok: true, url };
}

export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const resolveAll: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * Checks a URL and every address its host resolves to; answers the address to connect to. An
 * allow-listed host skips the address check (it is still resolved, once, here).
 */
export async function vetUrl(
  text: string,
  options: GuardOptions,
  resolve: Resolver = resolveAll,
): Promise<VettedUrl | UrlRefusal> {
  const shape = checkUrlShape(text, options);
  if (!shape.ok) return shape;
  const { url } = shape;
  const host = normalizeHost(url.hostname);
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolve(host);
  } catch {
    return invalid(`The host ${url.hostname} does not resolve.`);
  }
  if (!addresses.length) return invalid(`The host ${url.hostname} does not resolve.`);
  if (!isAllowListed(options.allowList, url)) {
    for (const { address } of addresses) {
      const reason = classifyAddress(address);
      if (reason) {
        return {
          ok: false,
          code: 'BLOCKED_ADDRESS',
          message: `${url.hostname} resolves to ${address}, a ${reason} address: webhooks are not sent into private networks (an operator may allow-list the host).`,
        };
      }
    }
  }
  const [first] = addresses as [{ address: string; family: number }];
  return { ok: true, url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
