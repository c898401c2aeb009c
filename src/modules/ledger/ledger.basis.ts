/**
 * Reading a sale's contributors from the contribution log: which participant raised the need,
 * proposed the chosen solution, supported early, voted in the need's polls or reviewed the product
 * in a trial — and by which log entries, so a member can prove each. Pure: the entries come in.
 */
import type { LogEntry } from '../../contracts/log.js';
import type { Contributors, WeightKind } from './ledger.split.js';

/** Log entry indexes by party and weight kind. */
export type Evidence = Map<string, Map<WeightKind, number[]>>;

function note(evidence: Evidence, party: string, kind: WeightKind, index: number): void {
  const byKind = evidence.get(party) ?? new Map<WeightKind, number[]>();
  evidence.set(party, byKind);
  const list = byKind.get(kind) ?? [];
  if (!list.includes(index)) list.push(index);
  byKind.set(kind, list);
}

/**
 * The contributors to a need and its product among `partyIds`, from log entries oldest first (as
 * `LogService.creditsFor` reads them), counting only entries before index `before` (the sale's own
 * order.paid entry: what was contributed before the sale, whenever it is posted): need.raised of the need and need.merged into it credit the
 * authors; solution.proposed of the chosen solution credits its author and its organisation; a
 * member's need.supported counts with its rank unless a later need.unsupported withdrew it; a
 * ballot in a poll of the need counts unless withdrawn later; trial.feedback-given on the product.
 */
export function contributorsFrom(
  entries: readonly LogEntry[],
  q: { needId: string; productId: string; partyIds: readonly string[]; before?: number },
): { contributors: Contributors; evidence: Evidence; chosenSolutionId: string | null } {
  const before = q.before ?? Number.POSITIVE_INFINITY;
  const visible = entries.filter((e) => e.index < before);
  // The solution chosen last before the cut-off.
  let chosenSolutionId: string | null = null;
  for (const e of visible) {
    if (e.kind === 'need.solution-chosen' && e.subjects.needId === q.needId) chosenSolutionId = e.subjects.solutionId ?? null;
  }
  const parties = new Set(q.partyIds);
  const evidence: Evidence = new Map();
  const authors = new Set<string>();
  const solutionAuthors = new Set<string>();
  const supports = new Map<string, { rank: number; index: number } | null>();
  const ballots = new Map<string, { index: number } | null>();
  const reviewers = new Set<string>();
  const people = (e: LogEntry) => [e.actor, ...e.credits].filter((x): x is string => x !== null && parties.has(x));

  for (const e of visible) {
    switch (e.kind) {
      case 'need.raised':
        if (e.subjects.needId !== q.needId) break;
        for (const p of people(e)) {
          authors.add(p);
          note(evidence, p, 'needAuthor', e.index);
        }
        break;
      case 'need.merged':
        // The authors are credited; the actor is whoever merged (a moderator), not an author.
        if (e.subjects.intoNeedId !== q.needId) break;
        for (const p of e.credits.filter((c) => parties.has(c))) {
          authors.add(p);
          note(evidence, p, 'needAuthor', e.index);
        }
        break;
      case 'solution.proposed': {
        if (chosenSolutionId === null || e.subjects.solutionId !== chosenSolutionId) break;
        const org = e.subjects.organisationId;
        for (const p of [...people(e), ...(org && parties.has(org) ? [org] : [])]) {
          solutionAuthors.add(p);
          note(evidence, p, 'chosenSolutionAuthors', e.index);
        }
        break;
      }
      case 'need.supported':
      case 'need.unsupported':
        if (e.subjects.needId !== q.needId || !e.actor || !parties.has(e.actor)) break;
        supports.set(
          e.actor,
          e.kind === 'need.supported' && typeof e.data.rank === 'number' ? { rank: e.data.rank, index: e.index } : null,
        );
        break;
      case 'poll.ballot-cast':
      case 'poll.ballot-withdrawn':
        if (e.subjects.needId !== q.needId || !e.actor || !parties.has(e.actor)) break;
        ballots.set(`${e.actor}\u0000${e.subjects.pollId ?? ''}`, e.kind === 'poll.ballot-cast' ? { index: e.index } : null);
        break;
      case 'trial.feedback-given':
        if (e.subjects.productId !== q.productId || !e.actor || !parties.has(e.actor)) break;
        reviewers.add(e.actor);
        note(evidence, e.actor, 'trialReviewers', e.index);
        break;
    }
  }
  const earlySupporters: { memberId: string; rank: number }[] = [];
  for (const [memberId, s] of supports) {
    if (!s) continue;
    earlySupporters.push({ memberId, rank: s.rank });
    note(evidence, memberId, 'earlySupporters', s.index);
  }
  const voters = new Set<string>();
  for (const [key, b] of ballots) {
    if (!b) continue;
    const memberId = key.slice(0, key.indexOf('\u0000'));
    voters.add(memberId);
    note(evidence, memberId, 'pollVoters', b.index);
  }
  const sorted = (xs: Iterable<string>) => [...xs].sort();
  return {
    contributors: {
      needAuthor: sorted(authors),
      chosenSolutionAuthors: sorted(solutionAuthors),
      earlySupporters: earlySupporters.sort((a, b) => a.rank - b.rank),
      pollVoters: sorted(voters),
      trialReviewers: sorted(reviewers),
    },
    evidence,
    chosenSolutionId,
  };
}
