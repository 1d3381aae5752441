// Calls to the Sluice API (JSON, and the files it serves) with the session's bearer token.
import { currentSession } from './session.js';

/** An API failure: HTTP status (0 when the server could not be reached), code, sentence. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

let unauthorized = () => {};

/** Called when the server answers 401 to a signed-in call (token expired or revoked). */
export function onUnauthorized(fn) {
  unauthorized = fn;
}

/** Reads an error reply's `{error, code}`, with a fallback sentence. */
export function errorFrom(status, data) {
  const message = data && typeof data.error === 'string' ? data.error : `The server answered ${status}.`;
  return new ApiError(status, data && data.code ? data.code : 'http_' + status, message);
}

/** Fetches `path`; resolves to the parsed JSON (null for 204), rejects with ApiError. */
export async function api(path, { method = 'GET', body, auth = true } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await send(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }, auth);
  const data = res.status === 204 ? null : await jsonOf(res);
  if (!res.ok) throw refusal(res.status, data, auth);
  return data;
}

/**
 * Fetches a file the API serves (a rejected rows CSV) with the session's token; resolves
 * to `{blob, filename}` (the name the server suggests, or null), rejects with ApiError.
 */
export async function fetchFile(path) {
  const res = await send(path, { headers: { Accept: 'text/csv, application/json' } }, true);
  if (!res.ok) throw refusal(res.status, await jsonOf(res), true);
  let blob;
  try {
    blob = await res.blob();
  } catch {
    throw new ApiError(0, 'network', 'The download was cut off. Try again.');
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '');
  return { blob, filename: name ? name[1] : null };
}

/** One fetch with the bearer token (unless `auth` is false); network failures as ApiError. */
async function send(path, init, auth) {
  const session = currentSession();
  const headers = { ...init.headers };
  if (auth && session) headers.Authorization = 'Bearer ' + session.token;
  try {
    return await fetch(path, { ...init, headers, cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  }
}

/** The body as JSON, or null when it is not JSON. */
async function jsonOf(res) {
  try {
    return await res.json();
  } catch {
    return null;
  }
}

/** The ApiError for a refused call; a 401 to a signed-in call ends the session. */
function refusal(status, data, auth) {
  if (status === 401 && auth && currentSession()) unauthorized();
  return errorFrom(status, data);
}
