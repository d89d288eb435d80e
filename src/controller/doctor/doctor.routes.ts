import { doctorReport as doctorReportSchema } from '../../contract/doctor.contract.ts';
import { defineRoute } from '../platform/routes.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';
import { doctorReport } from './doctor-report.ts';

export const doctorRoutes = (ctx: ControllerContext): RouteSpec[] => [
  defineRoute({
    method: 'GET',
    url: '/doctor',
    summary: "Checks the controller and every host: packages and capabilities, kernel features, clock skew, certificates, disk, tgt, the store's integrity",
    tags: ['system'],
    errors: [],
    response: doctorReportSchema,
    handler: async () => ({ body: await doctorReport(ctx) }),
  }),
];
