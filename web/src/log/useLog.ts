import { useEffect, useRef, useState } from 'react';
import { api } from '../api';
import type { LogEntry, LoggedEntry, LogPublicKey, SignedTreeHead } from '../api/types';
import { type Resource, useApi } from '../app/useApi';
import { decodeLeafInput, Ed25519UnsupportedError, type ProofStatus, proveEntry, verifyHeadSignature } from './verify';

/** What the browser found about a tree head's signature. */
export type SignatureStatus = 'verified' | 'failed' | 'unsupported';

/** The latest signed tree head, the log's public key, and whether the key signed the head (checked here). */
export interface SignedHead {
  head: SignedTreeHead;
  key: LogPublicKey;
  signature: SignatureStatus;
}

/** Checks a head's signature, telling a browser without Ed25519 apart from a bad signature. */
export async function checkSignature(head: SignedTreeHead, publicKey: string): Promise<SignatureStatus> {
  try {
    return (await verifyHeadSignature(head, publicKey)) ? 'verified' : 'failed';
  } catch (err) {
    if (err instanceof Ed25519UnsupportedError) return 'unsupported';
    return 'failed';
  }
}

/** Loads the latest signed head and the public key, and verifies the signature in the browser. */
export function useSignedHead(): Resource<SignedHead> {
  return useApi(async () => {
    const [head, key] = await Promise.all([api.log.head(), api.log.publicKey()]);
    return { head, key, signature: await checkSignature(head, key.publicKey) };
  }, []);
}

/** An entry's proof as shown: the three outcomes, still checking, or not checkable now (no proof, no Ed25519). */
export type ShownProof = ProofStatus | 'checking' | 'unavailable';

/** Something that can be proven: its index and the leaf input as received. */
export interface Provable {
  index: number;
  leafInput: string;
}

/** How many proofs a page asks for at once. */
const AT_ONCE = 4;

/**
 * The proof status of each entry, computed in the browser against `signed`'s head: a lookup by
 * index. Entries that appear later (a "load more") are proven as they come; each once per head.
 */
export function useProofs(signed: SignedHead | undefined, entries: Provable[]): (index: number) => ShownProof {
  const [results, setResults] = useState(() => new Map<string, ShownProof>());
  const started = useRef(new Set<string>());
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const head = signed?.head;
  const key = signed?.key.publicKey;
  const tag = (index: number, leafInput: string) => `${head?.treeSize}:${head?.rootHash}:${index}:${leafInput}`;
  const wanted = entries.map((e) => `${e.index}:${e.leafInput}`).join(',');

  // biome-ignore lint/correctness/useExhaustiveDependencies: `wanted` stands for the entries
  useEffect(() => {
    if (!head || !key) return;
    const todo = entries.filter((e) => !started.current.has(tag(e.index, e.leafInput)));
    for (const e of todo) started.current.add(tag(e.index, e.leafInput));
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        const e = todo[next++]!;
        const status = await proveEntry(e.index, e.leafInput, head, key).catch((): ShownProof => 'unavailable');
        if (mounted.current) setResults((old) => new Map(old).set(tag(e.index, e.leafInput), status));
      }
    };
    for (let i = 0; i < Math.min(AT_ONCE, todo.length); i++) void worker();
  }, [head, key, wanted]);

  const byIndex = new Map(entries.map((e) => [e.index, e.leafInput]));
  return (index: number) => {
    const leafInput = byIndex.get(index);
    return (leafInput !== undefined && results.get(tag(index, leafInput))) || 'checking';
  };
}

/**
 * The entry as its leaf input encodes it: what a page shows is what it hashed, never a copy sent
 * beside it. `null` when the bytes are not a log entry.
 */
export function readEntry(leafInput: string): LogEntry | null {
  try {
    const value = decodeLeafInput(leafInput) as Partial<LogEntry> | null;
    if (!value || typeof value !== 'object' || typeof value.kind !== 'string' || typeof value.at !== 'string') return null;
    return {
      v: 1,
      index: typeof value.index === 'number' ? value.index : -1,
      kind: value.kind,
      at: value.at,
      actor: typeof value.actor === 'string' ? value.actor : null,
      credits: Array.isArray(value.credits) ? value.credits.filter((c): c is string => typeof c === 'string') : [],
      subjects: value.subjects && typeof value.subjects === 'object' ? (value.subjects as Record<string, string>) : {},
      data: value.data && typeof value.data === 'object' ? (value.data as Record<string, unknown>) : {},
    };
  } catch {
    return null;
  }
}

/** Entries asked for once per page load: entries never change once logged. */
const entryCache = new Map<number, Promise<LoggedEntry | null>>();

function loadEntry(index: number): Promise<LoggedEntry | null> {
  let p = entryCache.get(index);
  if (!p) {
    p = api.log.entries(index, index).then((r) => r.entries.find((e) => e.index === index) ?? null);
    entryCache.set(index, p);
    p.catch(() => entryCache.delete(index));
  }
  return p;
}

/**
 * The log's entries at `indexes` (a sale's contribution evidence), fetched from the log itself so
 * they can be proven: an index maps to its entry, to `null` when the log has none or could not
 * answer, and is missing while still loading.
 */
export function useLoggedEntries(indexes: readonly number[]): Map<number, LoggedEntry | null> {
  const [found, setFound] = useState(() => new Map<number, LoggedEntry | null>());
  const wanted = [...new Set(indexes)].sort((a, b) => a - b).join(',');
  useEffect(() => {
    let live = true;
    for (const index of wanted ? wanted.split(',').map(Number) : []) {
      loadEntry(index).then(
        (e) => live && setFound((old) => (old.get(index) === e ? old : new Map(old).set(index, e))),
        () => live && setFound((old) => new Map(old).set(index, null)),
      );
    }
    return () => {
      live = false;
    };
  }, [wanted]);
  return found;
}
