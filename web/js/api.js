// api — the only place that talks to the server. Every state change carries
// the session's CSRF token (X-CSRF-Token); the session cookie itself is
// HttpOnly and never seen here. Errors become ApiError {status, code, field}.
// A 423 (locked) or 401 (session gone) fires 'kith:locked' on window.

let csrf = null;

export class ApiError extends Error {
  constructor(status, err) {
    super((err && err.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (err && err.code) || 'internal';
    this.field = (err && err.field) || null;
    this.retryAfter = (err && err.retry_after) || null;
  }
}

export async function state() {
  const r = await fetch('/api/state', { credentials: 'same-origin', cache: 'no-store' });
  const j = await r.json();
  if (!r.ok) throw new ApiError(r.status, j.error);
  csrf = j.csrf;
  return j;
}

function url(path, query) {
  const u = new URL(`/api${path}`, window.location.origin);
  for (const [k, v] of Object.entries(query || {})) if (v != null && v !== '') u.searchParams.set(k, v);
  return u.pathname + u.search;
}

async function send(method, path, { query, json, raw, contentType } = {}) {
  const headers = {};
  let body;
  if (method !== 'GET') {
    if (!csrf) await state();
    headers['X-CSRF-Token'] = csrf;
    if (raw !== undefined) {
      body = raw;
      headers['Content-Type'] = contentType || 'application/octet-stream';
    } else {
      body = JSON.stringify(json || {});
      headers['Content-Type'] = 'application/json';
    }
  }
  let r;
  try {
    r = await fetch(url(path, query), { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, { code: 'network', message: String(e) });
  }
  return r;
}

async function parse(r) {
  const type = r.headers.get('Content-Type') || '';
  if (!type.startsWith('application/json')) {
    if (r.ok) return r;
    throw new ApiError(r.status, { code: 'internal', message: `HTTP ${r.status}` });
  }
  const j = await r.json();
  if (!r.ok) {
    const e = new ApiError(r.status, j.error);
    if (r.status === 423 || (r.status === 401 && e.code === 'session')) {
      if (e.code === 'session') await state().catch(() => {});
      window.dispatchEvent(new CustomEvent('kith:locked', { detail: { code: e.code } }));
    }
    throw e;
  }
  return j;
}

export async function get(path, query) {
  return parse(await send('GET', path, { query }));
}

export async function post(path, json) {
  const j = await parse(await send('POST', path, { json }));
  if (j && typeof j.csrf === 'string') csrf = j.csrf; // unlock renews it
  return j;
}

export async function upload(path, query, file) {
  return parse(await send('POST', path, { query, raw: file, contentType: 'application/octet-stream' }));
}

// A download: the response body as a Blob and the file name the server gave.
export async function download(path, json) {
  const r = await parse(await send('POST', path, { json }));
  const cd = r.headers.get('Content-Disposition') || '';
  const m = /filename="([^"]+)"/.exec(cd);
  return { blob: await r.blob(), filename: m ? m[1] : 'kith-export' };
}
