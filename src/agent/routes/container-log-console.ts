// A container's console as LXC records it (lxc.console.logfile): followed by polling and fanned
// out to viewers like a VM's serial console. Read-only: LXC serves its console pty only to
// lxc-console on a terminal, so keystrokes are dropped (Ctrl+] still detaches).
import { EventEmitter } from 'node:events';
import { open, type FileHandle } from 'node:fs/promises';
import { DEFAULT_SCROLLBACK_BYTES, Scrollback, splitAtDetach, type ConsoleViewer, type ViewerSink } from '../drivers/serial-console.ts';

const POLL_MS = 250;
const READ_CHUNK = 64 * 1024;

export class ContainerLogConsole extends EventEmitter<{ output: [Buffer]; end: [] }> {
  private readonly scrollback = new Scrollback(DEFAULT_SCROLLBACK_BYTES);
  private readonly viewers = new Set<ViewerSink>();
  private file: FileHandle | undefined;
  private offset = 0;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;
  private reading = false;

  constructor(private readonly logPath: string) {
    super();
  }

  async open(): Promise<void> {
    this.file = await open(this.logPath, 'r');
    const { size } = await this.file.stat();
    this.offset = Math.max(0, size - DEFAULT_SCROLLBACK_BYTES);
    await this.poll();
    this.timer = setInterval(() => void this.poll(), POLL_MS);
  }

  private async poll(): Promise<void> {
    if (this.reading || this.ended || !this.file) return;
    this.reading = true;
    try {
      for (;;) {
        const buf = Buffer.alloc(READ_CHUNK);
        const { bytesRead } = await this.file.read(buf, 0, READ_CHUNK, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        const chunk = buf.subarray(0, bytesRead);
        this.scrollback.push(chunk);
        this.emit('output', chunk);
        for (const v of this.viewers) v.output(chunk);
      }
    } catch {
      this.close();
    } finally {
      this.reading = false;
    }
  }

  attach(sink: ViewerSink): ConsoleViewer {
    this.viewers.add(sink);
    const history = this.scrollback.contents();
    if (history.length > 0) sink.output(history);
    const detach = (): void => {
      if (this.viewers.delete(sink)) sink.closed('detached');
    };
    return {
      input: (data) => {
        if (splitAtDetach(data).detach) detach();
      },
      detach,
    };
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.timer);
    void this.file?.close().catch(() => undefined);
    for (const v of this.viewers) v.closed('guestGone');
    this.viewers.clear();
    this.emit('end');
  }
}
