// Number formatting shared by lib's messages and the UI.

/** A fraction as a percentage: 0.961 → "96.1%"; "—" when there is none. */
export function formatShare(share: number | null | undefined, digits = 1): string {
  return share === null || share === undefined ? "—" : `${(share * 100).toFixed(digits)}%`;
}
