import 'bootstrap-italia/dist/css/bootstrap-italia.min.css';
import './fonts.css';
import './styles.css';
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { Layout } from './Layout';
import { NotFound } from './pages/NotFound';
import Home from './pages/Home';

// Each page is its own chunk: the home does not download the catalogue or the sign-in page. The
// home itself is in the entry (imported above): the site's first page does not wait for one more download.
const ComunePage = lazy(() => import('./pages/ComunePage'));
const CataloguePage = lazy(() => import('./pages/CataloguePage'));
const LoginPage = lazy(() => import('./pages/LoginPage'));
const ProfilePage = lazy(() => import('./pages/ProfilePage'));
const MyCasePage = lazy(() => import('./pages/MyCasePage'));
const PublicMapPage = lazy(() => import('./publicmap/PublicMapPage'));
const LinkedChannelsPage = lazy(() => import('./settings/LinkedChannelsPage'));
const NotificationsPage = lazy(() => import('./settings/NotificationsPage'));
const ConsentsPage = lazy(() => import('./settings/ConsentsPage'));
const PrivacyPage = lazy(() => import('./pages/PrivacyPage'));
const ReportPage = lazy(() => import('./report/ReportPage'));
const RequestPage = lazy(() => import('./report/RequestPage'));
const CasePage = lazy(() => import('./report/CasePage'));
const UnfollowPage = lazy(() => import('./report/UnfollowPage'));

const page = (C: React.ComponentType) => (
  <Suspense fallback={<div className="container my-4" aria-busy="true" />}>
    <C />
  </Suspense>
);

const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: '/', element: <Home /> },
      { path: '/accedi', element: page(LoginPage) },
      { path: '/area-personale', element: page(ProfilePage) },
      { path: '/area-personale/richieste/:reference', element: page(MyCasePage) },
      { path: '/area-personale/canali', element: page(LinkedChannelsPage) },
      { path: '/area-personale/notifiche', element: page(NotificationsPage) },
      { path: '/area-personale/consensi', element: page(ConsentsPage) },
      { path: '/area-personale/privacy', element: page(PrivacyPage) },
      { path: '/:slug', element: page(ComunePage) },
      { path: '/:slug/servizi', element: page(CataloguePage) },
      // The public map and list of reports; a case is looked up by code and e-mail at …/cerca, or opened by its reference.
      { path: '/:slug/segnalazioni', element: page(PublicMapPage) },
      { path: '/:slug/segnala', element: page(ReportPage) },
      { path: '/:slug/richiedi-assistenza', element: page(RequestPage) },
      { path: '/:slug/segnalazioni/cerca', element: page(CasePage) },
      { path: '/:slug/segnalazioni/non-seguire', element: page(UnfollowPage) },
      { path: '/:slug/segnalazioni/:reference', element: page(CasePage) },
      { path: '*', element: <NotFound /> },
    ],
  },
]);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <RouterProvider router={router} />
  </StrictMode>,
);
