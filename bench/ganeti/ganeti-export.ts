// The benchmark's generated cluster in the forms Ganeti's htools read:
//   - the text backend (`hspace -t FILE`, `hbal -t FILE`): groups | nodes | instances | cluster tags |
//     ipolicies, sections separated by one empty line, columns by '|', as htools(1) describes;
//   - an IAllocator request for `hail` (type multi-allocate: every guest in one request, placed in order).
// Hosts that are not UP processing hosts become offline nodes, so both tools see the same targets.
// Guest storage is shared (our SAN), which has no counterpart in Ganeti's node disks: every instance
// gets a token 1 GiB plain disk and every node 10 TiB, so disk never constrains either tool.
import type { GuestRequest, SchedulerHost } from '../../src/core/scheduler/scheduler-types.ts';

const GROUP_UUID = 'grappe-bench-group';
const NODE_DISK_MIB = 10 * 1024 * 1024;
const INSTANCE_DISK_MIB = 1024;

const online = (h: SchedulerHost): boolean => h.state === 'UP' && h.purpose === 'processing';

/** min;max instance specs wide enough for every generated guest; columns: memory, cpus, disk size, disks, NICs, spindles. */
function ipolicyLine(owner: string, vcpuRatio: number): string {
  return `${owner}|1024,1,1024,1,1,1|128,1,1024,1,1,1;1048576,256,1048576,16,8,12|plain,drbd,file,sharedfile,blockdev,rbd,ext,diskless|${vcpuRatio.toFixed(1)}|32.0`;
}

export function toTextBackend(hosts: readonly SchedulerHost[], vcpuRatio: number): string {
  const groups = [`default|${GROUP_UUID}|preferred||`];
  const nodes = hosts.map((h, k) => {
    const free = h.memoryMiBTotal - h.memoryMiBAllocated;
    const role = !online(h) ? 'Y' : k === 0 ? 'M' : 'N';
    // name|mem total|mem used by the node|mem free|disk total|disk free|cores|role|group|spindles|tags|excl. storage|free spindles|node CPUs|CPU speed
    return `${h.name}|${h.memoryMiBTotal}|0|${free}|${NODE_DISK_MIB}|${NODE_DISK_MIB}|${h.cpuTotal}|${role}|${GROUP_UUID}|1||N|1|0|1.0`;
  });
  const ipolicies = [ipolicyLine('', vcpuRatio), ipolicyLine('default', vcpuRatio)];
  // Sections: groups, nodes, instances (none: the cluster starts empty), cluster tags (none), ipolicies.
  return [groups.join('\n'), nodes.join('\n'), '', '', ipolicies.join('\n')].join('\n\n') + '\n';
}

const ipolicy = (vcpuRatio: number) => ({
  'disk-templates': ['plain', 'drbd', 'file', 'sharedfile', 'blockdev', 'rbd', 'ext', 'diskless'],
  minmax: [
    {
      min: { 'cpu-count': 1, 'disk-count': 1, 'disk-size': 1024, 'memory-size': 128, 'nic-count': 1, 'spindle-use': 1 },
      max: { 'cpu-count': 256, 'disk-count': 16, 'disk-size': 1048576, 'memory-size': 1048576, 'nic-count': 8, 'spindle-use': 12 },
    },
  ],
  std: { 'cpu-count': 1, 'disk-count': 1, 'disk-size': 1024, 'memory-size': 1024, 'nic-count': 1, 'spindle-use': 1 },
  'spindle-ratio': 32.0,
  'vcpu-ratio': vcpuRatio,
});

export function toIallocatorRequest(hosts: readonly SchedulerHost[], requests: readonly GuestRequest[], vcpuRatio: number): unknown {
  const nodes = Object.fromEntries(
    hosts.map((h, k) => [
      h.name,
      {
        drained: false,
        offline: !online(h),
        vm_capable: true,
        master_candidate: k === 0,
        master_capable: true,
        group: GROUP_UUID,
        ndparams: { exclusive_storage: false, spindle_count: 1, cpu_speed: 1.0, oob_program: null },
        primary_ip: `192.0.2.${(k % 250) + 1}`,
        secondary_ip: `198.51.100.${(k % 250) + 1}`,
        tags: [],
        total_memory: h.memoryMiBTotal,
        reserved_memory: 0,
        free_memory: h.memoryMiBTotal - h.memoryMiBAllocated,
        total_disk: NODE_DISK_MIB,
        free_disk: NODE_DISK_MIB,
        total_cpus: h.cpuTotal,
        reserved_cpus: 0,
        total_spindles: 1,
        free_spindles: 1,
      },
    ]),
  );
  const instances = requests.map((r, k) => ({
    name: r.guest ?? `guest-${k + 1}`,
    disk_template: 'plain',
    disks: [{ mode: 'rw', size: INSTANCE_DISK_MIB, spindles: 1 }],
    disk_space_total: INSTANCE_DISK_MIB,
    memory: r.memoryMiB,
    vcpus: r.vcpus,
    nics: [],
    tags: [],
    os: 'noop',
    hypervisor: 'kvm',
    required_nodes: 1,
    spindle_use: 1,
  }));
  return {
    cluster_name: 'grappe-bench',
    cluster_tags: [],
    enabled_hypervisors: ['kvm'],
    ipolicy: ipolicy(vcpuRatio),
    nodegroups: { [GROUP_UUID]: { name: 'default', alloc_policy: 'preferred', networks: [], tags: [], ipolicy: ipolicy(vcpuRatio) } },
    nodes,
    instances: {},
    request: { type: 'multi-allocate', instances },
  };
}
