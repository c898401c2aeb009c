import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import vectors from '../../../web/src/log/rfc6962-vectors.json' with { type: 'json' };
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

// Known answers: the RFC 6962 test vectors of Certificate Transparency, shared with the browser's verifier tests.
const LEAVES = vectors.leaves.map((h) => leafHash(Buffer.from(h, 'hex')));
const { roots: ROOTS, inclusion: INCLUSION, consistency: CONSISTENCY } = vectors;

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
