import { Link } from 'react-router';
import { useT } from '../i18n';
import { useTitle } from './title';

/** Any path the portal does not know, and a comune that does not exist (the server answers 404 too). */
export function NotFound() {
  const t = useT();
  useTitle(t('notFound.title'));
  return (
    <div className="container my-5" data-testid="not-found">
      <h1>{t('notFound.title')}</h1>
      <p className="lead">{t('notFound.text')}</p>
      <Link className="btn btn-primary" to="/">
        {t('notFound.back')}
      </Link>
    </div>
  );
}

export default NotFound;
