// Calls to /api/play/* with the session's bearer token. The token lives in memory only: never
// in the address bar, storage or a cookie.
let sessionToken = null;

export function useSession(token) {
  sessionToken = token;
}

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || `HTTP_${status}`;
    this.fields = error.fields || {};
  }
}

export async function call(method, path, body, keepalive = false) {
  const headers = { Accept: "application/json" };
  if (sessionToken) headers.Authorization = `Bearer ${sessionToken}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method, headers, keepalive, cache: "no-store", credentials: "omit",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// A fresh id per player action; a retried request reuses it so nothing happens twice.
export function actionId() {
  return crypto.randomUUID();
}
