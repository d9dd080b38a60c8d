import { describe, expect, it } from 'vitest';
import { loadBatchConfig, loadConfig } from './config.ts';

describe('statement time limit of the batch commands', () => {
  it('a batch command is not held to the 30 s a web request gets (200,000 XLSX gates hit it on a busy machine)', () => {
    expect(loadConfig({}).statementTimeoutMs).toBe(30_000);
    expect(loadBatchConfig({}).statementTimeoutMs).toBe(0);
    expect(loadBatchConfig({ STATEMENT_TIMEOUT_MS: '5000' }).statementTimeoutMs).toBe(0);
  });
});
