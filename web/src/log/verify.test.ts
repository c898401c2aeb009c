/**
 * The browser's log verifier against known answers: the RFC 6962 test tree of eight leaves (roots,
 * inclusion and consistency proofs) and RFC 8032 §7.1 TEST 1 for Ed25519. Node's WebCrypto is the
 * browser's API, so these run the very code the pages run.
 */
import { describe, expect, it } from 'vitest';
import type { InclusionProof, SignedTreeHead } from '../api/types';
import vectors from './rfc6962-vectors.json';
import {
  fromBase64,
  fromHex,
  leafHash,
  nodeHash,
  proveEntry,
  toHex,
  treeHeadSignatureInput,
  verifyConsistency,
  verifyEd25519,
  verifyHeadSignature,
  verifyInclusion,
} from './verify';

// The RFC 6962 test vectors, shared with the server's Merkle tests; ROOTS[i] is the root of size i + 1.
const { leaves: LEAVES, inclusion: INCLUSION, consistency: CONSISTENCY } = vectors;
const ROOTS = vectors.roots.slice(1);
const root = (size: number) => fromHex(ROOTS[size - 1]!);
/** RFC 8032 §7.1 TEST 1: the empty message. */
const TEST1 = {
  publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  signature:
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
};

/** A copy with one bit of byte `at` flipped. */
function flip(bytes: Uint8Array, at = 0): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(bytes);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** MTH of RFC 6962 §2.1, the slow way: to check the roots, and build proofs, from the leaves. */
async function mth(leaves: Uint8Array[]): Promise<Uint8Array> {
  if (leaves.length === 1) return leafHash(leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(await mth(leaves.slice(0, k)), await mth(leaves.slice(k)));
}
/** PATH of RFC 6962 §2.1.1. */
async function auditPath(m: number, leaves: Uint8Array[]): Promise<Uint8Array[]> {
  if (leaves.length <= 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return m < k
    ? [...(await auditPath(m, leaves.slice(0, k))), await mth(leaves.slice(k))]
    : [...(await auditPath(m - k, leaves.slice(k))), await mth(leaves.slice(0, k))];
}
/** PROOF of RFC 6962 §2.1.2. */
async function consistencyProof(m: number, leaves: Uint8Array[], whole = true): Promise<Uint8Array[]> {
  const n = leaves.length;
  if (m === n) return whole ? [] : [await mth(leaves)];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return m <= k
    ? [...(await consistencyProof(m, leaves.slice(0, k), whole)), await mth(leaves.slice(k))]
    : [...(await consistencyProof(m - k, leaves.slice(k), false)), await mth(leaves.slice(0, k))];
}

const leaves = LEAVES.map(fromHex);

describe('Merkle tree hashes', () => {
  it('give the RFC 6962 roots of the test tree for sizes 1 to 8', async () => {
    for (let size = 1; size <= 8; size++) expect(toHex(await mth(leaves.slice(0, size)))).toBe(ROOTS[size - 1]);
  });
});

describe('verifyInclusion (RFC 9162 §2.1.3.2)', () => {
  it('accepts the RFC 6962 proofs of leaves 0 and 5 in the tree of 8', async () => {
    for (const { index, size, path } of INCLUSION) {
      expect(await verifyInclusion(await leafHash(leaves[index]!), index, size, path.map(fromHex), root(size))).toBe(true);
    }
  });

  it('accepts the proof of every leaf in every tree of 1 to 8 leaves', async () => {
    for (let size = 1; size <= 8; size++) {
      for (let index = 0; index < size; index++) {
        const path = await auditPath(index, leaves.slice(0, size));
        expect(await verifyInclusion(await leafHash(leaves[index]!), index, size, path, root(size))).toBe(true);
      }
    }
  });

  it('rejects a leaf, a proof node or a root with one byte changed', async () => {
    for (const { index, size, path } of INCLUSION) {
      const leaf = await leafHash(leaves[index]!);
      const nodes = path.map(fromHex);
      expect(await verifyInclusion(await leafHash(flip(leaves[1]!)), index, size, nodes, root(size))).toBe(false);
      expect(await verifyInclusion(flip(leaf, 31), index, size, nodes, root(size))).toBe(false);
      for (let i = 0; i < nodes.length; i++) {
        const tampered = nodes.map((n, j) => (j === i ? flip(n, 7) : n));
        expect(await verifyInclusion(leaf, index, size, tampered, root(size))).toBe(false);
      }
      expect(await verifyInclusion(leaf, index, size, nodes, flip(root(size), 12))).toBe(false);
    }
  });

  it('rejects the proof for another index, another size, or an index outside the tree', async () => {
    const { index, size, path } = INCLUSION[1]!;
    const leaf = await leafHash(leaves[index]!);
    const nodes = path.map(fromHex);
    expect(await verifyInclusion(leaf, 4, size, nodes, root(size))).toBe(false);
    expect(await verifyInclusion(leaf, index, 7, nodes, root(7))).toBe(false);
    expect(await verifyInclusion(leaf, 8, 8, nodes, root(8))).toBe(false);
    expect(await verifyInclusion(leaf, 9, 8, nodes, root(8))).toBe(false);
    expect(await verifyInclusion(leaf, -1, 8, nodes, root(8))).toBe(false);
  });

  it('rejects leftover or missing proof nodes, and hashes of the wrong length', async () => {
    const { index, size, path } = INCLUSION[0]!;
    const leaf = await leafHash(leaves[index]!);
    const nodes = path.map(fromHex);
    expect(await verifyInclusion(leaf, index, size, [...nodes, nodes[0]!], root(size))).toBe(false);
    expect(await verifyInclusion(leaf, index, size, nodes.slice(0, 2), root(size))).toBe(false);
    expect(await verifyInclusion(leaf, index, size, [nodes[0]!.slice(0, 31), ...nodes.slice(1)], root(size))).toBe(false);
    expect(await verifyInclusion(leaf.slice(0, 31), index, size, nodes, root(size))).toBe(false);
    expect(await verifyInclusion(leaf, index, size, nodes, root(size).slice(0, 31))).toBe(false);
    // A tree of one leaf: the leaf is the root, and no node may follow.
    const one = await leafHash(leaves[0]!);
    expect(await verifyInclusion(one, 0, 1, [], root(1))).toBe(true);
    expect(await verifyInclusion(one, 0, 1, [one], root(1))).toBe(false);
  });
});

describe('verifyConsistency (RFC 9162 §2.1.4.2)', () => {
  it('accepts the RFC 6962 proofs 2→8, 6→8 and 2→5', async () => {
    for (const { first, second, proof } of CONSISTENCY) {
      expect(await verifyConsistency(first, second, root(first), root(second), proof.map(fromHex))).toBe(true);
    }
  });

  it('accepts the proof between every pair of sizes 1 to 8', async () => {
    for (let second = 1; second <= 8; second++) {
      for (let first = 1; first <= second; first++) {
        const proof = await consistencyProof(first, leaves.slice(0, second));
        expect(await verifyConsistency(first, second, root(first), root(second), proof), `${first}→${second}`).toBe(true);
      }
    }
  });

  it('rejects a proof node or either root with one byte changed', async () => {
    for (const { first, second, proof } of CONSISTENCY) {
      const nodes = proof.map(fromHex);
      for (let i = 0; i < nodes.length; i++) {
        const tampered = nodes.map((n, j) => (j === i ? flip(n, 3) : n));
        expect(await verifyConsistency(first, second, root(first), root(second), tampered)).toBe(false);
      }
      expect(await verifyConsistency(first, second, flip(root(first)), root(second), nodes)).toBe(false);
      expect(await verifyConsistency(first, second, root(first), flip(root(second)), nodes)).toBe(false);
    }
  });

  it('rejects other sizes, leftover or missing nodes, and an empty proof between different trees', async () => {
    const { first, second, proof } = CONSISTENCY[1]!;
    const nodes = proof.map(fromHex);
    expect(await verifyConsistency(first, 7, root(first), root(7), nodes)).toBe(false);
    expect(await verifyConsistency(5, second, root(5), root(second), nodes)).toBe(false);
    expect(await verifyConsistency(first, second, root(first), root(second), [...nodes, nodes[0]!])).toBe(false);
    expect(await verifyConsistency(first, second, root(first), root(second), nodes.slice(1))).toBe(false);
    expect(await verifyConsistency(first, second, root(first), root(second), [])).toBe(false);
    expect(await verifyConsistency(second, first, root(second), root(first), nodes)).toBe(false);
    expect(await verifyConsistency(8, 8, root(8), root(8), [])).toBe(true);
    expect(await verifyConsistency(8, 8, root(8), root(7), [])).toBe(false);
    expect(await verifyConsistency(8, 8, root(8), root(8), [root(8)])).toBe(false);
  });
});

describe('Ed25519 in WebCrypto', () => {
  it('accepts RFC 8032 TEST 1 and rejects it with one byte of the signature changed', async () => {
    const key = fromHex(TEST1.publicKey);
    const sig = fromHex(TEST1.signature);
    expect(await verifyEd25519(key, new Uint8Array(0), sig)).toBe(true);
    expect(await verifyEd25519(key, new Uint8Array(0), flip(sig, 0))).toBe(false);
    expect(await verifyEd25519(key, new Uint8Array(0), flip(sig, 40))).toBe(false);
    expect(await verifyEd25519(key, Uint8Array.of(0), sig)).toBe(false);
    expect(await verifyEd25519(key, new Uint8Array(0), sig.slice(0, 63))).toBe(false);
  });
});

/** A log key of the test's own, to sign heads as the server would. */
async function signer() {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const publicKey = b64(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)));
  const sign = async (treeSize: number, rootHash: string, timestamp = 1_700_000_000_123): Promise<SignedTreeHead> => {
    const head = { treeSize, rootHash, timestamp };
    const sig = await crypto.subtle.sign('Ed25519', pair.privateKey, treeHeadSignatureInput(head));
    return { ...head, signature: b64(new Uint8Array(sig)) };
  };
  return { publicKey, sign };
}

