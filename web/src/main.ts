// Entry point: the login page, or the app when this tab holds a token. A 401 from any request
// ends the session and brings the login page back with the server's message.
import { api, ApiError, session, whenUnauthorized } from './api/api-client.ts';
import { rights } from './state/rights.ts';
import { Store } from './state/store.ts';
import { Sync } from './state/sync.ts';
import { ClusterSync } from './state/cluster-sync.ts';
import { AccessSync } from './state/access-sync.ts';
import { appShell } from './views/app-shell.ts';
import { loginPage } from './views/login-page.ts';

const root = document.getElementById('app')!;
let sync: Sync | undefined;
let cluster: ClusterSync | undefined;
let access: AccessSync | undefined;

function showLogin(notice: string | null): void {
  sync?.stop();
  sync = undefined;
  cluster?.stop();
  cluster = undefined;
  access?.stop();
  access = undefined;
  for (const d of document.querySelectorAll('dialog')) d.remove();
  rights.set(null);
  root.replaceChildren(loginPage(notice, () => void showApp()));
  document.title = 'Grappe — log in';
}

/** The caller's rights first (what to show and offer), then the app. */
async function showApp(): Promise<void> {
  try {
    rights.set((await api.me()).rights);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    session.clear();
    showLogin(
      err instanceof ApiError && err.status === 401
        ? `Your session ended: ${message}. Please log in again.`
        : `The controller did not say what you may do: ${message}`,
    );
    return;
  }
  const store = new Store();
  sync = new Sync(store);
  cluster = new ClusterSync(store);
  access = new AccessSync(store);
  access.start(); // before the shell: it reacts to the first view being set
  root.replaceChildren(appShell(store, { sync, cluster, access }, () => showLogin(null)));
  void sync.start();
  void cluster.start();
}

whenUnauthorized((message) => {
  if (!sync) return; // already on the login page
  session.clear();
  showLogin(`Your session ended: ${message}. Please log in again.`);
});

if (session.token()) void showApp();
else showLogin(null);
