// The signed-in session, kept for this tab only (sessionStorage): closing the tab forgets
// the token, and two tabs never share or fight over one socket.

const KEY = 'sluice.session';

/** `{token, expiresAt, user: {id, email, tenantId, role}}` or null. */
export function currentSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    if (!s || typeof s.token !== 'string') return null;
    if (s.expiresAt && Date.parse(s.expiresAt) <= Date.now()) return null;
    return s;
  } catch {
    return null;
  }
}

export function saveSession(s) {
  sessionStorage.setItem(KEY, JSON.stringify(s));
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
}
