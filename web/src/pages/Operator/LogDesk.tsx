import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import type { LogPublicKey, SignedTreeHead } from '../../api/types';
import { useApi, usePaged } from '../../app/useApi';
import { Async, ErrorNotice, Loading } from '../../components/Async';
import { Hash, SignatureBadge } from '../../components/LogProof';
import { useFormat } from '../../i18n/format';
import { checkSignature, type SignatureStatus } from '../../log/useLog';
import { fromBase64, fromHex, toHex, verifyConsistency } from '../../log/verify';

/**
 * The contribution log for operators: the public key, whether the two latest heads are consistent
 * (the newer only appends to the older), and every signed head with its signature, all checked in
 * this browser.
 */
export function LogDesk() {
  const { t } = useTranslation();
  const key = useApi(() => api.log.publicKey(), []);
  const heads = usePaged((cursor) => api.log.heads({ cursor, limit: 20 }), []);
  return (
    <section aria-labelledby="log-desk" className="log-desk">
      <div className="section-head">
        <h2 id="log-desk">{t('logDesk.title')}</h2>
        <button type="button" className="btn btn-small" onClick={heads.reload}>
          {t('common.refresh')}
        </button>
      </div>
      <p className="hint">{t('logDesk.hint')}</p>
      <Async state={key.state} reload={key.reload}>
        {(k) => (
          <>
            <PublicKey publicKey={k} />
            {heads.status === 'loading' && <Loading />}
            {heads.status === 'error' && <ErrorNotice error={heads.error} onRetry={heads.reload} />}
            {heads.status === 'ok' && (
              <>
                <Consistency newer={heads.items[0]} older={heads.items[1]} />
                <section aria-labelledby="log-heads">
                  <h3 id="log-heads">{t('logDesk.heads')}</h3>
                  {heads.items.length === 0 ? (
                    <p className="empty">{t('logDesk.noHeads')}</p>
                  ) : (
                    <div className="table-wrap">
                      <table className="data log-heads">
                        <thead>
                          <tr>
                            <th scope="col" className="num">
                              {t('log.head.size')}
                            </th>
                            <th scope="col">{t('log.head.root')}</th>
                            <th scope="col">{t('log.head.time')}</th>
                            <th scope="col">{t('logDesk.signature')}</th>
                          </tr>
                        </thead>
                        <tbody>
                          {heads.items.map((h) => (
                            <HeadRow key={`${h.treeSize}:${h.timestamp}`} head={h} publicKey={k.publicKey} />
                          ))}
                        </tbody>
                      </table>
                    </div>
                  )}
                  {heads.error && <ErrorNotice error={heads.error} onRetry={heads.loadMore} />}
                  {heads.hasMore && (
                    <button type="button" className="btn btn-more" onClick={heads.loadMore} disabled={heads.loadingMore}>
                      {heads.loadingMore ? t('common.loading') : t('common.loadMore')}
                    </button>
                  )}
                </section>
              </>
            )}
          </>
        )}
      </Async>
    </section>
  );
}

function PublicKey({ publicKey }: { publicKey: LogPublicKey }) {
  const { t } = useTranslation();
  let hex = '';
  try {
    hex = toHex(fromBase64(publicKey.publicKey));
  } catch {
    // shown as received; every signature check will fail and say so
  }
  return (
    <section aria-labelledby="log-key" className="card log-key">
      <h3 id="log-key">{t('logDesk.publicKey')}</h3>
      <dl className="log-facts">
        <div>
          <dt>{t('logDesk.algorithm')}</dt>
          <dd>{publicKey.algorithm}</dd>
        </div>
        <div>
          <dt>{t('logDesk.base64')}</dt>
          <dd>
            <code className="hash" data-testid="public-key">
              {publicKey.publicKey}
            </code>
          </dd>
        </div>
        {hex && (
          <div>
            <dt>{t('logDesk.hex')}</dt>
            <dd>
              <Hash hex={hex} full />
            </dd>
          </div>
        )}
      </dl>
      <p className="hint">{t('logDesk.keyHint')}</p>
    </section>
  );
}

function HeadRow({ head, publicKey }: { head: SignedTreeHead; publicKey: string }) {
  const f = useFormat();
  const [status, setStatus] = useState<SignatureStatus | 'checking'>('checking');
  useEffect(() => {
    let live = true;
    setStatus('checking');
    void checkSignature(head, publicKey).then((s) => live && setStatus(s));
    return () => {
      live = false;
    };
  }, [head, publicKey]);
  const iso = new Date(head.timestamp).toISOString();
  return (
    <tr data-size={head.treeSize}>
      <td className="num">{f.number(head.treeSize)}</td>
      <td>
        <Hash hex={head.rootHash} />
      </td>
      <td>
        <time dateTime={iso}>{f.timeSeconds(iso)}</time>
      </td>
      <td>
        <SignatureBadge status={status} />
      </td>
    </tr>
  );
}

type Outcome = 'checking' | 'consistent' | 'inconsistent' | 'unavailable';

/** RFC 9162 §2.1.4.2 between the two latest heads, with the proof the server gives and the roots they signed. */
function Consistency({ newer, older }: { newer?: SignedTreeHead; older?: SignedTreeHead }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [outcome, setOutcome] = useState<Outcome>('checking');
  const [proofLength, setProofLength] = useState<number>();
  useEffect(() => {
    if (!newer || !older) return;
    let live = true;
    setOutcome('checking');
    api.log
      .consistency(older.treeSize, newer.treeSize)
      .then(async (p) => {
        if (p.first !== older.treeSize || p.second !== newer.treeSize) return 'inconsistent' as const;
        let ok = false;
        try {
          ok = await verifyConsistency(
            older.treeSize,
            newer.treeSize,
            fromHex(older.rootHash),
            fromHex(newer.rootHash),
            p.proof.map(fromHex),
          );
        } catch {
          ok = false;
        }
        if (live) setProofLength(p.proof.length);
        return ok ? ('consistent' as const) : ('inconsistent' as const);
      })
      .catch((): Outcome => 'unavailable')
      .then((o) => live && setOutcome(o));
    return () => {
      live = false;
    };
  }, [newer, older]);

  return (
    <section aria-labelledby="log-consistency" className="card log-consistency">
      <h3 id="log-consistency">{t('logDesk.consistency')}</h3>
      {!newer || !older ? (
        <p className="empty">{t('logDesk.oneHead')}</p>
      ) : (
        <>
          <p>
            {t('logDesk.between', { first: f.number(older.treeSize), second: f.number(newer.treeSize) })}{' '}
            <span
              className={`badge ${outcome === 'consistent' ? 'badge-ok' : outcome === 'inconsistent' ? 'badge-err' : ''}`}
              data-consistency={outcome}
            >
              {t(`logDesk.outcome.${outcome}`)}
            </span>
          </p>
          {proofLength !== undefined && (
            <p className="hint">{t('logDesk.proofNodes', { count: proofLength, n: f.number(proofLength) })}</p>
          )}
          <p className="hint">{t('logDesk.consistencyHint')}</p>
        </>
      )}
    </section>
  );
}
