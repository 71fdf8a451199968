/**
 * The browser's identity: a device id (UUID) made once and kept in localStorage, and the signed
 * session token the server returns for it. The token is what every request carries.
 */
const deviceKey = "pinglass.deviceId";
const tokenKey = "pinglass.session";

export function deviceId(): string {
  let id = localStorage.getItem(deviceKey);
  if (!id) {
    id = crypto.randomUUID();
    localStorage.setItem(deviceKey, id);
  }
  return id;
}

interface StoredSession {
  token: string;
  expiresAt: string;
}

export function sessionToken(): string | null {
  const raw = localStorage.getItem(tokenKey);
  if (!raw) return null;
  const session = JSON.parse(raw) as StoredSession;
  // Renew a day before expiry rather than fail a request.
  if (new Date(session.expiresAt).getTime() - Date.now() < 24 * 3600 * 1000) return null;
  return session.token;
}

export function storeSession(token: string, expiresAt: Date) {
  localStorage.setItem(tokenKey, JSON.stringify({ token, expiresAt: expiresAt.toISOString() } satisfies StoredSession));
}

export function clearSession() {
  localStorage.removeItem(tokenKey);
}
