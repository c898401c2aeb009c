import { createHash } from 'node:crypto';

/**
 * The Merkle tree of RFC 6962 / RFC 9162 §2.1: leaf hash = SHA-256(0x00 ‖ leaf input), node hash =
 * SHA-256(0x01 ‖ left ‖ right); a tree of n > 1 leaves splits at k, the largest power of two below
 * n, so the tree has the same shape for a size whatever order it was built in.
 *
 * The log stores the hashes of complete subtrees only: node (level, index) is the hash of leaves
 * [index·2^level, (index+1)·2^level). Every hash a proof needs is the hash of a range [a, b) that
 * the RFC's recursion produces; such a range is a run of complete subtrees of decreasing size
 * (`chunksOf`), whose hashes fold from the right. So a proof is a plan of ranges (pure arithmetic,
 * below), then one read of the O(log n) complete subtrees they consist of, then some hashing.
 */

export type Hash = Buffer;

/** A complete subtree: the hash of leaves [index·2^level, (index+1)·2^level). */
export interface NodeId {
  level: number;
  index: number;
}

/** A half-open range of leaves [start, end) whose RFC 6962 hash a proof needs. */
export interface Range {
  start: number;
  end: number;
}

export const HASH_BYTES = 32;
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** SHA-256 of nothing: the root of the empty tree. */
export const EMPTY_ROOT: Hash = createHash('sha256').digest();

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ leaf input). */
export function leafHash(leafInput: Uint8Array): Hash {
  return createHash('sha256').update(LEAF_PREFIX).update(leafInput).digest();
}

/** RFC 6962 node hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The largest power of two strictly below n (n ≥ 2): RFC 6962's split point. */
export function splitPoint(n: number): number {
  if (n < 2) throw new RangeError(`no split for a tree of ${n}`);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The complete subtrees a range consists of, left to right, largest first. Valid for the ranges the
 * RFC's recursion produces (and for [0, n)): `start` is a multiple of a power of two ≥ end − start.
 */
export function chunksOf({ start, end }: Range): NodeId[] {
  const chunks: NodeId[] = [];
  let at = start;
  for (let level = Math.floor(Math.log2(end - start + 1)) + 1; level >= 0 && at < end; level--) {
    const width = 2 ** level;
    if (at + width <= end) {
      if (at % width !== 0) throw new RangeError(`range [${start}, ${end}) is not one the RFC 6962 recursion makes`);
      chunks.push({ level, index: at / width });
      at += width;
    }
  }
  return chunks;
}

/** Folds the hashes of a range's chunks (in `chunksOf` order) into the range's hash. */
export function foldChunks(hashes: readonly Hash[]): Hash {
  if (hashes.length === 0) return EMPTY_ROOT;
  let acc = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i]!, acc);
  return acc;
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]) as ranges: the audit path of leaf `index` in a tree of `size`. */
export function inclusionPlan(index: number, size: number): Range[] {
  if (!(index >= 0 && index < size)) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  const plan: Range[] = [];
  const walk = (m: number, start: number, end: number): void => {
    if (end - start === 1) return;
    const k = splitPoint(end - start);
    if (m < start + k) {
      walk(m, start, start + k);
      plan.push({ start: start + k, end });
    } else {
      walk(m, start + k, end);
      plan.push({ start, end: start + k });
    }
  };
  walk(index, 0, size);
  return plan;
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]) as ranges: proves the tree of `first` is a prefix of the tree of `second`. */
export function consistencyPlan(first: number, second: number): Range[] {
  if (!(first >= 0 && first <= second)) throw new RangeError(`no consistency proof from ${first} to ${second}`);
  if (first === 0 || first === second) return [];
  const plan: Range[] = [];
  const sub = (m: number, start: number, end: number, complete: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!complete) plan.push({ start, end });
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      sub(m, start, start + k, complete);
      plan.push({ start: start + k, end });
    } else {
      sub(m - k, start + k, end, false);
      plan.push({ start, end: start + k });
    }
  };
  sub(first, 0, second, true);
  return plan;
}

