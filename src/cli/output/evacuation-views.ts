// Evacuation plans, undo plans and the maintenance preview as text. Pure: views in, string out.
import type { EvacuationPlanView, UndoPlanView } from '../../contract/evacuation.contract.ts';
import { paint } from './ansi.ts';
import { renderTable } from './table.ts';

type PlannedMove = EvacuationPlanView['moves'][number];

const COLUMNS = [
  { header: 'GUEST' },
  { header: 'FROM' },
  { header: 'TO' },
  { header: 'KIND' },
  { header: 'ENDS' },
  { header: 'DOWNTIME', align: 'right' as const },
  { header: 'EXPECTED FROM' },
];

function movesTable(moves: readonly PlannedMove[]): string {
  return renderTable(
    COLUMNS,
    moves.map((m) => [m.guest, m.from.name, m.to.name, m.kind, m.power, `${m.expectedDowntimeMs} ms`, m.downtimeBasis]),
  );
}

const bullets = (items: readonly (readonly [string, string])[]): string => items.map(([guest, why]) => `  ${guest}: ${why}\n`).join('');

export function renderEvacuationPlan(p: EvacuationPlanView, color: boolean): string {
  const mode = p.mode === 'spread' ? 'spread over the processing hosts' : `to host '${p.moves[0]?.to.name ?? `#${p.mode.to}`}'`;
  let out = `Evacuation of host '${p.source.name}' (${mode}, at most ${p.maxParallel} at once): ${p.moves.length} guest(s) move, ${p.unmovable.length} cannot\n`;
  if (p.moves.length > 0) out += movesTable(p.moves);
  if (p.unmovable.length > 0) out += paint(color, 'yellow', 'Cannot move:') + '\n' + bullets(p.unmovable.map((u) => [u.guest, u.reason]));
  return out;
}

export function renderUndoPlan(p: UndoPlanView, color: boolean): string {
  let out = `Undo of evacuation '${p.evacuation}' of host '${p.origin.name}': ${p.available.length} guest(s) can go back, ${p.unavailable.length} Unavailable\n`;
  if (p.available.length > 0) out += 'Available:\n' + movesTable(p.available);
  if (p.unavailable.length > 0) out += paint(color, 'yellow', 'Unavailable:') + '\n' + bullets(p.unavailable.map((u) => [u.guest, u.why]));
  if (p.warning) out += paint(color, 'yellow', `Warning: ${p.warning.message}`) + '\n';
  return out;
}

export interface MaintenancePreviewView {
  readonly host: { readonly name: string };
  readonly state: { readonly from: string; readonly to: string };
  readonly guests: readonly { readonly id: string; readonly name: string; readonly state: string }[];
  readonly evacuation: EvacuationPlanView;
}

export function renderMaintenancePreview(p: MaintenancePreviewView, color: boolean): string {
  let out = `Host '${p.host.name}' would go from ${p.state.from} to ${p.state.to}; it holds ${p.guests.length} guest(s)\n`;
  if (p.guests.length > 0)
    out += renderTable(
      [{ header: 'GUEST' }, { header: 'NAME' }, { header: 'STATE' }],
      p.guests.map((g) => [g.id, g.name, g.state]),
    );
  out += 'If it is then evacuated:\n' + renderEvacuationPlan(p.evacuation, color);
  return out;
}
