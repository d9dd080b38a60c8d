import { AsyncLocalStorage } from 'node:async_hooks';
import type { Role } from '../../../core/vocabulary.ts';
import type { Db, Queryable, TransactionOptions } from '../db/index.ts';

/** Who a request acts for, as the database sees it in every transaction of that request. */
export interface SessionContext {
  username: string;
  role: Role;
  streetCode: string | null;
  /** The client's address (audit log). */
  address: string | null;
}

const current = new AsyncLocalStorage<SessionContext>();

/** Runs `fn` (and everything it awaits) as `session`: the Db of withSession sets it in each transaction. */
export function runAs<T>(session: SessionContext, fn: () => T): T {
  return current.run(session, fn);
}

export function currentSession(): SessionContext | undefined {
  return current.getStore();
}

const SET_SESSION = `SELECT set_config('app.user', $1, true), set_config('app.role', $2, true),
  set_config('app.street_code', $3, true), set_config('app.address', $4, true)`;

/** Sets the transaction-local settings the audit triggers and row-level security read. */
export async function applySession(tx: Queryable, s: SessionContext): Promise<void> {
  await tx.query(SET_SESSION, [s.username, s.role, s.streetCode ?? '', s.address ?? '']);
}

/**
 * The app's Db: inside a signed-in request every statement runs in a transaction that first sets
 * app.user, app.role, app.street_code and app.address (transaction-local, so a pooled connection never
 * carries one request's identity into the next). Outside one it is `db` unchanged.
 */
export function withSession(db: Db): Db {
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'transaction') {
        return <T>(fn: (tx: Queryable) => Promise<T>, opts?: TransactionOptions) => {
          const s = current.getStore();
          if (!s) return target.transaction(fn, opts);
          return target.transaction(async (tx) => {
            await applySession(tx, s);
            return fn(tx);
          }, opts);
        };
      }
      if (prop === 'query') {
        return (...args: Parameters<Db['query']>) => {
          const s = current.getStore();
          if (!s) return target.query(...args);
          return target.transaction(async (tx) => {
            await applySession(tx, s);
            return tx.query(...args);
          });
        };
      }
      if (prop === 'exec') {
        return (sql: string) => {
          const s = current.getStore();
          if (!s) return target.exec(sql);
          return target.transaction(async (tx) => {
            await applySession(tx, s);
            await tx.exec(sql);
          });
        };
      }
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