describe('tree head signatures', () => {
  it('cover the 50 bytes of RFC 6962 §3.5: version, type, timestamp, size, root', () => {
    const bytes = treeHeadSignatureInput({ timestamp: 0x0102030405, treeSize: 8, rootHash: ROOTS[7]! });
    expect(bytes.length).toBe(50);
    expect(toHex(bytes)).toBe(`0001${'0000000102030405'}${'0000000000000008'}${ROOTS[7]}`);
  });

  it('verify a head the key signed, and no head with its size, root, time or signature changed', async () => {
    const { publicKey, sign } = await signer();
    const head = await sign(8, ROOTS[7]!);
    expect(await verifyHeadSignature(head, publicKey)).toBe(true);
    expect(await verifyHeadSignature({ ...head, treeSize: 7 }, publicKey)).toBe(false);
    expect(await verifyHeadSignature({ ...head, rootHash: ROOTS[6]! }, publicKey)).toBe(false);
    expect(await verifyHeadSignature({ ...head, timestamp: head.timestamp + 1 }, publicKey)).toBe(false);
    expect(await verifyHeadSignature({ ...head, signature: b64(flip(fromBase64(head.signature), 5)) }, publicKey)).toBe(false);
    expect(await verifyHeadSignature({ ...head, signature: 'not base64!' }, publicKey)).toBe(false);
    expect(await verifyHeadSignature(head, (await signer()).publicKey)).toBe(false);
  });
});

