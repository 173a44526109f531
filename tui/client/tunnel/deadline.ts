/**
 * A connect timeout that stops counting while the user is asked something (a passphrase, whether
 * to trust a host): reading a fingerprint must not time the connection out. Once the answer is
 * in, the full time starts again.
 */
export class Deadline {
  private timer: NodeJS.Timeout | undefined;
  private asking = 0;
  private done = false;

  constructor(
    private readonly ms: number,
    private readonly onExpire: () => void,
  ) {}

  start(): void {
    if (this.done || this.asking > 0 || this.ms <= 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.done = true;
      this.onExpire();
    }, this.ms);
  }

  clear(): void {
    this.done = true;
    clearTimeout(this.timer);
  }

  whileAsking = <T>(question: Promise<T>): Promise<T> => {
    this.asking++;
    clearTimeout(this.timer);
    return question.finally(() => {
      this.asking--;
      this.start();
    });
  };
}
