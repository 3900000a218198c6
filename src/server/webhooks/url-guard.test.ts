import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { checkEndpointUrl, classifyAddress, guardedLookup, refusal } from './url-guard'

describe('webhook URL guard (SSRF)', () => {
  test('classifies addresses: metadata and link-local are forbidden, private ranges are private', () => {
    const table: [string, string][] = [
      ['169.254.169.254', 'forbidden'],
      ['169.254.1.1', 'forbidden'],
      ['fe80::1', 'forbidden'],
      ['fd00:ec2::254', 'forbidden'],
      ['100.100.100.200', 'forbidden'],
      ['0.0.0.0', 'forbidden'],
      ['::', 'forbidden'],
      ['224.0.0.1', 'forbidden'],
      ['255.255.255.255', 'forbidden'],
      ['ff02::1', 'forbidden'],
      // IPv6 forms that embed a forbidden IPv4 address
      ['::ffff:169.254.169.254', 'forbidden'],
      ['::ffff:a9fe:a9fe', 'forbidden'],
      ['64:ff9b::a9fe:a9fe', 'forbidden'],
      ['2002:a9fe:a9fe::1', 'forbidden'],
      ['127.0.0.1', 'private'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['100.64.0.1', 'private'],
      ['::1', 'private'],
      ['fd12:3456::1', 'private'],
      ['::ffff:127.0.0.1', 'private'],
      ['::ffff:10.0.0.1', 'private'],
      ['172.32.0.1', 'public'],
      ['8.8.8.8', 'public'],
      ['2606:4700::1111', 'public'],
      ['::ffff:8.8.8.8', 'public'],
      ['not-an-ip', 'forbidden'],
    ]
    for (const [ip, expected] of table) assert.equal(classifyAddress(ip), expected, ip)
  })

  test('registration refuses metadata, link-local and (unless allowed) private targets', async () => {
    const refused = async (url: string, allowPrivate: boolean, pattern: RegExp) => {
      const r = await checkEndpointUrl(url, allowPrivate)
      assert.equal(r.ok, false, url)
      if (!r.ok) assert.match(r.message, pattern, url)
    }
    await refused('http://169.254.169.254/latest/meta-data/', true, /never allowed/)
    await refused('https://169.254.169.254/', true, /never allowed/)
    await refused('https://[fd00:ec2::254]/', true, /never allowed/)
    await refused('https://[::ffff:169.254.169.254]/', true, /never allowed/)
    // WHATWG URL parsing normalises other IPv4 spellings before we look.
    await refused('https://0xa9.0xfe.0xa9.0xfe/', true, /never allowed/)
    await refused('https://2852039166/', true, /never allowed/)
    await refused('https://127.0.0.1/hook', false, /private or loopback/)
    await refused('https://10.0.0.5/hook', false, /private or loopback/)
    await refused('https://[::1]/hook', false, /private or loopback/)
    await refused('https://localhost/hook', false, /private or loopback/)
    await refused('http://8.8.8.8/hook', false, /use https/)
    await refused('http://8.8.8.8/hook', true, /use https/)
    await refused('ftp://example.com/', true, /https/)
    await refused('https://user:pass@8.8.8.8/', true, /credentials/)
    await refused('not a url', true, /valid absolute URL/)
    await refused('https://no-such-host.invalid/', true, /could not be resolved/)
  })

  test('registration accepts public https, and private targets (http too) when allowed', async () => {
    assert.deepEqual(await checkEndpointUrl('https://8.8.8.8/hook?x=1', false), {
      ok: true,
      url: 'https://8.8.8.8/hook?x=1',
    })
    assert.equal((await checkEndpointUrl('http://127.0.0.1:9999/hook', true)).ok, true)
    assert.equal((await checkEndpointUrl('https://localhost/hook', true)).ok, true)
    assert.equal((await checkEndpointUrl('http://[::1]:8080/', true)).ok, true)
  })

  test('the connection-time lookup refuses what a name resolves to, in both callback forms', async () => {
    const lookup = (reach: { allowPrivate: boolean; privateOnly: boolean }, all: boolean) =>
      new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
        guardedLookup((ip) => refusal(ip, reach))('localhost', { all }, (err, address) =>
          resolve({ err, address }),
        ),
      )
    const denied = await lookup({ allowPrivate: false, privateOnly: false }, false)
    assert.equal(denied.err?.code, 'EWEBHOOKBLOCKED')
    const allowed = await lookup({ allowPrivate: true, privateOnly: false }, false)
    assert.equal(allowed.err, null)
    assert.match(String(allowed.address), /^(127\.0\.0\.1|::1)$/)
    const all = await lookup({ allowPrivate: true, privateOnly: true }, true)
    assert.ok(Array.isArray(all.address) && all.address.length > 0)
  })
})
