import { GatedButton } from '../components/GatedButton.js';
import { useNav } from '../stores/nav.js';

/** First launch with no vCenters: the three ways to begin. */
export function WelcomePage(props: { onAdd: () => void; onImport: () => void }): React.JSX.Element {
  const go = useNav((s) => s.go);
  return (
    <section className="page welcome">
      <h1>Welcome to vMiner</h1>
      <p className="muted">
        vMiner keeps one local, searchable copy of every vCenter's inventory. It only ever reads: a read-only
        role is all it needs. Start in one of three ways:
      </p>
      <div className="cards">
        <div className="card">
          <h2>Add a vCenter</h2>
          <p>Enter its address and a read-only account, test the connection and trust its certificate.</p>
          <GatedButton call="vcenters.add" what="Adding a vCenter" onClick={props.onAdd}>
            Add a vCenter
          </GatedButton>
        </div>
        <div className="card">
          <h2>Import a list</h2>
          <p>
            A CSV or Excel file with columns <code>name, host</code> (and optionally{' '}
            <code>port, username, site, tags</code>): see what will be added, updated or skipped before
            anything changes.
          </p>
          <GatedButton call="import.apply" what="Importing a vCenter list" onClick={props.onImport}>
            Import a list
          </GatedButton>
        </div>
        <div className="card">
          <h2>Connect a SQL Server source</h2>
          <p>
            If your CMDB keeps the vCenter list in SQL Server or PostgreSQL, vMiner reads it on its own
            schedule: <code>vminer source --help</code>.
          </p>
        </div>
      </div>
      <p className="muted">
        Or ask anything once data is in:{' '}
        <button className="link" onClick={() => go('chat')}>
          open the chat
        </button>
        .
      </p>
    </section>
  );
}
