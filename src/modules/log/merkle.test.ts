import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  consistencyPlan,
  EMPTY_ROOT,
  type Hash,
  hashRanges,
  inclusionPlan,
  leafHash,
  nodeHash,
  rootOf,
  splitPoint,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';

// Known answers: the RFC 6962 test vectors of Certificate Transparency (used by transparency-dev/merkle).
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) =>
  leafHash(Buffer.from(h, 'hex')),
);
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION = [
  {
    index: 0,
    size: 8,
    path: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    path: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];
const CONSISTENCY = [
  {
    first: 2,
    second: 8,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    first: 6,
    second: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    first: 2,
    second: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

const hex = (h: Uint8Array) => Buffer.from(h).toString('hex');
const unhex = (s: string) => Buffer.from(s, 'hex');

/** MTH straight from RFC 6962 §2.1, recursively: the reference the stored-subtree arithmetic must agree with. */
function mth(leaves: readonly Hash[]): Hash {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0]!;
  const k = splitPoint(leaves.length);
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

/** A proof from its plan, reading the complete subtrees from a list of leaves held in memory. */
function proofFrom(leaves: readonly Hash[], plan: ReturnType<typeof inclusionPlan>): Hash[] {
  return hashRanges(plan, ({ level, index }) => mth(leaves.slice(index * 2 ** level, (index + 1) * 2 ** level)));
}

const leavesArb = (min: number, max: number) =>
  fc
    .array(fc.uint8Array({ maxLength: 24 }), { minLength: min, maxLength: max })
    // The position goes into each leaf, so that no two leaves are equal (a proof for one is then no proof for another).
    .map((xs) => xs.map((x, i) => leafHash(Buffer.concat([Buffer.from(String(i)), x]))));

function flipByte(h: Uint8Array, at: number): Buffer {
  const copy = Buffer.from(h);
  copy[at % copy.length]! ^= 0x01;
  return copy;
}

describe('RFC 6962 Merkle tree', () => {
  it('gives the published roots for sizes 0 to 8', () => {
    for (let n = 0; n <= 8; n++) expect(hex(rootOf(LEAVES.slice(0, n))), `size ${n}`).toBe(ROOTS[n]);
  });

  it('gives the published inclusion proofs, and they verify', () => {
    for (const { index, size, path } of INCLUSION) {
      const proof = proofFrom(LEAVES, inclusionPlan(index, size));
      expect(proof.map(hex)).toEqual(path);
      expect(verifyInclusion(LEAVES[index]!, index, size, path.map(unhex), unhex(ROOTS[size]!))).toBe(true);
    }
  });

  it('gives the published consistency proofs, and they verify', () => {
    for (const { first, second, proof } of CONSISTENCY) {
      expect(proofFrom(LEAVES, consistencyPlan(first, second)).map(hex)).toEqual(proof);
      expect(verifyConsistency(first, second, unhex(ROOTS[first]!), unhex(ROOTS[second]!), proof.map(unhex))).toBe(true);
    }
  });

  it('agrees with the recursive definition for every size (incremental roots)', () => {
    fc.assert(
      fc.property(leavesArb(0, 70), (leaves) => {
        expect(hex(rootOf(leaves))).toBe(hex(mth(leaves)));
      }),
    );
  });

  it('every inclusion proof verifies, and a changed byte anywhere fails it', () => {
    fc.assert(
      fc.property(leavesArb(1, 70), fc.nat(), fc.nat(), fc.nat(), (leaves, i, which, at) => {
        const size = leaves.length;
        const index = i % size;
        const root = mth(leaves);
        const path = proofFrom(leaves, inclusionPlan(index, size));
        expect(verifyInclusion(leaves[index]!, index, size, path, root)).toBe(true);
        expect(verifyInclusion(flipByte(leaves[index]!, at), index, size, path, root)).toBe(false);
        expect(verifyInclusion(leaves[index]!, index, size, path, flipByte(root, at))).toBe(false);
        if (path.length > 0) {
          const bad = [...path];
          bad[which % bad.length] = flipByte(bad[which % bad.length]!, at);
          expect(verifyInclusion(leaves[index]!, index, size, bad, root)).toBe(false);
          expect(verifyInclusion(leaves[index]!, index, size, path.slice(0, -1), root)).toBe(false);
        }
        expect(verifyInclusion(leaves[index]!, index, size, [...path, leaves[0]!], root)).toBe(false);
        expect(verifyInclusion(leaves[index]!, size, size, path, root)).toBe(false);
        if (size > 1) expect(verifyInclusion(leaves[index]!, (index + 1) % size, size, path, root)).toBe(false);
      }),
    );
  });

  it('every consistency proof verifies, and a changed byte anywhere fails it', () => {
    fc.assert(
      fc.property(leavesArb(1, 70), fc.nat(), fc.nat(), fc.nat(), (leaves, f, which, at) => {
        const second = leaves.length;
        const first = 1 + (f % second);
        const firstRoot = mth(leaves.slice(0, first));
        const secondRoot = mth(leaves);
        const proof = proofFrom(leaves, consistencyPlan(first, second));
        expect(verifyConsistency(first, second, firstRoot, secondRoot, proof)).toBe(true);
        expect(verifyConsistency(first, second, flipByte(firstRoot, at), secondRoot, proof)).toBe(false);
        expect(verifyConsistency(first, second, firstRoot, flipByte(secondRoot, at), proof)).toBe(false);
        if (proof.length > 0) {
          const bad = [...proof];
          bad[which % bad.length] = flipByte(bad[which % bad.length]!, at);
          expect(verifyConsistency(first, second, firstRoot, secondRoot, bad)).toBe(false);
          expect(verifyConsistency(first, second, firstRoot, secondRoot, proof.slice(0, -1))).toBe(false);
          expect(verifyConsistency(first, second, firstRoot, secondRoot, [...proof, proof[0]!])).toBe(false);
        }
        if (first < second) {
          // The same proof must not pass for other sizes.
          expect(verifyConsistency(first, second - 1, firstRoot, mth(leaves.slice(0, -1)), proof)).toBe(false);
        }
      }),
    );
  });

  it('holds the degenerate cases to the RFC', () => {
    const root4 = mth(LEAVES.slice(0, 4));
    expect(verifyConsistency(4, 4, root4, root4, [])).toBe(true);
    expect(verifyConsistency(4, 4, root4, mth(LEAVES.slice(0, 5)), [])).toBe(false);
    expect(verifyConsistency(4, 4, root4, root4, [root4])).toBe(false);
    expect(verifyConsistency(0, 8, EMPTY_ROOT, unhex(ROOTS[8]!), [])).toBe(true);
    expect(verifyConsistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])).toBe(true);
    expect(verifyConsistency(0, 0, EMPTY_ROOT, unhex(ROOTS[8]!), [])).toBe(false);
    expect(verifyConsistency(0, 8, LEAVES[0]!, unhex(ROOTS[8]!), [])).toBe(false);
    expect(verifyConsistency(6, 8, unhex(ROOTS[6]!), unhex(ROOTS[8]!), [])).toBe(false);
    expect(verifyConsistency(8, 6, unhex(ROOTS[8]!), unhex(ROOTS[6]!), [])).toBe(false);
    expect(verifyInclusion(LEAVES[0]!, 0, 1, [], LEAVES[0]!)).toBe(true);
    expect(verifyInclusion(Buffer.alloc(31), 0, 1, [], LEAVES[0]!)).toBe(false);
    expect(() => inclusionPlan(8, 8)).toThrow(RangeError);
    expect(() => consistencyPlan(5, 3)).toThrow(RangeError);
  });
});
