// Entry point: the login page, or the app when this tab holds a token. A 401 from any request
// ends the session and brings the login page back with the server's message.
import { session, whenUnauthorized } from './api/api-client.ts';
import { Store } from './state/store.ts';
import { Sync } from './state/sync.ts';
import { ClusterSync } from './state/cluster-sync.ts';
import { appShell } from './views/app-shell.ts';
import { loginPage } from './views/login-page.ts';

const root = document.getElementById('app')!;
let sync: Sync | undefined;
let cluster: ClusterSync | undefined;

function showLogin(notice: string | null): void {
  sync?.stop();
  sync = undefined;
  cluster?.stop();
  cluster = undefined;
  for (const d of document.querySelectorAll('dialog')) d.remove();
  root.replaceChildren(loginPage(notice, showApp));
  document.title = 'Grappe — log in';
}

function showApp(): void {
  const store = new Store();
  sync = new Sync(store);
  cluster = new ClusterSync(store);
  root.replaceChildren(appShell(store, sync, () => showLogin(null), cluster));
  void sync.start();
  void cluster.start();
}

whenUnauthorized((message) => {
  if (!sync) return; // already on the login page
  session.clear();
  showLogin(`Your session ended: ${message}. Please log in again.`);
});

if (session.token()) showApp();
else showLogin(null);
