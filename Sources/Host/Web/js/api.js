// JSON calls to the Sluice API with the session's bearer token.
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
  const session = currentSession();
  if (auth && session) headers.Authorization = 'Bearer ' + session.token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  }
  let data = null;
  if (res.status !== 204) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    if (res.status === 401 && auth && session) unauthorized();
    throw errorFrom(res.status, data);
  }
  return data;
}
