import { useEffect, useState } from 'react';
import { onSessionChange, sessionToken, sessionUser, type SessionUser } from './api.ts';

/** The signed-in user, following sign-in and sign-out in this tab. */
export function useSessionUser(): SessionUser | null {
  const [user, setUser] = useState<SessionUser | null>(sessionUser);
  useEffect(() => onSessionChange(() => setUser(sessionUser())), []);
  return user;
}

/**
 * The session's token (null signed out), following this tab's sign-ins and sign-outs: a panel that
 * read something whose answer depends on who asks (who edited is told to signed-in readers only)
 * reads it again when this changes.
 */
export function useSessionToken(): string | null {
  const [token, setToken] = useState<string | null>(sessionToken);
  useEffect(() => onSessionChange(() => setToken(sessionToken())), []);
  return token;
}
