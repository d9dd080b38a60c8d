// The embedded database's own thread (issue 10 #5): PGlite + PostGIS run here, so a statement that
// takes seconds holds this thread, not the server's. Plain ESM JavaScript, so plain node, tsx and
// vitest all run it as it is. server/src/db/embedded.ts is the other half: it sends one message per
// call and implements `Db` over the answers.
//
// Messages in:  { id, op: 'query' | 'exec', sql, params?, tx? }   a statement (in transaction `tx`)
//               { id, op: 'begin' } → the transaction's id;  { id, op: 'commit' | 'rollback', tx }
//               { id, op: 'listen', channel } → a listener id;  { id, op: 'unlisten', listener }
//               { id, op: 'dump' } → the data directory as a tar (ArrayBuffer);  { id, op: 'close' }
// Messages out: { id, ok: true, value } | { id, ok: false, error } and { notify: listener, payload }.
//
// Calls run as they arrive and PGlite serialises them exactly as it does in one thread: a statement
// outside a transaction waits while one is open, a second BEGIN waits for the first to end.
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';

const { dataDir, loadDataDir, startParams, postgisBundle } = workerData;

/** pglite-postgis's extension, loading the PostGIS-only copy of its bundle when there is one. */
const postgisOnly = postgisBundle
  ? {
      name: 'postgis',
      setup: async (pg, opts) => ({
        ...(await postgis.setup(pg, opts)),
        bundlePath: pathToFileURL(postgisBundle),
      }),
    }
  : postgis;

const pg = await PGlite.create({
  dataDir,
  loadDataDir: loadDataDir ? new Blob([loadDataDir]) : undefined,
  extensions: { postgis: postgisOnly },
  startParams: [...PGlite.defaultStartParams, ...startParams],
});

/** PGlite returns int8 as bigint; the app uses numbers (ids and counts stay far below 2^53). */
const fix = (rows) => {
  for (const row of rows) for (const k in row) if (typeof row[k] === 'bigint') row[k] = Number(row[k]);
  return rows;
};

/** A PostgreSQL error as plain data: its SQLSTATE and every other field PGlite's DatabaseError has. */
const plain = (e) => {
  if (!e || typeof e !== 'object') return { message: String(e) };
  const out = { name: e.name, message: e.message, stack: e.stack };
  for (const k of Object.keys(e)) {
    const v = e[k];
    if (v === undefined || v === null || typeof v === 'string' || typeof v === 'number') out[k] = v;
  }
  return out;
};

const txs = new Map(); // id → { tx, end(how) }
const listeners = new Map(); // id → unlisten()
let nextId = 1;

const ops = {
  async query({ sql, params, tx }) {
    const r = await on(tx).query(sql, params);
    return { rows: fix(r.rows), fields: r.fields.length, affectedRows: r.affectedRows ?? 0 };
  },
  async exec({ sql, tx }) {
    await on(tx).exec(sql);
    return null;
  },
  begin() {
    // Held open until commit or rollback arrives; PGlite's own transaction keeps its bookkeeping.
    return new Promise((began, failed) => {
      const id = nextId++;
      let end;
      const ended = new Promise((resolve) => (end = resolve));
      const done = pg.transaction(async (tx) => {
        txs.set(id, { tx, end, done });
        began(id);
        const how = await ended;
        if (how === 'rollback') await tx.rollback();
      });
      done.catch(failed).finally(() => txs.delete(id));
      txs.set(id, { end, done });
    });
  },
  async commit({ tx }) {
    const t = txs.get(tx);
    if (!t) throw new Error(`no open transaction ${tx}`);
    t.end('commit');
    await t.done;
    return null;
  },
  async rollback({ tx }) {
    const t = txs.get(tx);
    if (!t) return null; // already ended (a failed COMMIT ends it too)
    t.end('rollback');
    await t.done;
    return null;
  },
  async listen({ channel }) {
    const id = nextId++;
    listeners.set(id, await pg.listen(channel, (payload) => parentPort.postMessage({ notify: id, payload })));
    return id;
  },
  async unlisten({ listener }) {
    const unlisten = listeners.get(listener);
    listeners.delete(listener);
    if (unlisten && !pg.closed) await unlisten();
    return null;
  },
  async dump() {
    return await (await pg.dumpDataDir('none')).arrayBuffer();
  },
  async close() {
    await pg.close();
    return null;
  },
};

function on(tx) {
  if (tx === undefined) return pg;
  const t = txs.get(tx);
  if (!t?.tx) throw new Error('Transaction is closed');
  return t.tx;
}

parentPort.on('message', (msg) => {
  Promise.resolve()
    .then(() => ops[msg.op](msg))
    .then((value) =>
      parentPort.postMessage(
        { id: msg.id, ok: true, value },
        value instanceof ArrayBuffer ? [value] : undefined,
      ),
    )
    // A failed call, or an answer that cannot be sent (a value structured clone refuses).
    .catch((e) => parentPort.postMessage({ id: msg.id, ok: false, error: plain(e) }));
});

parentPort.postMessage({ ready: true });
