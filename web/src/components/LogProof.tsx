import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api';
import { useFormat } from '../i18n/format';
import type { ShownProof, SignatureStatus, SignedHead } from '../log/useLog';

const PROOF_CLASS: Record<ShownProof, string> = {
  verified: 'badge badge-ok',
  pending: 'badge badge-warn',
  failed: 'badge badge-err',
  checking: 'badge',
  unavailable: 'badge',
};

/** An entry's proof as this browser found it: 已验证, 待签名, 验证失败 (or still checking). */
export function ProofBadge({ status, index }: { status: ShownProof; index?: number }) {
  const { t } = useTranslation();
  return (
    <span
      className={`${PROOF_CLASS[status]} proof-badge`}
      data-proof={status}
      title={
        index === undefined ? t(`log.proofHint.${status}`) : t('log.entryHint', { index, hint: t(`log.proofHint.${status}`) })
      }
    >
      {status === 'verified' && <span aria-hidden="true">✓ </span>}
      {status === 'failed' && <span aria-hidden="true">✗ </span>}
      {t(`log.proof.${status}`)}
    </span>
  );
}

/** A head's signature as this browser found it. */
export function SignatureBadge({ status }: { status: SignatureStatus | 'checking' }) {
  const { t } = useTranslation();
  const cls = status === 'verified' ? 'badge-ok' : status === 'failed' ? 'badge-err' : '';
  return (
    <span className={`badge ${cls}`} data-signature={status}>
      {t(`log.signature.${status}`)}
    </span>
  );
}

/** A hash, shortened, with the whole of it a tooltip and a selection away. */
export function Hash({ hex, full = false }: { hex: string; full?: boolean }) {
  return (
    <code className="hash" title={hex}>
      {full ? hex : `${hex.slice(0, 12)}…${hex.slice(-6)}`}
    </code>
  );
}

/**
 * The signed tree head every badge on the page is checked against, and what "verified" means:
 * the browser checked the log's signature on the head, then recomputed its root from the entry's
 * own bytes and the proof.
 */
export function HeadSummary({ signed }: { signed: SignedHead }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { head, signature } = signed;
  return (
    <aside className="card log-head" aria-labelledby="log-head-title">
      <div className="card-head">
        <h2 id="log-head-title">{t('log.head.title')}</h2>
        <SignatureBadge status={signature} />
      </div>
      <dl className="log-facts">
        <div>
          <dt>{t('log.head.size')}</dt>
          <dd data-testid="head-size">{f.number(head.treeSize)}</dd>
        </div>
        <div>
          <dt>{t('log.head.root')}</dt>
          <dd>
            <Hash hex={head.rootHash} />
          </dd>
        </div>
        <div>
          <dt>{t('log.head.time')}</dt>
          <dd>
            <time dateTime={new Date(head.timestamp).toISOString()}>{f.timeSeconds(new Date(head.timestamp).toISOString())}</time>
          </dd>
        </div>
      </dl>
      <p className="hint">{t('log.head.explain')}</p>
      {signature === 'failed' && (
        <p className="notice notice-error" role="alert">
          {t('log.head.badSignature')}
        </p>
      )}
      {signature === 'unsupported' && <p className="notice notice-info">{t('log.head.unsupported')}</p>}
    </aside>
  );
}

/** Subjects with a page of their own, in the order they are worth showing. */
const LINKED: { key: string; path: string; title: (id: string) => Promise<string> }[] = [
  { key: 'needId', path: '/needs/', title: (id) => api.needs.get(id).then((x) => x.title) },
  { key: 'intoNeedId', path: '/needs/', title: (id) => api.needs.get(id).then((x) => x.title) },
  { key: 'solutionId', path: '/solutions/', title: (id) => api.solutions.get(id).then((x) => x.title) },
  { key: 'pollId', path: '/polls/', title: (id) => api.polls.get(id).then((x) => x.question) },
  { key: 'productId', path: '/products/', title: (id) => api.products.get(id).then((x) => x.name) },
  { key: 'campaignId', path: '/campaigns/', title: (id) => api.campaigns.get(id).then((x) => x.title) },
  { key: 'sceneId', path: '/scenes/', title: (id) => api.scenes.get(id).then((x) => x.title) },
  { key: 'chainGroupId', path: '/chain-groups/', title: (id) => api.chainGroups.get(id).then((x) => x.name) },
];
/** Titles change rarely and the same few recur down a list: asked once per page load. */
const titles = new Map<string, Promise<string>>();

function SubjectLink({
  kind,
  path,
  id,
  title,
}: {
  kind: string;
  path: string;
  id: string;
  title: (id: string) => Promise<string>;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState<string>();
  useEffect(() => {
    let live = true;
    const key = `${path}${id}`;
    let p = titles.get(key);
    if (!p) {
      p = title(id);
      titles.set(key, p);
      p.catch(() => titles.delete(key));
    }
    p.then(
      (n) => live && setName(n),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [path, id, title]);
  return (
    <Link to={`${path}${id}`} className="subject-link">
      {name ? t('log.subject.named', { what: t(`log.subject.${kind}`), name }) : t(`log.subject.${kind}`)}
    </Link>
  );
}

/** Links to what an entry is about (its need, solution, poll…), by their titles. */
export function SubjectLinks({ subjects, skip = [] }: { subjects: Record<string, string>; skip?: string[] }) {
  const links = LINKED.filter((l) => subjects[l.key] && !skip.includes(l.key));
  if (links.length === 0) return null;
  return (
    <span className="subject-links">
      {links.map((l) => (
        <SubjectLink key={l.key} kind={l.key} path={l.path} id={subjects[l.key]!} title={l.title} />
      ))}
    </span>
  );
}
