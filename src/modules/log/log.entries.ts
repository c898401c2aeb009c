import { LOG_ENTRY_KINDS, type LogEntry } from '../../contracts/log.js';
import type { Executor } from '../../platform/db/database.js';
import type { DomainEvent } from '../../platform/events/event-bus.js';

/**
 * Which domain events become contribution log entries, and how. An entry keeps ids, ranks,
 * quantities and money in minor units; free text (comments, notes, feedback), ballot choices,
 * addresses and tracking numbers stay out, and people appear by member id only.
 */
type Payload = Record<string, unknown>;

/** An entry before it is appended: the append gives it its index. */
export type NewLogEntry = Omit<LogEntry, 'index'>;

export interface EntryPorts {
  /** The author of a solution (credited when it is chosen). */
  solutionAuthor(ex: Executor, solutionId: string): Promise<string | null>;
}

interface Rule {
  /** Ids of what the entry is about, from the payload (nulls and absent keys are left out). */
  subjects: readonly string[];
  /** Small facts from the payload (absent keys are left out). */
  data?: readonly string[];
  /** The acting member, when it is not the event's actor (e.g. the support's member). */
  actor?: string;
  /** Payload keys naming members credited besides the actor. */
  credits?: readonly string[];
  /** The kind, when it is not the event type. */
  kind?: (p: Payload) => string;
}

const RULES: Record<string, Rule> = {
  'scene.described': { subjects: ['sceneId', 'communityId'] },
  'need.raised': { subjects: ['needId', 'sceneId', 'communityId'], actor: 'authorId' },
  'need.supported': { subjects: ['needId'], data: ['rank', 'intent'], actor: 'memberId' },
  'need.unsupported': { subjects: ['needId'], actor: 'memberId' },
  'need.intent-changed': {
    subjects: ['needId'],
    data: ['intent'],
    actor: 'memberId',
    kind: (p) => (p.intent ? 'need.intent-given' : 'need.intent-withdrawn'),
  },
  'need.merged': { subjects: ['needId', 'intoNeedId'], data: ['supportersAdded'], credits: ['fromAuthorId', 'intoAuthorId'] },
  'solution.proposed': { subjects: ['solutionId', 'needId', 'organisationId'], actor: 'authorId' },
  'need.solution-chosen': { subjects: ['needId', 'solutionId'] },
  'poll.ballot-cast': { subjects: ['pollId', 'needId', 'solutionId'], actor: 'memberId' },
  'poll.ballot-withdrawn': { subjects: ['pollId', 'needId', 'solutionId'], actor: 'memberId' },
  'poll.decided': { subjects: ['pollId', 'needId', 'solutionId'], data: ['optionId', 'text'] },
  'comment.posted': { subjects: ['commentId', 'needId', 'solutionId', 'parentId'], actor: 'authorId' },
  'bid.submitted': { subjects: ['callId', 'bidId', 'organisationId'] },
  'bid.awarded': { subjects: ['callId', 'bidId', 'organisationId', 'chainGroupId'], data: ['quantity', 'unitCost'] },
  'agreement.accepted': { subjects: ['chainGroupId'], data: ['version', 'party'] },
  'order.paid': {
    subjects: ['orderId', 'campaignId', 'productId', 'needId', 'chainGroupId'],
    data: ['quantity', 'agreementVersion', 'mode'],
    actor: 'memberId',
  },
  'order.fulfilled': { subjects: ['orderId', 'productId', 'organisationId', 'lotId', 'chainGroupId'], data: ['lot', 'quantity'] },
  'order.fulfilment-corrected': {
    subjects: ['orderId', 'productId', 'organisationId', 'lotId', 'chainGroupId'],
    data: ['lot', 'quantity'],
  },
  'trial.feedback-given': { subjects: ['orderId', 'campaignId', 'productId'], data: ['rating'], actor: 'memberId' },
  'lot.produced': {
    subjects: ['lotId', 'productId', 'needId', 'bidId', 'callId', 'organisationId'],
    data: ['lotNumber', 'quantity', 'producedOn'],
  },
  'lot.qa-recorded': { subjects: ['lotId', 'productId', 'organisationId'], data: ['lotNumber', 'result'] },
  'lot.shipped': { subjects: ['lotId', 'productId', 'organisationId', 'shipmentId'], data: ['lotNumber', 'quantity'] },
  'lot.delivered': { subjects: ['lotId', 'productId', 'organisationId', 'shipmentId'], data: ['lotNumber', 'quantity'] },
};

/** The event types the log records (subscribe to these). */
export const LOGGED_EVENTS = Object.keys(RULES);

/** The entry kinds the log holds (event types, and the two kinds a purchase intent change makes). */
export const ENTRY_KINDS: readonly string[] = LOG_ENTRY_KINDS;

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** Drops what canonical JSON cannot hold or should not: undefined, and non-integer numbers (stated as strings). */
function plain(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : String(value);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Payload)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, plain(v)]),
    );
  }
  return null;
}

/** A purchase intent as the log keeps it: the quantity only (what a member would pay stays private). */
function intentOf(v: unknown): unknown {
  if (!v || typeof v !== 'object') return v;
  const { quantity } = v as { quantity?: unknown };
  return { quantity: plain(quantity) };
}

/** The entry an event makes (its `index` still to be given by the append), or null when the event is not a contribution. */
export async function entryFor(event: DomainEvent, ex: Executor, ports: EntryPorts): Promise<NewLogEntry | null> {
  const rule = RULES[event.type];
  if (!rule) return null;
  const p = event.payload as Payload;
  const subjects: Record<string, string> = {};
  for (const key of rule.subjects) {
    const v = str(p[key]);
    if (v) subjects[key] = v;
  }
  const data: Record<string, unknown> = {};
  for (const key of rule.data ?? []) {
    if (p[key] !== undefined && p[key] !== null) data[key] = key === 'intent' ? intentOf(p[key]) : plain(p[key]);
  }
  const actor = rule.actor ? (str(p[rule.actor]) ?? event.actorId) : event.actorId;
  const credited = (rule.credits ?? []).map((k) => str(p[k]));
  if (event.type === 'need.solution-chosen' && subjects.solutionId) {
    credited.push(await ports.solutionAuthor(ex, subjects.solutionId));
  }
  const credits = [...new Set(credited.filter((c): c is string => c !== null && c !== actor))].sort();
  return { v: 1, kind: rule.kind ? rule.kind(p) : event.type, at: event.occurredAt, actor, credits, subjects, data };
}
