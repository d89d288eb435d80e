// `grappe task list|show|watch`.
import type { Command } from 'commander';
import { taskView } from '../../contract/task.contract.ts';
import { positiveIntArg } from '../arg-parsers.ts';
import { renderTaskDetails, renderTaskList } from '../output/record-views.ts';
import type { Runtime } from '../runtime.ts';
import { completeTask } from '../task-follow.ts';
import { printJson, withJson, type JsonFlag } from './output.ts';
import { parseList, withClient } from './session.ts';

const taskPath = (id: string): string => `/tasks/${encodeURIComponent(id)}`;

export function registerTask(program: Command, rt: Runtime): void {
  const task = program.command('task').description('long-running actions and their progress');

  withJson(task.command('list').description('list recent tasks, newest first').option('--limit <n>', 'how many', positiveIntArg, 20)).action(
    async (opts: JsonFlag & { limit: number }) => {
      await withClient(rt, async (client) => {
        const res = await client.request('GET', `/tasks?limit=${opts.limit}`);
        if (opts.json) return printJson(rt, res.body);
        rt.stdout.write(renderTaskList(parseList(client, taskView, res.body, 'tasks', 'GET /tasks'), rt.color));
      });
    },
  );

  withJson(task.command('show').description('show a task with its log').argument('<id>', 'task id')).action(async (id: string, opts: JsonFlag) => {
    await withClient(rt, async (client) => {
      const res = await client.request('GET', taskPath(id));
      if (opts.json) return printJson(rt, res.body);
      rt.stdout.write(renderTaskDetails(client.parse(taskView, res.body, `GET /tasks/${id}`), rt.color));
    });
  });

  withJson(task.command('watch').description('follow a task with a progress bar until it ends').argument('<id>', 'task id')).action(
    async (id: string, opts: JsonFlag) => {
      await withClient(rt, async (client) => {
        const done = await completeTask(client, rt, id, { wait: true, json: opts.json === true });
        if (done && !opts.json) rt.stdout.write(`Task ${id} succeeded.\n`);
      });
    },
  );
}
