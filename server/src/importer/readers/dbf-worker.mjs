// A worker thread's entry: the project runs TypeScript through tsx, whose loader a worker does not
// inherit on Node 20, so it is registered here before dbf-worker.ts loads.
import { register } from 'tsx/esm/api';

register();
await import('./dbf-worker.ts');
