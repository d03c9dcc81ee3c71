/**
 * The due time of a job created by a BullMQ job scheduler. Its id is `repeat:<schedulerId>:<dueMillis>` (the
 * scheduler id itself contains colons), which is stable across retries and across the workers that run it.
 */
export function scheduledAtOf(job: {
  id?: string | undefined;
  repeatJobKey?: string | undefined;
}): number | null {
  if (!job.id?.startsWith("repeat:")) return null;
  const last = job.id.slice(job.id.lastIndexOf(":") + 1);
  const ms = Number(last);
  return Number.isSafeInteger(ms) && ms > 0 ? ms : null;
}
