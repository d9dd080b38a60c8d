import { describe, expect, it } from 'vitest';
import { historyAuthor, isAuthorField } from './api.ts';

describe('issue 10: history hides who edited from anonymous readers (the shared rule)', () => {
  it('author fields: changed_by and every …_by of a recorded row, nothing else', () => {
    for (const k of ['changed_by', 'created_by', 'updated_by', 'closed_by', 'reopened_by'])
      expect(isAuthorField(k)).toBe(true);
    for (const k of ['name', 'provider', 'grid_worker', 'helper_unit', 'close_note', 'version', 'by'])
      expect(isAuthorField(k)).toBe(false);
  });

  it('historyAuthor: the username when told, else null (never "null" or "undefined" to show)', () => {
    expect(historyAuthor({ changed_by: 'admin' })).toBe('admin');
    expect(historyAuthor({ changed_by: null })).toBeNull();
    expect(historyAuthor({})).toBeNull();
    expect(historyAuthor({ changed_by: '' })).toBeNull();
    expect(historyAuthor({ changed_by: 7 })).toBeNull();
  });
});
