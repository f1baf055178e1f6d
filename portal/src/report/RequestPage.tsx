import { Flow } from './Flow';

/** /:slug/richiedi-assistenza — "Richiedi assistenza". */
export default function RequestPage() {
  return <Flow kind="request" />;
}
