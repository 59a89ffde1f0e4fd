/**
 * Channels of the investigation views (timeline, graph, hunt, accounts). Kept in their own map
 * so the renderer's owners can grow them without touching the core contract; contract.ts
 * spreads this map into the one contract every shell is derived from.
 */
export const investigateContract = {} as const;
