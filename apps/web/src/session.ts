/**
 * The browser's identity: a device id (UUID) kept in localStorage, and the signed session token
 * the server returns for it. The token is what every request carries. The device id is made here
 * once, then replaced by the one every session.start returns: the server rotates it, so an id
 * copied out of this browser stops working once this browser signs in again.
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

/** Keeps the device id session.start handed back; the one sent is honoured only for a minute more. */
export function keepDeviceId(id: string) {
  localStorage.setItem(deviceKey, id);
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

export function storeSession(token: string, expiresAt: string) {
  localStorage.setItem(tokenKey, JSON.stringify({ token, expiresAt } satisfies StoredSession));
}

export function clearSession() {
  localStorage.removeItem(tokenKey);
}
