import { Flow } from './Flow';

/** /:slug/segnala — "Segnala un disservizio". */
export default function ReportPage() {
  return <Flow kind="report" />;
}
