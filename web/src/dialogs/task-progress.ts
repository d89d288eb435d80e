// Follows one task to its end (polling GET /tasks/:id), drawing a progress bar and its last log line.
import type { TaskView } from '../../../src/contract/task.contract.ts';
import { api } from '../api/api-client.ts';
import { h } from '../ui/dom.ts';
import { percent } from '../ui/format.ts';

const POLL_MS = 400;

export function progressBar(fraction: number, state: TaskView['state']): HTMLElement {
  const bar = h('div', {
    class: `progress ${state}`,
    role: 'progressbar',
    'aria-valuemin': 0,
    'aria-valuemax': 100,
    'aria-valuenow': Math.round(fraction * 100),
  });
  bar.appendChild(h('div', { class: 'progress-fill', style: `width: ${percent(fraction)}` }));
  return bar;
}

/** Resolves with the ended task; `into` shows its progress meanwhile. */
export async function followTask(taskId: string, into: HTMLElement): Promise<TaskView> {
  for (;;) {
    const task = await api.task(taskId);
    const last = task.log[task.log.length - 1]?.message ?? task.state;
    into.replaceChildren(progressBar(task.progress, task.state), h('p', { class: 'task-line' }, `${percent(task.progress)} — ${last}`));
    if (task.state === 'succeeded' || task.state === 'failed') return task;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
