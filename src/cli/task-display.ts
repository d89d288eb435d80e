// Shows a task's progress while the CLI waits for it. On a terminal: its log lines, then a progress
// bar redrawn in place on the last line. Elsewhere (pipes, CI logs): just the new log lines.
import type { TaskView } from '../contract/task.contract.ts';
import type { OutStream } from './runtime.ts';
import { renderProgressBar } from './progress-bar.ts';

const CLEAR_LINE = '\r\u001b[K';

export class TaskDisplay {
  private shownLines = 0;
  private barDrawn = false;

  constructor(private readonly out: OutStream) {}

  update(task: TaskView): void {
    const fresh = task.log.slice(this.shownLines);
    this.shownLines = task.log.length;
    if (!this.out.isTTY) {
      for (const line of fresh) this.out.write(`${line.message}\n`);
      return;
    }
    let text = this.barDrawn ? CLEAR_LINE : '';
    for (const line of fresh) text += `${line.message}\n`;
    const last = task.log[task.log.length - 1]?.message ?? task.state;
    text += renderProgressBar(task.progress, last, { columns: this.out.columns });
    this.out.write(text);
    this.barDrawn = true;
  }

  /** Draws the final state and leaves the cursor on a fresh line. */
  finish(task: TaskView): void {
    this.update(task.state === 'succeeded' ? { ...task, progress: 1 } : task);
    if (this.out.isTTY && this.barDrawn) this.out.write('\n');
    this.barDrawn = false;
  }

  /** A note (such as a lost connection) printed above the bar. */
  note(message: string): void {
    this.out.write(`${this.barDrawn ? CLEAR_LINE : ''}${message}\n`);
    this.barDrawn = false;
  }
}
