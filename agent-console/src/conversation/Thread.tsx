import { useEffect, useRef } from 'react';
import type { MessageView, OperatorRow } from '../lib/api';
import { formatDateTime, useI18n, type TextKey } from '../lib/i18n';

/** The conversation as operators see it. Citizens' text is rendered as text, never as HTML. */
export function Thread({ messages, operators }: { messages: MessageView[]; operators: OperatorRow[] }) {
  const { t, lang } = useI18n();
  const end = useRef<HTMLLIElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [messages.length]);

  return (
    <ol className="thread" aria-label={t('conv.thread')}>
      {messages.map((m) => {
        const who =
          m.direction === 'inbound' ? t('conv.citizen') : (operators.find((o) => o.id === m.authorOperatorId)?.name ?? t('conv.operator'));
        const kind = m.internal ? 'note' : m.direction;
        return (
          <li key={m.id} className={`msg msg-${kind}`} data-message-id={m.id} data-kind={kind}>
            <div className="msg-head">
              <span className="msg-author">{who}</span>
              {m.internal && (
                <span className="badge badge-note">
                  {t('conv.note')} · {t('conv.noteHint')}
                </span>
              )}
              <time dateTime={m.createdAt}>{formatDateTime(m.createdAt, lang)}</time>
            </div>
            {m.text && <p className="msg-text">{m.text}</p>}
            {m.attachments.length > 0 && (
              <ul className="attachments">
                {m.attachments.map((a) => (
                  <li key={a.id}>
                    {a.contentType.startsWith('image/') ? (
                      <a href={a.url} target="_blank" rel="noopener">
                        <img src={a.url} alt={a.filename} loading="lazy" />
                      </a>
                    ) : (
                      <a href={a.url} download={a.filename}>
                        {t('conv.download', { name: a.filename })}
                      </a>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {!m.internal && (
              <div className="msg-foot">
                <span>{t('conv.via', { channel: t(`channel.${m.channel}` as TextKey) })}</span>
                {m.recipient && <span data-testid="recipient">{t('conv.to', { recipient: m.recipient })}</span>}
                {m.pecSignature && (
                  <span className={m.pecSignature === 'invalid' ? 'error-text' : undefined} data-testid="pec-signature">
                    {t(`pec.${m.pecSignature}` as TextKey)}
                  </span>
                )}
                <span className={`delivery delivery-${m.deliveryStatus}`} data-testid="delivery">
                  {t(`delivery.${m.deliveryStatus}` as TextKey)}
                </span>
                {m.deliveryError && <span className="error-text">{m.deliveryError}</span>}
              </div>
            )}
          </li>
        );
      })}
      <li ref={end} className="thread-end" aria-hidden="true" />
    </ol>
  );
}
