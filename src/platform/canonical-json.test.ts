import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, fingerprint } from './canonical-json.js';

describe('canonicalJson', () => {
  it('orders keys at every depth and leaves out undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: null, y: 'x' }], c: true }, u: undefined })).toBe(
      '{"a":{"c":true,"d":[2,{"y":"x","z":null}]},"b":1}',
    );
  });

  it('refuses floats, unsafe integers and non-plain objects', () => {
    expect(() => canonicalJson({ price: 1.5 })).toThrow(/safe integers/);
    expect(() => canonicalJson(2 ** 60)).toThrow(/safe integers/);
    expect(() => canonicalJson(new Date())).toThrow(/cannot encode/);
  });

  it('gives one fingerprint for the same value whatever the key order, and another for any other value', () => {
    const value = fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.integer(), fc.string(), fc.boolean()), { maxKeys: 6 });
    fc.assert(
      fc.property(value, value, (a, b) => {
        const reversed = Object.fromEntries(Object.entries(a).reverse());
        expect(fingerprint(reversed)).toBe(fingerprint(a));
        const same = JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
        expect(fingerprint(a) === fingerprint(b)).toBe(same);
      }),
    );
  });
});
