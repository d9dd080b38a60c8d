-- A successful sign-in: the username's failures are forgotten ($1), and the address's count ($2) loses
-- the attempt login-attempt.sql counted, so staff signing in from one office never lock it.
WITH u AS (DELETE FROM login_attempts WHERE key = $1)
UPDATE login_attempts
   SET failures = greatest(failures - 1, 0),
       locked_until = CASE WHEN failures - 1 < $3 THEN NULL ELSE locked_until END
 WHERE key = $2
