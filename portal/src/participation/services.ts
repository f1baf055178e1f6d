import { lazy } from 'react';
import type { ServiceUi } from './slots';

/**
 * The services' own parts of the participation pages, by service name (src/participation/<service>).
 * Each service adds one entry, its components lazily imported (React.lazy).
 */
export const SERVICE_UI: Record<string, ServiceUi> = {
  // Participatory planning (src/participation/planning): the hypothesis's map, preference and remarks.
  planning: { ItemPanel: lazy(() => import('./planning/PlanningPanel')) },
};