describe('proveEntry', () => {
  const serve =
    (tamper: (p: InclusionProof) => InclusionProof = (p) => p) =>
    async (index: number, treeSize: number): Promise<InclusionProof> =>
      tamper({
        index,
        treeSize,
        leafHash: toHex(await leafHash(leaves[index]!)),
        auditPath: (await auditPath(index, leaves.slice(0, treeSize))).map(toHex),
      });

  it('verifies every entry of a signed head from its leaf input and the proof', async () => {
    const { publicKey, sign } = await signer();
    const head = await sign(7, ROOTS[6]!);
    for (let index = 0; index < 7; index++) {
      expect(await proveEntry(index, b64(leaves[index]!), head, publicKey, serve())).toBe('verified');
    }
  });

  it('says pending for an entry after the head, without asking for a proof', async () => {
    const { publicKey, sign } = await signer();
    const head = await sign(7, ROOTS[6]!);
    const never = () => Promise.reject(new Error('not asked'));
    expect(await proveEntry(7, b64(leaves[7]!), head, publicKey, never)).toBe('pending');
  });

  it('fails an entry whose shown bytes, proof node, root or head signature was changed', async () => {
    const { publicKey, sign } = await signer();
    const head = await sign(8, ROOTS[7]!);
    expect(await proveEntry(5, b64(flip(leaves[5]!, 2)), head, publicKey, serve())).toBe('failed');
    const node = (p: InclusionProof) => ({ ...p, auditPath: p.auditPath.map((h, i) => (i === 1 ? toHex(flip(fromHex(h))) : h)) });
    expect(await proveEntry(5, b64(leaves[5]!), head, publicKey, serve(node))).toBe('failed');
    // A proof that names another leaf than the one the page hashed from what it shows proves nothing about it.
    const both = (p: InclusionProof) => ({ ...p, leafHash: toHex(flip(fromHex(p.leafHash))) });
    expect(await proveEntry(5, b64(leaves[5]!), head, publicKey, serve(both))).toBe('failed');
    const otherRoot = await sign(8, toHex(flip(root(8))));
    expect(await proveEntry(5, b64(leaves[5]!), otherRoot, publicKey, serve())).toBe('failed');
    const badSig = { ...head, signature: b64(flip(fromBase64(head.signature), 9)) };
    expect(await proveEntry(5, b64(leaves[5]!), badSig, publicKey, serve())).toBe('failed');
    const otherIndex = (p: InclusionProof) => ({ ...p, index: 4 });
    expect(await proveEntry(5, b64(leaves[5]!), head, publicKey, serve(otherIndex))).toBe('failed');
  });
});
