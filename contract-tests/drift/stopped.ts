import { describeFetchError, NoAnswer } from '../kit/client.ts';
import type { Target } from '../kit/target.ts';

/** Why a replay cannot go on (exit code 2): said once, instead of a difference at every exchange. */
export class ReplayStopped extends Error {
  override name = 'ReplayStopped';
}

/** The target stopped answering, or never did. */
export function stoppedBy(target: Target, error: unknown): ReplayStopped {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof NoAnswer) return new ReplayStopped(`the target ${target.baseUrl} took the connection but gave ${cause.message}: is it running and well, and is --target right?`);
  return new ReplayStopped(`cannot reach the target ${target.baseUrl} (${describeFetchError(cause ?? error)}): is it running, and is --target right?`);
}
