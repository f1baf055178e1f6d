import { useEffect, useState } from 'react';
import { useStore } from '../app/context';
import { api, type CannedResponse, type GroupRow } from '../lib/api';
import { formatDuration, useI18n, type TextKey } from '../lib/i18n';
import { useLive } from '../lib/store';

/** Operators with presence and load, queue length and oldest wait per group: live. */
export default function SupervisorPage() {
  const store = useStore();
  const { t, lang } = useI18n();
  const operators = useLive(store, (s) => s.operators);
  const groups = useLive(store, (s) => s.groups);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const i = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(i);
  }, []);
  useEffect(() => {
    void store.refreshTeam();
  }, [store]);
  const groupName = (g: GroupRow) => (lang === 'it' ? g.name : g.nameEn);
  const staff = operators.filter((o) => o.capacity > 0 || o.groupIds.length > 0);

  return (
    <div className="page">
      <h1>{t('super.title')}</h1>
      <div className="grid-2">
        <section aria-labelledby="sup-groups">
          <h2 id="sup-groups">{t('super.groups')}</h2>
          <table className="table" data-testid="groups-table">
            <thead>
              <tr>
                <th scope="col">{t('super.group')}</th>
                <th scope="col" className="num">
                  {t('super.queued')}
                </th>
                <th scope="col">{t('super.oldest')}</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g) => (
                <tr key={g.id} data-group={g.code}>
                  <th scope="row">{groupName(g)}</th>
                  <td className="num" data-testid="queued">
                    {g.queued}
                  </td>
                  <td>{g.oldestWaitingSince ? formatDuration(now - Date.parse(g.oldestWaitingSince), lang) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section aria-labelledby="sup-ops">
          <h2 id="sup-ops">{t('super.operators')}</h2>
          <table className="table" data-testid="operators-table">
            <thead>
              <tr>
                <th scope="col">{t('super.name')}</th>
                <th scope="col">{t('super.role')}</th>
                <th scope="col">{t('super.presence')}</th>
                <th scope="col">{t('super.load')}</th>
                <th scope="col">{t('super.groupsOf')}</th>
              </tr>
            </thead>
            <tbody>
              {staff.map((o) => (
                <tr key={o.id} data-operator={o.email}>
                  <th scope="row">{o.name}</th>
                  <td>{t(`role.${o.role}` as TextKey)}</td>
                  <td>
                    <span className={`dot dot-${o.presence}`} aria-hidden="true" />{' '}
                    <span data-testid="presence">{t(`presence.${o.presence}` as TextKey)}</span>
                  </td>
                  <td>
                    <meter min={0} max={Math.max(o.capacity, 1)} value={o.load} aria-label={`${t('super.load')} ${o.name}`} /> {o.load}/
                    {o.capacity}
                  </td>
                  <td className="small">
                    {o.groupIds
                      .map((id) => groups.find((g) => g.id === id))
                      .filter(Boolean)
                      .map((g) => groupName(g!))
                      .join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
      {store.snapshot.me.role !== 'metro_admin' && <CannedAdmin groups={groups} />}
    </div>
  );
}

const EMPTY = { shortcut: '', title: '', body: '' };

function CannedAdmin({ groups }: { groups: GroupRow[] }) {
  const { t, lang } = useI18n();
  const [list, setList] = useState<CannedResponse[]>([]);
  const [groupId, setGroupId] = useState<string>('');
  const [form, setForm] = useState(EMPTY);
  const [editing, setEditing] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    void api<CannedResponse[]>('/api/console/canned-responses')
      .then(setList)
      .catch(() => undefined);
  useEffect(load, []);
  useEffect(() => {
    if (!groupId && groups[0]) setGroupId(String(groups[0].id));
  }, [groups, groupId]);

  const save = async () => {
    setError(null);
    try {
      if (editing) await api(`/api/console/canned-responses/${editing}`, { method: 'PATCH', body: form });
      else await api('/api/console/canned-responses', { method: 'POST', body: { ...form, groupId: Number(groupId) } });
      setForm(EMPTY);
      setEditing(null);
      load();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const shown = list.filter((c) => String(c.groupId) === groupId);
  return (
    <section aria-labelledby="canned-title" className="canned-admin">
      <h2 id="canned-title">{t('canned.title')}</h2>
      <div className="field inline">
        <label htmlFor="canned-group">{t('canned.group')}</label>
        <select
          id="canned-group"
          value={groupId}
          onChange={(e) => {
            setGroupId(e.target.value);
            setEditing(null);
            setForm(EMPTY);
          }}
        >
          {groups.map((g) => (
            <option key={g.id} value={g.id}>
              {lang === 'it' ? g.name : g.nameEn}
            </option>
          ))}
        </select>
      </div>
      {shown.length === 0 ? (
        <p className="muted">{t('canned.empty')}</p>
      ) : (
        <ul className="plain canned-items">
          {shown.map((c) => (
            <li key={c.id}>
              <strong>/{c.shortcut}</strong> — {c.title}
              <p className="small">{c.body}</p>
              <button
                type="button"
                className="btn btn-small"
                onClick={() => {
                  setEditing(c.id);
                  setForm({ shortcut: c.shortcut, title: c.title, body: c.body });
                }}
              >
                {t('canned.edit')} <span className="visually-hidden">/{c.shortcut}</span>
              </button>
              <button
                type="button"
                className="btn btn-small btn-ghost"
                onClick={() => void api(`/api/console/canned-responses/${c.id}`, { method: 'DELETE' }).then(load)}
              >
                {t('canned.delete')} <span className="visually-hidden">/{c.shortcut}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="canned-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="field">
          <label htmlFor="canned-shortcut">{t('canned.shortcut')}</label>
          <input
            id="canned-shortcut"
            required
            pattern="[a-z0-9][a-z0-9_\-]{0,39}"
            value={form.shortcut}
            onChange={(e) => setForm({ ...form, shortcut: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="canned-title-field">{t('canned.titleField')}</label>
          <input
            id="canned-title-field"
            required
            maxLength={120}
            value={form.title}
            onChange={(e) => setForm({ ...form, title: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="canned-body">{t('canned.body')}</label>
          <textarea
            id="canned-body"
            required
            rows={3}
            maxLength={4000}
            value={form.body}
            onChange={(e) => setForm({ ...form, body: e.target.value })}
          />
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary">
          {editing ? t('canned.update') : t('canned.add')}
        </button>
      </form>
    </section>
  );
}
