import { useEffect, useState } from 'react';
import { isDesktop, onUnauthorized, session, http } from './api/client.js';
import { DesktopNotices } from './components/DesktopNotices.js';
import { StatusBar } from './components/StatusBar.js';
import { ChangesPage } from './pages/ChangesPage.js';
import { ChatPage } from './pages/ChatPage.js';
import { InventoryPage } from './pages/InventoryPage.js';
import { LoginPage } from './pages/LoginPage.js';
import { SettingsPage } from './pages/SettingsPage.js';
import { VcentersPage } from './pages/VcentersPage.js';
import { WelcomePage } from './pages/WelcomePage.js';
import { isGridView, useNav, type View } from './stores/nav.js';
import { useStatus } from './stores/status.js';
import { applyTheme, useTheme } from './stores/theme.js';
import { useChat } from './stores/chat.js';
import { useUser } from './stores/user.js';
import { useVcenters } from './stores/vcenters.js';

const NAV: { view: View; label: string }[] = [
  { view: 'chat', label: 'Chat' },
  { view: 'vms', label: 'VMs' },
  { view: 'hosts', label: 'Hosts' },
  { view: 'datastores', label: 'Datastores' },
  { view: 'clusters', label: 'Clusters' },
  { view: 'networks', label: 'Networks' },
  { view: 'snapshots', label: 'Snapshots' },
  { view: 'disks', label: 'Disks' },
  { view: 'nics', label: 'NICs' },
  { view: 'partitions', label: 'Partitions' },
  { view: 'tags', label: 'Tags' },
  { view: 'changes', label: 'Changes' },
  { view: 'vcenters', label: 'vCenters' },
  { view: 'settings', label: 'Settings' },
];

function Shell({ onLogout }: { onLogout: (() => void) | null }): React.JSX.Element {
  const { view, go } = useNav();
  const start = useStatus((s) => s.start);
  const stats = useStatus((s) => s.stats);
  const { list, load } = useVcenters();
  const [openAdd, setOpenAdd] = useState(false);
  const [openImport, setOpenImport] = useState(false);
  const user = useUser();
  useEffect(() => start(), [start]);
  useEffect(() => {
    void load();
  }, [load]);

  const noVcenters = list !== null && list.length === 0;
  let page: React.JSX.Element;
  if (noVcenters && view !== 'vcenters' && view !== 'settings')
    page = (
      <WelcomePage
        onAdd={() => {
          setOpenAdd(true);
          go('vcenters');
        }}
        onImport={() => {
          setOpenImport(true);
          go('vcenters');
        }}
      />
    );
  else if (view === 'chat') page = <ChatPage />;
  else if (isGridView(view)) page = <InventoryPage key={view} entity={view} />;
  else if (view === 'changes') page = <ChangesPage />;
  else if (view === 'vcenters') page = <VcentersPage openAdd={openAdd} openImport={openImport} />;
  else page = <SettingsPage />;

  return (
    <div className="app">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">vMiner</div>
        {NAV.map((n) => (
          <button
            key={n.view}
            className={view === n.view ? 'active' : ''}
            aria-current={view === n.view ? 'page' : undefined}
            onClick={() => {
              setOpenAdd(false);
              setOpenImport(false);
              go(n.view);
            }}
          >
            {n.label}
            {isGridView(n.view) && stats ? (
              <span className="nav-count">{stats.totals[n.view].toLocaleString()}</span>
            ) : null}
          </button>
        ))}
        <span className="spacer" />
        {onLogout && (
          <p className="who small" data-testid="who">
            {user.name || 'signed in'}
            <span className="muted"> · {user.role === 'viewer' ? 'viewer (read only)' : 'admin'}</span>
          </p>
        )}
        {onLogout && (
          <button className="ghost" onClick={onLogout}>
            Log out
          </button>
        )}
      </nav>
      <main className="content">{page}</main>
      <StatusBar />
      <DesktopNotices />
    </div>
  );
}

/** Desktop: straight to the app. Browser: log in first; an expired or revoked token comes back here. */
export function App(): React.JSX.Element {
  const theme = useTheme((s) => s.theme);
  useEffect(() => {
    applyTheme(theme);
  }, [theme]);
  const [loggedIn, setLoggedIn] = useState(isDesktop || session.get() !== null);
  const [reason, setReason] = useState<string | null>(null);
  useEffect(
    () =>
      onUnauthorized(() => {
        setReason('Your session ended (expired or logged out). Log in again.');
        setLoggedIn(false);
      }),
    [],
  );
  if (!loggedIn)
    return (
      <LoginPage
        reason={reason}
        onLoggedIn={() => {
          setReason(null);
          useUser.getState().refresh();
          // This user's conversations (kept across reloads, per account).
          void useChat.persist.rehydrate();
          setLoggedIn(true);
        }}
      />
    );
  const logout = isDesktop
    ? null
    : (): void => {
        const token = session.get();
        http.close();
        session.clear();
        setLoggedIn(false);
        if (token)
          void fetch('/api/auth/logout', {
            method: 'POST',
            headers: { authorization: `Bearer ${token}` },
          }).catch(() => undefined);
      };
  return <Shell onLogout={logout} />;
}
