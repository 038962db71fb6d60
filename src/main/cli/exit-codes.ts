/**
 * What `vminer` exits with: the same codes for every command, listed in `vminer --help` and
 * docs/cli.md. With `--json` a failure also prints `{"error": {"code", "message"}}` on stdout.
 */
export const EXIT = {
  ok: 0,
  /** The command failed; the error's code (INVALID_INPUT, NOT_FOUND, LOCKED, …) says why. */
  failed: 1,
  /** It ran, but part of it failed: a vCenter did not sync, a source refresh failed. */
  partial: 2,
  /** A question was not answered: not understood, asked back about, or a refused change. */
  notAnswered: 3,
  /** The command line itself: an unknown command or option, a missing argument or value. */
  usage: 64,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0   success
  1   the command failed (with --json: {"error": {"code", "message"}} on stdout; the code says why:
      INVALID_INPUT, NOT_FOUND, LOCKED, LOGIN_FAILED, TLS_UNTRUSTED, DB_DAMAGED, …); also: doctor
      found a failing check, db check found damage
  2   partly failed: some vCenters did not sync (each is named), a source refresh failed
  3   not understood: a question (ask, export --query) was not answered as asked, was asked back
      about, or asked for a change (vMiner only reads)
  64  usage: unknown command or option, missing argument (with --json: code INVALID_INPUT)`;
