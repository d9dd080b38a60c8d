/**
 * Worker thread of dbf.ts: waits for its job (the .dbf to read), then posts its records as
 * properties a batch at a time, at most `ahead` batches before the reader asks for more ('more'
 * after each batch it takes).
 */
import { parentPort } from 'node:worker_threads';
import { DELETED } from 'dbffile';
import { ImportError } from '../errors.ts';
import { DBF_BATCH, openDbfForRecords, properties, type DbfJob, type DbfMessage } from './dbf.ts';

const port = parentPort!;
let job: DbfJob | null = null;
let credit = 0;
let wake: (() => void) | null = null;
port.on('message', (m: DbfJob | 'more') => {
  if (m === 'more') credit++;
  else {
    job = m;
    credit = m.ahead;
  }
  wake?.();
  wake = null;
});
const post = (m: DbfMessage) => port.postMessage(m);
const until = async (ready: () => boolean) => {
  while (!ready()) await new Promise<void>((r) => (wake = r));
};

await until(() => job !== null);
const { path, encoding, dbfName } = job!;
try {
  const { dbf, fields } = await openDbfForRecords(path, encoding, dbfName);
  for (;;) {
    await until(() => credit > 0);
    let records;
    try {
      records = await dbf.readRecords(DBF_BATCH);
    } catch (e) {
      post({ type: 'error', message: (e as Error).message });
      break;
    }
    if (records.length === 0) {
      post({ type: 'end' });
      break;
    }
    credit--;
    post({ type: 'batch', rows: records.map((r) => (r[DELETED] ? null : properties(r, fields))) });
  }
} catch (e) {
  if (e instanceof ImportError) post({ type: 'problems', problems: e.problems });
  else post({ type: 'error', message: (e as Error).message });
} finally {
  port.close();
}
