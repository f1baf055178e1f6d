import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useStore } from '../app/context';
import { api, type CannedResponse, type TicketSummary } from '../lib/api';
import { useI18n } from '../lib/i18n';

/**
 * Reply to the citizen or write an internal note. Enter sends, Shift+Enter adds a line; "/"
 * followed by a shortcut picks a canned response of the ticket's group.
 */
export function ReplyBox({ ticket, defaultNote }: { ticket: TicketSummary; defaultNote: boolean }) {
  const store = useStore();
  const { t } = useI18n();
  const id = useId();
  const [mode, setMode] = useState<'reply' | 'note'>(defaultNote ? 'note' : 'reply');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [canned, setCanned] = useState<CannedResponse[]>([]);
  const [active, setActive] = useState(0);
  const [pickerOpen, setPickerOpen] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const typingSent = useRef(false);
  const typingTimer = useRef<number | undefined>(undefined);

  useEffect(() => {
    void api<CannedResponse[]>('/api/console/canned-responses')
      .then((list) => {
        setCanned([...list].sort((a, b) => Number(b.groupId === ticket.groupId) - Number(a.groupId === ticket.groupId)));
      })
      .catch(() => undefined);
  }, [ticket.groupId]);

  const slash = /^\/(\S*)$/.exec(text);
  const query = slash ? slash[1].toLowerCase() : pickerOpen ? '' : null;
  const suggestions = useMemo(
    () => (query === null ? [] : canned.filter((c) => c.shortcut.startsWith(query) || c.title.toLowerCase().includes(query)).slice(0, 8)),
    [query, canned],
  );
  const showPicker = query !== null;

  const stopTyping = () => {
    window.clearTimeout(typingTimer.current);
    if (typingSent.current) store.socket.emit('typing', { ticketId: ticket.id, typing: false });
    typingSent.current = false;
  };
  useEffect(() => stopTyping, [ticket.id]);

  const onInput = (value: string) => {
    setText(value);
    setActive(0);
    // Only replies are announced to the citizen: writing a note is nobody's business outside the office.
    if (mode !== 'reply' || ticket.channel !== 'webchat') return;
    if (!typingSent.current && value.trim()) {
      store.socket.emit('typing', { ticketId: ticket.id, typing: true });
      typingSent.current = true;
    }
    window.clearTimeout(typingTimer.current);
    typingTimer.current = window.setTimeout(stopTyping, 3000);
  };

  const insert = (c: CannedResponse) => {
    setText(c.body);
    setPickerOpen(false);
    area.current?.focus();
  };

  const send = async () => {
    const body = text.trim();
    if (!body || busy) return;
    setBusy(true);
    setError(null);
    stopTyping();
    try {
      await api(`/api/tickets/${ticket.id}/messages`, { method: 'POST', body: { text: body, internal: mode === 'note' } });
      setText('');
    } catch (err) {
      setError(t('reply.failed', { error: (err as Error).message }));
    } finally {
      setBusy(false);
      area.current?.focus();
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (showPicker && suggestions.length > 0) {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        setActive((a) => (a + 1) % suggestions.length);
        return;
      }
      if (e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((a) => (a - 1 + suggestions.length) % suggestions.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        insert(suggestions[active]);
        return;
      }
    }
    if (showPicker && e.key === 'Escape') {
      e.preventDefault();
      setPickerOpen(false);
      if (slash) setText('');
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void send();
    }
  };

  const listId = `${id}-canned`;
  return (
    <form
      className={`reply reply-${mode}`}
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <fieldset className="reply-mode">
        <legend className="visually-hidden">{t('reply.mode')}</legend>
        <label>
          <input type="radio" name={`${id}-mode`} value="reply" checked={mode === 'reply'} onChange={() => setMode('reply')} />{' '}
          {t('reply.reply')}
        </label>
        <label>
          <input
            type="radio"
            name={`${id}-mode`}
            value="note"
            checked={mode === 'note'}
            onChange={() => {
              stopTyping();
              setMode('note');
            }}
          />{' '}
          {t('reply.note')}
        </label>
        <button
          type="button"
          className="btn btn-link"
          aria-expanded={showPicker}
          aria-controls={listId}
          onClick={() => {
            setPickerOpen((o) => !o);
            area.current?.focus();
          }}
        >
          {t('reply.canned')}
        </button>
      </fieldset>
      <label htmlFor={`${id}-text`} className="visually-hidden">
        {mode === 'note' ? t('reply.noteLabel') : t('reply.label')}
      </label>
      <textarea
        id={`${id}-text`}
        ref={area}
        rows={3}
        value={text}
        maxLength={4000}
        placeholder={mode === 'note' ? t('reply.noteLabel') : t('reply.label')}
        aria-describedby={`${id}-help`}
        aria-activedescendant={showPicker && suggestions.length ? `${listId}-${active}` : undefined}
        onChange={(e) => onInput(e.target.value)}
        onKeyDown={onKeyDown}
        onBlur={() => window.setTimeout(() => setPickerOpen(false), 200)}
      />
      {showPicker && (
        <ul id={listId} role="listbox" className="canned-list" aria-label={t('reply.canned')}>
          {suggestions.length === 0 && (
            <li className="muted" role="option" aria-selected="false" aria-disabled="true">
              {t('reply.cannedNone')}
            </li>
          )}
          {suggestions.map((c, i) => (
            <li
              key={c.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : ''}
              onMouseDown={(e) => {
                e.preventDefault();
                insert(c);
              }}
            >
              <strong>/{c.shortcut}</strong> {c.title}
            </li>
          ))}
        </ul>
      )}
      <div className="reply-foot">
        <p id={`${id}-help`} className="muted small">
          {t('reply.help')}
        </p>
        <button type="submit" className={`btn ${mode === 'note' ? 'btn-note' : 'btn-primary'}`} disabled={busy || !text.trim()}>
          {mode === 'note' ? t('reply.addNote') : t('reply.send')}
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
