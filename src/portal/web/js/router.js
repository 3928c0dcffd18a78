// A hash router: "#/chart/0012345/labs?code=3D046000001906202" — so that the browser's back
// button, reloads and bookmarks work without the hub knowing the pages' paths. Hashes that do
// not start with "#/" (the skip link's "#main") are not routes.
//
//   const r = new Router();
//   r.add('/chart/:id/:tab?', (params, query) => …);
//   r.start(fallback)            dispatches now and on every hashchange

export class Router {
  constructor() {
    this.routes = [];
    this.fallback = null;
    this.listener = () => this.dispatch();
  }

  add(pattern, handler) {
    const names = [];
    const source = pattern
      .split('/')
      .map((part) => {
        if (part.startsWith(':')) {
          const optional = part.endsWith('?');
          names.push(part.slice(1, optional ? -1 : undefined));
          return optional ? '(?:/([^/]*))?' : '/([^/]+)';
        }
        return part ? `/${part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}` : '';
      })
      .join('');
    this.routes.push({regex: new RegExp(`^${source || '/'}$`), names, handler});
    return this;
  }

  start(fallback) {
    this.fallback = fallback;
    window.addEventListener('hashchange', this.listener);
    this.dispatch();
  }

  stop() {
    window.removeEventListener('hashchange', this.listener);
  }

  dispatch() {
    const hash = location.hash;
    if (hash && !hash.startsWith('#/')) return;  // an in-page anchor
    const {path, query} = parse(hash);
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      const params = {};
      route.names.forEach((name, i) => {
        if (m[i + 1] !== undefined) params[name] = decodeURIComponent(m[i + 1]);
      });
      route.handler(params, query);
      return;
    }
    if (this.fallback) this.fallback(path, query);
  }
}

// "#/a/b?x=1&y=2&y=3" → {path: "/a/b", query: URLSearchParams}
export function parse(hash) {
  const text = (hash || '').replace(/^#/, '') || '/';
  const at = text.indexOf('?');
  return {
    path: at < 0 ? text : text.slice(0, at),
    query: new URLSearchParams(at < 0 ? '' : text.slice(at + 1)),
  };
}

// The hash for a path (segments escaped) and query params (arrays repeat; empties left out).
export function href(segments, params) {
  const path = '#/' + segments.filter((x) => x !== undefined && x !== null && x !== '').map((x) => encodeURIComponent(String(x))).join('/');
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined && v !== null && v !== '') q.append(key, String(v));
    }
  }
  const text = q.toString();
  return text ? `${path}?${text}` : path;
}

export function go(hash, {replace = false} = {}) {
  if (location.hash === hash) {
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else if (replace) {
    history.replaceState(null, '', hash);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = hash;
  }
}
