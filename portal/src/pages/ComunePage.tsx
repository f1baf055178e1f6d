import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { CatalogueResponse } from '@server/portal/portal.api';
import { api } from '../api';
import { useComune } from '../comune';
import { useLang, useT } from '../i18n';
import { Icon } from '../Icon';
import { Crumbs } from './Crumbs';
import { ServiceCard } from './ServiceCard';
import { NotFound } from './NotFound';
import { useTitle } from './title';

/** A comune's home: its name, its digital services (the first ones), its contact channels. */
export default function ComunePage() {
  const { slug = '' } = useParams();
  const t = useT();
  const lang = useLang();
  const comune = useComune(slug);
  const [catalogue, setCatalogue] = useState<CatalogueResponse | null>(null);
  const [failed, setFailed] = useState(false);
  useTitle(comune.value ? t('comune.title', { name: comune.value.name }) : t('app.loading'));
  useEffect(() => {
    let live = true;
    api.services(slug, { lang, sort: 'area' }).then(
      (c) => live && setCatalogue(c),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [slug, lang]);

  if (comune.error === 'not-found') return <NotFound />;
  if (!comune.value)
    return (
      <div className="container my-4">
        {comune.error ? <div className="alert alert-danger">{t('app.loadError')}</div> : <p>{t('app.loading')}</p>}
      </div>
    );
  const c = comune.value;
  const lq = lang === 'en' ? '?lang=en' : '';
  return (
    <div className="container my-4">
      <Crumbs items={[{ label: c.name }]} />
      <h1>{t('comune.title', { name: c.name })}</h1>
      <p className="lead">{t('comune.lead')}</p>

      <section aria-labelledby="contacts-title" className="my-4">
        <h2 id="contacts-title" className="h3">
          {t('comune.contacts')}
        </h2>
        <p>{t('comune.contactsText')}</p>
        <div className="d-flex flex-wrap gap-2">
          <a className="btn btn-outline-primary" href={`${c.contactPageUrl}${lq}`}>
            <Icon name="it-telephone" className="icon-primary me-1" size="sm" />
            {t('comune.contactPage')}
          </a>
          <a className="btn btn-outline-primary" href={`${c.contactPageUrl}${lq}#chat`}>
            <Icon name="it-comment" className="icon-primary me-1" size="sm" />
            {t('comune.chat')}
          </a>
        </div>
      </section>

      <section aria-labelledby="reports-title" className="my-4">
        <h2 id="reports-title" className="h3">
          {t('pmap.comuneSection')}
        </h2>
        <p>{t('pmap.comuneText')}</p>
        <Link to={`/${c.slug}/segnalazioni`} className="btn btn-outline-primary">
          <Icon name="it-map-marker-circle" className="icon-primary me-1" size="sm" />
          {t('pmap.comuneLink')}
        </Link>
      </section>

      <section aria-labelledby="flows-title" className="my-4">
        <h2 id="flows-title" className="h3">
          {t('comune.flows')}
        </h2>
        <p>{t('comune.flowsText')}</p>
        <div className="d-flex flex-wrap gap-2">
          <Link className="btn btn-primary" to={`/${c.slug}/segnala`}>
            <Icon name="it-map-marker" className="icon-white me-1" size="sm" />
            {t('flow.report.title')}
          </Link>
          <Link className="btn btn-primary" to={`/${c.slug}/richiedi-assistenza`}>
            <Icon name="it-help-circle" className="icon-white me-1" size="sm" />
            {t('flow.request.title')}
          </Link>
          <Link className="btn btn-outline-primary" to={`/${c.slug}/segnalazioni/cerca`}>
            <Icon name="it-search" className="icon-primary me-1" size="sm" />
            {t('comune.lookup')}
          </Link>
        </div>
      </section>

      <section aria-labelledby="services-title" className="my-4">
        <div className="d-flex flex-wrap align-items-baseline justify-content-between">
          <h2 id="services-title" className="h3">
            {t('comune.services')}
          </h2>
          <Link to={`/${c.slug}/servizi`} className="fw-semibold">
            {t('comune.allServices')}
          </Link>
        </div>
        {failed && <div className="alert alert-danger">{t('app.loadError')}</div>}
        {!catalogue && !failed && <p>{t('app.loading')}</p>}
        {catalogue && (
          <div className="row">
            {catalogue.services.map((s) => (
              <div key={s.id} className="col-12 col-md-6 col-lg-4">
                <ServiceCard s={s} />
              </div>
            ))}
          </div>
        )}
      </section>
    </div>
  );
}
