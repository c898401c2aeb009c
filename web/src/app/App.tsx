import { lazy, type ReactNode, Suspense } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { Loading } from '../components/Async';
import { CommunityPage } from '../pages/Community/CommunityPage';
import { HomePage } from '../pages/Home/HomePage';
import { NeedPage } from '../pages/Need/NeedPage';
import { NewNeedPage } from '../pages/NewNeed/NewNeedPage';
import { NewScenePage } from '../pages/NewScene/NewScenePage';
import { NewSolutionPage } from '../pages/NewSolution/NewSolutionPage';
import { NotFoundPage } from '../pages/NotFound/NotFoundPage';
import { ProfilePage } from '../pages/Profile/ProfilePage';
import { ScenePage } from '../pages/Scene/ScenePage';
import { SearchPage } from '../pages/Search/SearchPage';
import { SignInPage } from '../pages/SignIn/SignInPage';
import { SignUpPage } from '../pages/SignUp/SignUpPage';
import { SolutionPage } from '../pages/Solution/SolutionPage';
import { AuthProvider } from './auth';
import { Layout } from './Layout';
import { RequireAuth } from './RequireAuth';

/** The operator console is its own chunk: members never download it. */
const OperatorConsole = lazy(() => import('../pages/Operator/OperatorConsole'));
/** Pages of the way from accepted need to product: each its own chunk, loaded when visited. */
const ChainGroupPage = lazy(() => import('../pages/ChainGroup/ChainGroupPage'));
const PollPage = lazy(() => import('../pages/Poll/PollPage'));
const PartnerConsole = lazy(() => import('../pages/Partner/PartnerConsole'));
const ProductPage = lazy(() => import('../pages/Product/ProductPage'));
/** Campaigns and orders: the sale page polls its stock; my orders pay, cancel and confirm receipt. */
const CampaignPage = lazy(() => import('../pages/Campaign/CampaignPage'));
const MyOrdersPage = lazy(() => import('../pages/Orders/MyOrdersPage'));
/** The contribution log, proven in the browser: a product's trace and my contributions. */
const ProductTracePage = lazy(() => import('../pages/Trace/ProductTracePage'));
const MyContributionsPage = lazy(() => import('../pages/Contributions/MyContributionsPage'));
/** The shared-value ledger: what my contributions earned, each part explained and proven. */
const MyEarningsPage = lazy(() => import('../pages/Earnings/MyEarningsPage'));

const later = (page: ReactNode) => <Suspense fallback={<Loading />}>{page}</Suspense>;

/** Every page of the web app, in one visible list. */
export function App() {
  return (
    <BrowserRouter>
      <AuthProvider>
        <Routes>
          <Route element={<Layout />}>
            <Route index element={<HomePage />} />
            <Route path="search" element={<SearchPage />} />
            <Route path="c/:slug" element={<CommunityPage />} />
            <Route path="scenes/new" element={<NewScenePage />} />
            <Route path="scenes/:id" element={<ScenePage />} />
            <Route path="needs/new" element={<NewNeedPage />} />
            <Route path="needs/:id" element={<NeedPage />} />
            <Route path="needs/:id/solutions/new" element={<NewSolutionPage />} />
            <Route path="solutions/:id" element={<SolutionPage />} />
            <Route path="chain-groups/:id" element={later(<ChainGroupPage />)} />
            <Route path="polls/:id" element={later(<PollPage />)} />
            <Route path="products/:id" element={later(<ProductPage />)} />
            <Route path="products/:id/trace" element={later(<ProductTracePage />)} />
            <Route path="campaigns/:id" element={later(<CampaignPage />)} />
            <Route path="signin" element={<SignInPage />} />
            <Route path="signup" element={<SignUpPage />} />
            <Route path="me" element={<ProfilePage />} />
            <Route path="me/orders" element={<RequireAuth>{later(<MyOrdersPage />)}</RequireAuth>} />
            <Route path="me/contributions" element={<RequireAuth>{later(<MyContributionsPage />)}</RequireAuth>} />
            <Route path="me/earnings" element={<RequireAuth>{later(<MyEarningsPage />)}</RequireAuth>} />
            <Route
              path="partner/*"
              element={
                <RequireAuth needs="partner">
                  <Suspense fallback={<Loading />}>
                    <PartnerConsole />
                  </Suspense>
                </RequireAuth>
              }
            />
            <Route
              path="operator/*"
              element={
                <RequireAuth needs="operator">
                  <Suspense fallback={<Loading />}>
                    <OperatorConsole />
                  </Suspense>
                </RequireAuth>
              }
            />
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Routes>
      </AuthProvider>
    </BrowserRouter>
  );
}