/** Every distinct complete subtree the ranges need, for one read. */
export function nodesFor(ranges: readonly Range[]): NodeId[] {
  // Keyed by a number (level·2^46 + index), not a string: proofs are a hot path.
  const seen = new Map<number, NodeId>();
  for (const r of ranges) for (const c of chunksOf(r)) seen.set(c.level * 2 ** 46 + c.index, c);
  return [...seen.values()];
}

/** Hashes each range from the complete subtrees read for it. */
export function hashRanges(ranges: readonly Range[], read: (node: NodeId) => Hash): Hash[] {
  return ranges.map((r) => foldChunks(chunksOf(r).map(read)));
}

/** The roots of the complete subtrees of [0, size), left to right: the frontier an append continues from. */
export function frontierOf(size: number): NodeId[] {
  return size === 0 ? [] : chunksOf({ start: 0, end: size });
}

/**
 * Appends leaf hashes to a tree whose frontier (hashes of `frontierOf(size)`) is given; returns the
 * new frontier and every complete subtree of level ≥ 1 that the appended leaves completed. O(1)
 * hashes per leaf amortised, O(log n) at worst.
 */
export function appendLeaves(
  size: number,
  frontier: readonly Hash[],
  leaves: readonly Hash[],
): { frontier: Hash[]; nodes: { level: number; index: number; hash: Hash }[] } {
  const ids = frontierOf(size);
  if (ids.length !== frontier.length)
    throw new Error(`a tree of ${size} has ${ids.length} frontier hashes, got ${frontier.length}`);
  const stack = ids.map((id, i) => ({ ...id, hash: frontier[i]! }));
  const nodes: { level: number; index: number; hash: Hash }[] = [];
  let next = size;
  for (const leaf of leaves) {
    let top = { level: 0, index: next++, hash: leaf };
    while (stack.length > 0 && stack[stack.length - 1]!.level === top.level) {
      const left = stack.pop()!;
      top = { level: top.level + 1, index: left.index / 2, hash: nodeHash(left.hash, top.hash) };
      nodes.push(top);
    }
    stack.push(top);
  }
  return { frontier: stack.map((s) => s.hash), nodes };
}

/** The root of a tree from its frontier hashes. */
export function rootOfFrontier(frontier: readonly Hash[]): Hash {
  return foldChunks(frontier);
}

/** The root of a whole list of leaf hashes (in memory: for tests and for `covalue verify`). */
export function rootOf(leaves: readonly Hash[]): Hash {
  return rootOfFrontier(appendLeaves(0, [], leaves).frontier);
}

const isHash = (h: unknown): h is Uint8Array => h instanceof Uint8Array && h.length === HASH_BYTES;
const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(a, b) === 0;

/**
 * RFC 9162 §2.1.3.2: does `auditPath` prove that `leaf` is at `index` in the tree of `size` with
 * `root`? Every step of the algorithm is checked, including that the path is used up exactly.
 */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  auditPath: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (!isHash(leaf) || !isHash(root) || !auditPath.every(isHash)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of auditPath) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, root);
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show that the tree of `first` with `firstRoot` is a prefix of the
 * tree of `second` with `secondRoot`? Both roots are recomputed from the proof and compared, and the
 * proof must be used up exactly: skipping either check is how forged proofs get accepted.
 */
export function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second) return false;
  if (!isHash(firstRoot) || !isHash(secondRoot) || !proof.every(isHash)) return false;
  // The empty tree is a prefix of every tree; the second root is only known when it is empty too.
  if (first === 0) return proof.length === 0 && equal(firstRoot, EMPTY_ROOT) && (second > 0 || equal(secondRoot, EMPTY_ROOT));
  if (first === second) return proof.length === 0 && equal(firstRoot, secondRoot);
  if (proof.length === 0) return false;
  // RFC 9162 step 2: when `first` is a power of two its root is the proof's implicit first node.
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(fr, firstRoot) && equal(sr, secondRoot);
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}
