import { render } from 'preact';
import type { ConsoleMeta } from '../../cli/console/api-types';
import { getJson } from './api';
import { ensureSignedIn } from './auth';
import { ErrorBox, Loading, useLoad } from './components/common';
import { AuditPage } from './pages/Audit';
import { DlqsPage } from './pages/Dlqs';
import { PaymentDetailPage } from './pages/PaymentDetail';
import { PaymentsPage } from './pages/Payments';
import { SagasPage } from './pages/Sagas';
import { VolumePage } from './pages/Volume';
import { WalletDetailPage, WalletsPage } from './pages/Wallets';
import { href, type Route, useRoute } from './router';
import './styles.css';

const NAV = [
  ['payments', 'Payments'],
  ['wallets', 'Wallets'],
  ['dlqs', 'Dead-letter queues'],
  ['sagas', 'Failed sagas'],
  ['volume', 'Daily volume'],
  ['audit', 'Audit log'],
] as const;

function Page({ meta, route }: { meta: ConsoleMeta; route: Route }) {
  const [section = 'payments', id] = route.path;
  switch (section) {
    case 'payments':
      return id ? <PaymentDetailPage paymentId={id} /> : <PaymentsPage meta={meta} params={route.params} />;
    case 'wallets':
      return id ? <WalletDetailPage walletId={id} params={route.params} meta={meta} /> : <WalletsPage />;
    case 'dlqs':
      return <DlqsPage meta={meta} {...(id && { selected: id })} />;
    case 'sagas':
      return <SagasPage meta={meta} />;
    case 'volume':
      return <VolumePage meta={meta} params={route.params} />;
    case 'audit':
      return <AuditPage params={route.params} />;
    default:
      return <ErrorBox message={`No page ${section}: pick one from the menu.`} />;
  }
}

function App() {
  const route = useRoute();
  const meta = useLoad(() => getJson<ConsoleMeta>('meta'), []);
  const current = route.path[0] ?? 'payments';
  return (
    <>
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header>
        <span class="brand">paysaga console</span>
        {meta.data && (
          <span class="stage" data-testid="stage">
            stage {meta.data.stage}
            {meta.data.local ? ' · local runtime' : ''} ·{' '}
            {meta.data.allowActions ? 'actions allowed' : 'read-only'}
          </span>
        )}
        <nav aria-label="Sections">
          {NAV.map(([path, label]) => (
            <a key={path} href={href(path)} aria-current={current === path ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {meta.error && <ErrorBox message={`The console server did not answer: ${meta.error}`} />}
        {!meta.data && !meta.error && <Loading what="the console" />}
        {meta.data && <Page meta={meta.data} route={route} />}
      </main>
    </>
  );
}

const root = document.getElementById('app') as HTMLElement;
ensureSignedIn().then(
  () => render(<App />, root),
  (error: unknown) =>
    render(
      <ErrorBox message={`Sign-in failed: ${error instanceof Error ? error.message : String(error)}`} />,
      root,
    ),
);
