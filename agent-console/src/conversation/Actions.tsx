import { useEffect, useRef, useState } from 'react';
import { useStore } from '../app/context';
import { api, type TicketSummary } from '../lib/api';
import { useI18n, type TextKey } from '../lib/i18n';
import { useLive } from '../lib/store';

const STATUSES = ['new', 'open', 'waiting_citizen', 'resolved', 'closed'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const TYPES = ['request', 'report'];

/** What an operator can do with the ticket; each change lands in the ticket's history on the server. */
export function Actions({ ticket, onChanged }: { ticket: TicketSummary; onChanged: () => void }) {
  const store = useStore();
  const me = store.snapshot.me;
  const { t } = useI18n();
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [category, setCategory] = useState(ticket.category ?? '');
  const [transferring, setTransferring] = useState(false);
  useEffect(() => setCategory(ticket.category ?? ''), [ticket.category]);

  const run = async (fn: () => Promise<unknown>) => {
    setMessage(null);
    try {
      await fn();
      setMessage({ text: t('actions.done'), error: false });
      onChanged();
    } catch (err) {
      setMessage({ text: t('errors.generic', { error: (err as Error).message }), error: true });
    }
  };
  const patch = (body: Record<string, unknown>) => run(() => api(`/api/tickets/${ticket.id}`, { method: 'PATCH', body }));

  const offeredToMe = ticket.queueState === 'offered' && ticket.offeredToId === me.operatorId;
  const claimable = ticket.queueState === 'queued';
  const closed = ticket.status === 'resolved' || ticket.status === 'closed';

  return (
    <section className="actions" aria-label={t('actions.title')}>
      <div className="row wrap">
        {offeredToMe && (
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => void run(() => api(`/api/tickets/${ticket.id}/accept`, { method: 'POST' }))}
          >
            {t('actions.accept')}
          </button>
        )}
        {offeredToMe && (
          <button
            type="button"
            className="btn"
            onClick={() => void run(() => api(`/api/tickets/${ticket.id}/decline`, { method: 'POST' }))}
          >
            {t('actions.decline')}
          </button>
        )}
        {claimable && (
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => void run(() => api(`/api/tickets/${ticket.id}/accept`, { method: 'POST' }))}
          >
            {t('actions.take')}
          </button>
        )}
        <button type="button" className="btn" onClick={() => setTransferring(true)} aria-haspopup="dialog">
          {t('actions.transfer')}
        </button>
        {!closed && (
          <button type="button" className="btn btn-success" onClick={() => void patch({ status: 'resolved' })}>
            {t('actions.resolve')}
          </button>
        )}
        {closed && (
          <button type="button" className="btn" onClick={() => void patch({ status: 'open' })}>
            {t('actions.reopen')}
          </button>
        )}
        <div className="field inline">
          <label htmlFor="act-status">{t('actions.status')}</label>
          <select id="act-status" value={ticket.status} onChange={(e) => void patch({ status: e.target.value })}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}` as TextKey)}
              </option>
            ))}
          </select>
        </div>
        <div className="field inline">
          <label htmlFor="act-priority">{t('priority.label')}</label>
          <select id="act-priority" value={ticket.priority} onChange={(e) => void patch({ priority: e.target.value })}>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {t(`priority.${p}` as TextKey)}
              </option>
            ))}
          </select>
        </div>
        <div className="field inline">
          <label htmlFor="act-type">{t('actions.type')}</label>
          <select id="act-type" value={ticket.type} onChange={(e) => void patch({ type: e.target.value })}>
            {TYPES.map((x) => (
              <option key={x} value={x}>
                {t(`type.${x}` as TextKey)}
              </option>
            ))}
          </select>
        </div>
        <form
          className="field inline"
          onSubmit={(e) => {
            e.preventDefault();
            void patch({ category: category.trim() || null });
          }}
        >
          <label htmlFor="act-category">{t('actions.category')}</label>
          <input id="act-category" value={category} maxLength={100} onChange={(e) => setCategory(e.target.value)} />
          <button type="submit" className="btn btn-small">
            {t('actions.save')}
          </button>
        </form>
      </div>
      <p className={message?.error ? 'error' : 'muted small'} role="status">
        {message?.text ?? ''}
      </p>
      {transferring && (
        <TransferDialog
          ticket={ticket}
          onClose={() => setTransferring(false)}
          onDone={() => {
            setTransferring(false);
            onChanged();
          }}
        />
      )}
    </section>
  );
}

function TransferDialog({ ticket, onClose, onDone }: { ticket: TicketSummary; onClose: () => void; onDone: () => void }) {
  const store = useStore();
  const { t, lang } = useI18n();
  const groups = useLive(store, (s) => s.groups);
  const operators = useLive(store, (s) => s.operators);
  const [groupId, setGroupId] = useState(String(groups.find((g) => g.id !== ticket.groupId)?.id ?? ''));
  const [operatorId, setOperatorId] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const members = operators.filter((o) => o.groupIds.includes(Number(groupId)) && o.capacity > 0);
  const submit = async () => {
    try {
      await api(`/api/tickets/${ticket.id}/transfer`, {
        method: 'POST',
        body: {
          groupId: Number(groupId),
          ...(operatorId ? { operatorId: Number(operatorId) } : {}),
          ...(note.trim() ? { note: note.trim() } : {}),
        },
      });
      onDone();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="transfer-title" onClose={onClose} onCancel={onClose}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h2 id="transfer-title">{t('transfer.title')}</h2>
        <div className="field">
          <label htmlFor="tr-group">{t('transfer.group')}</label>
          <select
            id="tr-group"
            value={groupId}
            onChange={(e) => {
              setGroupId(e.target.value);
              setOperatorId('');
            }}
            required
          >
            {groups
              .filter((g) => g.comuneId === ticket.comuneId)
              .map((g) => (
                <option key={g.id} value={g.id}>
                  {lang === 'it' ? g.name : g.nameEn}
                </option>
              ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="tr-operator">{t('transfer.operator')}</label>
          <select id="tr-operator" value={operatorId} onChange={(e) => setOperatorId(e.target.value)}>
            <option value="">{t('transfer.anyOperator')}</option>
            {members.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name} — {t(`presence.${o.presence}` as TextKey)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="tr-note">{t('transfer.note')}</label>
          <textarea id="tr-note" rows={3} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row">
          <button type="submit" className="btn btn-primary">
            {t('transfer.submit')}
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => {
              dialog.current?.close();
              onClose();
            }}
          >
            {t('transfer.cancel')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
