import type { ReactNode } from 'react';
import type { MemberRef } from '../api/types';

function escapeRegExp(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Plain text as paragraphs, with the @mentions the server recognised highlighted. */
export function RichText({ text, mentions = [] }: { text: string; mentions?: MemberRef[] }) {
  const names = [...new Set(mentions.map((m) => m.displayName))].sort((a, b) => b.length - a.length);
  const pattern = names.length ? new RegExp(`(@(?:${names.map(escapeRegExp).join('|')}))`, 'g') : null;
  const paragraphs = text.split(/\n{2,}/);
  return (
    <div className="rich-text">
      {paragraphs.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: paragraphs of one text have no identity but their order
        <p key={i}>{pattern ? highlight(p, pattern, mentions) : p}</p>
      ))}
    </div>
  );
}

function highlight(text: string, pattern: RegExp, mentions: MemberRef[]): ReactNode[] {
  return text.split(pattern).map((part, i) => {
    const who = part.startsWith('@') ? mentions.find((m) => `@${m.displayName}` === part) : undefined;
    return who ? (
      // biome-ignore lint/suspicious/noArrayIndexKey: fragments of one string
      <mark key={i} className="mention" data-member={who.id}>
        {part}
      </mark>
    ) : (
      part
    );
  });
}
