/** An entity another subgraph owns: this one knows only its key. */
export interface EntityReference {
  id: string;
}

export const reference = (id: string | null): EntityReference | null => (id ? { id } : null);
