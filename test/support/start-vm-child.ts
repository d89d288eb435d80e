// Run as its own process by the QEMU driver test: starts one VM and exits, as an agent that is
// restarted (or updated) right after starting a guest. Prints the VM status as JSON.
import { QemuDriver } from '../../src/agent/drivers/qemu-driver.ts';

const [runDir, specJson] = process.argv.slice(2);
if (runDir === undefined || specJson === undefined) {
  process.stderr.write('usage: start-vm-child RUN_DIR SPEC_JSON\n');
  process.exit(2);
}
const t0 = Date.now();
const status = await new QemuDriver({ runDir }).startVm(JSON.parse(specJson));
process.stdout.write(JSON.stringify({ status, startMs: Date.now() - t0 }) + '\n');
