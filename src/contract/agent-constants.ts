// Agent constants with no schema around them, so the browser bundle can import them without zod.
export const DEFAULT_AGENT_PORT = 4433;
export const FACTORY_DEFAULT_PASSWORD = 'grappe';

/** The kernel command line of the tiny guest: the agent boots it directly, the tiny disk's SYSLINUX passes it. */
export const DEFAULT_CMDLINE = 'console=ttyS0 quiet';

/**
 * How long the agent keeps an idle connection of the controller open. Longer than the slowest
 * paced round of the controller's loops (a host is visited every few seconds at thousands of hosts),
 * so a connection is reused from one round to the next instead of being made again.
 */
export const AGENT_KEEP_ALIVE_MS = 65_000;
