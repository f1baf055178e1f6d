import { useEffect } from 'react';

/** The document's title: the page's, then the site's. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title.includes('Sportello') ? title : `${title} — Sportello`;
  }, [title]);
}
