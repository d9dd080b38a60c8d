/**
 * Worker thread of dbf.ts: reads the .dbf it is started with (workerData, a DbfJob) and posts its
 * records as properties a batch at a time, at most `ahead` batches before the reader asks for more
 * ('more' after each batch it takes).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ImportError } from '../errors.ts';
import { localBatches, type DbfJob, type DbfMessage } from './dbf.ts';

const port = parentPort!;
const { path, encoding, dbfName, ahead } = workerData as DbfJob;
let credit = ahead;
let wake: (() => void) | null = null;
port.on('message', () => {
  credit++;
  wake?.();
  wake = null;
});
const post = (m: DbfMessage) => port.postMessage(m);

try {
  for await (const rows of localBatches(path, encoding, dbfName)) {
    credit--;
    post({ type: 'batch', rows });
    while (credit === 0) await new Promise<void>((r) => (wake = r));
  }
  post({ type: 'end' });
} catch (e) {
  // The .dbf could not be opened (its problem, by file), or a record could not be read (dbffile's words).
  if (e instanceof ImportError) post({ type: 'problems', problems: e.problems });
  else post({ type: 'error', message: (e as Error).message });
} finally {
  port.close();
}
