import { Card, CardBody, CardText, CardTitle } from 'design-react-kit';
import type { CatalogueService } from '@server/portal/portal.api';
import { useT } from '../i18n';
import { Icon } from '../Icon';

/** One service of the catalogue: Bootstrap Italia's card, its area as category, a link to the service. */
export function ServiceCard({ s }: { s: CatalogueService }) {
  const t = useT();
  const external = s.kind === 'external';
  return (
    <div className="card-wrapper card-space">
      <Card border={false} className="card card-bg card-big border-bottom-card portal-service" data-service={s.id}>
        <CardBody>
          <div className="category-top">
            <span className="category">{s.area.label}</span>
            {s.owner === 'metropolitan' && <span className="badge bg-secondary ms-2">{t('catalogue.metropolitan')}</span>}
            {s.kind === 'sportello' && <span className="badge bg-primary ms-2">{t('catalogue.sportello')}</span>}
          </div>
          <CardTitle tag="h3" className="h5">
            {s.title}
          </CardTitle>
          {s.description && <CardText>{s.description}</CardText>}
          {(!s.online || s.audience === 'businesses') && (
            <CardText className="small">
              {!s.online && <span className="me-2">{t('catalogue.offline')}</span>}
              {s.audience === 'businesses' && <span>{t('catalogue.businesses')}</span>}
            </CardText>
          )}
          <a className="read-more" href={s.url} {...(external ? { target: '_blank', rel: 'noopener noreferrer' } : {})}>
            <span className="text">
              {t('catalogue.go')}
              <span className="visually-hidden">
                : {s.title} {external ? t('app.newTab') : ''}
              </span>
            </span>
            <Icon name={external ? 'it-external-link' : 'it-arrow-right'} />
          </a>
        </CardBody>
      </Card>
    </div>
  );
}
