/**
 * Keeps only the newest answer of a loader that can be called again before its last call
 * returned. Each call takes a ticket; an answer whose ticket is no longer the newest is
 * dropped, so a slow read started before an edit cannot land after the read that follows it.
 */
export function latestOnly(): () => () => boolean {
  let newest = 0;
  return () => {
    const mine = ++newest;
    return () => mine === newest;
  };
}
