/** An entity another subgraph owns: this one knows only its key. */
export interface EntityReference {
  id: string;
}

export const reference = (id: string | null): EntityReference | null => (id ? { id } : null);

/**
 * A row this subgraph's own foreign keys guarantee. Its absence is a broken invariant, not a
 * client's mistake, so it fails as an internal error (masked before it leaves).
 */
export async function required<T>(value: Promise<T | null>, what: string): Promise<T> {
  const found = await value;
  if (!found) throw new Error(`${what} is missing`);
  return found;
}
