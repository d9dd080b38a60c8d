import type { Role } from './vocabulary.ts';

/** Accounts as the API shows them to a city admin (GET /api/users). */
export interface Account {
  id: number;
  username: string;
  role: Role;
  /** The 街道 a street_editor writes in. */
  streetCode: string | null;
  disabled: boolean;
  /** Must set a new password at the next sign-in (after an admin's reset, or the generated first one). */
  mustChangePassword: boolean;
  createdAt: string;
  updatedAt: string;
}

/** POST /api/users */
export interface CreateAccountRequest {
  username: string;
  role: Role;
  streetCode?: string | null;
  /** The first password; the user must change it at first sign-in. */
  password: string;
}

/** PATCH /api/users/:id — any of these. Each change signs the user out everywhere. */
export interface UpdateAccountRequest {
  role?: Role;
  streetCode?: string | null;
  disabled?: boolean;
}

/** One write in the audit log (GET /api/audit). */
export interface AuditEntry {
  id: number;
  at: string;
  /** null: a write from the command line or straight SQL. */
  username: string | null;
  address: string | null;
  action: 'insert' | 'update' | 'delete';
  table: string;
  rowId: string | null;
  /** The columns an update changed. */
  changed: string[] | null;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `before` for the next (older) page; null at the oldest. */
  next: number | null;
}

export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;
export const PASSWORD_MIN_LENGTH = 10;

/** Why the server refused a password (details.problem of a 400 weak_password). */
export const PASSWORD_PROBLEMS = [
  'too_short',
  'too_long',
  'common',
  'same_as_username',
  'one_character',
  'unchanged',
] as const;
export type PasswordProblem = (typeof PASSWORD_PROBLEMS)[number];
