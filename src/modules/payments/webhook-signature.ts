import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures in the scheme Stripe uses: the header `covalue-signature: t=<unix seconds>,v1=<hex>`
 * where v1 = HMAC-SHA256(secret, `${t}.${rawBody}`). The time is signed with the body, so an old
 * delivery replayed later is refused by its age, and a recent one by its event id.
 */
export const SIGNATURE_HEADER = 'covalue-signature';

export function sign(secret: string, rawBody: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${rawBody}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/** Checks a signature header; returns why it is refused, or null when it holds. */
export function verify(
  secret: string,
  header: string | undefined,
  rawBody: string,
  nowSeconds: number,
  toleranceSeconds: number,
): string | null {
  if (!header) return `no ${SIGNATURE_HEADER} header`;
  const parts = new Map<string, string[]>();
  for (const item of header.split(',')) {
    const [k, v] = item.split('=', 2).map((x) => x.trim());
    if (k && v) parts.set(k, [...(parts.get(k) ?? []), v]);
  }
  const t = Number(parts.get('t')?.[0]);
  const candidates = parts.get('v1') ?? [];
  if (!Number.isInteger(t) || candidates.length === 0) return 'malformed signature header';
  const expected = Buffer.from(sign(secret, rawBody, t).split('v1=')[1]!, 'hex');
  const matches = candidates.some((c) => {
    const got = Buffer.from(c, 'hex');
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
  if (!matches) return 'signature does not match';
  if (Math.abs(nowSeconds - t) > toleranceSeconds)
    return `signed ${nowSeconds - t} s ago: outside the ${toleranceSeconds} s tolerance`;
  return null;
}
