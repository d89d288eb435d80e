import { z } from 'zod';
import { cidr } from './common.ts';

// Logical subnets: LAN (management + guest services), RAN (replication between the two
// storage hosts), SAN (storage traffic between storage and processing hosts).
export const SUBNET_NAMES = ['LAN', 'SAN', 'RAN'] as const;
export const subnetName = z.enum(SUBNET_NAMES);
export type SubnetName = z.infer<typeof subnetName>;

export const subnet = z.object({ name: subnetName, cidr, description: z.string() });
export type Subnet = z.infer<typeof subnet>;

export const subnetEdit = z.object({ cidr }).strict();
