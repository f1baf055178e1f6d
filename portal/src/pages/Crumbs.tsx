import { Breadcrumb, BreadcrumbItem } from 'design-react-kit';
import { Link } from 'react-router';
import { useT } from '../i18n';

/** The breadcrumb trail; the last item is the current page. */
export function Crumbs({ items }: { items: Array<{ label: string; to?: string }> }) {
  const t = useT();
  return (
    <Breadcrumb className="breadcrumb-container" aria-label={t('app.breadcrumb')}>
      <BreadcrumbItem>
        <Link to="/">{t('app.home')}</Link>
        {items.length > 0 && <span className="separator">/</span>}
      </BreadcrumbItem>
      {items.map((it, i) => (
        <BreadcrumbItem key={it.label} active={!it.to} aria-current={it.to ? undefined : 'page'}>
          {it.to ? <Link to={it.to}>{it.label}</Link> : it.label}
          {i < items.length - 1 && <span className="separator">/</span>}
        </BreadcrumbItem>
      ))}
    </Breadcrumb>
  );
}
