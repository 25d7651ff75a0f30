// The dashboard's page: hash routes #/ (every Canary) and #/canary/<namespace>/<name>.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { render } from 'preact';
import { CanaryPage } from './canary-page.js';
import { useHash } from './hooks.js';
import { ListPage } from './list.js';
import { connect } from './store.js';

function App() {
  const hash = useHash();
  const m = /^#\/canary\/([^/]+)\/([^/]+)$/.exec(hash);
  if (m !== null)
    return (
      <CanaryPage
        namespace={decodeURIComponent(m[1] ?? '')}
        name={decodeURIComponent(m[2] ?? '')}
      />
    );
  return <ListPage />;
}

connect();
const root = document.getElementById('app');
if (root !== null) render(<App />, root);
