import { createHash } from 'node:crypto';
import { alertFingerprint, labelsKey, payloadDigest, sha256Hex } from '../../../domain/alert/fingerprint';

const alertmanagerMessage = require('../../fixtures/alerts/alertmanager-v4-one-resolved.json');

const nodeSha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** FNV-1a 64 the slow, obvious way (BigInt over Buffer bytes, names sorted as byte strings), to check the fast one. */
function referenceLabelsKey(labels: Record<string, string>): string {
  const names = Object.keys(labels).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  let hash = 14695981039346656037n;
  const add = (bytes: Uint8Array) => {
    for (const byte of bytes) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 1099511628211n);
  };
  for (const name of names) {
    add(Buffer.from(name));
    add(Uint8Array.of(0xff));
    add(Buffer.from(labels[name]!));
    add(Uint8Array.of(0xff));
  }
  return hash.toString(16).padStart(16, '0');
}

describe('sha256Hex', () => {
  test('agrees with node:crypto at every length around the 64-byte block and padding boundaries', () => {
    for (let length = 0; length <= 200; length++) {
      const text = 'a'.repeat(length);
      expect(sha256Hex(text)).toBe(nodeSha256(text));
    }
  });

  test('hashes the UTF-8 bytes, including characters outside the BMP', () => {
    for (const text of ['é', '磁盘空间不足', '🔥 disk full 🔥', '\u0000\uffff', 'x'.repeat(100_000) + '😀']) expect(sha256Hex(text)).toBe(nodeSha256(text));
  });

  test('known answers', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('labelsKey: Alertmanager fingerprints', () => {
  test('matches the test vectors of prometheus/common (model/signature_test.go)', () => {
    expect(labelsKey({})).toBe((14695981039346656037n).toString(16));
    expect(labelsKey({ name: 'garland, briggs', fear: 'love is not enough' })).toBe((5799056148416392346n).toString(16).padStart(16, '0'));
  });

  test('matches the fingerprints a real Alertmanager put in its webhook message', () => {
    for (const alert of alertmanagerMessage.alerts) expect(labelsKey(alert.labels)).toBe(alert.fingerprint);
  });

  test('does not depend on the order the labels were written in', () => {
    expect(labelsKey({ b: '2', a: '1', c: '3' })).toBe(labelsKey({ c: '3', a: '1', b: '2' }));
  });

  test('sorts names by UTF-8 bytes as Go does, not by UTF-16 code units', () => {
    // U+FFFF sorts before U+10000 in UTF-8; in UTF-16 the surrogate 0xD800 sorts before 0xFFFF.
    const labels = { '\u{10000}': 'astral', '\uffff': 'bmp', 'ß': 'latin', a: 'ascii' };
    expect(labelsKey(labels)).toBe(referenceLabelsKey(labels));
  });

  test('agrees with a BigInt reference on varied label sets', () => {
    const sets = [
      { alertname: 'HighCPU', instance: 'web-01:9100', job: 'node', severity: 'critical' },
      { alertname: '', x: '' },
      { 'service.name': 'payments', 'http.route': '/api/v1/transfer', 中文: '磁盘' },
      Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`label_${i}`, `value ${i * 7919}`])),
    ];
    for (const labels of sets) expect(labelsKey(labels)).toBe(referenceLabelsKey(labels));
  });

  test('is 16 lower-case hex digits, like Fingerprint.String()', () => {
    expect(labelsKey({ a: 'b' })).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('alertFingerprint', () => {
  const key = alertFingerprint('zabbix', 'zabbix-dc1', '4178263');

  test('is stable SHA-256 hex over source, sender and native key', () => {
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(alertFingerprint('zabbix', 'zabbix-dc1', '4178263')).toBe(key);
    expect(key).toBe(nodeSha256(JSON.stringify(['zabbix', 'zabbix-dc1', '4178263'])));
  });

  test('the same native key from another sender or another source is another alert', () => {
    expect(alertFingerprint('zabbix', 'zabbix-dc2', '4178263')).not.toBe(key);
    expect(alertFingerprint('events', 'zabbix-dc1', '4178263')).not.toBe(key);
    expect(alertFingerprint('zabbix', 'zabbix-dc1', '4178264')).not.toBe(key);
  });

  test('parts cannot run into each other', () => {
    expect(alertFingerprint('events', 'a|b', 'c')).not.toBe(alertFingerprint('events', 'a', 'b|c'));
    expect(alertFingerprint('events', 'a","b', 'c')).not.toBe(alertFingerprint('events', 'a', 'b","c'));
  });
});

describe('payloadDigest', () => {
  test('equal content gives an equal digest, whatever the key order', () => {
    expect(payloadDigest({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(payloadDigest({ b: { d: 'x', c: [1, 2] }, a: 1 }));
  });

  test('any change of content changes it, including array order', () => {
    const base = payloadDigest({ a: [1, 2] });
    expect(payloadDigest({ a: [2, 1] })).not.toBe(base);
    expect(payloadDigest({ a: [1, 2], b: null })).not.toBe(base);
    expect(payloadDigest({ a: ['1', 2] })).not.toBe(base);
  });
});
