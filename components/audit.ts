/** Where an audit entry's entity lives in the UI, when it has a page. */
export function entityHref(entityType: string, entityId: string): string | null {
  switch (entityType) {
    case "job":
      return `/jobs/${entityId}`;
    case "dataset":
      return `/datasets/${entityId}`;
    case "model":
      return `/models/${entityId}`;
    case "experiment":
      return `/experiments/${entityId}`;
    default:
      return null;
  }
}
