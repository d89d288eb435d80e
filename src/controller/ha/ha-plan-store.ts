// Each guest's HA plan, a record of its own: `/ha/plans/<guest id>`. They were all in `/ha/config`
// up to its version 2, so setting one plan read, parsed and wrote every plan (2.4 MB at 25,000
// guests: creating and protecting guests grew quadratically), and the HA loop parsed them all again
// at each change. Read from a mirror kept by the store's watch (record-mirror.ts).
import { haPlanRecord, type HaPlanRecord } from '../../contract/ha.contract.ts';
import type { Op } from '../../store/store.ts';
import { LazyLoad, RecordMirror } from '../platform/record-mirror.ts';
import { runtimeSlot } from '../platform/runtime-slots.ts';
import { defineRecordKind, storedValue } from '../platform/stored-records.ts';
import type { ControllerContext } from '../platform/types.ts';

export const HA_PLANS_PREFIX = '/ha/plans/';

export const haPlanKey = (guestId: string): string => HA_PLANS_PREFIX + guestId;

export const HA_PLAN_RECORD = defineRecordKind<HaPlanRecord>({
  name: 'HA plan',
  version: 1,
  migrations: {},
  schema: haPlanRecord,
  fix: "unset the guest's plan (`grappe ha unset <guest>`) and set it again",
});

export const putPlanOp = (guestId: string, plan: HaPlanRecord): Op => ({ put: haPlanKey(guestId), value: storedValue(HA_PLAN_RECORD, plan) });

type Plans = Readonly<Record<string, HaPlanRecord>>;

/** The mirror, and every plan by guest id, kept up to date by the mirror as each change is applied. */
interface PlansMirror {
  readonly mirror: RecordMirror<HaPlanRecord>;
  readonly plans: Plans;
}

function loadPlans(ctx: ControllerContext): Promise<PlansMirror> {
  const plans: Record<string, HaPlanRecord> = {};
  const onChange = (key: string, plan: HaPlanRecord | undefined): void => {
    const guest = key.slice(HA_PLANS_PREFIX.length);
    if (plan) plans[guest] = plan;
    else delete plans[guest];
  };
  return RecordMirror.load(ctx.store, HA_PLANS_PREFIX, HA_PLAN_RECORD, { onChange }).then((mirror) => ({ mirror, plans }));
}

const PLANS_MIRROR = runtimeSlot('HA plans mirror', (ctx: ControllerContext) => new LazyLoad(() => loadPlans(ctx)));

/**
 * Every guest's plan (guest id → plan), from the controller's mirror. A live view, not a copy: a
 * change is seen at once (a copy per change made creating 25,000 guests quadratic again); a damaged
 * plan record fails the read, naming it.
 */
export async function readHaPlans(ctx: Pick<ControllerContext, 'runtimes'>): Promise<Plans> {
  const { mirror, plans } = await ctx.runtimes.get(PLANS_MIRROR).get();
  mirror.assertIntact();
  return plans;
}
