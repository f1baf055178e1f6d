import { lazy, Suspense, useEffect, useId, useState } from 'react';
import type { ContributionResponse, ItemDetail, SpaceDetail } from '@server/participation/kernel/participation.api';
import type { PlanningMap } from '@server/participation/planning/planning.api';
import type { PortalComuneMap } from '@server/portal/portal.api';
import { HttpError, request } from '../../api';
import { useLang } from '../../i18n';
import { ALTERNATIVE_COLOURS } from './PlanningMapView';
import { pt } from './text';

const PlanningMapView = lazy(() => import('./PlanningMapView'));
const PlaceMap = lazy(() => import('../../report/PlaceMap'));

/** Where no comune's boundary applies (a space of the Metropolitan City): the map of the whole area, no boundary. */
const NO_BOUNDARY: PortalComuneMap = {
  comune: 'Città metropolitana di Bari',
  boundary: null,
  center: { lat: 41.117, lng: 16.871 },
  tileUrl: null,
  attribution: [],
};

const errorText = (e: unknown) =>
  e instanceof HttpError ? (e.body.fields?.map((f) => f.message).join('; ') ?? e.body.message ?? e.message) : String(e);

/**
 * A planning hypothesis on the item page: its map (area, lines, alternatives, citizens' remarks),
 * the same content as lists, the preference among alternatives (one per verified person,
 * changeable), and a remark pinned to a place.
 */
