import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { addressRefusal, DestinationRefused, destinationRefusal, policyLookup, type DestinationRefusal, type Resolve } from './destination-policy.ts';

type Row = [url: string, always: DestinationRefusal | undefined, denyPrivate: DestinationRefusal | undefined];

const URLS: Row[] = [
  // credentials, in every spelling
  ['http://user:pass@example.com/hook', 'credentials', 'credentials'],
  ['http://user@example.com/hook', 'credentials', 'credentials'],
  ['http://:pass@example.com/hook', 'credentials', 'credentials'],
  ['HTTPS://User:Pass@EXAMPLE.com/', 'credentials', 'credentials'],
  ['http://user:pass@127.0.0.1/', 'credentials', 'credentials'],
  // link-local, in the forms WHATWG URL parsing turns into it
  ['http://169.254.169.254/', 'link-local', 'link-local'],
  ['HTTP://169.254.169.254/latest/meta-data/', 'link-local', 'link-local'],
  ['http://169.254.0.1:8080/x', 'link-local', 'link-local'],
  ['http://0xA9FEA9FE/', 'link-local', 'link-local'],
  ['http://2852039166/', 'link-local', 'link-local'],
  ['http://169.254.43518/', 'link-local', 'link-local'],
  ['http://0251.0376.0251.0376/', 'link-local', 'link-local'],
  ['http://[::ffff:169.254.169.254]/', 'link-local', 'link-local'],
  ['http://[::ffff:a9fe:a9fe]/', 'link-local', 'link-local'],
  ['http://[::169.254.169.254]/', 'link-local', 'link-local'],
  ['http://[64:ff9b::169.254.169.254]/', 'link-local', 'link-local'],
  ['http://[fe80::1]/', 'link-local', 'link-local'],
  ['http://[FEBF::abcd]:9000/', 'link-local', 'link-local'],
  // loopback and private: allowed for local use, refused with denyPrivate
  ['http://127.0.0.1:3000/hook', undefined, 'private'],
  ['http://127.1/', undefined, 'private'],
  ['http://0x7f000001/', undefined, 'private'],
  ['http://0.0.0.0:3000/', undefined, 'private'],
  ['http://0/', undefined, 'private'],
  ['http://[::1]:3000/', undefined, 'private'],
  ['http://[::]/', undefined, 'private'],
  ['http://[::ffff:127.0.0.1]/', undefined, 'private'],
  ['http://localhost:3000/hook', undefined, 'private'],
  ['http://LOCALHOST./', undefined, 'private'],
  ['http://api.localhost/', undefined, 'private'],
  ['http://10.0.0.5:6379/', undefined, 'private'],
  ['http://172.16.0.1/', undefined, 'private'],
  ['http://172.31.255.255/', undefined, 'private'],
  ['http://192.168.1.1/', undefined, 'private'],
  ['http://100.64.0.1/', undefined, 'private'],
  ['http://100.127.255.255/', undefined, 'private'],
  ['http://[fc00::1]/', undefined, 'private'],
  ['http://[fd12:3456::1]/', undefined, 'private'],
  ['http://[::ffff:10.1.2.3]/', undefined, 'private'],
  ['http://[64:ff9b::192.168.0.1]/', undefined, 'private'],
  // public, never refused
  ['https://example.com/hooks/nimbus', undefined, undefined],
  ['http://93.184.215.14/', undefined, undefined],
  ['http://172.32.0.1/', undefined, undefined],
  ['http://172.15.255.255/', undefined, undefined],
  ['http://100.128.0.1/', undefined, undefined],
  ['http://169.255.0.1/', undefined, undefined],
  ['http://[2606:4700::1111]/', undefined, undefined],
  ['http://[fec0::1]/', undefined, 'private'],
  ['http://localhost.example.com/', undefined, undefined],
  ['http://example.com/user@host', undefined, undefined],
  ['not a url', undefined, undefined],
];

describe('destinationRefusal', () => {
  it.each(URLS)('%s: %s, with denyPrivate %s', (url, always, denyPrivate) => {
    expect(destinationRefusal(url, false)).toBe(always);
    expect(destinationRefusal(url, true)).toBe(denyPrivate);
  });
});

describe('addressRefusal', () => {
  it.each([
    ['169.254.169.254', 'link-local', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local', 'link-local'],
    ['fe80::abcd', 'link-local', 'link-local'],
    ['127.0.0.1', undefined, 'private'],
    ['::1', undefined, 'private'],
    ['10.20.30.40', undefined, 'private'],
    ['fd00::1', undefined, 'private'],
    ['8.8.8.8', undefined, undefined],
    ['2001:4860:4860::8888', undefined, undefined],
    ['example.com', undefined, undefined],
  ] as const)('%s', (address, always, denyPrivate) => {
    expect(addressRefusal(address, false)).toBe(always);
    expect(addressRefusal(address, true)).toBe(denyPrivate);
  });
});

/** A resolver that answers every name with these addresses. */
const resolvesTo = (...addresses: string[]): Resolve => (_name, _options, callback) =>
  callback(null, addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 })));

function lookUp(lookup: ReturnType<typeof policyLookup>, name: string, all: boolean): Promise<{ error: Error | null; address: unknown; family?: number }> {
  return new Promise((resolve) => lookup(name, all ? { all: true } : {}, (error, address, family) => resolve({ error, address, family })));
}

describe('policyLookup', () => {
  it('passes public addresses through, in the shape asked for', async () => {
    const lookup = policyLookup(true, resolvesTo('93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'));
    expect(await lookUp(lookup, 'example.com', false)).toEqual({ error: null, address: '93.184.215.14', family: 4 });
    expect((await lookUp(lookup, 'example.com', true)).address).toHaveLength(2);
  });

  it('refuses a name when any one of its addresses is refused (DNS rebinding)', async () => {
    const lookup = policyLookup(true, resolvesTo('93.184.215.14', '10.0.0.5'));
    for (const all of [false, true]) {
      const { error } = await lookUp(lookup, 'rebind.example.com', all);
      expect(error).toBeInstanceOf(DestinationRefused);
      expect(error!.message).toBe('Refused by policy');
    }
  });

  it('refuses a name resolving to link-local even without denyPrivate, and loopback only with it', async () => {
    expect((await lookUp(policyLookup(false, resolvesTo('169.254.169.254')), 'metadata.example', false)).error).toBeInstanceOf(DestinationRefused);
    expect((await lookUp(policyLookup(false, resolvesTo('127.0.0.1')), 'loop.example', false)).error).toBeNull();
    expect((await lookUp(policyLookup(true, resolvesTo('127.0.0.1')), 'loop.example', false)).error).toBeInstanceOf(DestinationRefused);
    expect((await lookUp(policyLookup(true, resolvesTo('::1')), 'loop.example', true)).error).toBeInstanceOf(DestinationRefused);
  });

  it('refuses localhost with denyPrivate, with the system resolver', async () => {
    const { error } = await lookUp(policyLookup(true), 'localhost', false);
    expect(error).toBeInstanceOf(DestinationRefused);
  });

  it('passes on the resolver\'s own failure', async () => {
    const failing: Resolve = (_name, _options, callback) => callback(Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' }), []);
    const { error } = await lookUp(policyLookup(true, failing), 'nowhere.invalid', false);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOTFOUND');
  });
});
