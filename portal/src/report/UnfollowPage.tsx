import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { HttpError } from '../api';
import { useComune } from '../comune';
import { useT } from '../i18n';
import { Crumbs } from '../pages/Crumbs';
import { NotFound } from '../pages/NotFound';
import { useTitle } from '../pages/title';
import { reportApi } from './reportApi';

/**
 * The page of the link in every follower's e-mail: one button stops the updates (a click, not the
 * page's load, so a mail scanner opening the link changes nothing).
 */
export default function UnfollowPage() {
  const { slug = '' } = useParams();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const t = useT();
  const comune = useComune(slug);
  const [state, setState] = useState<'idle' | 'busy' | 'done' | 'invalid' | 'failed'>(token ? 'idle' : 'invalid');
  useTitle(t('unfollow.title'));
  if (comune.error === 'not-found') return <NotFound />;
  const name = comune.value?.name ?? slug;

  async function unfollow() {
    setState('busy');
    try {
      await reportApi.unfollow(token);
      setState('done');
    } catch (e) {
      setState(e instanceof HttpError && (e.status === 404 || e.status === 400) ? 'invalid' : 'failed');
    }
  }

  return (
    <div className="container my-4">
      <Crumbs items={[{ label: name, to: `/${slug}` }, { label: t('unfollow.title') }]} />
      <h1>{t('unfollow.title')}</h1>
      {state === 'done' ? (
        <div className="alert alert-success" role="status">
          {t('unfollow.done')}
        </div>
      ) : state === 'invalid' ? (
        <div className="alert alert-warning" role="alert">
          {t('unfollow.invalid')}
        </div>
      ) : (
        <>
          <p>{t('unfollow.lead')}</p>
          <button type="button" className="btn btn-primary" disabled={state === 'busy'} onClick={() => void unfollow()}>
            {t('unfollow.button')}
          </button>
          {state === 'failed' && (
            <div className="alert alert-danger mt-3" role="alert">
              {t('app.loadError')}
            </div>
          )}
        </>
      )}
      <p className="mt-4">
        <Link to={`/${slug}`}>{t('flow.backToComune', { name })}</Link>
      </p>
    </div>
  );
}
