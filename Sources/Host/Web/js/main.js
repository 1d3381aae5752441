// Sluice web app: sign-in, routes (#/leads, #/leads/ID, #/upload, #/vendors), and the
// event stream that keeps every view current.
import { api, onUnauthorized } from './api.js';
import { LeadDetail } from './detail.js';
import { byId, showError } from './dom.js';
import { EventStream } from './events.js';
import { LeadsView } from './leads.js';
import { clearSession, currentSession, saveSession } from './session.js';
import { Notifier } from './sound.js';
import { UploadView } from './upload.js';
import { renderVendors } from './vendors.js';

const VIEWS = ['login', 'leads', 'lead', 'upload', 'vendors'];
const TITLES = { login: 'Sign in', leads: 'Leads', lead: 'Lead', upload: 'Upload', vendors: 'Vendors' };

const notifier = new Notifier('/app/notify.wav');
const detail = new LeadDetail();
const leads = new LeadsView({ notifier, openLead: (id) => { location.hash = '#/leads/' + encodeURIComponent(id); } });
const upload = new UploadView();
const connection = byId('connection');
const muteButton = byId('mute');

let stream = null;
let vendors = [];
let started = false;
let lastProbe = 0;

// --- Views -----------------------------------------------------------------------------

function showView(name) {
  for (const v of VIEWS) byId('view-' + v).hidden = v !== name;
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === name || (name === 'lead' && a.dataset.nav === 'leads')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `${TITLES[name]} · Sluice`;
  document.documentElement.dataset.view = name;
}

function focusHeading(name) {
  const heading = byId('view-' + name).querySelector('h1');
  if (heading) heading.focus({ preventScroll: false });
}

function route() {
  const session = currentSession();
  if (!session) {
    showView('login');
    focusHeading('login');
    return;
  }
  const hash = location.hash.replace(/^#/, '') || '/leads';
  const parts = hash.split('/').filter(Boolean);
  let view = 'leads';
  if (parts[0] === 'leads' && parts[1]) view = 'lead';
  else if (parts[0] === 'upload') view = 'upload';
  else if (parts[0] === 'vendors') view = 'vendors';
  if (view === 'lead') detail.open(decodeURIComponent(parts[1]));
  else detail.close();
  if (view === 'vendors') showVendors(session);
  showView(view);
  focusHeading(view);
}

function showVendors(session) {
  const error = byId('vendors-error');
  if (session.user.role !== 'admin') {
    byId('vendors-body').replaceChildren();
    byId('vendors-howto').replaceChildren();
    showError(error, 'Only admins manage vendors.');
    return;
  }
  showError(error, '');
  renderVendors(vendors, session);
}

// --- Connection state ------------------------------------------------------------------

function setConnection(state, detail) {
  connection.dataset.state = state;
  const text = {
    connecting: 'Connecting…',
    live: 'Live',
    reconnecting: `Reconnecting in ${Math.max(1, Math.round((detail && detail.delay || 0) / 1000))} s…`,
    reloading: 'Reloading…',
    offline: 'Offline',
  }[state] || state;
  connection.textContent = text;
}

function onEvent(event) {
  const data = event.data || {};
  switch (event.type) {
    case 'new_lead_notification':
      leads.applyLead(data, { isNew: data.isNew === true });
      detail.update(data);
      break;
    case 'lead_enriched':
      leads.applyLead(data, { enriched: true });
      detail.update(data);
      break;
    case 'import_progress':
      upload.onProgress(data);
      break;
    case 'import_completed':
      // One event per import, not per row: refresh the list once.
      upload.onProgress({ ...data, done: true, bytes: 1, totalBytes: 1 });
      leads.reloadSoon();
      break;
    default:
      break; // newer event types are for newer clients
  }
}

/** Loads the list and starts the stream from its latestSeq (also after 4410). */
async function loadAndListen() {
  try {
    const seq = await leads.reload();
    if (!currentSession()) return;
    stream.start(seq);
  } catch (e) {
    if (!currentSession() || (e && e.status === 401)) return;
    setConnection('reconnecting', { delay: 3000 });
    setTimeout(() => { if (currentSession() && stream) loadAndListen(); }, 3000);
  }
}

// --- Session ---------------------------------------------------------------------------

async function startApp(session) {
  if (started) return;
  started = true;
  byId('topbar').hidden = false;
  byId('whoami').textContent = `${session.user.email} (${session.user.role})`;
  byId('nav-vendors').hidden = session.user.role !== 'admin';
  stream = new EventStream({
    token: session.token,
    onEvent,
    onState: setConnection,
    onGone: () => loadAndListen(),
    onRefused: () => {
      // Up but refusing the socket usually means the token is no longer valid; one cheap
      // call finds out (a 401 signs out). At most every 30 s, not on every retry.
      if (performance.now() - lastProbe < 30000) return;
      lastProbe = performance.now();
      api('/api/leads?limit=1').catch(() => {});
    },
  });
  try {
    vendors = (await api('/api/vendors')).vendors || [];
  } catch {
    vendors = [];
  }
  leads.setSources(vendors);
  upload.setVendors(vendors);
  route();
  await loadAndListen();
}

function stopApp() {
  started = false;
  if (stream) stream.stop();
  stream = null;
  vendors = [];
  clearSession();
  leads.clear();
  for (const select of [byId('leads-source'), byId('upload-vendor')]) {
    while (select.options.length > 1) select.remove(1);
  }
  upload.reset();
  detail.close();
  byId('topbar').hidden = true;
  setConnection('offline');
  route();
}

async function signIn(e) {
  e.preventDefault();
  const email = byId('login-email').value.trim();
  const password = byId('login-password').value;
  const error = byId('login-error');
  if (!email || !password) {
    showError(error, 'Enter your email and password.');
    return;
  }
  const button = byId('login-submit');
  button.disabled = true;
  showError(error, '');
  try {
    const reply = await api('/api/auth/login', { method: 'POST', body: { email, password }, auth: false });
    saveSession({ token: reply.token, expiresAt: reply.expiresAt, user: reply.user });
    byId('login-password').value = '';
    await startApp(currentSession());
  } catch (err) {
    showError(error, err.status === 401 ? 'That email and password do not match an account.' : err.message);
  } finally {
    button.disabled = false;
  }
}

async function signOut() {
  try {
    await api('/api/auth/logout', { method: 'POST' });
  } catch {
    // Revocation failed (offline): forget the token here anyway.
  }
  stopApp();
  byId('login-email').focus();
}

// --- Wiring ----------------------------------------------------------------------------

function renderMute() {
  muteButton.setAttribute('aria-pressed', String(notifier.muted));
  muteButton.title = notifier.muted ? 'New-lead sound is muted' : 'New-lead sound is on';
}

byId('login-form').addEventListener('submit', signIn);
byId('sign-out').addEventListener('click', signOut);
muteButton.addEventListener('click', () => {
  notifier.setMuted(!notifier.muted);
  renderMute();
});
window.addEventListener('hashchange', route);
window.addEventListener('online', () => { if (stream) stream.retryNow(); });
onUnauthorized(() => {
  stopApp();
  showError(byId('login-error'), 'Your session ended; sign in again.');
});

renderMute();
const session = currentSession();
if (session) startApp(session);
else route();
