/**
 * Plays the watchers of a load run started with `--metrics-port` / `--dashboard`: once the load
 * prints their URLs, a Prometheus-like scrape of /metrics each second and one open SSE stream of
 * the dashboard, from this (the bench) process, so the load's own CPU figure includes serving them,
 * as in a watched run. Nothing happens for a run without those flags.
 */
export class LiveWatcher {
  private readonly abort = new AbortController();
  private scraper: NodeJS.Timeout | undefined;
  private streaming = false;
  scrapes = 0;
  events = 0;

  /** Feed it the load's stderr as it arrives. */
  see(stderr: string): void {
    const metrics = /metrics: (http:\/\/\S+\/metrics)/.exec(stderr);
    if (metrics && !this.scraper) {
      this.scraper = setInterval(() => {
        fetch(metrics[1], { signal: this.abort.signal })
          .then((r) => r.text())
          .then(
            () => this.scrapes++,
            () => {},
          );
      }, 1000);
    }
    const dashboard = /dashboard: (http:\/\/\S+\/)/.exec(stderr);
    if (dashboard && !this.streaming) {
      this.streaming = true;
      void this.stream(`${dashboard[1]}events`);
    }
  }

  stop(): void {
    clearInterval(this.scraper);
    this.abort.abort();
  }

  private async stream(url: string): Promise<void> {
    try {
      const res = await fetch(url, { signal: this.abort.signal });
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        this.events += (decoder.decode(chunk, { stream: true }).match(/^event: /gm) ?? []).length;
      }
    } catch {
      // The load exited or the stream was stopped.
    }
  }
}
