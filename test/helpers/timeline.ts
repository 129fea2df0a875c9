/** The attempt ids of the timeline entries a forward step's answer carries (core/saga/timeline.ts). */
export function carriedAttemptIds(output: unknown): string[] {
  const timeline = (output as { timeline?: { attemptId: string }[] } | undefined)?.timeline ?? [];
  return timeline.map((entry) => entry.attemptId);
}
