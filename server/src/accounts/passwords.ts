import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PASSWORD_MIN_LENGTH, type PasswordProblem } from '../../../core/accounts.ts';

/** Node's scrypt (N=16384, r=8, p=1: its defaults), no native dependency. */
function scrypt(password: string, salt: Buffer, len: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, len, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export { PASSWORD_MIN_LENGTH };
/** Longer inputs are refused before hashing, so a megabyte "password" costs nothing. */
export const PASSWORD_MAX_LENGTH = 200;

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .map((l) => l.trim().toLowerCase())
      .filter((l) => l && !l.startsWith('#')),
  );
  return common;
}

/** The password policy: at least 10 characters, not a common password, not the username. */
export function passwordProblem(password: string, username?: string): PasswordProblem | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return 'too_short';
  if (length > PASSWORD_MAX_LENGTH) return 'too_long';
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) return 'common';
  if (username && lower.includes(username.toLowerCase())) return 'same_as_username';
  if (new Set(password).size === 1) return 'one_character';
  return null;
}

/** An English sentence for a refused password (logs and the start-up check; the client words the code). */
export function describePasswordProblem(p: PasswordProblem): string {
  return {
    too_short: `shorter than ${PASSWORD_MIN_LENGTH} characters`,
    too_long: `longer than ${PASSWORD_MAX_LENGTH} characters`,
    common: 'one of the most common passwords',
    same_as_username: 'contains the username',
    one_character: 'one character repeated',
    unchanged: 'the same as the current password',
  }[p];
}

/** scrypt with a random salt: `scrypt$<salt b64>$<hash b64>`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, saltB64, hashB64] = stored.split('$');
  if (scheme !== 'scrypt' || !saltB64 || !hashB64) return false;
  const want = Buffer.from(hashB64, 'base64');
  const got = await scrypt(password, Buffer.from(saltB64, 'base64'), want.length);
  return timingSafeEqual(want, got);
}

let dummy: Promise<string> | undefined;
/**
 * Spends the time of one real verification on a hash nobody has, so that an unknown or disabled
 * username answers as slowly as a known one (no guessing names by timing).
 */
export async function verifyNobody(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(12).toString('base64url'));
  await verifyPassword(password, await dummy);
  return false;
}
