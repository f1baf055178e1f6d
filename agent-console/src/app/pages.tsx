import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { Principal } from '../lib/api';
import type { Text } from '../lib/i18n';

export interface ConsolePage {
  /** First path segment under /console/. */
  path: string;
  label: Text;
  /** Who sees the page in the navigation and may open it; everyone when absent. */
  roles?: Array<Principal['role']>;
  component: ComponentType | LazyExoticComponent<ComponentType>;
}

/**
 * The console's pages, in navigation order. A new page is one more line here, e.g. the managers'
 * dashboard:
 *   { path: 'dashboard', label: { it: 'Cruscotto', en: 'Dashboard' }, roles: ['supervisor', 'manager', 'metro_admin'], component: lazy(() => import('../dashboard/DashboardPage')) },
 * (the module's default export is the page component).
 */
export const PAGES: ConsolePage[] = [
  { path: 'inbox', label: { it: 'Conversazioni', en: 'Conversations' }, component: lazy(() => import('../inbox/InboxPage')) },
  {
    path: 'new',
    label: { it: 'Nuova richiesta', en: 'New request' },
    roles: ['operator', 'supervisor', 'manager'],
    component: lazy(() => import('../newticket/NewTicketPage')),
  },
  {
    path: 'supervisor',
    label: { it: 'Supervisione', en: 'Supervision' },
    roles: ['supervisor', 'manager', 'metro_admin'],
    component: lazy(() => import('../supervisor/SupervisorPage')),
  },
  {
    path: 'dashboard',
    label: { it: 'Cruscotto', en: 'Dashboard' },
    roles: ['supervisor', 'manager', 'metro_admin'],
    component: lazy(() => import('../dashboard/DashboardPage')),
  },
  {
    path: 'channels',
    label: { it: 'Canali', en: 'Channels' },
    roles: ['manager', 'metro_admin'],
    component: lazy(() => import('../channels/ChannelsPage')),
  },
  {
    path: 'catalogue',
    label: { it: 'Catalogo servizi', en: 'Service catalogue' },
    roles: ['manager', 'metro_admin'],
    component: lazy(() => import('../catalogue/CataloguePage')),
  },
  {
    path: 'privacy',
    label: { it: 'Privacy e conservazione', en: 'Privacy and retention' },
    roles: ['manager'],
    component: lazy(() => import('../privacy/PrivacyPage')),
  },
];

export const pagesFor = (me: Principal): ConsolePage[] => PAGES.filter((p) => !p.roles || p.roles.includes(me.role));
