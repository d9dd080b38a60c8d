import { describe, expect, it } from 'vitest';
import { BATCH_STATEMENT_TIMEOUT_MS, loadBatchConfig, loadConfig } from './config.ts';

describe('statement time limit of the batch commands', () => {
  it('a CLI import is not held to the 30 s a web request gets (200,000 XLSX gates hit it on a busy machine)', () => {
    expect(loadConfig({}).statementTimeoutMs).toBe(30_000);
    expect(loadBatchConfig({}).statementTimeoutMs).toBe(BATCH_STATEMENT_TIMEOUT_MS);
    expect(BATCH_STATEMENT_TIMEOUT_MS).toBeGreaterThanOrEqual(30 * 60_000);
  });

  it('STATEMENT_TIMEOUT_MS, when set, holds for the batch commands too', () => {
    expect(loadBatchConfig({ STATEMENT_TIMEOUT_MS: '5000' }).statementTimeoutMs).toBe(5000);
  });
});
