// The hub's API (/v1/..., src/hub/api.h) on the same origin as the pages.
//
// A person's session token is kept in sessionStorage (gone when the tab closes; never in
// localStorage, never in a URL) and sent as `Authorization: Bearer`. Every call resolves to a
// value, never throws for an HTTP or network failure:
//   {ok: true, status, data}                       the answer's JSON
//   {ok: false, status, code, message}             the hub's {"error": {"code", "message"}},
//                                                  or status 0 and code "network"
// A 401 on any call but signing in means the session ended: listeners of onSessionEnded are
// told (the app goes back to the sign-in page).

const TOKEN_KEY = 'renkei.session';
const sessionEnded = new Set();

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}
export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}
export function onSessionEnded(listener) {
  sessionEnded.add(listener);
}

// A query string from an object; arrays repeat the parameter (type=a&type=b); empty values
// are left out.
export function query(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined && v !== null && v !== '' && v !== false) q.append(key, String(v));
    }
  }
  const text = q.toString();
  return text ? `?${text}` : '';
}

// One segment of a path, escaped.
export function seg(value) {
  return encodeURIComponent(String(value));
}

export async function call(method, path, {params, body, signal} = {}) {
  const headers = {Accept: 'application/json'};
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  const init = {method, headers, signal, cache: 'no-store', credentials: 'omit'};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`/v1${path}${query(params)}`, init);
  } catch (e) {
    if (e && e.name === 'AbortError') return {ok: false, status: 0, code: 'aborted', message: 'aborted'};
    return {ok: false, status: 0, code: 'network', message: String(e && e.message ? e.message : e)};
  }
  let data = null;
  const text = await response.text().catch(() => '');
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (response.ok) return {ok: true, status: response.status, data};
  const error = (data && data.error) || {};
  const result = {
    ok: false,
    status: response.status,
    code: error.code || `http_${response.status}`,
    message: error.message || response.statusText || '',
  };
  if (response.status === 401 && path !== '/sessions') {
    setToken(null);
    for (const listener of sessionEnded) listener(result);
  }
  return result;
}

export const get = (path, params, signal) => call('GET', path, {params, signal});
export const post = (path, body, params) => call('POST', path, {body: body ?? {}, params});
export const put = (path, body) => call('PUT', path, {body: body ?? {}});
export const del = (path) => call('DELETE', path);

// Whether an answer says the hub has no such route (an older hub): the pages then fall back
// to what older routes give, or say what is missing.
export function noRoute(result) {
  return !result.ok && result.status === 404 && /no route matches/.test(result.message || '');
}
