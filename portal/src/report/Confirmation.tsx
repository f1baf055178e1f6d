import type { RefObject } from 'react';
import { Link } from 'react-router';
import { useT } from '../i18n';
import { Icon } from '../Icon';
import type { FlowKind } from './draft';
import { Rating } from './parts';
import { reportApi } from './reportApi';

/**
 * After sending: the tracking code, the e-mail summary on its way, where to follow the case, and the
 * rating of the online service (1–5 and a comment, once).
 */
export function Confirmation({
  kind,
  slug,
  comune,
  headingRef,
  reference,
  accessKey,
  email,
  loggedIn,
}: {
  kind: FlowKind;
  slug: string;
  comune: string;
  headingRef: RefObject<HTMLHeadingElement | null>;
  reference: string;
  accessKey: string;
  email: string;
  loggedIn: boolean;
}) {
  const t = useT();
  return (
    <>
      <h1 ref={headingRef} tabIndex={-1}>
        <Icon name="it-check-circle" className="icon-success me-2" size="lg" />
        {t(kind === 'report' ? 'flow.done.reportTitle' : 'flow.done.requestTitle')}
      </h1>
      <div className="callout success">
        <div className="callout-title">{t('flow.done.code')}</div>
        <p className="portal-code mb-2" data-testid="reference">
          {reference}
        </p>
        <p className="mb-0">{t('flow.done.keep')}</p>
      </div>
      <p>{t('flow.done.email', { email, name: comune })}</p>
      <div className="d-flex gap-2 flex-wrap mb-4">
        <Link className="btn btn-primary" to={`/${slug}/segnalazioni/${reference}`} state={{ accessKey }}>
          {t('flow.done.open')}
        </Link>
        {loggedIn && (
          <Link className="btn btn-outline-primary" to="/area-personale">
            {t('flow.done.mine')}
          </Link>
        )}
        <Link className="btn btn-outline-primary" to={`/${slug}`}>
          {t('flow.backToComune', { name: comune })}
        </Link>
      </div>
      <section aria-labelledby="rating-title" className="mt-5">
        <h2 id="rating-title" className="h4">
          {t('flow.rating.title')}
        </h2>
        <Rating
          legend={t('flow.rating.serviceLegend')}
          onRate={(rating, comment) => reportApi.rate({ reference, accessKey, rating, comment: comment || undefined, subject: 'service' })}
        />
      </section>
    </>
  );
}