export default function PlanningPanel({ item, reload }: { item: ItemDetail; space: SpaceDetail; reload: () => void }) {
  const lang = useLang();
  const [data, setData] = useState<PlanningMap | null>(null);
  const [cfg, setCfg] = useState<PortalComuneMap | null>(null);
  const [choice, setChoice] = useState<string>('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [remark, setRemark] = useState('');
  const [pin, setPin] = useState<{ lat: number; lon: number } | null>(null);
  const [remarkProblem, setRemarkProblem] = useState<string | null>(null);
  const [remarkDone, setRemarkDone] = useState(false);
  const ids = { choose: useId(), remark: useId(), place: useId(), problem: useId(), remarkProblem: useId() };

  const load = () =>
    request<PlanningMap>('GET', `/api/portal/v1/participation/planning/items/${item.id}/map?lang=${lang}`).then((d) => {
      setData(d);
      setChoice(d.myPreference ?? '');
    });

  useEffect(() => {
    void load();
    const owner = item.space.ownerSlug;
    request<PortalComuneMap>('GET', `/api/portal/v1/comuni/${encodeURIComponent(owner)}/map`).then(setCfg, () => setCfg(NO_BOUNDARY));
  }, [item.id, lang]);

  if (!data || !cfg) return <p aria-busy="true">{pt(lang, 'loading')}</p>;
  const prefOpen = item.open.preference;
  const remarkOpen = item.open.remark;
  const title = (key: string | null) => data.alternatives.find((a) => a.key === key)?.title[lang] ?? '';

  async function prefer(e: React.FormEvent) {
    e.preventDefault();
    if (!choice) return setProblem(pt(lang, 'needChoice'));
    setBusy(true);
    setProblem(null);
    try {
      if (data!.myPreference && data!.myPreference !== choice)
        await request('DELETE', `/api/portal/v1/participation/items/${item.id}/contributions/preference`);
      await request<ContributionResponse>('POST', `/api/portal/v1/participation/items/${item.id}/contributions`, {
        kind: 'preference',
        data: { alternative: choice },
      });
      await load();
      reload();
    } catch (err) {
      setProblem(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  async function sendRemark(e: React.FormEvent) {
    e.preventDefault();
    if (!pin) return setRemarkProblem(pt(lang, 'remarkNoPlace'));
    setBusy(true);
    setRemarkProblem(null);
    try {
      await request<ContributionResponse>('POST', `/api/portal/v1/participation/items/${item.id}/contributions`, {
        kind: 'remark',
        body: remark,
        location: pin,
      });
      setRemark('');
      setPin(null);
      setRemarkDone(true);
      await load();
      reload();
    } catch (err) {
      setRemarkProblem(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="my-4" aria-labelledby="planning-map-title">
      <h2 id="planning-map-title" className="h4">
        {pt(lang, 'mapLabel')}
      </h2>
      <p className="small">{pt(lang, 'mapHelp')}</p>
      <Suspense fallback={<div className="portal-map" aria-busy="true" />}>
        <PlanningMapView cfg={cfg} data={data} label={pt(lang, 'mapLabel')} />
      </Suspense>

      {data.documents.length > 0 && (
        <>
          <h3 className="h5 mt-4">{pt(lang, 'documents')}</h3>
          <ul>
            {data.documents.map((d) => (
              <li key={d.url}>
                <a href={d.url} rel="noopener noreferrer">
                  {d.title}
                </a>
              </li>
            ))}
          </ul>
        </>
      )}

      <form className="mt-4" onSubmit={(e) => void prefer(e)} noValidate>
        <fieldset aria-describedby={problem ? ids.problem : undefined}>
          <legend className="h5">{data.alternatives.length ? pt(lang, 'choose') : pt(lang, 'alternatives')}</legend>
          <p className="small">{pt(lang, 'chooseHelp')}</p>
          {data.alternatives.map((a, i) => (
            <div className="form-check" key={a.key}>
              <input
                className="form-check-input"
                type="radio"
                name="alternative"
                id={`${ids.choose}-${a.key}`}
                value={a.key}
                checked={choice === a.key}
                disabled={!prefOpen?.open}
                onChange={() => setChoice(a.key)}
              />
              <label className="form-check-label" htmlFor={`${ids.choose}-${a.key}`}>
                <span aria-hidden="true" style={{ color: ALTERNATIVE_COLOURS[i % ALTERNATIVE_COLOURS.length] }}>
                  ■{' '}
                </span>
                <strong>{a.title[lang]}</strong> — {pt(lang, 'preferences', { n: a.preferences })}
                {a.description[lang] && <span className="d-block small">{a.description[lang]}</span>}
              </label>
            </div>
          ))}
        </fieldset>
        {data.myPreference && <p className="mt-2">{pt(lang, 'yourChoice', { title: title(data.myPreference) })}</p>}
        {problem && (
          <div id={ids.problem} className="alert alert-danger mt-2" role="alert">
            {pt(lang, 'error', { message: problem })}
          </div>
        )}
        {prefOpen?.open && data.alternatives.length > 0 ? (
          <button type="submit" className="btn btn-primary mt-2" disabled={busy || choice === data.myPreference}>
            {data.myPreference ? pt(lang, 'change') : pt(lang, 'send')}
          </button>
        ) : (
          prefOpen?.reason && <p className="mt-2">{pt(lang, 'closed', { reason: prefOpen.reason })}</p>
        )}
      </form>

      <h3 className="h5 mt-4">{pt(lang, 'remarks')}</h3>
      {data.remarks.length === 0 ? (
        <p>{pt(lang, 'noRemarks')}</p>
      ) : (
        <ul>
          {data.remarks.map((r) => (
            <li key={r.id}>
              <span className="text-break" style={{ whiteSpace: 'pre-line' }}>
                {r.text}
              </span>{' '}
              {r.authorName && <span className="small">({pt(lang, 'by', { name: r.authorName })})</span>}
            </li>
          ))}
        </ul>
      )}

      {remarkOpen?.open && (
        <form className="mt-3" onSubmit={(e) => void sendRemark(e)} noValidate>
          <h4 className="h6">{pt(lang, 'remarkTitle')}</h4>
          <div className="form-group">
            <label htmlFor={ids.remark} className="active">
              {pt(lang, 'remarkText')}
            </label>
            <textarea
              id={ids.remark}
              className="form-control"
              rows={3}
              maxLength={2000}
              value={remark}
              required
              aria-describedby={remarkProblem ? ids.remarkProblem : undefined}
              onChange={(e) => setRemark(e.target.value)}
            />
          </div>
          <p id={ids.place} className="small">
            {pt(lang, 'remarkPlace')}
          </p>
          <Suspense fallback={<div className="portal-map" aria-busy="true" />}>
            <PlaceMap
              map={cfg}
              value={pin}
              onPin={(lat, lon) => setPin({ lat, lon })}
              onRefused={() => setRemarkProblem(pt(lang, 'remarkOutside'))}
              describedBy={ids.place}
            />
          </Suspense>
          {remarkProblem && (
            <div id={ids.remarkProblem} className="alert alert-danger mt-2" role="alert">
              {pt(lang, 'error', { message: remarkProblem })}
            </div>
          )}
          {remarkDone && (
            <div className="alert alert-success mt-2" role="status">
              {pt(lang, 'remarkSent')}
            </div>
          )}
          <button type="submit" className="btn btn-primary mt-2" disabled={busy}>
            {pt(lang, 'remarkSend')}
          </button>
        </form>
      )}
    </section>
  );
}
