// Subnets, tasks, audit entries and events as text. Pure.
import type { AuditEntry } from '../../contract/audit.contract.ts';
import type { EventView } from '../../contract/event.contract.ts';
import type { Subnet } from '../../contract/subnet.contract.ts';
import type { TaskView } from '../../contract/task.contract.ts';
import { paint } from './ansi.ts';
import { renderFields, renderTable } from './table.ts';
import { percent } from './units.ts';

export function renderSubnetList(subnets: readonly Subnet[]): string {
  return renderTable(
    [{ header: 'NAME' }, { header: 'CIDR' }, { header: 'DESCRIPTION' }],
    subnets.map((s) => [s.name, s.cidr, s.description]),
  );
}

const TASK_STYLE = { queued: 'dim', running: 'yellow', succeeded: 'green', failed: 'red' } as const;

export const renderTaskState = (state: TaskView['state'], color: boolean): string => paint(color, TASK_STYLE[state], state);

export function renderTaskList(tasks: readonly TaskView[], color: boolean): string {
  if (tasks.length === 0) return 'No tasks yet.\n';
  return renderTable(
    [
      { header: 'ID' },
      { header: 'KIND' },
      { header: 'TARGET' },
      { header: 'STATE' },
      { header: 'PROGRESS', align: 'right' },
      { header: 'USER' },
      { header: 'CREATED' },
    ],
    tasks.map((t) => [t.id, t.kind, t.target, renderTaskState(t.state, color), percent(t.progress), t.user, t.createdAt]),
  );
}

export function renderTaskDetails(t: TaskView, color: boolean): string {
  const fields: [string, string][] = [
    ['ID', t.id],
    ['Kind', t.kind],
    ['Target', t.target],
    ['State', renderTaskState(t.state, color)],
    ['Progress', percent(t.progress)],
    ['User', t.user],
    ['Created', t.createdAt],
    ['Started', t.startedAt ?? '-'],
    ['Ended', t.endedAt ?? '-'],
  ];
  if (t.error) fields.push(['Error', `${paint(color, 'red', t.error.message)} (${t.error.code})`]);
  const log = t.log.length ? t.log.map((l) => `  ${l.at}  ${l.message}`).join('\n') + '\n' : '  (empty)\n';
  return `${renderFields(fields)}Log\n${log}`;
}

export function renderAuditList(entries: readonly AuditEntry[], color: boolean): string {
  if (entries.length === 0) return 'No audit entries yet.\n';
  const style = { ok: 'green', accepted: 'green', refused: 'yellow', failed: 'red' } as const;
  return renderTable(
    [
      { header: 'SEQ', align: 'right' },
      { header: 'AT' },
      { header: 'USER' },
      { header: 'FROM' },
      { header: 'ACTION' },
      { header: 'TARGET' },
      { header: 'RESULT' },
      { header: 'MESSAGE' },
    ],
    entries.map((e) => [
      String(e.seq),
      e.at,
      e.token ? `${e.user} (token ${e.token})` : e.user,
      e.from ?? '-',
      e.action,
      e.target,
      paint(color, style[e.result], e.result),
      messageWithTask(e),
    ]),
  );
}

const messageWithTask = (e: AuditEntry): string => [e.message, e.taskId ? `(task ${e.taskId})` : undefined].filter(Boolean).join(' ');

/** One line per event, for `grappe events` and its --follow tail. */
export function renderEventLine(e: EventView, color: boolean): string {
  const style = { info: 'dim', warning: 'yellow', error: 'red' } as const;
  return `${e.at}  ${paint(color, style[e.severity], e.severity.padEnd(7))}  ${e.type}  ${e.subject}  ${e.message}`;
}
