// The bottom panels: the system log (recent tasks with progress, state and their log lines — where
// an update connector shows its progress) and the live events, newest first.
import type { EventView } from '../../../src/contract/event.contract.ts';
import type { TaskView } from '../../../src/contract/task.contract.ts';
import { progressBar } from '../dialogs/task-progress.ts';
import { h } from '../ui/dom.ts';
import { formatTime, percent } from '../ui/format.ts';

export function tasksPanel(tasks: readonly TaskView[], expanded: ReadonlySet<string>, toggle: (id: string) => void): HTMLElement {
  if (tasks.length === 0) return h('p', { class: 'empty' }, 'No task yet.');
  return h(
    'ul',
    { class: 'tasks', 'data-testid': 'tasks-panel' },
    ...tasks.map((t) => {
      const open = expanded.has(t.id) || t.state === 'running' || t.state === 'queued';
      const summary = h(
        'div',
        { class: 'task-head', onclick: () => toggle(t.id), title: open ? 'Hide the log' : 'Show the log' },
        h('span', { class: 'task-id' }, open ? '▾ ' : '▸ ', t.id),
        h('span', { class: 'task-kind' }, `${t.kind} ${t.target}`),
        progressBar(t.progress, t.state),
        h('span', { class: `task-state ${t.state}` }, t.state === 'running' ? `${t.state} ${percent(t.progress)}` : t.state),
        h('span', { class: 'time' }, formatTime(t.endedAt ?? t.startedAt ?? t.createdAt)),
      );
      const log = open
        ? h(
            'ol',
            { class: 'task-log' },
            ...t.log.map((l) => h('li', {}, h('span', { class: 'time' }, formatTime(l.at)), ' ', l.message)),
            t.error ? h('li', { class: 'error' }, t.error.message) : null,
          )
        : null;
      return h('li', { class: `task ${t.state}`, 'data-task-id': t.id }, summary, log);
    }),
  );
}

export function eventsPanel(events: readonly EventView[]): HTMLElement {
  if (events.length === 0) return h('p', { class: 'empty' }, 'No event yet.');
  return h(
    'ul',
    { class: 'events', 'data-testid': 'events-panel' },
    ...events.map((e) =>
      h(
        'li',
        { class: `event ${e.severity}`, 'data-type': e.type },
        h('span', { class: 'time' }, formatTime(e.at)),
        h('span', { class: 'event-type' }, e.type),
        h('span', { class: 'event-message' }, e.message),
      ),
    ),
  );
}
