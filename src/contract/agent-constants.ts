// Agent constants with no schema around them, so the browser bundle can import them without zod.
export const DEFAULT_AGENT_PORT = 4433;
export const FACTORY_DEFAULT_PASSWORD = 'grappe';

/** The kernel command line of the tiny guest: the agent boots it directly, the tiny disk's SYSLINUX passes it. */
export const DEFAULT_CMDLINE = 'console=ttyS0 quiet';
