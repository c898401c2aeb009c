import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { api, type CommentTarget } from '../api';
import type { Comment } from '../api/types';
import { useAuth } from '../app/auth';
import { usePaged } from '../app/useApi';
import { useFormat } from '../i18n/format';
import { ErrorNotice } from './Async';
import { FormAlert, TextArea, useSubmit } from './Form';
import { PagedList } from './PagedList';
import { RichText } from './RichText';

const EDIT_WINDOW_MS = 15 * 60_000;

/** A comment thread: top-level comments with their replies, @mentions, edit, delete and hide. */
export function Comments({ target, count }: { target: CommentTarget; count?: number }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const location = useLocation();
  const key = 'needId' in target ? target.needId : target.solutionId;
  const list = usePaged((cursor) => api.comments.list(target, { cursor, limit: 50 }), [key]);

  return (
    <section className="comments" aria-labelledby="comments-heading">
      <h2 id="comments-heading">
        {t('comments.heading')}
        {count !== undefined && <span className="count-chip">{count}</span>}
      </h2>
      {me ? (
        <Composer target={target} onPosted={list.reload} />
      ) : (
        <p className="hint">
          <Link to={`/signin?next=${encodeURIComponent(location.pathname)}`}>{t('comments.signIn')}</Link>
        </p>
      )}
      <PagedList
        list={list}
        className="comment-list"
        empty={t('comments.empty')}
        render={(c) => <CommentItem key={c.id} comment={c} target={target} onChanged={list.reload} />}
      />
    </section>
  );
}

function Composer({
  target,
  parentId,
  initial = '',
  onPosted,
  onCancel,
}: {
  target: CommentTarget;
  parentId?: string;
  initial?: string;
  onPosted: () => void;
  onCancel?: () => void;
}) {
  const { t } = useTranslation();
  const [body, setBody] = useState(initial);
  const submit = useSubmit();
  async function post(e: FormEvent) {
    e.preventDefault();
    const ok = await submit.run(() => api.comments.create(target, parentId ? { body, parentId } : { body }));
    if (ok) {
      setBody('');
      onPosted();
    }
  }
  return (
    <form className="composer" onSubmit={post} noValidate>
      <TextArea
        label={parentId ? t('comments.replyLabel') : t('comments.label')}
        hint={t('comments.mentionHint')}
        value={body}
        rows={parentId ? 2 : 3}
        onChange={(e) => setBody(e.target.value)}
        error={submit.fieldError('body')}
        autoFocus={!!parentId}
      />
      <FormAlert error={submit.error} />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={submit.busy}>
          {submit.busy ? t('common.sending') : parentId ? t('comments.reply') : t('comments.post')}
        </button>
        {onCancel && (
          <button type="button" className="btn btn-ghost" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}

function CommentItem({
  comment,
  target,
  onChanged,
  isReply,
}: {
  comment: Comment;
  target: CommentTarget;
  onChanged: () => void;
  isReply?: boolean;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const { me, isOperator } = useAuth();
  const [mode, setMode] = useState<'view' | 'reply' | 'edit'>('view');
  const [error, setError] = useState<unknown>();
  const [hidden, setHidden] = useState(comment.hidden);
  const mine = me?.id === comment.author.id;
  const editable = mine && !comment.deleted && Date.now() - new Date(comment.createdAt).getTime() < EDIT_WINDOW_MS;

  async function act(action: () => Promise<unknown>) {
    setError(undefined);
    try {
      await action();
      onChanged();
    } catch (err) {
      setError(err);
    }
  }
  const remove = () => {
    if (window.confirm(t('comments.confirmDelete'))) void act(() => api.comments.remove(comment.id));
  };
  const toggleHidden = () =>
    act(async () => {
      const next = !hidden;
      await api.comments.hide(comment.id, next);
      setHidden(next);
    });

  return (
    <li className={`comment ${isReply ? 'comment-reply' : ''} ${hidden ? 'is-hidden' : ''}`} id={`comment-${comment.id}`}>
      <div className="comment-head">
        <strong>{comment.author.displayName}</strong>
        <time dateTime={comment.createdAt} title={f.dateTime(comment.createdAt)}>
          {f.relative(comment.createdAt)}
        </time>
        {comment.editedAt && <span className="meta">{t('comments.edited')}</span>}
        {hidden && <span className="badge badge-warn">{t('comments.hiddenBadge')}</span>}
      </div>
      {mode === 'edit' ? (
        <EditForm
          comment={comment}
          onDone={() => {
            setMode('view');
            onChanged();
          }}
          onCancel={() => setMode('view')}
        />
      ) : comment.deleted ? (
        <p className="meta">{t('comments.deleted')}</p>
      ) : hidden && !comment.body ? (
        <p className="meta">{t('comments.hidden')}</p>
      ) : (
        <RichText text={comment.body} mentions={comment.mentions} />
      )}
      {mode === 'view' && !comment.deleted && (
        <div className="comment-actions">
          {me && (
            <button type="button" className="link-btn" onClick={() => setMode('reply')}>
              {t('comments.reply')}
            </button>
          )}
          {editable && (
            <button type="button" className="link-btn" onClick={() => setMode('edit')}>
              {t('common.edit')}
            </button>
          )}
          {mine && (
            <button type="button" className="link-btn" onClick={remove}>
              {t('common.delete')}
            </button>
          )}
          {isOperator && (
            <button type="button" className="link-btn" onClick={toggleHidden} aria-pressed={hidden}>
              {hidden ? t('comments.unhide') : t('comments.hide')}
            </button>
          )}
        </div>
      )}
      {error !== undefined && <ErrorNotice error={error} />}
      {mode === 'reply' && (
        <Composer
          target={target}
          parentId={comment.parentId ?? comment.id}
          initial={`@${comment.author.displayName} `}
          onPosted={() => {
            setMode('view');
            onChanged();
          }}
          onCancel={() => setMode('view')}
        />
      )}
      {comment.replies && comment.replies.length > 0 && (
        <ul className="replies">
          {comment.replies.map((r) => (
            <CommentItem key={r.id} comment={r} target={target} onChanged={onChanged} isReply />
          ))}
        </ul>
      )}
    </li>
  );
}

function EditForm({ comment, onDone, onCancel }: { comment: Comment; onDone: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [body, setBody] = useState(comment.body);
  const submit = useSubmit();
  async function save(e: FormEvent) {
    e.preventDefault();
    if (await submit.run(() => api.comments.edit(comment.id, body))) onDone();
  }
  return (
    <form className="composer" onSubmit={save} noValidate>
      <TextArea
        label={t('comments.editLabel')}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        error={submit.fieldError('body')}
      />
      <FormAlert error={submit.error} />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={submit.busy}>
          {t('common.save')}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
