import type { ComponentType } from 'react';
import type { ItemDetail, ItemSummary, SpaceDetail } from '@server/participation/kernel/participation.api';

/**
 * What a participation service adds to the generic pages (portal/src/participation/): the kernel's
 * pages list spaces and items, show an item with its text, official answer, comments, follow and
 * report buttons; a service plugs its own parts in here — a petition's progress and signature, a
 * proposal's support button, a questionnaire, a planning map. Each service's entry is registered in
 * ./services.ts (its components lazily imported: a page downloads only its service's code).
 */
export interface ServiceUi {
  /** On the item page, below the text: the service's own actions and figures. `reload` re-reads the item. */
  ItemPanel?: ComponentType<{ item: ItemDetail; space: SpaceDetail; reload: () => void }>;
  /** On an item's card in a space's list (a petition's progress bar, a proposal's supports). */
  CardExtra?: ComponentType<{ item: ItemSummary; space: SpaceDetail }>;
  /** The form to create an item, when citizens create them (shown at /<comune>/partecipa/<space>/nuovo). */
  NewItem?: ComponentType<{ space: SpaceDetail }>;
  /** On the space page above the list (a planning hypothesis's map, a consultation's questionnaire). */
  SpacePanel?: ComponentType<{ space: SpaceDetail }>;
}
