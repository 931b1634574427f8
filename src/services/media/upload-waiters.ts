/** How often a waiting download looks again: another process may have received the upload. */
const POLL_MS = 500;

/**
 * Downloads waiting for content not uploaded yet. An upload in this process wakes them at once;
 * one received by another process (PostgreSQL, several processes) is seen at the next poll.
 */
export class UploadWaiters {
  private readonly waiting = new Map<string, Set<() => void>>();

  /** Waits until woken for `mediaId` or a poll interval (at most `maxMs`) passed; resolves to the time allowed for. */
  wait(mediaId: string, maxMs: number): Promise<number> {
    const slice = Math.max(1, Math.min(POLL_MS, maxMs));
    return new Promise((resolve) => {
      const set = this.waiting.get(mediaId) ?? new Set<() => void>();
      this.waiting.set(mediaId, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && this.waiting.get(mediaId) === set) this.waiting.delete(mediaId);
        resolve(slice);
      };
      const timer = setTimeout(done, slice);
      set.add(done);
    });
  }

  wake(mediaId: string): void {
    for (const done of [...(this.waiting.get(mediaId) ?? [])]) done();
  }
}
