import { describe, expect, it } from 'vitest';
import { checkUrlShape, classifyAddress, parseAllowList, vetUrl, type Resolver } from './address-guard';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['100.64.0.1', 'shared (CGNAT)'],
    ['100.127.255.255', 'shared (CGNAT)'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['169.254.169.254', 'cloud metadata'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['255.255.255.255', 'reserved'],
    // An IPv4 address inside an IPv6 one reaches the IPv4 address.
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'cloud metadata'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['not an address', 'reserved'],
  ])('%s is %s', (address, reason) => {
    expect(classifyAddress(address)).toBe(reason);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '169.255.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
  ])('%s is public', (address) => {
    expect(classifyAddress(address)).toBeNull();
  });
});

describe('the allow-list and URL checks', () => {
  const resolvesTo =
    (...addresses: string[]): Resolver =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  const options = { allowList: parseAllowList('127.0.0.1:4999, partner.internal'), requireHttps: false };

  it('lets an allow-listed host through by the name written in the URL, with its port when the entry has one', async () => {
    expect(await vetUrl('http://127.0.0.1:4999/hook', options)).toMatchObject({ ok: true, address: '127.0.0.1' });
    expect(await vetUrl('http://127.0.0.1:5000/hook', options)).toMatchObject({ ok: false, code: 'BLOCKED_ADDRESS' });
    expect(await vetUrl('https://partner.internal/x', options, resolvesTo('10.1.2.3'))).toMatchObject({
      ok: true,
      address: '10.1.2.3',
    });
  });

  it('does not let a name through because its address is allow-listed', async () => {
    expect(await vetUrl('http://localhost:4999/', options, resolvesTo('127.0.0.1'))).toMatchObject({
      ok: false,
      code: 'BLOCKED_ADDRESS',
    });
  });

  it('refuses a name when any of its addresses is blocked, and connects to one it checked', async () => {
    expect(await vetUrl('https://mixed.example/', options, resolvesTo('93.184.216.34', '10.0.0.1'))).toMatchObject({
      ok: false,
      code: 'BLOCKED_ADDRESS',
    });
    expect(await vetUrl('https://public.example/', options, resolvesTo('93.184.216.34'))).toMatchObject({
      ok: true,
      address: '93.184.216.34',
      family: 4,
    });
  });

  it('refuses other schemes, credentials, non-URLs, and plain http in production unless allow-listed', () => {
    expect(checkUrlShape('ftp://example.org/', options)).toMatchObject({ ok: false, code: 'INVALID' });
    expect(checkUrlShape('http://user:pass@example.org/', options)).toMatchObject({ ok: false, code: 'INVALID' });
    expect(checkUrlShape('not a url', options)).toMatchObject({ ok: false, code: 'INVALID' });
    const production = { ...options, requireHttps: true };
    expect(checkUrlShape('http://example.org/', production)).toMatchObject({ ok: false, code: 'INVALID' });
    expect(checkUrlShape('http://127.0.0.1:4999/', production)).toMatchObject({ ok: true });
    expect(checkUrlShape('https://example.org/', production)).toMatchObject({ ok: true });
  });

  it('reads IPv6 entries and normalizes hosts as URLs do', () => {
    const list = parseAllowList('[::1]:8080,127.1,Example.ORG.');
    expect(list.entries).toEqual([
      { host: '::1', port: '8080' },
      { host: '127.0.0.1', port: null },
      { host: 'example.org', port: null },
    ]);
  });
});
