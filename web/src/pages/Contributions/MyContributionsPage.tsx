import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api';
import type { Contribution, Me } from '../../api/types';
import { useAuth } from '../../app/auth';
import { usePaged } from '../../app/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { Async } from '../../components/Async';
import { HeadSummary, ProofBadge, SubjectLinks } from '../../components/LogProof';
import { PagedList } from '../../components/PagedList';
import { useFormat } from '../../i18n/format';
import { describeEntry, type EntryKind, entryDetails } from '../../log/describe';
import { readEntry, type ShownProof, useProofs, useSignedHead } from '../../log/useLog';

/** The kinds a member may filter their contributions by. */
const FILTERS = [
  'need.raised',
  'need.supported',
  'solution.proposed',
  'poll.ballot-cast',
  'comment.posted',
  'order.paid',
  'trial.feedback-given',
] as const;

/**
 * My contributions: every log entry in which I acted or was credited, newest first, each proven in
 * this browser against the latest signed tree head.
 */
export default function MyContributionsPage() {
  const { t } = useTranslation();
  usePageTitle(t('contributions.title'));
  const { me } = useAuth();
  return me ? <Contributions me={me} /> : null;
}

function Contributions({ me }: { me: Me }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<EntryKind | ''>('');
  const signed = useSignedHead();
  const list = usePaged((cursor) => api.log.contributions(me.id, { cursor, kind: kind || undefined }), [me.id, kind]);
  const proofOf = useProofs(signed.state.data, list.items);
  return (
    <article className="contributions">
      <header className="page-head">
        <p className="eyebrow">
          <Link to="/me">{me.displayName}</Link>
        </p>
        <h1>{t('contributions.title')}</h1>
        <p className="lede">{t('contributions.lede')}</p>
      </header>
      <Async state={signed.state} reload={signed.reload}>
        {(s) => <HeadSummary signed={s} />}
      </Async>
      <section aria-labelledby="contribution-list">
        <div className="section-head">
          <h2 id="contribution-list">{t('contributions.list')}</h2>
          <label className="inline-select">
            <span>{t('contributions.kind')}</span>
            <select value={kind} onChange={(e) => setKind(e.target.value as EntryKind | '')}>
              <option value="">{t('contributions.allKinds')}</option>
              {FILTERS.map((k) => (
                <option key={k} value={k}>
                  {t(`contributions.filter.${k}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <PagedList
          list={list}
          className="log-list"
          empty={t('contributions.none')}
          render={(c) => <ContributionItem key={c.index} contribution={c} proof={proofOf(c.index)} />}
        />
      </section>
    </article>
  );
}

function ContributionItem({ contribution, proof }: { contribution: Contribution; proof: ShownProof }) {
  const { t } = useTranslation();
  const f = useFormat();
  // What is shown is read from the bytes that are hashed, not from the copy beside them.
  const entry = readEntry(contribution.leafInput);
  if (!entry) {
    return (
      <li className="card log-step" data-index={contribution.index}>
        <div className="card-head">
          <span className="log-what">{t('log.unreadable')}</span>
          <ProofBadge status="failed" index={contribution.index} />
        </div>
      </li>
    );
  }
  const details = entryDetails(t, f, entry);
  return (
    <li className="card log-step" data-index={contribution.index} data-kind={entry.kind}>
      <div className="card-head">
        <span className="log-what">{describeEntry(t, f, entry)}</span>
        {contribution.role === 'credited' && <span className="badge badge-soft">{t('contributions.credited')}</span>}
        <ProofBadge status={proof} index={contribution.index} />
      </div>
      {details.length > 0 && <p className="log-details">{details.join(t('common.listSeparator'))}</p>}
      <p className="meta">
        <time dateTime={entry.at}>{f.dateTime(entry.at)}</time> · {t('log.entryNumber', { index: contribution.index })}
        <SubjectLinks subjects={entry.subjects} />
      </p>
    </li>
  );
}
