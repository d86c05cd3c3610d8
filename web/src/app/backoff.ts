// Trying again something out of reach, later each time: the first wait,
// doubling up to the longest; back to the first once it is reached.
export class Backoff {
  private delay: number;

  constructor(private readonly first: number, private readonly longest: number) {
    this.delay = first;
  }

  reached(): void {
    this.delay = this.first;
  }

  // How long to wait before the next try (milliseconds).
  failed(): number {
    const now = this.delay;
    this.delay = Math.min(now * 2, this.longest);
    return now;
  }
}
